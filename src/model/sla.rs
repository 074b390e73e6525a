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

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::id::deserialize_by_parse;
use super::{Date, InvalidValue, Login, Priority, Slug, Timestamp};

/// A length of counted (business) time, written `25m`, `4h`, `1h30m` (hours at most: a
/// "day" of business time would be ambiguous).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Span(i64);
deserialize_by_parse!(Span, "a duration like 25m, 4h or 1h30m");

impl Span {
    pub fn from_secs(secs: i64) -> Span {
        Span(secs)
    }
    pub fn secs(self) -> i64 {
        self.0
    }
    pub fn minutes(self) -> i64 {
        self.0 / 60
    }
}

impl FromStr for Span {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let bad = || {
            InvalidValue(format!(
                "`{s}` is not a duration (like 25m, 4h or 1h30m; whole minutes, hours at most)"
            ))
        };
        let d: jiff::SignedDuration = s.trim().parse().map_err(|_| bad())?;
        let secs = d.as_secs();
        if secs <= 0 || secs % 60 != 0 || d.subsec_nanos() != 0 {
            return Err(bad());
        }
        if secs > 10_000 * 3600 {
            return Err(InvalidValue(format!("`{s}` is longer than 10000 hours")));
        }
        Ok(Span(secs))
    }
}
impl TryFrom<String> for Span {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        s.parse()
    }
}
impl From<Span> for String {
    fn from(s: Span) -> String {
        s.to_string()
    }
}
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m) = (self.0 / 3600, self.0 % 3600 / 60);
        match (h, m) {
            (0, m) => write!(f, "{m}m"),
            (h, 0) => write!(f, "{h}h"),
            (h, m) => write!(f, "{h}h{m}m"),
        }
    }
}

/// An IANA time zone name (`Europe/Berlin`, `UTC`), checked against the system's time zone
/// database when read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "String")]
pub struct Zone {
    name: String,
    tz: TimeZone,
}
deserialize_by_parse!(Zone, "a time zone name like Europe/Berlin");

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
}
impl FromStr for Zone {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let name = s.trim();
        if name == "UTC" {
            return Ok(Zone::utc());
        }
        let tz = TimeZone::get(name).map_err(|_| {
            InvalidValue(format!(
                "`{s}` is not a time zone known to this system (an IANA name like Europe/Berlin)"
            ))
        })?;
        Ok(Zone {
            name: name.to_owned(),
            tz,
        })
    }
}
impl TryFrom<String> for Zone {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        s.parse()
    }
}
impl From<Zone> for String {
    fn from(z: Zone) -> String {
        z.name
    }
}

/// A weekday written `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Day(Weekday);
deserialize_by_parse!(Day, "a weekday (mon, tue, wed, thu, fri, sat, sun)");

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

impl FromStr for Day {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let l = s.trim().to_ascii_lowercase();
        DAYS.iter()
            .find(|(n, _)| l.starts_with(n) && l.len() >= 3)
            .map(|(_, d)| Day(*d))
            .ok_or_else(|| {
                InvalidValue(format!(
                    "`{s}` is not a weekday (mon, tue, wed, thu, fri, sat, sun)"
                ))
            })
    }
}
impl TryFrom<String> for Day {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        s.parse()
    }
}
impl From<Day> for String {
    fn from(d: Day) -> String {
        DAYS.iter()
            .find(|(_, w)| *w == d.0)
            .map_or("mon", |(n, _)| n)
            .to_owned()
    }
}

/// A time of day, `09:00`; `24:00` is the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct ClockTime(u32);
deserialize_by_parse!(ClockTime, "a time of day like 09:00");

impl FromStr for ClockTime {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let bad = || InvalidValue(format!("`{s}` is not a time of day (like 09:00 or 17:30)"));
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(ClockTime(h * 60 + m))
    }
}
impl TryFrom<String> for ClockTime {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        s.parse()
    }
}
impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        format!("{:02}:{:02}", t.0 / 60, t.0 % 60)
    }
}

fn weekdays() -> Vec<Day> {
    DAYS[..5].iter().map(|(_, d)| Day(*d)).collect()
}
fn nine() -> ClockTime {
    ClockTime(9 * 60)
}
fn five() -> ClockTime {
    ClockTime(17 * 60)
}

/// When the clock runs: `days` from `from` to `to`, local time in `time_zone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub time_zone: Zone,
    #[serde(default = "weekdays")]
    pub days: Vec<Day>,
    #[serde(default = "nine")]
    pub from: ClockTime,
    #[serde(default = "five")]
    pub to: ClockTime,
}

/// What the `escalate` pass does to a ticket when a target of its policy is breached
/// (once per target and ticket).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Escalation {
    /// Raise the priority to at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Reassign to this technician.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Login>,
    /// Write an internal note naming the breach (the default).
    #[serde(default = "yes")]
    pub note: bool,
}
fn yes() -> bool {
    true
}

/// One `sla:` entry of `desk.yaml`. The first policy whose queues and priority range match
/// a ticket applies to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    /// The queues it covers; empty = every queue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<Slug>,
    #[serde(default)]
    pub min_priority: Option<Priority>,
    #[serde(default)]
    pub max_priority: Option<Priority>,
    #[serde(default)]
    pub first_response: Option<Span>,
    #[serde(default)]
    pub resolution: Option<Span>,
    /// None: the clock runs around the clock (UTC days for holidays).
    #[serde(default)]
    pub hours: Option<BusinessHours>,
    /// Days the clock does not run (in the policy's time zone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate: Option<Escalation>,
}

impl Policy {
    pub fn covers(&self, queue: &str, priority: u8) -> bool {
        (self.queues.is_empty() || self.queues.iter().any(|q| q.as_str() == queue))
            && self.min_priority.is_none_or(|p| priority >= p.get())
            && self.max_priority.is_none_or(|p| priority <= p.get())
    }

    /// Checks what serde cannot: a name, a target, an opening that ends after it starts.
    pub fn check(&self) -> Result<(), InvalidValue> {
        let name = &self.name;
        if name.trim().is_empty() {
            return Err(InvalidValue("an sla policy needs a name".into()));
        }
        if self.first_response.is_none() && self.resolution.is_none() {
            return Err(InvalidValue(format!(
                "sla policy `{name}` sets neither first_response nor resolution"
            )));
        }
        if let (Some(a), Some(b)) = (self.min_priority, self.max_priority) {
            if a > b {
                return Err(InvalidValue(format!(
                    "sla policy `{name}`: min_priority {a} is above max_priority {b}"
                )));
            }
        }
        if let Some(h) = &self.hours {
            if h.from >= h.to {
                return Err(InvalidValue(format!(
                    "sla policy `{name}`: hours.from {} is not before hours.to {}",
                    String::from(h.from),
                    String::from(h.to)
                )));
            }
            if h.days.is_empty() {
                return Err(InvalidValue(format!(
                    "sla policy `{name}`: hours.days is empty (the clock would never run)"
                )));
            }
        }
        Ok(())
    }

    pub fn calendar(&self) -> Calendar<'_> {
        Calendar {
            hours: self.hours.as_ref(),
            holidays: &self.holidays,
        }
    }
}

/// The policy of a ticket in `queue` with `priority`: the first that covers it.
pub fn policy_for<'a>(policies: &'a [Policy], queue: &str, priority: u8) -> Option<&'a Policy> {
    policies.iter().find(|p| p.covers(queue, priority))
}

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
                if !h.days.iter().any(|d| d.0 == date.weekday()) {
                    return None;
                }
                (&h.time_zone.tz, h.from.0, h.to.0)
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
        let tz = self.hours.map_or(TimeZone::UTC, |h| h.time_zone.tz.clone());
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
    /// A snooze: from, until.
    pub snooze: Option<(i64, i64)>,
}

impl Clock {
    pub fn first_answer(&self) -> Option<i64> {
        self.marks.iter().find(|m| !m.1).map(|m| m.0)
    }

    /// The snooze as a pause: until its end or the customer's next message.
    fn snooze_pause(&self, now: i64) -> Option<(i64, i64)> {
        let (from, until) = self.snooze?;
        let woken = self
            .marks
            .iter()
            .find(|m| m.1 && m.0 > from)
            .map_or(until, |m| m.0.min(until));
        let end = woken.min(now);
        (end > from).then_some((from, end))
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
        v.extend(self.snooze_pause(now));
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

/// An `sla:` search filter: `sla:breached`, `sla:met`, `sla:paused`, `sla:due` (a
/// running target), `sla:due<4h` (due within 4 hours from now, breached ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    State(State),
    DueWithin(i64),
}

impl std::str::FromStr for Filter {
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
#[path = "sla_tests.rs"]
mod tests;

/// `desk.yaml`'s `sla:` list, each policy checked when the file is read (so a bad policy is
/// reported with the file and line).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<Policy>", into = "Vec<Policy>")]
pub struct Policies(pub Vec<Policy>);

impl Policies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn for_ticket(&self, queue: &str, priority: u8) -> Option<&Policy> {
        policy_for(&self.0, queue, priority)
    }
}
impl TryFrom<Vec<Policy>> for Policies {
    type Error = InvalidValue;
    fn try_from(v: Vec<Policy>) -> Result<Self, InvalidValue> {
        for (i, p) in v.iter().enumerate() {
            p.check()?;
            if v[..i].iter().any(|q| q.name == p.name) {
                return Err(InvalidValue(format!(
                    "two sla policies are named `{}`",
                    p.name
                )));
            }
        }
        Ok(Policies(v))
    }
}
impl From<Policies> for Vec<Policy> {
    fn from(p: Policies) -> Vec<Policy> {
        p.0
    }
}

/// Hook for snoozing (`ticket.yaml`'s `snoozed_until`, written by `ticket snooze`): the
/// snooze of a ticket as (from, until). The snooze's start is `snoozed_at` when the file
/// records it, else the ticket's last update (the snooze command's own).
pub fn snooze_of(t: &super::Ticket) -> Option<(Timestamp, Timestamp)> {
    let field = |name: &str| {
        t.extra
            .0
            .iter()
            .find_map(|(path, v)| match (path.as_slice(), v) {
                ([k], super::Value::Str(s)) if k == name => s.parse::<Timestamp>().ok(),
                _ => None,
            })
    };
    let until = field("snoozed_until")?;
    let from = field("snoozed_at").unwrap_or(t.updated_at);
    (until > from).then_some((from, until))
}
