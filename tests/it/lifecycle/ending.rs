//! The end of a ticket: close, resolve, reopen with the closed auto-response, the three
//! auto-close policies, delete and merge.

use super::*;

#[test]
fn close_resolve_reopen_and_the_closed_auto_response() {
    let d = TestDesk::example();
    // 1039 is in `general`, whose queue has a resolved/closed auto-response.
    let out = d.ok(&["--as", "bob", "ticket", "close", "1039"]);
    assert_eq!(out.trim(), "ticket 1039: close (auto-response queued)");
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.close",
            "Desk-Ticket: 1039",
            "Desk-Actor: bob"
        ]
    );
    let t = ticket(&d, "1039");
    assert_eq!(t["ticket"]["status"], "closed");
    assert_eq!(t["ticket"]["closed_by"], "bob");
    let auto = t["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(auto["kind"], "autoresponse");
    assert_eq!(auto["author"], "support@example.com");
    assert!(auto["body"]
        .as_str()
        .unwrap()
        .starts_with("Your support ticket has been closed."));
    let key = auto["key"].as_str().unwrap();
    let outbox = d.read(&format!("outbox/{key}.yaml"));
    assert!(
        outbox.contains("kind: autoresponse\n")
            && outbox.contains("subject: '[#1039] Re: Website down??'\n"),
        "{outbox}"
    );
    refused(
        &d,
        &["--as", "bob", "ticket", "close", "1039"],
        "ticket 1039 is already closed",
    );
    refused(
        &d,
        &["--as", "bob", "ticket", "resolve", "1039"],
        "ticket 1039 is closed; reopen it first",
    );
    // Closed tickets leave the working lists but `show` reaches them.
    let list = d.ok(&["--as", "bob", "ticket", "list"]);
    assert!(!list.contains("1039"), "{list}");
    assert!(d
        .ok(&["--as", "bob", "ticket", "list", "--status", "closed"])
        .contains("1039"));

    d.ok(&["--as", "bob", "ticket", "reopen", "1039"]);
    assert_eq!(trailers(&d)[0], "Desk-Op: ticket.reopen");
    assert_eq!(ticket(&d, "1039")["ticket"]["status"], "open");
    refused(
        &d,
        &["--as", "bob", "ticket", "reopen", "1039"],
        "ticket 1039 is open; only an answered, resolved or closed ticket can be reopened",
    );
    d.ok(&["--as", "bob", "ticket", "resolve", "1039"]);
    assert_eq!(trailers(&d)[0], "Desk-Op: ticket.resolve");
    assert_eq!(ticket(&d, "1039")["ticket"]["status"], "resolved");
    // Closing a resolved ticket sends no second auto-response.
    d.ok(&["--as", "bob", "ticket", "close", "1039"]);
    assert!(paths_under(&d, "outbox/").is_empty());
    // A queue without the text sends none (1037 is in billing).
    assert_eq!(
        d.ok(&["--as", "dave", "ticket", "close", "1037"]).trim(),
        "ticket 1037: close"
    );
    assert!(paths_under(&d, "outbox/").is_empty());
}

#[test]
fn autoclose_after_n_days_is_one_idempotent_commit() {
    let mut d = TestDesk::example();
    // auto_close_days is 3 in the example; nothing is due yet at NOW.
    let n = d.commit_count();
    assert_eq!(
        d.ok(&["--as", "alice", "autoclose"]).trim(),
        "autoclose: nothing to close"
    );
    assert_eq!(d.commit_count(), n);
    d.ok(&[
        "--as", "bob", "ticket", "answer", "1039", "--pickup", "-m", "Fixed.",
    ]);
    assert_eq!(ticket(&d, "1039")["ticket"]["status"], "answered");

    // A day later: 1026, 1027 and 1030 were answered more than three days before.
    d.now = "2026-11-28T12:00:00Z".into();
    let out = json(&d.ok(&["--as", "alice", "--json", "autoclose"]));
    assert_eq!(out["closed"], serde_json::json!([1026, 1027, 1030]));
    let msg = d.last_message();
    assert!(
        msg.starts_with("autoclose: close 3 tickets answered more than 3 days ago\n"),
        "{msg}"
    );
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.autoclose",
            "Desk-Ticket: 1026",
            "Desk-Ticket: 1027",
            "Desk-Ticket: 1030",
            "Desk-Actor: alice"
        ]
    );
    let t = ticket(&d, "1027")["ticket"].clone();
    assert_eq!(t["status"], "closed");
    assert_eq!(t["closed_by"], "autoclose");
    assert_eq!(t["closed_at"], "2026-11-28T12:00:00Z");
    // 1026 and 1027 are in general, which has a closed auto-response; 1030 (billing) not.
    assert_eq!(
        d.last_paths()
            .iter()
            .filter(|p| p.starts_with("outbox/"))
            .count(),
        2
    );
    // Idempotent.
    let n = d.commit_count();
    d.ok(&["--as", "alice", "autoclose"]);
    assert_eq!(d.commit_count(), n);

    // Three days and a second after bob's answer, 1039 goes too (with the others due then).
    d.now = "2026-11-30T12:00:01Z".into();
    let out = json(&d.ok(&["--as", "alice", "--json", "autoclose"]));
    assert!(
        out["closed"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(1039)),
        "{out}"
    );
    assert_eq!(ticket(&d, "1039")["ticket"]["closed_by"], "autoclose");
    assert_eq!(d.status(), "");
    d.ok(&["verify"]);
}

#[test]
fn a_technicians_autoclose_closes_only_what_they_can_see() {
    let mut d = TestDesk::example();
    d.now = "2026-11-28T12:00:00Z".into();
    // carol (sales and the default queue) leaves billing's 1030 alone.
    let out = json(&d.ok(&["--as", "carol", "--json", "autoclose"]));
    assert_eq!(out["closed"], serde_json::json!([1026, 1027]));
    assert_eq!(ticket(&d, "1030")["ticket"]["status"], "answered");
    d.ok(&["verify"]);
    let out = json(&d.ok(&["--as", "dave", "--json", "autoclose"]));
    assert_eq!(out["closed"], serde_json::json!([1030]));
    d.ok(&["verify"]);
}

#[test]
fn auto_close_never_leaves_answered_tickets_answered() {
    let mut d = TestDesk::example();
    d.ok(&["--as", "alice", "settings", "set", "auto_close_days", "-1"]);
    d.ok(&[
        "--as", "bob", "ticket", "answer", "1039", "--pickup", "-m", "Fixed.",
    ]);
    let t = ticket(&d, "1039")["ticket"].clone();
    assert_eq!(t["status"], "answered");
    assert_eq!(t["closed_at"], serde_json::Value::Null);
    d.now = "2027-06-01T00:00:00Z".into();
    let n = d.commit_count();
    assert_eq!(
        d.ok(&["--as", "alice", "autoclose"]).trim(),
        "autoclose: nothing to close"
    );
    assert_eq!(d.commit_count(), n);
    assert_eq!(ticket(&d, "1039")["ticket"]["status"], "answered");
    // Policy 0 closes at once, by the answering technician, with no auto-response.
    d.ok(&["--as", "alice", "settings", "set", "auto_close_days", "0"]);
    d.ok(&["--as", "bob", "ticket", "answer", "1025", "-m", "Done."]);
    let t = ticket(&d, "1025")["ticket"].clone();
    assert_eq!(t["status"], "closed");
    assert_eq!(t["closed_by"], "bob");
    assert_eq!(
        d.last_paths()
            .iter()
            .filter(|p| p.starts_with("outbox/"))
            .count(),
        1
    );
}

#[test]
fn delete_needs_the_permission_and_removes_several_in_one_commit() {
    let d = TestDesk::example();
    refused(
        &d,
        &["--as", "bob", "ticket", "delete", "1039"],
        "bob may not delete tickets: the permission `tickets.delete` is needed",
    );
    refused(
        &d,
        &["--as", "dave", "ticket", "delete", "1039", "9999"],
        "no ticket `9999`",
    );
    refused(
        &d,
        &["--as", "dave", "ticket", "delete", "1040"],
        "dave may not see ticket 1040",
    );
    let out = d.ok(&["--as", "dave", "ticket", "delete", "1039", "1038"]);
    assert_eq!(out, "ticket 1038: delete \"Out-of-office reply for orders@ over the holidays\"\nticket 1039: delete \"Website down??\"\n");
    let msg = d.last_message();
    assert!(msg.starts_with("tickets 1038, 1039: delete\n"), "{msg}");
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.delete",
            "Desk-Ticket: 1038",
            "Desk-Ticket: 1039",
            "Desk-Actor: dave"
        ]
    );
    assert!(!d.path("tickets/001/1039").exists());
    assert!(d
        .last_paths()
        .iter()
        .all(|p| p.starts_with("tickets/001/1038/") || p.starts_with("tickets/001/1039/")));
    refused(
        &d,
        &["--as", "alice", "ticket", "show", "1039"],
        "no ticket `1039`",
    );
    // The history keeps it.
    assert!(d
        .git(&["show", "HEAD^:tickets/001/1039/ticket.yaml"])
        .contains("title: Website down??"));
    assert_eq!(d.status(), "");
    d.ok(&["verify"]);
}

#[test]
fn merge_moves_the_thread_in_order_and_records_provenance() {
    let mut d = TestDesk::new();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        "Mail broken",
        "--email",
        "john@doe.example",
        "-m",
        "First.",
    ]);
    d.now = "2026-11-27T12:05:00Z".into();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        "Mail still broken",
        "--email",
        "john@doe.example",
        "-m",
        "Second.",
    ]);
    let file = d.tmp.path().join("log.txt");
    std::fs::write(&file, "log\n").unwrap();
    d.now = "2026-11-27T12:10:00Z".into();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "reply",
        "1",
        "-m",
        "Third.",
        "--attach",
        file.to_str().unwrap(),
    ]);
    d.now = "2026-11-27T12:15:00Z".into();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        "Other customer",
        "--email",
        "ann@else.example",
        "-m",
        "x",
    ]);
    refused(
        &d,
        &["--as", "alice", "ticket", "merge", "3", "--into", "1"],
        "belong to different customers; add --force",
    );
    refused(
        &d,
        &["--as", "alice", "ticket", "merge", "1", "--into", "1"],
        "ticket 1 cannot be merged into itself",
    );

    d.now = "2026-11-27T12:20:00Z".into();
    let out = d.ok(&["--as", "alice", "ticket", "merge", "1", "--into", "2"]);
    assert_eq!(out.trim(), "ticket 1: merge into 2");
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.merge",
            "Desk-Ticket: 1",
            "Desk-Ticket: 2",
            "Desk-Actor: alice"
        ]
    );
    assert!(!d.path("tickets/000/1").exists());
    let t = ticket(&d, "2");
    assert_eq!(t["ticket"]["merged_from"], serde_json::json!([1]));
    let bodies: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(&bodies[..3], ["First.", "Second.", "Third."]);
    assert!(bodies[3].starts_with("Ticket 1 \"Mail broken\" (john@doe.example, 2 messages) was merged into this ticket by alice."), "{}", bodies[3]);
    // The attachment moved with its message and still resolves.
    let att = &t["messages"][2]["attachments"][0];
    assert_eq!(
        d.read(&format!(
            "tickets/000/2/files/{}",
            att["file"].as_str().unwrap()
        )),
        "log\n"
    );
    // Provenance accumulates; --force merges across customers.
    d.ok(&[
        "--as", "alice", "ticket", "merge", "2", "--into", "3", "--force",
    ]);
    assert_eq!(
        ticket(&d, "3")["ticket"]["merged_from"],
        serde_json::json!([1, 2])
    );
    d.ok(&["check"]);
    d.ok(&["verify"]);
    assert_eq!(d.status(), "");
}

#[test]
fn merge_needs_the_permission_and_both_tickets_visible() {
    let d = TestDesk::example();
    refused(
        &d,
        &["--as", "bob", "ticket", "merge", "1039", "--into", "1038"],
        "bob may not merge tickets: the permission `tickets.merge` is needed",
    );
    // carol may merge but not see billing's 1037.
    refused(
        &d,
        &[
            "--as", "carol", "ticket", "merge", "1039", "--into", "1037", "--force",
        ],
        "carol may not see ticket 1037",
    );
}
