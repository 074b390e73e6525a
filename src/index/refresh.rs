//! Keeping the index current: open it, compare what it reflects with the desk, and re-read
//! only what changed — or build it from scratch when there is none, it cannot be read, it
//! was written with another schema version, or `index --rebuild` asks.
//!
//! The index lives in `<cache>/search/` (`desk.cache_dir()`: `.git/desk/` of a repository,
//! a per-desk folder of the user's cache for a plain directory). Every writer first takes
//! `<cache>/search.lock` (an OS file lock, released even if the process dies), waiting a
//! bounded time; a process that cannot get it searches the index as it is and says so. A
//! reader that finds the index current takes no lock at all. A full build is written to a
//! fresh folder and swapped in, so readers never see half an index. The state the index
//! reflects is stored in the same tantivy commit as the documents (its payload), so the two
//! cannot disagree.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::collector::DocSetCollector;
use tantivy::directory::{Directory, DirectoryLock, Lock, MmapDirectory};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::store::{Desk, DeskKind, FileError};

use super::build::{self, Entity, Origin, Resellers};
use super::error::{IndexError, Result};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::state::{self, Changes, State};

/// An open, current index.
pub struct SearchIndex {
    pub(crate) dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    pub(crate) state: State,
}

impl SearchIndex {
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }
    pub fn fields(&self) -> &Fields {
        &self.fields
    }
    pub fn tantivy(&self) -> &Index {
        &self.index
    }
    /// The commit the index reflects (none for a plain directory).
    pub fn commit(&self) -> Option<&str> {
        self.state.commit.as_deref()
    }
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }
}

/// Told about long work while it happens.
pub trait Observer: Sync {
    /// A sentence for the user (a rebuild and why, a skipped update).
    fn notice(&self, _message: &str) {}
    /// Progress of a full build.
    fn progress(&self, _done: u64, _total: u64) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Start over even if the index is fine.
    pub rebuild: bool,
    /// How long to wait for another process that is updating the index.
    pub wait: Duration,
    /// Also look for hand edits of a work tree that are not staged (an `lstat` per ticket;
    /// staged edits are always followed).
    pub worktree: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rebuild: false,
            wait: Duration::from_secs(3),
            worktree: false,
        }
    }
}

/// What bringing the index up to date did.
#[derive(Debug, Default)]
pub struct Report {
    /// Why it was built from scratch, if it was.
    pub rebuilt: Option<String>,
    /// Entities read again (an incremental update).
    pub reindexed: usize,
    /// Another process held the lock: the index was searched as it was.
    pub stale: bool,
    /// Files that could not be read (skipped).
    pub problems: Vec<FileError>,
}

pub fn index_dir(desk: &Desk) -> PathBuf {
    desk.cache_dir().join("search")
}

/// Opens the desk's index and brings it up to date.
pub fn open(desk: &Desk, opts: Options, obs: &dyn Observer) -> Result<(SearchIndex, Report)> {
    let cache = desk.cache_dir();
    let dir = cache.join("search");
    // The desk's state is taken before anything is read from it: whatever changes after
    // this point differs from the state recorded, so the next run reads it again.
    let now = state::current(desk, opts.worktree)?;
    if !opts.rebuild {
        if let Ok(si) = try_open(&dir) {
            if si.state == now {
                return Ok((si, Report::default()));
            }
        }
    }
    std::fs::create_dir_all(&cache).map_err(IndexError::io(&cache))?;
    let Some(_lock) = lock(&cache, opts.wait)? else {
        return match try_open(&dir) {
            Ok(si) => {
                obs.notice(
                    "the search index is being updated by another process; searching it as it is",
                );
                Ok((
                    si,
                    Report {
                        stale: true,
                        ..Report::default()
                    },
                ))
            }
            Err(_) => Err(IndexError::Busy(dir)),
        };
    };
    let reason = if opts.rebuild {
        "asked to rebuild".to_owned()
    } else {
        match try_open(&dir) {
            Ok(si) => match state::changes(desk, &si.state, &now)? {
                Changes::Entities(set) => return update(desk, si, set, now),
                Changes::Full(reason) => reason,
            },
            Err(Unusable::Missing) => "there is none yet".to_owned(),
            Err(Unusable::Corrupt(e)) => format!("it cannot be read ({e})"),
            Err(Unusable::Outdated(v)) => format!(
                "it was written with schema version {v}; this git-desk uses {SCHEMA_VERSION}"
            ),
        }
    };
    obs.notice(&format!("building the search index: {reason}"));
    let problems = super::rebuild::rebuild(desk, &cache, &now, obs)?;
    let si = try_open(&dir).map_err(|u| IndexError::Broken {
        path: dir.clone(),
        message: format!("the new index cannot be opened: {u:?}"),
    })?;
    Ok((
        si,
        Report {
            rebuilt: Some(reason),
            problems,
            ..Report::default()
        },
    ))
}

#[derive(Debug)]
enum Unusable {
    Missing,
    Corrupt(String),
    Outdated(String),
}

fn try_open(dir: &Path) -> Result<SearchIndex, Unusable> {
    if !dir.join("meta.json").is_file() {
        return Err(Unusable::Missing);
    }
    let index = Index::open_in_dir(dir).map_err(|e| Unusable::Corrupt(e.to_string()))?;
    let metas = index
        .load_metas()
        .map_err(|e| Unusable::Corrupt(e.to_string()))?;
    let state = State::parse(metas.payload.as_deref())
        .ok_or_else(|| Unusable::Corrupt("it records no state".into()))?;
    if state.schema != SCHEMA_VERSION {
        return Err(Unusable::Outdated(state.schema.to_string()));
    }
    let fields =
        schema::fields_of(&index.schema()).ok_or_else(|| Unusable::Outdated("(unknown)".into()))?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e: tantivy::TantivyError| Unusable::Corrupt(e.to_string()))?;
    Ok(SearchIndex {
        dir: dir.to_path_buf(),
        index,
        fields,
        reader,
        state,
    })
}

/// Takes the writers' lock, waiting at most `wait`; none when another process keeps it.
fn lock(cache: &Path, wait: Duration) -> Result<Option<DirectoryLock>> {
    let dir = MmapDirectory::open(cache).map_err(|e| IndexError::Io {
        path: cache.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let lock = Lock {
        filepath: PathBuf::from("search.lock"),
        is_blocking: false,
    };
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(10);
    loop {
        match dir.acquire_lock(&lock) {
            Ok(l) => return Ok(Some(l)),
            Err(tantivy::directory::error::LockError::LockBusy) => {}
            Err(e) => {
                return Err(IndexError::Io {
                    path: cache.join("search.lock"),
                    source: std::io::Error::other(e.to_string()),
                })
            }
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// Where documents come from: the work tree (or plain folder), or the tree of the commit
/// recorded in `now` (a bare desk, or a work tree whose hand edits are not followed).
pub(super) fn origin(desk: &Desk, now: &State) -> Result<Origin> {
    let from_tree = match desk.kind() {
        DeskKind::Bare => true,
        // the files: staged edits (and unstaged ones, when followed) are there
        DeskKind::WorkTree => false,
        DeskKind::Plain => false,
    };
    Ok(match (from_tree, desk.repo(), &now.commit) {
        (true, Some(repo), Some(commit)) => {
            let tree = gix::ObjectId::from_hex(commit.as_bytes())
                .ok()
                .and_then(|id| repo.find_commit(id).ok())
                .and_then(|c| c.tree_id().ok())
                .ok_or_else(|| IndexError::git("reading the tree of", commit))?;
            Origin::Tree(Box::new(repo.clone().into_sync()), tree.detach())
        }
        _ => Origin::Files(desk.root().to_path_buf()),
    })
}

pub(super) fn commit(mut writer: IndexWriter, now: &State) -> Result<()> {
    let mut prepared = writer
        .prepare_commit()
        .map_err(IndexError::tantivy("preparing a commit"))?;
    prepared.set_payload(&now.to_payload());
    prepared
        .commit()
        .map_err(IndexError::tantivy("committing"))?;
    writer
        .wait_merging_threads()
        .map_err(IndexError::tantivy("merging segments"))
}

/// Merges every segment of `index` into one (nothing to do when there is one).
fn merge_all(index: &Index) -> Result<()> {
    let ids = index
        .searchable_segment_ids()
        .map_err(IndexError::tantivy("listing segments"))?;
    if ids.len() < 2 {
        return Ok(());
    }
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 50_000_000)
        .map_err(IndexError::tantivy("opening a writer"))?;
    writer
        .merge(&ids)
        .wait()
        .map_err(IndexError::tantivy("merging segments"))?;
    writer
        .wait_merging_threads()
        .map_err(IndexError::tantivy("merging segments"))
}

/// Re-reads `set` (accounts stand for their tickets), records `now`. Holds the lock.
fn update(
    desk: &Desk,
    mut si: SearchIndex,
    mut set: std::collections::BTreeSet<Entity>,
    now: State,
) -> Result<(SearchIndex, Report)> {
    let f = si.fields;
    let accounts: Vec<_> = set
        .iter()
        .filter_map(|e| match e {
            Entity::Account(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    if !accounts.is_empty() {
        let searcher = si.searcher();
        for login in accounts {
            let q = TermQuery::new(
                Term::from_field_text(f.account, login.as_str()),
                IndexRecordOption::Basic,
            );
            let hits = searcher
                .search(&q, &DocSetCollector)
                .map_err(IndexError::tantivy("finding an account's tickets"))?;
            for addr in hits {
                let doc: TantivyDocument = searcher
                    .doc(addr)
                    .map_err(IndexError::tantivy("reading a document"))?;
                let id = doc.get_first(f.id).and_then(|v| v.as_u64());
                if let Some(id) = id.and_then(|i| crate::model::TicketId::new(i).ok()) {
                    set.insert(Entity::Ticket(id));
                }
            }
        }
    }
    let writer: IndexWriter = si
        .index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(IndexError::tantivy("opening a writer"))?;
    let src = origin(desk, &now)?.source();
    let mut resellers = Resellers::default();
    let mut problems = Vec::new();
    let mut reindexed = 0;
    for e in &set {
        if matches!(e, Entity::Account(_)) {
            continue;
        }
        writer.delete_term(Term::from_field_text(f.key, &e.key()));
        if let Some(doc) = build::document(src.as_ref(), &f, e, &mut resellers, &mut problems)? {
            writer
                .add_document(doc)
                .map_err(IndexError::tantivy("adding a document"))?;
        }
        reindexed += 1;
    }
    commit(writer, &now)?;
    si.reader
        .reload()
        .map_err(IndexError::tantivy("reloading the reader"))?;
    si.state = now;
    Ok((
        si,
        Report {
            reindexed,
            problems,
            ..Report::default()
        },
    ))
}

/// Verifies every file's checksum and merges the index into one segment, holding the
/// writers' lock; returns the damaged files (none when all is well). `fresh`: the index was
/// just built from scratch, its segments hold no deleted documents, and merging them would
/// only cost time (a full build writes one segment per writer thread and share of memory).
pub fn compact_and_verify(si: &SearchIndex, wait: Duration, fresh: bool) -> Result<Vec<String>> {
    let cache = si.dir.parent().unwrap_or(&si.dir);
    let Some(_lock) = lock(cache, wait)? else {
        return Err(IndexError::Busy(si.dir.clone()));
    };
    match si.index.validate_checksum() {
        Ok(bad) if bad.is_empty() => {}
        Ok(bad) => return Ok(bad.iter().map(|p| p.display().to_string()).collect()),
        Err(e) => return Ok(vec![e.to_string()]),
    }
    if fresh {
        return Ok(Vec::new());
    }
    let before = si
        .index
        .searchable_segment_ids()
        .map_err(IndexError::tantivy("listing segments"))?
        .len();
    merge_all(&si.index)?;
    if before > 1 {
        si.reader
            .reload()
            .map_err(IndexError::tantivy("reloading the reader"))?;
    }
    Ok(Vec::new())
}
