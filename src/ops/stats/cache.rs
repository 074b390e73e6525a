//! The statistics caches under `<cache dir>/stats/` (derived state, never committed; delete
//! them at will). Both are content-addressed, so they never go stale:
//! - `snapshot.bin`: the facts of each ticket keyed by the id of its directory's git tree
//!   (a ticket whose tree id is unchanged is not read again), grouped by bucket with the
//!   bucket's tree id (an unchanged bucket is not even listed), and the accounts keyed by
//!   the tree id of `accounts/`;
//! - `history.bin`: the events read from the commits up to `tip` (history only grows; a
//!   tip that is no longer an ancestor of HEAD means it was rewritten, and the history is
//!   read again).
//!
//! Rows are tuples of numbers with names interned in a table ([`super::rows`]), stored
//! with postcard after a magic number (at 100k tickets the earlier JSON form, 16 MB, took
//! a site build's incremental run longer to read and write than the figures it serves). A cache that cannot be read
//! (missing, corrupt, another version) is simply rebuilt; one that cannot be written is
//! skipped.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::facts::Parsed;
use super::rows::{decode, encode, time, Lookup, Names, Row};
use crate::model::stats::{AccountFacts, EventKind, HistoryEvent, TicketFacts};
use crate::model::{Login, TicketId, Timestamp};

/// Bump when the rows or the rules that make [`TicketFacts`] change: older caches are then
/// rebuilt.
/// 4: rows carry the ticket's tags.
const VERSION: u32 = 4;
const SNAPSHOT: &str = "snapshot.bin";
const HISTORY: &str = "history.bin";
/// What the two files were called when they were JSON: removed when the new ones are
/// written.
const OLD_FILES: [&str; 2] = ["snapshot.json", "history.json"];
const MAGIC: &[u8; 8] = b"GDSTATS\x01";

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
    postcard::from_bytes(bytes.strip_prefix(MAGIC.as_slice())?).ok()
}

/// Writes `value` to `path` atomically (a temporary file renamed over it).
fn write<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        w.write_all(MAGIC)?;
        postcard::to_io(value, &mut w).map_err(std::io::Error::other)?;
        w.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    for old in OLD_FILES {
        match std::fs::remove_file(dir.join(old)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stats::MessageFact;
    use crate::model::MessageKind;

    fn facts(id: u64) -> TicketFacts {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        TicketFacts {
            id: TicketId::new(id).unwrap(),
            queue: "general".parse().unwrap(),
            account: Some("jdoe".parse().unwrap()),
            priority: 50,
            created_at: t("2026-11-01T10:00:00Z"),
            closed_at: Some(t("2026-11-02T10:00:00Z")),
            closed_by: Some("autoclose".into()),
            messages: vec![
                MessageFact::new(
                    t("2026-11-01T10:00:00Z"),
                    MessageKind::Customer,
                    "j@x.example",
                ),
                MessageFact::new(t("2026-11-01T11:00:00Z"), MessageKind::Answer, "bob"),
                MessageFact::new(t("2026-11-01T12:00:00Z"), MessageKind::Note, "bob"),
            ],
            deleted_at: None,
            snoozes: vec![(1, 2)],
            tags: vec!["vip".parse().unwrap()],
        }
    }

    #[test]
    fn snapshot_and_history_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let tree = |n: u8| ObjectId::from_bytes_or_panic(&[n; 20]);
        let ok = Parsed {
            facts: Some(facts(1043)),
            problems: vec![],
        };
        let broken = Parsed {
            facts: None,
            problems: vec!["tickets/001/1044/ticket.yaml:2: bad".into()],
        };
        let mut s = Snapshot::default();
        let tickets = vec![
            Entry {
                tree: tree(2),
                id: TicketId::new(1043).unwrap(),
                parsed: ok.clone(),
            },
            Entry {
                tree: tree(3),
                id: TicketId::new(1044).unwrap(),
                parsed: broken.clone(),
            },
        ];
        s.buckets.insert(
            "001".into(),
            Bucket {
                tree: tree(1),
                tickets,
            },
        );
        s.accounts_tree = Some(tree(4));
        let acme = AccountFacts {
            reseller: Some("acme".parse().unwrap()),
            created_at: None,
        };
        s.accounts = vec![("jdoe".parse().unwrap(), acme)];
        save_snapshot(dir.path(), &s).unwrap();
        let back = load_snapshot(dir.path());
        let b = &back.buckets["001"];
        assert_eq!(b.tree, tree(1));
        assert_eq!((b.tickets[0].tree, &b.tickets[0].parsed), (tree(2), &ok));
        assert_eq!(
            (b.tickets[1].id.get(), &b.tickets[1].parsed),
            (1044, &broken)
        );
        assert_eq!(
            (back.accounts_tree, back.accounts),
            (s.accounts_tree, s.accounts)
        );

        let mut deleted = facts(1050);
        deleted.deleted_at = Some("2026-11-03T00:00:00Z".parse().unwrap());
        let at = deleted.created_at;
        let ev = |kind| HistoryEvent {
            at,
            ticket: deleted.id,
            actor: Some("bob".into()),
            kind,
        };
        let h = History {
            tip: Some(tree(9)),
            events: vec![
                ev(EventKind::Assigned { to: "carol".into() }),
                ev(EventKind::Released),
                ev(EventKind::Deleted),
                ev(EventKind::Merged),
            ],
            deleted: vec![deleted.clone()],
        };
        save_history(dir.path(), &h).unwrap();
        let back = load_history(dir.path());
        assert_eq!(
            (back.tip, &back.events, &back.deleted),
            (h.tip, &h.events, &h.deleted)
        );
    }

    #[test]
    fn a_corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SNAPSHOT), b"{not json").unwrap();
        std::fs::write(dir.path().join(HISTORY), br#"{"version":999}"#).unwrap();
        assert!(load_snapshot(dir.path()).buckets.is_empty());
        assert!(load_history(dir.path()).tip.is_none());
        // The magic number, then a cut-off or foreign payload.
        let mut cut = MAGIC.to_vec();
        cut.extend([VERSION as u8, 3, b'a']);
        std::fs::write(dir.path().join(SNAPSHOT), &cut).unwrap();
        std::fs::write(dir.path().join(HISTORY), &cut).unwrap();
        assert!(load_snapshot(dir.path()).buckets.is_empty());
        assert!(load_history(dir.path()).tip.is_none());
    }

    #[test]
    fn writing_removes_the_json_files_of_earlier_versions() {
        let dir = tempfile::tempdir().unwrap();
        for old in OLD_FILES {
            std::fs::write(dir.path().join(old), b"{}").unwrap();
        }
        save_history(dir.path(), &History::default()).unwrap();
        for old in OLD_FILES {
            assert!(!dir.path().join(old).exists(), "{old}");
        }
        assert!(std::fs::read(dir.path().join(HISTORY))
            .unwrap()
            .starts_with(MAGIC));
    }
}
