//! `sync`: git is the distributed engine. One run fetches the shared remote, brings the
//! local branch up to date (a fast-forward, or the local unpushed commits replayed onto the
//! remote branch — see [`replay`]), runs the desk's periodic work, pushes (fetching and
//! replaying again, a bounded number of times, when the remote moved meanwhile), and
//! reports what happened. Only one sync runs at a time per desk (a lock file in the cache
//! directory). An interrupted run is finished by the next one ([`Desk::recover`]).

pub mod remote;
pub mod replay;
pub mod steps;
pub mod watch;

use std::time::Duration;

use serde::Serialize;

use crate::ops::OpError;
use crate::store::{Desk, StoreError};

pub use remote::PushOutcome;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub remote: String,
    pub push: bool,
    /// How many fetch-replay-push rounds before giving up when the remote keeps moving.
    pub attempts: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            remote: "origin".into(),
            push: true,
            attempts: 5,
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct SyncReport {
    /// The remote's tip before this run integrated it (none: empty remote).
    pub remote_head: Option<String>,
    pub fast_forwarded: bool,
    pub replayed: usize,
    pub dropped: usize,
    pub renumbered: Vec<(replay::Renumbered, u64, u64)>,
    pub notes: Vec<String>,
    pub pushed: bool,
    pub autoclosed: usize,
    /// Snoozed tickets woken because their time had come.
    pub woken: usize,
    /// Tickets the SLA escalation pass acted on.
    pub escalated: usize,
    /// Mails taken in from the desk's Maildirs.
    pub mail_ingested: usize,
    /// Mails of the outbox delivered (sent) in this run.
    pub mail_sent: usize,
    /// Pages the site rebuild wrote (none: no rebuild).
    pub site_pages: Option<usize>,
    /// Tickets, tasks and articles the search index read again (none: not updated).
    pub reindexed: Option<usize>,
    pub rounds: u32,
    pub recovered: bool,
    pub head: Option<String>,
}

/// The current branch's short name (`main`).
pub fn current_branch(repo: &gix::Repository) -> Result<String, OpError> {
    let name = repo
        .head_name()
        .map_err(|e| StoreError::git("reading HEAD", e))?
        .ok_or_else(|| {
            OpError::State("HEAD is detached; check out the desk's branch before syncing".into())
        })?;
    Ok(name.shorten().to_string())
}

/// One sync at a time per desk: an OS lock on `<cache>/sync.lock` (released by the kernel if
/// the process dies, so never stale).
pub struct SyncLock {
    _held: crate::store::lock::OsLock,
}

impl SyncLock {
    pub fn acquire(desk: &Desk, wait: Duration) -> Result<SyncLock, OpError> {
        let path = desk.cache_dir().join("sync.lock");
        match crate::store::lock::OsLock::acquire(&path, wait) {
            Ok(l) => Ok(SyncLock { _held: l }),
            Err(StoreError::Busy { .. }) => Err(OpError::State(format!(
                "another sync is running on this desk ({} is its lock)",
                path.display()
            ))),
            Err(e) => Err(e.into()),
        }
    }
}

/// Fetches and integrates the remote branch into the local one. Returns the remote tip.
pub fn integrate(
    desk: &Desk,
    opts: &SyncOptions,
    report: &mut SyncReport,
) -> Result<Option<gix::ObjectId>, OpError> {
    let repo = desk
        .repo()
        .ok_or_else(|| StoreError::ReadOnly(desk.root().to_path_buf()))?;
    let branch = current_branch(repo)?;
    let Some(remote_tip) = remote::fetch(repo, &opts.remote, &branch)? else {
        return Ok(None);
    };
    report.remote_head = Some(remote_tip.to_string());
    let local = repo
        .head_id()
        .map_err(|e| StoreError::git("reading HEAD", e))?
        .detach();
    if local == remote_tip || is_ancestor(repo, remote_tip, local)? {
        return Ok(Some(remote_tip));
    }
    if is_ancestor(repo, local, remote_tip)? {
        desk.advance(local, remote_tip, "sync: fast-forward")?;
        report.fast_forwarded = true;
        return Ok(Some(remote_tip));
    }
    let r = replay::replay(repo, local, remote_tip)?;
    report.replayed += r.applied;
    report.dropped += r.dropped;
    report.notes.extend(r.notes);
    report.renumbered.extend(r.renumbered);
    desk.advance(local, r.head, "sync: replay local commits onto the remote")?;
    Ok(Some(remote_tip))
}

fn is_ancestor(
    repo: &gix::Repository,
    ancestor: gix::ObjectId,
    of: gix::ObjectId,
) -> Result<bool, OpError> {
    if ancestor == of {
        return Ok(true);
    }
    let base = repo
        .merge_base(ancestor, of)
        .map_err(|e| StoreError::git("finding the merge base", e));
    Ok(matches!(base, Ok(Some(b)) if b.detach() == ancestor))
}

/// The steps of a run that belong to other parts of the desk, called by [`sync`].
pub trait SyncSteps {
    /// After the first integration, before pushing: mail intake, auto-close.
    fn between(&mut self, _desk: &Desk, _report: &mut SyncReport) -> Result<(), OpError> {
        Ok(())
    }
    /// Once the local branch is on the remote (pushed, or nothing to push): sending the
    /// outbox. Returns true when it made a commit, which is then pushed in another round.
    fn after_push(&mut self, _desk: &Desk, _report: &mut SyncReport) -> Result<bool, OpError> {
        Ok(false)
    }
    /// Last, whatever happened: rebuilding the site.
    fn finish(&mut self, _desk: &Desk, _report: &mut SyncReport) {}
}

/// No extra steps: fetch, integrate, push.
pub struct NoSteps;
impl SyncSteps for NoSteps {}

/// One sync run: recover, then rounds of fetch → integrate → push until the push lands;
/// `steps.between` runs after the first integration, `steps.after_push` once the remote has
/// everything (its commit, if any, is pushed in a further round); finally the search index
/// is brought up to date.
pub fn sync(
    desk: &Desk,
    opts: &SyncOptions,
    steps: &mut dyn SyncSteps,
) -> Result<SyncReport, OpError> {
    let _lock = SyncLock::acquire(desk, Duration::from_secs(0))?;
    let mut report = SyncReport {
        recovered: !desk.recover()?.is_empty(),
        ..Default::default()
    };
    let repo = desk
        .repo()
        .ok_or_else(|| StoreError::ReadOnly(desk.root().to_path_buf()))?;
    let branch = current_branch(repo)?;
    let (mut ran_between, mut ran_after) = (false, false);
    for round in 1..=opts.attempts.max(1) + 1 {
        report.rounds = round;
        let remote_tip = integrate(desk, opts, &mut report)?;
        if !ran_between {
            steps.between(desk, &mut report)?;
            ran_between = true;
        }
        let local = repo
            .head_id()
            .map_err(|e| StoreError::git("reading HEAD", e))?
            .detach();
        report.head = Some(local.to_string());
        let landed = if !opts.push {
            false
        } else if remote_tip == Some(local) {
            true
        } else {
            match remote::push(desk.root(), &opts.remote, local, &branch)? {
                PushOutcome::Pushed => {
                    report.pushed = true;
                    // Record what the remote now has, as a fetch would.
                    let _ = remote::fetch(repo, &opts.remote, &branch);
                    true
                }
                PushOutcome::Rejected(reason) => {
                    report.notes.push(format!(
                        "push round {round} rejected ({reason}); fetching again"
                    ));
                    continue;
                }
            }
        };
        if landed && !ran_after {
            ran_after = true;
            if steps.after_push(desk, &mut report)? {
                continue;
            }
        }
        refresh_index(desk, &mut report);
        steps.finish(desk, &mut report);
        return Ok(report);
    }
    Err(OpError::State(format!(
        "the remote kept moving: {} rounds of fetch, replay and push did not land; your commits are safe locally, run sync again",
        opts.attempts
    )))
}

/// Brings the search index up to date with the synced desk; a failure is a note, not a
/// failed sync (the index is derived and rebuilt on the next search).
pub fn refresh_index(desk: &Desk, report: &mut SyncReport) {
    match crate::index::open(desk, crate::index::Options::default(), &crate::index::Quiet) {
        Ok((_, r)) => report.reindexed = Some(r.reindexed),
        Err(e) => report
            .notes
            .push(format!("the search index was not updated: {e}")),
    }
}
