//! The foundation: init, the commit engine (one commit per change, trailers, clean status,
//! refusal on dirty paths, concurrency, bare desks), reading (check, show, list, log) and
//! bad input.

use crate::support::*;

#[test]
fn init_makes_a_fresh_desk_in_one_commit() {
    let d = TestDesk::new();
    assert_eq!(d.commit_count(), 1);
    let mut files: Vec<String> = d.git(&["ls-files"]).lines().map(String::from).collect();
    files.sort();
    assert_eq!(
        files,
        ["desk.yaml", "queues/general.yaml", "staff/alice.yaml"]
    );
    assert!(d.read("desk.yaml").contains("default_queue: general\n"));
    assert!(d.read("staff/alice.yaml").contains("role: main\n"));
    let msg = d.last_message();
    assert!(msg.contains("Desk-Op: desk.init\n"), "{msg}");
    assert!(msg.contains("Desk-Actor: alice\n"), "{msg}");
    assert_eq!(
        d.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Alice Anders <alice@example.com>"
    );
    assert_eq!(d.status(), "");
    d.ok(&["check"]);
    // A second init is refused and changes nothing.
    let err = d.fails(1, &["init"]);
    assert!(err.contains("already a desk"), "{err}");
    assert_eq!(d.commit_count(), 1);
}

#[test]
fn init_from_the_example_copies_every_file_and_checks_clean() {
    let d = TestDesk::example();
    assert_eq!(d.commit_count(), 1);
    let tracked = d.git(&["ls-files"]).lines().count();
    let mut on_disk = 0;
    let mut stack = vec![example_repo()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                on_disk += 1;
            }
        }
    }
    assert_eq!(tracked, on_disk);
    assert_eq!(d.status(), "");
    let out = d.ok(&["check"]);
    assert!(out.starts_with("ok: "), "{out}");
}

#[test]
fn the_example_is_readable_in_place_but_not_writable() {
    let d = TestDesk::empty();
    let ex = example_repo();
    let out = d.run_in(&ex, &["--as", "bob", "ticket", "list", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v[0]["title"], "My Assigned Tickets");
    assert!(!v[1]["tickets"].as_array().unwrap().is_empty());
    let r = d.run_in(
        &ex,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "a@b.example",
            "-m",
            "x",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("not a git repository, so it is read-only"),
        "{}",
        r.stderr
    );
    let r = d.run_in(&ex, &["check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn ticket_new_is_one_commit_with_author_trailers_and_two_files() {
    let d = TestDesk::example();
    let before = d.head();
    let out = d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "--title",
        "Printer on fire",
        "--email",
        "john@doe.example",
        "--priority",
        "70",
        "-m",
        "It is really on fire.",
    ]);
    assert_eq!(out.trim(), "ticket 1041 created");
    assert_eq!(d.commit_count(), 2);
    assert_eq!(d.git(&["rev-parse", "HEAD^"]).trim(), before);
    assert_eq!(
        d.git(&["log", "-1", "--format=%an <%ae>|%cI"]).trim(),
        "Bob Brennan <bob@example.com>|2026-11-27T12:00:00Z"
    );
    let msg = d.last_message();
    assert!(
        msg.starts_with("ticket 1041: new \"Printer on fire\"\n\n"),
        "{msg}"
    );
    for t in [
        "Desk-Op: ticket.new",
        "Desk-Ticket: 1041",
        "Desk-Actor: bob",
    ] {
        assert!(msg.contains(t), "missing {t} in {msg}");
    }
    let paths = d.last_paths();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(paths.contains(&"ids.yaml".to_string()));
    assert!(paths.contains(&"tickets/001/1041/ticket.yaml".to_string()));
    assert!(paths.iter().any(|p| p
        .starts_with("tickets/001/1041/messages/20261127T120000Z-john-")
        && p.ends_with(".yaml")));
    let t = d.read("tickets/001/1041/ticket.yaml");
    assert!(
        t.contains("priority: 70\n")
            && t.contains("status: new\n")
            && t.contains("account: jdoe\n"),
        "{t}"
    );
    assert_eq!(d.status(), "");
    d.git(&["fsck", "--strict"]);

    // The account is found from the address; --json gives the id.
    let out = d.ok(&[
        "--as",
        "alice",
        "--json",
        "ticket",
        "new",
        "-t",
        "Invoice",
        "--email",
        "orders@maplebakery.example",
        "-q",
        "billing",
        "-m",
        "Where is my invoice?",
    ]);
    assert_eq!(json(&out)["id"], 1042);
    let show = json(&d.ok(&["--as", "alice", "--json", "ticket", "show", "1042"]));
    assert_eq!(show["ticket"]["queue"], "billing");
    assert_eq!(show["messages"][0]["kind"], "customer");
    assert_eq!(show["messages"][0]["body"], "Where is my invoice?");
}

#[test]
fn bodies_come_from_stdin_and_files() {
    let d = TestDesk::new();
    let r = d.run_stdin(
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "From stdin",
            "--email",
            "c@x.example",
        ],
        "line one\nline two\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = d.tmp.path().join("body.txt");
    std::fs::write(&file, "from a file\n").unwrap();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        "From file",
        "--email",
        "c@x.example",
        "--body-file",
        file.to_str().unwrap(),
        "--note",
    ]);
    let v = json(&d.ok(&["--as", "alice", "--json", "ticket", "show", "1"]));
    assert_eq!(v["messages"][0]["body"], "line one\nline two\n");
    let v = json(&d.ok(&["--as", "alice", "--json", "ticket", "show", "2"]));
    assert_eq!(v["messages"][0]["body"], "from a file\n");
    assert_eq!(v["messages"][0]["kind"], "note");
    assert_eq!(v["messages"][0]["author"], "alice");
    // An empty body is refused, with no commit.
    let n = d.commit_count();
    let r = d.run_stdin(
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "Empty",
            "--email",
            "c@x.example",
        ],
        "  \n",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("empty"), "{}", r.stderr);
    assert_eq!(d.commit_count(), n);
}

#[test]
fn refuses_to_overwrite_uncommitted_edits_of_a_touched_path() {
    let d = TestDesk::new();
    // An untracked file where the next ticket would go.
    d.write("tickets/000/1/ticket.yaml", "hand-made\n");
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "c@x.example",
            "-m",
            "x",
        ],
    );
    assert!(
        err.contains("refusing to overwrite uncommitted changes to tickets/000/1/ticket.yaml"),
        "{err}"
    );
    assert_eq!(d.commit_count(), 1);
    assert_eq!(d.read("tickets/000/1/ticket.yaml"), "hand-made\n");
    // A staged version of a staff file that staff add would create.
    d.write("staff/zoe.yaml", "login: zoe\nrole: support\n");
    d.git(&["add", "staff/zoe.yaml"]);
    let err = d.fails(
        1,
        &["--as", "alice", "staff", "add", "zoe", "--name", "Zoe"],
    );
    assert!(err.contains("staff/zoe.yaml"), "{err}");
    assert_eq!(d.commit_count(), 1);
}

#[test]
fn unrelated_uncommitted_edits_are_left_alone() {
    let d = TestDesk::new();
    let edited = d
        .read("desk.yaml")
        .replace("name: Help Desk", "name: Edited By Hand");
    d.write("desk.yaml", &edited);
    d.write("notes.txt", "scratch\n");
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        "x",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    assert_eq!(d.read("desk.yaml"), edited);
    let st = d.status();
    assert_eq!(st, " M desk.yaml\n?? notes.txt\n", "{st}");
    // The commit did not take the hand edit.
    assert!(d
        .git(&["show", "HEAD:desk.yaml"])
        .contains("name: Help Desk"));
}

#[test]
fn concurrent_writers_lose_nothing() {
    let d = TestDesk::new();
    let per = 6;
    let handles: Vec<_> = (0..3)
        .map(|w| {
            let cmds: Vec<_> = (0..per)
                .map(|i| {
                    let mut c = d.cmd_in(&d.root);
                    c.env("GIT_DESK_SEED", format!("{}", w * 100 + i));
                    c.args([
                        "--as",
                        "alice",
                        "ticket",
                        "new",
                        "-t",
                        &format!("writer {w} ticket {i}"),
                        "--email",
                        "c@x.example",
                        "-m",
                        "x",
                    ]);
                    c
                })
                .collect();
            std::thread::spawn(move || {
                for mut c in cmds {
                    let o = c.output().unwrap();
                    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(d.commit_count(), 1 + 3 * per);
    let v = json(&d.ok(&[
        "--as", "alice", "--json", "ticket", "list", "--all", "--sort", "id",
    ]));
    let ids: Vec<u64> = v[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=(3 * per) as u64).collect::<Vec<_>>());
    assert_eq!(d.status(), "");
    d.git(&["fsck", "--strict"]);
}

#[test]
fn malformed_files_are_reported_with_file_and_line_and_do_not_stop_others() {
    let d = TestDesk::example();
    let bad = d
        .read("tickets/001/1003/ticket.yaml")
        .replace("priority: ", "priority: 150 #");
    d.write("tickets/001/1003/ticket.yaml", &bad);
    d.write(
        "tickets/001/1005/ticket.yaml",
        "id: 1005\ntitle: [unclosed\n",
    );
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("tickets/001/1003/ticket.yaml:7:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("priority must be between 0 and 100, got 150"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("tickets/001/1005/ticket.yaml:"),
        "{}",
        r.stdout
    );
    // Listing goes on with the others and warns on stderr.
    let r = d.run(&["--as", "alice", "ticket", "list", "--all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: tickets/001/1003/ticket.yaml:7:"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("1004"), "{}", r.stdout);
    assert!(!r.stdout.contains(" 1003 "), "{}", r.stdout);
    // Showing the broken one names the file.
    let err = d.fails(1, &["--as", "alice", "ticket", "show", "1003"]);
    assert!(err.contains("tickets/001/1003/ticket.yaml:7:"), "{err}");
}

#[test]
fn unknown_ids_and_bad_flags_are_named() {
    let d = TestDesk::example();
    let err = d.fails(1, &["--as", "alice", "ticket", "show", "9999"]);
    assert!(err.contains("no ticket `9999`"), "{err}");
    let err = d.fails(2, &["--as", "alice", "ticket", "show", "abc"]);
    assert!(err.contains("`abc` is not a ticket id"), "{err}");
    let err = d.fails(
        2,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "c@x.example",
            "--priority",
            "150",
            "-m",
            "x",
        ],
    );
    assert!(
        err.contains("--priority") && err.contains("between 0 and 100"),
        "{err}"
    );
    let err = d.fails(
        2,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "not-an-address",
            "-m",
            "x",
        ],
    );
    assert!(
        err.contains("--email") && err.contains("not a valid e-mail"),
        "{err}"
    );
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "c@x.example",
            "-q",
            "nosuch",
            "-m",
            "x",
        ],
    );
    assert!(err.contains("no queue `nosuch`"), "{err}");
    let err = d.fails(1, &["--as", "nobody", "ticket", "list"]);
    assert!(err.contains("no staff member `nobody`"), "{err}");
    let err = d.fails(1, &["ticket", "list"]);
    assert!(err.contains("--as LOGIN"), "{err}");
    assert_eq!(d.commit_count(), 1);
}

#[test]
fn the_actor_comes_from_env_or_git_email() {
    let d = TestDesk::example();
    let out = d
        .cmd_in(&d.root)
        .env("GIT_DESK_ACTOR", "carol")
        .args(["--json", "ticket", "list", "--mine"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    d.git(&["config", "user.email", "dave@example.com"]);
    d.ok(&[
        "ticket",
        "new",
        "-t",
        "By git email",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    assert!(d.last_message().contains("Desk-Actor: dave"));
}

#[test]
fn visibility_and_permissions_apply() {
    let d = TestDesk::example();
    // carol is entitled to sales only (plus the default queue): no billing tickets.
    let v = json(&d.ok(&["--as", "carol", "--json", "ticket", "list", "--all"]));
    let queues: Vec<String> = v[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["queue"].as_str().unwrap().to_owned())
        .collect();
    assert!(!queues.is_empty());
    assert!(
        queues.iter().all(|q| q == "sales" || q == "general"),
        "{queues:?}"
    );
    let billing = json(&d.ok(&[
        "--as", "alice", "--json", "ticket", "list", "--all", "-q", "billing",
    ]));
    let id = billing[0]["tickets"][0]["id"].as_u64().unwrap().to_string();
    let err = d.fails(1, &["--as", "carol", "ticket", "show", &id]);
    assert!(err.contains("carol may not see ticket"), "{err}");
    // Assigning to someone else needs tickets.assign_others; carol lacks it.
    let err = d.fails(
        1,
        &[
            "--as",
            "carol",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "c@x.example",
            "--assign",
            "bob",
            "-m",
            "x",
        ],
    );
    assert!(err.contains("tickets.assign_others"), "{err}");
    // erin's profile is incomplete: she may not take a ticket.
    let err = d.fails(
        1,
        &[
            "--as",
            "erin",
            "ticket",
            "new",
            "-t",
            "x",
            "--email",
            "c@x.example",
            "--assign",
            "erin",
            "-m",
            "x",
        ],
    );
    assert!(err.contains("profile"), "{err}");
    // staff add needs staff.admin.
    let err = d.fails(1, &["--as", "bob", "staff", "add", "zed"]);
    assert!(
        err.contains("bob may not add staff: the permission `staff.admin` is needed"),
        "{err}"
    );
    assert_eq!(d.commit_count(), 1);
}

#[test]
fn staff_add_list_show() {
    let d = TestDesk::new();
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "bob",
        "--name",
        "Bob B",
        "--email",
        "bob@example.com",
        "--perm",
        "tickets.merge",
        "--queue",
        "general",
    ]);
    assert_eq!(d.last_paths(), ["staff/bob.yaml"]);
    assert!(d.last_message().contains("Desk-Op: staff.add"));
    let list = d.ok(&["staff", "list"]);
    assert!(list.contains("bob") && list.contains("alice"), "{list}");
    let show = json(&d.ok(&["--json", "staff", "show", "bob"]));
    assert_eq!(
        show["effective_permissions"],
        serde_json::json!(["tickets.merge"])
    );
    let err = d.fails(1, &["--as", "alice", "staff", "add", "bob"]);
    assert!(err.contains("already exists"), "{err}");
    let err = d.fails(
        2,
        &[
            "--as",
            "alice",
            "staff",
            "add",
            "bob2",
            "--perm",
            "tickets.fly",
        ],
    );
    assert!(err.contains("tickets.fly"), "{err}");
    let err = d.fails(
        1,
        &["--as", "alice", "staff", "add", "bob3", "--queue", "nosuch"],
    );
    assert!(err.contains("no queue `nosuch`"), "{err}");
}

#[test]
fn log_reads_the_audit_trail() {
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
        "ticket",
        "new",
        "-t",
        "B",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    // A hand edit of ticket 1041 committed with git.
    let t = d
        .read("tickets/001/1041/ticket.yaml")
        .replace("priority: 50", "priority: 90");
    d.write("tickets/001/1041/ticket.yaml", &t);
    d.git(&["commit", "-qam", "bump priority by hand"]);
    let all = json(&d.ok(&["--json", "log"]));
    assert_eq!(all.as_array().unwrap().len(), 4);
    assert_eq!(all[0]["op"], serde_json::Value::Null);
    assert_eq!(all[1]["op"], "ticket.new");
    assert_eq!(all[1]["actor"], "alice");
    let one = json(&d.ok(&["--json", "log", "1041"]));
    let subjects: Vec<&str> = one
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["bump priority by hand", "ticket 1041: new \"A\""]
    );
    let text = d.ok(&["log", "-n", "1"]);
    assert!(text.contains("(hand edit)"), "{text}");
}

#[test]
fn a_bare_desk_commits_without_a_work_tree() {
    let d = TestDesk::empty();
    d.ok_bare();
    let bare = d.tmp.path().join("server.git");
    let r = d.run_in(
        &bare,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "On the server",
            "--email",
            "c@x.example",
            "-m",
            "x",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = isolated("git", &d.home(), &bare)
        .args(["log", "--format=%s"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&log.stdout),
        "ticket 1041: new \"On the server\"\ndesk: init from example-repo\n"
    );
    assert!(!bare.join("index").exists());
    let r = d.run_in(
        &bare,
        &["--as", "alice", "--json", "ticket", "show", "1041"],
    );
    assert_eq!(json(&r.stdout)["ticket"]["title"], "On the server");
}

#[test]
fn completions_and_man_page() {
    let d = TestDesk::empty();
    for shell in ["bash", "zsh", "fish"] {
        let r = d.run_in(d.tmp.path(), &["completions", shell]);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("ticket"), "{shell}");
    }
    let r = d.run_in(d.tmp.path(), &["man"]);
    assert!(
        r.stdout.contains(".TH git-desk"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
}

impl TestDesk {
    fn ok_bare(&self) {
        let from = example_repo();
        let r = self.run_in(
            self.tmp.path(),
            &[
                "init",
                "--bare",
                "server.git",
                "--from",
                from.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
}
