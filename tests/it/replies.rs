//! Saved replies: variables filled from the ticket, its customer, the technician and the
//! desk; an unknown variable refused by name and line — when written, by `check`, and
//! before anything is sent (no commit, no outbox mail); the queue restriction; the
//! `replies.admin` permission (and `verify` for hand commits); malformed files named by
//! path and line; `--json`.

use crate::support::*;

const THANKS: &str = "Dear {{ customer.name }},\n\nabout ticket #{{ ticket.id }} ({{ ticket.title }}) in {{ ticket.queue_name }}:\nwe are on it.\n\n{{ me.name }} <{{ me.email }}>, {{ desk.name }}\n";

fn outbox_files(d: &TestDesk) -> Vec<String> {
    match std::fs::read_dir(d.path("outbox")) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => vec![],
    }
}

/// alice writes the reply `thanks` for queue general.
fn with_thanks(d: &TestDesk) {
    let out = d.ok(&[
        "--as",
        "alice",
        "reply",
        "new",
        "thanks",
        "-t",
        "Thanks, we are on it",
        "--queue",
        "general",
        "--tag",
        "ack",
        "-m",
        THANKS,
    ]);
    assert_eq!(out, "saved reply thanks created\n");
}

#[test]
fn a_saved_reply_is_written_listed_and_shown() {
    let d = TestDesk::example();
    with_thanks(&d);
    let file = d.read("replies/thanks.md");
    assert!(
        file.starts_with("---\ntitle: Thanks, we are on it\nqueues:\n- general\ntags:\n- ack\n---\nDear {{ customer.name }},\n"),
        "{file}"
    );
    let msg = d.last_message();
    assert!(
        msg.starts_with("reply thanks: new \"Thanks, we are on it\""),
        "{msg}"
    );
    assert!(msg.contains("Desk-Op: reply.new"), "{msg}");
    assert_eq!(d.status(), "");

    // Every technician lists and shows replies; --json carries the front matter.
    let v = json(&d.ok(&["--as", "carol", "--json", "reply", "list"]));
    assert_eq!(v[0]["slug"], "thanks");
    assert_eq!(v[0]["front"]["queues"], serde_json::json!(["general"]));
    let v = json(&d.ok(&[
        "--as", "carol", "--json", "reply", "list", "--queue", "sales",
    ]));
    assert_eq!(v, serde_json::json!([]));
    let text = d.ok(&["--as", "bob", "reply", "show", "thanks"]);
    assert!(
        text.starts_with("Thanks, we are on it\n") && text.contains("Queues: general"),
        "{text}"
    );

    // A preview for a ticket fills the variables (account name, queue name, me).
    let text = d.ok(&["--as", "bob", "reply", "show", "thanks", "--ticket", "1022"]);
    assert!(
        text.starts_with(
            "Dear Radek Novák,\n\nabout ticket #1022 (Request SSH access) in Support:"
        ),
        "{text}"
    );
    assert!(
        text.contains("Bob Brennan <bob@example.com>, Example Hosting Support"),
        "{text}"
    );
    let v = json(&d.ok(&[
        "--as", "bob", "--json", "reply", "show", "thanks", "--ticket", "1022",
    ]));
    assert!(
        v["rendered"].as_str().unwrap().starts_with("Dear Radek"),
        "{v}"
    );
    assert_eq!(v["ticket"], 1022);

    // Edit and delete, one commit each.
    d.ok(&[
        "--as",
        "alice",
        "reply",
        "edit",
        "thanks",
        "--all-queues",
        "-t",
        "Thanks",
    ]);
    assert!(d
        .last_message()
        .starts_with("reply thanks: edit title, queues"));
    assert!(!d.read("replies/thanks.md").contains("queues"));
    let e = d.fails(
        1,
        &["--as", "alice", "reply", "edit", "thanks", "-t", "Thanks"],
    );
    assert!(e.contains("nothing to change"), "{e}");
    d.ok(&["--as", "alice", "reply", "delete", "thanks"]);
    assert!(!d.path("replies/thanks.md").exists());
    assert!(d.last_message().contains("Desk-Op: reply.delete"));
}

#[test]
fn answering_with_a_saved_reply_fills_it_in_and_mails_it() {
    let d = TestDesk::example();
    with_thanks(&d);
    d.ok(&["--as", "bob", "ticket", "pickup", "1022"]);
    let before = d.commit_count();
    let out = d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1022",
        "--reply",
        "thanks",
        "-m",
        "Hello again.",
    ]);
    assert_eq!(out, "ticket 1022: answer with reply thanks\n");
    assert_eq!(d.commit_count(), before + 1);
    assert!(d.last_message().contains("Desk-Op: ticket.answer"));
    let paths = d.last_paths();
    let mail = paths
        .iter()
        .find(|p| p.starts_with("outbox/"))
        .expect("a mail");
    let mail = d.read(mail);
    // The typed text first, then the filled-in reply, then the signature.
    let hello = mail.find("Hello again.").unwrap();
    let dear = mail.find("Dear Radek Novák,").unwrap();
    let sig = mail.find("Example Hosting Support\n").unwrap();
    assert!(hello < dear && dear < sig, "{mail}");
    assert!(mail.contains("about ticket #1022 (Request SSH access) in Support:"));
    assert!(!mail.contains("{{"), "{mail}");

    // Without typed text the reply is the whole answer; a ticket without an account gets
    // the address as the customer's name.
    d.ok(&[
        "--as", "bob", "ticket", "answer", "1039", "--pickup", "--reply", "thanks",
    ]);
    let paths = d.last_paths();
    let mail = d.read(paths.iter().find(|p| p.starts_with("outbox/")).unwrap());
    assert!(mail.contains("Dear marco@trattoria-roma.test,"), "{mail}");
}

#[test]
fn unknown_variables_are_refused_before_anything_is_written_or_sent() {
    let d = TestDesk::example();
    let head = d.head();
    // When writing: named with the line of the file.
    let e = d.fails(
        1,
        &[
            "--as",
            "alice",
            "reply",
            "new",
            "typo",
            "-t",
            "Typo",
            "-m",
            "Hello,\n\nDear {{ customer.nmae }}\n",
        ],
    );
    assert!(
        e.contains("replies/typo.md:6: unknown variable `customer.nmae`"),
        "{e}"
    );
    let e = d.fails(
        1,
        &[
            "--as", "alice", "reply", "new", "syntax", "-t", "S", "-m", "{% if %}",
        ],
    );
    assert!(e.contains("replies/syntax.md:4: syntax error"), "{e}");
    assert_eq!(d.head(), head);
    assert!(!d.path("replies").exists());

    // Written by hand and committed: check names it, the answer is refused, nothing sent.
    d.write(
        "replies/typo.md",
        "---\ntitle: Typo\n---\nHi {{ customer.name }},\nsee {{ ticket.secret }}\n",
    );
    d.git(&["add", "replies"]);
    d.git(&["commit", "-qm", "a reply by hand"]);
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("replies/typo.md:5: unknown variable `ticket.secret`"),
        "{}",
        r.stdout
    );
    d.ok(&["--as", "bob", "ticket", "pickup", "1039"]);
    let head = d.head();
    let outbox = outbox_files(&d);
    let e = d.fails(
        1,
        &["--as", "bob", "ticket", "answer", "1039", "--reply", "typo"],
    );
    assert!(
        e.contains("replies/typo.md:5: unknown variable `ticket.secret`"),
        "{e}"
    );
    assert_eq!(d.head(), head);
    assert_eq!(outbox_files(&d), outbox);
    assert_eq!(d.status(), "");
    // An unknown reply.
    let e = d.fails(
        1,
        &["--as", "bob", "ticket", "answer", "1039", "--reply", "nope"],
    );
    assert!(e.contains("no saved reply `nope`"), "{e}");
    assert_eq!(d.head(), head);
}

#[test]
fn a_reply_for_other_queues_is_refused() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "alice",
        "reply",
        "new",
        "refund",
        "-t",
        "Refund",
        "-q",
        "billing",
        "-m",
        "Your refund for #{{ ticket.id }} is on its way.",
    ]);
    d.ok(&["--as", "bob", "ticket", "pickup", "1039"]);
    let head = d.head();
    let e = d.fails(
        1,
        &[
            "--as", "bob", "ticket", "answer", "1039", "--reply", "refund",
        ],
    );
    assert!(
        e.contains("saved reply `refund` is for queue billing; ticket 1039 is in `general`"),
        "{e}"
    );
    assert_eq!(d.head(), head);
    // An unknown queue is refused when writing.
    let e = d.fails(
        1,
        &[
            "--as", "alice", "reply", "new", "x", "-t", "X", "-q", "nope", "-m", "x",
        ],
    );
    assert!(e.contains("queues: no queue `nope`"), "{e}");
}

#[test]
fn writing_replies_needs_the_permission() {
    let d = TestDesk::example();
    let head = d.head();
    let e = d.fails(
        1,
        &["--as", "bob", "reply", "new", "x", "-t", "X", "-m", "Hi"],
    );
    assert!(
        e.contains("bob may not write saved replies: the permission `replies.admin` is needed"),
        "{e}"
    );
    assert_eq!(d.head(), head);
    d.ok(&["--as", "alice", "staff", "grant", "bob", "replies.admin"]);
    d.ok(&["--as", "bob", "reply", "new", "x", "-t", "X", "-m", "Hi"]);
    // carol writes one by hand: verify flags it.
    d.write("replies/carol.md", "---\ntitle: Mine\n---\nHi\n");
    d.git(&["add", "replies"]);
    let o = isolated("git", &d.home(), &d.root)
        .env("GIT_AUTHOR_EMAIL", "carol@example.com")
        .args(["commit", "-qm", "my reply"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let r = d.run(&["verify"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("changing replies/carol.md") && r.stdout.contains("replies.admin"),
        "{}",
        r.stdout
    );
}

#[test]
fn malformed_reply_files_are_named_by_path_and_line() {
    let d = TestDesk::example();
    d.write("replies/broken.md", "---\ntitle: [unclosed\n---\nHi\n");
    d.write("replies/nofront.md", "Hi {{ customer.name }}\n");
    d.write(
        "replies/ok.md",
        "---\ntitle: Fine\n---\nHi {{ customer.name }}\n",
    );
    d.write("replies/Bad Name.md", "---\ntitle: X\n---\nHi\n");
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("replies/broken.md:3"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("replies/nofront.md:1: expected YAML front matter"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("replies/Bad Name.md: bad file name"),
        "{}",
        r.stdout
    );
    // The list goes on with the good one, warning about the others.
    let r = d.run(&["--as", "bob", "reply", "list"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("  ok ") && r.stdout.contains("Fine"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("warning: replies/broken.md"),
        "{}",
        r.stderr
    );
    // Using a broken one names it; nothing is written or sent.
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", "replies by hand"]);
    d.ok(&["--as", "bob", "ticket", "pickup", "1039"]);
    let head = d.head();
    let e = d.fails(
        1,
        &[
            "--as", "bob", "ticket", "answer", "1039", "--reply", "broken",
        ],
    );
    assert!(e.contains("replies/broken.md:3"), "{e}");
    let e = d.fails(
        1,
        &["--as", "bob", "reply", "show", "broken", "--ticket", "1039"],
    );
    assert!(e.contains("replies/broken.md:3"), "{e}");
    assert_eq!(d.head(), head);
    assert!(!d.path("outbox").exists());
}
