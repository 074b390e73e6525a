//! Service levels (`desk.yaml`'s `sla:`): policies per queue and priority range with a
//! first-response and a resolution target, counted in business hours (a time zone, working
//! days, opening hours, holidays), with the clock paused while the desk waits on the
//! customer or the ticket is snoozed. Due times and breaches are derived here from a
//! ticket's [`Clock`] (its creation, the times of customer messages and answers, its close
//! and snooze) and the time of asking — never stored. Pure: no clock, no files.
//!
//! - First response: from the ticket's start to its first answer; paused only while snoozed.
//! - Resolution: from the start to resolved/closed; paused from each answer until the
//!   customer's next message (waiting on the customer) and while snoozed (from the snooze
//!   until its end or the customer's next message).
//! - A target is `met` when its stop came within the target, `breached` when the counted
//!   time passed the target (stopped or not), `paused` while the clock stands, else `due`.

mod clock;
mod policy;

use std::str::FromStr;

pub use clock::{
    evaluate, snooze_spans, snoozes_of, Calendar, Clock, SlaStatus, State, Target, TargetStatus,
};
pub use policy::{
    policy_for, BusinessHours, ClockTime, Day, Escalation, Policies, Policy, Span, Zone,
};

use super::{InvalidValue, Timestamp};

/// An `sla:` search filter: `sla:breached`, `sla:met`, `sla:paused`, `sla:due` (a
/// running target), `sla:due<4h` (due within 4 hours from now, breached ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    State(State),
    DueWithin(i64),
}

impl FromStr for Filter {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let v = s.trim().to_ascii_lowercase();
        if let Some(rest) = v.strip_prefix("due<") {
            let span: Span = rest.parse().map_err(|e: InvalidValue| e.0)?;
            return Ok(Filter::DueWithin(span.secs()));
        }
        Ok(Filter::State(match v.as_str() {
            "breached" => State::Breached,
            "met" => State::Met,
            "paused" => State::Paused,
            "due" => State::Due,
            _ => {
                return Err(format!(
                    "`{s}`: sla is breached, met, paused, due or due<DURATION (like due<4h)"
                ))
            }
        }))
    }
}

impl Filter {
    pub fn matches(self, st: &SlaStatus, now: Timestamp) -> bool {
        match self {
            Filter::State(s) => st.targets.iter().any(|t| t.state == s),
            Filter::DueWithin(secs) => {
                st.breached() || st.next_due().is_some_and(|d| d.unix() <= now.unix() + secs)
            }
        }
    }
}

#[cfg(test)]
mod tests;
