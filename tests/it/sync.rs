//! `sync` between clones of one bare remote over file://: disjoint changes, field-level
//! merges, lost races, renumbering, hand-made conflicts, push races and interruptions. The
//! sync test that needs an SMTP server is in `tests/external/sync_mail.rs` (it shares `Cluster`).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::*;

/// Shared with `tests/external` (its sync test needs an SMTP server).
pub(crate) struct Cluster {
    pub(crate) d: TestDesk,
    pub(crate) server: PathBuf,
}

impl Cluster {
    /// A bare server made from the example desk, and `n` clones `c0`, `c1`, ….
    pub(crate) fn new(n: usize) -> Cluster {
        let d = TestDesk::empty();
        let from = example_repo();
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
        let server = d.tmp.path().join("server.git");
        let c = Cluster { d, server };
        for i in 0..n {
            let o = c.git(
                c.d.tmp.path(),
                &[
                    "clone",
                    "-q",
                    &format!("file://{}", c.server.display()),
                    &format!("c{i}"),
                ],
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        c
    }
    pub(crate) fn clone(&self, i: usize) -> PathBuf {
        self.d.tmp.path().join(format!("c{i}"))
    }
    pub(crate) fn git(&self, cwd: &Path, args: &[&str]) -> Output {
        isolated("git", &self.d.home(), cwd)
            .args(args)
            .output()
            .unwrap()
    }
    pub(crate) fn git_ok(&self, cwd: &Path, args: &[&str]) -> String {
        let o = self.git(cwd, args);
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    /// git-desk in clone `i`, with a seed of its own so keys differ between clones.
    pub(crate) fn desk(&self, i: usize, args: &[&str]) -> Run {
        let o = self
            .d
            .cmd_in(&self.clone(i))
            .env("GIT_DESK_SEED", format!("{}", 1000 + i))
            .args(args)
            .output()
            .unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }
    pub(crate) fn desk_ok(&self, i: usize, args: &[&str]) -> String {
        let r = self.desk(i, args);
        assert_eq!(
            r.code, 0,
            "git-desk {args:?} in c{i}:\n{}\n{}",
            r.stdout, r.stderr
        );
        r.stdout
    }
    fn server_log(&self) -> Vec<String> {
        self.git_ok(&self.server, &["log", "--format=%s"])
            .lines()
            .map(String::from)
            .collect()
    }
    pub(crate) fn server_file(&self, path: &str) -> String {
        self.git_ok(&self.server, &["show", &format!("HEAD:{path}")])
    }
    /// A desk-style commit made by hand: edit `path` with `f`, commit with a Desk-Op trailer.
    fn desk_edit(&self, i: usize, path: &str, f: impl Fn(String) -> String, op: &str, actor: &str) {
        let p = self.clone(i).join(path);
        let text = f(std::fs::read_to_string(&p).unwrap());
        std::fs::write(&p, text).unwrap();
        let ticket = path.split('/').nth(2).unwrap_or("0");
        let msg = format!(
            "ticket {ticket}: {op}\n\nDesk-Op: {op}\nDesk-Ticket: {ticket}\nDesk-Actor: {actor}\n"
        );
        let email = format!("{actor}@example.com");
        let o = isolated("git", &self.d.home(), &self.clone(i))
            .env("GIT_AUTHOR_NAME", actor)
            .env("GIT_AUTHOR_EMAIL", &email)
            .env("GIT_COMMITTER_NAME", actor)
            .env("GIT_COMMITTER_EMAIL", &email)
            .args(["commit", "-qam", &msg])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    pub(crate) fn status(&self, i: usize) -> String {
        self.git_ok(&self.clone(i), &["status", "--porcelain"])
    }
}

#[test]
fn disjoint_changes_and_taken_ids_merge_without_loss() {
    let c = Cluster::new(2);
    c.desk_ok(
        0,
        &[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "From clone zero",
            "--email",
            "a@x.example",
            "-m",
            "zero",
        ],
    );
    c.desk_ok(
        1,
        &[
            "--as",
            "carol",
            "ticket",
            "new",
            "-t",
            "From clone one",
            "--email",
            "b@x.example",
            "-m",
            "one",
        ],
    );
    c.desk_ok(
        1,
        &[
            "--as",
            "alice",
            "staff",
            "add",
            "zoe",
            "--name",
            "Zoe",
            "--email",
            "zoe@example.com",
        ],
    );
    let out = c.desk_ok(0, &["sync"]);
    assert!(out.contains("pushed"), "{out}");
    let out = c.desk_ok(1, &["sync"]);
    assert!(out.contains("ticket 1041 was renumbered to 1042"), "{out}");
    assert!(c
        .server_file("tickets/001/1041/ticket.yaml")
        .contains("title: From clone zero"));
    let t = c.server_file("tickets/001/1042/ticket.yaml");
    assert!(
        t.contains("id: 1042\n") && t.contains("title: From clone one"),
        "{t}"
    );
    assert!(c.server_file("staff/zoe.yaml").contains("name: Zoe"));
    // Both clones wrote ids.yaml: the larger mark, after renumbering.
    assert_eq!(
        c.server_file("ids.yaml"),
        "last_ticket: 1042\nlast_task: 6\n"
    );
    assert!(!out.contains("ids.yaml"), "{out}");
    let log = c.server_log();
    assert_eq!(
        &log[..3],
        [
            "staff: add zoe (support)",
            "ticket 1042: new \"From clone one\"",
            "ticket 1041: new \"From clone zero\""
        ]
    );
    let msg = c.git_ok(&c.server, &["log", "-1", "--skip=1", "--format=%B%ae"]);
    assert!(
        msg.contains("Desk-Ticket: 1042\n")
            && msg.contains("Desk-Renumbered: 1041 -> 1042")
            && msg.ends_with("carol@example.com\n"),
        "{msg}"
    );
    // The clone's work tree followed: clean, with the renumbered ticket in place.
    assert_eq!(c.status(1), "");
    assert!(c.clone(1).join("tickets/001/1042/ticket.yaml").exists());
    // Clone zero catches up by fast-forward.
    let out = c.desk_ok(0, &["sync"]);
    assert!(out.contains("fast-forwarded"), "{out}");
    assert_eq!(c.status(0), "");
    assert!(c.clone(0).join("staff/zoe.yaml").exists());
    c.git_ok(&c.server, &["fsck", "--strict"]);
}

#[test]
fn edits_of_different_fields_merge_and_a_lost_pickup_is_reported() {
    let c = Cluster::new(2);
    let path = "tickets/001/1039/ticket.yaml";
    c.desk_edit(
        0,
        path,
        |t| t.replace("priority: 50", "priority: 90"),
        "ticket.edit",
        "bob",
    );
    c.desk_edit(
        1,
        path,
        |t| t.replace("queue: general", "queue: billing"),
        "ticket.edit",
        "alice",
    );
    c.desk_ok(0, &["sync"]);
    c.desk_ok(1, &["sync"]);
    let t = c.server_file(path);
    assert!(
        t.contains("priority: 90\n") && t.contains("queue: billing\n"),
        "{t}"
    );

    // Both pick up 1038: the first to push wins, the other's pick-up is dropped and said.
    let path = "tickets/001/1038/ticket.yaml";
    c.desk_ok(0, &["sync"]);
    c.desk_edit(
        0,
        path,
        |t| {
            t.replace("assignee: null", "assignee: bob")
                .replace("status: new", "status: open")
        },
        "ticket.pickup",
        "bob",
    );
    c.desk_edit(
        1,
        path,
        |t| {
            t.replace("assignee: null", "assignee: alice")
                .replace("status: new", "status: open")
        },
        "ticket.pickup",
        "alice",
    );
    c.desk_ok(0, &["sync"]);
    let r = c.desk(1, &["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ticket 1038 was taken by bob first; your pick-up was not applied"),
        "{}",
        r.stderr
    );
    assert!(c.server_file(path).contains("assignee: bob\n"));
    assert!(c.clone(1).join(path).exists());
    assert!(std::fs::read_to_string(c.clone(1).join(path))
        .unwrap()
        .contains("assignee: bob\n"));
    assert_eq!(c.status(1), "");
}

#[test]
fn a_conflicting_hand_made_commit_stops_the_sync_safely() {
    let c = Cluster::new(2);
    let path = "tickets/001/1039/ticket.yaml";
    for (i, title) in [(0, "Site down (zero)"), (1, "Site down (one)")] {
        let p = c.clone(i).join(path);
        let t = std::fs::read_to_string(&p)
            .unwrap()
            .replace("title: Website down??", &format!("title: {title}"));
        std::fs::write(&p, t).unwrap();
        c.git_ok(&c.clone(i), &["commit", "-qam", "retitle by hand"]);
    }
    c.desk_ok(0, &["sync"]);
    let before = c.git_ok(&c.clone(1), &["rev-parse", "HEAD"]);
    let r = c.desk(1, &["sync"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("conflicts with changes made upstream to tickets/001/1039/ticket.yaml; nothing was changed"), "{}", r.stderr);
    assert_eq!(c.git_ok(&c.clone(1), &["rev-parse", "HEAD"]), before);
    assert_eq!(c.status(1), "");
}

#[test]
fn concurrent_syncs_retry_until_everything_lands() {
    let c = Cluster::new(3);
    for i in 0..3 {
        for k in 0..3 {
            c.desk_ok(
                i,
                &[
                    "--as",
                    "alice",
                    "ticket",
                    "new",
                    "-t",
                    &format!("clone {i} ticket {k}"),
                    "--email",
                    "a@x.example",
                    "-m",
                    "x",
                ],
            );
        }
    }
    let handles: Vec<_> = (0..3)
        .map(|i| {
            let mut cmd = c.d.cmd_in(&c.clone(i));
            cmd.arg("sync");
            std::thread::spawn(move || cmd.output().unwrap())
        })
        .collect();
    for h in handles {
        let o = h.join().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for i in 0..3 {
        c.desk_ok(i, &["sync"]);
    }
    let titles = c.git_ok(
        &c.server,
        &["grep", "-h", "^title: clone", "HEAD", "--", "tickets"],
    );
    let mut titles: Vec<&str> = titles.lines().collect();
    titles.sort();
    assert_eq!(titles.len(), 9, "{titles:?}");
    titles.dedup();
    assert_eq!(titles.len(), 9);
    let ids = c.git_ok(
        &c.server,
        &["ls-tree", "--name-only", "HEAD", "tickets/001/"],
    );
    assert_eq!(ids.lines().count(), 40 + 9);
}

#[test]
fn a_killed_sync_is_finished_by_the_next_without_loss_or_duplicates() {
    let c = Cluster::new(2);
    for k in 0..4 {
        c.desk_ok(
            0,
            &[
                "--as",
                "bob",
                "ticket",
                "new",
                "-t",
                &format!("upstream {k}"),
                "--email",
                "a@x.example",
                "-m",
                "x",
            ],
        );
    }
    c.desk_ok(0, &["sync"]);
    for k in 0..4 {
        c.desk_ok(
            1,
            &[
                "--as",
                "alice",
                "ticket",
                "new",
                "-t",
                &format!("local {k}"),
                "--email",
                "a@x.example",
                "-m",
                "x",
            ],
        );
    }
    // Kill the sync at a few points, then let one run to the end.
    for delay_ms in [1u64, 5, 15, 40] {
        let mut child = c.d.cmd_in(&c.clone(1)).arg("sync").spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Locks left by the killed process (git-desk's own index.lock, the sync lock) are
        // taken over by the next run: nobody has to remove them by hand.
    }
    // And at each step of moving the branch (failpoints: SIGKILL at a named step): each
    // time the remote has moved on, so the sync must bring its commit in and replay.
    c.desk_ok(1, &["sync"]);
    for (k, point) in [
        "tx.journal-written",
        "tx.ref-locked",
        "tx.ref-updated",
        "worktree.file",
        "worktree.index-written",
        "tx.done",
    ]
    .into_iter()
    .enumerate()
    {
        let more = format!("more {k}");
        c.desk_ok(
            0,
            &[
                "--as",
                "bob",
                "ticket",
                "new",
                "-t",
                &more,
                "--email",
                "a@x.example",
                "-m",
                "x",
            ],
        );
        c.desk_ok(0, &["sync"]);
        let o =
            c.d.cmd_in(&c.clone(1))
                .env("GIT_DESK_FAILPOINT", point)
                .args(["sync", "--no-push"])
                .output()
                .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(o.status.signal(), Some(9), "{point} was not reached");
        // The next command finishes what the killed one left.
        let r = c.d.run_in(&c.clone(1), &["check"]);
        assert_eq!(r.code, 0, "{point}: {}{}", r.stdout, r.stderr);
        assert_eq!(c.status(1), "", "{point}");
    }
    c.desk_ok(1, &["sync"]);
    c.desk_ok(0, &["sync"]);
    let titles = c.git_ok(
        &c.server,
        &[
            "grep",
            "-h",
            "^title: \\(upstream\\|local\\)",
            "HEAD",
            "--",
            "tickets",
        ],
    );
    let mut titles: Vec<&str> = titles.lines().collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "title: local 0",
            "title: local 1",
            "title: local 2",
            "title: local 3",
            "title: upstream 0",
            "title: upstream 1",
            "title: upstream 2",
            "title: upstream 3"
        ]
    );
    assert_eq!(c.status(1), "");
    assert_eq!(
        c.git_ok(&c.clone(1), &["rev-parse", "HEAD"]),
        c.git_ok(&c.server, &["rev-parse", "HEAD"])
    );
}

#[test]
fn watch_mode_syncs_on_commits_and_on_a_timer_and_stops_on_sigterm() {
    let c = Cluster::new(2);
    let child =
        c.d.cmd_in(&c.clone(1))
            .args(["sync", "--watch", "--interval", "1"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
    // Should an assertion fail, the watcher must not outlive the test (it would keep the
    // test runner's output pipe open).
    struct KillOnDrop(u32);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
    let _guard = KillOnDrop(child.id());
    let server_head = || c.git_ok(&c.server, &["rev-parse", "HEAD"]);
    let clone_head = || c.git_ok(&c.clone(1), &["rev-parse", "HEAD"]);
    let wait_until = |what: &str, f: &dyn Fn() -> bool| {
        let start = std::time::Instant::now();
        while !f() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(15),
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    // A commit in the watched clone is pushed without anyone running sync.
    c.desk_ok(
        1,
        &[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "Watched",
            "--email",
            "a@x.example",
            "-m",
            "x",
        ],
    );
    wait_until("the commit to reach the server", &|| {
        server_head() == clone_head()
    });
    // A push from elsewhere arrives by the timer.
    c.desk_ok(
        0,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "Elsewhere",
            "--email",
            "a@x.example",
            "-m",
            "x",
        ],
    );
    c.desk_ok(0, &["sync"]);
    wait_until("the clone to fetch", &|| {
        c.clone(1).join("tickets/001/1042/ticket.yaml").exists()
    });
    assert_eq!(c.status(1), "");
    // SIGTERM stops it cleanly.
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("pushed") && log.contains("watch: stopped"),
        "{log}"
    );
}

#[test]
fn concurrent_answers_both_survive_and_concurrent_pickups_report_the_loser() {
    let c = Cluster::new(2);
    // bob answers 1025 on two machines at different times.
    for (i, now, text) in [
        (0, "2026-11-27T12:00:00Z", "From the laptop."),
        (1, "2026-11-27T12:05:00Z", "From the desktop."),
    ] {
        let o =
            c.d.cmd_in(&c.clone(i))
                .env("GIT_DESK_NOW", now)
                .env("GIT_DESK_SEED", format!("{i}"))
                .args(["--as", "bob", "ticket", "answer", "1025", "-m", text])
                .output()
                .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    c.desk_ok(0, &["sync"]);
    let r = c.desk(1, &["--as", "bob", "sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = c.desk_ok(1, &["--as", "bob", "--json", "ticket", "show", "1025"]);
    let v = json(&shown);
    let bodies: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert!(
        bodies.iter().any(|b| b.starts_with("From the laptop.")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.starts_with("From the desktop.")),
        "{bodies:?}"
    );
    let outbox = c.git_ok(&c.server, &["ls-tree", "--name-only", "HEAD", "outbox/"]);
    assert_eq!(outbox.lines().count(), 2, "{outbox}");

    // bob and alice both pick up 1038; bob's sync lands first.
    c.desk_ok(0, &["sync"]);
    c.desk_ok(0, &["--as", "bob", "ticket", "pickup", "1038"]);
    c.desk_ok(1, &["--as", "alice", "ticket", "pickup", "1038"]);
    c.desk_ok(0, &["sync"]);
    let r = c.desk(1, &["--as", "alice", "sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ticket 1038 was taken by bob first; your pick-up was not applied"),
        "{}",
        r.stderr
    );
    assert!(c
        .server_file("tickets/001/1038/ticket.yaml")
        .contains("assignee: bob\n"));
    assert_eq!(c.status(1), "");
}

#[test]
fn tasks_made_in_two_clones_are_renumbered_not_merged() {
    let c = Cluster::new(2);
    c.desk_ok(
        0,
        &[
            "--as",
            "dave",
            "task",
            "new",
            "--title",
            "Zero's task",
            "--assignee",
            "bob",
            "--due",
            "2026-12-01",
        ],
    );
    c.desk_ok(
        1,
        &[
            "--as",
            "dave",
            "task",
            "new",
            "--title",
            "One's task",
            "--assignee",
            "carol",
            "--due",
            "2026-12-02",
        ],
    );
    c.desk_ok(0, &["sync"]);
    let out = c.desk_ok(1, &["sync"]);
    assert!(out.contains("task 7 was renumbered to 8"), "{out}");
    assert!(c
        .server_file("tasks/000/7/task.yaml")
        .contains("title: Zero's task"));
    let t = c.server_file("tasks/000/8/task.yaml");
    assert!(
        t.contains("id: 8\n") && t.contains("title: One's task"),
        "{t}"
    );
    let msg = c.git_ok(&c.server, &["log", "-1", "--format=%B"]);
    assert!(
        msg.starts_with("task 8:")
            && msg.contains("Desk-Task: 8\n")
            && msg.contains("Desk-Renumbered: task 7 -> 8"),
        "{msg}"
    );
    assert_eq!(c.status(1), "");
}

#[test]
fn an_id_deleted_upstream_is_not_reused_and_the_marks_merge_as_the_max() {
    let c = Cluster::new(2);
    let new = |i: usize, title: &str| {
        c.desk_ok(
            i,
            &[
                "--as",
                "alice",
                "ticket",
                "new",
                "-t",
                title,
                "--email",
                "a@x.example",
                "-m",
                "hi",
            ],
        )
    };
    // Clone zero hands out 1041 and deletes it again; the server's mark says 1041.
    assert!(new(0, "Zero's").starts_with("ticket 1041 created"));
    c.desk_ok(0, &["--as", "alice", "ticket", "delete", "1041"]);
    c.desk_ok(0, &["sync"]);
    assert!(c.server_file("ids.yaml").contains("last_ticket: 1041\n"));
    // Clone one made 1041 and 1042 meanwhile, and a task: all taken upstream or not,
    // the tickets move past the mark; ids.yaml never conflicts.
    assert!(new(1, "One's first").starts_with("ticket 1041 created"));
    assert!(new(1, "One's second").starts_with("ticket 1042 created"));
    c.desk_ok(1, &["--as", "dave", "task", "new", "--title", "One's task"]);
    let out = c.desk_ok(1, &["sync"]);
    assert!(out.contains("ticket 1041 was renumbered to 1042"), "{out}");
    assert!(out.contains("ticket 1042 was renumbered to 1043"), "{out}");
    assert!(!out.contains("task 7 was renumbered"), "{out}");
    // Both sides wrote ids.yaml: merged, not reported as a conflict.
    assert!(!out.contains("ids.yaml"), "{out}");
    let marks = c.server_file("ids.yaml");
    assert_eq!(marks, "last_ticket: 1043\nlast_task: 7\n");
    assert!(c
        .server_file("tickets/001/1042/ticket.yaml")
        .contains("title: One's first"));
    assert_eq!(c.status(1), "");
    assert!(c.desk_ok(1, &["check"]).starts_with("ok:"));
    // Clone zero catches up and goes on after the mark.
    c.desk_ok(0, &["sync"]);
    assert!(new(0, "Zero's next").starts_with("ticket 1044 created"));
    assert!(c.desk_ok(0, &["check"]).starts_with("ok:"));
    c.git_ok(&c.server, &["fsck", "--strict"]);
}

/// A sync whose mail server cannot be reached says so: the mail stays in the outbox (on the
/// remote too, with its attempt counted) and the report names the reason — it used to say
/// only "pushed", hiding a server that was down.
#[test]
fn a_sync_reports_the_mail_it_could_not_send() {
    let c = Cluster::new(1);
    // Port 1: nothing listens there, so the connection is refused at once.
    c.desk_ok(0, &["--as", "alice", "settings", "set", "smtp.port", "1"]);
    c.desk_ok(
        0,
        &["--as", "bob", "ticket", "answer", "1018", "-m", "Done."],
    );
    let r = c.desk(0, &["--as", "bob", "sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "note: 1 mail(s) deferred, kept in the outbox for the next sync: server unreachable"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("mail(s) sent"), "{}", r.stderr);
    let outbox = c.git_ok(&c.server, &["ls-tree", "--name-only", "HEAD", "outbox/"]);
    let queued: Vec<&str> = outbox.lines().collect();
    assert_eq!(queued.len(), 1, "{outbox}");
    assert!(c.server_file(queued[0]).contains("attempts: 1\n"));
    assert_eq!(c.status(0), "");
}

#[test]
fn a_lock_left_by_a_killed_fetch_does_not_stop_later_syncs() {
    let c = Cluster::new(2);
    c.desk_ok(
        0,
        &[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "Upstream",
            "--email",
            "a@x.example",
            "-m",
            "x",
        ],
    );
    c.desk_ok(0, &["sync"]);
    // What a fetch killed while it moved the remote-tracking ref leaves behind.
    let branch = c.git_ok(&c.clone(1), &["symbolic-ref", "--short", "HEAD"]);
    let lock = c
        .clone(1)
        .join(".git/refs/remotes/origin")
        .join(format!("{}.lock", branch.trim()));
    std::fs::write(&lock, b"").unwrap();
    c.desk_ok(1, &["sync"]);
    assert!(!lock.exists(), "the stale lock is removed");
    // The other clone's ticket arrived; plain git fetches again too.
    let log = c.git_ok(&c.clone(1), &["log", "--format=%s", "-3"]);
    assert!(log.contains("Upstream"), "{log}");
    c.git_ok(&c.clone(1), &["fetch", "-q"]);
}
