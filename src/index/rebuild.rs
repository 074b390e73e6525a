//! A full build of the search index, written to a fresh folder and swapped in (see
//! [`super::refresh`] for when one happens). The tickets of a git desk are read in bulk
//! ([`super::bulk`]); everything else, and a plain directory, file by file
//! ([`super::build`]). Documents are added on every core with no segment merges.

use std::collections::BTreeSet;
use std::path::Path;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter};

use crate::model::TicketId;
use crate::store::scan::BulkReader;
use crate::store::{Desk, FileError};

use super::build::{self, Entity};
use super::bulk;
use super::error::{IndexError, Result};
use super::refresh::{commit, origin, Observer};
use super::schema;
use super::state::State;

/// Tickets read through one repository handle by a full build (see [`rebuild`]).
const SLICE: usize = 20_000;

/// Below this many tickets, tasks and articles a full build uses one thread.
const SMALL_DESK: usize = 5_000;

/// Indexing memory of each of a full build's writer threads: a segment is written each
/// time a thread's share is used up (at 100k tickets of three messages, two threads write
/// four segments; 64 MB each wrote two but took the whole process past 300 MB).
const THREAD_MEMORY: usize = 32_000_000;

/// Builds the whole index in a fresh folder and swaps it in. Holds the lock.
///
/// The tickets of a git desk are read from the commit recorded in `now` ([`super::bulk`]:
/// fields from the catalog, messages straight from the object database); tasks, articles
/// and, in a work tree, the entities that differ from that commit (staged, or not staged
/// when those are followed: the keys of `now.worktree`) are read file by file from the
/// origin, as an update reads them. A plain directory is read file by file. No segments
/// are merged while documents are added (each writer thread leaves a segment per share of
/// [`THREAD_MEMORY`] it fills; merging them costs a tenth of the build and gains nothing).
pub(super) fn rebuild(
    desk: &Desk,
    cache: &Path,
    now: &State,
    obs: &dyn Observer,
) -> Result<Vec<FileError>> {
    clear_leftovers(cache)?;
    let pid = std::process::id();
    let fresh = cache.join(format!("search.new-{pid}"));
    std::fs::create_dir_all(&fresh).map_err(IndexError::io(&fresh))?;
    let (schema, fields) = schema::schema();
    let index = Index::create_in_dir(&fresh, schema).map_err(IndexError::tantivy("creating"))?;
    let origin = origin(desk, now)?;
    let mut problems = Vec::new();
    let indexed = now
        .commit
        .as_deref()
        .and_then(|c| gix::ObjectId::from_hex(c.as_bytes()).ok());
    let git = match (desk.repo(), indexed) {
        (Some(repo), Some(commit)) => Some((repo, commit)),
        _ => None,
    };
    let differ = differing_tickets(now);
    let catalog = match git {
        Some((_, commit)) => Some(bulk::catalog(desk, commit)?),
        None => None,
    };
    let view = catalog.as_ref().map(|c| c.view()).transpose()?;
    let (jobs, entities) = match (git, &view) {
        (Some((repo, commit)), Some(view)) => {
            let tree = crate::store::diff::tree_of(repo, commit)?;
            let jobs = bulk::jobs(repo, tree, view, &differ, &mut problems)?;
            let mut entities: Vec<Entity> = differ.iter().copied().map(Entity::Ticket).collect();
            entities.extend(build::other_entities(
                origin.source().as_ref(),
                &mut problems,
            )?);
            (jobs, entities)
        }
        _ => (
            Vec::new(),
            build::all_entities(origin.source().as_ref(), &mut problems)?,
        ),
    };
    let total = (jobs.len() + entities.len()) as u64;
    let (writer, threads) = build_writer(&index, total)?;
    let resellers = build::Resellers::all(origin.source().as_ref())?.0;
    if let (Some((repo, _)), false) = (git, jobs.is_empty()) {
        // In slices, each through a repository of its own (`store::reopen`; 1M tickets: a
        // 1.7 GB pack, otherwise all resident by the end).
        let mut done = 0u64;
        for slice in jobs.chunks(SLICE) {
            let shared = crate::store::reopen(repo)?.into_sync();
            build::on_threads(
                slice,
                threads,
                &writer,
                &mut problems,
                &|d| obs.progress(done + d, total),
                || BulkReader::new(shared.to_thread_local()),
                |reader, job, problems| bulk::document(reader, &fields, job, &resellers, problems),
            )?;
            done += slice.len() as u64;
        }
    }
    let base = jobs.len() as u64;
    build::add_all(
        &origin,
        &fields,
        &writer,
        &entities,
        threads,
        &mut problems,
        &|d| obs.progress(base + d, total),
    )?;
    commit(writer, now)?;
    drop(view);
    drop(index);
    swap_in(cache, &fresh, pid)?;
    Ok(problems)
}

/// Removes the folders of full builds that did not finish (a killed process).
fn clear_leftovers(cache: &Path) -> Result<()> {
    for e in std::fs::read_dir(cache)
        .map_err(IndexError::io(cache))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("search.new-") || name.starts_with("search.old-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    Ok(())
}

/// The tickets that differ from the commit recorded in `now` (a work tree's staged edits,
/// and unstaged ones when followed).
fn differing_tickets(now: &State) -> BTreeSet<TicketId> {
    now.worktree
        .keys()
        .filter_map(|k| match Entity::from_key(k) {
            Some(Entity::Ticket(id)) => Some(id),
            _ => None,
        })
        .collect()
}

/// A full build's writer for `total` entities, merging nothing, and its number of threads:
/// one (one segment, fewer fsyncs) for a small desk; every core, up to 4, for a big one.
fn build_writer(index: &Index, total: u64) -> Result<(IndexWriter, usize)> {
    let threads = if total < SMALL_DESK as u64 {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4)
    };
    let writer: IndexWriter = index
        .writer_with_num_threads(threads, threads * THREAD_MEMORY)
        .map_err(IndexError::tantivy("opening a writer"))?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    Ok((writer, threads))
}

/// Puts the finished build `fresh` in the place of the index: readers see the old index or
/// the new one, never half of either.
fn swap_in(cache: &Path, fresh: &Path, pid: u32) -> Result<()> {
    let dir = cache.join("search");
    let old = cache.join(format!("search.old-{pid}"));
    if dir.exists() {
        std::fs::rename(&dir, &old).map_err(IndexError::io(&dir))?;
    }
    std::fs::rename(fresh, &dir).map_err(IndexError::io(&dir))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
