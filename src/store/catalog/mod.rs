//! The catalog: one derived table of ticket summaries ([`Summary`]: the `ticket.yaml`
//! fields, the number of messages and who spoke last) that every reader looking across the
//! desk uses instead of parsing every ticket — `ticket list`, `autoclose`, queue deletion,
//! quick search, sync's auto-close step.
//!
//! Where it lives and why: beside the search index, in `<cache>/catalog.bin`
//! (`Desk::cache_dir()`, `.git/desk/` of a repository), not in tantivy's fast fields. A
//! flat file keyed by tree ids is simpler to keep exact (it is refreshed by a tree diff,
//! independently of the search index's own bookkeeping), decodes faster than tantivy can
//! hand back stored documents, and is needed by commands (autoclose, lists) that have no
//! use for the text index. See [`file`] for the format.
//!
//! What it reflects: HEAD's tree, refreshed by diffing the `tickets/` tree it records
//! against HEAD's ([`refresh`]): unchanged bucket and ticket trees are never read. It is
//! derived state: deleted, corrupt or of an older [`file::VERSION`] it is rebuilt from git
//! by the next command, and it is never committed. In a work tree, tickets whose entries in
//! git's index differ from HEAD (hand edits staged with `git add`) are read from the index
//! ([`staged`]); edits not yet staged are not looked for (that would be an `lstat` of every
//! file on every command): they show once staged or committed, as in `git diff --cached`.
//! A plain directory (no git) is read file by file each time.

pub mod file;
pub mod refresh;
pub mod staged;
mod summary;

use gix::ObjectId;

pub use summary::{LastMessage, Summary};

use super::error::Result;
use super::{Desk, DeskKind, DeskRead, FileError, FsSource, Source};
use file::{Row, Stored};

/// The ticket summaries of one state of a desk, ascending by id, and the ticket
/// directories that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    rows: Vec<Summary>,
    problems: Vec<FileError>,
    /// Ticket directories read again to bring the stored catalog up to date.
    pub read: usize,
}

impl Catalog {
    /// The desk as its users see it: HEAD of a git desk (with staged hand edits of a work
    /// tree), or the files of a plain directory.
    pub fn open(desk: &Desk) -> Result<Catalog> {
        match desk.kind() {
            DeskKind::Plain => Catalog::of_source(&FsSource::new(desk.root())),
            DeskKind::Bare => Catalog::at_commit(desk, desk.head_commit()?),
            DeskKind::WorkTree => {
                let Some(head) = desk.head_commit()? else {
                    return Ok(Catalog::default());
                };
                let repo = desk.repo().expect("a work tree has a repository");
                let tree = crate::store::diff::tree_of(repo, head)?;
                let (mut stored, read) = stored_at(desk, tree)?;
                staged::overlay(desk, &mut stored, tree)?;
                Ok(Catalog::from_stored(stored, read))
            }
        }
    }

    /// The desk at commit `commit` (none: an empty desk), e.g. the base of a transaction.
    pub fn at_commit(desk: &Desk, commit: Option<ObjectId>) -> Result<Catalog> {
        let (Some(repo), Some(commit)) = (desk.repo(), commit) else {
            return Ok(Catalog::default());
        };
        let tree = crate::store::diff::tree_of(repo, commit)?;
        let (stored, read) = stored_at(desk, tree)?;
        Ok(Catalog::from_stored(stored, read))
    }

    /// Every ticket of any [`Source`] read file by file (a plain directory).
    pub fn of_source(src: &(impl Source + ?Sized)) -> Result<Catalog> {
        let ids = src.ticket_ids()?;
        let mut out = Catalog {
            problems: ids.problems,
            ..Catalog::default()
        };
        for id in ids.items {
            let ticket = src.read(&super::layout::ticket_file(id))?;
            let names: Vec<String> = src
                .list(&super::layout::messages_dir(id))?
                .into_iter()
                .filter(|e| !e.is_dir && e.name.ends_with(".yaml"))
                .map(|e| e.name)
                .collect();
            let last = match names.last() {
                Some(n) => src
                    .read(&format!("{}/{n}", super::layout::messages_dir(id)))?
                    .map(|b| (n.clone(), b)),
                None => None,
            };
            out.push(refresh::row(id, ticket.as_deref(), names.len(), last));
        }
        Ok(out)
    }

    fn from_stored(stored: Stored, read: usize) -> Catalog {
        let mut out = Catalog {
            read,
            ..Catalog::default()
        };
        for b in stored.buckets {
            for d in b.dirs {
                out.push(d.row);
            }
        }
        out.rows.sort_by_key(|s| s.id);
        out
    }

    fn push(&mut self, row: Row) {
        match row {
            Row::Ticket(s) => self.rows.push(s),
            Row::Broken(p) => self.problems.push(FileError::from(&p)),
        }
    }

    /// Every ticket that reads well, ascending by id.
    pub fn tickets(&self) -> &[Summary] {
        &self.rows
    }

    /// Ticket files that could not be read.
    pub fn problems(&self) -> &[FileError] {
        &self.problems
    }

    pub fn get(&self, id: crate::model::TicketId) -> Option<&Summary> {
        self.rows
            .binary_search_by_key(&id.get(), |s| s.id)
            .ok()
            .map(|i| &self.rows[i])
    }
}

/// The stored catalog brought to `tree` (and saved when it changed), with the number of
/// ticket directories read. A cache that cannot be written (a read-only repository) is
/// only a lost speed-up.
fn stored_at(desk: &Desk, tree: ObjectId) -> Result<(Stored, usize)> {
    let repo = desk.repo().expect("a git desk has a repository");
    let cache = desk.cache_dir();
    let mut stored = file::load(&cache).unwrap_or_default();
    let r = refresh::to_tree(repo, &mut stored, tree)?;
    if r.changed {
        let _ = file::save(&cache, &stored);
    }
    Ok((stored, r.read))
}
