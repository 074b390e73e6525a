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
    actor::require(me, Permission::StatsView, "view ticket statistics")?;
    let mut data = load(desk)?;
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
    match (desk.repo(), desk.head_commit()?) {
        (Some(repo), Some(head)) => from_git(desk, repo, head),
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

fn from_git(desk: &Desk, repo: &gix::Repository, head: gix::ObjectId) -> Result<Dataset> {
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
    } = refresh_tickets(repo, root, buckets)?;

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
/// is read.
fn refresh_tickets(
    repo: &gix::Repository,
    root: gix::ObjectId,
    mut known: HashMap<String, cache::Bucket>,
) -> Result<Refreshed> {
    let mut current = HashMap::with_capacity(known.len() + 1);
    let mut gone = HashMap::new();
    let mut changed = false;
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
        let mut tickets = Vec::new();
        for TicketDir { id, tree } in scan::bucket_dirs(repo, &name, tree)? {
            let entry = match old.remove(&tree) {
                Some(e) if e.id == id => e,
                _ => {
                    let parsed = facts::parse_ticket(id, &scan::ticket_files(repo, tree)?);
                    cache::Entry { tree, id, parsed }
                }
            };
            tickets.push(entry);
        }
        gone.extend(old.into_values().map(|e| (e.tree, e.parsed)));
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
