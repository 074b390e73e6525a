//! Time tracked on tickets: an answer or a note may carry the minutes a technician spent
//! (`time:` in the message file), billable to the customer's reseller or not. Totals per
//! ticket, technician, account and reseller are summed from these entries; nothing else
//! records time. Pure.

use serde::{Deserialize, Serialize};

use super::sla::Span;
use super::InvalidValue;

/// The time a message records: `time: {minutes: 25, billable: true}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub minutes: u32,
    #[serde(default)]
    pub billable: bool,
}

/// The most one entry may record (a typo like `2500h` is refused).
pub const MAX_MINUTES: u32 = 24 * 60;

impl TimeEntry {
    /// An entry of `span` (whole minutes, at most a day).
    pub fn new(span: Span, billable: bool) -> Result<TimeEntry, InvalidValue> {
        let minutes = span.minutes();
        if minutes <= 0 || minutes > i64::from(MAX_MINUTES) {
            return Err(InvalidValue(format!(
                "`{span}`: one time entry is between 1m and 24h"
            )));
        }
        Ok(TimeEntry {
            minutes: minutes as u32,
            billable,
        })
    }
}

/// Minutes in all, and the billable part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub minutes: u64,
    pub billable_minutes: u64,
}

impl Totals {
    pub fn add(&mut self, e: &TimeEntry) {
        self.minutes += u64::from(e.minutes);
        if e.billable {
            self.billable_minutes += u64::from(e.minutes);
        }
    }
    pub fn is_zero(&self) -> bool {
        self.minutes == 0
    }
}

/// `1h05m` for lists and reports.
pub fn show_minutes(m: u64) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_totals() {
        let e = TimeEntry::new("25m".parse().unwrap(), true).unwrap();
        let f = TimeEntry::new("1h".parse().unwrap(), false).unwrap();
        let mut t = Totals::default();
        t.add(&e);
        t.add(&f);
        assert_eq!((t.minutes, t.billable_minutes), (85, 25));
        assert_eq!(show_minutes(t.minutes), "1h25m");
        assert!(TimeEntry::new("25h".parse().unwrap(), true).is_err());
    }
}
