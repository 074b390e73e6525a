//! Working a ticket: answer (mail queued, auto-close at once), notes, assign, pick up,
//! release, customer replies (sticky or not), visibility and the list views.

use super::*;

#[test]
fn answer_needs_the_ticket_then_queues_mail_and_closes_at_once_by_default() {
    let mut d = TestDesk::new();
    new_ticket(&d, "Printer on fire", "john@doe.example");
    refused(
        &d,
        &["--as", "alice", "ticket", "answer", "1", "-m", "Hi"],
        "ticket 1 is not assigned to alice but to nobody",
    );
    d.now = LATER.into();

    let out = d.ok(&[
        "--as",
        "alice",
        "ticket",
        "answer",
        "1",
        "--pickup",
        "-m",
        "Unplug it.",
        "--note",
        "Told him to unplug.",
    ]);
    assert_eq!(out.trim(), "ticket 1: pick up and answer (closed)");
    // The pick-up is recorded as a trailer, so statistics never read the subject.
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.answer",
            "Desk-Ticket: 1",
            "Desk-Assignee: alice",
            "Desk-Actor: alice"
        ]
    );
    assert!(d
        .last_message()
        .starts_with("ticket 1: pick up and answer (closed)\n"));
    let t = ticket(&d, "1");
    assert_eq!(t["ticket"]["status"], "closed");
    assert_eq!(t["ticket"]["closed_by"], "alice");
    assert_eq!(t["ticket"]["assignee"], "alice");
    assert_eq!(t["ticket"]["first_answered_at"], LATER);
    assert_eq!(t["ticket"]["closed_at"], LATER);
    let kinds: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    let mut sorted = kinds[1..].to_vec();
    sorted.sort();
    assert_eq!(kinds[0], "customer");
    assert_eq!(sorted, ["answer", "note"]);

    // The answer's message file and the outbox entry share one key and one Message-ID.
    let answer = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "answer")
        .unwrap();
    let key = answer["key"].as_str().unwrap();
    let mid = format!("<ticket-1.{key}@example.com>");
    assert_eq!(answer["message_id"], mid.as_str());
    assert_eq!(answer["body"], "Unplug it.\n");
    let outbox = d.read(&format!("outbox/{key}.yaml"));
    for line in [
        format!("message_id: <ticket-1.{key}@example.com>"),
        "kind: answer".into(),
        "ticket: 1".into(),
        "from: support@example.com".into(),
        "- john@doe.example".into(),
        "subject: '[#1] Re: Printer on fire'".into(),
        "attempts: 0".into(),
    ] {
        assert!(
            outbox.contains(&format!("{line}\n")),
            "missing {line:?} in\n{outbox}"
        );
    }
    assert_eq!(paths_under(&d, "outbox/"), [format!("outbox/{key}.yaml")]);
    assert_eq!(d.status(), "");

    // Answering again (the ticket is still alice's) is allowed and re-closes.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "answer",
        "1",
        "-m",
        "Also: buy a new one.",
    ]);
    assert_eq!(ticket(&d, "1")["ticket"]["status"], "closed");
    assert_eq!(d.git(&["ls-files", "outbox"]).lines().count(), 2);
}

#[test]
fn answer_threads_and_signs_and_refuses_an_incomplete_profile() {
    let d = TestDesk::example();
    refused(
        &d,
        &[
            "--as", "erin", "ticket", "answer", "1039", "--pickup", "-m", "Hi",
        ],
        "erin must fill in the profile first",
    );
    refused(
        &d,
        &["--as", "erin", "ticket", "pickup", "1039"],
        "erin must fill in the profile first",
    );
    refused(
        &d,
        &["--as", "carol", "ticket", "answer", "1029", "-m", "x"],
        "ticket 1029 is not assigned to carol but to bob",
    );
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1039",
        "--pickup",
        "-m",
        "Your site is back.",
    ]);
    let t = ticket(&d, "1039");
    // The example's auto_close_days is 3: answered, not closed.
    assert_eq!(t["ticket"]["status"], "answered");
    assert_eq!(t["ticket"]["closed_at"], serde_json::Value::Null);
    let msgs = t["messages"].as_array().unwrap();
    let answer = msgs.last().unwrap();
    assert_eq!(
        answer["body"],
        "Your site is back.\n\n--\nBob Brennan\nExample Hosting Support\n"
    );
    let key = answer["key"].as_str().unwrap();
    let outbox = d.read(&format!("outbox/{key}.yaml"));
    let customer_mid = msgs[0]["message_id"].as_str().unwrap();
    assert!(
        outbox.contains(&format!("in_reply_to: {customer_mid}\n")),
        "{outbox}"
    );
    assert!(
        outbox.contains(&format!(
            "references:\n- {customer_mid}\n- {}\n",
            msgs[1]["message_id"].as_str().unwrap()
        )),
        "{outbox}"
    );
    assert!(
        outbox.contains("from: Example Hosting Support <support@example.com>\n"),
        "{outbox}"
    );
}

#[test]
fn notes_are_internal_and_leave_the_status_alone() {
    let d = TestDesk::example();
    let before = ticket(&d, "1039")["ticket"].clone();
    let out = d.ok(&[
        "--as",
        "carol",
        "ticket",
        "note",
        "1039",
        "-m",
        "Checked the suspension flag.",
    ]);
    assert_eq!(out.trim(), "ticket 1039: note");
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.note",
            "Desk-Ticket: 1039",
            "Desk-Actor: carol"
        ]
    );
    let after = ticket(&d, "1039");
    assert_eq!(after["ticket"]["status"], before["status"]);
    assert_eq!(after["ticket"]["assignee"], before["assignee"]);
    assert_eq!(after["ticket"]["updated_at"], NOW);
    let note = after["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(note["kind"], "note");
    assert_eq!(note["author"], "carol");
    assert_eq!(note["message_id"], serde_json::Value::Null);
    assert!(paths_under(&d, "outbox/").is_empty());
}

#[test]
fn assign_pickup_release_and_their_permissions() {
    let d = TestDesk::example();
    // carol lacks tickets.assign_others.
    refused(
        &d,
        &["--as", "carol", "ticket", "assign", "1039", "bob"],
        "carol may not assign tickets to others: the permission `tickets.assign_others` is needed",
    );
    refused(
        &d,
        &["--as", "bob", "ticket", "assign", "1039", "zed"],
        "no staff member `zed`",
    );
    let err = d.fails(
        2,
        &[
            "--as",
            "bob",
            "ticket",
            "assign",
            "1039",
            "carol",
            "--priority",
            "101",
        ],
    );
    assert!(err.contains("priority must be between 0 and 100"), "{err}");
    refused(
        &d,
        &["--as", "bob", "ticket", "assign", "1039", "nobody"],
        "ticket 1039 would not change",
    );

    let out = d.ok(&[
        "--as",
        "bob",
        "ticket",
        "assign",
        "1039",
        "carol",
        "--priority",
        "90",
        "--sticky",
    ]);
    assert_eq!(
        out.trim(),
        "ticket 1039: assign to carol, status open, priority 90, sticky on"
    );
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.assign",
            "Desk-Ticket: 1039",
            "Desk-Actor: bob"
        ]
    );
    assert_eq!(d.last_paths(), ["tickets/001/1039/ticket.yaml"]);
    let y = d.read("tickets/001/1039/ticket.yaml");
    for l in [
        "assignee: carol\n",
        "priority: 90\n",
        "sticky: true\n",
        "status: open\n",
    ] {
        assert!(y.contains(l), "{l} in {y}");
    }
    // Pick-up is exclusive; releasing someone else's ticket needs the permission.
    refused(
        &d,
        &["--as", "dave", "ticket", "pickup", "1039"],
        "ticket 1039 is already assigned to carol",
    );
    refused(
        &d,
        &["--as", "dave", "ticket", "release", "1039"],
        "dave may not release ticket 1039, which is assigned to carol",
    );
    d.ok(&["--as", "carol", "ticket", "release", "1039"]);
    assert_eq!(trailers(&d)[0], "Desk-Op: ticket.release");
    assert!(d
        .read("tickets/001/1039/ticket.yaml")
        .contains("assignee: null\n"));
    refused(
        &d,
        &["--as", "carol", "ticket", "release", "1039"],
        "ticket 1039 is not assigned to anyone",
    );
    d.ok(&["--as", "dave", "ticket", "pickup", "1039"]);
    assert_eq!(trailers(&d)[0], "Desk-Op: ticket.pickup");
    assert!(d
        .read("tickets/001/1039/ticket.yaml")
        .contains("assignee: dave\n"));
    refused(
        &d,
        &["--as", "dave", "ticket", "pickup", "1039"],
        "ticket 1039 is already assigned to dave",
    );
    // bob (assign_others) takes it; status via assign in the same commit.
    d.ok(&[
        "--as", "bob", "ticket", "assign", "1039", "bob", "--status", "resolved",
    ]);
    let t = ticket(&d, "1039")["ticket"].clone();
    assert_eq!(t["assignee"], "bob");
    assert_eq!(t["status"], "resolved");
    assert_eq!(t["closed_by"], "bob");
    assert_eq!(d.status(), "");
    d.ok(&["verify"]);
}

#[test]
fn customer_replies_reopen_and_unassign_unless_sticky() {
    let d = TestDesk::example();
    d.ok(&[
        "--as", "bob", "ticket", "answer", "1039", "--pickup", "-m", "Fixed.",
    ]);
    let out = d.ok(&[
        "--as",
        "bob",
        "ticket",
        "reply",
        "1039",
        "-m",
        "Still down!",
        "--message-id",
        "<r1@trattoria-roma.test>",
    ]);
    assert_eq!(out.trim(), "ticket 1039: customer message from marco@trattoria-roma.test, answered -> open, unassigned from bob");
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.reply",
            "Desk-Ticket: 1039",
            "Desk-Actor: bob"
        ]
    );
    let t = ticket(&d, "1039");
    assert_eq!(t["ticket"]["status"], "open");
    assert_eq!(t["ticket"]["assignee"], serde_json::Value::Null);
    let last = t["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "customer");
    assert_eq!(last["author"], "marco@trattoria-roma.test");
    assert_eq!(last["message_id"], "<r1@trattoria-roma.test>");
    // The same mail twice is refused.
    refused(
        &d,
        &[
            "--as",
            "bob",
            "ticket",
            "reply",
            "1039",
            "-m",
            "Still down!",
            "--message-id",
            "<r1@trattoria-roma.test>",
        ],
        "message `<r1@trattoria-roma.test>` already exists",
    );

    // Sticky: the assignee stays; a closed ticket reopens.
    d.ok(&["--as", "bob", "ticket", "assign", "1039", "bob", "--sticky"]);
    d.ok(&["--as", "bob", "ticket", "close", "1039"]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "reply",
        "1039",
        "--from",
        "marco.b@trattoria-roma.test",
        "-m",
        "Thanks, one more thing.",
    ]);
    let t = ticket(&d, "1039")["ticket"].clone();
    assert_eq!(t["status"], "open");
    assert_eq!(t["assignee"], "bob");
    assert_eq!(t["closed_at"], serde_json::Value::Null);
    assert_eq!(t["closed_by"], serde_json::Value::Null);
}

#[test]
fn visibility_applies_to_every_command() {
    let d = TestDesk::example();
    // carol is entitled to sales (and the default queue general), not billing.
    for args in [
        vec!["ticket", "show", "1037"],
        vec!["ticket", "close", "1037"],
        vec!["ticket", "note", "1037", "-m", "x"],
        vec!["ticket", "pickup", "1037"],
        vec!["ticket", "reply", "1037", "-m", "x"],
        vec!["ticket", "edit", "1037", "--priority", "1"],
    ] {
        let mut full = vec!["--as", "carol"];
        full.extend(args);
        refused(
            &d,
            &full,
            "carol may not see ticket 1037: it is in queue `billing`",
        );
    }
    let list = json(&d.ok(&["--as", "carol", "--json", "ticket", "list", "--all"]));
    let queues: Vec<&str> = list[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["queue"].as_str().unwrap())
        .collect();
    assert!(
        !queues.is_empty() && !queues.contains(&"billing"),
        "{queues:?}"
    );
    // Assigned to her, she sees it wherever it is.
    d.ok(&["--as", "alice", "ticket", "assign", "1037", "carol"]);
    d.ok(&["--as", "carol", "ticket", "show", "1037"]);
    let mine = json(&d.ok(&["--as", "carol", "--json", "ticket", "list", "--mine"]));
    assert!(mine[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == 1037));
}

#[test]
fn the_dashboard_and_list_filters() {
    let d = TestDesk::example();
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "list"]));
    assert_eq!(v[0]["title"], "My Assigned Tickets");
    assert_eq!(v[1]["title"], "New Unassigned Tickets");
    assert!(v[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["assignee"] == "bob" && t["status"] != "closed" && t["status"] != "resolved"));
    assert!(v[1]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["assignee"].is_null()));
    // Sorted by priority, highest first.
    let pri: Vec<u64> = v[1]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["priority"].as_u64().unwrap())
        .collect();
    assert!(pri.windows(2).all(|w| w[0] >= w[1]), "{pri:?}");
    let upd = json(&d.ok(&[
        "--as", "bob", "--json", "ticket", "list", "--all", "--sort", "updated",
    ]));
    let times: Vec<&str> = upd[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["updated_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    let q = json(&d.ok(&[
        "--as", "bob", "--json", "ticket", "list", "--queue", "billing", "--status", "new",
    ]));
    assert!(q[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["queue"] == "billing" && t["status"] == "new"));
    let a = json(&d.ok(&[
        "--as",
        "alice",
        "--json",
        "ticket",
        "list",
        "--assignee",
        "dave",
    ]));
    assert!(!a[0]["tickets"].as_array().unwrap().is_empty());
    assert!(a[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["assignee"] == "dave"));
    // Released tickets go back to New Unassigned.
    d.ok(&["--as", "bob", "ticket", "release", "1025"]);
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "list", "--unassigned"]));
    assert!(v[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == 1025));
}
