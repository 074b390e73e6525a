//! Snooze: hidden from the working lists until the time given or until the customer
//! writes; the wake pass of `autoclose` makes one commit for the due tickets and none when
//! nothing is due.

use super::{new_ticket, ticket_path};
use crate::support::*;

fn listed(d: &TestDesk, args: &[&str]) -> Vec<u64> {
    let mut all = vec!["--as", "bob", "--json", "ticket", "list"];
    all.extend_from_slice(args);
    let v = json(&d.ok(&all));
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tickets"].as_array().unwrap().clone())
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_snoozed_ticket_leaves_the_working_lists_until_it_wakes() {
    let mut d = TestDesk::example();
    let id = new_ticket(&d, "Call me next week", &[]);
    let n: u64 = id.parse().unwrap();
    assert!(listed(&d, &[]).contains(&n));

    let before = d.commit_count();
    let v = json(&d.ok(&[
        "--as", "bob", "--json", "ticket", "snooze", &id, "--until", "3d",
    ]));
    assert_eq!(v["summary"], "snooze until 2026-11-30T12:00:00Z");
    assert_eq!(d.commit_count(), before + 1);
    let msg = d.last_message();
    assert!(
        msg.contains("Desk-Op: ticket.snooze") && msg.contains(&format!("Desk-Ticket: {id}")),
        "{msg}"
    );
    assert!(d
        .read(&ticket_path(&id))
        .contains("snoozed_until: 2026-11-30T12:00:00Z"));

    assert!(!listed(&d, &[]).contains(&n), "default view");
    assert!(!listed(&d, &["--unassigned"]).contains(&n));
    assert!(!listed(&d, &["--queue", "general"]).contains(&n));
    assert!(
        listed(&d, &["--all"]).contains(&n),
        "--all lists every ticket"
    );
    assert_eq!(listed(&d, &["--snoozed"]), vec![n]);
    let show = d.ok(&["--as", "bob", "ticket", "show", &id]);
    assert!(show.contains("Snoozed until"), "{show}");

    // The site's working lists leave it out as well.
    let out = d.tmp.path().join("site");
    d.ok(&[
        "--as",
        "alice",
        "site",
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    let queue = std::fs::read_to_string(out.join("queues/general.html")).unwrap();
    assert!(
        !queue.contains("Call me next week"),
        "the queue's working list shows it"
    );

    // Nothing is due yet: the wake pass makes no commit.
    let c = d.commit_count();
    let out = d.ok(&["--as", "bob", "--json", "autoclose"]);
    assert_eq!(json(&out)["woken"].as_array().unwrap().len(), 0, "{out}");
    assert_eq!(d.commit_count(), c);

    // Three days later it is listed again; the pass clears the field in one commit.
    d.now = "2026-11-30T12:00:01Z".into();
    assert!(listed(&d, &[]).contains(&n));
    let later = d.tmp.path().join("site-later");
    d.ok(&[
        "--as",
        "alice",
        "site",
        "build",
        "--out",
        later.to_str().unwrap(),
    ]);
    let queue = std::fs::read_to_string(later.join("queues/general.html")).unwrap();
    assert!(
        queue.contains("Call me next week"),
        "the queue lists it again once due"
    );
    let out = json(&d.ok(&["--as", "bob", "--json", "autoclose"]));
    assert_eq!(out["woken"], serde_json::json!([n]));
    assert!(out["wake_commit"].is_string());
    let msg = d.git(&[
        "log",
        "--format=%B",
        "-1",
        out["wake_commit"].as_str().unwrap(),
    ]);
    assert!(
        msg.starts_with("wake 1 snoozed ticket\n") && msg.contains("Desk-Op: ticket.wake"),
        "{msg}"
    );
    assert!(!d.read(&ticket_path(&id)).contains("snoozed_until"));
    assert!(d.ok(&["verify"]).starts_with("ok:"));
}

#[test]
fn the_wake_pass_is_one_commit_for_every_due_ticket_and_leaves_the_others() {
    let mut d = TestDesk::example();
    let a = new_ticket(&d, "A", &[]);
    let b = new_ticket(&d, "B", &[]);
    let c = new_ticket(&d, "C", &[]);
    d.ok(&["--as", "bob", "ticket", "snooze", &a, "--until", "4h"]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "snooze",
        &b,
        "--until",
        "2026-11-28",
    ]);
    d.ok(&["--as", "bob", "ticket", "snooze", &c, "--until", "2w"]);
    d.now = "2026-11-29T00:00:00Z".into();
    let before = d.commit_count();
    let out = d.ok(&["--as", "alice", "autoclose"]);
    assert!(
        out.contains(&format!(
            "ticket {a}: wake (snoozed until 2026-11-27T16:00:00Z)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "ticket {b}: wake (snoozed until 2026-11-28T00:00:00Z)"
        )),
        "{out}"
    );
    // The wake commit, and auto-close's own for the example's old answered tickets.
    let wakes: Vec<String> = d
        .git(&[
            "log",
            "--format=%s",
            &format!("HEAD~{}..HEAD", d.commit_count() - before),
        ])
        .lines()
        .filter(|l| l.starts_with("wake"))
        .map(str::to_owned)
        .collect();
    assert_eq!(wakes, ["wake 2 snoozed tickets"]);
    assert!(d
        .read(&ticket_path(&c))
        .contains("snoozed_until: 2026-12-11T12:00:00Z"));
    let c_n: u64 = c.parse().unwrap();
    assert_eq!(listed(&d, &["--snoozed"]), vec![c_n]);
    // Run again: nothing due, no commit.
    let n = d.commit_count();
    d.ok(&["--as", "alice", "autoclose"]);
    assert_eq!(d.commit_count(), n);
}

#[test]
fn a_customer_message_wakes_the_ticket() {
    let d = TestDesk::example();
    let id = new_ticket(&d, "Waiting", &[]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "snooze",
        &id,
        "--until",
        "2026-12-24",
    ]);
    d.ok(&["--as", "bob", "ticket", "reply", &id, "-m", "Any news?"]);
    assert!(!d.read(&ticket_path(&id)).contains("snoozed_until"));
    let n: u64 = id.parse().unwrap();
    assert!(listed(&d, &[]).contains(&n));
    assert!(d.last_message().contains("Desk-Op: ticket.reply"));
}

#[test]
fn bad_snoozes_are_refused_without_a_commit() {
    let d = TestDesk::example();
    let id = new_ticket(&d, "X", &[]);
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as",
            "bob",
            "ticket",
            "snooze",
            &id,
            "--until",
            "2026-11-01",
        ],
    );
    assert!(
        err.contains("cannot be snoozed until 2026-11-01T00:00:00Z: that is not after now"),
        "{err}"
    );
    let err = d.fails(
        2,
        &["--as", "bob", "ticket", "snooze", &id, "--until", "soon"],
    );
    assert!(err.contains("`soon` is not a date"), "{err}");
    let err = d.fails(
        2,
        &[
            "--as", "bob", "ticket", "snooze", &id, "--until", "3d", "--off",
        ],
    );
    assert!(err.contains("cannot be used with"), "{err}");
    d.fails(2, &["--as", "bob", "ticket", "snooze", &id]);
    let err = d.fails(1, &["--as", "bob", "ticket", "snooze", &id, "--off"]);
    assert!(
        err.contains(&format!("ticket {id} is not snoozed")),
        "{err}"
    );
    let err = d.fails(
        1,
        &["--as", "bob", "ticket", "snooze", "99999", "--until", "3d"],
    );
    assert!(err.contains("no ticket `99999`"), "{err}");
    // carol works sales only: a billing ticket is not hers to snooze.
    let err = d.fails(
        1,
        &["--as", "carol", "ticket", "snooze", "1002", "--until", "3d"],
    );
    assert!(err.contains("may not see ticket 1002"), "{err}");
    d.ok(&["--as", "bob", "ticket", "close", &id]);
    let n = d.commit_count();
    let err = d.fails(
        1,
        &["--as", "bob", "ticket", "snooze", &id, "--until", "3d"],
    );
    assert!(
        err.contains("is closed; only a ticket still being worked can be snoozed"),
        "{err}"
    );
    assert_eq!(d.commit_count(), n);
    assert_eq!(n, before + 1);
    assert_eq!(d.status(), "");
}

#[test]
fn a_customer_mail_wakes_the_ticket() {
    let (d, md) = crate::mail::desk_with_maildir();
    let id = new_ticket(&d, "Waiting for mail", &[]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "snooze",
        &id,
        "--until",
        "2026-12-24",
    ]);
    let mail = format!(
        "From: Customer <c@cust.example>\r\nTo: support@example.com\r\nSubject: [#{id}] Re: Waiting for mail\r\n\
         Message-ID: <wake-1@cust.example>\r\nDate: Fri, 27 Nov 2026 12:00:00 +0000\r\n\r\nAny news?\r\n"
    );
    md.deliver("1795800000.wake.mx", mail.as_bytes());
    let r = crate::mail::ingest(&d, &md.root);
    assert_eq!(
        crate::mail::entry(&r, "wake")["ticket"]
            .as_u64()
            .unwrap()
            .to_string(),
        id,
        "{r:#}"
    );
    assert!(!d.read(&ticket_path(&id)).contains("snoozed_until"));
    assert!(listed(&d, &[]).contains(&id.parse().unwrap()));
    assert!(d.last_message().contains("Desk-Op: mail.ingest"));
}

#[test]
fn sync_wakes_due_tickets_and_pushes_the_wake_commit() {
    let mut c = crate::sync::Cluster::new(1);
    c.desk_ok(
        0,
        &["--as", "bob", "ticket", "snooze", "1038", "--until", "1d"],
    );
    c.desk_ok(0, &["--as", "bob", "sync", "--no-mail"]);
    assert!(c
        .server_file("tickets/001/1038/ticket.yaml")
        .contains("snoozed_until: 2026-11-28T12:00:00Z"));
    c.d.now = "2026-11-29T08:00:00Z".into();
    let out = c.desk_ok(0, &["--as", "bob", "--json", "sync", "--no-mail"]);
    assert_eq!(json(&out)["woken"], 1, "{out}");
    assert!(!c
        .server_file("tickets/001/1038/ticket.yaml")
        .contains("snoozed_until"));
    let log = c.git_ok(&c.server, &["log", "--format=%B"]);
    assert!(
        log.contains(
            "wake 1 snoozed ticket\n\nticket 1038: wake (snoozed until 2026-11-28T12:00:00Z)"
        ),
        "{log}"
    );
    assert_eq!(c.status(0), "");
}

#[test]
fn ticket_snooze_pauses_the_sla_clock_until_it_ends() {
    // The SLA fixture: Berlin business hours, first response 4h; ticket 1 opened Friday
    // 15:00 Berlin. Snoozed at once until Monday 12:00 Berlin (11:00Z).
    let mut d = crate::sla::desk();
    d.ok(&["ticket", "snooze", "1", "--until", "2026-11-30T11:00:00Z"]);
    let t = d.read("tickets/000/1/ticket.yaml");
    assert!(
        t.contains("snoozed_until: 2026-11-30T11:00:00Z\nsnoozed_at: 2026-11-27T14:00:00Z\n"),
        "{t}"
    );
    // A note on Monday morning moves updated_at; the pause still began on Friday.
    d.now = "2026-11-30T09:30:00Z".into();
    d.ok(&["ticket", "note", "1", "-m", "Customer is away until noon."]);
    d.now = "2026-11-30T10:30:00Z".into();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    let fr = crate::sla::target(&show, "first_response");
    assert_eq!(
        (fr["state"].as_str(), fr["elapsed_minutes"].as_i64()),
        (Some("paused"), Some(0)),
        "{show}"
    );
    // Woken by the pass at 12:00Z: the snooze is kept as an ended pause, so only the hour
    // after it counts — then and later.
    d.now = "2026-11-30T12:00:00Z".into();
    d.ok(&["autoclose"]);
    let t = d.read("tickets/000/1/ticket.yaml");
    assert!(
        !t.contains("snoozed_until") && !t.contains("snoozed_at"),
        "{t}"
    );
    assert!(
        t.contains("snoozed:\n- from: 2026-11-27T14:00:00Z\n  to: 2026-11-30T11:00:00Z\n"),
        "{t}"
    );
    for (now, minutes) in [("2026-11-30T12:00:00Z", 60), ("2026-11-30T13:00:00Z", 120)] {
        d.now = now.into();
        let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
        let fr = crate::sla::target(&show, "first_response");
        assert_eq!(
            (fr["state"].as_str(), fr["elapsed_minutes"].as_i64()),
            (Some("due"), Some(minutes)),
            "{show}"
        );
    }
    // The catalog agrees: not breached in a search although Friday to Monday has passed.
    let found = d.ok(&["search", "sla:breached"]);
    assert!(
        !found.contains("Printer") && !found.lines().any(|l| l.starts_with("1 ")),
        "{found}"
    );
}
