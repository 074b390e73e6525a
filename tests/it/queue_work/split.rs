//! Split: chosen customer messages, with their attachments, move in order into a new
//! ticket of the same customer; notes on both sides; one commit; refusals leave nothing.

use super::{new_ticket, ticket_path};
use crate::support::*;

/// A ticket whose customer wrote three times (the second time with an attachment), and
/// bob's note; returns the id and the thread's keys by kind, in order.
/// Each step a minute after the last (message keys sort by time).
fn thread(d: &mut TestDesk) -> (String, Vec<String>, String) {
    let id = new_ticket(d, "Several questions", &[]);
    let file = d.tmp.path().join("invoice.pdf");
    std::fs::write(&file, b"%PDF-1.4 the invoice").unwrap();
    d.now = "2026-11-27T12:01:00Z".into();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "reply",
        &id,
        "-m",
        "Second: my invoice is wrong.",
        "--attach",
        file.to_str().unwrap(),
    ]);
    d.now = "2026-11-27T12:02:00Z".into();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "reply",
        &id,
        "-m",
        "Third: also the invoice address.",
    ]);
    d.now = "2026-11-27T12:03:00Z".into();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        &id,
        "-m",
        "Two questions here.",
    ]);
    d.now = "2026-11-27T12:04:00Z".into();
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", &id]));
    let mut customer = Vec::new();
    let mut note = String::new();
    for m in v["messages"].as_array().unwrap() {
        let key = m["key"].as_str().unwrap().to_owned();
        match m["kind"].as_str().unwrap() {
            "customer" => customer.push(key),
            _ => note = key,
        }
    }
    assert_eq!(customer.len(), 3);
    (id, customer, note)
}

fn dir(id: &str) -> String {
    ticket_path(id).trim_end_matches("/ticket.yaml").to_owned()
}

#[test]
fn chosen_messages_move_with_their_attachments_in_one_commit() {
    let mut d = TestDesk::example();
    let (id, keys, _) = thread(&mut d);
    let show = d.ok(&["--as", "bob", "ticket", "show", &id]);
    assert!(
        show.contains(&format!("[{}]", keys[1])),
        "ticket show prints the keys: {show}"
    );
    let before = d.commit_count();
    let marks = d.read("ids.yaml");
    let moved = format!("{},{}", keys[1], keys[2]);
    let v = json(&d.ok(&[
        "--as",
        "bob",
        "--json",
        "ticket",
        "split",
        &id,
        "--messages",
        &moved,
        "--title",
        "Invoice",
    ]));
    let new = v["other"].as_u64().unwrap().to_string();
    assert_eq!(
        new.parse::<u64>().unwrap(),
        id.parse::<u64>().unwrap() + 1,
        "the next id"
    );
    assert_eq!(d.commit_count(), before + 1);
    assert_ne!(d.read("ids.yaml"), marks, "the id is marked as taken");
    let msg = d.last_message();
    assert!(
        msg.starts_with(&format!(
            "ticket {id}: split 2 messages into {new} \"Invoice\""
        )),
        "{msg}"
    );
    assert!(
        msg.contains("Desk-Op: ticket.split")
            && msg.contains(&format!("Desk-Ticket: {id}"))
            && msg.contains(&format!("Desk-Ticket: {new}")),
        "{msg}"
    );

    // The new ticket: same customer and queue, the two messages in order, then the note.
    let t = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", &new]));
    assert_eq!(t["ticket"]["title"], "Invoice");
    assert_eq!(t["ticket"]["email"], "c@cust.example");
    assert_eq!(t["ticket"]["queue"], "general");
    assert_eq!(t["ticket"]["status"], "new");
    let msgs = t["messages"].as_array().unwrap();
    let got: Vec<&str> = msgs.iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(&got[..2], &[keys[1].as_str(), keys[2].as_str()]);
    assert_eq!(msgs[0]["body"], "Second: my invoice is wrong.");
    assert_eq!(msgs[2]["kind"], "note");
    assert!(msgs[2]["body"].as_str().unwrap().starts_with(&format!(
        "Split from ticket [#{id}] \"Several questions\" by bob: 2 customer messages"
    )));
    // The attachment moved with its message, byte for byte.
    let file = msgs[0]["attachments"][0]["file"].as_str().unwrap();
    assert_eq!(
        std::fs::read(d.path(&format!("{}/files/{file}", dir(&new)))).unwrap(),
        b"%PDF-1.4 the invoice"
    );
    assert!(!d.path(&format!("{}/files/{file}", dir(&id))).exists());
    for k in &keys[1..] {
        assert!(!d.path(&format!("{}/messages/{k}.yaml", dir(&id))).exists());
        assert!(d.path(&format!("{}/messages/{k}.yaml", dir(&new))).exists());
    }

    // The original keeps its first message and gets a note naming the new ticket.
    let o = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", &id]));
    let kinds: Vec<&str> = o["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "note", "note"]);
    let last = o["messages"].as_array().unwrap().last().unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        last.contains(&format!(
            "split off into ticket [#{new}] \"Invoice\" by bob"
        )),
        "{last}"
    );

    // History, files and the index agree.
    assert_eq!(d.status(), "");
    assert!(d.ok(&["verify"]).starts_with("ok:"));
    assert!(d.ok(&["check"]).contains("ok:"));
    assert_eq!(
        crate::search::hits(&d, "bob", &["body:\"invoice address\""]),
        vec![new.clone()]
    );
    assert!(crate::search::hits(&d, "bob", &["body:\"first question\""]).contains(&id));
}

#[test]
fn refusals_name_the_problem_and_leave_no_commit() {
    let mut d = TestDesk::example();
    let (id, keys, note) = thread(&mut d);
    let before = d.commit_count();
    let marks = d.read("ids.yaml");
    let refuse = |args: &[&str], expect: &str| {
        let mut all = vec!["--as", "bob", "ticket", "split"];
        all.extend_from_slice(args);
        let err = d.fails(1, &all);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(d.commit_count(), before);
        assert_eq!(d.status(), "");
    };
    refuse(
        &[&id, "--messages", "20261127T120000Z-nobody-0000"],
        "has no message `20261127T120000Z-nobody-0000`",
    );
    refuse(
        &[&id, "--messages", &note],
        "is a note: only the customer's messages can be split off",
    );
    refuse(
        &[&id, "--messages", &keys.join(",")],
        "that is every customer message of ticket",
    );
    refuse(&["99999", "--messages", &keys[0]], "no ticket `99999`");
    refuse(
        &[&id, "--messages", &keys[1], "--title", "   "],
        "the title must not be empty",
    );
    refuse(
        &[&id, "--messages", &keys[1], "--title", "a\u{1b}[31mred"],
        "one line without control characters",
    );
    let err = d.fails(
        2,
        &[
            "--as",
            "bob",
            "ticket",
            "split",
            &id,
            "--messages",
            "../../etc/passwd",
        ],
    );
    assert!(err.contains("--messages"), "{err}");
    let err = d.fails(
        1,
        &[
            "--as",
            "carol",
            "ticket",
            "split",
            "1002",
            "--messages",
            &keys[0],
        ],
    );
    assert!(err.contains("may not see ticket 1002"), "{err}");
    assert_eq!(d.read("ids.yaml"), marks, "no id was used up");
}

#[test]
fn a_split_made_while_another_clone_took_the_id_is_renumbered_with_its_notes() {
    let c = crate::sync::Cluster::new(2);
    // Clone 1 splits ticket 1039's customer messages; clone 0 makes ticket 1041 first.
    c.desk_ok(
        1,
        &[
            "--as",
            "bob",
            "ticket",
            "reply",
            "1039",
            "-m",
            "And a second question.",
        ],
    );
    let v = json(&c.desk_ok(1, &["--as", "bob", "--json", "ticket", "show", "1039"]));
    let key = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["kind"] == "customer")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = json(&c.desk_ok(
        1,
        &[
            "--as",
            "bob",
            "--json",
            "ticket",
            "split",
            "1039",
            "--messages",
            &key,
        ],
    ));
    assert_eq!(out["other"], 1041);
    c.desk_ok(
        0,
        &[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "Other",
            "--email",
            "o@x.example",
            "-m",
            "o",
        ],
    );
    c.desk_ok(0, &["--as", "bob", "sync", "--no-mail"]);
    let r = c.desk_ok(1, &["--as", "bob", "sync", "--no-mail"]);
    assert!(
        r.contains("1041") && r.contains("1042"),
        "the renumbering is reported: {r}"
    );
    // Upstream: 1041 is clone 0's ticket; the split's ticket is 1042, both notes agree.
    assert!(c
        .server_file("tickets/001/1041/ticket.yaml")
        .contains("title: Other"));
    let moved = c.git_ok(
        &c.server,
        &[
            "ls-tree",
            "--name-only",
            "HEAD",
            "tickets/001/1042/messages/",
        ],
    );
    assert!(moved.contains(&key), "{moved}");
    let notes = c.git_ok(
        &c.server,
        &[
            "grep",
            "-h",
            "split off into",
            "HEAD",
            "--",
            "tickets/001/1039/messages/",
        ],
    );
    assert!(notes.contains("split off into ticket [#1042]"), "{notes}");
    let back = c.git_ok(
        &c.server,
        &[
            "grep",
            "-h",
            "Split from",
            "HEAD",
            "--",
            "tickets/001/1042/messages/",
        ],
    );
    assert!(back.contains("Split from ticket [#1039]"), "{back}");
    assert_eq!(c.status(1), "");
}
