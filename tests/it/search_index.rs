//! Keeping the search index current: after a git-desk mutation, a hand edit before and after
//! `git commit`, `git checkout` of an older commit, hand-made tickets, account changes; a
//! missing, corrupt or outdated index rebuilt with a message; concurrent processes; plain
//! and bare desks; `git desk index`.

use crate::search::hits;
use crate::support::*;

const BUILDING: &str = "building the search index";

/// Searches as alice; asserts the index was updated, not rebuilt.
fn incremental(d: &TestDesk, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--as", "alice", "--json", "search"];
    all.extend_from_slice(args);
    let r = d.run(&all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(BUILDING), "rebuilt: {}", r.stderr);
    json(&r.stdout)["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            h["id"]
                .as_u64()
                .map_or_else(|| h["slug"].as_str().unwrap().to_owned(), |i| i.to_string())
        })
        .collect()
}

fn index_dir(d: &TestDesk) -> std::path::PathBuf {
    d.path(".git/desk/search")
}

#[test]
fn follows_mutations_hand_edits_commits_and_checkouts() {
    let d = TestDesk::example();
    let first = d.run(&["--as", "alice", "search", "toaster"]);
    assert!(
        first
            .stderr
            .contains("building the search index: there is none yet"),
        "{}",
        first.stderr
    );
    let base = d.head();

    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "Printer on fire",
        "--email",
        "john@doe.example",
        "-m",
        "It burns.",
    ]);
    assert_eq!(incremental(&d, &["printer", "fire"]), ["1041"]);

    // a hand edit, not staged, is searchable with --worktree; staged, by every search
    let t = d
        .read("tickets/001/1041/ticket.yaml")
        .replace("Printer on fire", "Toaster on fire");
    d.write("tickets/001/1041/ticket.yaml", &t);
    assert_eq!(incremental(&d, &["--worktree", "toaster"]), ["1041"]);
    d.git(&["add", "tickets/001/1041/ticket.yaml"]);
    assert_eq!(incremental(&d, &["toaster"]), ["1041"]);
    assert!(incremental(&d, &["title:printer"]).is_empty());
    // ... and stays so when committed
    d.git(&["commit", "-qam", "rename by hand"]);
    assert_eq!(incremental(&d, &["toaster"]), ["1041"]);

    // a ticket written by hand is indexed when committed (untracked files are not
    // looked for); removing a ticket's directory by hand shows at once
    let t = d
        .read("tickets/001/1041/ticket.yaml")
        .replace("id: 1041", "id: 1050")
        .replace("Toaster", "Kettle");
    d.write("tickets/001/1050/ticket.yaml", &t);
    d.git(&["add", "tickets/001/1050"]);
    d.git(&["commit", "-qm", "ticket by hand"]);
    assert_eq!(incremental(&d, &["kettle"]), ["1050"]);
    std::fs::remove_dir_all(d.path("tickets/001/1050")).unwrap();
    assert!(incremental(&d, &["--worktree", "kettle"]).is_empty());
    d.git(&["commit", "-qam", "remove it"]);
    assert!(incremental(&d, &["kettle"]).is_empty());

    // a ticket removed with git, and an account moved to another reseller
    d.git(&["rm", "-rq", "tickets/001/1002"]);
    let a = d
        .read("accounts/jdoe.yaml")
        .replace("reseller: acme", "reseller: webhost");
    d.write("accounts/jdoe.yaml", &a);
    d.git(&["commit", "-qam", "remove 1002, move jdoe"]);
    assert!(incremental(&d, &["id:1002"]).is_empty());
    let jdoe = incremental(&d, &["account:jdoe", "-n", "0"]);
    assert!(!jdoe.is_empty());
    let webhost = incremental(&d, &["reseller:webhost", "-n", "0"]);
    assert!(
        jdoe.iter().all(|id| webhost.contains(id)),
        "{jdoe:?} {webhost:?}"
    );

    // back to the first commit: everything as it was
    d.git(&["checkout", "-q", &base]);
    assert!(incremental(&d, &["toaster"]).is_empty());
    assert!(incremental(&d, &["printer", "fire"]).is_empty());
    assert_eq!(incremental(&d, &["id:1002"]), ["1002"]);
    let jdoe = incremental(&d, &["account:jdoe", "-n", "0"]);
    let acme = incremental(&d, &["reseller:acme", "-n", "0"]);
    assert!(jdoe.iter().all(|id| acme.contains(id)), "{jdoe:?} {acme:?}");
    // and forward again
    d.git(&["checkout", "-q", "-"]);
    assert_eq!(incremental(&d, &["toaster"]), ["1041"]);
    assert_eq!(d.status(), "");
}

#[test]
fn tasks_and_articles_are_followed_too() {
    let d = TestDesk::example();
    d.ok(&["index"]);
    d.ok(&[
        "--as",
        "alice",
        "task",
        "new",
        "-t",
        "Rotate the zebra keys",
        "--assignee",
        "bob",
        "-d",
        "before the audit",
    ]);
    let tasks = incremental(&d, &["--kind", "task", "zebra"]);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(hits(&d, "bob", &["--kind", "task", "zebra"]), tasks);
    assert!(hits(&d, "carol", &["--kind", "task", "zebra"]).is_empty());
    d.ok(&[
        "--as",
        "alice",
        "kb",
        "new",
        "-t",
        "Giraffe tuning",
        "--slug",
        "giraffe",
        "-c",
        "Mail",
        "--tag",
        "dns",
        "-m",
        "Tune the giraffe weekly.",
    ]);
    assert_eq!(
        incremental(&d, &["kind:kb", "giraffe", "tag:dns", "category:mail"]),
        ["giraffe"]
    );
}

#[test]
fn following_edits_that_are_not_staged_can_be_turned_on() {
    let d = TestDesk::example();
    d.ok(&["index"]);
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("Scanner e-mails bounce", "Photocopier e-mails bounce");
    d.write("tickets/001/1017/ticket.yaml", &t);
    assert!(hits(&d, "alice", &["photocopier"]).is_empty());
    assert_eq!(incremental(&d, &["scanner"]), ["1017"]);
    d.git(&["commit", "-qam", "by hand"]);
    assert_eq!(incremental(&d, &["photocopier"]), ["1017"]);
    // turned on: edits that are not staged show at once
    d.git(&["config", "desk.searchWorkTree", "true"]);
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("Photocopier", "Fax machine");
    d.write("tickets/001/1017/ticket.yaml", &t);
    assert_eq!(incremental(&d, &["fax machine"]), ["1017"]);
    // ... and an edit undone by `git checkout -- FILE` drops out again
    d.git(&["checkout", "--", "tickets/001/1017/ticket.yaml"]);
    assert!(incremental(&d, &["fax"]).is_empty());
    assert_eq!(incremental(&d, &["photocopier"]), ["1017"]);
}

/// Issue 12 point 5: staged hand edits are followed, and so are edits undone by `git reset
/// --hard` or `git checkout HEAD -- FILE`, without `--rebuild`.
#[test]
fn staged_edits_and_their_undoing_are_followed() {
    let d = TestDesk::example();
    assert_eq!(incremental_or_built(&d, &["scanner"]), ["1017"]);
    let edit = |to: &str| {
        let t = d
            .read("tickets/001/1017/ticket.yaml")
            .replace("Scanner e-mails bounce", to);
        d.write("tickets/001/1017/ticket.yaml", &t);
        d.git(&["add", "tickets/001/1017/ticket.yaml"]);
    };
    edit("Photocopier e-mails bounce");
    assert_eq!(incremental(&d, &["photocopier"]), ["1017"]);
    assert!(incremental(&d, &["title:scanner"]).is_empty());
    // undone: noticed without --rebuild
    d.git(&["reset", "-q", "--hard"]);
    assert!(incremental(&d, &["photocopier"]).is_empty());
    assert_eq!(incremental(&d, &["scanner"]), ["1017"]);

    edit("Fax machine e-mails bounce");
    assert_eq!(incremental(&d, &["fax"]), ["1017"]);
    d.git(&["checkout", "HEAD", "--", "tickets/001/1017/ticket.yaml"]);
    assert!(incremental(&d, &["fax"]).is_empty());
    assert_eq!(incremental(&d, &["scanner"]), ["1017"]);

    // a staged new ticket and a staged removal; an account edit
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("id: 1017", "id: 1060")
        .replace("Scanner", "Zeppelin");
    d.write("tickets/001/1060/ticket.yaml", &t);
    d.git(&["add", "tickets/001/1060"]);
    assert_eq!(incremental(&d, &["zeppelin"]), ["1060"]);
    d.git(&["rm", "-rqf", "tickets/001/1060"]);
    assert!(incremental(&d, &["zeppelin"]).is_empty());
    assert_eq!(d.status(), "");
}

fn incremental_or_built(d: &TestDesk, args: &[&str]) -> Vec<String> {
    d.ok(&["index"]);
    incremental(d, args)
}

#[test]
fn a_damaged_or_outdated_index_is_rebuilt_with_a_message() {
    let d = TestDesk::example();
    assert_eq!(hits(&d, "alice", &["relay"]), ["1017"]);
    let dir = index_dir(&d);

    std::fs::write(dir.join("meta.json"), "garbage").unwrap();
    let r = d.run(&["--as", "alice", "search", "relay"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("building the search index: it cannot be read"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("1017"), "{}", r.stdout);

    // a truncated segment file
    let seg = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let len = std::fs::metadata(&seg).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let r = d.run(&["--as", "alice", "search", "relay"]);
    assert!(r.stderr.contains(BUILDING), "{}", r.stderr);
    assert!(r.stdout.contains("1017"), "{}", r.stdout);

    // written by another schema version
    let meta_path = dir.join("meta.json");
    let mut meta = json(&std::fs::read_to_string(&meta_path).unwrap());
    let mut state = json(meta["payload"].as_str().unwrap());
    state["schema"] = 0.into();
    meta["payload"] = state.to_string().into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let r = d.run(&["--as", "alice", "search", "relay"]);
    assert!(
        r.stderr.contains("written with schema version 0"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("1017"), "{}", r.stdout);

    // gone altogether
    std::fs::remove_dir_all(&dir).unwrap();
    let r = d.run(&["--as", "alice", "search", "relay"]);
    assert!(r.stderr.contains("there is none yet"), "{}", r.stderr);
    assert_eq!(incremental(&d, &["relay"]), ["1017"]);
}

#[test]
fn index_command_updates_rebuilds_and_reports() {
    let d = TestDesk::example();
    let out = d.ok(&["index"]);
    assert!(
        out.contains("rebuilt (there is none yet)")
            && out.contains("40 tickets, 6 tasks, 4 articles"),
        "{out}"
    );
    let out = d.ok(&["index"]);
    assert!(out.starts_with("search index up to date"), "{out}");
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "One more",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
    let v = json(&d.ok(&["--json", "index"]));
    assert_eq!(v["reindexed"], 1);
    assert_eq!(v["tickets"], 41);
    assert_eq!(v["commit"], d.head().as_str());
    let r = d.run(&["--json", "index", "--rebuild"]);
    assert!(
        r.stderr
            .contains("building the search index: asked to rebuild"),
        "{}",
        r.stderr
    );
    let v = json(&r.stdout);
    assert_eq!(v["rebuilt"], "asked to rebuild");
    assert_eq!(v["documents"], 41 + 6 + 4);
    // nothing of the index is in git
    assert_eq!(d.status(), "");
    assert!(!d.git(&["ls-files"]).contains("desk/"));
}

#[test]
fn concurrent_searches_agree_and_never_corrupt() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "Printer on fire",
        "--email",
        "john@doe.example",
        "-m",
        "x",
    ]);
    for round in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                d.cmd_in(&d.root)
                    .args(["--as", "alice", "--json", "search", "printer", "fire"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let v = json(&String::from_utf8_lossy(&o.stdout));
            assert_eq!(v["hits"][0]["id"], 1041, "round {round}");
        }
        d.ok(&[
            "--as",
            "bob",
            "ticket",
            "new",
            "-t",
            "Another printer on fire",
            "--email",
            "john@doe.example",
            "-m",
            "x",
        ]);
    }
    let v = json(&d.ok(&["--json", "index"]));
    assert_eq!(v["tickets"], 43);
}

#[test]
fn a_plain_directory_is_indexed_outside_it_and_follows_edits() {
    let d = TestDesk::empty();
    let plain = d.tmp.path().join("plain");
    copy_dir(&example_repo(), &plain);
    let run = |args: &[&str]| {
        let mut all = vec!["--as", "alice", "--json", "search"];
        all.extend_from_slice(args);
        let r = d.run_in(&plain, &all);
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r.stdout)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&["relay"]), [1017]);
    // the index is in the cache directory, not in the desk
    assert!(!plain.join(".git").exists());
    assert!(std::fs::read_dir(d.home().join("cache"))
        .unwrap()
        .next()
        .is_some());
    let path = plain.join("tickets/001/1017/ticket.yaml");
    let t = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Scanner e-mails bounce", "Photocopier e-mails bounce");
    std::fs::write(&path, t).unwrap();
    assert_eq!(run(&["photocopier"]), [1017]);
    std::fs::remove_dir_all(plain.join("tickets/001/1004")).unwrap();
    assert!(run(&["id:1004"]).is_empty());
}

#[test]
fn a_bare_desk_keeps_its_index_in_the_git_dir() {
    let d = TestDesk::example();
    d.git(&["clone", "-q", "--bare", ".", "../server.git"]);
    let bare = d.tmp.path().join("server.git");
    let r = d.run_in(&bare, &["--as", "alice", "--json", "search", "relay"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r.stdout)["hits"][0]["id"], 1017);
    assert!(bare.join("desk/search/meta.json").is_file());
    let r = d.run_in(
        &bare,
        &[
            "--as",
            "alice",
            "ticket",
            "new",
            "-t",
            "Server side",
            "--email",
            "c@x.example",
            "-m",
            "x",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = d.run_in(
        &bare,
        &["--as", "alice", "--json", "search", "server", "side"],
    );
    assert!(!r.stderr.contains(BUILDING), "{}", r.stderr);
    assert_eq!(json(&r.stdout)["hits"][0]["id"], 1041);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Queries an index kept current by updates and one built from scratch must answer alike:
/// words and phrases, every kind of field, date ranges (fast fields only since schema 4),
/// ids, tasks and articles. Sorted by id, so that scores (which deleted documents still
/// left in an updated index's segments shift) do not reorder them.
const COMPARED: &[&str] = &[
    "zeppelin",
    "alert script",
    "\"not a comment\"",
    "relay",
    "photocopier",
    "status:open",
    "queue:billing",
    "priority:50..",
    "assignee:bob",
    "assignee:nobody",
    "account:jdoe",
    "reseller:webhost",
    "reseller:acme",
    "author:bob",
    "email:example.org",
    "file:error-log",
    "created:2026-10-01..2026-11-30",
    "updated:>2026-11-05",
    "closed:>2026-01-01",
    "answered:2026-11-01..2027-01-01",
    "id:1017",
    "id:1005",
    "printer OR invoice",
];

/// Every answer to [`COMPARED`] (all kinds, all hits, by id), asked in `cwd`.
fn answers(d: &TestDesk, cwd: &std::path::Path) -> Vec<serde_json::Value> {
    COMPARED
        .iter()
        .map(|q| {
            let r = d.run_in(
                cwd,
                &[
                    "--as", "alice", "--json", "search", "--kind", "all", "--sort", "id", "-n",
                    "0", q,
                ],
            );
            assert_eq!(r.code, 0, "{q}: {}", r.stderr);
            assert!(!r.stderr.contains(BUILDING), "{q}: rebuilt: {}", r.stderr);
            let mut v = json(&r.stdout);
            v["query"] = (*q).into();
            v
        })
        .collect()
}

#[test]
fn a_rebuilt_index_answers_as_the_updated_one() {
    let d = TestDesk::example();
    d.ok(&["index"]);
    // hostile text: YAML, HTML and quotes in a body
    let body = "key: value\n- item\n<script>alert(1)</script> \"quoted\" 'single'\n\
                # not a comment\n  indented: [x\n";
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "Zeppelin landing",
        "--email",
        "Zed@Example.org",
        "-m",
        body,
    ]);
    assert_eq!(incremental(&d, &["zeppelin"]), ["1041"]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        "1017",
        "-m",
        "Zeppelin parts ordered.",
    ]);
    let mut both = incremental(&d, &["zeppelin"]);
    both.sort();
    assert_eq!(both, ["1017", "1041"]);
    // committed by hand: a broken message, a file that is not a message, a broken
    // ticket.yaml and an account moved to another reseller
    let broken_msg = "tickets/001/1017/messages/20261126T000000Z-alice-0001.yaml";
    d.write(broken_msg, "at: [\nbody: zeppelin\n");
    d.write("tickets/001/1017/messages/notes.txt", "zeppelin");
    d.write("tickets/001/1005/ticket.yaml", "id: [\n");
    d.write("tickets/001/junk/ticket.yaml", "id: 1099\n");
    let a = d
        .read("accounts/jdoe.yaml")
        .replace("reseller: acme", "reseller: webhost");
    d.write("accounts/jdoe.yaml", &a);
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", "by hand"]);
    assert!(incremental(&d, &["id:1005"]).is_empty());
    // staged, not committed: read from the work tree by both
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("Scanner e-mails bounce", "Photocopier e-mails bounce");
    d.write("tickets/001/1017/ticket.yaml", &t);
    d.git(&["add", "tickets/001/1017/ticket.yaml"]);
    assert_eq!(incremental(&d, &["photocopier"]), ["1017"]);

    let updated = answers(&d, &d.path(""));
    let r = d.run(&["index", "--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for named in [
        broken_msg,
        "tickets/001/1017/messages/notes.txt",
        "tickets/001/1005/ticket.yaml",
        "tickets/001/junk",
    ] {
        assert!(
            r.stderr.contains(named),
            "{named} not reported: {}",
            r.stderr
        );
    }
    let rebuilt = answers(&d, &d.path(""));
    for (u, b) in updated.iter().zip(&rebuilt) {
        assert_eq!(u, b, "{}", u["query"]);
    }
    // they found something: the comparison is not between two empty answers
    let found = |q: &str| updated.iter().find(|v| v["query"] == q).unwrap()["total"].clone();
    assert_eq!(found("zeppelin"), 2);
    assert_eq!(found("photocopier"), 1);
    assert_eq!(found("id:1005"), 0);
    assert!(found("reseller:webhost").as_u64().unwrap() >= 1);
    assert!(found("created:2026-10-01..2026-11-30").as_u64().unwrap() >= 5);
    assert_eq!(found("file:error-log"), 1);
    assert_eq!(d.status().trim_end(), "M  tickets/001/1017/ticket.yaml");

    // a bare desk: the same, built there and updated by a mutation there
    d.git(&["clone", "-q", "--bare", ".", "../server.git"]);
    let bare = d.tmp.path().join("server.git");
    let r = d.run_in(&bare, &["--as", "alice", "search", "zeppelin"]);
    assert!(r.stderr.contains("there is none yet"), "{}", r.stderr);
    let r = d.run_in(
        &bare,
        &[
            "--as",
            "bob",
            "ticket",
            "note",
            "1002",
            "-m",
            "Zeppelin on the roof.",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let updated = answers(&d, &bare);
    let r = d.run_in(&bare, &["index", "--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(broken_msg), "{}", r.stderr);
    let rebuilt = answers(&d, &bare);
    for (u, b) in updated.iter().zip(&rebuilt) {
        assert_eq!(u, b, "{}", u["query"]);
    }
    let zeppelin = &rebuilt[0];
    assert_eq!(zeppelin["total"], 3, "{zeppelin}");
}
