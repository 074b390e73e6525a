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
//! `tickets/` tree id is its first field); [`Catalog::view`] decodes the directories with
//! text borrowed from the mapping — per ticket a [`Key`] (status, priority, queue,
//! assignee, snooze, answer time) and the summary still encoded — and readers decode the
//! summaries they need ([`View::tickets_where`], [`Entry::summary`]): a technician's
//! `ticket list` at 100k decodes 100k keys and the few thousand summaries it shows. A
//! catalog that is current costs no tree read.

pub mod file;
pub mod refresh;
pub mod row;
pub mod staged;
mod summary;

use std::collections::BTreeMap;

use gix::ObjectId;

pub use summary::{LastMessage, Summary, Text};

use super::error::{Result, StoreError};
use super::{Desk, DeskKind, DeskRead, FileError, FsSource, Source};
use file::{Bucket, Loaded, Stored};
pub use row::Key;
use row::{Dir, Row};

/// One state of a desk's catalog: the catalog's files (mapped) and the staged directories
/// that replace some of its rows. [`Catalog::view`] decodes it, borrowing its text.
pub struct Catalog {
    loaded: Loaded,
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
                let (loaded, read) = bytes_at(desk, tree)?;
                let staged = staged::for_catalog(desk, &loaded, tree)?;
                Ok(Catalog {
                    loaded,
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
        let (loaded, read) = bytes_at(desk, tree)?;
        Ok(Catalog {
            loaded,
            staged: Vec::new(),
            read,
        })
    }

    fn empty() -> Catalog {
        Catalog {
            loaded: Loaded::default(),
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
            buckets.entry(id.bucket()).or_default().push(Dir::new(
                id.get(),
                [0; 20],
                0,
                &refresh::row(id, ticket.as_deref(), bodies),
            ));
        }
        let mut stored = Stored {
            tickets: None,
            buckets: buckets
                .into_iter()
                .map(|(name, dirs)| Bucket::new(name, [0; 20], dirs))
                .collect(),
        };
        stored
            .buckets
            .sort_by(|a, b| file::bucket_order(&a.name, &b.name));
        // Directory names that are not ids: reported like broken tickets.
        if !problems.is_empty() {
            stored.buckets.push(Bucket::new(
                String::new(),
                [0; 20],
                problems
                    .drain(..)
                    .map(|p| Dir::new(0, [0; 20], 0, &Row::Broken(row::Problem::from(&p))))
                    .collect(),
            ));
        }
        Ok(Catalog {
            loaded: Loaded::from_stored(&stored),
            staged: Vec::new(),
            read: 0,
        })
    }

    /// Every ticket directory (text borrowed from the catalog's bytes; summaries are
    /// decoded when asked for).
    pub fn view(&self) -> Result<View<'_>> {
        self.view_of(|_| true)
    }

    /// The buckets that hold a ticket being worked on — not done, snoozed, or broken —
    /// with every row in them: enough for the working lists, auto-close, waking and
    /// escalation, which never show a closed ticket. On a desk whose old tickets are
    /// closed it skips most of the catalog (1M tickets: the newest buckets).
    pub fn view_working(&self) -> Result<View<'_>> {
        self.view_of(|b| b.working() > 0)
    }

    fn view_of(&self, keep: impl Fn(&Bucket<'_>) -> bool) -> Result<View<'_>> {
        let damaged = || StoreError::Git {
            context: "reading the ticket catalog".into(),
            message: "it is damaged; delete .git/desk/catalog.bin (it is rebuilt)".into(),
        };
        let mut stored = self.loaded.stored();
        staged::apply(&mut stored, self.staged.clone());
        stored.buckets.retain(|b| keep(b));
        for b in &mut stored.buckets {
            b.dirs_mut().map_err(|_| damaged())?;
        }
        Ok(View { stored })
    }
}

impl<'a> View<'a> {
    /// Every ticket directory, ascending by id: its [`Key`] at once, its summary decoded
    /// when asked for ([`Entry::summary`]).
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_, 'a>> + '_ {
        self.stored
            .buckets
            .iter()
            .flat_map(|b| b.decoded().iter())
            .map(|dir| Entry { dir })
    }

    /// Every ticket that reads well, ascending by id, each summary decoded.
    pub fn tickets(&self) -> impl Iterator<Item = Summary<'_>> + '_ {
        self.tickets_where(|_| true)
    }

    /// The tickets that read well and whose [`Key`] passes `keep`, ascending by id; the
    /// others' summaries are not decoded.
    pub fn tickets_where<'v>(
        &'v self,
        keep: impl Fn(&Key<'_>) -> bool + 'v,
    ) -> impl Iterator<Item = Summary<'v>> + 'v {
        self.entries()
            .filter(move |e| e.key().status.is_some() && keep(e.key()))
            .filter_map(|e| e.summary().ok())
    }

    /// Ticket files that could not be read (and rows of a damaged catalog file).
    pub fn problems(&self) -> Vec<FileError> {
        self.entries()
            .filter(|e| e.key().status.is_none())
            .filter_map(|e| e.summary().err())
            .collect()
    }

    pub fn get(&self, id: crate::model::TicketId) -> Option<Summary<'_>> {
        let name = id.bucket();
        let b = self.stored.buckets.iter().find(|b| b.name == name)?;
        let dirs = b.decoded();
        let i = dirs.binary_search_by_key(&id.get(), |d| d.id).ok()?;
        Entry { dir: &dirs[i] }.summary().ok()
    }
}

/// One ticket directory of a [`View`].
#[derive(Clone, Copy)]
pub struct Entry<'v, 'a> {
    dir: &'v Dir<'a>,
}

impl<'v> Entry<'v, '_> {
    pub fn id(&self) -> u64 {
        self.dir.id
    }

    /// The fields lists filter on, without decoding the summary.
    pub fn key(&self) -> &'v Key<'_> {
        &self.dir.key
    }

    /// The summary, or why the directory is not one (a broken ticket file; a row of the
    /// catalog file that does not decode, which a rebuild repairs).
    pub fn summary(&self) -> std::result::Result<Summary<'v>, FileError> {
        match self.dir.row() {
            Some(Row::Ticket(s)) => Ok(s),
            Some(Row::Broken(p)) => Err(FileError::from(&p)),
            None => Err(FileError {
                path: crate::model::TicketId::new(self.dir.id)
                    .map(super::layout::ticket_file)
                    .unwrap_or_default(),
                line: None,
                column: None,
                message: "its row in the ticket catalog is damaged; delete .git/desk/catalog.bin \
                          (it is rebuilt)"
                    .into(),
            }),
        }
    }
}

/// The stored catalog brought to `tree` (and saved when it changed), with the number of
/// ticket directories read. A cache that cannot be written (a read-only repository) is
/// only a lost speed-up: the catalog is then kept in memory for this command.
pub(crate) fn bytes_at(desk: &Desk, tree: ObjectId) -> Result<(Loaded, usize)> {
    let repo = desk.repo().expect("a git desk has a repository");
    let cache = desk.cache_dir();
    let loaded = file::load(&cache).ok();
    // Up to date and whole: nothing to decode here.
    let now = super::scan::tree_at(repo, tree, super::layout::TICKETS_DIR)?.map(file::oid);
    if loaded.as_ref().is_some_and(|l| l.tickets() == Some(now)) {
        return Ok((loaded.expect("checked above"), 0));
    }
    let (read, kept) = {
        let mut stored = loaded.as_ref().map(Loaded::stored).unwrap_or_default();
        if loaded.as_ref().is_some_and(|l| l.tickets().is_none()) {
            stored.tickets = None; // parts are missing: diff every bucket
        }
        let r = refresh::to_tree(repo, &mut stored, tree)?;
        if let (false, Some(l)) = (r.changed, &loaded) {
            if l.tickets().is_some() {
                drop(stored);
                return Ok((loaded.expect("matched above"), 0));
            }
        }
        // Saved, then mapped again (unchanged buckets keep their parts on disk); kept in
        // memory when it cannot be saved or was changed by another process meanwhile.
        let again = file::save(&cache, &stored)
            .ok()
            .and_then(|()| file::load(&cache).ok())
            .filter(|l| l.tickets() == Some(now));
        (
            r.read,
            again.unwrap_or_else(|| Loaded::from_stored(&stored)),
        )
    };
    Ok((kept, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ticket, TicketId};

    fn summary(id: u64, status: &str) -> Summary<'static> {
        let t: Ticket = crate::store::yaml::parse(
            "ticket.yaml",
            format!(
                "id: {id}\ntitle: T{id}\nemail: a@b.example\nqueue: billing\nstatus: {status}\n\
                 priority: 50\nassignee: bob\ncreated_at: 2026-11-01T10:00:00Z\n\
                 updated_at: 2026-11-02T10:00:00Z\n"
            )
            .as_bytes(),
        )
        .unwrap();
        Summary::of(&t, 1, None)
    }

    fn catalog(dirs: Vec<Dir<'static>>) -> Catalog {
        let stored = Stored {
            tickets: None,
            buckets: vec![Bucket::new(
                TicketId::new(1).unwrap().bucket(),
                [0; 20],
                dirs,
            )],
        };
        Catalog {
            loaded: Loaded::from_stored(&stored),
            staged: Vec::new(),
            read: 0,
        }
    }

    #[test]
    fn rows_are_decoded_only_when_asked_for_and_keys_filter_first() {
        let rows = [summary(1, "open"), summary(2, "closed"), summary(3, "open")];
        let c = catalog(
            rows.iter()
                .map(|s| Dir::new(s.id, [0; 20], 0, &Row::Ticket(s.clone())))
                .collect(),
        );
        let view = c.view().unwrap();
        let all: Vec<Summary<'_>> = view.tickets().collect();
        assert_eq!(all, rows.to_vec());
        let open: Vec<u64> = view
            .tickets_where(|k| k.status == Some(crate::model::Status::Open))
            .map(|s| s.id)
            .collect();
        assert_eq!(open, [1, 3]);
        assert_eq!(view.get(TicketId::new(2).unwrap()).unwrap().id, 2);
        assert!(view.get(TicketId::new(4).unwrap()).is_none());
        assert!(view.problems().is_empty());
    }

    #[test]
    fn the_working_view_skips_buckets_of_done_tickets_only() {
        let dir = |s: &Summary<'static>| Dir::new(s.id, [0; 20], 0, &Row::Ticket(s.clone()));
        let bucket =
            |id: u64, dirs| Bucket::new(TicketId::new(id).unwrap().bucket(), [0; 20], dirs);
        let (old, mixed, snoozed) = (
            [summary(1, "closed"), summary(2, "resolved")],
            [summary(1000, "closed"), summary(1001, "answered")],
            {
                let mut s = summary(2000, "closed");
                s.snoozed_until = Some(1);
                s
            },
        );
        let stored = Stored {
            tickets: None,
            buckets: vec![
                bucket(1, old.iter().map(dir).collect()),
                bucket(1000, mixed.iter().map(dir).collect()),
                bucket(2000, vec![dir(&snoozed)]),
            ],
        };
        assert_eq!(
            stored
                .buckets
                .iter()
                .map(Bucket::working)
                .collect::<Vec<_>>(),
            [0, 1, 1]
        );
        let c = Catalog {
            loaded: Loaded::from_stored(&stored),
            staged: Vec::new(),
            read: 0,
        };
        let ids = |v: View<'_>| v.entries().map(|e| e.id()).collect::<Vec<_>>();
        assert_eq!(ids(c.view().unwrap()), [1, 2, 1000, 1001, 2000]);
        // The working counts are kept beside the encoded buckets (read without decoding).
        assert_eq!(ids(c.view_working().unwrap()), [1000, 1001, 2000]);
    }

    #[test]
    fn a_damaged_row_is_a_problem_naming_the_ticket_and_the_cure() {
        let good = summary(1, "open");
        let key = Dir::new(2, [0; 20], 0, &Row::Ticket(summary(2, "open"))).key;
        let c = catalog(vec![
            Dir::new(1, [0; 20], 0, &Row::Ticket(good.clone())),
            Dir::damaged(2, key),
        ]);
        let view = c.view().unwrap();
        // Its key still says "a ticket", so readers that filter on keys meet it...
        let errs: Vec<FileError> = view.entries().filter_map(|e| e.summary().err()).collect();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].path,
            crate::store::layout::ticket_file(TicketId::new(2).unwrap())
        );
        assert!(
            errs[0].message.contains("delete .git/desk/catalog.bin"),
            "{errs:?}"
        );
        // ...and readers of good tickets skip it.
        assert_eq!(view.tickets().collect::<Vec<_>>(), vec![good]);
    }
}
