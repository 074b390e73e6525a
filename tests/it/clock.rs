//! A clock (`GIT_DESK_NOW` or a skewed system clock) before a ticket's or task's creation
//! is refused with the ticket, its `created_at` and the time given; nothing is committed.

use crate::support::*;

#[test]
fn a_clock_before_the_creation_is_refused_and_nothing_is_committed() {
    let mut d = TestDesk::example();
    // Ticket 1040 was created at 2026-11-26T16:30:22Z, task 6 at 2026-11-25T14:00:00Z.
    d.now = "2026-11-20T08:00:00Z".into();
    let head = d.head();
    for args in [
        &["--as", "alice", "ticket", "note", "1040", "-m", "early"][..],
        &["--as", "alice", "ticket", "close", "1040"],
        &["--as", "alice", "ticket", "assign", "1040", "bob"],
        &[
            "--as",
            "alice",
            "ticket",
            "edit",
            "1040",
            "--priority",
            "90",
        ],
        &[
            "--as", "alice", "search", "id:1040", "--mass", "close", "--yes",
        ],
    ] {
        let err = d.fails(1, args);
        assert!(
            err.contains(
                "ticket 1040 was created at 2026-11-26T16:30:22Z, after the time given (2026-11-20T08:00:00Z); check the system clock or GIT_DESK_NOW"
            ),
            "{args:?}: {err}"
        );
    }
    for args in [
        &["--as", "alice", "task", "done", "6"][..],
        &["--as", "alice", "task", "note", "6", "-m", "early"],
        &["--as", "alice", "task", "edit", "6", "--title", "Early"],
    ] {
        let err = d.fails(1, args);
        assert!(
            err.contains(
                "task 6 was created at 2026-11-25T14:00:00Z, after the time given (2026-11-20T08:00:00Z)"
            ),
            "{args:?}: {err}"
        );
    }
    assert_eq!(d.head(), head);
    assert_eq!(d.status(), "");
    // Tickets made earlier take the change; and with the clock right, 1040 does too.
    d.ok(&["--as", "alice", "ticket", "note", "1001", "-m", "fine"]);
    d.now = NOW.into();
    d.ok(&["--as", "alice", "ticket", "note", "1040", "-m", "fine"]);
    assert!(d.ok(&["check"]).starts_with("ok:"));
}
