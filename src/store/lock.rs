//! Locks, and the rule for taking one over.
//!
//! Two kinds of lock, never confused:
//! - **git-desk's own** ([`OsLock`]): an OS advisory lock (`flock`) on a file under the
//!   desk's cache directory (`write.lock` serialises mutations, `sync.lock` syncs). The
//!   kernel drops it when its process dies, so it is never stale and never removed.
//! - **git's lock files** ([`GitLock`]): `.git/index.lock` and the branch's
//!   `refs/heads/<branch>.lock`, which git-desk takes as git does (the file created
//!   exclusively) so that git and git-desk exclude each other. A lock file git-desk finds
//!   is git's unless its content says otherwise: git-desk's lock files are made with their
//!   content already in them (written aside, then hard-linked into place), naming
//!   `git-desk`, the process id and the process's start time. Such a file is taken over
//!   only when that process is provably gone (no process with that id, or one that
//!   started at another time) — and only by a process holding `write.lock`, so no live
//!   git-desk can own it. Any other lock file is waited for ([`LOCK_WAIT`]) and then
//!   reported with its path, its age and what to do: git keeps `index.lock` on disk with
//!   its descriptor closed while `git commit` waits for the editor, so "nobody has it
//!   open" proves nothing about its owner.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::error::{Result, StoreError};

/// How long a command waits for a lock held by another process, unless
/// [`ENV_LOCK_WAIT`] says otherwise.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Seconds to wait for a lock (tests set it low; a server may set it high).
pub const ENV_LOCK_WAIT: &str = "GIT_DESK_LOCK_WAIT";

/// How long to wait for a lock: [`ENV_LOCK_WAIT`] seconds, else [`LOCK_WAIT`].
pub fn lock_wait() -> Duration {
    std::env::var(ENV_LOCK_WAIT)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(LOCK_WAIT)
}

/// The first line of every lock file git-desk makes.
const MARKER: &str = "git-desk lock";

/// An OS advisory lock on a file of git-desk's own, held until dropped (or the process
/// dies).
#[derive(Debug)]
pub struct OsLock {
    _file: File,
    path: PathBuf,
}

impl OsLock {
    /// Takes the lock on `path` (made if missing), waiting up to `wait`.
    pub fn acquire(path: &Path, wait: Duration) -> Result<OsLock> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| StoreError::io(path, e))?;
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(OsLock {
                        _file: file,
                        path: path.to_path_buf(),
                    })
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io(path, e)),
            }
            if Instant::now() >= deadline {
                return Err(StoreError::Busy {
                    path: path.to_path_buf(),
                    waited: wait.as_secs(),
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// One of git's lock files (`<resource>.lock`), held by this process. Dropping it removes
/// the lock file and leaves the resource alone.
#[derive(Debug)]
pub struct GitLock {
    lock: PathBuf,
    resource: PathBuf,
    held: bool,
}

/// What a lock file says about its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// Made by a git-desk process that is gone: safe to take over.
    DeadDesk,
    /// Made by a git-desk process that is still running.
    LiveDesk,
    /// Anything else: git's, or unknown. Never removed.
    Foreign,
}

impl GitLock {
    /// Takes git's lock on `resource` (`.git/index` → `.git/index.lock`): a lock left by a
    /// git-desk process that died is taken over; any other is waited for up to `wait`,
    /// then refused with its path and age.
    pub fn acquire(resource: &Path, wait: Duration) -> Result<GitLock> {
        let lock = lock_path(resource);
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(2);
        loop {
            if create_marked(&lock).map_err(|e| StoreError::io(&lock, e))? {
                return Ok(GitLock {
                    lock,
                    resource: resource.to_path_buf(),
                    held: true,
                });
            }
            if take_over_if_dead(&lock) {
                continue;
            }
            if Instant::now() >= deadline {
                return Err(StoreError::GitLocked {
                    age: age_of(&lock),
                    path: lock,
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.lock
    }

    /// Replaces the resource with what `write` produces (written aside, then renamed over
    /// the resource, so a reader sees the old or the new file), then releases the lock.
    /// `renamed` runs between the rename and the release (a failpoint in tests).
    pub fn commit(
        mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
        renamed: impl FnOnce(),
    ) -> io::Result<()> {
        let tmp = aside(&self.resource, "new");
        let result = (|| {
            let mut f = io::BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
            write(&mut f)?;
            f.into_inner().map_err(|e| e.into_error())?;
            std::fs::rename(&tmp, &self.resource)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        renamed();
        self.held = false;
        std::fs::remove_file(&self.lock)
    }
}

impl Drop for GitLock {
    fn drop(&mut self) {
        if self.held {
            let _ = std::fs::remove_file(&self.lock);
        }
    }
}

/// `<resource>.lock`, as git names it.
pub fn lock_path(resource: &Path) -> PathBuf {
    let mut name = resource.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    resource.with_file_name(name)
}

/// A file beside `resource` that git ignores (`.<name>.desk-<what>-<pid>`): a name starting
/// with a dot (git skips such names among loose refs; in the git dir nothing reads them; in
/// the work tree a killed write's leftover is removed by recovery, see [`remove_strays`]).
pub(crate) fn aside(resource: &Path, what: &str) -> PathBuf {
    let name = resource.file_name().unwrap_or_default().to_string_lossy();
    resource.with_file_name(format!(".{name}.desk-{what}-{}", std::process::id()))
}

/// Makes `lock` with git-desk's marker already inside: written aside, then hard-linked
/// into place, which fails when the lock exists. False when it exists.
fn create_marked(lock: &Path) -> io::Result<bool> {
    let tmp = aside(lock, "mark");
    let me = std::process::id();
    let start = start_time(me).unwrap_or(0);
    std::fs::write(&tmp, format!("{MARKER}\npid {me}\nstart {start}\n"))?;
    let linked = std::fs::hard_link(&tmp, lock);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes `lock` when it was made by a git-desk process that is gone. True when removed.
fn take_over_if_dead(lock: &Path) -> bool {
    let before = identity(lock);
    if before.is_none() || owner(lock) != Owner::DeadDesk {
        return false;
    }
    // Still the same file (a lock file is never rewritten in place: git makes a new one).
    identity(lock) == before && std::fs::remove_file(lock).is_ok()
}

fn identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(p)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

fn owner(lock: &Path) -> Owner {
    let Ok(mut f) = File::open(lock) else {
        return Owner::Foreign;
    };
    let mut buf = Vec::with_capacity(128);
    if Read::by_ref(&mut f)
        .take(256)
        .read_to_end(&mut buf)
        .is_err()
    {
        return Owner::Foreign;
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.lines();
    if lines.next() != Some(MARKER) {
        return Owner::Foreign;
    }
    let mut pid = None;
    let mut start = None;
    for l in lines {
        if let Some(v) = l.strip_prefix("pid ") {
            pid = v.trim().parse::<u32>().ok();
        } else if let Some(v) = l.strip_prefix("start ") {
            start = v.trim().parse::<u64>().ok();
        }
    }
    let (Some(pid), Some(start)) = (pid, start) else {
        return Owner::Foreign;
    };
    if alive(pid, start) {
        Owner::LiveDesk
    } else {
        Owner::DeadDesk
    }
}

/// Whether the process `pid` that started at `start` (0: unknown) still runs. A zombie (killed,
/// not yet reaped by its parent) does not: it will never touch its files again.
fn alive(pid: u32, start: u64) -> bool {
    if pid == std::process::id() {
        return true;
    }
    match proc_stat(pid) {
        Some((state, _)) if state == 'Z' || state == 'X' => false,
        Some((_, now)) => start == 0 || now == start,
        None if Path::new("/proc/self/stat").exists() => false,
        // No /proc: ask the kernel whether the pid exists at all.
        // SAFETY: signal 0 only checks for the process; nothing is sent.
        None => unsafe { libc::kill(pid as libc::pid_t, 0) == 0 },
    }
}

/// A process's start time (clock ticks since boot, field 22 of `/proc/<pid>/stat`).
fn start_time(pid: u32) -> Option<u64> {
    proc_stat(pid).map(|(_, start)| start)
}

/// A process's state (field 3: `R`, `S`, `Z` …) and start time (field 22) from
/// `/proc/<pid>/stat`.
fn proc_stat(pid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after the last ')'.
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    Some((state, rest.nth(18)?.parse().ok()?))
}

/// How long ago `path` was made, for messages ("4m 10s").
fn age_of(path: &Path) -> String {
    let modified = std::fs::metadata(path).and_then(|m| m.modified());
    match modified
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
    {
        Some(d) => human(d),
        None => "an unknown time".into(),
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A lock file of git's in the repository that is in the way, for `check` to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignLock {
    pub path: PathBuf,
    pub age: String,
}

/// The lock file `lock` when it exists and is not git-desk's.
pub fn foreign(lock: &Path) -> Option<ForeignLock> {
    (identity(lock).is_some() && owner(lock) == Owner::Foreign).then(|| ForeignLock {
        path: lock.to_path_buf(),
        age: age_of(lock),
    })
}

/// Removes the lock files (`index.lock`, the branch's lock) left by git-desk processes
/// that died; returns the other lock files found there, which are git's and left alone.
pub fn clear_dead_locks(resources: &[PathBuf]) -> (Vec<PathBuf>, Vec<ForeignLock>) {
    let mut removed = Vec::new();
    let mut foreign = Vec::new();
    for r in resources {
        remove_strays(r, |pid| !alive(pid, 0));
        let lock = lock_path(r);
        if identity(&lock).is_none() {
            continue;
        }
        if take_over_if_dead(&lock) {
            removed.push(lock);
        } else if owner(&lock) == Owner::Foreign {
            foreign.push(ForeignLock {
                age: age_of(&lock),
                path: lock,
            });
        }
    }
    (removed, foreign)
}

/// Removes the files git-desk writes beside `file` while replacing it or taking its lock
/// ([`aside`] names: `.<name>.desk-<what>-<pid>`, `.<name>.lock.desk-<what>-<pid>`) whose
/// process `gone` says is finished with them.
pub(crate) fn remove_strays(file: &Path, gone: impl Fn(u32) -> bool) {
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
        return;
    };
    let prefix = format!(".{}", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest
            .strip_prefix(".desk-")
            .or_else(|| rest.strip_prefix(".lock.desk-"))
            .and_then(|r| r.rsplit_once('-'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok());
        if pid.is_some_and(&gone) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_lock_is_never_taken_and_is_reported_with_its_age() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        // git's lock: any content, its descriptor closed (as while `git commit` waits for
        // the editor).
        std::fs::write(lock_path(&index), b"DIRC...").unwrap();
        let err = GitLock::acquire(&index, Duration::from_millis(30)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("index.lock"), "{text}");
        assert!(text.contains("ago"), "{text}");
        assert!(lock_path(&index).exists(), "git's lock must stay");
        let (removed, foreign) = clear_dead_locks(std::slice::from_ref(&index));
        assert!(removed.is_empty());
        assert_eq!(foreign.len(), 1);
        assert!(lock_path(&index).exists());
    }

    #[test]
    fn a_lock_of_a_dead_git_desk_is_taken_over_and_a_live_ones_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let lock = lock_path(&index);
        // A pid that cannot be running: beyond the kernel's pid_max.
        std::fs::write(&lock, format!("{MARKER}\npid 4194399\nstart 1\n")).unwrap();
        let held = GitLock::acquire(&index, Duration::from_millis(30)).unwrap();
        assert_eq!(owner(held.path()), Owner::LiveDesk);
        // Our own live lock is not taken by a second acquirer.
        assert!(GitLock::acquire(&index, Duration::from_millis(30)).is_err());
        drop(held);
        assert!(!lock.exists());
        // A running pid (1) that started at another time: the pid was reused, the
        // git-desk that wrote the lock is gone.
        std::fs::write(&lock, format!("{MARKER}\npid 1\nstart 18446744073709551\n")).unwrap();
        assert_eq!(owner(&lock), Owner::DeadDesk);
        let (removed, foreign) = clear_dead_locks(std::slice::from_ref(&index));
        assert_eq!((removed, foreign), (vec![lock.clone()], vec![]));
    }

    #[test]
    fn a_killed_process_not_yet_reaped_counts_as_gone() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        assert!(alive(pid, 0));
        let start = start_time(pid).unwrap();
        assert!(alive(pid, start));
        child.kill().unwrap();
        // Not reaped yet: a zombie until wait().
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while alive(pid, 0) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive(pid, 0), "a zombie is not alive");
        assert_eq!(proc_stat(pid).map(|s| s.0), Some('Z'));
        child.wait().unwrap();
    }

    #[test]
    fn commit_replaces_the_resource_and_releases_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path().join("main");
        std::fs::write(&r, "old\n").unwrap();
        let l = GitLock::acquire(&r, Duration::ZERO).unwrap();
        let text = std::fs::read_to_string(l.path()).unwrap();
        assert!(text.starts_with(MARKER), "{text}");
        l.commit(|w| w.write_all(b"new\n"), || {}).unwrap();
        assert_eq!(std::fs::read_to_string(&r).unwrap(), "new\n");
        assert!(!lock_path(&r).exists());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no stray files: {names:?}");
        // Strays of a killed process are removed; a live process's are not.
        let dead = dir.path().join(".main.lock.desk-mark-4194399");
        let live = dir
            .path()
            .join(format!(".main.desk-new-{}", std::process::id()));
        std::fs::write(&dead, "x").unwrap();
        std::fs::write(&live, "x").unwrap();
        clear_dead_locks(std::slice::from_ref(&r));
        assert!(!dead.exists() && live.exists());
    }

    #[test]
    fn os_lock_excludes_a_second_holder_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("write.lock");
        let a = OsLock::acquire(&p, Duration::ZERO).unwrap();
        assert!(matches!(
            OsLock::acquire(&p, Duration::from_millis(20)),
            Err(StoreError::Busy { .. })
        ));
        drop(a);
        OsLock::acquire(&p, Duration::ZERO).unwrap();
    }
}
