//! "Per Admin Stats": what each technician did in the range. Every ticket counts here,
//! deleted ones included (the work was done before the deletion):
//! - picked up / assigned / released: history events in the range (`ticket.pickup`,
//!   `ticket.assign`, `ticket.release`, mass actions). Assigning a ticket to oneself is a
//!   pick-up; "assigned" counts tickets someone else assigned to the technician.
//! - answers, notes: messages of that kind and author dated in the range.
//! - closed: tickets whose latest resolve/close is in the range with `closed_by` = login.
//! - first response: tickets whose first answer was theirs and was sent in the range.
//!
//! Rows: every staff member (idle ones too) and any other login that did something (a
//! former technician), sorted by login.

use std::collections::BTreeMap;

use super::{AdminStats, Dataset, DurationStats, EventKind, MessageKind, Range};

pub fn compute(data: &Dataset, range: Range) -> Vec<AdminStats> {
    let mut rows: BTreeMap<String, AdminStats> = data
        .directory
        .staff
        .iter()
        .map(|(login, name)| {
            let row = AdminStats {
                login: login.clone(),
                name: Some(name.clone()),
                ..AdminStats::default()
            };
            (login.clone(), row)
        })
        .collect();
    let mut first: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    fn row<'a>(rows: &'a mut BTreeMap<String, AdminStats>, login: &str) -> &'a mut AdminStats {
        rows.entry(login.to_owned()).or_insert_with(|| AdminStats {
            login: login.to_owned(),
            ..AdminStats::default()
        })
    }

    for t in &data.tickets {
        if t.start() >= range.end() {
            continue;
        }
        for m in t.messages.iter().filter(|m| range.contains(m.at)) {
            let Some(author) = &m.author else { continue };
            match m.kind {
                MessageKind::Answer => row(&mut rows, author).answers += 1,
                MessageKind::Note => row(&mut rows, author).notes += 1,
                _ => {}
            }
        }
        if let (Some(at), Some(by)) = (t.closed_at, &t.closed_by) {
            if range.contains(at) && by != super::AUTOCLOSE {
                row(&mut rows, by).closed += 1;
            }
        }
        if let Some((m, secs)) = t.first_response() {
            if let (true, Some(author)) = (range.contains(m.at), &m.author) {
                first.entry(author.clone()).or_default().push(secs);
            }
        }
    }

    for e in data.events.iter().filter(|e| range.contains(e.at)) {
        let actor = e.actor.as_deref();
        match (&e.kind, actor) {
            (EventKind::Assigned { to }, Some(by)) if by == to => row(&mut rows, to).picked_up += 1,
            (EventKind::Assigned { to }, _) => row(&mut rows, to).assigned += 1,
            (EventKind::Released, Some(by)) => row(&mut rows, by).released += 1,
            _ => {}
        }
    }

    for (login, times) in first {
        row(&mut rows, &login).first_response = DurationStats::of(times);
    }
    rows.into_values().collect()
}
