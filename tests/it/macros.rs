//! Macros: every step applied in ONE commit (`ticket.macro`), through the same rules as the
//! single commands; any failing step — an unknown reply variable, an unknown queue, a
//! missing permission, an answer to a ticket that is not yours — refuses the whole macro
//! with no commit and no mail; `replies.admin` to write; malformed files named by `check`.

use crate::support::*;

const T: &str = "tickets/001/1039/ticket.yaml";

fn outbox_count(d: &TestDesk) -> usize {
    std::fs::read_dir(d.path("outbox")).map_or(0, |rd| rd.count())
}

fn setup(d: &TestDesk) {
    d.ok(&[
        "--as",
        "alice",
        "reply",
        "new",
        "working",
        "-t",
        "Working on it",
        "-m",
        "Dear {{ customer.name }},\nwe are working on #{{ ticket.id }}.\n",
    ]);
    let out = d.ok(&[
        "--as",
        "alice",
        "macro",
        "new",
        "triage",
        "-t",
        "Triage an outage",
        "--assignee",
        "me",
        "--tag",
        "+outage",
        "--tag",
        "+vip",
        "--priority",
        "80",
        "--reply",
        "working",
        "--note",
        "Triaged with the macro.",
        "--status",
        "open",
    ]);
    assert_eq!(out, "macro triage created\n");
}

#[test]
fn a_macro_applies_every_step_in_one_commit() {
    let d = TestDesk::example();
    setup(&d);
    let file = d.read("macros/triage.yaml");
    assert_eq!(
        file,
        "title: Triage an outage\nassignee: me\npriority: 80\ntags:\n- +outage\n- +vip\nreply: working\nnote: Triaged with the macro.\nstatus: open\n"
    );
    assert!(d.last_message().contains("Desk-Op: macro.new"));
    let listed = json(&d.ok(&["--as", "carol", "--json", "macro", "list"]));
    assert_eq!(listed[0]["slug"], "triage");
    let shown = d.ok(&["--as", "carol", "macro", "show", "triage"]);
    assert!(shown.contains("1. assign to me\n2. tag +outage +vip\n3. priority 80\n4. answer with reply working\n5. add a note\n6. status open\n"), "{shown}");

    let before = d.commit_count();
    let mails = outbox_count(&d);
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "macro", "1039", "triage"]));
    assert_eq!(d.commit_count(), before + 1, "one commit");
    assert_eq!(v["id"], 1039);
    assert_eq!(v["commit"].as_str().unwrap(), d.head());
    let summary = v["summary"].as_str().unwrap();
    // Each step as its own command would say it (assigning a new ticket opens it; the
    // answer leaves it answered, the macro's status reopens it).
    assert_eq!(
        summary,
        "macro triage (assign to bob, status open; tag +outage +vip; edit priority 80; answer with reply working; note; edit status open)"
    );
    let msg = d.last_message();
    assert!(msg.contains("Desk-Op: ticket.macro\n"), "{msg}");
    assert!(msg.contains("Desk-Assignee: bob\n"), "{msg}");
    let t = d.read(T);
    for want in [
        "assignee: bob",
        "priority: 80",
        "status: open",
        "tags:\n- outage\n- vip",
    ] {
        assert!(t.contains(want), "{want} missing:\n{t}");
    }
    assert_eq!(outbox_count(&d), mails + 1, "the reply was mailed");
    let paths = d.last_paths();
    let mail = d.read(paths.iter().find(|p| p.starts_with("outbox/")).unwrap());
    assert!(mail.contains("we are working on #1039."), "{mail}");
    let show = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", "1039"]));
    let kinds: Vec<&str> = show["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.ends_with(&["answer", "note"]), "{kinds:?}");
    assert_eq!(d.status(), "");
    let out = d.ok(&["verify"]);
    assert!(out.starts_with("ok:"), "{out}");

    // Applied again, every step but the answer and the note is already done; those still
    // make a change, so it is one more commit.
    d.ok(&["--as", "bob", "ticket", "macro", "1039", "triage"]);
    assert_eq!(d.commit_count(), before + 2);
}

#[test]
fn a_failing_step_refuses_the_whole_macro() {
    let d = TestDesk::example();
    setup(&d);
    // No assignee step: the answer needs the ticket to be yours. Tags and note would have
    // been staged before it; nothing is kept.
    d.write(
        "macros/answer-only.yaml",
        "title: Answer\ntags: [+x]\nreply: working\nnote: hi\n",
    );
    // A reply with an unknown variable.
    d.write(
        "replies/typo.md",
        "---\ntitle: Typo\n---\nDear {{ customer.nmae }}\n",
    );
    d.write(
        "macros/typo.yaml",
        "title: Typo\nassignee: me\nreply: typo\n",
    );
    // Assigning to someone else needs tickets.assign_others (carol lacks it).
    d.write(
        "macros/to-bob.yaml",
        "title: To Bob\nassignee: bob\ntags: [+y]\n",
    );
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", "macros by hand"]);
    let head = d.head();
    let mails = outbox_count(&d);
    let t = d.read(T);

    let e = d.fails(
        1,
        &["--as", "bob", "ticket", "macro", "1039", "answer-only"],
    );
    assert!(e.contains("ticket 1039 is not assigned to bob"), "{e}");
    let e = d.fails(1, &["--as", "bob", "ticket", "macro", "1039", "typo"]);
    assert!(
        e.contains("replies/typo.md:4: unknown variable `customer.nmae`"),
        "{e}"
    );
    let e = d.fails(1, &["--as", "carol", "ticket", "macro", "1039", "to-bob"]);
    assert!(e.contains("`tickets.assign_others` is needed"), "{e}");
    let e = d.fails(1, &["--as", "bob", "ticket", "macro", "1039", "nope"]);
    assert!(e.contains("no macro `nope`"), "{e}");
    let e = d.fails(1, &["--as", "bob", "ticket", "macro", "99999", "triage"]);
    assert!(e.contains("no ticket `99999`"), "{e}");

    assert_eq!(d.head(), head, "no commit");
    assert_eq!(outbox_count(&d), mails, "no mail");
    assert_eq!(d.read(T), t);
    assert_eq!(d.status(), "");
}

#[test]
fn a_macro_that_changes_nothing_is_refused() {
    let d = TestDesk::example();
    d.ok(&[
        "--as", "alice", "macro", "new", "vip", "-t", "VIP", "--tag", "+vip",
    ]);
    d.ok(&["--as", "bob", "ticket", "macro", "1039", "vip"]);
    let head = d.head();
    let e = d.fails(1, &["--as", "bob", "ticket", "macro", "1039", "vip"]);
    assert!(
        e.contains("macro `vip` would not change ticket 1039"),
        "{e}"
    );
    assert_eq!(d.head(), head);
}

#[test]
fn writing_macros_needs_the_permission_and_valid_names() {
    let d = TestDesk::example();
    let head = d.head();
    let e = d.fails(
        1,
        &["--as", "bob", "macro", "new", "x", "-t", "X", "--tag", "+x"],
    );
    assert!(
        e.contains("bob may not write macros: the permission `replies.admin` is needed"),
        "{e}"
    );
    let e = d.fails(
        1,
        &[
            "--as", "alice", "macro", "new", "x", "-t", "X", "--queue", "nope",
        ],
    );
    assert!(e.contains("macros/x.yaml: queue: no queue `nope`"), "{e}");
    let e = d.fails(
        1,
        &[
            "--as", "alice", "macro", "new", "x", "-t", "X", "--reply", "nope",
        ],
    );
    assert!(e.contains("reply: no saved reply `nope`"), "{e}");
    let e = d.fails(1, &["--as", "alice", "macro", "new", "x", "-t", "X"]);
    assert!(e.contains("the macro has no step"), "{e}");
    let e = d.fails(
        1,
        &[
            "--as",
            "alice",
            "macro",
            "new",
            "x",
            "-t",
            "X",
            "--assignee",
            "zed",
        ],
    );
    assert!(e.contains("assignee: no staff member `zed`"), "{e}");
    d.fails(
        2,
        &[
            "--as",
            "alice",
            "macro",
            "new",
            "x",
            "-t",
            "X",
            "--tag",
            "+Two Words",
        ],
    );
    assert_eq!(d.head(), head);
    d.ok(&[
        "--as", "alice", "macro", "new", "x", "-t", "X", "--tag", "-x",
    ]);
    d.ok(&["--as", "alice", "macro", "delete", "x"]);
    assert!(d.last_message().contains("Desk-Op: macro.delete"));
}

#[test]
fn malformed_macro_files_are_named_by_check() {
    let d = TestDesk::example();
    d.write("macros/loud.yaml", "title: Loud\npriority: 500\n");
    d.write(
        "macros/ghost.yaml",
        "title: Ghost\nqueue: nowhere\nreply: missing\n",
    );
    d.write("macros/tags.yaml", "title: Tags\ntags: [\"+<b>\"]\n");
    d.write("macros/ok.yaml", "title: Fine\nstatus: resolved\n");
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    let o = &r.stdout;
    assert!(o.contains("macros/loud.yaml:2:"), "{o}");
    assert!(
        o.contains("macros/ghost.yaml: queue: no queue `nowhere`"),
        "{o}"
    );
    assert!(
        o.contains("macros/ghost.yaml: reply: no saved reply `missing`"),
        "{o}"
    );
    assert!(
        o.contains("macros/tags.yaml:2:") && o.contains("is not a valid tag"),
        "{o}"
    );
    let r = d.run(&["--as", "bob", "macro", "list"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("Fine") && r.stdout.contains("status resolved"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("warning: macros/loud.yaml:2"),
        "{}",
        r.stderr
    );
    // Applying a broken macro names the file and line too; nothing is written.
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", "macros by hand"]);
    let head = d.head();
    let e = d.fails(1, &["--as", "bob", "ticket", "macro", "1039", "loud"]);
    assert!(e.contains("macros/loud.yaml:2:"), "{e}");
    let e = d.fails(1, &["--as", "bob", "ticket", "macro", "1039", "ghost"]);
    assert!(
        e.contains("macros/ghost.yaml: reply: no saved reply `missing`"),
        "{e}"
    );
    assert_eq!(d.head(), head);
}

#[test]
fn macros_and_replies_are_edited_in_the_editor() {
    let d = TestDesk::example();
    setup(&d);
    let edit = |editor: &str, args: &[&str]| {
        d.cmd_in(&d.root)
            .env("EDITOR", editor)
            .args(args)
            .output()
            .unwrap()
    };
    let o = edit(
        "sed -i -e s/^priority:.*/priority:\\ 90/",
        &["--as", "alice", "macro", "edit", "triage"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.read("macros/triage.yaml").contains("priority: 90\n"));
    assert!(d.last_message().contains("Desk-Op: macro.edit"));
    // An edit that breaks the file, or names a queue that does not exist: refused, no commit.
    let head = d.head();
    let o = edit(
        "sed -i -e s/^priority:.*/priority:\\ 900/",
        &["--as", "alice", "macro", "edit", "triage"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("macros/triage.yaml:3"));
    let o = edit(
        "sed -i -e s/^status:.*/queue:\\ nowhere/",
        &["--as", "alice", "macro", "edit", "triage"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("queue: no queue `nowhere`"));
    // A reply edited into an unknown variable.
    let o = edit(
        "sed -i -e s/customer.name/customer.nmae/",
        &["--as", "alice", "reply", "edit", "working"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown variable `customer.nmae`"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(d.head(), head);
    assert_eq!(d.status(), "");
}
