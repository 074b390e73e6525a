//! The policy side of service levels as `desk.yaml` writes it: durations of counted time,
//! time zones, weekdays, times of day, business hours, escalation rules and the policies
//! themselves, each value checked when the file is read.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::super::id::deserialize_by_parse;
use super::super::{Date, InvalidValue, Login, Priority, Slug};
use super::Calendar;

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
    pub fn tz(&self) -> &TimeZone {
        &self.tz
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

impl Day {
    pub fn weekday(self) -> Weekday {
        self.0
    }
}

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

impl ClockTime {
    /// Minutes since midnight (1440 = the end of the day).
    pub fn minutes(self) -> u32 {
        self.0
    }
}

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
        Calendar::new(self.hours.as_ref(), &self.holidays)
    }
}

/// The policy of a ticket in `queue` with `priority`: the first that covers it.
pub fn policy_for<'a>(policies: &'a [Policy], queue: &str, priority: u8) -> Option<&'a Policy> {
    policies.iter().find(|p| p.covers(queue, priority))
}

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
