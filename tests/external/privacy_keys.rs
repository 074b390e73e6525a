//! Issue 14 with real SSH keys (made by `ssh-keygen`): private messages encrypted to the
//! staff's SSH keys, so only the recipients and the sender can read them (a wrong or missing
//! key is a clear error), a recipient without a key is refused, a passphrase-protected key
//! asks on the terminal (`script`), and a replaced key. The signing tests, in
//! `privacy_signing`, share the key helpers. The tests with age keys stay in
//! `tests/it/privacy/`.

use std::path::{Path, PathBuf};

use crate::support::*;

/// An ed25519 key pair made by `ssh-keygen` in the test's home: the private key's path.
pub(crate) fn ssh_key(d: &TestDesk, name: &str, passphrase: &str) -> PathBuf {
    let dir = d.home().join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let o = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    path
}

pub(crate) fn pub_of(key: &Path) -> String {
    format!("{}.pub", key.display())
}

/// Runs git-desk as `login` with `identity` (and `passphrase`, if any) as the key.
pub(crate) fn run_with(
    d: &TestDesk,
    identity: &Path,
    passphrase: Option<&str>,
    args: &[&str],
) -> Run {
    let mut c = d.cmd_in(&d.root);
    c.env("GIT_DESK_IDENTITY", identity);
    if let Some(p) = passphrase {
        c.env("GIT_DESK_PASSPHRASE", p);
    }
    let o = c.args(args).output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A fresh desk (alice, main admin) with bob and carol, each with their own SSH key
/// registered; bob's is passphrase-protected. Returns the private keys (alice, bob, carol).
pub(crate) fn desk_with_keys(d: &TestDesk) -> [PathBuf; 3] {
    for who in ["bob", "carol"] {
        d.ok(&[
            "--as",
            "alice",
            "staff",
            "add",
            who,
            "--name",
            who,
            "--email",
            &format!("{who}@example.com"),
            "--perm",
            "messages.use",
        ]);
    }
    let keys = [
        ssh_key(d, "alice", ""),
        ssh_key(d, "bob", "bob's secret"),
        ssh_key(d, "carol", ""),
    ];
    for (who, key) in ["alice", "bob", "carol"].iter().zip(&keys) {
        d.ok(&["--as", "alice", "staff", "key", who, "--ssh", &pub_of(key)]);
    }
    keys
}

pub(crate) const SUBJECT: &str = "Zanzibar salary review";
pub(crate) const TEXT: &str = "Quixotic numbers attached";

pub fn only_the_recipients_and_the_sender_can_read_a_message() {
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

pub fn a_recipient_without_a_key_is_refused_with_the_command_that_adds_one() {
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

pub fn the_passphrase_is_asked_for_on_the_terminal() {
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

pub fn after_a_key_is_replaced_the_messages_to_the_old_one_are_reported_not_fatal() {
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
