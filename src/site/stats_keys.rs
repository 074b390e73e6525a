//! Keys of the statistics reports of past months, so that an incremental build renders a
//! month's page again only when something that month's report is made of changed.
//!
//! Which tickets a month's report reads: every section skips a ticket that started after
//! the range's end, and counts a ticket only through a moment of it inside the range (a
//! message, its creation, its close, an SLA target met or breached) or because it was
//! still open at the range's end. So a ticket is part of a month's key when its span —
//! from its start (or an earlier close, written by hand) to its last moment (its last
//! message, its close, its deletion, the end of a snooze, the due time of an SLA target)
//! — meets the month; a ticket neither closed nor deleted reaches to the end of time.
//!
//! What of such a ticket: what every report reads whatever its range (queue, owner,
//! priority and tags now, its start, whether it was deleted) and its facts up to the
//! month's end — the messages before it, its close if it came before it (else only that
//! the ticket was open then), the snoozes begun before it. Nothing later can change the
//! report: a message, a close or an answer after the end is outside the range, and an
//! SLA target is judged at the range's end (due before it, the later pauses and stops
//! do not move its due time; due after it, it is not counted in the range). So answering
//! a ticket opened two years ago changes this month's report, not the past ones.
//!
//! The history's events count in the month they happened. A past month's report does
//! not depend on the clock; everything else it shows (names, the account → reseller
//! relation, SLA policies) is in the site's shared key, which every page key includes.
//! A month's key is the sum (and a xor, and the count) of 64-bit hashes of its tickets'
//! facts so cut and of its events: one pass over the dataset.

use std::hash::{Hash, Hasher};

use crate::model::stats::{Dataset, EventKind, HistoryEvent, Range, TicketFacts};
use crate::model::Timestamp;

/// Hashes of the items of one month, combined in any order.
#[derive(Default, Clone, Copy)]
struct Acc {
    sum: u64,
    xor: u64,
    count: u64,
}

impl Acc {
    fn add(&mut self, h: u64) {
        self.sum = self.sum.wrapping_add(h);
        self.xor ^= h.rotate_left(17).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.count += 1;
    }
}

/// What of a ticket's facts every report reads whatever its range: the ticket's queue,
/// owner, priority and tags now, its start, and whether it was deleted.
fn hash_static(t: &TicketFacts) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    "ticket".hash(&mut h);
    t.id.hash(&mut h);
    t.queue.as_str().hash(&mut h);
    t.account.as_ref().map(|a| a.as_str()).hash(&mut h);
    t.priority.hash(&mut h);
    t.created_at.hash(&mut h);
    t.start().hash(&mut h);
    t.deleted_at.is_some().hash(&mut h);
    t.tags.len().hash(&mut h);
    for tag in &t.tags {
        tag.as_str().hash(&mut h);
    }
    h.finish()
}

/// The hashes of the thread's first 0, 1, 2, … messages (they are in time order).
/// (A thread out of order, which the dataset never holds, is taken whole at every month:
/// a key that changes too often, never one that stays when it should change.)
fn message_prefixes(t: &TicketFacts) -> Vec<u64> {
    let mut out = Vec::with_capacity(t.messages.len() + 1);
    let mut prev = 0u64;
    out.push(prev);
    for m in &t.messages {
        let mut h = std::hash::DefaultHasher::new();
        prev.hash(&mut h);
        m.at.hash(&mut h);
        m.kind.hash(&mut h);
        m.author.hash(&mut h);
        m.time.map(|e| (e.minutes, e.billable)).hash(&mut h);
        prev = h.finish();
        out.push(prev);
    }
    out
}

/// A ticket's facts as a report for a range ending at `end` reads them (see the module
/// docs): what never depends on the range, the messages before `end`, the close if it
/// came before `end` (else only that the ticket was open then), the deletion if before
/// `end`, the snoozes begun before `end`.
fn hash_until(t: &TicketFacts, fixed: u64, prefixes: &[u64], end: Timestamp) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    fixed.hash(&mut h);
    let k = if t.messages.is_sorted_by_key(|m| m.at) {
        t.messages.partition_point(|m| m.at < end)
    } else {
        t.messages.len()
    };
    prefixes[k].hash(&mut h);
    match t.closed_at.filter(|c| *c < end) {
        Some(c) => (1u8, c, &t.closed_by).hash(&mut h),
        None => 0u8.hash(&mut h),
    }
    t.deleted_at.filter(|d| *d < end).hash(&mut h);
    let end = end.unix();
    for s in t.snoozes.iter().filter(|(from, _)| *from < end) {
        s.hash(&mut h);
    }
    h.finish()
}

fn hash_event(e: &HistoryEvent) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    "event".hash(&mut h);
    e.at.hash(&mut h);
    e.ticket.hash(&mut h);
    e.actor.hash(&mut h);
    match &e.kind {
        EventKind::Assigned { to } => ("assigned", to.as_str()).hash(&mut h),
        EventKind::Released => "released".hash(&mut h),
        EventKind::Deleted => "deleted".hash(&mut h),
        EventKind::Merged => "merged".hash(&mut h),
    }
    h.finish()
}

/// The moments a ticket's facts span, in seconds since the epoch (see the module docs).
fn span(t: &TicketFacts, data: &Dataset, now: Timestamp) -> (i64, i64) {
    let start = t.start().unix();
    let lo = t.closed_at.map_or(start, |c| c.unix().min(start));
    if t.deleted_at.is_none() && t.closed_at.is_none() {
        return (lo, i64::MAX);
    }
    let mut hi = t.created_at.unix().max(start);
    for at in [t.closed_at, t.deleted_at].into_iter().flatten() {
        hi = hi.max(at.unix());
    }
    for m in &t.messages {
        hi = hi.max(m.at.unix());
    }
    for (from, to) in &t.snoozes {
        hi = hi.max(*from).max(*to);
    }
    if t.deleted_at.is_none() {
        if let Some(policy) = data.sla.for_ticket(t.queue.as_str(), t.priority) {
            // Judged later (more pauses counted), a target is due later: `now` bounds
            // every earlier judgement.
            let clock = crate::model::stats::service::clock(t);
            for target in crate::model::sla::evaluate(policy, &clock, now.unix()).targets {
                if let Some(due) = target.due {
                    hi = hi.max(due.unix());
                }
            }
        }
    }
    (lo, hi)
}

/// A key per range of `ranges` (months, in order, not overlapping) that changes whenever
/// the report of that range may.
pub fn month_keys(data: &Dataset, ranges: &[Range], now: Timestamp) -> Vec<String> {
    let bounds: Vec<(i64, i64)> = ranges
        .iter()
        .map(|r| (r.start().unix(), r.end().unix()))
        .collect();
    let mut accs = vec![Acc::default(); ranges.len()];
    // The first range ending after `at`.
    let first_after = |at: i64| bounds.partition_point(|(_, end)| *end <= at);
    for t in &data.tickets {
        let (lo, hi) = span(t, data, now);
        let first = first_after(lo);
        if first >= bounds.len() || bounds[first].0 > hi {
            continue;
        }
        let fixed = hash_static(t);
        let prefixes = message_prefixes(t);
        for i in first..bounds.len() {
            if bounds[i].0 > hi {
                break;
            }
            accs[i].add(hash_until(t, fixed, &prefixes, ranges[i].end()));
        }
    }
    for e in &data.events {
        let at = e.at.unix();
        let i = first_after(at);
        if i < bounds.len() && bounds[i].0 <= at {
            accs[i].add(hash_event(e));
        }
    }
    ranges
        .iter()
        .zip(accs)
        .map(|(r, a)| {
            format!(
                "{}..{} {} {:016x} {:016x} {}",
                r.first(),
                r.last(),
                data.history,
                a.sum,
                a.xor,
                a.count
            )
        })
        .collect()
}
