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
use super::lock::GitLock;
use super::worktree::{self, Touched, WorkIndex};

impl Desk {
    /// Moves HEAD's branch from `expected` to `new` and updates the work tree and index.
    pub fn advance(&self, expected: ObjectId, new: ObjectId, reflog: &str) -> Result<()> {
        let repo = self
            .repo()
            .ok_or_else(|| StoreError::ReadOnly(self.root().to_path_buf()))?
            .clone();
        let (_held, branch, index_lock) = self.lock_for_mutation(&repo, false)?;
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
        }
        let entry = Entry {
            branch: branch.name.clone(),
            old: Some(expected),
            new,
        };
        let mover = Mover {
            name: "git-desk",
            email: "git-desk@desk.invalid",
            seconds: jiff::Timestamp::now().as_second(),
        };
        // The same changes go into the tree and the index (see `staged::known_clean`).
        let cache = self.cache_dir();
        let clean = index.is_some()
            && super::catalog::staged::known_clean(&cache, &repo.index_path(), old_tree);
        let update = match (index, index_lock) {
            (Some(index), Some(lock)) => Some(|| {
                let clean = clean.then_some(cache.as_path());
                sync_worktree(self, &repo, index, new_tree, lock, &list, clean)
            }),
            _ => None,
        };
        self.land(
            &repo,
            &entry,
            &mover,
            &format!("git-desk: {reflog}"),
            update,
        )?;
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
    staged_clean: Option<&std::path::Path>,
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
        staged_clean,
    };
    worktree::update(repo, desk.root(), index, lock, done)
}
