//! Ticket details and attachments: edit (title, e-mail, owner, queue, priority, status) and
//! attachment limits, hostile names and duplicate names.

use super::*;

#[test]
fn edit_changes_details_owner_queue_priority_and_status_in_one_commit() {
    let d = TestDesk::example();
    refused(
        &d,
        &["--as", "bob", "ticket", "edit", "1039"],
        "nothing to change",
    );
    refused(
        &d,
        &[
            "--as", "bob", "ticket", "edit", "1039", "--queue", "nowhere",
        ],
        "no queue `nowhere`",
    );
    refused(
        &d,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            "1039",
            "--account",
            "ghost",
        ],
        "no account `ghost`",
    );
    refused(
        &d,
        &[
            "--as", "bob", "ticket", "edit", "1039", "--status", "answered",
        ],
        "ticket 1039 has never been answered",
    );
    refused(
        &d,
        &["--as", "bob", "ticket", "edit", "1039", "--priority", "50"],
        "ticket 1039 would not change",
    );
    refused(
        &d,
        &["--as", "bob", "ticket", "edit", "1039", "--title", "  "],
        "the title must not be empty",
    );
    refused(
        &d,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            "1039",
            "--account-search",
            "example",
        ],
        "matches",
    );

    let out = d.ok(&[
        "--as",
        "bob",
        "ticket",
        "edit",
        "1039",
        "--title",
        "Site suspended",
        "--email",
        "marco@roma.example",
        "--account-search",
        "Doe",
        "--queue",
        "billing",
        "--priority",
        "95",
    ]);
    assert_eq!(out.trim(), "ticket 1039: edit priority 95, queue billing, title \"Site suspended\", e-mail marco@roma.example, account jdoe");
    assert_eq!(
        trailers(&d),
        [
            "Desk-Op: ticket.edit",
            "Desk-Ticket: 1039",
            "Desk-Actor: bob"
        ]
    );
    assert_eq!(d.last_paths(), ["tickets/001/1039/ticket.yaml"]);
    let t = ticket(&d, "1039")["ticket"].clone();
    assert_eq!(t["title"], "Site suspended");
    assert_eq!(t["email"], "marco@roma.example");
    assert_eq!(t["account"], "jdoe");
    assert_eq!(t["queue"], "billing");
    assert_eq!(t["priority"], 95);
    // --status closed behaves like close: the closed auto-response of billing is none.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "edit",
        "1039",
        "--status",
        "closed",
        "--account",
        "none",
    ]);
    let t = ticket(&d, "1039")["ticket"].clone();
    assert_eq!(t["status"], "closed");
    assert_eq!(t["closed_by"], "bob");
    assert_eq!(t["account"], serde_json::Value::Null);
}

#[test]
fn attachments_are_limited_sanitised_and_kept_apart() {
    let d = TestDesk::new();
    new_ticket(&d, "Logs", "john@doe.example");
    d.ok(&[
        "--as",
        "alice",
        "settings",
        "set",
        "attachment_max_bytes",
        "10",
    ]);
    let dir = d.tmp.path();
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("a/report.txt"), "one").unwrap();
    std::fs::write(dir.join("b/report.txt"), "two").unwrap();
    std::fs::write(dir.join("big.bin"), "01234567890").unwrap();
    let hostile = dir.join("evil\u{1b}[2J\nname.txt");
    std::fs::write(&hostile, "esc").unwrap();
    let p = |s: &str| dir.join(s).to_str().unwrap().to_owned();

    refused(&d, &["--as", "alice", "ticket", "note", "1", "-m", "x", "--attach", &p("a/report.txt"), "--attach", &p("big.bin")], "attachment `big.bin`: 11 bytes is larger than the desk's limit of 10 bytes (attachment_max_bytes)");
    refused(
        &d,
        &[
            "--as",
            "alice",
            "ticket",
            "note",
            "1",
            "-m",
            "x",
            "--attach",
            &p("missing.txt"),
        ],
        "--attach",
    );

    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "note",
        "1",
        "-m",
        "Logs attached.",
        "--attach",
        &p("a/report.txt"),
        "--attach",
        &p("b/report.txt"),
        "--attach",
        hostile.to_str().unwrap(),
    ]);
    let t = ticket(&d, "1");
    let note = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "note")
        .unwrap()
        .clone();
    let key = note["key"].as_str().unwrap().to_owned();
    let atts = note["attachments"].as_array().unwrap();
    let names: Vec<&str> = atts.iter().map(|a| a["name"].as_str().unwrap()).collect();
    let files: Vec<&str> = atts.iter().map(|a| a["file"].as_str().unwrap()).collect();
    assert_eq!(names, ["report.txt", "report.txt", "evil_[2J_name.txt"]);
    assert_eq!(
        files,
        [
            format!("{key}-report.txt"),
            format!("{key}-report-2.txt"),
            format!("{key}-evil_[2J_name.txt")
        ]
    );
    assert_eq!(atts[0]["size"], 3);
    assert_eq!(atts[0]["content_type"], "text/plain");
    assert_eq!(
        d.read(&format!("tickets/000/1/files/{key}-report.txt")),
        "one"
    );
    assert_eq!(
        d.read(&format!("tickets/000/1/files/{key}-report-2.txt")),
        "two"
    );
    let paths = d.last_paths();
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.starts_with("tickets/000/1/files/"))
            .count(),
        3,
        "{paths:?}"
    );
    assert!(paths.contains(&format!("tickets/000/1/messages/{key}.yaml")));
    assert!(paths.iter().all(|p| p.starts_with("tickets/000/1/")));

    // Answers list their attachments in the outbox entry.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "answer",
        "1",
        "--pickup",
        "-m",
        "See attached.",
        "--attach",
        &p("a/report.txt"),
    ]);
    let out = d
        .last_paths()
        .into_iter()
        .find(|p| p.starts_with("outbox/"))
        .unwrap();
    let mail = d.read(&out);
    assert!(
        mail.contains("attachments:\n- tickets/000/1/files/"),
        "{mail}"
    );
}
