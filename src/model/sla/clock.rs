//! The SLA clock: business time of a [`Calendar`], a ticket's [`Clock`] (its start, the
//! customer's messages and the answers, its close, its snooze) with the pauses they imply,
//! and [`evaluate`], which gives each target's state and due time at a moment.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::super::{Date, SnoozeSpan, Timestamp};
use super::{BusinessHours, Policy};

/// Which of a policy's two targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Resolution => "resolution",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Target::FirstResponse => "first response",
            Target::Resolution => "resolution",
        }
    }
}

/// Longest look-ahead for a due time (a policy whose days never open gives none).
const HORIZON_DAYS: i64 = 3 * 366;

/// Business time: when the clock runs.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    hours: Option<&'a BusinessHours>,
    holidays: &'a [Date],
}

impl<'a> Calendar<'a> {
    /// Opening hours (none: around the clock, UTC days) minus `holidays`.
    pub fn new(hours: Option<&'a BusinessHours>, holidays: &'a [Date]) -> Calendar<'a> {
        Calendar { hours, holidays }
    }
}

impl Calendar<'_> {
    /// The opening of local day `date`, as epoch seconds (none: closed that day).
    fn window(&self, date: jiff::civil::Date) -> Option<(i64, i64)> {
        if self
            .holidays
            .iter()
            .any(|h| h.to_string() == date.to_string())
        {
            return None;
        }
        let (tz, from, to) = match self.hours {
            None => (&TimeZone::UTC, 0, 24 * 60),
            Some(h) => {
                if !h.days.iter().any(|d| d.weekday() == date.weekday()) {
                    return None;
                }
                (h.time_zone.tz(), h.from.minutes(), h.to.minutes())
            }
        };
        let at = |mins: u32| -> Option<i64> {
            let (d, mins) = if mins == 24 * 60 {
                (date.tomorrow().ok()?, 0)
            } else {
                (date, mins)
            };
            let t = Time::new((mins / 60) as i8, (mins % 60) as i8, 0, 0).ok()?;
            Some(
                d.to_datetime(t)
                    .to_zoned(tz.clone())
                    .ok()?
                    .timestamp()
                    .as_second(),
            )
        };
        let (a, b) = (at(from)?, at(to)?);
        (a < b).then_some((a, b))
    }

    fn first_day(&self, from: i64) -> Option<jiff::civil::Date> {
        let tz = self
            .hours
            .map_or(TimeZone::UTC, |h| h.time_zone.tz().clone());
        let ts = jiff::Timestamp::from_second(from).ok()?;
        // A day earlier: a window of the previous local day may reach past midnight UTC.
        ts.to_zoned(tz).date().yesterday().ok()
    }

    /// Calls `f` with each running stretch `[a, b)` from `from` on, in order, minus
    /// `pauses` (sorted, merged); stops when `f` returns false or past the horizon.
    fn stretches(&self, from: i64, pauses: &[(i64, i64)], mut f: impl FnMut(i64, i64) -> bool) {
        let Some(mut day) = self.first_day(from) else {
            return;
        };
        for _ in 0..HORIZON_DAYS {
            if let Some((a, b)) = self.window(day) {
                let mut a = a.max(from);
                for &(p, q) in pauses {
                    if q <= a || p >= b {
                        continue;
                    }
                    if p > a && !f(a, p) {
                        return;
                    }
                    a = a.max(q);
                }
                if a < b && !f(a, b) {
                    return;
                }
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => return,
            }
        }
    }

    /// Counted seconds from `from` to `until`.
    pub fn elapsed(&self, from: i64, until: i64, pauses: &[(i64, i64)]) -> i64 {
        let mut sum = 0;
        if until <= from {
            return 0;
        }
        self.stretches(from, pauses, |a, b| {
            if a >= until {
                return false;
            }
            sum += b.min(until) - a;
            b < until
        });
        sum
    }

    /// The instant `target` counted seconds after `from` (none beyond the horizon).
    pub fn due(&self, from: i64, target: i64, pauses: &[(i64, i64)]) -> Option<i64> {
        let mut left = target;
        let mut due = None;
        self.stretches(from, pauses, |a, b| {
            if b - a >= left {
                due = Some(a + left);
                return false;
            }
            left -= b - a;
            true
        });
        due
    }
}

/// What the SLA clock needs of a ticket (epoch seconds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clock {
    pub start: i64,
    /// Customer messages (`true`) and answers (`false`), by time.
    pub marks: Vec<(i64, bool)>,
    /// When it was resolved or closed, while it is.
    pub done_at: Option<i64>,
    /// Snoozes: from, until (the ones that ended, and the running one).
    pub snoozes: Vec<(i64, i64)>,
}

impl Clock {
    pub fn first_answer(&self) -> Option<i64> {
        self.marks.iter().find(|m| !m.1).map(|m| m.0)
    }

    /// The snoozes as pauses: each until its end or the customer's next message.
    fn snooze_pauses(&self, now: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.snoozes.iter().filter_map(move |&(from, until)| {
            let woken = self
                .marks
                .iter()
                .find(|m| m.1 && m.0 > from)
                .map_or(until, |m| m.0.min(until));
            let end = woken.min(now);
            (end > from).then_some((from, end))
        })
    }

    /// Waiting on the customer: from each answer to the customer's next message (ongoing
    /// ones end `now`).
    fn waiting(&self, now: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut since = None;
        for &(at, customer) in &self.marks {
            match (customer, since) {
                (false, None) => since = Some(at),
                (true, Some(s)) => {
                    out.push((s, at));
                    since = None;
                }
                _ => {}
            }
        }
        if let Some(s) = since {
            out.push((s, now.max(s)));
        }
        out
    }

    fn pauses(&self, target: Target, now: i64) -> Vec<(i64, i64)> {
        let mut v = match target {
            Target::FirstResponse => Vec::new(),
            Target::Resolution => self.waiting(now),
        };
        v.extend(self.snooze_pauses(now));
        merge(v)
    }

    fn stop(&self, target: Target) -> Option<i64> {
        match target {
            Target::FirstResponse => self.first_answer(),
            Target::Resolution => self.done_at,
        }
    }

    fn paused_at(&self, target: Target, now: i64) -> bool {
        self.pauses(target, now)
            .last()
            .is_some_and(|&(a, b)| a <= now && b >= now)
    }
}

fn merge(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.sort();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Breached,
    Due,
    Paused,
    Met,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Breached => "breached",
            State::Due => "due",
            State::Paused => "paused",
            State::Met => "met",
        }
    }
}

/// One target of one ticket at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetStatus {
    pub target: Target,
    pub state: State,
    /// When it is (or was) due; for a paused clock, when it would be if it ran again now.
    pub due: Option<Timestamp>,
    /// The target, and the counted time so far (to the stop or now).
    pub target_minutes: i64,
    pub elapsed_minutes: i64,
}

/// A ticket's service level at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaStatus {
    pub policy: String,
    pub targets: Vec<TargetStatus>,
}

impl SlaStatus {
    pub fn breached(&self) -> bool {
        self.targets.iter().any(|t| t.state == State::Breached)
    }
    /// The earliest due time of a target still running (not met, not breached).
    pub fn next_due(&self) -> Option<Timestamp> {
        self.targets
            .iter()
            .filter(|t| matches!(t.state, State::Due | State::Paused))
            .filter_map(|t| t.due)
            .min()
    }
    /// The one word for lists: breached, else due/paused, else met.
    pub fn state(&self) -> State {
        self.targets
            .iter()
            .map(|t| t.state)
            .min()
            .unwrap_or(State::Met)
    }
    pub fn get(&self, target: Target) -> Option<&TargetStatus> {
        self.targets.iter().find(|t| t.target == target)
    }
}

/// The status of every target of `policy` for `clock` at `now`.
pub fn evaluate(policy: &Policy, clock: &Clock, now: i64) -> SlaStatus {
    let cal = policy.calendar();
    let mut targets = Vec::new();
    for (target, span) in [
        (Target::FirstResponse, policy.first_response),
        (Target::Resolution, policy.resolution),
    ] {
        let Some(span) = span else { continue };
        let stop = clock.stop(target);
        let until = stop.unwrap_or(now);
        let pauses = clock.pauses(target, until);
        let elapsed = cal.elapsed(clock.start, until, &pauses);
        let due = cal.due(clock.start, span.secs(), &pauses);
        let state = if elapsed > span.secs() {
            State::Breached
        } else if stop.is_some() {
            State::Met
        } else if clock.paused_at(target, now) {
            State::Paused
        } else {
            State::Due
        };
        targets.push(TargetStatus {
            target,
            state,
            due: due.and_then(|d| Timestamp::from_unix(d).ok()),
            target_minutes: span.minutes(),
            elapsed_minutes: elapsed / 60,
        });
    }
    SlaStatus {
        policy: policy.name.clone(),
        targets,
    }
}

/// The snoozes of a ticket as (from, until), epoch seconds: the ones that ended
/// (`snoozed` in ticket.yaml) and the running one (`snoozed_at` to `snoozed_until`; a file
/// without `snoozed_at`, written by hand, counts from the ticket's last update).
pub fn snoozes_of(t: &super::super::Ticket) -> Vec<(i64, i64)> {
    let unix = |s: &SnoozeSpan| (s.from.unix(), s.to.unix());
    let running = t
        .snoozed_until
        .map(|until| (t.snoozed_at.unwrap_or(t.updated_at).unix(), until.unix()));
    snooze_spans(t.snoozed.iter().map(unix), running)
}

/// Ended snoozes and the running one as the clock's pauses (empty spans dropped).
pub fn snooze_spans(
    past: impl Iterator<Item = (i64, i64)>,
    running: Option<(i64, i64)>,
) -> Vec<(i64, i64)> {
    past.chain(running).filter(|(from, to)| to > from).collect()
}
