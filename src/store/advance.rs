//! Moving the desk's branch to a commit made elsewhere (a fast-forward or a replayed chain
//! from `sync`), with the work tree and index brought along for exactly the paths that
//! differ — the same guarantees as a transaction: git's lock held throughout, a
//! compare-and-swap of the branch, refusal when a path to change has uncommitted edits.
//!
//! The journal and recovery are those of every mutation ([`super::journal`]): a process
//! killed after the branch moved is finished by the next git-desk command.

use std::collections::BTreeMap;

use gix::ObjectId;

use super::branch::{self, Mover};
use super::desk::{Desk, DeskKind};
use super::diff::{changes, tree_of};
use super::error::{Result, StoreError};
use super::journal::Entry;
use super::lock::{lock_wait, GitLock};
use super::worktree::{self, Touched, WorkIndex};
use crate::failpoint;

impl Desk {
    /// Moves HEAD's branch from `expected` to `new` and updates the work tree and index.
    pub fn advance(&self, expected: ObjectId, new: ObjectId, reflog: &str) -> Result<()> {
        let repo = self
            .repo()
            .ok_or_else(|| StoreError::ReadOnly(self.root().to_path_buf()))?
            .clone();
        let held = self.write_lock(lock_wait())?;
        if self.may_need_recovery() {
            self.recover_locked(&held)?;
        }
        let branch = branch::for_mutation(&repo, false)?;
        let index_lock = match self.kind() {
            DeskKind::WorkTree => Some(GitLock::acquire(&repo.index_path(), lock_wait())?),
            _ => None,
        };
        if branch::tip(&repo, &branch.name)? != Some(expected) {
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
            worktree::check_clean(&repo, self.root(), &idx, &mut touched, &[])?;
            index = Some(idx);
            self.write_journal(&Entry {
                branch: branch.name.clone(),
                old: Some(expected),
                new,
            })?;
            failpoint::hit("tx.journal-written");
        }
        let mover = Mover {
            name: "git-desk",
            email: "git-desk@desk.invalid",
            seconds: jiff::Timestamp::now().as_second(),
        };
        let moved = branch::move_to(
            &repo,
            &branch.name,
            Some(expected),
            new,
            &mover,
            &format!("git-desk: {reflog}"),
        );
        if let Err(e) = moved {
            self.clear_journal();
            return Err(e);
        }
        if let (Some(index), Some(lock)) = (index, index_lock) {
            sync_worktree(self, &repo, index, new_tree, lock, &list)?;
            failpoint::hit("tx.done");
            self.finish_journal(&Entry {
                branch: branch.name.clone(),
                old: Some(expected),
                new,
            });
        }
        Ok(())
    }
}

pub(crate) fn sync_worktree(
    desk: &Desk,
    repo: &gix::Repository,
    index: WorkIndex,
    new_tree: ObjectId,
    lock: GitLock,
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
        index_only: &[],
    };
    worktree::update(repo, desk.root(), index, lock, done)
}
