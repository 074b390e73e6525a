//! The statistics report: plain serialisable figures for the CLI, `--json` and the site's
//! statistics pages. Durations are whole seconds; dates are UTC days.

use serde::Serialize;

use super::durations::{DurationStats, HistogramBucket};
use crate::model::{Date, Slug};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    pub from: Date,
    pub to: Date,
    pub days: i64,
    /// Whether the commit history was read; without it (a plain directory) pick-ups,
    /// assignments, releases, deletions and merges are not known and show as 0.
    pub history: bool,
    pub per_admin: Vec<AdminStats>,
    pub basic: BasicStats,
    pub averages: Averages,
    pub resellers: Vec<ResellerStats>,
    /// One entry per day of the range, for charts.
    pub daily: Vec<DayStats>,
    /// First-response times of the tickets first answered in the range.
    pub first_response_histogram: Vec<HistogramBucket>,
    /// SLA targets met and breached in the range, per queue and technician.
    pub service: super::service::ServiceStats,
    /// Time logged in the range, per ticket, technician, account and reseller.
    pub time: super::service::TimeStats,
    /// Files that could not be read and are left out.
    pub problems: Vec<String>,
}

/// "Per Admin Stats": one technician's activity in the range.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AdminStats {
    pub login: String,
    /// The display name; none for a login that is no longer on the staff.
    pub name: Option<String>,
    /// Tickets they picked up (or assigned to themselves).
    pub picked_up: u64,
    /// Tickets someone else assigned to them.
    pub assigned: u64,
    /// Tickets they released back to nobody.
    pub released: u64,
    /// Answers they sent.
    pub answers: u64,
    /// Internal notes they wrote.
    pub notes: u64,
    /// Tickets they resolved or closed.
    pub closed: u64,
    /// First-response times of the tickets whose first answer they sent in the range.
    pub first_response: DurationStats,
}

impl AdminStats {
    /// Whether anything at all was counted.
    pub fn is_idle(&self) -> bool {
        self.picked_up + self.assigned + self.released + self.answers + self.notes + self.closed
            == 0
    }
}

/// Counts of "Basic Stats", for the whole desk or one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BasicCounts {
    /// Tickets created in the range.
    pub new_tickets: u64,
    pub customer_messages: u64,
    pub answers: u64,
    pub notes: u64,
    /// Tickets whose (latest) resolve or close fell in the range.
    pub closed: u64,
    /// Of those, closed by the auto-close rule.
    pub closed_automatically: u64,
    /// Tickets neither resolved nor closed at the end of the range.
    pub open_at_end: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub queue: Slug,
    /// None for a queue that no longer exists.
    pub name: Option<String>,
    #[serde(flatten)]
    pub counts: BasicCounts,
}

/// "Basic Stats": general activity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BasicStats {
    #[serde(flatten)]
    pub total: BasicCounts,
    /// Tickets deleted in the range (from history).
    pub deleted: u64,
    /// Tickets merged into another in the range (from history).
    pub merged: u64,
    pub per_queue: Vec<QueueStats>,
    /// The same counts per tag a ticket carries now (a ticket counts under each of its
    /// tags); only tags with something to count, by name.
    pub per_tag: Vec<TagStats>,
}

/// Counts of "Basic Stats" for the tickets carrying one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagStats {
    pub tag: crate::model::Tag,
    #[serde(flatten)]
    pub counts: BasicCounts,
}

/// Share of first responses within a number of hours.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Within {
    pub hours: u32,
    pub count: u64,
    /// The tickets first answered in the range.
    pub of: u64,
    /// count / of; none when nothing was answered.
    pub share: Option<f64>,
}

/// "Ticket System Averages".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Averages {
    /// From the start of each ticket first answered in the range to that first answer.
    pub first_response: DurationStats,
    /// From the start of each ticket closed in the range to its close.
    pub resolution: DurationStats,
    /// Answers per ticket closed in the range (its whole thread up to the close).
    pub answers_per_ticket: Option<f64>,
    /// Customer messages and answers per ticket closed in the range.
    pub messages_per_ticket: Option<f64>,
    /// Shares of first responses within 1, 4 and 24 hours.
    pub answered_within: Vec<Within>,
    /// Tickets created in the range still without an answer at its end.
    pub unanswered: u64,
}

/// "Reseller Support Stats": one reseller's end users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResellerStats {
    pub login: String,
    /// None for a reseller named by accounts but without a reseller file.
    pub name: Option<String>,
    /// Tickets created in the range by the reseller's customers.
    pub tickets: u64,
    /// Distinct customers (accounts) among those tickets.
    pub customers: u64,
    /// Customer messages in the range on the reseller's customers' tickets.
    pub customer_messages: u64,
    /// Answers sent in the range on them.
    pub answers: u64,
    /// The reseller's accounts that existed by the end of the range (all of them,
    /// with tickets or not: the "total customer count").
    pub accounts: u64,
    /// Minutes logged in the range on their customers' tickets, and the billable part.
    pub minutes: u64,
    pub billable_minutes: u64,
}

/// One day of the range, for charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayStats {
    pub date: Date,
    pub opened: u64,
    pub closed: u64,
    pub customer_messages: u64,
    pub answers: u64,
}
