//! The work-tree side of a commit: before it, the refusal when a touched path has
//! uncommitted edits (in the index or in the file); after it, the touched files written and
//! their index entries brought up to date, every other file and entry left as it was.
//!
//! The index is patched in place of a full rewrite when its format allows
//! ([`super::index`]); otherwise (index version 4, a split or sparse index, no index yet)
//! gix reads and writes it whole.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::ObjectId;

use super::error::{Result, StoreError};
use super::index::{Change, Index, Options, Staged};
use super::lock::GitLock;
use crate::failpoint;

/// The index as the commit found it, under the lock.
pub(crate) enum WorkIndex {
    /// Patchable bytes.
    Patch(Box<Index>),
    /// Decoded by gix (a format the patcher leaves alone).
    Full(Box<gix::index::File>),
    /// No index yet.
    Missing,
}

impl WorkIndex {
    pub fn open(repo: &gix::Repository) -> Result<WorkIndex> {
        let path = repo.index_path();
        if let Some(file) = Index::open(&path).map_err(|e| StoreError::io(&path, e))? {
            return Ok(WorkIndex::Patch(Box::new(file)));
        }
        if !path.exists() {
            return Ok(WorkIndex::Missing);
        }
        let file = repo
            .open_index()
            .map_err(|e| StoreError::git("reading the index", e))?;
        Ok(WorkIndex::Full(Box::new(file)))
    }

    /// What is staged for each of `paths` (sorted, distinct); `None` without an index.
    fn staged(&self, repo: &gix::Repository, paths: &[&str]) -> Result<Option<Vec<Staged>>> {
        Ok(match self {
            WorkIndex::Patch(f) => Some(
                f.staged(paths)
                    .map_err(|e| StoreError::io(repo.index_path(), e))?,
            ),
            WorkIndex::Full(f) => Some(
                paths
                    .iter()
                    .map(|p| match f.entry_by_path(p.as_bytes().as_bstr()) {
                        Some(e) => Staged::Blob(e.id),
                        None => Staged::Absent,
                    })
                    .collect(),
            ),
            WorkIndex::Missing => None,
        })
    }
}

/// Index entries to set without touching their files: path → blob (none: no entry).
pub(crate) type IndexFixes = Vec<(String, Option<ObjectId>)>;

/// One touched path: its blob in HEAD (if any) and whether the commit removes it.
pub(crate) struct Touched<'a> {
    pub path: &'a str,
    pub head: Option<ObjectId>,
    pub removing: bool,
}

/// Refuses when any touched path differs from HEAD in the index or in the work tree. A file
/// that is about to be removed may already be gone from the work tree. `repaired` are index
/// entries about to be set again ([`clobbered`]): their staged state counts as repaired.
pub(crate) fn check_clean(
    repo: &gix::Repository,
    root: &Path,
    index: &WorkIndex,
    touched: &mut [Touched<'_>],
    repaired: &[(String, Option<ObjectId>)],
) -> Result<()> {
    touched.sort_by(|a, b| a.path.cmp(b.path));
    let paths: Vec<&str> = touched.iter().map(|t| t.path).collect();
    let staged = index.staged(repo, &paths)?;
    for (i, t) in touched.iter().enumerate() {
        if let Some(staged) = &staged {
            let fixed = repaired
                .iter()
                .find(|(p, _)| p == t.path)
                .map(|(_, id)| match id {
                    Some(id) => Staged::Blob(*id),
                    None => Staged::Absent,
                });
            let same = match (fixed.as_ref().unwrap_or(&staged[i]), t.head) {
                (Staged::Absent, None) => true,
                (Staged::Blob(s), Some(h)) => *s == h,
                _ => false,
            };
            if !same {
                return Err(StoreError::Dirty(t.path.into()));
            }
        }
        check_file(root, t.path, t.head, t.removing)?;
    }
    Ok(())
}

/// Index entries a concurrent git command put back behind the work tree and HEAD. git
/// reads the index before it locks it (`git commit -- PATH` does), so a git-desk commit
/// landing between the two has its entries overwritten with the old ones when git writes
/// the index back: the files and HEAD are right, the index shows a reverse change. Of the
/// `expected` entries (path → blob, none = absent), those whose index entry differs while
/// the file is exactly as expected, to be set in the index again.
pub(crate) fn clobbered(
    repo: &gix::Repository,
    root: &Path,
    index: &WorkIndex,
    expected: &[(String, Option<ObjectId>)],
) -> Result<Vec<(String, Option<ObjectId>)>> {
    let mut expected: Vec<&(String, Option<ObjectId>)> = expected.iter().collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    expected.dedup_by(|a, b| a.0 == b.0);
    let paths: Vec<&str> = expected.iter().map(|(p, _)| p.as_str()).collect();
    let Some(staged) = index.staged(repo, &paths)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for ((path, want), staged) in expected.into_iter().zip(staged) {
        let same = match (&staged, want) {
            (Staged::Absent, None) => true,
            (Staged::Blob(s), Some(w)) => s == w,
            _ => false,
        };
        if !same && check_file(root, path, *want, want.is_none()).is_ok() {
            out.push((path.clone(), *want));
        }
    }
    Ok(out)
}

/// Refuses when the file at `path` differs from `head` (the index is not consulted).
pub(crate) fn check_file(
    root: &Path,
    path: &str,
    head: Option<ObjectId>,
    removing: bool,
) -> Result<()> {
    refuse_links(root, path)?;
    let on_disk = blob_id_of_file(&root.join(path))?;
    let clean = match (on_disk, head) {
        (None, None) => true,
        (None, Some(_)) => removing,
        (Some(d), Some(h)) => d == h,
        (Some(_), None) => false,
    };
    if clean {
        Ok(())
    } else {
        Err(StoreError::Dirty(path.into()))
    }
}

/// Refuses a path whose directories inside the desk include a symbolic link: writing
/// through it would put a file outside the desk (a link may come from anyone's commit).
fn refuse_links(root: &Path, path: &str) -> Result<()> {
    let mut dir = root.to_path_buf();
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            break;
        }
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(StoreError::Invalid {
                    path: dir
                        .strip_prefix(root)
                        .unwrap_or(&dir)
                        .to_string_lossy()
                        .into_owned(),
                    message: "is a symbolic link; git-desk does not write through links".into(),
                })
            }
            Ok(m) if m.is_dir() => {}
            _ => break,
        }
    }
    Ok(())
}

fn blob_id_of_file(abs: &Path) -> Result<Option<ObjectId>> {
    let hash = gix::hash::Kind::Sha1;
    match std::fs::symlink_metadata(abs) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // A path through a file (`a.yaml/b`) is not there either.
        Err(e) if e.raw_os_error() == Some(20) => Ok(None),
        Err(e) => Err(StoreError::io(abs, e)),
        Ok(m) if !m.is_file() => Ok(Some(ObjectId::null(hash))),
        Ok(_) => {
            let data = std::fs::read(abs).map_err(|e| StoreError::io(abs, e))?;
            let id = gix::objs::compute_hash(hash, gix::objs::Kind::Blob, &data)
                .map_err(|e| StoreError::git("hashing a file", e))?;
            Ok(Some(id))
        }
    }
}

/// Writes a file so that a reader sees either the old or the new content, never a mix.
pub(crate) fn write_atomic(abs: &Path, bytes: &[u8]) -> Result<()> {
    let dir = abs.parent().expect("desk paths have a parent");
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let tmp = super::lock::aside(abs, "tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.flush()?;
        drop(f);
        std::fs::rename(&tmp, abs)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        StoreError::io(abs, e)
    })
}

/// Removes what a killed [`write_atomic`] may have left beside `path`: its temporary files
/// of other processes. Only for a caller holding the desk's write lock: every writer of such
/// files holds it, so no other process is writing one now (its pid may still look alive
/// for a moment while the killed process exits).
pub(crate) fn remove_dead_temporaries(root: &Path, path: &str) {
    super::lock::remove_strays(&root.join(path), |pid| pid != std::process::id());
}

/// What the commit changed, for the work tree.
pub(crate) struct Outcome<'a> {
    /// The new HEAD tree (to build an index from when there is none).
    pub tree: ObjectId,
    pub removals: &'a BTreeMap<String, ObjectId>,
    /// Paths written, with their bytes and blob ids.
    pub puts: &'a [(String, Vec<u8>)],
    pub blobs: &'a [ObjectId],
    /// Index entries set without touching their files (see [`clobbered`]).
    pub index_only: &'a [(String, Option<ObjectId>)],
    /// The desk's cache directory when the index being changed held nothing staged
    /// against the old HEAD ([`super::catalog::staged::known_clean`]): the new index is
    /// then recorded as holding nothing staged against `tree` either.
    pub staged_clean: Option<&'a Path>,
}

/// Brings the touched files and their index entries up to date, then releases `lock`
/// (`.git/index.lock`): the new index is written aside and renamed over `.git/index`
/// while the lock is still held, so git never sees a partial index.
pub(crate) fn update(
    repo: &gix::Repository,
    root: &Path,
    index: WorkIndex,
    lock: GitLock,
    done: Outcome<'_>,
) -> Result<()> {
    for path in done.removals.keys() {
        let abs = root.join(path);
        match std::fs::remove_file(&abs) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(abs, e)),
        }
        prune_empty_dirs(root, abs.parent());
        failpoint::hit("worktree.file");
    }
    let mut stats = Vec::with_capacity(done.puts.len());
    for (path, bytes) in done.puts {
        let abs = root.join(path);
        write_atomic(&abs, bytes)?;
        let meta = gix::index::fs::Metadata::from_path_no_follow(&abs)
            .map_err(|e| StoreError::io(&abs, e))?;
        stats.push(gix::index::entry::Stat::from_fs(&meta).unwrap_or_default());
        failpoint::hit("worktree.file");
    }
    let mut fixes = Vec::with_capacity(done.index_only.len());
    for (path, id) in done.index_only {
        let stat = match id {
            Some(_) => {
                let abs = root.join(path);
                let meta = gix::index::fs::Metadata::from_path_no_follow(&abs)
                    .map_err(|e| StoreError::io(&abs, e))?;
                gix::index::entry::Stat::from_fs(&meta).unwrap_or_default()
            }
            None => Default::default(),
        };
        fixes.push((path.as_str(), *id, stat));
    }
    let opts = index_options(repo);
    let skip_hash = opts.skip_hash;
    let index_path = repo.index_path();
    let index = match index {
        WorkIndex::Patch(file) => Ok(file),
        WorkIndex::Full(file) => Err(*file),
        // No index yet (a fresh repository): make it from the new tree.
        WorkIndex::Missing => Err(repo
            .index_from_tree(&done.tree)
            .map_err(|e| StoreError::git("building the index", e))?),
    };
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match index {
            Ok(file) => {
                let mut changes: Vec<(&str, Change<'_>)> = done
                    .removals
                    .keys()
                    .map(|p| (p.as_str(), Change::Remove))
                    .chain(
                        done.puts
                            .iter()
                            .zip(done.blobs.iter().zip(&stats))
                            .map(|((p, _), (id, stat))| (p.as_str(), Change::Put(*id, stat))),
                    )
                    .chain(fixes.iter().map(|(p, id, stat)| match id {
                        Some(id) => (*p, Change::Put(*id, stat)),
                        None => (*p, Change::Remove),
                    }))
                    .collect();
                changes.sort_by(|a, b| a.0.cmp(b.0));
                file.write(&mut &mut *w, &changes, opts)?;
            }
            Err(file) => write_full(file, &mut &mut *w, &done, &stats, &fixes, skip_hash)
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        }
        failpoint::hit("worktree.index-written");
        Ok(())
    };
    let staged_clean = done.staged_clean;
    let tree = done.tree;
    lock.commit(write, || {
        // Still under `.git/index.lock`: the index stat'ed is the one just written.
        if let Some(cache) = staged_clean {
            super::catalog::staged::record_clean(cache, &index_path, tree);
        }
        failpoint::hit("worktree.index-renamed")
    })
    .map_err(|e| StoreError::io(&index_path, e))
}

/// How the repository's configuration lets the index be written: git's `index.skipHash`,
/// and the split form only where git will not write a shared index with a null name
/// (see [`super::index`]) and `core.splitIndex` is not turned off.
fn index_options(repo: &gix::Repository) -> Options {
    let config = repo.config_snapshot();
    let skip_hash = config.boolean("index.skipHash").unwrap_or(false);
    let never_resplit = config.integer("splitIndex.maxPercentChange") == Some(100);
    let split_off = config.boolean("core.splitIndex") == Some(false);
    Options::new(skip_hash, !split_off && (never_resplit || !skip_hash))
}

/// The general path: every entry decoded, the touched ones changed, all written again.
fn write_full(
    mut index: gix::index::File,
    out: &mut impl Write,
    done: &Outcome<'_>,
    stats: &[gix::index::entry::Stat],
    fixes: &[(&str, Option<ObjectId>, gix::index::entry::Stat)],
    skip_hash: bool,
) -> Result<()> {
    let fixed_away = |p: &str| fixes.iter().any(|(f, id, _)| *f == p && id.is_none());
    if !done.removals.is_empty() || fixes.iter().any(|f| f.1.is_none()) {
        index.remove_entries(|_, p, _| {
            let p = p.to_str().unwrap_or("");
            done.removals.contains_key(p) || fixed_away(p)
        });
    }
    // Update existing entries first: the lookup is a binary search, which entries pushed
    // unsorted would break (a later path would then be pushed twice).
    let mut new_entries = Vec::new();
    let puts = done
        .puts
        .iter()
        .map(|(p, _)| p.as_str())
        .zip(done.blobs.iter().copied().zip(stats.iter().copied()));
    let fixed = fixes
        .iter()
        .filter_map(|(p, id, stat)| id.map(|id| (*p, (id, *stat))));
    for (path, (blob, stat)) in puts.chain(fixed) {
        match index.entry_index_by_path(path.as_bytes().as_bstr()) {
            Ok(i) => {
                let e = &mut index.entries_mut()[i];
                e.id = blob;
                e.stat = stat;
            }
            Err(_) => new_entries.push((path, blob, stat)),
        }
    }
    for (path, blob, stat) in new_entries {
        index.dangerously_push_entry(
            stat,
            blob,
            gix::index::entry::Flags::empty(),
            gix::index::entry::Mode::FILE,
            path.as_bytes().as_bstr(),
        );
    }
    index.sort_entries();
    // A stale cache tree would make `git commit` write wrong trees.
    index.remove_tree();
    index
        .write_to(
            out,
            gix::index::write::Options {
                skip_hash,
                ..Default::default()
            },
        )
        .map_err(|e| StoreError::git("writing the index", e))?;
    Ok(())
}

fn prune_empty_dirs(root: &Path, mut dir: Option<&Path>) {
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) {
            break;
        }
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
