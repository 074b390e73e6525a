//! Moving the desk's branch to a commit made elsewhere (a fast-forward or a replayed chain
//! from `sync`), with the work tree and index brought along for exactly the paths that
//! differ — the same guarantees as a transaction: git's lock held throughout, a
//! compare-and-swap of the branch, refusal when a path to change has uncommitted edits.
//!
//! A journal (`<git dir>/desk/advance.journal`: old and new commit) is written before the
//! branch moves and removed once the work tree has caught up, so a process killed in
//! between is finished by [`Desk::recover`] on the next sync instead of leaving the work
//! tree looking like a reverse edit.

use std::collections::BTreeMap;

use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::Target;
use gix::ObjectId;

use super::desk::{Desk, DeskKind};
use super::diff::{changes, tree_of};
use super::error::{Result, StoreError};
use super::worktree::{self, Touched, WorkIndex};

const JOURNAL: &str = "advance.journal";

impl Desk {
    /// Moves HEAD's branch from `expected` to `new` and updates the work tree and index.
    pub fn advance(&self, expected: ObjectId, new: ObjectId, reflog: &str) -> Result<()> {
        let repo = self
            .repo()
            .ok_or_else(|| StoreError::ReadOnly(self.root().to_path_buf()))?
            .clone();
        let lock_target = match self.kind() {
            DeskKind::WorkTree => repo.index_path(),
            _ => repo.git_dir().join("desk-transaction"),
        };
        let lock = super::stale::acquire_lock(&lock_target, super::tx::LOCK_WAIT)?;
        let head = repo
            .head_id()
            .map_err(|e| StoreError::git("reading HEAD", e))?
            .detach();
        if head != expected {
            return Err(StoreError::Moved {
                expected: expected.to_string(),
            });
        }
        let old_tree = tree_of(&repo, expected)?;
        let new_tree = tree_of(&repo, new)?;
        let list = changes(&repo, old_tree, new_tree)?;

        let mut index = None;
        if self.kind() == DeskKind::WorkTree {
            let idx = WorkIndex::open(&repo)?;
            let mut touched: Vec<Touched<'_>> = list
                .iter()
                .map(|ch| Touched {
                    path: &ch.path,
                    head: ch.old,
                    removing: ch.new.is_none(),
                })
                .collect();
            worktree::check_clean(&repo, self.root(), &idx, &mut touched)?;
            index = Some(idx);
            self.write_journal(expected, new)?;
        }
        move_branch(&repo, expected, new, reflog)?;
        if let Some(index) = index {
            sync_worktree(self, &repo, index, new_tree, lock, &list)?;
            self.clear_journal();
        }
        Ok(())
    }

    fn journal_path(&self) -> std::path::PathBuf {
        self.cache_dir().join(JOURNAL)
    }

    fn write_journal(&self, old: ObjectId, new: ObjectId) -> Result<()> {
        let p = self.journal_path();
        std::fs::create_dir_all(p.parent().expect("journal has a parent"))
            .map_err(|e| StoreError::io(&p, e))?;
        std::fs::write(&p, format!("{old} {new}\n")).map_err(|e| StoreError::io(&p, e))
    }

    fn clear_journal(&self) {
        let _ = std::fs::remove_file(self.journal_path());
    }

    /// Finishes an [`advance`](Self::advance) that was interrupted after the branch moved:
    /// files still as they were in the old commit (or missing) get the new content; files
    /// changed by hand meanwhile are left alone. Returns whether there was anything to do.
    pub fn recover(&self) -> Result<bool> {
        let p = self.journal_path();
        let Ok(text) = std::fs::read_to_string(&p) else {
            return Ok(false);
        };
        let repo = self
            .repo()
            .ok_or_else(|| StoreError::ReadOnly(self.root().to_path_buf()))?
            .clone();
        let mut ids = text
            .split_whitespace()
            .filter_map(|s| ObjectId::from_hex(s.as_bytes()).ok());
        let (Some(old), Some(new)) = (ids.next(), ids.next()) else {
            self.clear_journal();
            return Ok(false);
        };
        let head = repo
            .head_id()
            .map_err(|e| StoreError::git("reading HEAD", e))?
            .detach();
        if head != new || self.kind() != DeskKind::WorkTree {
            // The branch never moved (or moved on): the work tree still matches HEAD.
            self.clear_journal();
            return Ok(false);
        }
        let lock = super::stale::acquire_lock(&repo.index_path(), super::tx::LOCK_WAIT)?;
        let (old_tree, new_tree) = (tree_of(&repo, old)?, tree_of(&repo, new)?);
        // Files still old (or missing) get the new content; files already new only need
        // their index entry; files changed by hand meanwhile are left alone.
        let list: Vec<_> = changes(&repo, old_tree, new_tree)?
            .into_iter()
            .filter(|ch| {
                let as_old =
                    worktree::check_file(self.root(), &ch.path, ch.old, ch.new.is_none()).is_ok();
                let as_new = worktree::check_file(self.root(), &ch.path, ch.new, true).is_ok();
                as_old || as_new
            })
            .collect();
        let index = WorkIndex::open(&repo).unwrap_or(WorkIndex::Missing);
        sync_worktree(self, &repo, index, new_tree, lock, &list)?;
        self.clear_journal();
        Ok(true)
    }
}

fn move_branch(
    repo: &gix::Repository,
    expected: ObjectId,
    new: ObjectId,
    reflog: &str,
) -> Result<()> {
    let edit = RefEdit {
        change: Change::Update {
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: format!("git-desk: {reflog}").into(),
            },
            expected: PreviousValue::MustExistAndMatch(Target::Object(expected)),
            new: Target::Object(new),
        },
        name: "HEAD".try_into().expect("HEAD is a valid ref name"),
        deref: true,
    };
    let sig = gix::actor::Signature {
        name: "git-desk".into(),
        email: "git-desk@desk.invalid".into(),
        time: gix::date::Time::now_utc(),
    };
    let mut buf = Default::default();
    repo.edit_references_as(Some(edit), Some(sig.to_ref(&mut buf)))
        .map_err(|_| StoreError::Moved {
            expected: expected.to_string(),
        })?;
    Ok(())
}

fn sync_worktree(
    desk: &Desk,
    repo: &gix::Repository,
    index: WorkIndex,
    new_tree: ObjectId,
    lock: gix::lock::File,
    list: &[super::diff::PathChange],
) -> Result<()> {
    let mut removals = BTreeMap::new();
    let mut puts = Vec::new();
    let mut blobs = Vec::new();
    for ch in list {
        match (ch.old, ch.new) {
            (Some(old), None) => {
                removals.insert(ch.path.clone(), old);
            }
            (_, Some(new)) => {
                let data = repo
                    .find_blob(new)
                    .map_err(|e| StoreError::git(format!("reading {}", ch.path), e))?
                    .detach()
                    .data;
                puts.push((ch.path.clone(), data));
                blobs.push(new);
            }
            (None, None) => {}
        }
    }
    let done = worktree::Outcome {
        tree: new_tree,
        removals: &removals,
        puts: &puts,
        blobs: &blobs,
    };
    worktree::update(repo, desk.root(), index, lock, done)
}
