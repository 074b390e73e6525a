//! Ticket statistics ("Ticket Statistics": Per Admin Stats, Basic Stats, Ticket System
//! Averages, Reseller Support Stats) counted from plain facts. Pure: `ops::stats` gathers a
//! [`Dataset`] — one [`TicketFacts`] per ticket (queue, owner, creation and close, and the
//! time, kind and author of every message) plus the [`HistoryEvent`]s only the commit
//! history holds (pick-ups, assignments, releases, deletions, merges) — and [`compute`]
//! turns it into a [`StatsReport`] for a [`Range`] of whole UTC days.
//!
//! Where each figure comes from, and how deleted and merged tickets count, is spelled out
//! on each section ([`admin`], [`basic`], [`averages`], [`resellers`]); in short:
//! - Message counts, first responses and closes come from the ticket data: the messages'
//!   `at`/`kind`/`author`, and `created_at`, `closed_at`, `closed_by` of `ticket.yaml`.
//!   A ticket closes once in the figures: at its latest close, and only while it is still
//!   resolved or closed (a reopened ticket counts again when it is closed again).
//! - Pick-ups, assignments and releases come from the commit trailers.
//! - A deleted ticket is gone "permanently" as the guide says: it is left out of the
//!   desk-wide sections and of billing, but what technicians did on it before the deletion
//!   still counts in Per Admin Stats (its last state is read back from history).
//! - A merged-away ticket's messages live on in the target (with their own times and
//!   authors), so they count once, there; the merged-away ticket itself is not counted
//!   again. Basic Stats shows how many tickets were deleted and merged in the range.

pub mod admin;
pub mod averages;
pub mod basic;
pub mod durations;
pub mod report;
pub mod resellers;
pub mod service;

use std::collections::BTreeMap;

pub use durations::{DurationStats, HistogramBucket};
pub use report::{
    AdminStats, Averages, BasicCounts, BasicStats, DayStats, QueueStats, ResellerStats,
    StatsReport, TagStats, Within,
};

use super::{InvalidValue, Login, MessageKind, Reseller, Slug, Tag, Ticket, TicketId, Timestamp};
use crate::model::Date;

/// One message of a thread, as far as statistics care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFact {
    pub at: Timestamp,
    pub kind: MessageKind,
    /// The staff login of an answer or a note; none for customer messages and
    /// auto-responses (whose author is an address).
    pub author: Option<String>,
    /// The time an answer or a note records.
    pub time: Option<crate::model::TimeEntry>,
}

impl MessageFact {
    pub fn new(at: Timestamp, kind: MessageKind, author: &str) -> MessageFact {
        let staff = matches!(kind, MessageKind::Answer | MessageKind::Note);
        MessageFact {
            at,
            kind,
            author: staff.then(|| author.to_owned()),
            time: None,
        }
    }
    /// With the time it records (kept on answers and notes only).
    pub fn with_time(mut self, time: Option<crate::model::TimeEntry>) -> MessageFact {
        self.time = time.filter(|_| self.author.is_some());
        self
    }
}

/// What statistics need of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub id: TicketId,
    pub queue: Slug,
    pub account: Option<Login>,
    /// Its priority now (which SLA policy covers it).
    pub priority: u8,
    pub created_at: Timestamp,
    /// When it was (last) resolved or closed; none while it is not resolved or closed.
    pub closed_at: Option<Timestamp>,
    /// A staff login, or `autoclose`.
    pub closed_by: Option<String>,
    /// Chronological.
    pub messages: Vec<MessageFact>,
    /// For a ticket read back from history: when it was deleted.
    pub deleted_at: Option<Timestamp>,
    /// Its snoozes (ended and running) as the SLA clock's pauses, epoch seconds.
    pub snoozes: Vec<(i64, i64)>,
    /// The ticket's tags now (Basic Stats per tag).
    pub tags: Vec<Tag>,
}

/// `closed_by` of tickets closed by the auto-close rule.
pub use super::lifecycle::AUTOCLOSE;

impl TicketFacts {
    /// The facts of a ticket and its thread. A resolved or closed ticket without
    /// `closed_at` (a hand edit) is taken as closed at its last update.
    pub fn from_ticket(t: &Ticket, mut messages: Vec<MessageFact>) -> TicketFacts {
        messages.sort_by_key(|m| m.at);
        let closed_at = t
            .status
            .is_done()
            .then(|| t.closed_at.unwrap_or(t.updated_at));
        TicketFacts {
            id: t.id,
            queue: t.queue.clone(),
            account: t.account.clone(),
            priority: t.priority.get(),
            created_at: t.created_at,
            closed_by: closed_at.and(t.closed_by.clone()),
            closed_at,
            messages,
            deleted_at: None,
            snoozes: crate::model::sla::snoozes_of(t),
            tags: t.tags.clone(),
        }
    }

    /// When the customer began to wait: the creation, or an earlier message (a thread
    /// merged in from an older ticket).
    pub fn start(&self) -> Timestamp {
        match self.messages.first() {
            Some(m) if m.at < self.created_at => m.at,
            _ => self.created_at,
        }
    }

    /// The first answer of the thread (auto-responses and notes are not answers).
    pub fn first_answer(&self) -> Option<&MessageFact> {
        self.messages.iter().find(|m| m.kind == MessageKind::Answer)
    }

    /// Seconds from the start to the first answer.
    pub fn first_response(&self) -> Option<(&MessageFact, i64)> {
        self.first_answer()
            .map(|m| (m, m.at.seconds_since(self.start()).max(0)))
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// What happened to a ticket that only the commit history records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// Assigned to `to` (by the actor; a pick-up when the actor is `to`).
    Assigned { to: String },
    /// Released back to nobody by the actor.
    Released,
    /// Deleted (alone, in a mass action, or with its queue).
    Deleted,
    /// Merged into another ticket (and so deleted).
    Merged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    /// The commit's author time.
    pub at: Timestamp,
    pub ticket: TicketId,
    /// `Desk-Actor`.
    pub actor: Option<String>,
    pub kind: EventKind,
}

/// The owner side of a ticket: which reseller an account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountFacts {
    pub reseller: Option<Login>,
    pub created_at: Option<Timestamp>,
}

/// The names the report shows, and the account → reseller relation.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Staff login and display name.
    pub staff: Vec<(String, String)>,
    /// Queue slug and name.
    pub queues: Vec<(Slug, String)>,
    pub accounts: BTreeMap<Login, AccountFacts>,
    pub resellers: Vec<Reseller>,
}

impl Directory {
    /// The reseller whose end user owns `account`, if any.
    pub fn reseller_of(&self, account: Option<&Login>) -> Option<&Login> {
        self.accounts.get(account?)?.reseller.as_ref()
    }
}

/// Everything statistics are computed from.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The tickets of the desk, and deleted ones read back from history
    /// ([`TicketFacts::deleted_at`] set).
    pub tickets: Vec<TicketFacts>,
    pub events: Vec<HistoryEvent>,
    pub directory: Directory,
    /// Whether the commit history was read (false for a plain directory: no pick-ups,
    /// assignments, releases, deletions or merges are known).
    pub history: bool,
    /// Files that could not be read (they are left out of the figures).
    pub problems: Vec<String>,
    /// The desk's SLA policies (for the share of targets met).
    pub sla: super::sla::Policies,
    /// The moment of asking: running SLA targets breach by then (none: by the end of the
    /// range).
    pub now: Option<Timestamp>,
}

impl Dataset {
    /// The first day anything happened (for "all time"); none for an empty desk.
    pub fn first_day(&self) -> Option<Date> {
        let tickets = self.tickets.iter().map(TicketFacts::start);
        let events = self.events.iter().map(|e| e.at);
        tickets.chain(events).min().map(Timestamp::date)
    }
}

/// Whole UTC days, `first` to `last` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    first: Date,
    last: Date,
    start: Timestamp,
    end: Timestamp,
}

impl Range {
    pub fn new(first: Date, last: Date) -> Result<Range, InvalidValue> {
        if first > last {
            return Err(InvalidValue(format!(
                "the range starts ({first}) after it ends ({last})"
            )));
        }
        Ok(Range {
            first,
            last,
            start: first.start(),
            end: last.end(),
        })
    }
    /// The `days` days ending with `last`.
    pub fn ending(last: Date, days: i64) -> Range {
        let first = last.plus_days(1 - days.max(1));
        Range {
            first,
            last,
            start: first.start(),
            end: last.end(),
        }
    }
    pub fn first(&self) -> Date {
        self.first
    }
    pub fn last(&self) -> Date {
        self.last
    }
    /// The first instant.
    pub fn start(&self) -> Timestamp {
        self.start
    }
    /// The instant after the last (exclusive).
    pub fn end(&self) -> Timestamp {
        self.end
    }
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }
    pub fn days(&self) -> i64 {
        self.end.seconds_since(self.start) / 86_400
    }
    /// The day index of `t` (0 = the first day); `t` must be in the range.
    pub fn day_of(&self, t: Timestamp) -> usize {
        (t.seconds_since(self.start) / 86_400) as usize
    }
}

/// The whole report for `range`.
pub fn compute(data: &Dataset, range: Range) -> StatsReport {
    let (averages, histogram) = averages::compute(data, range);
    StatsReport {
        from: range.first(),
        to: range.last(),
        days: range.days(),
        history: data.history,
        per_admin: admin::compute(data, range),
        basic: basic::compute(data, range),
        averages,
        resellers: resellers::compute(data, range),
        daily: basic::daily(data, range),
        first_response_histogram: histogram,
        service: service::compute(data, range),
        time: service::time(data, range),
        problems: data.problems.clone(),
    }
}

#[cfg(test)]
mod tests;
