//! The desk's branch: which branch HEAD names (mutations refuse a detached HEAD, an unborn
//! branch outside `init`, and a branch other than `git config desk.branch`), and moving it
//! with a compare-and-swap under git's own ref lock (`refs/heads/<name>.lock`, taken as
//! [`GitLock`] so that a lock left by a killed git-desk is recognised and taken over),
//! with reflog entries written as git writes them.

use std::io::Write;
use std::path::PathBuf;

use gix::ObjectId;

use super::error::{Result, StoreError};
use super::lock::{lock_wait, GitLock};
use crate::failpoint;

/// The environment variable that names the branch a mutation may work on, overriding
/// `git config desk.branch` for one command.
pub const ENV_BRANCH: &str = "GIT_DESK_BRANCH";

/// The branch HEAD names and where it points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Full ref name, `refs/heads/main`.
    pub name: String,
    /// The branch's commit; none while it is unborn.
    pub tip: Option<ObjectId>,
}

impl Branch {
    /// The short name (`main`).
    pub fn short(&self) -> &str {
        self.name.strip_prefix("refs/heads/").unwrap_or(&self.name)
    }
}

/// The branch HEAD names, refusing what a mutation must not build on: a detached HEAD, an
/// unborn branch (unless `allow_unborn`, for `init`), or a branch other than the desk's
/// (`git config desk.branch`, or `$GIT_DESK_BRANCH` naming the branch explicitly).
pub fn for_mutation(repo: &gix::Repository, allow_unborn: bool) -> Result<Branch> {
    let head = repo
        .head()
        .map_err(|e| StoreError::git("reading HEAD", e))?;
    let name = match head.referent_name() {
        Some(n) => n.as_bstr().to_string(),
        None => {
            let at = head
                .id()
                .map(|id| id.shorten_or_id().to_string())
                .unwrap_or_default();
            return Err(StoreError::Branch(format!(
                "HEAD is detached (at {at}): a change made now would be lost by the next `git checkout`; check out the desk's branch first (`git checkout main`)"
            )));
        }
    };
    if !name.starts_with("refs/heads/") {
        return Err(StoreError::Branch(format!(
            "HEAD names {name}, which is not a branch; check out the desk's branch first"
        )));
    }
    let tip = head.id().map(|id| id.detach());
    let branch = Branch { name, tip };
    if tip.is_none() && !allow_unborn {
        return Err(StoreError::Branch(format!(
            "the branch {} has no commit yet: this repository is not a desk until `git desk init` makes its first commit",
            branch.short()
        )));
    }
    let wanted = std::env::var(ENV_BRANCH)
        .ok()
        .filter(|b| !b.is_empty())
        .or_else(|| {
            repo.config_snapshot()
                .string("desk.branch")
                .map(|s| s.to_string())
        });
    if let Some(wanted) = wanted {
        let wanted = wanted.strip_prefix("refs/heads/").unwrap_or(&wanted);
        if wanted != branch.short() {
            return Err(StoreError::Branch(format!(
                "HEAD is on branch {} but the desk's branch is {wanted} (git config desk.branch); run `git checkout {wanted}`, or set {ENV_BRANCH}={} to change the desk on this branch",
                branch.short(),
                branch.short()
            )));
        }
    }
    Ok(branch)
}

/// The file of a loose ref (in the common git dir, shared by linked work trees).
pub fn ref_file(repo: &gix::Repository, name: &str) -> PathBuf {
    repo.common_dir().join(name)
}

/// Where a branch points now, read from disk (its loose file, else `packed-refs`; not from
/// any cache).
pub fn tip(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>> {
    let loose = ref_file(repo, name);
    match std::fs::read_to_string(&loose) {
        Ok(text) => {
            let text = text.trim();
            return ObjectId::from_hex(text.as_bytes()).map(Some).map_err(|_| {
                StoreError::Invalid {
                    path: loose.display().to_string(),
                    message: format!("`{text}` is not a commit id"),
                }
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io(&loose, e)),
    }
    let packed = repo.common_dir().join("packed-refs");
    let text = match std::fs::read_to_string(&packed) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(&packed, e)),
    };
    for line in text.lines() {
        if let Some((hex, n)) = line.split_once(' ') {
            if n == name {
                return Ok(ObjectId::from_hex(hex.as_bytes()).ok());
            }
        }
    }
    Ok(None)
}

/// Who moves the branch, for the reflog.
pub struct Mover<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub seconds: i64,
}

/// Moves `branch` from `expected` (none: it must not exist) to `new`, under git's ref lock,
/// appending to the branch's and HEAD's reflogs as git does.
pub fn move_to(
    repo: &gix::Repository,
    branch: &str,
    expected: Option<ObjectId>,
    new: ObjectId,
    who: &Mover<'_>,
    message: &str,
) -> Result<()> {
    let file = ref_file(repo, branch);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    let lock = GitLock::acquire(&file, lock_wait())?;
    failpoint::hit("tx.ref-locked");
    let now = tip(repo, branch)?;
    if now != expected {
        return Err(StoreError::Moved {
            expected: expected
                .map(|p| p.to_string())
                .unwrap_or_else(|| "no commit yet".into()),
        });
    }
    let line = reflog_line(expected, new, who, message, repo.object_hash());
    for log in reflogs(repo, branch) {
        append(&log, &line)?;
    }
    lock.commit(|w| writeln!(w, "{new}"), || {})
        .map_err(|e| StoreError::io(&file, e))?;
    failpoint::hit("tx.ref-updated");
    Ok(())
}

/// The reflogs an update of `branch` appends to: the branch's own and HEAD's (when HEAD
/// names the branch), each when it exists or `core.logAllRefUpdates` asks for it (git's
/// default: on in a work tree, off in a bare repository).
fn reflogs(repo: &gix::Repository, branch: &str) -> Vec<PathBuf> {
    let config = repo.config_snapshot();
    let log_all = match config.string("core.logAllRefUpdates") {
        Some(v) => {
            let v = v.to_string().to_ascii_lowercase();
            matches!(v.as_str(), "true" | "yes" | "on" | "1" | "always")
        }
        None => !repo.is_bare(),
    };
    let mut out = Vec::new();
    let own = repo.common_dir().join("logs").join(branch);
    if own.exists() || log_all {
        out.push(own);
    }
    let head_names_branch = repo
        .head_name()
        .ok()
        .flatten()
        .is_some_and(|n| n.as_bstr() == branch);
    let head = repo.git_dir().join("logs").join("HEAD");
    if head_names_branch && (head.exists() || log_all) {
        out.push(head);
    }
    out
}

fn reflog_line(
    old: Option<ObjectId>,
    new: ObjectId,
    who: &Mover<'_>,
    message: &str,
    hash: gix::hash::Kind,
) -> String {
    let old = old.unwrap_or_else(|| ObjectId::null(hash));
    let clean = |s: &str| s.replace(['\n', '\r', '<', '>'], " ");
    let message: String = message.lines().next().unwrap_or("").replace('\t', " ");
    format!(
        "{old} {new} {} <{}> {} +0000\t{message}\n",
        clean(who.name),
        clean(who.email),
        who.seconds
    )
}

fn append(path: &std::path::Path, line: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    f.write_all(line.as_bytes())
        .map_err(|e| StoreError::io(path, e))
}
