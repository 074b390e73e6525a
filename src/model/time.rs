//! Points in time and calendar dates as the desk stores them: RFC 3339 in UTC with second
//! precision (`2026-11-27T17:45:01Z`) and ISO dates (`2026-12-01`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::id::{deserialize_by_parse, InvalidValue};

/// An instant, stored and shown in UTC with whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Timestamp(jiff::Timestamp);
deserialize_by_parse!(Timestamp, "an RFC 3339 time");

impl Timestamp {
    pub fn from_unix(secs: i64) -> Result<Self, InvalidValue> {
        jiff::Timestamp::from_second(secs)
            .map(Timestamp)
            .map_err(|e| InvalidValue(format!("time out of range: {e}")))
    }
    pub fn unix(self) -> i64 {
        self.0.as_second()
    }
    /// `YYYYMMDDTHHMMSSZ`, the form used at the start of keys.
    pub fn compact(self) -> String {
        self.0.strftime("%Y%m%dT%H%M%SZ").to_string()
    }
    pub fn date(self) -> Date {
        Date(self.0.to_zoned(jiff::tz::TimeZone::UTC).date())
    }
    pub fn plus_seconds(self, secs: i64) -> Self {
        Timestamp::from_unix(self.unix().saturating_add(secs)).unwrap_or(self)
    }
    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    pub fn seconds_since(self, earlier: Timestamp) -> i64 {
        self.unix() - earlier.unix()
    }
}

impl FromStr for Timestamp {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let t: jiff::Timestamp = s.trim().parse().map_err(|_| {
            InvalidValue(format!(
                "`{s}` is not an RFC 3339 time (like 2026-11-27T17:45:01Z)"
            ))
        })?;
        // Whole seconds: what the files hold and what commits can record.
        Timestamp::from_unix(t.as_second())
    }
}
impl TryFrom<String> for Timestamp {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        s.parse()
    }
}
impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.to_string()
    }
}
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%SZ"))
    }
}

/// A calendar date (task due dates, report ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Date(jiff::civil::Date);
deserialize_by_parse!(Date, "a date (YYYY-MM-DD)");

impl Date {
    /// The first instant of this day, UTC.
    pub fn start(self) -> Timestamp {
        let ts = self
            .0
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        Timestamp(ts)
    }
    /// The first instant of the next day, UTC (an exclusive end).
    pub fn end(self) -> Timestamp {
        self.start().plus_seconds(86_400)
    }
    pub fn plus_days(self, days: i64) -> Date {
        self.0
            .checked_add(jiff::Span::new().days(days))
            .map(Date)
            .unwrap_or(self)
    }
}

impl FromStr for Date {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        s.trim()
            .parse::<jiff::civil::Date>()
            .map(Date)
            .map_err(|_| InvalidValue(format!("`{s}` is not a date (like 2026-12-01)")))
    }
}
impl TryFrom<String> for Date {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        s.parse()
    }
}
impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_in_utc() {
        let t: Timestamp = "2026-11-27T18:45:01+01:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-27T17:45:01Z");
        assert_eq!(t.compact(), "20261127T174501Z");
        assert_eq!(t.date().to_string(), "2026-11-27");
        assert!("yesterday".parse::<Timestamp>().is_err());
        assert!("2026-13-01T00:00:00Z".parse::<Timestamp>().is_err());
    }

    #[test]
    fn dates() {
        let d: Date = "2026-12-01".parse().unwrap();
        assert_eq!(d.start().to_string(), "2026-12-01T00:00:00Z");
        assert_eq!(d.end().to_string(), "2026-12-02T00:00:00Z");
        assert_eq!(d.plus_days(31).to_string(), "2027-01-01");
        assert!("2026-02-30".parse::<Date>().is_err());
    }
}
