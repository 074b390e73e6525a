//! `hook pre-receive`: run in a server's bare repository by git's pre-receive hook; checks
//! every pushed commit with the rules of `verify` and rejects the push when any breaks them.
//!
//! During pre-receive, git keeps the pushed objects in a quarantine directory
//! (`GIT_QUARANTINE_PATH`) that only the hook sees. gix does not read git's
//! object-directory variables, so the hook opens a throw-away repository whose object
//! store has two alternates — the quarantine and the real object directory — and reads the
//! new commits through it.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::error::{OpError, Result};
use super::verify::{verify_commits, VerifyOptions, VerifyReport};
use crate::store::StoreError;

/// One line of pre-receive input: `<old> <new> <ref>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub old: ObjectId,
    pub new: ObjectId,
    pub name: String,
}

pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>> {
    let mut out = Vec::new();
    for (n, line) in input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            OpError::invalid(
                format!("pre-receive input line {}", n + 1),
                format!("expected `<old> <new> <ref>`, got `{line}`"),
            )
        };
        if parts.len() != 3 {
            return Err(bad());
        }
        let old = ObjectId::from_hex(parts[0].as_bytes()).map_err(|_| bad())?;
        let new = ObjectId::from_hex(parts[1].as_bytes()).map_err(|_| bad())?;
        out.push(RefUpdate {
            old,
            new,
            name: parts[2].to_owned(),
        });
    }
    Ok(out)
}

/// What the hook decided, per ref.
#[derive(Debug, Default)]
pub struct HookOutcome {
    pub rejections: Vec<String>,
    pub report: VerifyReport,
}

/// Checks the updates against the bare repository at `git_dir`.
pub fn pre_receive(
    git_dir: &Path,
    updates: &[RefUpdate],
    opts: &VerifyOptions,
) -> Result<HookOutcome> {
    let real = gix::open(git_dir)
        .map_err(|e| StoreError::git(format!("opening {}", git_dir.display()), e))?;
    let head_branch = real
        .head_name()
        .ok()
        .flatten()
        .map(|n| n.as_bstr().to_string());
    let mut existing = Vec::new();
    let refs = real
        .references()
        .map_err(|e| StoreError::git("listing refs", e))?;
    for mut r in refs
        .all()
        .map_err(|e| StoreError::git("listing refs", e))?
        .flatten()
    {
        if let Ok(id) = r.peel_to_id() {
            existing.push(id.detach());
        }
    }
    let scratch = tempfile::tempdir().map_err(|e| StoreError::io(std::env::temp_dir(), e))?;
    let repo = view_with_quarantine(scratch.path(), git_dir)?;
    let mut outcome = HookOutcome::default();
    for u in updates {
        if u.new.is_null() {
            if Some(&u.name) == head_branch.as_ref() {
                outcome
                    .rejections
                    .push(format!("{}: deleting the desk's branch is refused", u.name));
            }
            continue;
        }
        if !u.name.starts_with("refs/heads/") {
            continue;
        }
        // History is the audit log: a push that drops commits from the desk's branch
        // (a forced, non-fast-forward push) is refused like deleting it.
        if Some(&u.name) == head_branch.as_ref()
            && !u.old.is_null()
            && !crate::store::scan::is_ancestor(&repo, u.old, u.new)
        {
            outcome.rejections.push(format!(
                "{}: rewriting the desk's history (a non-fast-forward push) is refused",
                u.name
            ));
            continue;
        }
        let report = verify_commits(&repo, u.new, existing.clone(), opts)?;
        for v in &report.violations {
            outcome.rejections.push(format!(
                "{}: commit {} by {} (\"{}\"): {}",
                u.name,
                &v.commit[..12],
                v.actor,
                v.subject,
                v.reason
            ));
        }
        outcome.report.commits += report.commits;
        outcome.report.violations.extend(report.violations);
    }
    Ok(outcome)
}

fn view_with_quarantine(scratch: &Path, git_dir: &Path) -> Result<gix::Repository> {
    let abs = |p: PathBuf| if p.is_absolute() { p } else { git_dir.join(p) };
    let main_objects = git_dir
        .canonicalize()
        .map_err(|e| StoreError::io(git_dir, e))?
        .join("objects");
    let mut alternates = Vec::new();
    for var in ["GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY"] {
        if let Some(p) = std::env::var_os(var) {
            let p = abs(PathBuf::from(p));
            if !alternates.contains(&p) && p != main_objects {
                alternates.push(p);
            }
        }
    }
    if let Some(list) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        for p in std::env::split_paths(&list) {
            let p = abs(p);
            if !alternates.contains(&p) {
                alternates.push(p);
            }
        }
    }
    if !alternates.contains(&main_objects) {
        alternates.push(main_objects);
    }
    let write =
        |p: PathBuf, text: String| std::fs::write(&p, text).map_err(|e| StoreError::io(p, e));
    for d in ["refs/heads", "objects/info", "objects/pack"] {
        std::fs::create_dir_all(scratch.join(d)).map_err(|e| StoreError::io(scratch, e))?;
    }
    write(scratch.join("HEAD"), "ref: refs/heads/main\n".into())?;
    write(scratch.join("config"), "[core]\n\tbare = true\n".into())?;
    let list: String = alternates
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    write(scratch.join("objects/info/alternates"), list)?;
    gix::open(scratch).map_err(|e| StoreError::git("opening the quarantine view", e).into())
}
