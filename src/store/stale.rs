//! Locks left behind by a killed process. git (and gix) hold a lock file open for as long
//! as they hold the lock, so a lock file that no running process has open belongs to a
//! process that died: it is safe to remove, and git-desk does so instead of making the user
//! delete `.git/index.lock` by hand. The check reads `/proc/*/fd` (Linux); where that cannot
//! be read, every lock counts as held.

use std::path::{Path, PathBuf};

/// Whether no running process has `path` open. False when unsure.
pub fn held_by_nobody(path: &Path) -> bool {
    let Ok(target) = path.canonicalize() else {
        return false;
    };
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    for p in procs.flatten() {
        let name = p.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let fds = match std::fs::read_dir(p.path().join("fd")) {
            Ok(fds) => fds,
            // A process we may not look into might hold it.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return false,
            Err(_) => continue,
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l == target) {
                return false;
            }
        }
    }
    true
}

/// Takes git's lock on `resource` (`index` → `index.lock`), removing a lock left by a
/// dead process first, and waiting up to `wait` for a live one.
pub fn acquire_lock(
    resource: &Path,
    wait: std::time::Duration,
) -> Result<gix::lock::File, super::StoreError> {
    use gix::lock::acquire::Fail;
    let take = |mode| gix::lock::File::acquire_to_update_resource(resource, mode, None, 0);
    if let Ok(lock) = take(Fail::Immediately) {
        return Ok(lock);
    }
    let lock_file = resource.with_extension("lock");
    // The same lock file before and after looking for its holder: otherwise its holder
    // released it during the look and another process took it (its new file must not be
    // removed, or two writers would commit at once).
    let identity = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p)
            .ok()
            .map(|m| (m.dev(), m.ino(), m.mtime(), m.mtime_nsec()))
    };
    let before = identity(&lock_file);
    if before.is_some() && held_by_nobody(&lock_file) && identity(&lock_file) == before {
        let _ = std::fs::remove_file(&lock_file);
    }
    take(Fail::AfterDurationWithBackoff(wait)).map_err(|_| super::StoreError::Locked(lock_file))
}

/// Removes the lock files of `git_dir` that nobody holds: the index's, git-desk's
/// transaction lock, and those of refs and their logs. Returns what was removed.
pub fn clear_stale_locks(git_dir: &Path) -> Vec<PathBuf> {
    let mut candidates = vec![
        git_dir.join("index.lock"),
        git_dir.join("desk-transaction.lock"),
        git_dir.join("HEAD.lock"),
        git_dir.join("packed-refs.lock"),
    ];
    let mut stack = vec![git_dir.join("refs"), git_dir.join("logs")];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "lock") {
                candidates.push(p);
            }
        }
    }
    candidates
        .into_iter()
        .filter(|p| p.exists() && held_by_nobody(p) && std::fs::remove_file(p).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_lock_is_held_and_a_closed_one_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("index.lock");
        let f = std::fs::File::create(&lock).unwrap();
        assert!(!held_by_nobody(&lock));
        drop(f);
        assert!(held_by_nobody(&lock));
        assert_eq!(clear_stale_locks(dir.path()), vec![lock.clone()]);
        assert!(!lock.exists());
    }
}
