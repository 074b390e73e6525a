//! `sync --watch`: keeps a desk in step without anyone running commands. It watches the
//! work tree, the git refs and the desk's Maildirs (notify, debounced) and fetches on a
//! timer. A new commit or a new mail triggers a full sync; a hand edit of a desk file only
//! refreshes the derived state (index, site) — nothing is committed for you. One line is
//! logged per run; Ctrl-C / SIGTERM stop it between runs. The sync lock keeps it from
//! running alongside a manual `git desk sync`.
//!
//! What an event means is decided by [`classify`], a pure function, so the rules are tested
//! without a file system.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a file-system event asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reaction {
    Ignore,
    /// A desk file changed in the work tree: refresh the index and the site.
    Refresh,
    /// A commit or a mail arrived: run a whole sync.
    Sync,
}

/// The paths a watcher cares about.
#[derive(Debug, Clone)]
pub struct Watched {
    pub root: PathBuf,
    pub git_dir: PathBuf,
    pub maildirs: Vec<PathBuf>,
}

/// Classifies one changed path.
pub fn classify(w: &Watched, path: &Path) -> Reaction {
    if w.maildirs
        .iter()
        .any(|m| path.starts_with(m.join("new")) || path.starts_with(m.join("cur")))
    {
        return Reaction::Sync;
    }
    if let Ok(rel) = path.strip_prefix(&w.git_dir) {
        let rel = rel.to_string_lossy();
        let is_ref = rel == "HEAD" || rel == "packed-refs" || rel.starts_with("refs/heads/");
        return if is_ref && !rel.ends_with(".lock") {
            Reaction::Sync
        } else {
            Reaction::Ignore
        };
    }
    let Ok(rel) = path.strip_prefix(&w.root) else {
        return Reaction::Ignore;
    };
    let rel = rel.to_string_lossy();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // Editors' swap and backup files, our own temporary files, hidden files.
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name == "4913" {
        return Reaction::Ignore;
    }
    if rel.starts_with(".git") {
        return Reaction::Ignore;
    }
    if name.ends_with(".yaml") || name.ends_with(".md") {
        Reaction::Refresh
    } else {
        Reaction::Ignore
    }
}

/// Runs `on_change(reaction)` for each burst of changes and `Reaction::Sync` every
/// `interval`, until interrupted. `log` gets one line per run.
pub fn watch(
    w: &Watched,
    interval: Duration,
    mut on_change: impl FnMut(Reaction) -> Result<String, String>,
    mut log: impl FnMut(&str),
) -> Result<(), String> {
    use notify::RecursiveMode;
    let _handler = gix::interrupt::init_handler_default(1)
        .map_err(|e| format!("installing the signal handler: {e}"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut deb = notify_debouncer_full::new_debouncer(Duration::from_millis(300), None, tx)
        .map_err(|e| format!("starting the file watcher: {e}"))?;
    // The whole work tree, for hand edits. A desk with more directories than the OS lets
    // one process watch (inotify's max_user_watches) falls back to the git dir alone:
    // commits and mail still trigger syncs, hand edits wait for the timer.
    let whole = deb.watch(&w.root, RecursiveMode::Recursive);
    if let Err(e) = &whole {
        let _ = deb.unwatch(&w.root);
        log(&format!(
            "watch: cannot watch the whole work tree ({e}); watching commits and mail only — raise fs.inotify.max_user_watches to follow hand edits"
        ));
    }
    if whole.is_err() || !w.git_dir.starts_with(&w.root) {
        deb.watch(&w.git_dir, RecursiveMode::Recursive)
            .map_err(|e| format!("watching {}: {e}", w.git_dir.display()))?;
    }
    for m in &w.maildirs {
        if m.exists() && (whole.is_err() || !m.starts_with(&w.root)) {
            deb.watch(m, RecursiveMode::Recursive)
                .map_err(|e| format!("watching {}: {e}", m.display()))?;
        }
    }
    let mut next_timer = Instant::now();
    let mut pending = Reaction::Sync; // one sync at start
    loop {
        if gix::interrupt::is_triggered() {
            log("watch: stopped");
            return Ok(());
        }
        if Instant::now() >= next_timer {
            pending = pending.max(Reaction::Sync);
        }
        if pending != Reaction::Ignore {
            let started = Instant::now();
            let what = pending;
            pending = Reaction::Ignore;
            match on_change(what) {
                Ok(summary) => log(&format!(
                    "{} ({} ms)",
                    summary,
                    started.elapsed().as_millis()
                )),
                Err(e) => log(&format!("error: {e}")),
            }
            if what == Reaction::Sync {
                next_timer = Instant::now() + interval;
            }
            // Our own writes show up as events: drop what arrived while we ran.
            while rx.try_recv().is_ok() {}
            continue;
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Ok(events)) => {
                for ev in events {
                    if matches!(ev.kind, notify::EventKind::Access(_)) {
                        continue;
                    }
                    for p in &ev.paths {
                        pending = pending.max(classify(w, p));
                    }
                }
            }
            Ok(Err(errors)) => {
                for e in errors {
                    log(&format!("watch error: {e}"));
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err("the file watcher stopped".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w() -> Watched {
        Watched {
            root: "/d".into(),
            git_dir: "/d/.git".into(),
            maildirs: vec!["/mail/support".into()],
        }
    }

    #[test]
    fn events_are_classified() {
        let w = w();
        let c = |p: &str| classify(&w, Path::new(p));
        assert_eq!(c("/d/tickets/001/1043/ticket.yaml"), Reaction::Refresh);
        assert_eq!(c("/d/kb/howto.md"), Reaction::Refresh);
        assert_eq!(c("/d/tickets/001/1043/.ticket.yaml.swp"), Reaction::Ignore);
        assert_eq!(c("/d/tickets/001/1043/ticket.yaml~"), Reaction::Ignore);
        assert_eq!(c("/d/tickets/001/1043/4913"), Reaction::Ignore);
        assert_eq!(c("/d/tickets/001/1043/files/photo.jpg"), Reaction::Ignore);
        assert_eq!(c("/d/.git/refs/heads/main"), Reaction::Sync);
        assert_eq!(c("/d/.git/refs/heads/main.lock"), Reaction::Ignore);
        assert_eq!(c("/d/.git/HEAD"), Reaction::Sync);
        assert_eq!(c("/d/.git/objects/ab/cdef"), Reaction::Ignore);
        assert_eq!(c("/d/.git/index"), Reaction::Ignore);
        assert_eq!(c("/d/.git/desk/index/meta.json"), Reaction::Ignore);
        assert_eq!(c("/mail/support/new/1234.eml"), Reaction::Sync);
        assert_eq!(c("/mail/support/tmp/1234.eml"), Reaction::Ignore);
        assert_eq!(c("/elsewhere/x.yaml"), Reaction::Ignore);
    }
}
