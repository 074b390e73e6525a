//! Private messages to age keys: `msg encrypt`, no subject anywhere else. Who can read
//! a message sealed to SSH keys, refusals and the passphrase prompt need `ssh-keygen` and are
//! in `tests/external/privacy_keys.rs`.

use super::*;
use crate::messages::keyed_example;
use crate::support::*;

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
