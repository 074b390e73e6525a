//! Talking to the shared remote: fetch with gix, push with the `git` CLI (gix cannot push
//! yet; this is the one place that shells out for it).

use std::path::Path;
use std::process::Command;

use gix::ObjectId;

use crate::ops::OpError;
use crate::store::StoreError;

/// Fetches `remote` and returns the id of its copy of `branch` (none when the remote has
/// no such branch yet).
pub fn fetch(
    repo: &gix::Repository,
    remote: &str,
    branch: &str,
) -> Result<Option<ObjectId>, OpError> {
    // Updating remote-tracking refs writes a reflog, which needs a committer; git-desk
    // does not require one to be configured.
    let mut repo = repo.clone();
    repo.committer_or_set_generic_fallback()
        .map_err(|e| StoreError::git("setting a committer", e))?;
    let repo = &repo;
    let r = repo.find_remote(remote).map_err(|e| {
        OpError::invalid(
            "--remote",
            format!("no remote `{remote}` ({e}); add one with `git remote add {remote} URL`"),
        )
    })?;
    let once = || -> Result<(), StoreError> {
        let conn = r
            .connect(gix::remote::Direction::Fetch)
            .map_err(|e| StoreError::git(format!("connecting to `{remote}`"), e))?;
        conn.prepare_fetch(gix::progress::Discard, Default::default())
            .map_err(|e| StoreError::git(format!("fetching from `{remote}`"), e))?
            .receive(gix::progress::Discard, &gix::interrupt::IS_INTERRUPTED)
            .map_err(|e| StoreError::git(format!("fetching from `{remote}`"), e))?;
        Ok(())
    };
    if let Err(e) = once() {
        // A fetch killed while it moved the remote-tracking refs leaves their lock files
        // behind, and every later fetch would fail on them. Those refs only record what
        // the remote had (the next fetch writes them again), and no other git-desk
        // fetches while this one holds the sync lock: a lock still there after a few
        // seconds (a `git fetch` run by hand is over by then) is removed, then the fetch
        // is tried once more.
        let locks = tracking_locks(repo, remote);
        if locks.is_empty() {
            return Err(e.into());
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < until && locks.iter().any(|l| l.exists()) {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        for l in &locks {
            let _ = std::fs::remove_file(l);
        }
        once()?;
    }
    tracking(repo, remote, branch)
}

/// Lock files under `refs/remotes/<remote>/`.
fn tracking_locks(repo: &gix::Repository, remote: &str) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "lock") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &repo.common_dir().join("refs/remotes").join(remote),
        &mut out,
    );
    out
}

/// The last fetched state of `remote`'s `branch`.
pub fn tracking(
    repo: &gix::Repository,
    remote: &str,
    branch: &str,
) -> Result<Option<ObjectId>, OpError> {
    let name = format!("refs/remotes/{remote}/{branch}");
    match repo.try_find_reference(name.as_str()) {
        Ok(Some(mut r)) => Ok(Some(
            r.peel_to_id()
                .map_err(|e| StoreError::git(format!("reading {name}"), e))?
                .detach(),
        )),
        Ok(None) => Ok(None),
        Err(e) => Err(StoreError::git(format!("reading {name}"), e).into()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Pushed,
    /// The remote moved meanwhile (non-fast-forward): fetch, replay and try again.
    Rejected(String),
}

/// Pushes `commit` to `remote`'s `branch` (a fast-forward only).
pub fn push(
    git_dir_or_worktree: &Path,
    remote: &str,
    commit: ObjectId,
    branch: &str,
) -> Result<PushOutcome, OpError> {
    let refspec = format!("{commit}:refs/heads/{branch}");
    let out = Command::new("git")
        .arg("-C")
        .arg(git_dir_or_worktree)
        .args(["push", "--porcelain", remote, &refspec])
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| OpError::State(format!("running `git push`: {e} (is git installed?)")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        return Ok(PushOutcome::Pushed);
    }
    if let Some(line) = stdout.lines().find(|l| l.starts_with('!')) {
        let reason = line.split('\t').nth(2).unwrap_or(line).to_owned();
        let raced = reason.contains("fetch first")
            || reason.contains("non-fast-forward")
            || reason.contains("failed to update ref")
            || stderr.contains("cannot lock ref");
        if raced {
            return Ok(PushOutcome::Rejected(reason));
        }
        return Err(OpError::State(format!(
            "the remote refused the push: {reason}\n{}",
            stderr.trim()
        )));
    }
    Err(OpError::State(format!(
        "git push failed: {}",
        stderr.trim()
    )))
}
