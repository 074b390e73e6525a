//! `stats`: gathering the [`Dataset`] the statistics are computed from, and the report for
//! a period (needs `stats.view`). The site calls [`load`] once and
//! [`crate::model::stats::compute`] for each period it draws.
//!
//! A git desk is read at HEAD (the committed desk: history and data agree); the facts of
//! each ticket are cached by the id of its directory's tree and the history's events by
//! commit ([`cache`]), so a run reads only what changed since the last one. A plain
//! directory (or a work tree before its first commit) is read file by file, with no
//! history: pick-ups, assignments, releases, deletions and merges are then unknown.

pub mod cache;
pub mod facts;
pub mod history;
mod rows;

use std::collections::HashMap;

use crate::model::stats::{self, Dataset, Range, StatsReport};
use crate::model::{Date, Permission, Staff, Timestamp};
use crate::store::scan::{self, TicketDir};
use crate::store::{layout, Desk, TreeSource};

use self::facts::Parsed;

use super::actor;
use super::error::{OpError, Result};

/// Which days a report covers: `from`/`to` (inclusive; by default the 30 days ending
/// today, or ending `to`), or everything from the first ticket to today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub all: bool,
}

/// Days in the default period.
pub const DEFAULT_DAYS: i64 = 30;

impl Period {
    pub fn range(&self, today: Date, data: &Dataset) -> Result<Range> {
        if self.all {
            let first = data.first_day().unwrap_or(today).min(today);
            return Range::new(first, today).map_err(|e| OpError::from_value("--all", e));
        }
        let last = self.to.unwrap_or(today);
        match self.from {
            Some(first) => Range::new(first, last).map_err(|e| OpError::from_value("--from", e)),
            None => Ok(Range::ending(last, DEFAULT_DAYS)),
        }
    }
}

/// The statistics of `period` as of `now` (needs `stats.view`).
pub fn report(desk: &Desk, me: &Staff, period: Period, now: Timestamp) -> Result<StatsReport> {
    report_with(desk, me, period, now, &|_, _| {})
}

/// [`report`], telling `progress` how many of the ticket directories to read (a first
/// run reads them all) have been read: `(done, total)`, from several threads.
pub fn report_with(
    desk: &Desk,
    me: &Staff,
    period: Period,
    now: Timestamp,
    progress: Progress<'_>,
) -> Result<StatsReport> {
    actor::require(me, Permission::StatsView, "view ticket statistics")?;
    let mut data = load_with(desk, progress)?;
    data.now = Some(now);
    let range = period.range(now.date(), &data)?;
    Ok(stats::compute(&data, range))
}

/// The statistics of `range`, without a permission check (for the site builder; a site
/// drawing several periods should [`load`] once and call [`stats::compute`] for each).
pub fn compute(desk: &Desk, range: Range) -> Result<StatsReport> {
    Ok(stats::compute(&load(desk)?, range))
}

/// Everything statistics and billing are computed from (no permission check: for the
/// site builder and other derived state).
pub fn load(desk: &Desk) -> Result<Dataset> {
    load_with(desk, &|_, _| {})
}

/// Told `(done, total)` ticket directories read, from the reading threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// [`load`], telling `progress` how far the reading of ticket directories has come.
pub fn load_with(desk: &Desk, progress: Progress<'_>) -> Result<Dataset> {
    match (desk.repo(), desk.head_commit()?) {
        (Some(repo), Some(head)) => from_git(desk, repo, head, progress),
        _ => from_files(desk),
    }
}

fn from_files(desk: &Desk) -> Result<Dataset> {
    let src = desk.reader()?;
    let mut problems = Vec::new();
    let mut directory = facts::directory(src.as_ref(), &mut problems)?;
    directory.accounts = facts::accounts_from_source(src.as_ref(), &mut problems)?
        .into_iter()
        .collect();
    let (tickets, more) = facts::tickets_from_source(src.as_ref())?;
    problems.extend(more);
    Ok(Dataset {
        tickets,
        events: vec![],
        directory,
        history: false,
        problems,
        sla: crate::store::DeskRead::settings(src.as_ref())
            .map(|s| s.sla)
            .unwrap_or_default(),
        now: None,
    })
}

fn from_git(
    desk: &Desk,
    repo: &gix::Repository,
    head: gix::ObjectId,
    progress: Progress<'_>,
) -> Result<Dataset> {
    let root = scan::commit_tree(repo, head)?;
    let src = TreeSource::new(repo.clone(), root);
    let mut problems = Vec::new();
    let mut directory = facts::directory(&src, &mut problems)?;
    let dir = cache::dir(&desk.cache_dir());
    let mut known = cache::load_snapshot(&dir);

    let buckets = std::mem::take(&mut known.buckets);
    let Refreshed {
        buckets,
        gone,
        mut changed,
    } = refresh_tickets(repo, root, buckets, progress)?;

    // Accounts: reread only when `accounts/` changed.
    let accounts_tree = scan::tree_at(repo, root, layout::ACCOUNTS_DIR)?;
    if accounts_tree != known.accounts_tree {
        let files = match accounts_tree {
            Some(t) => scan::files(repo, t)?,
            None => vec![],
        };
        known.account_problems.clear();
        known.accounts = facts::parse_accounts(&files, &mut known.account_problems);
        known.accounts_tree = accounts_tree;
        changed = true;
    }

    let (history, history_changed) = history::update(repo, head, cache::load_history(&dir), &gone)?;
    let snapshot = cache::Snapshot {
        buckets,
        accounts_tree: known.accounts_tree,
        accounts: known.accounts,
        account_problems: known.account_problems,
    };
    // The caches are an optimisation: a desk whose cache cannot be written still counts.
    if changed {
        let _ = cache::save_snapshot(&dir, &snapshot);
    }
    if history_changed {
        let _ = cache::save_history(&dir, &history);
    }

    problems.extend(snapshot.account_problems);
    directory.accounts = snapshot.accounts.into_iter().collect();
    let count: usize = snapshot.buckets.values().map(|b| b.tickets.len()).sum();
    let mut tickets = Vec::with_capacity(count + history.deleted.len());
    for e in snapshot.buckets.into_values().flat_map(|b| b.tickets) {
        problems.extend(e.parsed.problems);
        tickets.extend(e.parsed.facts);
    }
    tickets.sort_by_key(|t| t.id);
    tickets.extend(history.deleted);
    problems.sort();
    Ok(Dataset {
        tickets,
        events: history.events,
        directory,
        history: true,
        problems,
        sla: crate::store::DeskRead::settings(&src)
            .map(|s| s.sla)
            .unwrap_or_default(),
        now: None,
    })
}

/// The tickets of a tree, as [`refresh_tickets`] found them.
struct Refreshed {
    buckets: HashMap<String, cache::Bucket>,
    /// Known tickets that vanished or changed, by tree (for the history to recover
    /// deleted ones).
    gone: HashMap<gix::ObjectId, Parsed>,
    changed: bool,
}

/// The ticket buckets of the tree `root`: every bucket whose tree is unchanged is reused
/// as a whole, and in the others every ticket directory whose tree is unchanged; the rest
/// is read, on as many threads as there are cores (reading a first run's 100k tickets is
/// mostly inflating objects and parsing YAML, which parallelise).
fn refresh_tickets(
    repo: &gix::Repository,
    root: gix::ObjectId,
    mut known: HashMap<String, cache::Bucket>,
    progress: Progress<'_>,
) -> Result<Refreshed> {
    let mut current = HashMap::with_capacity(known.len() + 1);
    let mut gone = HashMap::new();
    let mut changed = false;
    // Buckets to fill: their slots hold a known entry or wait for a read.
    let mut pending: Vec<(String, gix::ObjectId, Vec<Option<cache::Entry>>)> = Vec::new();
    let mut to_read: Vec<(usize, usize, TicketDir)> = Vec::new();
    for (name, tree) in scan::ticket_buckets(repo, root)? {
        let old = match known.remove(&name) {
            Some(b) if b.tree == tree => {
                current.insert(name, b);
                continue;
            }
            old => old.map(|b| b.tickets).unwrap_or_default(),
        };
        changed = true;
        let mut old: HashMap<_, _> = old.into_iter().map(|e| (e.tree, e)).collect();
        let mut slots = Vec::new();
        for dir in scan::bucket_dirs(repo, &name, tree)? {
            match old.remove(&dir.tree) {
                Some(e) if e.id == dir.id => slots.push(Some(e)),
                _ => {
                    to_read.push((pending.len(), slots.len(), dir));
                    slots.push(None);
                }
            }
        }
        gone.extend(old.into_values().map(|e| (e.tree, e.parsed)));
        pending.push((name, tree, slots));
    }
    for (b, slot, entry) in read_tickets(repo, &to_read, progress)? {
        pending[b].2[slot] = Some(entry);
    }
    for (name, tree, slots) in pending {
        let tickets = slots.into_iter().flatten().collect();
        current.insert(name, cache::Bucket { tree, tickets });
    }
    for b in known.into_values() {
        changed = true;
        gone.extend(b.tickets.into_iter().map(|e| (e.tree, e.parsed)));
    }
    Ok(Refreshed {
        buckets: current,
        gone,
        changed,
    })
}

/// Reads and parses the ticket directories `dirs` (`(bucket, slot, dir)`), on up to one
/// thread per core, each taking the next chunk of directories; returns each entry with
/// its bucket and slot.
fn read_tickets(
    repo: &gix::Repository,
    dirs: &[(usize, usize, TicketDir)],
    progress: Progress<'_>,
) -> Result<Vec<(usize, usize, cache::Entry)>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let total = dirs.len();
    if total == 0 {
        return Ok(Vec::new());
    }
    progress(0, total);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(total);
    // Chunks small enough to share the work out evenly (a small desk is read in chunks
    // of one, on every thread), large enough not to contend at 100k.
    let chunk = (total / (threads * 8)).clamp(1, 256);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let shared = repo.clone().into_sync();
    let results: Vec<Result<Vec<(usize, usize, cache::Entry)>>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (shared, next, done, failed) = (&shared, &next, &done, &failed);
                s.spawn(move || -> Result<Vec<(usize, usize, cache::Entry)>> {
                    let repo = shared.to_thread_local();
                    let mut out = Vec::new();
                    loop {
                        let start = next.fetch_add(chunk, Ordering::Relaxed);
                        if start >= total || failed.load(Ordering::Relaxed) {
                            return Ok(out);
                        }
                        for (b, slot, dir) in &dirs[start..(start + chunk).min(total)] {
                            let files = match scan::ticket_files(&repo, dir.tree) {
                                Ok(f) => f,
                                Err(e) => {
                                    failed.store(true, Ordering::Relaxed);
                                    return Err(e.into());
                                }
                            };
                            let parsed = facts::parse_ticket(dir.id, &files);
                            let entry = cache::Entry {
                                tree: dir.tree,
                                id: dir.id,
                                parsed,
                            };
                            out.push((*b, *slot, entry));
                        }
                        let n = (start + chunk).min(total) - start;
                        progress(done.fetch_add(n, Ordering::Relaxed) + n, total);
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut out = Vec::with_capacity(total);
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}
