//! Hand edits staged in git's index: tickets whose index entries differ from HEAD (a `git
//! add` of an edited `ticket.yaml`, a new or removed ticket directory) are read from the
//! index instead of HEAD, so readers follow what `git diff --cached` shows, and an edit
//! undone by `git reset --hard` or `git checkout -- FILE` drops out again.
//!
//! Finding them compares each ticket directory's index entries (paths and blob ids, as a
//! [`Fingerprint`]) with the fingerprint the catalog recorded for HEAD's tree: one pass over
//! the `tickets/` entries of the index, no `lstat` and no tree reads. The pass is needed
//! only when the index file changed; its result is kept in `<cache>/catalog-staged.bin`
//! keyed by the index file's size, modification time and inode and by the `tickets/` tree,
//! so a command run on an unchanged index and HEAD reads neither. Edits that are not staged
//! are not seen (see the module docs of [`super`]).
//!
//! git-desk's own commits keep that result without the pass: a commit applies the same
//! changes to HEAD's tree and to the index, so an index that held nothing staged before it
//! (the kept result matched the index, read under `.git/index.lock`) holds nothing staged
//! after it either. The commit engine checks that with [`known_clean`] before it writes
//! the index and records the new index's stamp with [`record_clean`] once the new index is
//! in place, while it still holds the lock; a `git add` afterwards changes the stamp and
//! brings the pass back.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::file::{oid, write_atomically, Bucket, Oid, Stored};
use super::refresh::{self, Fingerprint};
use super::row::Dir;
use crate::model::TicketId;
use crate::store::error::{Result, StoreError};
use crate::store::{layout, scan, Desk};

/// What identifies one state of the index file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    mtime: i64,
    mtime_ns: i64,
    ino: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Cached<'a> {
    /// The catalog's [`super::file::VERSION`]: the staged rows are catalog rows. (A file of
    /// an older layout starts with the index's size, never this small.)
    version: u32,
    stamp: Stamp,
    /// HEAD's tree.
    head: Option<Oid>,
    #[serde(borrow)]
    staged: Staged<'a>,
}

/// What git's index holds that HEAD's tree does not.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Staged<'a> {
    /// Ticket id → its directory as staged (none: removed from the index).
    #[serde(borrow)]
    pub tickets: Vec<(u64, Option<Dir<'a>>)>,
    /// Other files people edit by hand (`tasks/`, `kb/`, `accounts/`) whose index entry
    /// differs from HEAD: path → blob id in the index (none: removed from the index).
    pub others: Vec<(String, Option<Oid>)>,
}

impl Staged<'_> {
    fn into_owned(self) -> Staged<'static> {
        Staged {
            tickets: self
                .tickets
                .into_iter()
                .map(|(id, d)| (id, d.map(Dir::into_owned)))
                .collect(),
            others: self.others,
        }
    }
}

const FILE: &str = "catalog-staged.bin";
/// Directories besides `tickets/` whose staged edits [`Staged::others`] lists.
const OTHERS: [&str; 3] = [layout::TASKS_DIR, layout::KB_DIR, layout::ACCOUNTS_DIR];

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        mtime: m.mtime(),
        mtime_ns: m.mtime_nsec(),
        ino: m.ino(),
    })
}

/// Whether git's index at `index_path` (whose lock the caller holds) is known to hold
/// nothing staged against HEAD's tree `head`: the result kept in `cache` is for the index
/// as it is now and for `head`, and it lists nothing.
pub(crate) fn known_clean(cache: &Path, index_path: &Path, head: ObjectId) -> bool {
    let Some(now) = stamp(index_path) else {
        return false;
    };
    let Ok(bytes) = std::fs::read(cache.join(FILE)) else {
        return false;
    };
    match postcard::from_bytes::<Cached<'_>>(&bytes) {
        Ok(c) => {
            c.version == super::file::VERSION
                && c.stamp == now
                && c.head == Some(oid(head))
                && c.staged.tickets.is_empty()
                && c.staged.others.is_empty()
        }
        Err(_) => false,
    }
}

/// Records that the index now at `index_path` holds nothing staged against HEAD's tree
/// `head`. Only for the commit engine, right after it put in place an index made from one
/// that [`known_clean`] vouched for, with the same changes as `head`'s tree, and while it
/// still holds `.git/index.lock` (so the file stat'ed is the one it wrote).
pub(crate) fn record_clean(cache: &Path, index_path: &Path, head: ObjectId) {
    let Some(now) = stamp(index_path) else {
        return;
    };
    let c = Cached {
        version: super::file::VERSION,
        stamp: now,
        head: Some(oid(head)),
        staged: Staged::default(),
    };
    match postcard::to_stdvec(&c) {
        Ok(bytes) => {
            if write_atomically(&cache.join(FILE), &bytes).is_err() {
                // A stale result must not stay: without it the next reader reads the index.
                let _ = std::fs::remove_file(cache.join(FILE));
            }
        }
        Err(_) => {
            let _ = std::fs::remove_file(cache.join(FILE));
        }
    }
}

/// The staged state of every ticket whose index entries differ from `stored` (HEAD's tree
/// `head`), for [`apply`].
pub(super) fn for_catalog(
    desk: &Desk,
    loaded: &super::file::Loaded,
    head: ObjectId,
) -> Result<Vec<(u64, Option<Dir<'static>>)>> {
    Ok(staged_with(desk, head, Some(loaded))?.tickets)
}

/// What git's index of a work-tree desk holds that HEAD's tree does not (nothing for a bare
/// desk, a plain directory or an unborn branch).
pub fn staged(desk: &Desk) -> Result<Staged<'static>> {
    if desk.kind() != crate::store::DeskKind::WorkTree {
        return Ok(Staged::default());
    }
    let Some(head) = desk.head_commit()? else {
        return Ok(Staged::default());
    };
    let repo = desk.repo().expect("a work tree has a repository");
    let tree = crate::store::diff::tree_of(repo, head)?;
    staged_with(desk, tree, None)
}

fn staged_with(
    desk: &Desk,
    head: ObjectId,
    loaded: Option<&super::file::Loaded>,
) -> Result<Staged<'static>> {
    let Some(repo) = desk.repo() else {
        return Ok(Staged::default());
    };
    let index_path = repo.index_path();
    let Some(now) = stamp(&index_path) else {
        return Ok(Staged::default()); // no index: nothing staged
    };
    let cache = desk.cache_dir().join(FILE);
    if let Ok(bytes) = std::fs::read(&cache) {
        if let Ok(c) = postcard::from_bytes::<Cached<'_>>(&bytes) {
            if c.version == super::file::VERSION && c.stamp == now && c.head == Some(oid(head)) {
                return Ok(c.staged.into_owned());
            }
        }
    }
    // Only now (the index or HEAD changed) is the catalog decoded.
    let owned;
    let loaded = match loaded {
        Some(l) => l,
        None => {
            owned = super::bytes_at(desk, head)?.0;
            &owned
        }
    };
    let stored = loaded.stored();
    let stored = &stored;
    let index = repo
        .open_index()
        .map_err(|e| StoreError::git("reading git's index", e))?;
    let staged = Staged {
        tickets: differing(repo, &index, stored)?,
        others: others(repo, &index, head)?,
    };
    // The index may have changed while it was read: keep the result only if not.
    if stamp(&index_path) == Some(now) {
        let c = Cached {
            version: super::file::VERSION,
            stamp: now,
            head: Some(oid(head)),
            staged: staged.clone(),
        };
        if let Ok(bytes) = postcard::to_stdvec(&c) {
            let _ = write_atomically(&cache, &bytes);
        }
    }
    Ok(staged)
}

/// The files below [`OTHERS`] whose index entry differs from HEAD's tree.
fn others(
    repo: &gix::Repository,
    index: &gix::index::File,
    head: ObjectId,
) -> Result<Vec<(String, Option<Oid>)>> {
    let tree = crate::store::TreeSource::new(repo.clone(), head);
    let mut out = Vec::new();
    for dir in OTHERS {
        let prefix = format!("{dir}/");
        let mut in_head: HashMap<String, ObjectId> = tree.files_under(dir)?.into_iter().collect();
        for e in index
            .prefixed_entries(prefix.as_bytes().as_bstr())
            .unwrap_or(&[])
        {
            let path = e.path(index).to_str_lossy().into_owned();
            let same = e.stage() == gix::index::entry::Stage::Unconflicted
                && in_head.get(&path) == Some(&e.id);
            in_head.remove(&path);
            if !same {
                out.push((path, Some(oid(e.id))));
            }
        }
        out.extend(in_head.into_keys().map(|p| (p, None)));
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

/// One ticket directory as the index holds it.
#[derive(Default)]
struct InIndex {
    files: Fingerprint,
    ticket: Option<ObjectId>,
    messages: Vec<(String, ObjectId)>,
    conflict: bool,
}

/// The ticket directories whose index entries differ from `stored`, read from the index.
fn differing(
    repo: &gix::Repository,
    index: &gix::index::File,
    stored: &Stored<'_>,
) -> Result<Vec<(u64, Option<Dir<'static>>)>> {
    let mut seen: BTreeMap<u64, InIndex> = BTreeMap::new();
    let prefix = format!("{}/", layout::TICKETS_DIR);
    let entries = index
        .prefixed_entries(prefix.as_bytes().as_bstr())
        .unwrap_or(&[]);
    // Entries are sorted by path: a directory's entries follow each other, so its id is
    // parsed once (400k entries at 100k tickets).
    let mut current: Option<(Vec<u8>, Option<TicketId>)> = None;
    for e in entries {
        let path = e.path(index);
        // `tickets/<bucket>/<id>/<rest>`: the end of `<id>/`
        let Some(cut) = path
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'/')
            .nth(2)
            .map(|(i, _)| i + 1)
        else {
            continue;
        };
        let (dir, rest) = path.split_at(cut);
        let id = match &current {
            Some((d, id)) if d.as_slice() == dir => *id,
            _ => {
                let id = layout::ticket_of_path(&dir.to_str_lossy());
                current = Some((dir.to_vec(), id));
                id
            }
        };
        let (Some(id), Ok(rel)) = (id, rest.to_str()) else {
            continue;
        };
        if rel.is_empty() {
            continue;
        }
        let d = seen.entry(id.get()).or_default();
        use gix::index::entry::Mode;
        if e.stage() != gix::index::entry::Stage::Unconflicted {
            d.conflict = true;
            continue;
        }
        if e.mode != Mode::FILE && e.mode != Mode::FILE_EXECUTABLE {
            continue;
        }
        d.files.add(rel, e.id);
        if rel == "ticket.yaml" {
            d.ticket = Some(e.id);
        } else if let Some(name) = rel.strip_prefix("messages/") {
            if !name.contains('/') && name.ends_with(".yaml") && !name.starts_with('.') {
                d.messages.push((name.to_owned(), e.id));
            }
        }
    }
    let mut recorded: HashMap<u64, u64> = HashMap::new();
    for b in &stored.buckets {
        // A damaged bucket records nothing: its tickets count as staged and are read.
        let Ok(dirs) = b.clone().into_dirs() else {
            continue;
        };
        recorded.extend(dirs.iter().map(|d| (d.id, d.files)));
    }
    let mut out = Vec::new();
    for (id, mut d) in seen.iter_mut().map(|(k, v)| (*k, std::mem::take(v))) {
        if !d.conflict && recorded.get(&id) == Some(&d.files.0) {
            continue;
        }
        let tid = TicketId::new(id).expect("a parsed ticket id");
        let ticket = match d.ticket {
            Some(b) => Some(scan::blob(repo, b)?),
            None => None,
        };
        d.messages.sort();
        let mut bodies = Vec::with_capacity(d.messages.len());
        for (n, b) in &d.messages {
            bodies.push((n.clone(), scan::blob(repo, *b)?));
        }
        let row = refresh::row(tid, ticket.as_deref(), bodies);
        out.push((
            id,
            Some(Dir::new(
                id,
                oid(ObjectId::null(repo.object_hash())),
                d.files.0,
                &row,
            )),
        ));
    }
    for id in recorded.keys() {
        if !seen.contains_key(id) {
            out.push((*id, None));
        }
    }
    Ok(out)
}

/// Puts the staged directories `dirs` in place of HEAD's in `stored` (in their buckets, in
/// id order); `None` removes one.
pub(super) fn apply<'a>(stored: &mut Stored<'a>, dirs: Vec<(u64, Option<Dir<'static>>)>) {
    for (id, dir) in dirs {
        let Ok(tid) = TicketId::new(id) else {
            continue;
        };
        let name = tid.bucket();
        let b = match stored.buckets.iter().position(|b| b.name == name) {
            Some(i) => i,
            None => {
                let at = stored
                    .buckets
                    .iter()
                    .position(|b| super::file::bucket_order(&b.name, &name).is_gt())
                    .unwrap_or(stored.buckets.len());
                stored
                    .buckets
                    .insert(at, Bucket::new(name, [0; 20], Vec::new()));
                at
            }
        };
        let Ok(dirs) = stored.buckets[b].dirs_mut() else {
            continue; // a damaged bucket: reading it reports that
        };
        match (dirs.binary_search_by_key(&id, |d| d.id), dir) {
            (Ok(i), Some(d)) => dirs[i] = d,
            (Ok(i), None) => {
                dirs.remove(i);
            }
            (Err(i), Some(d)) => dirs.insert(i, d),
            (Err(_), None) => {}
        }
    }
}
