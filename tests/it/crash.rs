//! Nothing lost: git's own live locks are never taken, a git-desk killed (SIGKILL, through
//! the `GIT_DESK_FAILPOINT` failpoints) at any step of a mutation is finished by the next
//! command, plain `git commit` runs beside git-desk, mail is marked seen only once the desk
//! holds it, and mutations refuse a detached HEAD.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::mail::Maildir;
use crate::support::*;

/// The commit engine's failpoints in the order a mutation reaches them (the library's own
/// list, so a new step is killed here too), with a second work-tree file; a kill at or after
/// `tx.ref-updated` happens after the branch moved, so the change must be there after
/// recovery.
fn engine() -> Vec<&'static str> {
    let mut steps = Vec::new();
    for step in git_desk::failpoint::STEPS {
        if step.starts_with("tx.") || step.starts_with("worktree.") {
            steps.push(*step);
            if *step == "worktree.file" {
                steps.push("worktree.file:2");
            }
        }
    }
    steps
}

fn committed_at(point: &str) -> bool {
    let steps = engine();
    let i = steps.iter().position(|p| *p == point).unwrap();
    i >= steps.iter().position(|p| *p == "tx.ref-updated").unwrap()
}

fn to_run(o: Output) -> (Option<i32>, Run) {
    let run = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    (o.status.signal(), run)
}

fn run_env(d: &TestDesk, env: &[(&str, &str)], args: &[&str]) -> (Option<i32>, Run) {
    let o = d
        .cmd_in(&d.root)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    to_run(o)
}

/// Runs `args` with the failpoint `point` armed and asserts the process died there.
fn kill_at(d: &TestDesk, point: &str, args: &[&str]) {
    let (signal, r) = run_env(d, &[("GIT_DESK_FAILPOINT", point)], args);
    assert_eq!(
        signal,
        Some(9),
        "{args:?} was not killed at {point} (exit {}):\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
}

fn git_raw(d: &TestDesk, args: &[&str]) -> Output {
    isolated("git", &d.home(), &d.root)
        .args(args)
        .output()
        .unwrap()
}

/// The state every interrupted command must leave once the next command ran: `check` ok
/// (it finishes the interrupted work), `git status` clean, `git fsck` clean, no lock file,
/// no journal.
fn assert_healthy(d: &TestDesk, what: &str) {
    let r = d.run(&["check"]);
    assert_eq!(
        r.code, 0,
        "{what}: check failed:\n{}\n{}",
        r.stdout, r.stderr
    );
    assert_eq!(d.status(), "", "{what}: git status is not clean");
    let fsck = git_raw(d, &["fsck", "--no-dangling", "--no-progress"]);
    assert!(
        fsck.status.success(),
        "{what}: git fsck: {}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    for f in [
        ".git/index.lock",
        ".git/refs/heads/main.lock",
        ".git/desk/journal",
    ] {
        assert!(!d.path(f).exists(), "{what}: {f} is left");
    }
    assert!(
        std::fs::metadata(d.path(".git/index")).unwrap().len() > 0,
        "{what}: empty index"
    );
}

/// How many files of HEAD under `dir` contain `text`.
fn count_in_head(d: &TestDesk, text: &str, dir: &str) -> usize {
    let o = git_raw(d, &["grep", "-l", "-F", text, "HEAD", "--", dir]);
    String::from_utf8_lossy(&o.stdout).lines().count()
}

/// Kills `args` at every step of the commit engine, each time on a fresh example desk. After
/// the next command `text` is in `dir` once if the branch had moved, else not at all (`also`
/// checks more with that count); running `args` again adds it once more.
fn at_every_step(args: &[&str], text: &str, dir: &str, also: impl Fn(&TestDesk, usize, &str)) {
    for point in engine() {
        let d = TestDesk::example();
        kill_at(&d, point, args);
        assert_healthy(&d, point);
        let n = count_in_head(&d, text, dir);
        assert_eq!(n, usize::from(committed_at(point)), "{point}");
        also(&d, n, point);
        d.ok(args);
        assert_eq!(count_in_head(&d, text, dir), n + 1, "{point}");
        assert_healthy(&d, point);
    }
}

#[test]
fn ticket_new_killed_at_every_step_is_finished_or_never_happened() {
    let new = [
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        "Crash test",
        "--email",
        "c@x.example",
        "-m",
        "body",
    ];
    // The second ticket takes a fresh id: its directory is another one.
    at_every_step(&new, "title: Crash test", "tickets", |_, _, _| {});
}

#[test]
fn ticket_answer_killed_at_every_step_is_finished_or_never_happened() {
    let answer = [
        "--as",
        "bob",
        "ticket",
        "answer",
        "1025",
        "-m",
        "Crash answer",
    ];
    at_every_step(
        &answer,
        "Crash answer",
        "tickets/001/1025",
        |d, n, point| {
            assert_eq!(count_in_head(d, "Crash answer", "outbox"), n, "{point}");
        },
    );
}

#[test]
fn ticket_merge_and_mass_close_killed_at_every_step() {
    let merge = [
        "--as", "alice", "ticket", "merge", "1023", "--into", "1017", "--force",
    ];
    let mass = [
        "--as",
        "alice",
        "search",
        "status:open",
        "--mass",
        "close",
        "--yes",
    ];
    for point in engine() {
        let d = TestDesk::example();
        kill_at(&d, point, &merge);
        assert_healthy(&d, point);
        let gone = !d.path("tickets/001/1023").exists();
        assert_eq!(gone, committed_at(point), "merge at {point}");
        assert_eq!(
            count_in_head(&d, "id: 1023", "tickets/001/1023"),
            usize::from(!gone)
        );
        let open_before = count_in_head(&d, "status: open", "tickets");
        assert!(open_before > 0);
        kill_at(&d, point, &mass);
        assert_healthy(&d, point);
        let open_after = count_in_head(&d, "status: open", "tickets");
        if committed_at(point) {
            assert_eq!(open_after, 0, "mass close at {point}");
        } else {
            assert_eq!(open_after, open_before, "mass close at {point}");
        }
    }
}

/// `n` mails with distinct subjects and Message-IDs.
fn deliver_mails(md: &Maildir, n: usize) {
    for i in 0..n {
        let mail = format!(
            "From: Customer {i} <cust{i}@example.net>\r\nTo: support@example.com\r\nSubject: Crash mail {i}\r\nMessage-ID: <crash-{i}@example.net>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nHello {i}\r\n"
        );
        md.deliver(&format!("1795800000.crash{i}.mx"), mail.as_bytes());
    }
}

fn assert_every_mail_once(d: &TestDesk, md: &Maildir, n: usize, what: &str) {
    for i in 0..n {
        assert_eq!(
            count_in_head(d, &format!("title: Crash mail {i}"), "tickets"),
            1,
            "{what}: mail {i}"
        );
    }
    assert!(md.files("new").is_empty(), "{what}: {:?}", md.files("new"));
    let seen = md.files("cur");
    assert_eq!(seen.len(), n, "{what}");
    assert!(seen.iter().all(|f| f.ends_with(":2,S")), "{what}: {seen:?}");
}

#[test]
fn mail_ingest_killed_anywhere_neither_loses_nor_duplicates_a_mail() {
    let points: Vec<&str> = engine()
        .into_iter()
        .chain(["mail.seen", "mail.seen:3"])
        .collect();
    for point in points {
        let (d, md) = crate::mail::desk_with_maildir();
        deliver_mails(&md, 5);
        let dir = md.root.to_str().unwrap();
        kill_at(&d, point, &["mail", "ingest", dir]);
        if point == "worktree.file" {
            // Plain git cannot build on the half-done state: git-desk's index.lock stays
            // until the next git-desk command finishes the change.
            let o = git_raw(&d, &["commit", "-qam", "by hand"]);
            assert!(!o.status.success(), "git commit ran on a half-done change");
            assert!(String::from_utf8_lossy(&o.stderr).contains("index.lock"));
        }
        let r = d.run(&["mail", "ingest", dir]);
        assert_eq!(r.code, 0, "{point}: {}", r.stderr);
        assert_healthy(&d, point);
        assert_every_mail_once(&d, &md, 5, point);
        // What a technician may do next changes nothing.
        let o = git_raw(&d, &["commit", "-qam", "by hand"]);
        assert!(
            !o.status.success(),
            "{point}: there was something to commit"
        );
        assert_every_mail_once(&d, &md, 5, point);
    }
}

#[test]
fn the_first_command_after_a_kill_finishes_the_change_and_says_so() {
    let d = TestDesk::example();
    let note = ["--as", "alice", "ticket", "note", "1020", "-m", "Half done"];
    kill_at(&d, "worktree.file", &note);
    // The state git-desk left: the branch moved, the work tree not yet.
    assert_eq!(count_in_head(&d, "Half done", "tickets/001/1020"), 1);
    assert!(d.path(".git/index.lock").exists());
    assert!(d.path(".git/desk/journal").exists());
    // What a kill inside a file's atomic write leaves: its temporary file (a dead pid).
    let stray = d.path("tickets/001/1020/.ticket.yaml.desk-tmp-4194399");
    std::fs::write(&stray, "half").unwrap();
    // A read-only command finishes it first.
    let r = d.run(&["ticket", "show", "1020", "--as", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("finished an interrupted change") && r.stderr.contains("ticket 1020"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("Half done"), "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    assert!(
        !stray.exists(),
        "the temporary file of the killed write is removed"
    );
    assert_healthy(&d, "show");
    // Nothing left to say the next time.
    assert_eq!(d.run(&["check"]).stderr, "");
}

#[test]
fn site_build_and_index_rebuild_killed_midway_work_the_next_time() {
    let d = TestDesk::example();
    let out = d.tmp.path().join("site");
    let out_s = out.to_str().unwrap();
    for point in ["site.page", "site.page:7", "site.manifest"] {
        kill_at(&d, point, &["site", "build", "--full", "--out", out_s]);
        let r = d.run(&["site", "build", "--out", out_s]);
        assert_eq!(r.code, 0, "{point}: {}", r.stderr);
        assert!(out.join("index.html").is_file(), "{point}");
    }
    // A full build from scratch writes the same files as the builds after the kills.
    let fresh = d.tmp.path().join("fresh");
    d.ok(&["site", "build", "--out", fresh.to_str().unwrap()]);
    assert_eq!(files_below(&out), files_below(&fresh));

    let query = ["--as", "alice", "--json", "search", "status:open"];
    let before = d.ok(&query);
    kill_at(&d, "index.rebuild", &["index", "--rebuild"]);
    assert_eq!(d.ok(&query), before);
    kill_at(&d, "index.rebuild:5", &["index", "--rebuild"]);
    d.ok(&["index", "--rebuild"]);
    assert_eq!(d.ok(&query), before);
}

fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_lock_git_may_still_own_is_waited_for_and_never_removed() {
    let d = TestDesk::example();
    // git keeps index.lock on disk, descriptor closed, while `git commit` waits for the
    // editor: nobody has it open, yet its owner is alive.
    std::fs::write(d.path(".git/index.lock"), b"DIRC").unwrap();
    let started = Instant::now();
    let (_, r) = run_env(
        &d,
        &[("GIT_DESK_LOCK_WAIT", "0.5")],
        &["--as", "alice", "ticket", "note", "1020", "-m", "x"],
    );
    assert_eq!(r.code, 1);
    assert!(started.elapsed() >= Duration::from_millis(500), "it waited");
    assert!(
        r.stderr.contains(".git/index.lock") && r.stderr.contains("ago"),
        "path and age: {}",
        r.stderr
    );
    assert!(r.stderr.contains("delete"), "what to do: {}", r.stderr);
    assert_eq!(std::fs::read(d.path(".git/index.lock")).unwrap(), b"DIRC");
    let check = d.run(&["check"]);
    assert!(check.stderr.contains("index.lock"), "{}", check.stderr);
    // The same for a ref lock of git's.
    std::fs::remove_file(d.path(".git/index.lock")).unwrap();
    std::fs::write(d.path(".git/refs/heads/main.lock"), b"").unwrap();
    let (_, r) = run_env(
        &d,
        &[("GIT_DESK_LOCK_WAIT", "0.2")],
        &["--as", "alice", "ticket", "note", "1020", "-m", "x"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("refs/heads/main.lock"), "{}", r.stderr);
    assert!(d.path(".git/refs/heads/main.lock").exists());
    std::fs::remove_file(d.path(".git/refs/heads/main.lock")).unwrap();
    d.ok(&["--as", "alice", "ticket", "note", "1020", "-m", "x"]);
    assert_healthy(&d, "after git's locks went");
}

#[test]
fn git_commit_waiting_in_its_editor_makes_git_desk_wait_not_break_in() {
    let d = TestDesk::example();
    let editor = d.tmp.path().join("slow-editor");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsleep 2\necho 'by hand, slowly' > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    d.write(
        "kb/hand.md",
        "---\ntitle: Hand\n---\nA hand-written article.\n",
    );
    d.git(&["add", "kb/hand.md"]);
    d.git(&["commit", "-qm", "article"]);
    d.write("kb/hand.md", "---\ntitle: Hand\n---\nRevised by hand.\n");
    // `git commit -a` holds index.lock (descriptor closed) while the editor is open.
    let mut git = isolated("git", &d.home(), &d.root);
    git.env("GIT_EDITOR", &editor).args(["commit", "-q", "-a"]);
    let git = git.spawn().unwrap();
    // Wait (up to 5 s on a slow machine) until git holds the index with its editor open.
    let waiting = Instant::now();
    while !d.path(".git/index.lock").exists() && waiting.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(d.path(".git/index.lock").exists(), "git holds the index");
    let (_, r) = run_env(
        &d,
        &[("GIT_DESK_LOCK_WAIT", "20")],
        &[
            "--as",
            "alice",
            "ticket",
            "note",
            "1020",
            "-m",
            "After the editor",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = git.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git commit: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = d.git(&["log", "--format=%s", "-2"]);
    assert!(log.contains("by hand, slowly"), "{log}");
    assert_eq!(count_in_head(&d, "After the editor", "tickets/001/1020"), 1);
    assert_healthy(&d, "editor");
}

#[test]
fn a_git_commit_loop_beside_a_git_desk_loop_loses_nothing() {
    let d = TestDesk::example();
    d.write("kb/loop.md", "---\ntitle: Loop\n---\nstart\n");
    d.git(&["add", "kb/loop.md"]);
    d.git(&["commit", "-qm", "loop article"]);
    let deadline = Instant::now() + Duration::from_secs(4);
    let (git_commits, index_ok) = std::thread::scope(|s| {
        let hand = s.spawn(|| {
            let mut made = 0;
            let mut index_ok = true;
            let mut line = 0;
            while Instant::now() < deadline {
                line += 1;
                let text = d.read("kb/loop.md") + &format!("line {line}\n");
                d.write("kb/loop.md", &text);
                // Retry until this edit is committed (git refuses while git-desk holds
                // the index lock, as it does with any other git process).
                loop {
                    let o = git_raw(&d, &["commit", "-q", "-m", "x", "--", "kb/loop.md"]);
                    index_ok &= std::fs::metadata(d.path(".git/index"))
                        .map(|m| m.len() > 0)
                        .unwrap_or(false);
                    if o.status.success() {
                        made += 1;
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(3));
                }
            }
            (made, index_ok)
        });
        let mut acknowledged = Vec::new();
        let mut i = 0;
        while Instant::now() < deadline {
            i += 1;
            let text = format!("Loop note {i}.");
            let (_, r) = run_env(
                &d,
                &[],
                &["--as", "alice", "ticket", "note", "1020", "-m", &text],
            );
            if r.code == 0 {
                acknowledged.push(text);
            } else {
                assert!(
                    r.stderr.contains("moved") || r.stderr.contains("lock"),
                    "unexpected failure: {}",
                    r.stderr
                );
            }
        }
        let (made, ok) = hand.join().unwrap();
        assert!(!acknowledged.is_empty(), "git-desk made no progress");
        for a in &acknowledged {
            assert_eq!(count_in_head(&d, a, "tickets/001/1020"), 1, "{a}");
        }
        (made, ok)
    });
    assert!(git_commits > 0, "git made no progress");
    assert!(index_ok, "the index was truncated");
    assert_eq!(d.git(&["show", "HEAD:kb/loop.md"]), d.read("kb/loop.md"));
    assert_healthy(&d, "loops");
}

/// What `git commit -- PATH` does when a git-desk commit lands between its reading the
/// index and locking it: it writes back the index it read, older than HEAD.
fn clobber_index_around(d: &TestDesk, args: &[&str]) {
    let stale = std::fs::read(d.path(".git/index")).unwrap();
    d.ok(args);
    std::fs::write(d.path(".git/index"), stale).unwrap();
    assert_ne!(d.status(), "", "the index is behind HEAD");
}

#[test]
fn index_entries_a_concurrent_git_put_back_are_set_again() {
    let d = TestDesk::example();
    let note = |text: &str| -> Vec<String> {
        ["--as", "alice", "ticket", "note", "1020", "-m", text]
            .map(String::from)
            .to_vec()
    };
    let args = note("Clobber one");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    clobber_index_around(&d, &args);
    // `check` repairs it and says so.
    let r = d.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("index entr"), "{}", r.stderr);
    assert_eq!(d.status(), "");
    // The next mutation of the same ticket is not refused as "uncommitted changes": it
    // repairs the entries in its own index write.
    let args = note("Clobber two");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    clobber_index_around(&d, &args);
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "note",
        "1020",
        "-m",
        "Clobber three",
    ]);
    assert_eq!(d.status(), "");
    for t in ["Clobber one", "Clobber two", "Clobber three"] {
        assert_eq!(count_in_head(&d, t, "tickets/001/1020/messages"), 1, "{t}");
    }
    assert_healthy(&d, "repaired");
}

#[test]
fn a_lock_left_by_a_killed_git_desk_is_taken_over() {
    let d = TestDesk::example();
    kill_at(
        &d,
        "tx.ref-locked",
        &["--as", "alice", "ticket", "note", "1020", "-m", "x"],
    );
    assert!(d.path(".git/index.lock").exists());
    assert!(d.path(".git/refs/heads/main.lock").exists());
    // Plain git is blocked meanwhile (as by any git process), and says where.
    let o = git_raw(&d, &["commit", "--allow-empty", "-qm", "x"]);
    assert!(!o.status.success());
    // The next git-desk mutation takes both over.
    let r = d.run(&["--as", "alice", "ticket", "note", "1020", "-m", "y"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("never reached the branch"),
        "{}",
        r.stderr
    );
    assert_healthy(&d, "takeover");
    d.git(&["commit", "--allow-empty", "-qm", "plain git works again"]);
}

#[test]
fn mutations_refuse_a_detached_head_and_a_branch_that_is_not_the_desks() {
    let d = TestDesk::example();
    let head = d.head();
    d.git(&["checkout", "-q", "--detach", &head]);
    let before = d.commit_count();
    let err = d.fails(
        1,
        &["--as", "alice", "ticket", "note", "1020", "-m", "lost?"],
    );
    assert!(err.contains("detached"), "{err}");
    assert!(err.contains("git checkout"), "{err}");
    assert_eq!(d.commit_count(), before);
    // Reads still work.
    d.ok(&["--as", "alice", "ticket", "show", "1020"]);
    d.git(&["checkout", "-q", "main"]);

    d.git(&["config", "desk.branch", "main"]);
    d.git(&["checkout", "-q", "-b", "experiment"]);
    let err = d.fails(1, &["--as", "alice", "ticket", "note", "1020", "-m", "x"]);
    assert!(
        err.contains("experiment") && err.contains("desk.branch"),
        "{err}"
    );
    // Named explicitly, the other branch is fine.
    let (_, r) = run_env(
        &d,
        &[("GIT_DESK_BRANCH", "experiment")],
        &[
            "--as",
            "alice",
            "ticket",
            "note",
            "1020",
            "-m",
            "on experiment",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        d.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "experiment"
    );
    assert_eq!(count_in_head(&d, "on experiment", "tickets/001/1020"), 1);
}

/// Two writers and random kills (SIGKILL at random times, not at failpoints), repeated:
/// every acknowledged note is there once, nothing is duplicated, and the desk is healthy.
/// `GIT_DESK_TORTURE_ROUNDS` and `GIT_DESK_TORTURE_KILLS` make it longer (the issue's
/// run: 10 rounds of 20 kills).
#[test]
fn torture_two_writers_and_random_kills_lose_nothing() {
    let rounds: usize = env_num("GIT_DESK_TORTURE_ROUNDS", 1);
    let kills: usize = env_num("GIT_DESK_TORTURE_KILLS", 6);
    let mut rng = fastrand_seed();
    for round in 0..rounds {
        let d = TestDesk::example();
        let report = std::thread::scope(|s| {
            let writers: Vec<_> = [("1020", 0usize), ("1012", 1)]
                .into_iter()
                .map(|(ticket, w)| {
                    let d = &d;
                    let mut rng = rng.wrapping_add(w as u64 * 7919);
                    s.spawn(move || {
                        let mut acknowledged = Vec::new();
                        let mut killed = 0;
                        let mut i = 0;
                        while killed < kills.div_ceil(2) {
                            i += 1;
                            let text = format!("Torture {round}-{w}-{i}.");
                            let mut c = d.cmd_in(&d.root);
                            c.args(["--as", "alice", "ticket", "note", ticket, "-m", &text])
                                .stdout(std::process::Stdio::null())
                                .stderr(std::process::Stdio::piped());
                            let mut child = c.spawn().unwrap();
                            rng = next(rng);
                            let kill = rng.is_multiple_of(3);
                            if kill {
                                let delay = (rng >> 8) % 40;
                                std::thread::sleep(Duration::from_millis(delay));
                                let _ = child.kill();
                            }
                            let out = child.wait_with_output().unwrap();
                            if out.status.success() {
                                acknowledged.push(text);
                            } else if out.status.signal() == Some(9) {
                                killed += 1;
                            } else {
                                let err = String::from_utf8_lossy(&out.stderr);
                                assert!(
                                    err.contains("moved") || err.contains("lock"),
                                    "unexpected failure: {err}"
                                );
                            }
                        }
                        (ticket, acknowledged, killed)
                    })
                })
                .collect();
            writers
                .into_iter()
                .map(|w| w.join().unwrap())
                .collect::<Vec<_>>()
        });
        rng = next(rng);
        assert_healthy(&d, &format!("round {round}"));
        let mut lost = 0;
        let mut acked = 0;
        for (ticket, acknowledged, _) in &report {
            let dir = format!("tickets/001/{ticket}");
            for a in acknowledged {
                acked += 1;
                match count_in_head(&d, a, &dir) {
                    0 => lost += 1,
                    1 => {}
                    n => panic!("{a} is there {n} times"),
                }
            }
        }
        let killed: usize = report.iter().map(|r| r.2).sum();
        eprintln!("torture round {round}: {acked} acknowledged, {killed} killed, lost={lost}");
        assert_eq!(lost, 0);
        d.ok(&["--as", "alice", "ticket", "note", "1020", "-m", "after"]);
        assert_healthy(&d, "after the round");
    }
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn fastrand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1
}

/// xorshift64.
fn next(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[test]
fn a_bare_desk_killed_at_every_step_takes_its_locks_back() {
    let d = TestDesk::empty();
    let from = example_repo();
    let args = [
        "init",
        "--bare",
        "server.git",
        "--from",
        from.to_str().unwrap(),
    ];
    assert_eq!(d.run_in(d.tmp.path(), &args).code, 0);
    let bare = d.tmp.path().join("server.git");
    let git = |args: &[&str]| {
        isolated("git", &d.home(), &bare)
            .args(args)
            .output()
            .unwrap()
    };
    let new = |title: &str, failpoint: &str| {
        let mut c = d.cmd_in(&bare);
        if !failpoint.is_empty() {
            c.env("GIT_DESK_FAILPOINT", failpoint);
        }
        let o = c
            .args(["--as", "alice", "ticket", "new", "-t", title])
            .args(["--email", "c@x.example", "-m", "x"])
            .output()
            .unwrap();
        to_run(o)
    };
    for point in [
        "tx.locked",
        "tx.commit-written",
        "tx.ref-locked",
        "tx.ref-updated",
    ] {
        assert_eq!(new(point, point).0, Some(9), "not killed at {point}");
        let (_, r) = new(&format!("after {point}"), "");
        assert_eq!(r.code, 0, "{point}: {}", r.stderr);
        assert!(!bare.join("refs/heads/main.lock").exists(), "{point}");
        assert!(git(&["fsck", "--no-dangling", "--no-progress"])
            .status
            .success());
        let log = String::from_utf8_lossy(&git(&["log", "--format=%s"]).stdout).into_owned();
        assert_eq!(
            log.contains(&format!("\"{point}\"")),
            point == "tx.ref-updated",
            "{point}: {log}"
        );
        assert!(log.contains(&format!("after {point}")), "{log}");
    }
}
