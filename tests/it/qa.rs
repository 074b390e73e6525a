//! Regression tests for problems found by trying git-desk as a new and a hostile user:
//! each test names the problem it pins down.

use crate::support::TestDesk;

/// A broken desk.yaml is reported once, with its file and line (the error used to be
/// printed twice, as its own cause).
#[test]
fn broken_yaml_error_is_printed_once() {
    let d = TestDesk::new();
    d.write("desk.yaml", "name: [unclosed\n");
    let err = d.fails(1, &["--as", "alice", "ticket", "list"]);
    assert_eq!(err.matches("desk.yaml:2:1").count(), 1, "{err}");
}

/// A symbolic link committed into the desk (anyone can push one) is never written through:
/// sending to an inbox that is a link to a directory outside the desk used to put the
/// message there, and leave the index out of step with the work tree.
#[test]
fn no_write_through_a_committed_symlink() {
    let d = crate::messages::keyed_example();
    let outside = d.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::remove_dir_all(d.path("inbox/carol")).unwrap();
    std::os::unix::fs::symlink(&outside, d.path("inbox/carol")).unwrap();
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", "inbox/carol is a link"]);
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "msg",
            "send",
            "--to",
            "carol",
            "--subject",
            "hi",
            "-m",
            "x",
        ],
    );
    assert!(
        err.contains("inbox/carol") && err.contains("symbolic link"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");
}

/// Reads do not follow links either: a staff file linked to a file outside the desk is a
/// problem named by `check`, not content read from elsewhere.
#[test]
fn no_read_through_a_symlink() {
    let d = TestDesk::example();
    let outside = d.tmp.path().join("secret.yaml");
    std::fs::write(&outside, "login: zed\nname: Top Secret\n").unwrap();
    std::os::unix::fs::symlink(&outside, d.path("staff/zed.yaml")).unwrap();
    let err = d.fails(1, &["--as", "alice", "staff", "show", "zed"]);
    assert!(
        err.contains("staff/zed.yaml") && err.contains("symbolic link"),
        "{err}"
    );
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("staff/zed.yaml: is a symbolic link"),
        "{}",
        r.stdout
    );
    let list = d.ok(&["--as", "alice", "staff", "list"]);
    assert!(!list.contains("Top Secret"), "{list}");
}

/// A technician could take a colleague's e-mail as their own (a "My Profile" edit): git's
/// `user.email` then named the first of them as the actor, and `verify` credited the
/// technician's commits to the colleague — a main admin, say.
#[test]
fn staff_email_must_be_unique() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as",
            "bob",
            "staff",
            "edit",
            "bob",
            "--email",
            "alice@example.com",
        ],
    );
    assert!(err.contains("--email") && err.contains("alice"), "{err}");
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "staff",
            "add",
            "zed",
            "--email",
            "dave@example.com",
        ],
    );
    assert!(err.contains("dave"), "{err}");
    assert_eq!(d.commit_count(), before);

    // Made by hand: check names it, the actor cannot be told from git's user.email, and
    // verify flags commits by that address.
    let bob = d
        .read("staff/bob.yaml")
        .replace("bob@example.com", "alice@example.com");
    d.write("staff/bob.yaml", &bob);
    d.git(&["commit", "-qam", "bob takes alice's address"]);
    let check = d.run(&["check"]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains("staff/bob.yaml: email"),
        "{}",
        check.stdout
    );
    d.git(&["config", "user.email", "alice@example.com"]);
    let err = d.fails(1, &["ticket", "list"]);
    assert!(err.contains("both alice and bob"), "{err}");
    d.ok(&["--as", "bob", "ticket", "note", "1029", "-m", "hi"]);
    let v = d.run(&["verify"]);
    assert_eq!(v.code, 1);
    assert!(
        v.stdout.contains("is the e-mail of both alice and bob"),
        "{}{}",
        v.stdout,
        v.stderr
    );
}

/// An outbox mail may only attach files of the desk's tickets: `check` names one that
/// points elsewhere (`../`, an absolute path), which a mail sender must never read.
#[test]
fn check_flags_outbox_attachments_outside_the_desk() {
    let d = crate::messages::keyed_example();
    d.ok(&[
        "--as",
        "alice",
        "msg",
        "send",
        "--to",
        "bob",
        "--subject",
        "s",
        "-m",
        "b",
    ]);
    let outbox = d.git(&["show", "--name-only", "--format=", "HEAD"]);
    let path = outbox.lines().find(|l| l.starts_with("outbox/")).unwrap();
    let text = d.read(path).replace(
        "attachments: []",
        "attachments:\n- ../../../etc/hostname\n- /etc/passwd",
    );
    d.write(path, &text);
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("attachment `../../../etc/hostname`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("attachment `/etc/passwd`"),
        "{}",
        r.stdout
    );
}

/// A failed `init` leaves nothing it made: it used to leave a new directory with a `.git`
/// in it (or a `.git` in an existing directory) when `--from` was not a usable desk.
#[test]
fn failed_init_leaves_nothing_behind() {
    let d = TestDesk::empty();
    let top = d.tmp.path();
    let missing = top.join("missing");
    let r = d.run_in(top, &["init", "new", "--from", missing.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!top.join("new").exists());

    std::fs::create_dir_all(top.join("bad")).unwrap();
    std::fs::write(top.join("bad/desk.yaml"), "name: [\n").unwrap();
    std::fs::create_dir_all(top.join("existing")).unwrap();
    std::fs::write(top.join("existing/notes.txt"), "mine").unwrap();
    let r = d.run_in(top, &["init", "existing", "--from", "bad"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("bad/desk.yaml:2"), "{}", r.stderr);
    assert!(!top.join("existing/.git").exists());
    assert_eq!(
        std::fs::read_to_string(top.join("existing/notes.txt")).unwrap(),
        "mine"
    );
    let r = d.run_in(top, &["init", "--bare", "srv.git", "--from", "bad"]);
    assert_eq!(r.code, 1);
    assert!(!top.join("srv.git").exists());
}

/// The server hook refused deleting the desk's branch but let a forced push rewind it,
/// dropping commits from the audit log.
#[test]
fn pre_receive_refuses_rewriting_history() {
    use std::io::Write;
    let d = TestDesk::empty();
    let from = crate::support::example_repo();
    let top = d.tmp.path();
    let r = d.run_in(
        top,
        &[
            "init",
            "--bare",
            "srv.git",
            "--from",
            from.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let srv = top.join("srv.git");
    let r = d.run_in(&srv, &["--as", "bob", "ticket", "note", "1029", "-m", "x"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rev = |spec: &str| {
        let o = crate::support::isolated("git", &d.home(), &srv)
            .args(["rev-parse", spec])
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    let (head, parent) = (rev("HEAD"), rev("HEAD~1"));
    let hook = |line: String| {
        let mut child = d
            .cmd_in(&srv)
            .args(["hook", "pre-receive"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let o = hook(format!("{head} {parent} refs/heads/main\n"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("non-fast-forward"), "{err}");
    let o = hook(format!("{parent} {head} refs/heads/main\n"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `git desk --json … | head -1` ended with `error: Broken pipe` and exit 1 once the JSON
/// was longer than the output buffer (a closed pipe is success, as for text output).
#[test]
fn json_into_a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let d = TestDesk::example();
    // More than a pipe holds, so the writer meets the closed pipe.
    let body = "All work and no play makes Jack a dull boy.\n".repeat(6000);
    let body_file = d.tmp.path().join("body.txt");
    std::fs::write(&body_file, body).unwrap();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "--title",
        "Long",
        "--email",
        "a@b.example",
        "--body-file",
        body_file.to_str().unwrap(),
    ]);
    let mut child = d
        .cmd_in(&d.root)
        .args(["--as", "alice", "--json", "ticket", "show", "1041"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
}

/// Commits `-am message` as `email` (author and committer).
fn commit_as(d: &TestDesk, email: &str, message: &str) {
    let o = crate::support::isolated("git", &d.home(), &d.root)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_EMAIL", email)
        .args(["commit", "-qam", message])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The CLI refuses to take a colleague's ticket or release it without
/// `tickets.assign_others`; `verify` let the same done by hand pass (it only checked
/// assigning to someone else). A customer reply recorded by anyone still unassigns.
#[test]
fn verify_flags_taking_a_colleagues_ticket_by_hand() {
    let d = TestDesk::example();
    let err = d.fails(1, &["--as", "carol", "ticket", "release", "1029"]);
    assert!(err.contains("tickets.assign_others"), "{err}");
    d.ok(&[
        "--as",
        "carol",
        "ticket",
        "reply",
        "1029",
        "-m",
        "Still broken.",
    ]);
    d.ok(&["--as", "bob", "ticket", "pickup", "1029"]);
    assert_eq!(d.ok(&["verify"]).lines().count(), 1);

    let take = d
        .read("tickets/001/1029/ticket.yaml")
        .replace("assignee: bob", "assignee: carol");
    d.write("tickets/001/1029/ticket.yaml", &take);
    commit_as(&d, "carol@example.com", "carol takes it");
    let release = d
        .read("tickets/001/1029/ticket.yaml")
        .replace("assignee: carol", "assignee: null");
    d.write("tickets/001/1029/ticket.yaml", &release);
    commit_as(&d, "bob@example.com", "bob lets go of it");
    let r = d.run(&["verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("carol: taking ticket 1029 from bob needs `tickets.assign_others`"),
        "{}",
        r.stdout
    );
    // Releasing one's own ticket needs nothing.
    assert!(!r.stdout.contains("bob: "), "{}", r.stdout);
}

/// A reseller price near the decimal type's limit (accepted by `reseller price` and in the
/// file) made `billing` panic on overflow (exit 101). Amounts are now bounded.
#[test]
fn billing_with_a_huge_price_does_not_panic() {
    let d = TestDesk::example();
    let huge = "39614081257132168796771975168";
    let err = d.fails(
        2,
        &[
            "--as",
            "alice",
            "reseller",
            "price",
            "acme",
            "--unit",
            "per_customer",
            "--price",
            huge,
        ],
    );
    assert!(err.contains("at most"), "{err}");
    let text = d
        .read("resellers/acme.yaml")
        .replace("\"12.50\"", &format!("\"{huge}\""));
    d.write("resellers/acme.yaml", &text);
    let r = d.run(&["--as", "dave", "billing", "--all"]);
    assert_ne!(r.code, 101, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let check = d.run(&["check"]);
    assert!(
        check.stdout.contains("resellers/acme.yaml:"),
        "{}",
        check.stdout
    );
}

/// A staff member could be called `nobody` (then `ticket assign N nobody` released the
/// ticket instead of assigning it to them), `autoclose` (indistinguishable in `closed_by`)
/// or `mail`/`init` (the actors of mail and init commits).
#[test]
fn reserved_words_are_not_staff_logins() {
    let d = TestDesk::example();
    let before = d.commit_count();
    for login in ["nobody", "none", "autoclose", "mail", "init"] {
        let err = d.fails(
            1,
            &[
                "--as",
                "alice",
                "staff",
                "add",
                login,
                "--name",
                "X",
                "--email",
                "x@example.com",
            ],
        );
        assert!(err.contains("reserved"), "{login}: {err}");
    }
    assert_eq!(d.commit_count(), before);
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "nobody2",
        "--name",
        "X",
        "--email",
        "x@example.com",
    ]);
}
