//! A transaction: one mutation of the desk, made into exactly one commit.
//!
//! `Desk::begin` takes git-desk's own lock (an OS lock under the cache directory), finishes
//! whatever an interrupted command left ([`super::journal`]), refuses a detached HEAD, and
//! takes git's `.git/index.lock` (work tree) so that git and git-desk exclude each other;
//! both are held until the transaction commits or is dropped (the rules: [`super::lock`]). Reads inside the transaction see HEAD as it was
//! when the lock was taken plus the transaction's own staged edits, so two processes never
//! base a change on the same stale state.
//!
//! `commit` then, in this order: refuses if any touched path has uncommitted edits in the
//! work tree or the index; writes the blobs and edits only the touched paths of HEAD's
//! tree; writes the commit; moves the branch with a compare-and-swap (expected = the HEAD
//! read under the lock), after journalling what the work tree must become; and finally brings
//! the touched files and their index entries up to date, leaving every other index entry
//! and file alone, and removes the journal. Dropping a transaction without
//! committing releases the lock and writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;
use gix::ObjectId;

use super::branch::{Branch, Mover};
use super::commit::{CommitMessage, Identity};
use super::desk::{Desk, DeskKind};
use super::error::{Result, StoreError};
use super::journal::Entry;
use super::lock::{GitLock, OsLock};
use super::source::{DirEntry, Source, TreeSource};
use super::worktree::{self, Touched, WorkIndex};
use crate::failpoint;
use crate::model::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Edit {
    Put(Vec<u8>),
    Remove,
    /// Remove a whole directory (its files in the base tree).
    RemoveTree,
}

pub struct Transaction<'d> {
    desk: &'d Desk,
    /// `.git/index.lock` (work tree only), released when the new index is in place (or,
    /// dropped, before `_held`: fields drop in order).
    index_lock: Option<GitLock>,
    branch: Branch,
    parent: Option<ObjectId>,
    base: TreeSource,
    edits: BTreeMap<String, Edit>,
    now: Timestamp,
    /// git-desk's own lock, held until the transaction ends.
    _held: OsLock,
}

impl Desk {
    /// Starts a mutation: takes the locks, finishes what an interrupted command left,
    /// then reads the branch. Refuses a detached HEAD or a branch with no commit.
    pub fn begin(&self, now: Timestamp) -> Result<Transaction<'_>> {
        self.start(now, false)
    }

    /// [`begin`](Self::begin) for the first commit of a desk (`init`): the branch may have
    /// no commit yet.
    pub fn begin_initial(&self, now: Timestamp) -> Result<Transaction<'_>> {
        self.start(now, true)
    }

    fn start(&self, now: Timestamp, allow_unborn: bool) -> Result<Transaction<'_>> {
        let repo = match self.repo() {
            Some(r) => r.clone(),
            None => return Err(StoreError::ReadOnly(self.root().to_path_buf())),
        };
        let (held, branch, index_lock) = self.lock_for_mutation(&repo, allow_unborn)?;
        failpoint::hit("tx.locked");
        // Read from disk under the locks: nothing can move the branch now but a plain git
        // command that does not take the index lock (which the final compare-and-swap
        // catches).
        let parent = super::branch::tip(&repo, &branch.name)?;
        let tree = match parent {
            Some(p) => repo
                .find_commit(p)
                .and_then(|c| c.tree_id())
                .map_err(|e| StoreError::git("reading HEAD's tree", e))?
                .detach(),
            None => ObjectId::empty_tree(repo.object_hash()),
        };
        Ok(Transaction {
            desk: self,
            index_lock,
            branch,
            parent,
            base: TreeSource::new(repo, tree),
            edits: BTreeMap::new(),
            now,
            _held: held,
        })
    }
}

impl Transaction<'_> {
    pub fn desk(&self) -> &Desk {
        self.desk
    }

    /// The clock of this mutation.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// HEAD when the transaction began (none for an empty repository).
    pub fn parent(&self) -> Option<ObjectId> {
        self.parent
    }

    /// Stages `bytes` as the new content of `path`.
    pub fn put(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.edits.insert(path.into(), Edit::Put(bytes.into()));
    }

    /// Stages the removal of the file `path`.
    pub fn remove(&mut self, path: impl Into<String>) {
        self.edits.insert(path.into(), Edit::Remove);
    }

    /// Stages the removal of directory `dir` with everything in it.
    pub fn remove_dir(&mut self, dir: impl Into<String>) {
        let dir = dir.into();
        let prefix = format!("{dir}/");
        self.edits.retain(|p, _| !p.starts_with(&prefix));
        self.edits.insert(dir, Edit::RemoveTree);
    }

    /// Whether anything is staged.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Paths staged so far (for reports and tests).
    pub fn touched(&self) -> Vec<String> {
        self.edits.keys().cloned().collect()
    }

    /// Whether a directory above `path` is staged for removal (looked up per ancestor, so
    /// a read stays cheap however many edits a large transaction holds).
    fn removed_by_tree(&self, path: &str) -> bool {
        path.match_indices('/')
            .any(|(i, _)| self.edits.get(&path[..i]) == Some(&Edit::RemoveTree))
    }

    /// The staged edits at or below `prefix` (all of them for ""), in path order.
    fn edits_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a String, &'a Edit)> {
        use std::ops::Bound;
        self.edits
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(p, _)| p.starts_with(prefix))
    }

    /// Makes the commit. Returns `None` (and makes no commit) when nothing changed.
    pub fn commit(mut self, who: &Identity, message: &CommitMessage) -> Result<Option<ObjectId>> {
        if self.edits.is_empty() {
            return Ok(None);
        }
        let repo = self.base.repo();
        let base_tree = self.base.tree_id();

        // Every file the commit touches, with its blob in the base tree.
        let mut removals: BTreeMap<String, ObjectId> = BTreeMap::new();
        let mut puts: Vec<(String, Vec<u8>)> = Vec::new();
        for (path, edit) in std::mem::take(&mut self.edits) {
            match edit {
                Edit::RemoveTree => {
                    for (p, id) in self.base.files_under(&path)? {
                        removals.insert(p, id);
                    }
                }
                Edit::Remove => {
                    if let Some((id, false)) = self.base.entry(&path)? {
                        removals.insert(path, id);
                    }
                }
                Edit::Put(bytes) => puts.push((path, bytes)),
            }
        }
        for (p, _) in &puts {
            removals.remove(p);
        }

        // 1. The work tree must not hold uncommitted edits of anything we touch.
        let worktree = match self.desk.kind() {
            DeskKind::WorkTree => Some(self.desk.root().to_path_buf()),
            _ => None,
        };
        let (index, fixes) = match &worktree {
            Some(root) => {
                let (index, fixes) = self.check_worktree(root, &removals, &puts)?;
                (Some(index), fixes)
            }
            None => (None, Vec::new()),
        };

        // 2. Objects: blobs, the edited tree, the commit.
        // The plumbing editor: gix's own checks that every entry of every rewritten tree
        // exists (a thousand lookups for a full ticket bucket) are not needed for trees
        // whose only new entries are the blobs written just now; the paths are checked here.
        let mut editor = repo
            .edit_tree(base_tree)
            .map_err(|e| StoreError::git("editing the tree", e))?
            .detach();
        for path in removals.keys() {
            editor
                .remove(components(path)?)
                .map_err(|e| StoreError::git(format!("removing {path}"), e))?;
        }
        let mut blobs = Vec::with_capacity(puts.len());
        for (path, bytes) in &puts {
            let id = repo
                .write_blob(bytes)
                .map_err(|e| StoreError::git(format!("writing {path}"), e))?
                .detach();
            editor
                .upsert(components(path)?, EntryKind::Blob, id)
                .map_err(|e| StoreError::git(format!("adding {path}"), e))?;
            blobs.push(id);
        }
        failpoint::hit("tx.blobs-written");
        let tree = editor
            .write(|t| repo.write_object(t).map(|id| id.detach()))
            .map_err(|e| StoreError::git("writing the tree", e))?;
        if Some(tree) == self.parent.map(|_| base_tree) {
            return Ok(None);
        }
        let sig = gix::actor::Signature {
            name: who.name.as_str().into(),
            email: who.email.as_str().into(),
            time: gix::date::Time {
                seconds: self.now.unix(),
                offset: 0,
            },
        };
        let text = message.render();
        let commit = gix::objs::Commit {
            tree,
            parents: self.parent.into_iter().collect(),
            author: sig.clone(),
            committer: sig.clone(),
            encoding: None,
            message: text.as_str().into(),
            extra_headers: vec![],
        };
        let commit = super::sign::sign_if_asked(repo, commit)?;
        let id = repo
            .write_object(&commit)
            .map_err(|e| StoreError::git("writing the commit", e))?
            .detach();

        failpoint::hit("tx.commit-written");

        // 3. The branch, only if it is still where we read it, journalled; then the work
        // tree and index, for the touched paths only.
        let entry = Entry {
            branch: self.branch.name.clone(),
            old: self.parent,
            new: id,
        };
        let mover = Mover {
            name: &who.name,
            email: &who.email,
            seconds: self.now.unix(),
        };
        let reflog = format!("git-desk: {}", message.subject.lines().next().unwrap_or(""));
        let index_lock = self.index_lock.take();
        // The same changes go into the tree and the index: an index that held nothing
        // staged against the base holds nothing staged against the new tree.
        let cache = self.desk.cache_dir();
        let clean = worktree.is_some()
            && fixes.is_empty()
            && super::catalog::staged::known_clean(&cache, &repo.index_path(), base_tree);
        let update = match (&worktree, index, index_lock) {
            (Some(root), Some(index), Some(lock)) => Some(move || {
                let done = worktree::Outcome {
                    tree,
                    removals: &removals,
                    puts: &puts,
                    blobs: &blobs,
                    index_only: &fixes,
                    staged_clean: clean.then_some(cache.as_path()),
                };
                worktree::update(repo, root, index, lock, done)
            }),
            _ => None,
        };
        self.desk.land(repo, &entry, &mover, &reflog, update)?;
        Ok(Some(id))
    }
}

impl Transaction<'_> {
    /// Step 1 of a work tree's commit: refuses when a touched path has uncommitted edits
    /// in the index or the file. Returns the index, and the entries of recent mutations
    /// that a concurrent git command put back (see [`worktree::clobbered`]), which the
    /// commit sets again in its own index write and which count as repaired here.
    fn check_worktree(
        &self,
        root: &Path,
        removals: &BTreeMap<String, ObjectId>,
        puts: &[(String, Vec<u8>)],
    ) -> Result<(WorkIndex, worktree::IndexFixes)> {
        let repo = self.base.repo();
        let index = WorkIndex::open(repo)?;
        // Temporary files of a killed write beside the files about to be written are
        // garbage: this process holds the write lock every such writer holds.
        for path in removals.keys().chain(puts.iter().map(|(p, _)| p)) {
            worktree::remove_dead_temporaries(root, path);
        }
        let mut touched = Vec::with_capacity(removals.len() + puts.len());
        for (path, id) in removals {
            touched.push(Touched {
                path,
                head: Some(*id),
                removing: true,
            });
        }
        for (path, _) in puts {
            let head = self
                .base
                .entry(path)?
                .filter(|(_, is_tree)| !is_tree)
                .map(|(id, _)| id);
            touched.push(Touched {
                path,
                head,
                removing: false,
            });
        }
        let expected = self.desk.recent_writes(repo, &self.base);
        let mut fixes = worktree::clobbered(repo, root, &index, &expected)?;
        worktree::check_clean(repo, root, &index, &mut touched, &fixes)?;
        let mine: BTreeSet<&str> = touched.iter().map(|t| t.path).collect();
        fixes.retain(|(p, _)| !mine.contains(p.as_str()));
        Ok((index, fixes))
    }
}

/// The components of a desk path, each one a name git accepts in a tree.
fn components(path: &str) -> Result<Vec<&str>> {
    let parts: Vec<&str> = path.split('/').collect();
    for c in &parts {
        gix::validate::path::component(c.as_bytes().as_bstr(), None, Default::default())
            .map_err(|e| StoreError::git(format!("the path {path}"), e))?;
    }
    Ok(parts)
}

impl Source for Transaction<'_> {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.edits.get(path) {
            Some(Edit::Put(b)) => return Ok(Some(b.clone())),
            Some(Edit::Remove) | Some(Edit::RemoveTree) => return Ok(None),
            None => {}
        }
        if self.removed_by_tree(path) {
            return Ok(None);
        }
        self.base.read(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<DirEntry>> {
        if self.edits.get(dir) == Some(&Edit::RemoveTree) || self.removed_by_tree(dir) {
            return Ok(self.staged_children(dir));
        }
        let mut set: BTreeSet<DirEntry> = self.base.list(dir)?.into_iter().collect();
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        for (p, e) in self.edits_under(&prefix) {
            let Some(rest) = p.strip_prefix(&prefix) else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            match (rest.split_once('/'), e) {
                (None, Edit::Put(_)) => {
                    set.insert(DirEntry {
                        name: rest.into(),
                        is_dir: false,
                    });
                }
                (None, Edit::Remove) => {
                    set.remove(&DirEntry {
                        name: rest.into(),
                        is_dir: false,
                    });
                }
                (None, Edit::RemoveTree) => {
                    let below = format!("{p}/");
                    let has_puts = self
                        .edits_under(&below)
                        .any(|(_, e)| matches!(e, Edit::Put(_)));
                    if !has_puts {
                        set.remove(&DirEntry {
                            name: rest.into(),
                            is_dir: true,
                        });
                    }
                }
                (Some((first, _)), Edit::Put(_)) => {
                    set.insert(DirEntry {
                        name: first.into(),
                        is_dir: true,
                    });
                }
                _ => {}
            }
        }
        Ok(set
            .into_iter()
            .filter(|e| !e.name.starts_with('.'))
            .collect())
    }
}

impl Transaction<'_> {
    /// Children of `dir` that exist only through staged puts.
    fn staged_children(&self, dir: &str) -> Vec<DirEntry> {
        let prefix = format!("{dir}/");
        let mut set = BTreeSet::new();
        for (p, e) in self.edits_under(&prefix) {
            if let (Some(rest), Edit::Put(_)) = (p.strip_prefix(&prefix), e) {
                match rest.split_once('/') {
                    None => set.insert(DirEntry {
                        name: rest.into(),
                        is_dir: false,
                    }),
                    Some((first, _)) => set.insert(DirEntry {
                        name: first.into(),
                        is_dir: true,
                    }),
                };
            }
        }
        set.into_iter().collect()
    }
}

/// The path of a file inside the work tree, for callers that need it on disk.
pub fn abs_path(root: &Path, rel: &str) -> PathBuf {
    root.join(rel)
}

impl Transaction<'_> {
    /// Stages a document in its canonical YAML form.
    pub fn put_yaml<T: serde::Serialize + crate::model::Document>(
        &mut self,
        path: impl Into<String>,
        value: &T,
    ) {
        self.put(path, super::yaml::to_bytes(value));
    }
}
