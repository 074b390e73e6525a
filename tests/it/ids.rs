//! Ids are never handed out twice: `ids.yaml` keeps the highest ticket and task ids, so
//! deleting, merging, mass-deleting or queue-deleting the newest tickets (or removing a task
//! by hand) does not free their numbers, and mail tagged with an old number never threads
//! into a stranger's ticket.

use crate::mail::{ingest, Maildir};
use crate::support::*;

/// `ticket new` as alice; returns the new id.
fn new_ticket(d: &TestDesk, extra: &[&str]) -> u64 {
    let mut args = vec![
        "--as",
        "alice",
        "ticket",
        "new",
        "--email",
        "someone@x.example",
        "-m",
        "hello",
    ];
    args.extend_from_slice(extra);
    let out = d.ok(&args);
    out.strip_prefix("ticket ")
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no id in {out:?}"))
}

/// (last_ticket, last_task) of the committed `ids.yaml`.
fn marks(d: &TestDesk) -> (u64, u64) {
    let text = d.git(&["show", "HEAD:ids.yaml"]);
    let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    (
        v["last_ticket"].as_u64().unwrap(),
        v["last_task"].as_u64().unwrap(),
    )
}

fn check_ok(d: &TestDesk) {
    let out = d.ok(&["check"]);
    assert!(out.starts_with("ok:"), "{out}");
    assert_eq!(d.status(), "");
}

#[test]
fn deleting_or_merging_the_newest_ticket_does_not_free_its_id() {
    let d = TestDesk::example();
    assert_eq!(new_ticket(&d, &["-t", "First customer"]), 1041);
    // The mark changes in the same commit as the create.
    assert!(d.last_paths().contains(&"ids.yaml".to_owned()));
    assert_eq!(marks(&d), (1041, 6));
    d.ok(&["--as", "alice", "ticket", "delete", "1041"]);
    assert_eq!(new_ticket(&d, &["-t", "Second customer"]), 1042);
    d.ok(&[
        "--as", "alice", "ticket", "merge", "1042", "--into", "1001", "--force",
    ]);
    assert_eq!(new_ticket(&d, &["-t", "Third customer"]), 1043);
    assert_eq!(marks(&d), (1043, 6));
    // The log of 1041 is the first customer's ticket alone.
    let log = d.ok(&["log", "1041"]);
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(!log.contains("Second") && !log.contains("Third"), "{log}");
    check_ok(&d);
}

#[test]
fn mass_delete_and_queue_delete_of_the_newest_tickets_do_not_free_their_ids() {
    let d = TestDesk::example();
    assert_eq!(new_ticket(&d, &["-t", "Zyzzyx one"]), 1041);
    assert_eq!(new_ticket(&d, &["-t", "Zyzzyx two"]), 1042);
    let r = d.run(&[
        "--as", "alice", "--json", "search", "zyzzyx", "--mass", "delete", "--yes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r.stdout)["done"].as_array().unwrap().len(), 2);
    assert!(!d.path("tickets/001/1042").exists());
    assert_eq!(new_ticket(&d, &["-t", "After the mass delete"]), 1043);

    d.ok(&[
        "--as",
        "alice",
        "queue",
        "new",
        "temp",
        "--name",
        "Temporary",
    ]);
    assert_eq!(new_ticket(&d, &["-t", "In temp", "--queue", "temp"]), 1044);
    d.ok(&[
        "--as",
        "alice",
        "queue",
        "delete",
        "temp",
        "--delete-tickets",
    ]);
    assert!(!d.path("tickets/001/1044").exists());
    assert_eq!(new_ticket(&d, &["-t", "After the queue delete"]), 1045);
    assert_eq!(marks(&d).0, 1045);
    check_ok(&d);
}

#[test]
fn a_task_removed_by_hand_does_not_free_its_id() {
    let d = TestDesk::example();
    let out = d.ok(&["--as", "alice", "task", "new", "--title", "Call back"]);
    assert!(out.starts_with("task 7 created"), "{out}");
    assert_eq!(marks(&d), (1040, 7));
    d.git(&["rm", "-rq", "tasks/000/7"]);
    d.git(&["commit", "-qm", "drop a task by hand"]);
    let out = d.ok(&["--as", "alice", "task", "new", "--title", "Call again"]);
    assert!(out.starts_with("task 8 created"), "{out}");
    assert_eq!(marks(&d), (1040, 8));
    check_ok(&d);
}

#[test]
fn a_desk_without_ids_yaml_falls_back_to_its_history_once() {
    let d = TestDesk::example();
    // Made before ids.yaml existed: a ticket added and removed by hand (no trailers), the
    // newest ticket deleted by git-desk, no mark in the tree.
    let t = d
        .read("tickets/001/1040/ticket.yaml")
        .replace("id: 1040", "id: 1043");
    d.write("tickets/001/1043/ticket.yaml", &t);
    d.git(&["add", "tickets/001/1043"]);
    d.git(&["commit", "-qm", "a ticket by hand"]);
    d.git(&["rm", "-rq", "tickets/001/1043"]);
    d.git(&["commit", "-qm", "and away again"]);
    d.ok(&["--as", "alice", "ticket", "delete", "1040"]);
    assert!(!d.path("ids.yaml").exists());
    check_ok(&d);
    assert_eq!(new_ticket(&d, &["-t", "After 1043"]), 1044);
    assert_eq!(marks(&d), (1044, 6));
    // A ticket made by hand above the mark is respected, and check says the mark is low.
    let t = d
        .read("tickets/001/1044/ticket.yaml")
        .replace("id: 1044", "id: 1050");
    d.write("tickets/001/1050/ticket.yaml", &t);
    d.git(&["add", "tickets/001/1050"]);
    d.git(&["commit", "-qm", "a ticket by hand"]);
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "ids.yaml: last_ticket is 1044 but ticket 1050 exists; set it to 1050 or more so no id is handed out twice"
        ),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(new_ticket(&d, &["-t", "After 1050"]), 1051);
    check_ok(&d);
}

#[test]
fn mail_tagged_with_a_merged_or_deleted_ticket_never_threads_into_a_new_one() {
    let d = TestDesk::example();
    let md = Maildir::new(d.tmp.path().join("mail/inbox"));
    // 1026 (Maple Bakery) merged into 1001, 1040 deleted; then a new ticket.
    d.ok(&[
        "--as", "alice", "ticket", "merge", "1026", "--into", "1001", "--force",
    ]);
    d.ok(&["--as", "alice", "ticket", "delete", "1040"]);
    assert_eq!(new_ticket(&d, &["-t", "Someone else"]), 1041);

    // A reply tagged [#1026] goes to the ticket 1026 lives on in.
    md.deliver_fixture("reply-subject-tag.eml");
    let r = ingest(&d, &md.root);
    let m = &r["mails"][0];
    assert_eq!(
        (m["outcome"].as_str(), m["ticket"].as_u64()),
        (Some("reply"), Some(1001)),
        "{r:#}"
    );

    // A reply tagged [#1040] (deleted) opens a ticket of its own, with a fresh id.
    let text = String::from_utf8(crate::mail::fixture("reply-subject-tag.eml"))
        .unwrap()
        .replace("[#1026]", "[#1040]")
        .replace("<tag-7@", "<tag-8@");
    md.deliver("1795800001.tag8.mx", text.as_bytes());
    let r = ingest(&d, &md.root);
    let m = &r["mails"][0];
    assert_eq!(
        (m["outcome"].as_str(), m["ticket"].as_u64()),
        (Some("new_ticket"), Some(1042)),
        "{r:#}"
    );
    assert_eq!(marks(&d).0, 1042);
    check_ok(&d);
}

#[test]
fn verify_flags_a_technician_lowering_the_marks() {
    let d = TestDesk::example();
    assert_eq!(new_ticket(&d, &["-t", "Raises the mark"]), 1041);
    d.write("ids.yaml", "last_ticket: 1000\nlast_task: 6\n");
    d.git(&[
        "commit",
        "-qam",
        "lower\n\nDesk-Op: ticket.edit\nDesk-Actor: bob\n",
        "--author",
        "Bob Brennan <bob@example.com>",
    ]);
    let r = d.run(&["verify"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "lowering the id marks in ids.yaml needs `settings.admin`, which bob does not hold"
        ),
        "{}",
        r.stdout
    );
    // Raising them (what every create does) is no violation.
    assert!(!r.stdout.contains("ticket 1041"), "{}", r.stdout);
}
