//! Issue 14, "private means private, and every change provably signed": private messages
//! encrypted to real SSH keys (a clone without the key holds no plaintext, the recipient and
//! the sender read it, a wrong or missing key is a clear error), `msg encrypt`, no subject in
//! `log`, search, the site, stats or the notification; signed commits pass `verify
//! --require-signed` and the pre-receive hook, forged ones do not; a hostile attachment is
//! inert in the site; CSV cells cannot start a formula.

use std::path::{Path, PathBuf};

use crate::messages::keyed_example;
use crate::support::*;

/// An ed25519 key pair made by `ssh-keygen` in the test's home: the private key's path.
fn ssh_key(d: &TestDesk, name: &str, passphrase: &str) -> PathBuf {
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

fn pub_of(key: &Path) -> String {
    format!("{}.pub", key.display())
}

/// Runs git-desk as `login` with `identity` (and `passphrase`, if any) as the key.
fn run_with(d: &TestDesk, identity: &Path, passphrase: Option<&str>, args: &[&str]) -> Run {
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
fn desk_with_keys(d: &TestDesk) -> [PathBuf; 3] {
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

const SUBJECT: &str = "Zanzibar salary review";
const TEXT: &str = "Quixotic numbers attached";

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
fn a_signed_desk_verifies_and_forged_commits_are_refused() {
    let test = "a_signed_desk_verifies_and_forged_commits_are_refused";
    if !have_program("ssh-keygen", test) {
        return;
    }
    let d = TestDesk::empty();
    let alice = ssh_key(&d, "alice", "");
    let bob = ssh_key(&d, "bob", "");
    let carol = ssh_key(&d, "carol", "");
    let home = d.home();
    let git = |cwd: &Path, args: &[&str]| {
        let o = isolated("git", &home, cwd).args(args).output().unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // Signing asked for in git's config, as for `git commit -S`.
    for (k, v) in [
        ("gpg.format", "ssh"),
        ("commit.gpgsign", "true"),
        ("user.signingkey", alice.to_str().unwrap()),
    ] {
        git(&home, &["config", "--global", k, v]);
    }
    let server = d.tmp.path().join("server.git");
    let r = d.run_in(
        d.tmp.path(),
        &[
            "init",
            "--bare",
            "server.git",
            "--admin",
            "alice",
            "--admin-name",
            "Alice",
            "--admin-email",
            "alice@example.com",
            "--support-email",
            "support@example.com",
            "--admin-ssh-key",
            &pub_of(&alice),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hook = server.join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{BIN}' hook pre-receive --require-signed\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    git(
        d.tmp.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", server.display()),
            "desk",
        ],
    );
    let desk = d.root.clone();

    // alice adds bob with his key; bob, in his own clone config, works signed with his.
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "bob",
        "--name",
        "Bob",
        "--email",
        "bob@example.com",
    ]);
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "key",
        "bob",
        "--ssh",
        &pub_of(&bob),
    ]);
    git(&desk, &["config", "user.signingkey", bob.to_str().unwrap()]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "Signed",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    let raw = git(&desk, &["cat-file", "commit", "HEAD"]);
    assert!(
        raw.contains("\ngpgsig -----BEGIN SSH SIGNATURE-----"),
        "{raw}"
    );
    let allowed = d.tmp.path().join("allowed_signers");
    let line = |email: &str, key: &Path| {
        let k = std::fs::read_to_string(pub_of(key)).unwrap();
        format!("{email} namespaces=\"git\" {}", k.trim())
    };
    std::fs::write(
        &allowed,
        format!(
            "{}\n{}\n",
            line("alice@example.com", &alice),
            line("bob@example.com", &bob)
        ),
    )
    .unwrap();
    git(
        &desk,
        &[
            "-c",
            &format!("gpg.ssh.allowedSignersFile={}", allowed.display()),
            "verify-commit",
            "HEAD",
        ],
    );
    let out = d.ok(&["verify", "--require-signed"]);
    assert!(out.contains("ok: 4 commits checked"), "{out}");
    git(&desk, &["push", "-q", "origin", "HEAD"]);

    // Forged: bob's name on an unsigned commit, then one signed with carol's key.
    let forge = |key: Option<&Path>, title: &str| {
        let mut args = vec!["-c".to_string()];
        args.push(match key {
            Some(k) => format!("user.signingkey={}", k.display()),
            None => "commit.gpgsign=false".into(),
        });
        args.extend(["commit".into(), "-qam".into(), title.into()]);
        std::fs::write(
            desk.join("desk.yaml"),
            std::fs::read_to_string(desk.join("desk.yaml")).unwrap() + "\n# " + title + "\n",
        )
        .unwrap();
        let o = isolated("git", &home, &desk)
            .env("GIT_AUTHOR_NAME", "Bob")
            .env("GIT_AUTHOR_EMAIL", "bob@example.com")
            .env("GIT_COMMITTER_NAME", "Bob")
            .env("GIT_COMMITTER_EMAIL", "bob@example.com")
            .args(&args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    for (key, reason) in [
        (None, "the commit is not signed"),
        (Some(carol.as_path()), "the signature is not bob's key"),
    ] {
        forge(key, "forged");
        let r = d.run(&["verify", "--require-signed"]);
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert!(
            r.stdout.contains(reason) || r.stderr.contains(reason),
            "{}{}",
            r.stdout,
            r.stderr
        );
        let o = isolated("git", &home, &desk)
            .args(["push", "origin", "HEAD"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains("git-desk: push rejected") && err.contains(reason),
            "{err}"
        );
        git(&desk, &["reset", "-q", "--hard", "origin/main"]);
    }
    // Signed work through git-desk goes on being accepted.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "Signed too",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    git(&desk, &["push", "-q", "origin", "HEAD"]);
}

#[test]
fn csv_cells_cannot_start_a_formula() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "alice",
        "reseller",
        "edit",
        "acme",
        "--name",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
    ]);
    let csv = d.ok(&[
        "--as",
        "alice",
        "billing",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--csv",
    ]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{csv}"
    );
    for line in csv.lines() {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(!c.starts_with(['=', '+', '@', '\t', '\r']), "{line}");
        }
    }
}

const HOSTILE: &str = "<html><body><script>document.title = 'pwned';</script>\
<img src=x onerror=\"document.title='pwned'\"><svg onload=\"document.title='pwned'\"></svg>CV</body></html>";

#[test]
fn a_hostile_attachment_is_inert_in_the_browser() {
    let test = "a_hostile_attachment_is_inert_in_the_browser";
    if !have_program("chromium", test) {
        return;
    }
    let d = TestDesk::example();
    let files = d.tmp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    for name in ["resume.html", "logo.svg", "cv.xhtml"] {
        let text = if name.ends_with("svg") {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"document.title='pwned'\"><script>document.title='pwned'</script></svg>"
        } else {
            HOSTILE
        };
        std::fs::write(files.join(name), text).unwrap();
    }
    let mut args = vec!["--as", "alice", "ticket", "reply", "1001", "-m", "My CV"];
    let paths: Vec<String> = ["resume.html", "logo.svg", "cv.xhtml"]
        .iter()
        .map(|n| files.join(n).display().to_string())
        .collect();
    for p in &paths {
        args.extend(["--attach", p.as_str()]);
    }
    d.ok(&args);
    let site = d.tmp.path().join("site");
    crate::site::build(&d, &site, &[]);
    let mut b = crate::cdp::Browser::start();
    check_attachment_links(&mut b, &format!("file://{}/", site.display()));
    // The same from a web server, which types files by their extension.
    if have_program("python3", test) {
        let mut server = std::process::Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(&site)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(server.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .map(str::to_owned);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let port = port.expect("http.server's port");
            check_attachment_links(&mut b, &format!("http://127.0.0.1:{port}/"));
        }));
        let _ = server.kill();
        let _ = server.wait();
        if let Err(e) = result {
            std::panic::resume_unwind(e);
        }
    }
    assert!(
        !b.events
            .iter()
            .any(|(m, _)| m == "Page.javascriptDialogOpening"),
        "a script ran"
    );
}

/// Opens each attachment link of ticket 1001's page under `base`: none runs a script.
fn check_attachment_links(b: &mut crate::cdp::Browser, base: &str) {
    b.goto(&format!("{base}tickets/001/1001.html"));
    let links = b.eval("[...document.querySelectorAll('ul.attachments a')].map(a => a.href)");
    let links: Vec<String> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(links.len(), 3, "{links:?}");
    for link in &links {
        b.goto(link);
        assert_ne!(b.eval("document.title"), "pwned", "{link}");
        assert_eq!(b.eval("document.scripts.length"), 0, "{link}");
        assert_eq!(b.eval("document.contentType"), "text/plain", "{link}");
        assert!(link.ends_with(".txt"), "{link}");
    }
}

#[test]
fn commits_replayed_by_sync_are_signed_again() {
    let test = "commits_replayed_by_sync_are_signed_again";
    if !have_program("ssh-keygen", test) {
        return;
    }
    let d = TestDesk::empty();
    let alice = ssh_key(&d, "alice", "");
    let bob = ssh_key(&d, "bob", "");
    let home = d.home();
    let git = |cwd: &Path, args: &[&str]| {
        let o = isolated("git", &home, cwd).args(args).output().unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    for (k, v) in [
        ("gpg.format", "ssh"),
        ("commit.gpgsign", "true"),
        ("user.signingkey", alice.to_str().unwrap()),
    ] {
        git(&home, &["config", "--global", k, v]);
    }
    let r = d.run_in(
        d.tmp.path(),
        &[
            "init",
            "--bare",
            "server.git",
            "--admin",
            "alice",
            "--admin-name",
            "Alice",
            "--admin-email",
            "alice@example.com",
            "--support-email",
            "support@example.com",
            "--admin-ssh-key",
            &pub_of(&alice),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = format!("file://{}", d.tmp.path().join("server.git").display());
    git(d.tmp.path(), &["clone", "-q", &url, "c0"]);
    git(d.tmp.path(), &["clone", "-q", &url, "c1"]);
    let (c0, c1) = (d.tmp.path().join("c0"), d.tmp.path().join("c1"));
    let run = |cwd: &Path, args: &[&str]| {
        let r = d.run_in(cwd, args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    };
    run(
        &c0,
        &[
            "--as",
            "alice",
            "staff",
            "add",
            "bob",
            "--name",
            "Bob",
            "--email",
            "bob@example.com",
        ],
    );
    run(
        &c0,
        &[
            "--as",
            "alice",
            "staff",
            "key",
            "bob",
            "--ssh",
            &pub_of(&bob),
        ],
    );
    run(&c0, &["--as", "alice", "sync"]);
    git(&c1, &["config", "user.signingkey", bob.to_str().unwrap()]);
    run(&c1, &["--as", "bob", "sync"]);
    // Both make ticket 1 at once; bob's is replayed (renumbered) onto alice's.
    run(
        &c1,
        &[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "Bob's",
            "--email",
            "c@x.example",
            "-m",
            "x",
        ],
    );
    run(
        &c0,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "Alice's",
            "--email",
            "c@x.example",
            "-m",
            "x",
        ],
    );
    run(&c0, &["--as", "alice", "sync"]);
    run(&c1, &["--as", "bob", "sync"]);
    let subjects = git(&c1, &["log", "--format=%s", "-3"]);
    assert!(
        subjects.contains("ticket 2: new") && subjects.contains("ticket 1: new"),
        "{subjects}"
    );
    let out = d.run_in(&c1, &["verify", "--require-signed"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("ok: "), "{}", out.stdout);
}
