//! The full build's fast path for the tickets of a git desk. A ticket's fields come from
//! the catalog's summary row (`store::catalog`: kept current by every command, brought to
//! the commit indexed first; each row decoded by the thread that indexes it), so its
//! `ticket.yaml` is neither read nor parsed; only the message files are, straight from the
//! object database with reused buffers ([`BulkReader`]), and parsed as an update parses
//! them ([`build::message`]). Ticket directories are taken from the tree in id order, in
//! chunks, by every reading thread.
//!
//! What a document holds and which problems are reported are the same as reading the
//! ticket through a [`crate::store::Source`] ([`super::build::document`]): broken
//! `ticket.yaml` files are the catalog's broken rows, broken messages are left out.

use std::collections::{BTreeSet, HashMap};

use gix::ObjectId;
use tantivy::TantivyDocument;

use crate::model::{Login, TicketId};
use crate::store::catalog::{Catalog, Entry, View};
use crate::store::scan::{self, BulkReader, TicketDir};
use crate::store::{layout, FileError, StoreError};

use super::build;
use super::error::IndexError;
use super::schema::{self, Fields};

/// One ticket to index: its directory in the tree and its catalog entry (its summary is
/// decoded by the thread that makes the document).
pub struct Job<'v, 'c> {
    dir: TicketDir,
    entry: Entry<'v, 'c>,
}

/// The tickets of the desk tree `tree` with their entries of `view` (in id order), leaving
/// out `skip` (read file by file instead). Directory names that are not ids and the
/// catalog's broken rows go to `problems`.
pub fn jobs<'v, 'c>(
    repo: &gix::Repository,
    tree: ObjectId,
    view: &'v View<'c>,
    skip: &BTreeSet<TicketId>,
    problems: &mut Vec<FileError>,
) -> Result<Vec<Job<'v, 'c>>, StoreError> {
    let dirs = scan::ticket_dirs_checked(repo, tree, problems)?;
    problems.extend(
        view.problems()
            .into_iter()
            .filter(|p| layout::ticket_of_path(&p.path).is_none_or(|id| !skip.contains(&id))),
    );
    let mut entries = view
        .entries()
        .filter(|e| e.key().status.is_some())
        .peekable();
    let mut out = Vec::with_capacity(dirs.len());
    for dir in dirs {
        while entries.next_if(|e| e.id() < dir.id.get()).is_some() {}
        let Some(entry) = entries.next_if(|e| e.id() == dir.id.get()) else {
            continue; // a broken row: reported above
        };
        if !skip.contains(&dir.id) {
            out.push(Job { dir, entry });
        }
    }
    Ok(out)
}

/// Brings the catalog to `commit` (the commit the index will record).
pub fn catalog(desk: &crate::store::Desk, commit: ObjectId) -> Result<Catalog, StoreError> {
    Catalog::at_commit(desk, Some(commit))
}

/// The document of one ticket.
pub fn document(
    reader: &mut BulkReader,
    f: &Fields,
    job: &Job<'_, '_>,
    resellers: &HashMap<Login, Option<Login>>,
    problems: &mut Vec<FileError>,
) -> Result<Option<TantivyDocument>, IndexError> {
    let id = job.dir.id;
    let summary = match job.entry.summary() {
        Ok(s) => s,
        Err(e) => {
            problems.push(e);
            return Ok(None);
        }
    };
    let ticket = match summary.ticket() {
        Ok(t) => t,
        Err(e) => {
            problems.push(FileError {
                path: layout::ticket_file(id),
                line: None,
                column: None,
                message: e.to_string(),
            });
            return Ok(None);
        }
    };
    let dir = layout::messages_dir(id);
    let mut messages = Vec::new();
    for (name, blob, is_dir) in reader.subdir_entries(job.dir.tree, "messages")? {
        if name.starts_with('.') {
            continue;
        }
        let Some(path) = build::message_path(&dir, &name, is_dir, problems) else {
            continue;
        };
        messages.extend(build::message(&path, reader.blob(blob)?, problems));
    }
    let reseller = ticket
        .account
        .as_ref()
        .and_then(|a| resellers.get(a).cloned().flatten());
    Ok(Some(schema::ticket_doc(
        f,
        &ticket,
        &messages,
        reseller.as_ref(),
    )))
}
