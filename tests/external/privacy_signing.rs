//! Signed commits (keys made by `ssh-keygen`): a desk worked with git-desk passes `verify --require-signed` and the
//! hook, forged commits do not, and `sync` signs what it replays.

use std::path::Path;

use crate::privacy_keys::*;
use crate::support::*;

pub fn a_signed_desk_verifies_and_forged_commits_are_refused() {
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
    // git's own check, with the allowed signers git-desk derives from the staff files.
    let allowed = d.tmp.path().join("allowed_signers");
    let signers = d.ok(&["staff", "signers"]);
    let line = |email: &str, key: &Path| {
        let k = std::fs::read_to_string(pub_of(key)).unwrap();
        let k: Vec<&str> = k.split_whitespace().take(2).collect();
        format!("{email} namespaces=\"git\" {}\n", k.join(" "))
    };
    assert_eq!(
        signers,
        line("alice@example.com", &alice) + &line("bob@example.com", &bob)
    );
    std::fs::write(&allowed, signers).unwrap();
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
    // Mail intake commits in the desk's name: signed by whoever ran it, they pass; unsigned,
    // they are refused like any other.
    let md = crate::mail::Maildir::new(d.tmp.path().join("Maildir"));
    md.deliver_fixture("plain.eml");
    d.ok(&["mail", "ingest", md.root.to_str().unwrap()]);
    let out = d.ok(&["verify", "--require-signed"]);
    assert!(out.starts_with("ok: "), "{out}");
    git(&desk, &["config", "commit.gpgsign", "false"]);
    md.deliver_fixture("alternative.eml");
    d.ok(&["mail", "ingest", md.root.to_str().unwrap()]);
    let r = d.run(&["verify", "--require-signed"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("the commit is not signed"),
        "{}",
        r.stdout
    );
}

pub fn commits_replayed_by_sync_are_signed_again() {
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
