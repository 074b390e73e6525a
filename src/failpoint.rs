//! Failpoints: named steps at which the process kills itself, for the fault-injection tests.
//!
//! `GIT_DESK_FAILPOINT=NAME` makes the process send itself SIGKILL the first time it
//! reaches the step `NAME`; `NAME:N` at the N-th time (for steps inside a loop, such as one
//! work-tree file among many). SIGKILL, not a panic or an exit: nothing is cleaned up, no
//! destructor runs, exactly as when the machine's OOM killer or `kill -9` strikes. Without
//! the variable a failpoint costs one look at a cached value.
//!
//! The steps are listed in [`STEPS`] (a test asserts each is reached by some command).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The environment variable naming the failpoint.
pub const ENV_FAILPOINT: &str = "GIT_DESK_FAILPOINT";

/// Every failpoint, in the order a mutation reaches them.
pub const STEPS: &[&str] = &[
    // The commit engine (store::tx, store::advance).
    "tx.locked",
    "tx.blobs-written",
    "tx.commit-written",
    "tx.journal-written",
    "tx.ref-locked",
    "tx.ref-updated",
    "worktree.file",
    "worktree.index-written",
    "worktree.index-renamed",
    "tx.done",
    // Mail intake: between marking mails seen.
    "mail.seen",
    // The site: between pages, and before the manifest.
    "site.page",
    "site.manifest",
    // The search index: during a rebuild.
    "index.rebuild",
];

struct Armed {
    name: String,
    at: u32,
    hits: AtomicU32,
}

fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let spec = std::env::var(ENV_FAILPOINT).ok()?;
            let (name, at) = match spec.rsplit_once(':') {
                Some((n, k)) => (n.to_owned(), k.parse().unwrap_or(1)),
                None => (spec, 1),
            };
            Some(Armed {
                name,
                at: at.max(1),
                hits: AtomicU32::new(0),
            })
        })
        .as_ref()
}

/// The step `name` is reached: dies here when the failpoint is armed for it.
pub fn hit(name: &str) {
    let Some(a) = armed() else { return };
    if a.name != name {
        return;
    }
    if a.hits.fetch_add(1, Ordering::SeqCst) + 1 == a.at {
        // SAFETY: kill(2) on our own pid with a valid signal has no memory effects.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        // SIGKILL cannot be caught; the line below is never reached.
        std::process::abort();
    }
}
