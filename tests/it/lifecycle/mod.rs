//! A ticket's life: answer (mail queued, auto-close), note, assign, pick up, release,
//! customer replies (sticky or not), close, resolve, reopen, edit, delete, merge,
//! attachments and visibility. Each operation's effect on ticket.yaml, messages/, outbox/
//! and the commit; each refusal leaves no commit and a clean work tree.

use crate::support::*;

mod details;
mod ending;
mod library;
mod work;

/// A minute after [`NOW`], for steps whose order in the thread matters.
pub const LATER: &str = "2026-11-27T12:01:00Z";

/// Asserts that `args` fails with exit 1, says `needle`, and changes nothing.
pub fn refused(d: &TestDesk, args: &[&str], needle: &str) {
    let before = d.commit_count();
    let err = d.fails(1, args);
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in:\n{err}"
    );
    assert_eq!(d.commit_count(), before, "{args:?} made a commit");
    assert_eq!(d.status(), "", "{args:?} left files behind");
}

/// The ticket as JSON (as alice, who sees everything).
pub fn ticket(d: &TestDesk, id: &str) -> serde_json::Value {
    json(&d.ok(&["--as", "alice", "--json", "ticket", "show", id]))
}

pub fn trailers(d: &TestDesk) -> Vec<String> {
    d.last_message()
        .lines()
        .filter(|l| l.starts_with("Desk-"))
        .map(str::to_owned)
        .collect()
}

/// Paths of the last commit under `prefix`.
pub fn paths_under(d: &TestDesk, prefix: &str) -> Vec<String> {
    d.last_paths()
        .into_iter()
        .filter(|p| p.starts_with(prefix))
        .collect()
}

pub fn new_ticket(d: &TestDesk, title: &str, email: &str) {
    d.ok(&[
        "--as", "alice", "ticket", "new", "-t", title, "--email", email, "-m", "Help me.",
    ]);
}
