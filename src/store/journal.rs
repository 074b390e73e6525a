//! Crash safety: the journal of a mutation in flight, and roll-forward recovery.
//!
//! A mutation of a work-tree desk writes, in this order: the objects (blobs, trees, the
//! commit), the journal (`<cache>/journal`: the branch, the commit it expects and the one
//! it makes), the branch (a compare-and-swap under git's ref lock), the touched files, the
//! index (renamed over `.git/index` while git-desk still holds `.git/index.lock`), and
//! finally it removes the journal and its locks. A process killed anywhere in between
//! leaves at most the journal and lock files whose content names git-desk (see
//! [`super::lock`]); git refuses to commit while `index.lock` is there, so plain git cannot
//! build on the half-done state.
//!
//! The next git-desk command, whatever it is, finishes the job before doing anything else
//! ([`Desk::recover`]): it removes the dead process's locks, then
//! - branch at the new commit: rolls forward — files still as in the old commit (or
//!   missing) get the new content, and their index entries the new blobs; a file changed by
//!   hand since is left alone and named;
//! - branch still at the old commit: the change never happened (it was never acknowledged)
//!   and nothing in the work tree was touched; the journal goes;
//! - branch elsewhere (moved by hand since): the journal goes, and the message names the
//!   interrupted commit so that nothing is lost.
//!
//! After recovery `git status` is clean and every committed file is in the work tree and
//! the index. A bare desk has no work tree: only its dead locks are removed.

use std::path::PathBuf;

use gix::ObjectId;

use super::branch;
use super::desk::{Desk, DeskKind};
use super::diff::{changes, tree_of, PathChange};
use super::error::{Result, StoreError};
use super::lock::{self, lock_wait, ForeignLock, GitLock, OsLock};
use super::worktree::{self, WorkIndex};

const JOURNAL: &str = "journal";
/// The last finished mutations (old and new commit each), for [`Desk::last_changes`].
const LAST: &str = "last";
/// How many finished mutations [`LAST`] remembers.
const LAST_KEPT: usize = 4;
/// The largest mutation whose index entries the next ones look at again.
const LAST_PATHS_MAX: usize = 2_000;
const WRITE_LOCK: &str = "write.lock";

/// A mutation in flight: the branch it moves, from where to where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub branch: String,
    pub old: Option<ObjectId>,
    pub new: ObjectId,
}

impl Entry {
    fn render(&self) -> String {
        let old = self
            .old
            .map(|o| o.to_string())
            .unwrap_or_else(|| "-".into());
        format!("git-desk journal 1\n{}\n{old}\n{}\n", self.branch, self.new)
    }

    /// The files the mutation changed (old tree → new tree).
    fn changes(&self, repo: &gix::Repository) -> Result<Vec<PathChange>> {
        let old = match self.old {
            Some(o) => tree_of(repo, o)?,
            None => ObjectId::empty_tree(repo.object_hash()),
        };
        changes(repo, old, tree_of(repo, self.new)?)
    }

    fn parse(text: &str) -> Option<Entry> {
        let mut lines = text.lines();
        if lines.next()? != "git-desk journal 1" {
            return None;
        }
        let branch = lines.next()?.to_owned();
        let old = match lines.next()? {
            "-" => None,
            hex => Some(ObjectId::from_hex(hex.as_bytes()).ok()?),
        };
        let new = ObjectId::from_hex(lines.next()?.as_bytes()).ok()?;
        Some(Entry { branch, old, new })
    }
}

/// What recovery did, for the one line the command prints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recovered {
    /// Lock files of dead git-desk processes that were removed.
    pub removed_locks: Vec<PathBuf>,
    /// The interrupted commit and its subject, when a journal was found.
    pub commit: Option<(String, String)>,
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The branch had moved: `files` files and index entries brought up to date, `left`
    /// files changed by hand since and left alone.
    Finished { files: usize, left: Vec<String> },
    /// The branch never moved: nothing to finish.
    NeverCommitted,
    /// The branch moved elsewhere since (by hand): nothing touched.
    Superseded { head: String },
}

impl Recovered {
    pub fn is_empty(&self) -> bool {
        self.removed_locks.is_empty() && self.outcome.is_none()
    }

    /// One line saying what was done.
    pub fn summary(&self) -> String {
        let what = match &self.commit {
            Some((id, subject)) => format!("commit {} ({subject})", &id[..id.len().min(10)]),
            None => "a change".into(),
        };
        match &self.outcome {
            Some(Outcome::Finished { files, left }) if left.is_empty() => format!(
                "finished an interrupted change: {what}; {files} file(s) and index entries brought up to date"
            ),
            Some(Outcome::Finished { files, left }) => format!(
                "finished an interrupted change: {what}; {files} file(s) brought up to date, {} changed by hand since and left alone: {}",
                left.len(),
                left.join(", ")
            ),
            Some(Outcome::NeverCommitted) => format!(
                "an interrupted change never reached the branch and was dropped ({what}); nothing else was touched"
            ),
            Some(Outcome::Superseded { head }) => format!(
                "an interrupted change is not on the branch, which has moved since to {head}: {what} is kept in the repository (`git cherry-pick` it if it is missing)"
            ),
            None => format!(
                "removed {} lock file(s) left by an interrupted git-desk command",
                self.removed_locks.len()
            ),
        }
    }
}

impl Desk {
    fn journal_path(&self) -> PathBuf {
        self.cache_dir().join(JOURNAL)
    }

    /// git-desk's own lock on changing this desk, held for a whole mutation.
    pub(crate) fn write_lock(&self, wait: std::time::Duration) -> Result<OsLock> {
        OsLock::acquire(&self.cache_dir().join(WRITE_LOCK), wait)
    }

    /// The locks of a mutation, in order: git-desk's write lock (finishing what an
    /// interrupted command left first), the branch it may change (see
    /// [`branch::for_mutation`]), and git's index lock for a work tree.
    pub(crate) fn lock_for_mutation(
        &self,
        repo: &gix::Repository,
        allow_unborn: bool,
    ) -> Result<(OsLock, branch::Branch, Option<GitLock>)> {
        let held = self.write_lock(lock_wait())?;
        if self.may_need_recovery() {
            self.recover_locked(&held)?;
        }
        let branch = branch::for_mutation(repo, allow_unborn)?;
        let index_lock = match self.kind() {
            DeskKind::WorkTree => Some(GitLock::acquire(&repo.index_path(), lock_wait())?),
            _ => None,
        };
        Ok((held, branch, index_lock))
    }

    /// Moves the branch as `entry` says, journalled: for a work tree the journal is written
    /// before the branch moves and finished once `update` has brought the files and index
    /// along (`update` is none for a bare desk, which has neither). A branch that moved
    /// meanwhile is refused and nothing is left behind.
    pub(crate) fn land(
        &self,
        repo: &gix::Repository,
        entry: &Entry,
        mover: &branch::Mover<'_>,
        reflog: &str,
        update: Option<impl FnOnce() -> Result<()>>,
    ) -> Result<()> {
        if update.is_some() {
            self.write_journal(entry)?;
            crate::failpoint::hit("tx.journal-written");
        }
        if let Err(e) = branch::move_to(repo, &entry.branch, entry.old, entry.new, mover, reflog) {
            self.clear_journal();
            return Err(e);
        }
        if let Some(update) = update {
            update()?;
            crate::failpoint::hit("tx.done");
            self.finish_journal(entry);
        }
        Ok(())
    }

    fn write_journal(&self, e: &Entry) -> Result<()> {
        let p = self.journal_path();
        let tmp = p.with_extension("tmp");
        std::fs::create_dir_all(self.cache_dir()).map_err(|e| StoreError::io(&p, e))?;
        std::fs::write(&tmp, e.render()).map_err(|e| StoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, &p).map_err(|e| StoreError::io(&p, e))
    }

    fn clear_journal(&self) {
        let _ = std::fs::remove_file(self.journal_path());
    }

    /// Records the mutation just finished, and clears its journal.
    fn finish_journal(&self, e: &Entry) {
        let p = self.cache_dir().join(LAST);
        let mut kept = self.last_entries();
        kept.push(e.clone());
        let from = kept.len().saturating_sub(LAST_KEPT);
        let text: String = kept[from..].iter().map(Entry::render).collect();
        let tmp = p.with_extension("tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &p);
        }
        self.clear_journal();
    }

    fn last_entries(&self) -> Vec<Entry> {
        let text = std::fs::read_to_string(self.cache_dir().join(LAST)).unwrap_or_default();
        text.split_inclusive("\n")
            .collect::<Vec<_>>()
            .chunks(4)
            .filter_map(|c| Entry::parse(&c.concat()))
            .collect()
    }

    /// The files the last finished mutations wrote (path → blob, none = removed) that
    /// `head` (the branch's tree now) still holds as written, for repairing index entries a
    /// concurrent git command put back ([`worktree::clobbered`]). Empty when unknown.
    pub(crate) fn recent_writes(
        &self,
        repo: &gix::Repository,
        head: &super::source::TreeSource,
    ) -> Vec<(String, Option<ObjectId>)> {
        self.last_changes(repo)
            .into_iter()
            .filter(|(p, want)| {
                head.entry(p)
                    .ok()
                    .map(|e| e.filter(|(_, tree)| !tree).map(|(id, _)| id))
                    == Some(*want)
            })
            .collect()
    }

    fn last_changes(&self, repo: &gix::Repository) -> Vec<(String, Option<ObjectId>)> {
        let mut out = std::collections::BTreeMap::new();
        // Newest last, so that a later mutation's blob wins for a path both wrote.
        for e in self.last_entries() {
            let list = e.changes(repo).unwrap_or_default();
            // A mass action's thousands of files are not looked at again by every later
            // command.
            if list.len() > LAST_PATHS_MAX {
                continue;
            }
            for c in list {
                out.insert(c.path, c.new);
            }
        }
        out.into_iter().collect()
    }

    /// Sets again the index entries of the last mutation's files that a concurrent git
    /// command put back (see [`worktree::clobbered`]); for `check`. Returns how many.
    pub fn repair_index(&self) -> Result<usize> {
        let Some(repo) = self.repo() else {
            return Ok(0);
        };
        if self.kind() != DeskKind::WorkTree {
            return Ok(0);
        }
        let held = self.write_lock(lock_wait())?;
        if self.may_need_recovery() {
            self.recover_locked(&held)?;
        }
        let index_lock = GitLock::acquire(&repo.index_path(), lock_wait())?;
        let Some(head) = self.head_tree()? else {
            return Ok(0);
        };
        let base = super::source::TreeSource::new(repo.clone(), head);
        let expected = self.recent_writes(repo, &base);
        for (path, _) in &expected {
            worktree::remove_dead_temporaries(self.root(), path);
        }
        let index = WorkIndex::open(repo)?;
        let fixes = worktree::clobbered(repo, self.root(), &index, &expected)?;
        if fixes.is_empty() {
            return Ok(0);
        }
        let done = worktree::Outcome {
            tree: head,
            removals: &Default::default(),
            puts: &[],
            blobs: &[],
            index_only: &fixes,
            staged_clean: None,
        };
        worktree::update(repo, self.root(), index, index_lock, done)?;
        Ok(fixes.len())
    }

    /// The git files whose locks a mutation takes: the index (work tree) and the branch.
    fn lockable(&self, branch: Option<&str>) -> Vec<PathBuf> {
        let Some(repo) = self.repo() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if self.kind() == DeskKind::WorkTree {
            out.push(repo.index_path());
        }
        let head = repo
            .head_name()
            .ok()
            .flatten()
            .map(|n| n.as_bstr().to_string());
        for b in branch.map(str::to_owned).into_iter().chain(head) {
            let f = branch::ref_file(repo, &b);
            if !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }

    /// Whether an interrupted command may have left something to finish (a few `stat`s).
    pub fn may_need_recovery(&self) -> bool {
        self.repo().is_some()
            && (self.journal_path().exists()
                || self
                    .lockable(None)
                    .iter()
                    .any(|r| lock::lock_path(r).exists()))
    }

    /// Finishes whatever an interrupted git-desk command left (see the module docs), unless
    /// another git-desk command is changing the desk right now (then it is not interrupted,
    /// and nothing is done). Returns what was done.
    pub fn recover(&self) -> Result<Recovered> {
        if !self.may_need_recovery() {
            return Ok(Recovered::default());
        }
        let lock = match self.write_lock(std::time::Duration::ZERO) {
            Ok(l) => l,
            Err(StoreError::Busy { .. }) => return Ok(Recovered::default()),
            Err(e) => return Err(e),
        };
        self.recover_locked(&lock)
    }

    /// [`recover`](Self::recover) for a caller that holds the write lock.
    pub(crate) fn recover_locked(&self, _held: &OsLock) -> Result<Recovered> {
        let mut done = Recovered::default();
        let Some(repo) = self.repo() else {
            return Ok(done);
        };
        let entry = std::fs::read_to_string(self.journal_path())
            .ok()
            .and_then(|t| Entry::parse(&t));
        let (removed, _foreign) =
            lock::clear_dead_locks(&self.lockable(entry.as_ref().map(|e| e.branch.as_str())));
        done.removed_locks = removed;
        let Some(entry) = entry else {
            self.clear_journal();
            return Ok(done);
        };
        done.commit = Some((entry.new.to_string(), subject_of(repo, entry.new)));
        let work_tree = self.kind() == DeskKind::WorkTree;
        let changed = if work_tree {
            entry.changes(repo)?
        } else {
            Vec::new()
        };
        // Temporary files of a killed write of those files are garbage, whatever became of
        // the commit (this process holds the write lock every such writer holds).
        for ch in &changed {
            worktree::remove_dead_temporaries(self.root(), &ch.path);
        }
        let now = branch::tip(repo, &entry.branch)?;
        let outcome = if now == Some(entry.new) {
            if work_tree {
                self.roll_forward(repo, &entry, changed)?
            } else {
                Outcome::Finished {
                    files: 0,
                    left: vec![],
                }
            }
        } else if now == entry.old {
            Outcome::NeverCommitted
        } else {
            Outcome::Superseded {
                head: now
                    .map(|h| h.to_hex_with_len(10).to_string())
                    .unwrap_or_else(|| "nothing".into()),
            }
        };
        done.outcome = Some(outcome);
        self.clear_journal();
        Ok(done)
    }

    /// Brings the files and index entries of every path the interrupted commit `changed` to
    /// the new commit, leaving files changed by hand since alone.
    fn roll_forward(
        &self,
        repo: &gix::Repository,
        entry: &Entry,
        changed: Vec<PathChange>,
    ) -> Result<Outcome> {
        let index_lock = GitLock::acquire(&repo.index_path(), lock_wait())?;
        let new_tree = tree_of(repo, entry.new)?;
        let mut list = Vec::new();
        let mut left = Vec::new();
        for ch in changed {
            let as_old =
                worktree::check_file(self.root(), &ch.path, ch.old, ch.new.is_none()).is_ok();
            let as_new = worktree::check_file(self.root(), &ch.path, ch.new, true).is_ok();
            if as_old || as_new {
                list.push(ch);
            } else {
                left.push(ch.path);
            }
        }
        let index = WorkIndex::open(repo).unwrap_or(WorkIndex::Missing);
        let files = list.len();
        super::advance::sync_worktree(self, repo, index, new_tree, index_lock, &list, None)?;
        Ok(Outcome::Finished { files, left })
    }

    /// git's lock files in the way of the next mutation that git-desk did not make: for
    /// `check` to report with their age.
    pub fn foreign_locks(&self) -> Vec<ForeignLock> {
        self.lockable(None)
            .iter()
            .filter_map(|r| lock::foreign(&lock::lock_path(r)))
            .collect()
    }
}

fn subject_of(repo: &gix::Repository, id: ObjectId) -> String {
    repo.find_commit(id)
        .ok()
        .and_then(|c| {
            c.message_raw().ok().map(|m| {
                String::from_utf8_lossy(m)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_entries_round_trip_and_garbage_is_ignored() {
        let id = ObjectId::from_hex(b"0123456789abcdef0123456789abcdef01234567").unwrap();
        for old in [None, Some(id)] {
            let e = Entry {
                branch: "refs/heads/main".into(),
                old,
                new: id,
            };
            assert_eq!(Entry::parse(&e.render()), Some(e));
        }
        assert_eq!(Entry::parse("junk"), None);
        assert_eq!(
            Entry::parse("git-desk journal 1\nrefs/heads/main\n-\nzz\n"),
            None
        );
    }
}
