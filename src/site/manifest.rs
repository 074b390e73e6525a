//! The build manifest: what the last build of one output directory wrote and from which
//! inputs (the commit, the key of every ticket page and of every other page), plus a short
//! summary of each ticket so list pages need not read unchanged tickets
//! again. It lives in the desk's cache directory, one per output directory, and is trusted
//! only while the output directory carries the same build id. It is a compact binary file
//! (postcard, text borrowed while decoding): at 100k tickets some 40 MB, read and written
//! in a fraction of the time its earlier JSON form took.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::dashboard::ThreadSummary;
use super::output::write_atomic;
use super::{Result, SiteError, GENERATOR_VERSION};
use crate::model::{MessageKind, Ticket, TicketId, Timestamp};
use crate::store::catalog::Summary;
use crate::store::history::content_hash;
use crate::store::Desk;

#[derive(Debug, Clone)]
pub struct TicketRecord {
    /// The content key of the ticket's directory.
    pub key: String,
    /// The key of its page: content, shared inputs and history together.
    pub page: String,
    /// The key of its audit history.
    pub audit: String,
    /// None when `ticket.yaml` could not be read (then `problem` says why).
    pub ticket: Option<Ticket>,
    pub problem: Option<String>,
    pub messages: u32,
    /// What the dashboard shows of the thread (who spoke last, since when the customer
    /// waits).
    pub thread: Option<ThreadSummary>,
    /// The distinct words of its customer messages and answers, for Quick Search (never
    /// internal notes): only of tickets rendered in this build, and not kept in the
    /// manifest (the Quick Search store keeps them, see `search_store`).
    pub words: String,
    /// Site-relative files written for this ticket (its page and attachments).
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub version: String,
    pub build_id: String,
    /// The commit the last build rendered (git desks).
    pub head: Option<String>,
    pub tickets: BTreeMap<u64, TicketRecord>,
    /// Other pages and assets: site-relative path → key.
    pub pages: BTreeMap<String, String>,
    /// The token of the Quick Search store written with this build.
    pub search: Option<String>,
    /// The token each bucket's file of records was written with.
    pub buckets: BTreeMap<String, String>,
}

/// The cache folder for building into `out`.
pub fn cache_dir(desk: &Desk, out: &Path) -> PathBuf {
    let id = content_hash([out.to_string_lossy().as_bytes()]);
    desk.cache_dir().join("site").join(&id[..16])
}

/// The manifest's file (its format: [`MAGIC`], then the [`Stored`] value in postcard);
/// the ticket records are in one file per bucket beside it ([`StoredBucket`]).
const FILE: &str = "manifest.bin";
/// The JSON manifest of earlier versions (removed when found: at 100k tickets it was over
/// 100 MB and slower to read than everything else an incremental build does).
const OLD_FILE: &str = "manifest.json";
const MAGIC: &[u8; 8] = b"GDSITEM\x01";

/// The manifest as stored: plain types a compact binary encoding can hold (the model's
/// types parse their text forms, which only self-describing formats allow), the tickets as
/// catalog summaries (`store::catalog::Summary`: a field added there is kept here too).
#[derive(Serialize, Deserialize)]
struct Stored {
    version: String,
    build_id: String,
    head: Option<String>,
    pages: BTreeMap<String, String>,
    search: Option<String>,
    /// Bucket → the token its records file holds.
    buckets: BTreeMap<String, String>,
}

/// The records of one bucket's tickets: `tickets-<bucket>.bin`, rewritten only when one of
/// them changed. The token ties it to the manifest that lists it (a file written by a
/// build that died before its manifest does not match, and the next build is full).
#[derive(Serialize, Deserialize)]
struct StoredBucket<'a> {
    token: String,
    #[serde(borrow)]
    tickets: Vec<StoredRecord<'a>>,
}

fn bucket_file(cache: &Path, bucket: &str) -> PathBuf {
    cache.join(format!("tickets-{bucket}.bin"))
}

fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    postcard::from_bytes(bytes.strip_prefix(MAGIC.as_slice())?).ok()
}

fn encode<T: Serialize>(value: &T, path: &Path) -> Result<Vec<u8>> {
    let mut bytes = MAGIC.to_vec();
    postcard::to_io(value, &mut bytes)
        .map_err(|e| SiteError::io(path, std::io::Error::other(e)))?;
    Ok(bytes)
}

#[derive(Serialize, Deserialize)]
struct StoredRecord<'a> {
    id: u64,
    key: String,
    page: String,
    audit: String,
    #[serde(borrow)]
    ticket: Option<Summary<'a>>,
    problem: Option<String>,
    messages: u32,
    thread: Option<StoredThread>,
    files: Vec<String>,
}

/// A [`ThreadSummary`], times in seconds since the epoch.
#[derive(Serialize, Deserialize)]
struct StoredThread {
    waiting_since: Option<i64>,
    last_kind: Option<MessageKind>,
    last_author: Option<String>,
    last_at: Option<i64>,
    last_line: String,
}

impl StoredThread {
    fn of(t: &ThreadSummary) -> StoredThread {
        StoredThread {
            waiting_since: t.waiting_since.map(Timestamp::unix),
            last_kind: t.last_kind,
            last_author: t.last_author.clone(),
            last_at: t.last_at.map(Timestamp::unix),
            last_line: t.last_line.clone(),
        }
    }

    fn thread(self) -> Option<ThreadSummary> {
        let ts = |v: Option<i64>| v.map(Timestamp::from_unix).transpose().ok();
        Some(ThreadSummary {
            waiting_since: ts(self.waiting_since)?,
            last_kind: self.last_kind,
            last_author: self.last_author,
            last_at: ts(self.last_at)?,
            last_line: self.last_line,
        })
    }
}

impl Manifest {
    /// The manifest of the last build into this output directory, when it can be trusted
    /// (same generator, same build id as the directory's marker, every bucket file of it).
    pub fn load(cache: &Path, marker: Option<&str>) -> Option<Manifest> {
        let bytes = std::fs::read(cache.join(FILE)).ok()?;
        let m: Stored = decode(&bytes)?;
        if m.version != GENERATOR_VERSION || Some(m.build_id.as_str()) != marker {
            return None;
        }
        let tickets = load_buckets(cache, &m.buckets)?;
        Some(Manifest {
            version: m.version,
            build_id: m.build_id,
            head: m.head,
            tickets,
            pages: m.pages,
            search: m.search,
            buckets: m.buckets,
        })
    }

    /// Writes the manifest: the records of the buckets in `dirty` (and of any bucket
    /// without a file yet) with `token`, then the manifest itself.
    pub fn save(self, cache: &Path, dirty: &BTreeSet<String>, token: &str) -> Result<()> {
        let mut by_bucket: BTreeMap<String, Vec<StoredRecord>> = BTreeMap::new();
        let mut present = BTreeSet::new();
        for (id, r) in self.tickets {
            let bucket = TicketId::new(id).map(|t| t.bucket()).unwrap_or_default();
            if dirty.contains(&bucket) || !self.buckets.contains_key(&bucket) {
                by_bucket
                    .entry(bucket.clone())
                    .or_default()
                    .push(StoredRecord::of(id, r));
            }
            present.insert(bucket);
        }
        let mut buckets = self.buckets;
        for (bucket, tickets) in by_bucket {
            let path = bucket_file(cache, &bucket);
            let file = StoredBucket {
                token: token.to_owned(),
                tickets,
            };
            write_atomic(&path, &encode(&file, &path)?)?;
            buckets.insert(bucket, token.to_owned());
        }
        for gone in buckets
            .keys()
            .filter(|b| !present.contains(*b))
            .cloned()
            .collect::<Vec<_>>()
        {
            buckets.remove(&gone);
            let _ = std::fs::remove_file(bucket_file(cache, &gone));
        }
        let stored = Stored {
            version: self.version,
            build_id: self.build_id,
            head: self.head,
            pages: self.pages,
            search: self.search,
            buckets,
        };
        let path = cache.join(FILE);
        write_atomic(&path, &encode(&stored, &path)?)?;
        match std::fs::remove_file(cache.join(OLD_FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(SiteError::io(cache.join(OLD_FILE), e))
            }
            _ => Ok(()),
        }
    }
}

/// The records of every bucket of `buckets` (name → token), read and decoded on up to one
/// thread per core (at 100k tickets, some 100 files and 40 MB); none when a file is
/// missing, damaged or of another build.
fn load_buckets(
    cache: &Path,
    buckets: &BTreeMap<String, String>,
) -> Option<BTreeMap<u64, TicketRecord>> {
    let one = |(bucket, token): (&String, &String)| -> Option<Vec<(u64, TicketRecord)>> {
        let bytes = std::fs::read(bucket_file(cache, bucket)).ok()?;
        let b: StoredBucket = decode(&bytes)?;
        if &b.token != token {
            return None;
        }
        b.tickets.into_iter().map(StoredRecord::record).collect()
    };
    let list: Vec<(&String, &String)> = buckets.iter().collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
        .min(list.len().max(1));
    let chunk = list.len().div_ceil(threads).max(1);
    let parts: Vec<Option<Vec<(u64, TicketRecord)>>> = std::thread::scope(|s| {
        let workers: Vec<_> = list
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> Option<Vec<(u64, TicketRecord)>> {
                    let mut out = Vec::new();
                    for b in part {
                        out.extend(one(*b)?);
                    }
                    Some(out)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut all = Vec::new();
    for p in parts {
        all.extend(p?);
    }
    // In id order (buckets sort by name, which is id order below a million), the map is
    // built in one pass.
    if !all.is_sorted_by_key(|(id, _)| *id) {
        all.sort_unstable_by_key(|(id, _)| *id);
    }
    Some(all.into_iter().collect())
}

impl StoredRecord<'_> {
    fn of(id: u64, r: TicketRecord) -> StoredRecord<'static> {
        StoredRecord {
            id,
            ticket: r.ticket.as_ref().map(|t| Summary::of(t, r.messages, None)),
            key: r.key,
            page: r.page,
            audit: r.audit,
            problem: r.problem,
            messages: r.messages,
            thread: r.thread.as_ref().map(StoredThread::of),
            files: r.files,
        }
    }

    fn record(self) -> Option<(u64, TicketRecord)> {
        let ticket = match self.ticket {
            Some(s) => Some(s.ticket().ok()?),
            None => None,
        };
        let thread = match self.thread {
            Some(t) => Some(t.thread()?),
            None => None,
        };
        Some((
            self.id,
            TicketRecord {
                key: self.key,
                page: self.page,
                audit: self.audit,
                ticket,
                problem: self.problem,
                messages: self.messages,
                thread,
                words: String::new(),
                files: self.files,
            },
        ))
    }
}
