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

/// Holds the per-desk sync lock while alive: `sync.lock` in the cache directory, holding
/// the owner's process id. A lock whose process is gone (a killed sync) is taken over.
pub struct SyncLock(std::path::PathBuf);

impl SyncLock {
    pub fn acquire(desk: &Desk, wait: Duration) -> Result<SyncLock, OpError> {
        let dir = desk.cache_dir();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let path = dir.join("sync.lock");
        let deadline = std::time::Instant::now() + wait;
        loop {
            // The lock appears with its owner's pid in it, never empty: written aside, then
            // hard-linked into place (which fails when the lock exists).
            let tmp = dir.join(format!("sync.lock.{}", std::process::id()));
            std::fs::write(&tmp, format!("{}\n", std::process::id()))
                .map_err(|e| StoreError::io(&tmp, e))?;
            let linked = std::fs::hard_link(&tmp, &path);
            let _ = std::fs::remove_file(&tmp);
            match linked {
                Ok(()) => return Ok(SyncLock(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    let alive = owner
                        .is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
                    if !alive && owner.is_some() {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if std::time::Instant::now() >= deadline {
                        return Err(OpError::State(format!(
                            "another sync is running on this desk (process {}; {} is its lock)",
                            owner.map_or("?".into(), |p| p.to_string()),
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(StoreError::io(&path, e).into()),
            }
        }
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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
    if let Some(repo) = desk.repo() {
        crate::store::stale::clear_stale_locks(repo.git_dir());
    }
    let mut report = SyncReport {
        recovered: desk.recover()?,
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
