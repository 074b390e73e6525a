//! `mail ingest` over the whole fixture corpus: what each kind of mail becomes, one commit,
//! seen flags and quarantine; duplicates and a crash between commit and marking.

use super::*;

const CORPUS: [&str; 15] = [
    "plain.eml",
    "alternative.eml",
    "html-only.eml",
    "latin1.eml",
    "utf8-subject.eml",
    "attachments.eml",
    "reply-subject-tag.eml",
    "reply-in-reply-to.eml",
    "auto-reply.eml",
    "auto-new.eml",
    "list.eml",
    "own-address.eml",
    "bounce.eml",
    "malformed.eml",
    "garbage.eml",
];

/// The ticket a corpus mail became (new ticket, reply or note).
fn ticket_of(report: &serde_json::Value, stem: &str) -> u64 {
    entry(report, stem)["ticket"]
        .as_u64()
        .unwrap_or_else(|| panic!("{stem}: no ticket"))
}

#[test]
fn the_corpus_becomes_tickets_replies_and_notes_in_one_commit() {
    let (d, md) = desk_with_maildir();
    for f in CORPUS {
        md.deliver_fixture(f);
    }
    let before = d.commit_count();
    let r = ingest(&d, &md.root);
    assert_eq!(d.commit_count(), before + 1);
    let msg = d.last_message();
    assert!(
        msg.starts_with("mail: ingest 9 new tickets, 2 replies, 2 notes\n"),
        "{msg}"
    );
    assert!(
        msg.contains("Desk-Op: mail.ingest\n") && msg.contains("Desk-Actor: mail\n"),
        "{msg}"
    );
    assert!(
        msg.contains("Desk-Ticket: 1009\n") && msg.contains("Desk-Ticket: 1018\n"),
        "{msg}"
    );
    assert_eq!(
        d.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Example Hosting Support <support@example.com>"
    );
    assert_eq!(d.status(), "");
    assert_eq!(r["commit"].as_str().unwrap(), d.head());

    // Plain text, from a known customer, to the main address.
    let id = ticket_of(&r, "plain");
    assert_eq!(entry(&r, "plain")["outcome"], "new_ticket");
    let t = ticket(&d, id);
    assert_eq!(t["title"], "Cannot log in to webmail");
    assert_eq!(t["email"], "john@doe.example");
    assert_eq!(t["account"], "jdoe");
    assert_eq!(t["queue"], "general");
    assert_eq!(t["status"], "new");
    assert_eq!(t["assignee"], serde_json::Value::Null);
    let m = messages(&d, id);
    assert_eq!(m.len(), 2, "{m:?}");
    let customer = m.iter().find(|(_, v)| v["kind"] == "customer").unwrap();
    assert_eq!(customer.1["author"], "john@doe.example");
    assert_eq!(customer.1["message_id"], "<plain-1@doe.example>");
    assert!(customer.1["body"]
        .as_str()
        .unwrap()
        .contains("webmail says \"invalid password\""));

    // Routing by recipient alias: billing and sales.
    assert_eq!(ticket(&d, ticket_of(&r, "alternative"))["queue"], "billing");
    assert_eq!(
        ticket(&d, ticket_of(&r, "alternative"))["account"],
        "bigcorp"
    );
    let alt = messages(&d, ticket_of(&r, "alternative"));
    let body = alt[0].1["body"].as_str().unwrap();
    assert!(
        body.contains("(€49.00 each)") && !body.contains("HTML VERSION"),
        "{body}"
    );
    let html = ticket_of(&r, "html-only");
    assert_eq!(ticket(&d, html)["queue"], "sales");
    let body = messages(&d, html)[0].1["body"].as_str().unwrap().to_owned();
    assert!(
        body.contains("12 sites to the Business plan & keep the same domains."),
        "{body}"
    );
    assert!(!body.contains('<') && !body.contains("alert"), "{body}");

    // Charsets in subjects and bodies.
    assert_eq!(
        ticket(&d, ticket_of(&r, "latin1"))["title"],
        "Problème de facturation à régler"
    );
    assert!(messages(&d, ticket_of(&r, "latin1"))[0].1["body"]
        .as_str()
        .unwrap()
        .contains("le montant dû est faux"));
    assert_eq!(
        ticket(&d, ticket_of(&r, "utf8-subject"))["title"],
        "Сервер не отвечает ✓"
    );

    // Attachments: stored under files/ with safe names, bytes intact.
    let att = ticket_of(&r, "attachments");
    let m = messages(&d, att);
    let list = m.iter().find(|(_, v)| v["kind"] == "customer").unwrap().1["attachments"].clone();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list[0]["name"], "screen shot.png");
    assert_eq!(list[0]["content_type"], "image/png");
    assert_eq!(list[1]["name"], "error.log");
    let png = std::fs::read(d.path(&format!(
        "tickets/001/{att}/files/{}",
        list[0]["file"].as_str().unwrap()
    )))
    .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(png.len() as u64, list[0]["size"].as_u64().unwrap());
    let log = d.read(&format!(
        "tickets/001/{att}/files/{}",
        list[1]["file"].as_str().unwrap()
    ));
    assert!(log.starts_with("Nov 27 11:02:13 web1 php-fpm"));
    assert!(!d.git(&["ls-files"]).contains(".git/hooks"));

    // A reply by subject tag: 1026 was answered and assigned to bob, not sticky.
    assert_eq!(entry(&r, "reply-subject-tag")["outcome"], "reply");
    assert_eq!(entry(&r, "reply-subject-tag")["threaded_by"], "subject tag");
    let t = ticket(&d, 1026);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("open"), None)
    );
    let last = messages(&d, 1026).pop().unwrap().1;
    assert_eq!(last["kind"], "customer");
    assert_eq!(last["message_id"], "<tag-7@maplebakery.example>");

    // A reply by In-Reply-To to a closed ticket reopens it.
    assert_eq!(ticket_of(&r, "reply-in-reply-to"), 1009);
    assert_eq!(entry(&r, "reply-in-reply-to")["threaded_by"], "reference");
    assert_eq!(entry(&r, "reply-in-reply-to")["reopened"], true);
    let t = ticket(&d, 1009);
    assert_eq!(t["status"], "open");
    assert_eq!(t["closed_at"], serde_json::Value::Null);

    // An out-of-office reply and a bounce about 1018 are notes; 1018 stays open with bob.
    assert_eq!(entry(&r, "auto-reply")["outcome"], "note");
    assert_eq!(entry(&r, "bounce")["outcome"], "note");
    assert_eq!(ticket_of(&r, "bounce"), 1018);
    let t = ticket(&d, 1018);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("open"), Some("bob"))
    );
    let notes: Vec<String> = messages(&d, 1018)
        .into_iter()
        .filter(|(_, v)| v["kind"] == "note" && v["at"] == "2026-11-27T12:00:00Z")
        .map(|(_, v)| v["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n
        .starts_with("Delivery failure reported by MAILER-DAEMON@mx.lindqvist.test")
        && n.contains("552 5.2.2 mailbox full")));
    assert!(notes
        .iter()
        .any(|n| n.contains("out of the office until 4 December")));

    // Auto-responses: only to the genuine new tickets of queues that have one.
    let auto: Vec<(String, Option<String>)> = r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["outcome"] == "new_ticket")
        .map(|m| {
            (
                m["from"].as_str().unwrap().to_owned(),
                m["no_autoresponse"].as_str().map(String::from),
            )
        })
        .collect();
    let mut responded: Vec<&str> = auto
        .iter()
        .filter(|(_, why)| why.is_none())
        .map(|(f, _)| f.as_str())
        .collect();
    responded.sort();
    assert_eq!(
        responded,
        [
            "ivan@petrov.test",
            "john@doe.example",
            "renee@francois.test",
            "tessa@morganphoto.example"
        ],
        "{auto:?}"
    );
    let why = |stem: &str| {
        entry(&r, stem)["no_autoresponse"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(why("auto-new").contains("automaton (auto-replied)"));
    assert!(why("list").contains("Precedence: bulk"));
    assert!(why("own-address").contains("own address support@example.com"));
    assert!(why("alternative").contains("no new-ticket response"));
    let ob = outbox(&d);
    assert_eq!(ob.len(), 4);
    let (_, plain_out) = ob
        .iter()
        .find(|(_, v)| v["to"][0] == "john@doe.example")
        .unwrap();
    assert_eq!(plain_out["kind"], "autoresponse");
    assert_eq!(plain_out["ticket"].as_u64(), Some(id));
    assert_eq!(
        plain_out["subject"],
        format!("[#{id}] Re: Cannot log in to webmail")
    );
    assert_eq!(plain_out["in_reply_to"], "<plain-1@doe.example>");
    assert!(plain_out["message_id"]
        .as_str()
        .unwrap()
        .starts_with(&format!("<ticket-{id}.20261127T120000Z-support-")));
    assert!(plain_out["body"]
        .as_str()
        .unwrap()
        .starts_with("Thank you for contacting Example Hosting Support."));
    let recorded = messages(&d, id)
        .into_iter()
        .find(|(_, v)| v["kind"] == "autoresponse")
        .unwrap()
        .1;
    assert_eq!(recorded["message_id"], plain_out["message_id"]);

    // Quarantine: the two broken mails, with their reasons; everything else seen.
    assert_eq!(md.files("new"), Vec::<String>::new());
    assert_eq!(md.files("cur").len(), 13);
    assert!(md.files("cur").iter().all(|f| f.ends_with(":2,S")));
    assert_eq!(
        md.files("quarantine"),
        [
            "1795800000.garbage.mx",
            "1795800000.garbage.mx.reason",
            "1795800000.malformed.mx",
            "1795800000.malformed.mx.reason"
        ]
    );
    let reason =
        std::fs::read_to_string(md.root.join("quarantine/1795800000.malformed.mx.reason")).unwrap();
    assert_eq!(
        reason,
        "malformed MIME: a multipart/mixed part declares no boundary\n"
    );
    assert_eq!(entry(&r, "garbage")["outcome"], "quarantined");
    d.ok(&["check"]);
}

#[test]
fn a_duplicate_delivery_and_a_crash_before_marking_are_taken_once() {
    let (d, md) = desk_with_maildir();
    md.deliver("1.a.mx", &fixture("plain.eml"));
    md.deliver("2.b.mx", &fixture("plain.eml"));
    let r = ingest(&d, &md.root);
    let outcomes: Vec<&str> = r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["new_ticket", "duplicate"]);
    assert_eq!(r["mails"][1]["ticket"], 1041);
    assert!(d.path("tickets/001/1041").is_dir() && !d.path("tickets/001/1042").exists());
    let commits = d.commit_count();

    // The commit exists but the mails were never marked seen (a crash in between): the next
    // run skips them by Message-ID, makes no commit, and marks them.
    md.unmark_all();
    let r = ingest(&d, &md.root);
    assert!(r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["outcome"] == "duplicate" && m["ticket"] == 1041));
    assert_eq!(r["commit"], serde_json::Value::Null);
    assert_eq!(d.commit_count(), commits);
    assert!(md.files("new").is_empty());

    // Nothing new: nothing to do.
    let r = ingest(&d, &md.root);
    assert!(r["mails"].as_array().unwrap().is_empty());
    assert_eq!(d.commit_count(), commits);
}

#[test]
fn the_message_index_cache_is_derived_state() {
    let (d, md) = desk_with_maildir();
    md.deliver("1.a.mx", &fixture("plain.eml"));
    ingest(&d, &md.root);
    // Without its cache the index is rebuilt from the history: still a duplicate.
    let cache = d.path(".git/desk/message-index");
    assert!(cache.is_file());
    std::fs::remove_file(&cache).unwrap();
    md.deliver("2.b.mx", &fixture("plain.eml"));
    // A technician's commit in between (the cache must follow the tree, not the last run).
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "--title",
        "Phone call",
        "--email",
        "x@y.example",
        "-m",
        "called",
    ]);
    md.deliver("3.c.mx", &fixture("reply-in-reply-to.eml"));
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "duplicate");
    assert_eq!(r["mails"][1]["ticket"], 1009);
}

#[test]
fn queue_mailboxes_and_the_main_maildir_are_read_by_default() {
    let d = TestDesk::example();
    let main = Maildir::new(d.path("../mail/main"));
    let billing = Maildir::new(d.path("../mail/billing"));
    // By default there is nothing to read.
    let err = d.fails(1, &["mail", "ingest"]);
    assert!(err.contains("no Maildir to read"), "{err}");
    edit_settings(&d, |s| s.replace("maildir: null", "maildir: ../mail/main"));
    let q = d
        .read("queues/billing.yaml")
        .replace("mailbox: null", "mailbox: ../mail/billing");
    d.write("queues/billing.yaml", &q);
    d.git(&["commit", "-qam", "billing mailbox"]);
    main.deliver("1.m.mx", &fixture("utf8-subject.eml"));
    // Sent to the main address, but it arrived in billing's own mailbox.
    billing.deliver("2.b.mx", &fixture("plain.eml"));
    let r = json(&d.ok(&["--json", "mail", "ingest"]));
    let queues: Vec<(&str, &str)> = r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["queue"].as_str().unwrap()))
        .collect();
    assert_eq!(
        queues,
        [
            ("john@doe.example", "billing"),
            ("ivan@petrov.test", "general")
        ]
    );
    assert_eq!(main.files("cur").len(), 1);
    assert_eq!(billing.files("cur").len(), 1);
    // The text report.
    main.deliver("3.m.mx", &fixture("reply-subject-tag.eml"));
    let r = d.run(&["mail", "ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("reply  1026  orders@maplebakery.example"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("1 mail: 0 new tickets, 1 reply, 0 notes, 0 skipped, 0 quarantined (commit "),
        "{}",
        r.stderr
    );
}

#[test]
fn oversized_mails_and_attachments_are_refused() {
    let (d, md) = desk_with_maildir();
    edit_settings(&d, |s| {
        s.replace(
            "attachment_max_bytes: 10485760",
            "attachment_max_bytes: 2000\nmail_max_bytes: 1048576",
        )
    });
    // The mail limit is `mail_max_bytes`, whatever the attachment limit.
    let mut big = b"From: a@b.example\nTo: support@example.com\nSubject: big\n\n".to_vec();
    big.extend(std::iter::repeat_n(b'x', 1 << 20));
    md.deliver("1.big.mx", &big);
    let mut att = fixture("attachments.eml");
    let text = String::from_utf8(att.clone()).unwrap();
    let filler = "QUFB".repeat(1000) + "\n";
    att = text.replace("--mixed-b--", &format!("--mixed-b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"dump.bin\"\nContent-Transfer-Encoding: base64\n\n{filler}--mixed-b--")).into_bytes();
    md.deliver("2.att.mx", &att);
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "quarantined");
    assert!(
        r["mails"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("more than the limit of 1048576"),
        "{r}"
    );
    assert_eq!(md.files("quarantine"), ["1.big.mx", "1.big.mx.reason"]);
    let id = r["mails"][1]["ticket"].as_u64().unwrap();
    let m = messages(&d, id);
    let customer = &m.iter().find(|(_, v)| v["kind"] == "customer").unwrap().1;
    assert_eq!(customer["attachments"].as_array().unwrap().len(), 2);
    assert!(customer["body"].as_str().unwrap().contains(
        "[attachment \"dump.bin\" (3000 bytes) was not kept: larger than the limit of 2000 bytes]"
    ));
}

#[test]
fn a_missing_maildir_is_an_error_and_changes_nothing() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let err = d.fails(1, &["mail", "ingest", "../nowhere"]);
    assert!(
        err.contains("nowhere") && err.contains("is not a Maildir"),
        "{err}"
    );
    // The path is named once (it used to be repeated: "…/nowhere: …/nowhere: is not …").
    assert_eq!(err.matches("nowhere").count(), 1, "{err}");
    let err = d.fails(1, &["mail", "spam", "../nowhere"]);
    assert_eq!(err.matches("nowhere: is not a Maildir").count(), 1, "{err}");
    assert_eq!(d.commit_count(), before);
    let err = d.fails(2, &["mail", "ingest", "--queue", "billing"]);
    assert!(err.contains("MAILDIR") || err.contains("maildir"), "{err}");
}

#[test]
fn verify_accepts_mail_commits_and_only_what_mail_does() {
    let (d, md) = desk_with_maildir();
    for f in [
        "plain.eml",
        "reply-in-reply-to.eml",
        "bounce.eml",
        "auto-reply.eml",
    ] {
        md.deliver_fixture(f);
    }
    ingest(&d, &md.root);
    let out = d.ok(&["verify"]);
    assert!(out.starts_with("ok: 2 commits checked"), "{out}");

    // A commit that only claims to be the mail system's, and touches staff/.
    let s = d
        .read("staff/bob.yaml")
        .replace("role: support", "role: main");
    d.write("staff/bob.yaml", &s);
    d.write(
        "tickets/001/1039/ticket.yaml",
        &d.read("tickets/001/1039/ticket.yaml")
            .replace("assignee: null", "assignee: bob"),
    );
    d.git(&[
        "commit",
        "-qam",
        "mail: ingest\n\nDesk-Op: mail.ingest\nDesk-Actor: mail",
        "--author",
        "Example Hosting Support <support@example.com>",
    ]);
    let r = d.run(&["--json", "verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let reasons: Vec<String> = json(&r.stdout)["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["reason"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        reasons,
        [
            "the mail system changed staff/bob.yaml",
            "the mail system assigned tickets/001/1039/ticket.yaml to bob"
        ]
    );
}

#[test]
fn a_bare_desk_on_a_server_ingests_into_history_only() {
    let d = TestDesk::empty();
    let from = example_repo();
    let r = d.run_in(
        d.tmp.path(),
        &[
            "init",
            "--bare",
            "server.git",
            "--from",
            from.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bare = d.tmp.path().join("server.git");
    let md = Maildir::new(d.tmp.path().join("mail"));
    md.deliver_fixture("plain.eml");
    md.deliver_fixture("reply-subject-tag.eml");
    let r = d.run_in(&bare, &["--json", "mail", "ingest", "../mail"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(entry(&report, "plain")["ticket"], 1041);
    assert_eq!(entry(&report, "reply-subject-tag")["ticket"], 1026);
    let git = |args: &[&str]| {
        let o = isolated("git", &d.home(), &bare)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(
        git(&["log", "-1", "--format=%s"]),
        "mail: ingest 1 new ticket, 1 reply\n"
    );
    assert!(git(&["show", "HEAD:tickets/001/1041/ticket.yaml"])
        .contains("title: Cannot log in to webmail\n"));
    assert_eq!(
        git(&["ls-tree", "--name-only", "HEAD", "outbox/"])
            .lines()
            .count(),
        1
    );
    assert!(!bare.join("index").exists() && !bare.join("tickets").exists());
    assert_eq!(md.files("cur").len(), 2);
}
