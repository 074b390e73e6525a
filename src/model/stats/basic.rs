//! "Basic Stats": general activity of the desk in the range, in total and per queue (the
//! ticket's queue now), and the per-day series for charts. Deleted tickets are left out
//! (the guide: deleting removes a ticket permanently); how many were deleted or merged in
//! the range comes from history.
//! - new tickets: `created_at` in the range;
//! - customer messages, answers, notes: messages of that kind dated in the range;
//! - closed: the ticket is resolved or closed and its `closed_at` is in the range
//!   (`closed_automatically` when `closed_by` is `autoclose`);
//! - open at end: created before the end of the range and not resolved or closed before
//!   it.
//!
//! Per tag: the same counts for the tickets carrying each tag now (a ticket with two tags
//! counts under both).

use std::collections::BTreeMap;

use super::{
    BasicCounts, BasicStats, Dataset, DayStats, EventKind, MessageKind, QueueStats, Range,
    TagStats, TicketFacts, AUTOCLOSE,
};
use crate::model::Slug;

/// The counts one ticket adds.
fn counts(t: &TicketFacts, range: Range) -> BasicCounts {
    let mut c = BasicCounts {
        new_tickets: range.contains(t.created_at) as u64,
        ..BasicCounts::default()
    };
    for m in t.messages.iter().filter(|m| range.contains(m.at)) {
        match m.kind {
            MessageKind::Customer => c.customer_messages += 1,
            MessageKind::Answer => c.answers += 1,
            MessageKind::Note => c.notes += 1,
            MessageKind::Autoresponse => {}
        }
    }
    if t.closed_at.is_some_and(|at| range.contains(at)) {
        c.closed = 1;
        c.closed_automatically = (t.closed_by.as_deref() == Some(AUTOCLOSE)) as u64;
    }
    let closed_before_end = t.closed_at.is_some_and(|at| at < range.end());
    c.open_at_end = (t.created_at < range.end() && !closed_before_end) as u64;
    c
}

fn add(into: &mut BasicCounts, c: &BasicCounts) {
    into.new_tickets += c.new_tickets;
    into.customer_messages += c.customer_messages;
    into.answers += c.answers;
    into.notes += c.notes;
    into.closed += c.closed;
    into.closed_automatically += c.closed_automatically;
    into.open_at_end += c.open_at_end;
}

pub fn compute(data: &Dataset, range: Range) -> BasicStats {
    let mut queues: BTreeMap<Slug, QueueStats> = data
        .directory
        .queues
        .iter()
        .map(|(slug, name)| {
            let q = QueueStats {
                queue: slug.clone(),
                name: Some(name.clone()),
                counts: BasicCounts::default(),
            };
            (slug.clone(), q)
        })
        .collect();
    let mut tags: BTreeMap<crate::model::Tag, BasicCounts> = BTreeMap::new();
    let mut total = BasicCounts::default();
    for t in data.tickets.iter().filter(|t| !t.is_deleted()) {
        if t.start() >= range.end() {
            continue;
        }
        let c = counts(t, range);
        if c == BasicCounts::default() {
            continue;
        }
        add(&mut total, &c);
        let q = queues.entry(t.queue.clone()).or_insert_with(|| QueueStats {
            queue: t.queue.clone(),
            name: None,
            counts: BasicCounts::default(),
        });
        add(&mut q.counts, &c);
        for tag in &t.tags {
            add(tags.entry(tag.clone()).or_default(), &c);
        }
    }
    let in_range = |k: fn(&EventKind) -> bool| {
        data.events
            .iter()
            .filter(|e| k(&e.kind) && range.contains(e.at))
            .count() as u64
    };
    BasicStats {
        total,
        deleted: in_range(|k| *k == EventKind::Deleted),
        merged: in_range(|k| *k == EventKind::Merged),
        per_queue: queues.into_values().collect(),
        per_tag: tags
            .into_iter()
            .map(|(tag, counts)| TagStats { tag, counts })
            .collect(),
    }
}

/// Tickets opened and closed, customer messages and answers per day (deleted tickets left
/// out, as in [`compute`]).
pub fn daily(data: &Dataset, range: Range) -> Vec<DayStats> {
    let mut days: Vec<DayStats> = (0..range.days())
        .map(|i| DayStats {
            date: range.first().plus_days(i),
            opened: 0,
            closed: 0,
            customer_messages: 0,
            answers: 0,
        })
        .collect();
    for t in data.tickets.iter().filter(|t| !t.is_deleted()) {
        if t.start() >= range.end() {
            continue;
        }
        if range.contains(t.created_at) {
            days[range.day_of(t.created_at)].opened += 1;
        }
        if let Some(at) = t.closed_at.filter(|at| range.contains(*at)) {
            days[range.day_of(at)].closed += 1;
        }
        for m in t.messages.iter().filter(|m| range.contains(m.at)) {
            match m.kind {
                MessageKind::Customer => days[range.day_of(m.at)].customer_messages += 1,
                MessageKind::Answer => days[range.day_of(m.at)].answers += 1,
                _ => {}
            }
        }
    }
    days
}
