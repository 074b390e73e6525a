//! Private messages: who can read them, refusals, `msg encrypt`, no subject anywhere else.

use std::path::Path;

use super::*;
use crate::messages::keyed_example;
use crate::support::*;

#[test]
fn only_the_recipients_and_the_sender_can_read_a_message() {
    let test = "only_the_recipients_and_the_sender_can_read_a_message";
    if !have_program("ssh-keygen", test) {
        return;
    }
    let d = TestDesk::new();
    let [alice, bob, carol] = desk_with_keys(&d);
    let r = run_with(
        &d,
        &alice,
        None,
        &[
            "--as", "alice", "--json", "msg", "send", "--to", "bob", "-s", SUBJECT, "-m", TEXT,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = json(&r.stdout)["sent"]["key"].as_str().unwrap().to_owned();

    // A clone holds only ciphertext: no word of the subject or text anywhere in history.
    let clone = d.tmp.path().join("clone");
    let o = isolated("git", &d.home(), d.tmp.path())
        .args(["clone", "-q", d.root.to_str().unwrap(), "clone"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let all = isolated("git", &d.home(), &clone)
        .args(["log", "-p", "--all", "--format=%B"])
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&all.stdout);
    for word in ["Zanzibar", "salary", "Quixotic"] {
        assert!(!all.contains(word), "history leaks {word}");
    }
    let blob = d.git(&["cat-file", "-p", &format!("HEAD:inbox/bob/{key}.yaml")]);
    assert!(
        blob.contains("sealed: |\n  -----BEGIN AGE ENCRYPTED FILE-----"),
        "{blob}"
    );
    assert!(blob.starts_with("from: alice\nto:\n- bob\nat: "), "{blob}");

    // bob reads it with his key and passphrase; the sender reads her copy too.
    let r = run_with(
        &d,
        &bob,
        Some("bob's secret"),
        &["--as", "bob", "msg", "show", &key],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(SUBJECT) && r.stdout.contains(TEXT),
        "{}",
        r.stdout
    );
    let r = run_with(&d, &alice, None, &["--as", "alice", "msg", "sent"]);
    assert!(r.stdout.contains(SUBJECT), "{}", r.stdout);

    // Wrong key, missing key, missing or wrong passphrase: clear errors, never the text.
    let cases: [(&Path, Option<&str>, &str); 4] = [
        (&carol, None, "is not encrypted to that key"),
        (Path::new("/nonexistent/id_ed25519"), None, "no identity to decrypt private messages: /nonexistent/id_ed25519 does not exist"),
        (&bob, None, "is protected by a passphrase: run on a terminal to be asked for it, or set GIT_DESK_PASSPHRASE"),
        (&bob, Some("guess"), "wrong passphrase"),
    ];
    for (identity, pass, expected) in cases {
        for args in [
            &["--as", "bob", "msg", "show", key.as_str()][..],
            &["--as", "bob", "msg", "inbox"][..],
        ] {
            let r = run_with(&d, identity, pass, args);
            assert_eq!(
                r.code,
                1,
                "{args:?} with {}: {}",
                identity.display(),
                r.stdout
            );
            assert!(r.stderr.contains(expected), "{}", r.stderr);
            assert!(!r.stdout.contains("Zanzibar") && !r.stderr.contains("Zanzibar"));
        }
    }
    // bob's own site holds his inbox, decrypted with his key.
    let mine = d.tmp.path().join("bob-site");
    let r = run_with(
        &d,
        &bob,
        Some("bob's secret"),
        &[
            "--as",
            "bob",
            "site",
            "build",
            "--out",
            mine.to_str().unwrap(),
            "--for",
            "bob",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inbox = std::fs::read_to_string(mine.join("inbox.html")).unwrap();
    assert!(inbox.contains(SUBJECT) && inbox.contains(TEXT), "{inbox}");
    // Without GIT_DESK_IDENTITY or desk.identity, the key is ~/.ssh/id_ed25519.
    std::fs::create_dir_all(d.home().join(".ssh")).unwrap();
    std::fs::copy(&alice, d.home().join(".ssh/id_ed25519")).unwrap();
    assert!(d.ok(&["--as", "alice", "msg", "sent"]).contains(SUBJECT));
    // Deleting needs no key.
    let r = run_with(&d, &carol, None, &["--as", "bob", "msg", "delete", &key]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_recipient_without_a_key_is_refused_with_the_command_that_adds_one() {
    let test = "a_recipient_without_a_key_is_refused_with_the_command_that_adds_one";
    if !have_program("ssh-keygen", test) {
        return;
    }
    let d = TestDesk::new();
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "dan",
        "--name",
        "Dan",
        "--perm",
        "messages.use",
    ]);
    let alice = ssh_key(&d, "alice", "");
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "key",
        "alice",
        "--ssh",
        &pub_of(&alice),
    ]);
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as", "alice", "msg", "send", "--to", "dan", "-s", "x", "-m", "y",
        ],
    );
    assert!(
        err.contains("dan has no key to encrypt private messages to: staff/dan.yaml has neither `signing_key` (an SSH ed25519 public key) nor `age_key`; add one with `git desk staff key dan --ssh FILE.pub`"),
        "{err}"
    );
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");
    // A private key, or a key of a type age cannot encrypt to, is refused by `staff key`.
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "staff",
            "key",
            "dan",
            "--ssh",
            alice.to_str().unwrap(),
        ],
    );
    assert!(err.contains("this is a private key"), "{err}");
    let ecdsa = d.home().join("keys/ecdsa");
    std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ecdsa", "-N", "", "-f"])
        .arg(&ecdsa)
        .output()
        .unwrap();
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "staff",
            "key",
            "dan",
            "--ssh",
            &pub_of(&ecdsa),
        ],
    );
    assert!(err.contains("--ssh:"), "{err}");
}

#[test]
fn msg_encrypt_seals_the_clear_text_messages_in_one_commit() {
    let d = keyed_example();
    let clear = "Non-profit discount";
    assert!(d
        .read("inbox/carol/20261113T094000Z-dave-8838.yaml")
        .contains(clear));
    // Only staff.admin encrypts every inbox; carol may seal her own.
    let err = d.fails(1, &["--as", "carol", "msg", "encrypt", "--all"]);
    assert!(err.contains("staff.admin"), "{err}");
    let before = d.commit_count();
    let out = d.ok(&["--as", "carol", "msg", "encrypt"]);
    assert!(out.contains("encrypted 1 message file(s)"), "{out}");
    assert_eq!(d.commit_count(), before + 1);
    assert_eq!(
        d.last_paths(),
        ["inbox/carol/20261113T094000Z-dave-8838.yaml"]
    );
    let out = d.ok(&["--as", "alice", "msg", "encrypt", "--all"]);
    assert!(out.contains("encrypted 6 message file(s)"), "{out}");
    assert_eq!(d.commit_count(), before + 2);
    for f in d
        .git(&["ls-tree", "-r", "--name-only", "HEAD", "inbox"])
        .lines()
    {
        let blob = d.git(&["cat-file", "-p", &format!("HEAD:{f}")]);
        assert!(
            !blob.contains("subject:") && blob.contains("sealed:"),
            "{f}: {blob}"
        );
    }
    // The same message in two inboxes shares one ciphertext; read flags are kept.
    let bob = d.read("inbox/bob/20261116T140500Z-alice-6845.yaml");
    let dave = d.read("inbox/dave/20261116T140500Z-alice-6845.yaml");
    let sealed = |s: &str| s[s.find("sealed:").unwrap()..].to_owned();
    assert_eq!(sealed(&bob), sealed(&dave));
    // Still readable by their owners; nothing left to encrypt.
    let v = json(&d.ok(&["--as", "carol", "--json", "msg", "show", "20261113T094000Z"]));
    assert!(v["subject"].as_str().unwrap().contains(clear), "{v}");
    assert_eq!(v["encrypted"], true);
    assert!(d
        .ok(&["--as", "alice", "msg", "encrypt", "--all"])
        .contains("no clear-text messages"));
    d.ok(&["check"]);
    // `verify` accepts the admin's sealing of other inboxes (routing and read flags kept).
    let out = d.ok(&["verify"]);
    assert!(out.starts_with("ok: "), "{out}");
    assert_eq!(d.status(), "");
    // A message with neither form is reported by `check`.
    d.write(
        "inbox/carol/20261101T000000Z-dave-0002.yaml",
        "from: dave\nto: [carol]\nat: 2026-11-01T00:00:00Z\nread: false\n",
    );
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("inbox/carol/20261101T000000Z-dave-0002.yaml")
            && all.contains("a private message needs `sealed`"),
        "{all}"
    );
}

#[test]
fn log_search_site_stats_and_notification_carry_no_subject() {
    let d = keyed_example();
    d.ok(&[
        "--as", "alice", "msg", "send", "--to", "bob", "-s", SUBJECT, "-m", TEXT,
    ]);
    // A message committed the old way (subject in the commit) is hidden by `log` too.
    d.write(
        "inbox/bob/20261101T100000Z-carol-0001.yaml",
        "from: carol\nto: [bob]\nsubject: Old Zanzibar\nat: 2026-11-01T10:00:00Z\nread: false\nbody: Old Quixotic\n",
    );
    d.git(&["add", "inbox"]);
    d.git(&[
        "commit",
        "-qm",
        "msg: carol to bob: \"Old Zanzibar\"\n\nDesk-Op: msg.send\nDesk-Actor: carol",
    ]);
    d.ok(&["index"]);
    let site = d.tmp.path().join("site");
    d.ok(&["site", "build", "--out", site.to_str().unwrap()]);
    let mut seen = vec![
        ("log", d.ok(&["log"])),
        ("log --json", d.ok(&["--json", "log"])),
        ("search", d.ok(&["--as", "alice", "search", "Zanzibar"])),
        (
            "search --json",
            d.ok(&["--as", "alice", "--json", "search", "Quixotic"]),
        ),
        ("stats", d.ok(&["--as", "alice", "--json", "stats"])),
        ("verify", d.run(&["verify"]).stdout),
    ];
    let outbox = d.git(&["ls-files", "outbox"]);
    for f in outbox.lines() {
        seen.push(("outbox", d.read(f)));
    }
    let mut stack = vec![site.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                seen.push(("site", std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    for (what, text) in &seen {
        for word in ["Zanzibar", "Quixotic"] {
            assert!(!text.contains(word), "{what} shows {word}:\n{text}");
        }
    }
    let log = &seen[0].1;
    assert!(
        log.contains("msg: alice to bob") && log.contains("msg: carol to bob (subject hidden)"),
        "{log}"
    );
}

#[test]
fn the_passphrase_is_asked_for_on_the_terminal() {
    let test = "the_passphrase_is_asked_for_on_the_terminal";
    if !have_program("ssh-keygen", test) || !have_program("script", test) {
        return;
    }
    use std::io::{Read, Write};
    let d = TestDesk::new();
    let [alice, bob, _] = desk_with_keys(&d);
    let r = run_with(
        &d,
        &alice,
        None,
        &[
            "--as", "alice", "--json", "msg", "send", "--to", "bob", "-s", SUBJECT, "-m", TEXT,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = json(&r.stdout)["sent"]["key"].as_str().unwrap().to_owned();
    // `script` gives git-desk a terminal; the passphrase is typed once the prompt shows.
    // (Whether the terminal echoes it depends on how fast the typing follows the prompt, so
    // that is not asserted.)
    let mut child = isolated("timeout", &d.home(), &d.root)
        .env("GIT_DESK_NOW", &d.now)
        .env("GIT_DESK_IDENTITY", &bob)
        .args(["30", "script", "-qec"])
        .arg(format!("'{BIN}' --as bob msg show {key}"))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("Passphrase for") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"bob's secret\n").unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let seen = String::from_utf8_lossy(&seen);
    assert!(seen.contains(SUBJECT) && seen.contains(TEXT), "{seen}");
}

#[test]
fn after_a_key_is_replaced_the_messages_to_the_old_one_are_reported_not_fatal() {
    let test = "after_a_key_is_replaced_the_messages_to_the_old_one_are_reported_not_fatal";
    if !have_program("ssh-keygen", test) {
        return;
    }
    let mut d = TestDesk::new();
    let [alice, _bob, _] = desk_with_keys(&d);
    let send = |d: &TestDesk, subject: &str| {
        let r = run_with(
            d,
            &alice,
            None,
            &[
                "--as", "alice", "--json", "msg", "send", "--to", "bob", "-s", subject, "-m", "x",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r.stdout)["sent"]["key"].as_str().unwrap().to_owned()
    };
    let old = send(&d, "Before the new key");
    let new_key = ssh_key(&d, "bob-2027", "");
    d.ok(&[
        "--as",
        "bob",
        "staff",
        "key",
        "bob",
        "--ssh",
        &pub_of(&new_key),
    ]);
    d.now = "2026-11-27T13:00:00Z".into();
    let new = send(&d, "After the new key");
    let r = run_with(&d, &new_key, None, &["--as", "bob", "msg", "inbox"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("After the new key"), "{}", r.stdout);
    assert!(!r.stdout.contains(&old), "{}", r.stdout);
    assert!(
        r.stderr.contains(&format!("warning: inbox/bob/{old}.yaml"))
            && r.stderr.contains("it is not encrypted to that key"),
        "{}",
        r.stderr
    );
    let r = run_with(&d, &new_key, None, &["--as", "bob", "msg", "show", &old]);
    assert_eq!(r.code, 1);
    let r = run_with(&d, &new_key, None, &["--as", "bob", "msg", "show", &new]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
