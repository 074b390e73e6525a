//! `verify` and `hook pre-receive`: history checked against the permissions in force at
//! each commit's parent; a server rejects a push that breaks them.

use crate::support::*;

/// `git commit -am` as the person with `email` (the author is the actor `verify` checks).
fn commit_as(d: &TestDesk, email: &str, msg: &str) {
    git_as(&d.home(), &d.root, email, &["commit", "-qam", msg]);
}

fn git_as(
    home: &std::path::Path,
    cwd: &std::path::Path,
    email: &str,
    args: &[&str],
) -> std::process::Output {
    let name = email.split('@').next().unwrap();
    let o = isolated("git", home, cwd)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

#[test]
fn desk_commands_verify_clean() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "A",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "zoe",
        "--name",
        "Zoe",
        "--email",
        "zoe@example.com",
    ]);
    let out = d.ok(&["verify"]);
    assert!(out.starts_with("ok: 3 commits checked"), "{out}");
}

#[test]
fn verify_finds_forged_hand_edits() {
    let d = TestDesk::example();
    // carol may not assign to others; she does it by hand.
    let t = d
        .read("tickets/001/1039/ticket.yaml")
        .replace("assignee: null", "assignee: bob");
    d.write("tickets/001/1039/ticket.yaml", &t);
    commit_as(&d, "carol@example.com", "assign 1039 to bob");
    // bob makes himself a main admin.
    let s = d
        .read("staff/bob.yaml")
        .replace("role: support", "role: main");
    d.write("staff/bob.yaml", &s);
    commit_as(&d, "bob@example.com", "promote myself");
    // someone who is not staff edits a queue.
    let q = d
        .read("queues/sales.yaml")
        .replace("name: Sales", "name: Sails");
    d.write("queues/sales.yaml", &q);
    commit_as(&d, "mallory@evil.example", "rename queue");
    // dave rewrites a message of a ticket he can see.
    let msgs = d.git(&["ls-files", "tickets/001/1020/messages"]);
    let first = msgs.lines().next().unwrap().to_owned();
    let m = d.read(&first) + "edited: true\n";
    d.write(&first, &m);
    commit_as(&d, "dave@example.com", "edit a message");
    // bob edits his own profile: allowed.
    let s = d
        .read("staff/bob.yaml")
        .replace("role: main", "role: support");
    d.write("staff/bob.yaml", &s);
    commit_as(&d, "alice@example.com", "demote bob again");
    let s = d
        .read("staff/bob.yaml")
        .replace("name: Bob Brennan", "name: Robert Brennan");
    d.write("staff/bob.yaml", &s);
    commit_as(&d, "bob@example.com", "my profile");

    let r = d.run(&["--json", "verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v = json(&r.stdout);
    let reasons: Vec<String> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{}: {}",
                v["actor"].as_str().unwrap(),
                v["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert!(
        reasons[0].starts_with("carol: assigning ticket 1039 to bob needs `tickets.assign_others`"),
        "{reasons:#?}"
    );
    assert!(
        reasons[1].starts_with("bob: bob changed the main admin staff/bob.yaml"),
        "{reasons:#?}"
    );
    assert!(
        reasons[2].contains(
            "<mallory@evil.example>: the author <mallory@evil.example> is not a staff member"
        ),
        "{reasons:#?}"
    );
    assert!(
        reasons[3].starts_with("dave: ") && reasons[3].contains("message files are immutable"),
        "{reasons:#?}"
    );
    // A range checks only the commits in it.
    let r = d.run(&["verify", "HEAD~2..HEAD"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("ok: 2 commits checked"), "{}", r.stdout);
}

#[test]
fn pre_receive_hook_rejects_a_forbidden_push_and_accepts_a_permitted_one() {
    let d = TestDesk::empty();
    let from = example_repo();
    let server = d.tmp.path().join("server.git");
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
    let hook = server.join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, format!("#!/bin/sh\nexec '{BIN}' hook pre-receive\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    let url = format!("file://{}", server.display());
    let git = |cwd: &std::path::Path, args: &[&str]| {
        isolated("git", &d.home(), cwd).args(args).output().unwrap()
    };
    let o = git(d.tmp.path(), &["clone", "-q", &url, "desk"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let clone = d.tmp.path().join("desk");
    let server_head = || String::from_utf8(git(&server, &["rev-parse", "HEAD"]).stdout).unwrap();
    let before = server_head();

    // carol promotes herself by hand: rejected, the server does not move.
    let s = std::fs::read_to_string(clone.join("staff/carol.yaml"))
        .unwrap()
        .replace("role: support", "role: main");
    std::fs::write(clone.join("staff/carol.yaml"), s).unwrap();
    git_as(
        &d.home(),
        &clone,
        "carol@example.com",
        &["commit", "-qam", "promote"],
    );
    let o = git(&clone, &["push", "origin", "HEAD"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "push should fail: {err}");
    assert!(
        err.contains("git-desk: push rejected")
            && err.contains("carol changed the main admin staff/carol.yaml"),
        "{err}"
    );
    assert_eq!(server_head(), before);

    // Undo it; bob makes a ticket with git desk: accepted.
    git(&clone, &["reset", "-q", "--hard", "origin/main"]);
    let r = d.run_in(
        &clone,
        &[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "Pushed",
            "--email",
            "c@x.example",
            "-m",
            "x",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o = git(&clone, &["push", "origin", "HEAD"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(server_head(), before);
    // Deleting the branch is refused.
    let o = git(&clone, &["push", "origin", ":main"]);
    assert!(!o.status.success());
}
