//! Compact rows for the statistics caches: a ticket's facts as a JSON array of numbers,
//! with every name (queue, account, staff login) interned in one table per file.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::stats::{MessageFact, TicketFacts};
use crate::model::{Login, MessageKind, Slug, TicketId, TimeEntry, Timestamp};

/// Names interned while writing: 0 = none, n = `list[n - 1]`.
#[derive(Default)]
pub struct Names {
    pub list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    pub fn put(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return 0 };
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        self.list.push(s.to_owned());
        let i = self.list.len() as u32;
        self.index.insert(s.to_owned(), i);
        i
    }
}

/// Names while reading, parsed once into each type they are used as.
pub struct Lookup {
    names: Vec<String>,
    slugs: Vec<Option<Slug>>,
    logins: Vec<Option<Login>>,
}

impl Lookup {
    pub fn new(names: Vec<String>) -> Lookup {
        let slugs = names.iter().map(|n| n.parse().ok()).collect();
        let logins = names.iter().map(|n| n.parse().ok()).collect();
        Lookup {
            names,
            slugs,
            logins,
        }
    }
    /// `Some(None)` for 0, `None` for an index out of range.
    pub fn text(&self, i: u32) -> Option<Option<String>> {
        match i {
            0 => Some(None),
            i => self.names.get(i as usize - 1).map(|s| Some(s.clone())),
        }
    }
    pub fn slug(&self, i: u32) -> Option<Slug> {
        self.slugs.get((i as usize).checked_sub(1)?)?.clone()
    }
    pub fn login(&self, i: u32) -> Option<Option<Login>> {
        match i {
            0 => Some(None),
            i => self.logins.get(i as usize - 1)?.clone().map(Some),
        }
    }
}

/// One ticket: id, queue, account, created, closed, closed by, messages (at, kind,
/// author, time: 0 none, +minutes billable, -minutes not), deleted, priority, snoozes,
/// tags.
#[derive(Serialize, Deserialize)]
pub struct Row(
    u64,
    u32,
    u32,
    i64,
    Option<i64>,
    u32,
    Vec<(i64, u8, u32, i32)>,
    Option<i64>,
    u8,
    Vec<(i64, i64)>,
    Vec<u32>,
);

const KINDS: [MessageKind; 4] = [
    MessageKind::Customer,
    MessageKind::Answer,
    MessageKind::Note,
    MessageKind::Autoresponse,
];

pub fn encode(t: &TicketFacts, n: &mut Names) -> Row {
    let messages = t
        .messages
        .iter()
        .map(|m| {
            let kind = KINDS.iter().position(|k| *k == m.kind).unwrap_or(0) as u8;
            let time = m.time.map_or(0, |e| {
                let v = e.minutes as i32;
                if e.billable {
                    v
                } else {
                    -v
                }
            });
            (m.at.unix(), kind, n.put(m.author.as_deref()), time)
        })
        .collect();
    Row(
        t.id.get(),
        n.put(Some(t.queue.as_str())),
        n.put(t.account.as_ref().map(Login::as_str)),
        t.created_at.unix(),
        t.closed_at.map(Timestamp::unix),
        n.put(t.closed_by.as_deref()),
        messages,
        t.deleted_at.map(Timestamp::unix),
        t.priority,
        t.snoozes.clone(),
        t.tags.iter().map(|x| n.put(Some(x.as_str()))).collect(),
    )
}

pub fn time(secs: i64) -> Option<Timestamp> {
    Timestamp::from_unix(secs).ok()
}

/// None when the row does not make sense (then the ticket is read again).
pub fn decode(r: &Row, l: &Lookup) -> Option<TicketFacts> {
    let mut messages = Vec::with_capacity(r.6.len());
    for (at, kind, author, minutes) in &r.6 {
        messages.push(MessageFact {
            at: time(*at)?,
            kind: *KINDS.get(*kind as usize)?,
            author: l.text(*author)?,
            time: (*minutes != 0).then(|| TimeEntry {
                minutes: minutes.unsigned_abs(),
                billable: *minutes > 0,
            }),
        });
    }
    Some(TicketFacts {
        id: TicketId::new(r.0).ok()?,
        queue: l.slug(r.1)?,
        account: l.login(r.2)?,
        priority: r.8,
        created_at: time(r.3)?,
        closed_at: match r.4 {
            Some(s) => Some(time(s)?),
            None => None,
        },
        closed_by: l.text(r.5)?,
        messages,
        deleted_at: match r.7 {
            Some(s) => Some(time(s)?),
            None => None,
        },
        snoozes: r.9.clone(),
        tags: r
            .10
            .iter()
            .map(|i| l.text(*i)?.and_then(|s| s.parse().ok()))
            .collect::<Option<_>>()?,
    })
}
