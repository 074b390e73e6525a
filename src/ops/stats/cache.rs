//! The statistics caches under `<cache dir>/stats/` (derived state, never committed; delete
//! them at will). Both are content-addressed, so they never go stale:
//! - `snapshot.json`: the facts of each ticket keyed by the id of its directory's git tree
//!   (a ticket whose tree id is unchanged is not read again), grouped by bucket with the
//!   bucket's tree id (an unchanged bucket is not even listed), and the accounts keyed by
//!   the tree id of `accounts/`;
//! - `history.json`: the events read from the commits up to `tip` (history only grows; a
//!   tip that is no longer an ancestor of HEAD means it was rewritten, and the history is
//!   read again).
//!
//! Rows are compact JSON arrays with names interned in a table. A cache that cannot be read
//! (missing, corrupt, another version) is simply rebuilt; one that cannot be written is
//! skipped.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::facts::Parsed;
use crate::model::stats::{AccountFacts, EventKind, HistoryEvent, MessageFact, TicketFacts};
use crate::model::{Login, MessageKind, Slug, TicketId, Timestamp};

const VERSION: u32 = 1;
const SNAPSHOT: &str = "snapshot.json";
const HISTORY: &str = "history.json";

/// One ticket directory as known.
#[derive(Debug, Clone)]
pub struct Entry {
    pub tree: ObjectId,
    pub id: TicketId,
    pub parsed: Parsed,
}

/// One `tickets/<bucket>` directory as known.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub tree: ObjectId,
    pub tickets: Vec<Entry>,
}

/// What was known at the last run.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// By bucket name.
    pub buckets: HashMap<String, Bucket>,
    pub accounts_tree: Option<ObjectId>,
    pub accounts: Vec<(Login, AccountFacts)>,
    pub account_problems: Vec<String>,
}

/// The events of the history up to `tip`, and the deleted tickets read back from it.
#[derive(Debug, Default)]
pub struct History {
    pub tip: Option<ObjectId>,
    pub events: Vec<HistoryEvent>,
    pub deleted: Vec<TicketFacts>,
}

/// Names interned while writing: 0 = none, n = `list[n - 1]`.
#[derive(Default)]
struct Names {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    fn put(&mut self, s: Option<&str>) -> u32 {
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
struct Lookup {
    names: Vec<String>,
    slugs: Vec<Option<Slug>>,
    logins: Vec<Option<Login>>,
}

impl Lookup {
    fn new(names: Vec<String>) -> Lookup {
        let slugs = names.iter().map(|n| n.parse().ok()).collect();
        let logins = names.iter().map(|n| n.parse().ok()).collect();
        Lookup {
            names,
            slugs,
            logins,
        }
    }
    /// `Some(None)` for 0, `None` for an index out of range.
    fn text(&self, i: u32) -> Option<Option<String>> {
        match i {
            0 => Some(None),
            i => self.names.get(i as usize - 1).map(|s| Some(s.clone())),
        }
    }
    fn slug(&self, i: u32) -> Option<Slug> {
        self.slugs.get((i as usize).checked_sub(1)?)?.clone()
    }
    fn login(&self, i: u32) -> Option<Option<Login>> {
        match i {
            0 => Some(None),
            i => self.logins.get(i as usize - 1)?.clone().map(Some),
        }
    }
}

/// One ticket: id, queue, account, created, closed, closed by, messages (at, kind,
/// author), deleted.
#[derive(Serialize, Deserialize)]
struct Row(
    u64,
    u32,
    u32,
    i64,
    Option<i64>,
    u32,
    Vec<(i64, u8, u32)>,
    Option<i64>,
);

const KINDS: [MessageKind; 4] = [
    MessageKind::Customer,
    MessageKind::Answer,
    MessageKind::Note,
    MessageKind::Autoresponse,
];

fn encode(t: &TicketFacts, n: &mut Names) -> Row {
    let messages = t
        .messages
        .iter()
        .map(|m| {
            let kind = KINDS.iter().position(|k| *k == m.kind).unwrap_or(0) as u8;
            (m.at.unix(), kind, n.put(m.author.as_deref()))
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
    )
}

fn time(secs: i64) -> Option<Timestamp> {
    Timestamp::from_unix(secs).ok()
}

/// None when the row does not make sense (then the ticket is read again).
fn decode(r: &Row, l: &Lookup) -> Option<TicketFacts> {
    let mut messages = Vec::with_capacity(r.6.len());
    for (at, kind, author) in &r.6 {
        messages.push(MessageFact {
            at: time(*at)?,
            kind: *KINDS.get(*kind as usize)?,
            author: l.text(*author)?,
        });
    }
    Some(TicketFacts {
        id: TicketId::new(r.0).ok()?,
        queue: l.slug(r.1)?,
        account: l.login(r.2)?,
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
    })
}

/// A bucket: name, tree id, tickets.
#[derive(Serialize, Deserialize)]
struct BucketRow(String, String, Vec<TicketRow>);

/// A ticket directory: tree id, ticket id, facts (none when unreadable), problems.
#[derive(Serialize, Deserialize)]
struct TicketRow(String, u64, Option<Row>, Vec<String>);

#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    version: u32,
    names: Vec<String>,
    buckets: Vec<BucketRow>,
    accounts_tree: Option<String>,
    /// Login, reseller, created.
    accounts: Vec<(u32, u32, Option<i64>)>,
    account_problems: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    tip: Option<String>,
    names: Vec<String>,
    /// At, ticket, actor, kind (0 assigned, 1 released, 2 deleted, 3 merged), assigned to.
    events: Vec<(i64, u64, u32, u8, u32)>,
    deleted: Vec<Row>,
}

fn oid(hex: &str) -> Option<ObjectId> {
    ObjectId::from_hex(hex.as_bytes()).ok()
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes `value` to `path` atomically (a temporary file renamed over it).
fn write<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        serde_json::to_writer(&mut w, value)?;
        w.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub fn dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join("stats")
}

pub fn load_snapshot(dir: &Path) -> Snapshot {
    let Some(f) = read::<SnapshotFile>(&dir.join(SNAPSHOT)).filter(|f| f.version == VERSION) else {
        return Snapshot::default();
    };
    let l = Lookup::new(f.names);
    let mut buckets = HashMap::with_capacity(f.buckets.len());
    for BucketRow(name, tree, rows) in f.buckets {
        let Some(tree) = oid(&tree) else { continue };
        let mut tickets = Vec::with_capacity(rows.len());
        for TicketRow(tree, id, row, problems) in rows {
            let (Some(tree), Ok(id)) = (oid(&tree), TicketId::new(id)) else {
                continue;
            };
            let facts = match row.map(|r| decode(&r, &l)) {
                Some(Some(t)) if t.id == id => Some(t),
                Some(_) => continue,
                None => None,
            };
            tickets.push(Entry {
                tree,
                id,
                parsed: Parsed { facts, problems },
            });
        }
        buckets.insert(name, Bucket { tree, tickets });
    }
    let mut accounts = Vec::with_capacity(f.accounts.len());
    for (login, reseller, created) in f.accounts {
        let (Some(Some(login)), Some(reseller)) = (l.login(login), l.login(reseller)) else {
            return Snapshot {
                buckets,
                ..Snapshot::default()
            };
        };
        let created_at = created.and_then(time);
        accounts.push((
            login,
            AccountFacts {
                reseller,
                created_at,
            },
        ));
    }
    Snapshot {
        buckets,
        accounts_tree: f.accounts_tree.as_deref().and_then(oid),
        accounts,
        account_problems: f.account_problems,
    }
}

pub fn save_snapshot(dir: &Path, s: &Snapshot) -> std::io::Result<()> {
    let mut n = Names::default();
    let buckets = s
        .buckets
        .iter()
        .map(|(name, b)| {
            let rows = b
                .tickets
                .iter()
                .map(|e| {
                    let row = e.parsed.facts.as_ref().map(|t| encode(t, &mut n));
                    let problems = e.parsed.problems.clone();
                    TicketRow(e.tree.to_string(), e.id.get(), row, problems)
                })
                .collect();
            BucketRow(name.clone(), b.tree.to_string(), rows)
        })
        .collect();
    let accounts = s
        .accounts
        .iter()
        .map(|(login, a)| {
            let reseller = n.put(a.reseller.as_ref().map(Login::as_str));
            (
                n.put(Some(login.as_str())),
                reseller,
                a.created_at.map(Timestamp::unix),
            )
        })
        .collect();
    let f = SnapshotFile {
        version: VERSION,
        names: n.list,
        buckets,
        accounts_tree: s.accounts_tree.map(|t| t.to_string()),
        accounts,
        account_problems: s.account_problems.clone(),
    };
    write(&dir.join(SNAPSHOT), &f)
}

pub fn load_history(dir: &Path) -> History {
    let Some(f) = read::<HistoryFile>(&dir.join(HISTORY)).filter(|f| f.version == VERSION) else {
        return History::default();
    };
    let l = Lookup::new(f.names);
    let decoded = || -> Option<History> {
        let mut events = Vec::with_capacity(f.events.len());
        for (at, ticket, actor, kind, to) in &f.events {
            let kind = match kind {
                0 => EventKind::Assigned { to: l.text(*to)?? },
                1 => EventKind::Released,
                2 => EventKind::Deleted,
                3 => EventKind::Merged,
                _ => return None,
            };
            events.push(HistoryEvent {
                at: time(*at)?,
                ticket: TicketId::new(*ticket).ok()?,
                actor: l.text(*actor)?,
                kind,
            });
        }
        let deleted = f
            .deleted
            .iter()
            .map(|r| decode(r, &l))
            .collect::<Option<_>>()?;
        Some(History {
            tip: oid(f.tip.as_deref()?),
            events,
            deleted,
        })
    };
    decoded().unwrap_or_default()
}

pub fn save_history(dir: &Path, h: &History) -> std::io::Result<()> {
    let mut n = Names::default();
    let events = h
        .events
        .iter()
        .map(|e| {
            let (kind, to) = match &e.kind {
                EventKind::Assigned { to } => (0, n.put(Some(to))),
                EventKind::Released => (1, 0),
                EventKind::Deleted => (2, 0),
                EventKind::Merged => (3, 0),
            };
            (
                e.at.unix(),
                e.ticket.get(),
                n.put(e.actor.as_deref()),
                kind,
                to,
            )
        })
        .collect();
    let deleted = h.deleted.iter().map(|t| encode(t, &mut n)).collect();
    let f = HistoryFile {
        version: VERSION,
        tip: h.tip.map(|t| t.to_string()),
        names: n.list,
        events,
        deleted,
    };
    write(&dir.join(HISTORY), &f)
}
