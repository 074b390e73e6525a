//! Private messages: send (inbox copies and the e-mail notification in one commit), inbox,
//! sent, show (marks read), delete, the permission refusals and inbox privacy.

use crate::support::*;

/// The example desk with an age key registered (by alice) for every staff member, and one
/// identity file holding all their private keys as the desk's `desk.identity`, so any
/// `--as` can read its own messages. (Tests of who can decrypt what are in `privacy`.)
pub(crate) fn keyed_example() -> TestDesk {
    use age::secrecy::ExposeSecret;
    let d = TestDesk::example();
    let mut all = String::new();
    for login in ["alice", "bob", "carol", "dave", "erin"] {
        let id = age::x25519::Identity::generate();
        all.push_str(id.to_string().expose_secret());
        all.push('\n');
        let public = id.to_public().to_string();
        d.ok(&["--as", "alice", "staff", "key", login, "--age", &public]);
    }
    let file = d.home().join("everyone.agekey");
    std::fs::write(&file, all).unwrap();
    d.git(&["config", "desk.identity", file.to_str().unwrap()]);
    d
}

/// Sends a message and returns its key.
fn send(d: &TestDesk, from: &str, to: &str, subject: &str, body: &str) -> String {
    let v = json(&d.ok(&[
        "--as",
        from,
        "--json",
        "msg",
        "send",
        "--to",
        to,
        "--subject",
        subject,
        "-m",
        body,
    ]));
    v["sent"]["key"].as_str().unwrap().to_owned()
}

#[test]
fn send_stores_a_copy_per_recipient_and_queues_one_notification() {
    let d = keyed_example();
    let before = d.commit_count();
    let out = d.ok(&[
        "--as",
        "alice",
        "msg",
        "send",
        "--to",
        "bob,carol",
        "-s",
        "Coffee machine",
        "-m",
        "It is fixed.",
    ]);
    assert_eq!(d.commit_count(), before + 1);
    let paths = d.last_paths();
    assert_eq!(paths.len(), 3, "{paths:?}");
    let key = paths[0]
        .strip_prefix("inbox/bob/")
        .and_then(|p| p.strip_suffix(".yaml"))
        .expect("bob's copy first")
        .to_owned();
    assert!(key.starts_with("20261127T120000Z-alice-"), "{key}");
    assert_eq!(
        paths,
        [
            format!("inbox/bob/{key}.yaml"),
            format!("inbox/carol/{key}.yaml"),
            format!("outbox/{key}.yaml")
        ]
    );
    assert_eq!(out.trim(), format!("message {key} sent to bob, carol"));
    let copy = d.read(&format!("inbox/bob/{key}.yaml"));
    assert!(
        copy.starts_with(
            "from: alice\nto:\n- bob\n- carol\nat: 2026-11-27T12:00:00Z\nread: false\nsealed: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n"
        ),
        "{copy}"
    );
    assert!(
        !copy.contains("Coffee") && !copy.contains("fixed"),
        "only routing fields in clear: {copy}"
    );
    assert_eq!(d.read(&format!("inbox/carol/{key}.yaml")), copy);
    let mail = d.read(&format!("outbox/{key}.yaml"));
    for line in [
        "kind: notification\n",
        "ticket: null\n",
        "to:\n- bob@example.com\n- carol@example.com\n",
        "attempts: 0\n",
        &format!("message_id: <pm.{key}@example.com>\n"),
    ] {
        assert!(mail.contains(line), "missing {line:?} in\n{mail}");
    }
    assert!(mail.contains("Private message from Alice"), "{mail}");
    assert!(mail.contains(&format!("git desk msg show {key}")), "{mail}");
    assert!(
        !mail.contains("Coffee") && !mail.contains("It is fixed."),
        "the notification carries neither subject nor text: {mail}"
    );
    let msg = d.last_message();
    assert!(msg.starts_with("msg: alice to bob, carol\n"), "{msg}");
    assert!(!msg.contains("Coffee"), "{msg}");
    assert!(
        msg.contains("Desk-Op: msg.send\n") && msg.contains(&format!("Desk-Message: {key}\n")),
        "{msg}"
    );
    // The recipients read it back.
    let v = json(&d.ok(&["--as", "carol", "--json", "msg", "show", &key]));
    assert_eq!(v["subject"], "Coffee machine");
    assert_eq!(v["body"], "It is fixed.");
    assert_eq!(v["encrypted"], true);
    assert_eq!(d.status(), "");
    d.ok(&["check"]);
}

#[test]
fn a_recipient_without_an_address_gets_no_notification() {
    let d = keyed_example();
    let out = d.ok(&[
        "--as",
        "alice",
        "msg",
        "send",
        "--to",
        "erin",
        "-s",
        "Profile",
        "-m",
        "Fill in your profile.",
    ]);
    assert!(out.contains("no e-mail notification for erin"), "{out}");
    let paths = d.last_paths();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].starts_with("inbox/erin/"));
}

#[test]
fn message_permissions_and_bad_input_are_refused() {
    let d = keyed_example();
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "frank",
        "--name",
        "Frank",
        "--email",
        "frank@example.com",
        "--perm",
        "tasks.use",
    ]);
    let before = d.commit_count();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--as", "frank", "msg", "send", "--to", "bob", "-s", "x", "-m", "x",
            ],
            "`messages.use` is needed",
        ),
        (
            &["--as", "frank", "msg", "inbox"],
            "`messages.use` is needed",
        ),
        (
            &["--as", "frank", "msg", "sent"],
            "`messages.use` is needed",
        ),
        (
            &["--as", "frank", "msg", "show", "2026"],
            "`messages.use` is needed",
        ),
        (
            &["--as", "frank", "msg", "delete", "2026"],
            "`messages.use` is needed",
        ),
        (
            &[
                "--as", "bob", "msg", "send", "--to", "frank", "-s", "x", "-m", "x",
            ],
            "frank cannot read private messages",
        ),
        (
            &[
                "--as", "bob", "msg", "send", "--to", "zed", "-s", "x", "-m", "x",
            ],
            "no staff member `zed`",
        ),
        (
            &[
                "--as", "bob", "msg", "send", "--to", "carol", "-s", " ", "-m", "x",
            ],
            "subject",
        ),
        (
            &[
                "--as", "bob", "msg", "send", "--to", "carol", "-s", "x", "-m", " ",
            ],
            "empty",
        ),
    ];
    for (args, want) in cases {
        let err = d.fails(1, args);
        assert!(err.contains(want), "{args:?}: expected {want:?} in {err}");
    }
    assert_eq!(d.commit_count(), before);
    d.fails(2, &["--as", "bob", "msg", "send", "-s", "x", "-m", "x"]);
}

#[test]
fn the_inbox_lists_unread_first_and_only_ones_own() {
    let d = keyed_example();
    let out = d.ok(&["--as", "bob", "msg", "inbox"]);
    assert!(out.starts_with("My Inbox (2, 1 unread)\n"), "{out}");
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert!(
        rows[0].starts_with("*  20261116T140500Z-alice-6845"),
        "{out}"
    );
    assert!(
        rows[1].starts_with("   20261023T072500Z-alice-d3b7"),
        "{out}"
    );
    let v = json(&d.ok(&["--as", "alice", "--json", "msg", "inbox"]));
    let keys: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["20261120T102000Z-carol-4306", "20261124T170200Z-bob-8404"]
    );
    assert!(v.as_array().unwrap().iter().all(|m| m["to"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "alice")));
}

#[test]
fn nobody_reads_or_deletes_another_inbox() {
    let d = keyed_example();
    let before = d.commit_count();
    // Carol's only message, from dave: not bob's to see or delete, even by full key.
    for args in [
        ["--as", "bob", "msg", "show", "20261113T094000Z-dave-8838"],
        ["--as", "bob", "msg", "delete", "20261113T094000Z-dave-8838"],
        ["--as", "erin", "msg", "show", "20261116T140500Z-alice-6845"],
    ] {
        let err = d.fails(1, &args);
        assert!(err.contains("no message in your inbox"), "{args:?}: {err}");
    }
    assert!(d
        .path("inbox/carol/20261113T094000Z-dave-8838.yaml")
        .exists());
    assert_eq!(d.commit_count(), before);
    // A sent message can be read back by its sender, without marking anyone's copy read.
    let out = d.ok(&[
        "--as",
        "alice",
        "msg",
        "show",
        "20261123T090000Z-alice-3a7b",
    ]);
    assert!(out.contains("Subject:  Welcome, and first steps"), "{out}");
    assert_eq!(d.commit_count(), before);
    assert!(d
        .read("inbox/erin/20261123T090000Z-alice-3a7b.yaml")
        .contains("read: false\n"));
}

#[test]
fn show_marks_read_once_and_takes_a_unique_prefix() {
    let d = keyed_example();
    let before = d.commit_count();
    let out = d.ok(&["--as", "bob", "msg", "show", "20261116"]);
    assert!(
        out.starts_with("From:     alice\nTo:       dave, bob\n"),
        "{out}"
    );
    assert!(
        out.contains("Subject:  Domain auto-renew complaints\n") && out.contains("\nHi both,\n"),
        "{out}"
    );
    assert_eq!(d.commit_count(), before + 1);
    assert_eq!(
        d.last_paths(),
        ["inbox/bob/20261116T140500Z-alice-6845.yaml"]
    );
    assert!(d.last_message().contains("Desk-Op: msg.read\n"));
    assert!(d
        .read("inbox/bob/20261116T140500Z-alice-6845.yaml")
        .contains("read: true\n"));
    // Reading it again changes nothing.
    d.ok(&["--as", "bob", "msg", "show", "20261116T140500Z-alice-6845"]);
    assert_eq!(d.commit_count(), before + 1);
    let err = d.fails(1, &["--as", "bob", "msg", "show", "2026"]);
    assert!(err.contains("ambiguous"), "{err}");
    let v = json(&d.ok(&["--as", "bob", "--json", "msg", "show", "20261023"]));
    assert_eq!(v["copy"], "inbox");
    assert_eq!(v["subject"], "Hacked WordPress on web3 (#1010)");
    assert_eq!(d.status(), "");
}

#[test]
fn delete_removes_only_ones_own_copy() {
    let d = keyed_example();
    let out = d.ok(&[
        "--as",
        "bob",
        "msg",
        "delete",
        "20261116T140500Z-alice-6845",
        "20261023",
    ]);
    assert_eq!(
        out,
        "deleted 20261116T140500Z-alice-6845\ndeleted 20261023T072500Z-alice-d3b7\n"
    );
    let mut paths = d.last_paths();
    paths.sort();
    assert_eq!(
        paths,
        [
            "inbox/bob/20261023T072500Z-alice-d3b7.yaml",
            "inbox/bob/20261116T140500Z-alice-6845.yaml"
        ]
    );
    assert!(!d
        .path("inbox/bob/20261116T140500Z-alice-6845.yaml")
        .exists());
    assert!(
        d.path("inbox/dave/20261116T140500Z-alice-6845.yaml")
            .exists(),
        "dave keeps his copy"
    );
    let msg = d.last_message();
    assert!(
        msg.starts_with("msg: bob delete 2 messages\n") && msg.contains("Desk-Op: msg.delete\n"),
        "{msg}"
    );
    assert!(d.ok(&["--as", "bob", "msg", "inbox"]).contains("(none)"));
    assert_eq!(d.status(), "");
}

#[test]
fn sent_lists_each_message_once() {
    let d = keyed_example();
    let key = send(&d, "carol", "bob,dave", "Lunch", "Friday?");
    let v = json(&d.ok(&["--as", "carol", "--json", "msg", "sent"]));
    let keys: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [key.as_str(), "20261120T102000Z-carol-4306"]);
    assert_eq!(v[0]["to"], serde_json::json!(["bob", "dave"]));
    assert!(v[0].get("read").is_none(), "no read receipts: {}", v[0]);
    let out = d.ok(&["--as", "alice", "msg", "sent"]);
    assert!(out.starts_with("Sent messages (3)\n"), "{out}");
    assert_eq!(
        out.matches("20261116T140500Z-alice-6845").count(),
        1,
        "{out}"
    );
    // Bob reads it: a commit touching only his copy.
    d.ok(&["--as", "bob", "msg", "show", &key]);
    assert_eq!(d.last_paths(), [format!("inbox/bob/{key}.yaml")]);
    assert!(d
        .read(&format!("inbox/dave/{key}.yaml"))
        .contains("read: false\n"));
}
