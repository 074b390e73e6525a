//! The catalog: one derived table of ticket summaries ([`Summary`]: the `ticket.yaml`
//! fields, the number of messages, who spoke last, the SLA clock's marks and time totals) that every reader looking across the
//! desk uses instead of parsing every ticket — `ticket list`, `autoclose` (and sync's
//! auto-close step), queue deletion. (Search and Quick Search answer from the tantivy
//! index, whose freshness check uses the same staged-edit detection, [`staged`].)
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
//!
//! Reading: [`Catalog::open`] maps the file and only checks that it is current (the
//! `tickets/` tree id is its first field); [`Catalog::view`] decodes it with text borrowed
//! from the mapping. A catalog that is current costs one decode, no tree read.

pub mod file;
pub mod refresh;
pub mod staged;
mod summary;

use std::collections::BTreeMap;

use gix::ObjectId;

pub use summary::{LastMessage, Summary, Text};

use super::error::{Result, StoreError};
use super::{Desk, DeskKind, DeskRead, FileError, FsSource, Source};
use file::{Bucket, Bytes, Dir, Row, Stored};

/// One state of a desk's catalog: the catalog file's bytes (mapped) and the staged
/// directories that replace some of its rows. [`Catalog::view`] decodes it, borrowing its
/// text, so a read of 100k summaries allocates nothing per ticket.
pub struct Catalog {
    bytes: Bytes,
    staged: Vec<(u64, Option<Dir<'static>>)>,
    /// Ticket directories read again to bring the stored catalog up to date.
    pub read: usize,
}

/// The ticket summaries of a [`Catalog`], in id order, and the ticket directories that
/// could not be read.
pub struct View<'a> {
    stored: Stored<'a>,
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
                    return Ok(Catalog::empty());
                };
                let repo = desk.repo().expect("a work tree has a repository");
                let tree = crate::store::diff::tree_of(repo, head)?;
                let (bytes, read) = bytes_at(desk, tree)?;
                let staged = staged::for_catalog(desk, &bytes, tree)?;
                Ok(Catalog {
                    bytes,
                    staged,
                    read,
                })
            }
        }
    }

    /// The desk at commit `commit` (none: an empty desk), e.g. the base of a transaction.
    pub fn at_commit(desk: &Desk, commit: Option<ObjectId>) -> Result<Catalog> {
        let (Some(repo), Some(commit)) = (desk.repo(), commit) else {
            return Ok(Catalog::empty());
        };
        let tree = crate::store::diff::tree_of(repo, commit)?;
        let (bytes, read) = bytes_at(desk, tree)?;
        Ok(Catalog {
            bytes,
            staged: Vec::new(),
            read,
        })
    }

    fn empty() -> Catalog {
        Catalog {
            bytes: Bytes::Owned(file::encode(&Stored::default())),
            staged: Vec::new(),
            read: 0,
        }
    }

    /// Every ticket of any [`Source`] read file by file (a plain directory).
    pub fn of_source(src: &(impl Source + ?Sized)) -> Result<Catalog> {
        let ids = src.ticket_ids()?;
        let mut buckets: BTreeMap<String, Vec<Dir<'static>>> = BTreeMap::new();
        let mut problems = ids.problems;
        for id in ids.items {
            let ticket = src.read(&super::layout::ticket_file(id))?;
            let names: Vec<String> = src
                .list(&super::layout::messages_dir(id))?
                .into_iter()
                .filter(|e| !e.is_dir && e.name.ends_with(".yaml"))
                .map(|e| e.name)
                .collect();
            let mut bodies = Vec::with_capacity(names.len());
            for n in names {
                let bytes = src.read(&format!("{}/{n}", super::layout::messages_dir(id)))?;
                bodies.push((n, bytes.unwrap_or_default()));
            }
            buckets.entry(id.bucket()).or_default().push(Dir {
                id: id.get(),
                tree: [0; 20],
                files: 0,
                row: refresh::row(id, ticket.as_deref(), bodies),
            });
        }
        let mut stored = Stored {
            tickets: None,
            buckets: buckets
                .into_iter()
                .map(|(name, dirs)| Bucket {
                    name,
                    tree: [0; 20],
                    dirs,
                })
                .collect(),
        };
        stored
            .buckets
            .sort_by(|a, b| file::bucket_order(&a.name, &b.name));
        // Directory names that are not ids: reported like broken tickets.
        if !problems.is_empty() {
            stored.buckets.push(Bucket {
                name: String::new(),
                tree: [0; 20],
                dirs: problems
                    .drain(..)
                    .map(|p| Dir {
                        id: 0,
                        tree: [0; 20],
                        files: 0,
                        row: Row::Broken(file::Problem::from(&p)),
                    })
                    .collect(),
            });
        }
        Ok(Catalog {
            bytes: Bytes::Owned(file::encode(&stored)),
            staged: Vec::new(),
            read: 0,
        })
    }

    /// The summaries, decoded (text borrowed from the catalog's bytes).
    pub fn view(&self) -> Result<View<'_>> {
        let mut stored = self.bytes.stored().map_err(|_| StoreError::Git {
            context: "reading the ticket catalog".into(),
            message: "it is damaged; delete .git/desk/catalog.bin (it is rebuilt)".into(),
        })?;
        staged::apply(&mut stored, self.staged.clone());
        Ok(View { stored })
    }
}

impl<'a> View<'a> {
    /// Every ticket that reads well, ascending by id.
    pub fn tickets(&self) -> impl Iterator<Item = &Summary<'a>> + '_ {
        self.stored
            .buckets
            .iter()
            .flat_map(|b| b.dirs.iter())
            .filter_map(|d| match &d.row {
                Row::Ticket(s) => Some(s),
                Row::Broken(_) => None,
            })
    }

    /// Ticket files that could not be read.
    pub fn problems(&self) -> Vec<FileError> {
        self.stored
            .buckets
            .iter()
            .flat_map(|b| b.dirs.iter())
            .filter_map(|d| match &d.row {
                Row::Broken(p) => Some(FileError::from(p)),
                Row::Ticket(_) => None,
            })
            .collect()
    }

    pub fn get(&self, id: crate::model::TicketId) -> Option<&Summary<'a>> {
        let name = id.bucket();
        let b = self.stored.buckets.iter().find(|b| b.name == name)?;
        let i = b.dirs.binary_search_by_key(&id.get(), |d| d.id).ok()?;
        match &b.dirs[i].row {
            Row::Ticket(s) => Some(s),
            Row::Broken(_) => None,
        }
    }
}

/// The catalog file brought to `tree` (and saved when it changed), with the number of
/// ticket directories read. A cache that cannot be written (a read-only repository) is
/// only a lost speed-up.
pub(crate) fn bytes_at(desk: &Desk, tree: ObjectId) -> Result<(Bytes, usize)> {
    let repo = desk.repo().expect("a git desk has a repository");
    let cache = desk.cache_dir();
    let loaded = file::load(&cache).ok();
    // Up to date: nothing to decode here.
    let now = super::scan::tree_at(repo, tree, super::layout::TICKETS_DIR)?.map(file::oid);
    if loaded.as_ref().is_some_and(|b| b.tickets() == Some(now)) {
        return Ok((loaded.expect("checked above"), 0));
    }
    // None: nothing changed and a catalog was loaded (an empty desk with none loaded still
    // writes its empty catalog).
    let refreshed = {
        let mut stored = loaded
            .as_ref()
            .and_then(|b| b.stored().ok())
            .unwrap_or_default();
        let r = refresh::to_tree(repo, &mut stored, tree)?;
        (r.changed || loaded.is_none()).then(|| (file::encode(&stored), r.read))
    };
    let Some((encoded, read)) = refreshed else {
        return Ok((loaded.expect("checked above"), 0));
    };
    let _ = file::save(&cache, &encoded);
    Ok((Bytes::Owned(encoded), read))
}
