//! The catalog of ticket summaries (`store::catalog`) stays right: after every kind of
//! mutation, hand edits committed or staged with git, checkouts, resets, a rebase, a sync
//! that brings others' commits, a deleted or corrupt cache file and two processes
//! refreshing at once. Each state is compared with an oracle that reads the YAML files
//! directly, both through the library and through `ticket list --json`.

use std::path::Path;

use git_desk::model::TicketId;
use git_desk::store::catalog::{Catalog, LastMessage, Summary};
use git_desk::store::{DeskRead, FsSource};

use crate::support::*;

/// What the catalog must hold for the committed desk `root` (a clean work tree): every
/// ticket file parsed directly.
fn oracle(root: &Path) -> Vec<Summary<'static>> {
    let src = FsSource::new(root);
    let mut out = Vec::new();
    for id in src.ticket_ids().unwrap().items {
        let Ok(Some(t)) = src.ticket(id) else {
            continue;
        };
        let msgs = src.messages(id).unwrap();
        let count = msgs.items.len() + msgs.problems.len();
        let last = msgs.items.last().map(|(_, m)| LastMessage {
            at: m.at.unix(),
            author: m.author.as_str().into(),
            kind: m.kind,
        });
        let mut s = Summary::of(&t, count as u32, last);
        // The SLA clock's marks and the time totals, from every message.
        let heads: Vec<_> = msgs
            .items
            .iter()
            .map(|(_, m)| (m.at, m.kind, m.time))
            .collect();
        s.set_thread(&heads);
        out.push(s);
    }
    out
}

fn catalog(root: &Path) -> Catalog {
    let desk = git_desk::store::Desk::open(root).unwrap();
    Catalog::open(&desk).unwrap()
}

/// The catalog of `root` (library and `ticket list`) equals the oracle.
fn check_at(d: &TestDesk, root: &Path, when: &str) {
    let want = oracle(root);
    let got = catalog(root);
    let view = got.view().unwrap();
    let rows: Vec<Summary<'_>> = view.tickets().collect();
    assert_eq!(rows, want, "catalog after {when}");
    // Each row's key (what lists filter on before decoding) agrees with its summary.
    for e in view.entries() {
        let (k, s) = (e.key(), e.summary().unwrap());
        assert_eq!(e.id(), s.id, "{when}");
        assert_eq!(k.status, Some(s.status), "{when}: #{}", s.id);
        assert_eq!(k.priority, s.priority, "{when}: #{}", s.id);
        assert_eq!(k.queue, s.queue, "{when}: #{}", s.id);
        assert_eq!(k.assignee, s.assignee, "{when}: #{}", s.id);
        assert_eq!(k.snoozed_until, s.snoozed_until, "{when}: #{}", s.id);
        assert_eq!(k.answered_at, s.answered_at, "{when}: #{}", s.id);
    }
    assert!(view.problems().is_empty(), "{when}: {:?}", view.problems());
    let r = d.run_in(
        root,
        &[
            "--as", "alice", "--json", "ticket", "list", "--all", "--sort", "id",
        ],
    );
    assert_eq!(r.code, 0, "{when}: {}", r.stderr);
    let listed = &json(&r.stdout)[0]["tickets"];
    let want_json: Vec<serde_json::Value> = want
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s.ticket().unwrap()).unwrap();
            // `ticket list` adds the time logged, when there is some.
            if s.minutes > 0 {
                v["time"] = serde_json::json!({
                    "minutes": s.minutes,
                    "billable_minutes": s.billable_minutes,
                });
            }
            v
        })
        .collect();
    assert_eq!(
        listed,
        &serde_json::Value::Array(want_json),
        "list after {when}"
    );
    // A list of working tickets reads only the buckets holding some: the same tickets.
    let r = d.run_in(
        root,
        &[
            "--as", "alice", "--json", "ticket", "list", "--sort", "id", "-s", "new", "-s", "open",
            "-s", "answered",
        ],
    );
    assert_eq!(r.code, 0, "{when}: {}", r.stderr);
    let ids = |v: &serde_json::Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|t| t["snoozed_until"].is_null())
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    let working: Vec<u64> = want
        .iter()
        .filter(|s| !s.status.is_done() && s.snoozed_until.is_none())
        .map(|s| s.id)
        .collect();
    assert_eq!(
        ids(&json(&r.stdout)[0]["tickets"]),
        working,
        "working list after {when}"
    );
}

fn check(d: &TestDesk, when: &str) {
    assert_eq!(d.status(), "", "{when}: the work tree is not clean");
    check_at(d, &d.root, when);
}

#[test]
fn follows_every_kind_of_mutation() {
    let mut d = TestDesk::example();
    check(&d, "init");
    let steps: &[&[&str]] = &[
        &[
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
        ],
        &[
            "--as", "bob", "ticket", "answer", "1041", "--pickup", "-m", "Water.",
        ],
        &["--as", "bob", "ticket", "note", "1041", "-m", "Internal."],
        &[
            "--as",
            "bob",
            "ticket",
            "note",
            "1041",
            "-m",
            "Fixed.",
            "--time",
            "20m",
            "--billable",
        ],
        &["--as", "bob", "ticket", "time", "1041", "15m"],
        &[
            "--as",
            "alice",
            "ticket",
            "reply",
            "1041",
            "--from",
            "john@doe.example",
            "-m",
            "Still burning.",
        ],
        &[
            "--as", "alice", "ticket", "assign", "1039", "bob", "--sticky",
        ],
        &["--as", "bob", "ticket", "release", "1039"],
        &["--as", "bob", "ticket", "pickup", "1039"],
        &["--as", "alice", "ticket", "edit", "1037", "--priority", "1"],
        &["--as", "alice", "ticket", "resolve", "1037"],
        &["--as", "alice", "ticket", "reopen", "1037"],
        &["--as", "alice", "ticket", "close", "1037"],
        &[
            "--as", "alice", "ticket", "merge", "1023", "--into", "1017", "--force",
        ],
        &["--as", "alice", "ticket", "delete", "1040"],
        &[
            "--as",
            "alice",
            "search",
            "queue:billing",
            "--mass",
            "priority=77",
            "--yes",
        ],
        &[
            "--as",
            "alice",
            "queue",
            "delete",
            "sales",
            "--move-to",
            "billing",
        ],
    ];
    for args in steps {
        d.ok(args);
        check(&d, &args.join(" "));
    }
    d.now = "2026-12-20T12:00:00Z".into();
    d.ok(&["--as", "alice", "autoclose"]);
    check(&d, "autoclose");
}

#[test]
fn follows_git_commits_checkouts_resets_and_rebases() {
    let d = TestDesk::example();
    check(&d, "init");
    let base = d.head();
    // a hand edit committed with git
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("Scanner e-mails bounce", "Photocopier e-mails bounce")
        .replace("priority: ", "priority: 9\nx_old_priority: ");
    d.write("tickets/001/1017/ticket.yaml", &t);
    d.git(&["commit", "-qam", "retitle by hand"]);
    check(&d, "a hand edit committed");
    // a ticket removed and one added by hand
    d.git(&["rm", "-rq", "tickets/001/1002"]);
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("id: 1017", "id: 2050");
    d.write("tickets/002/2050/ticket.yaml", &t);
    d.git(&["add", "tickets/002/2050"]);
    d.git(&["commit", "-qm", "by hand"]);
    check(&d, "a ticket removed and one added in a new bucket");
    let edited = d.head();
    d.ok(&["--as", "bob", "ticket", "note", "1017", "-m", "A note."]);
    check(&d, "a note");

    d.git(&["checkout", "-q", &base]);
    check(&d, "checkout of the first commit");
    d.git(&["checkout", "-q", "-"]);
    check(&d, "checkout back");
    d.git(&["reset", "-q", "--hard", &edited]);
    check(&d, "reset --hard");

    // a rebase: a side branch from the base, rebased onto main
    d.git(&["checkout", "-q", "-b", "side", &base]);
    d.ok(&["--as", "alice", "ticket", "close", "1039"]);
    d.git(&["rebase", "-q", "main"]);
    check(&d, "a rebase");
    d.git(&["checkout", "-q", "main"]);
    check(&d, "back on main");
}

#[test]
fn staged_hand_edits_show_and_undoing_them_is_noticed() {
    let d = TestDesk::example();
    check(&d, "init");
    let t = d
        .read("tickets/001/1017/ticket.yaml")
        .replace("Scanner e-mails bounce", "Photocopier e-mails bounce");
    d.write("tickets/001/1017/ticket.yaml", &t);
    // not staged: the catalog shows HEAD
    let title = |d: &TestDesk| {
        catalog(&d.root)
            .view()
            .unwrap()
            .get(TicketId::new(1017).unwrap())
            .map(|s| s.title.split(':').next().unwrap().to_owned())
    };
    assert_eq!(title(&d).as_deref(), Some("Scanner e-mails bounce"));
    d.git(&["add", "tickets/001/1017/ticket.yaml"]);
    assert_eq!(title(&d).as_deref(), Some("Photocopier e-mails bounce"));
    let listed = d.ok(&["--as", "alice", "ticket", "list", "--all"]);
    assert!(listed.contains("Photocopier e-mails bounce"), "{listed}");
    // a staged removal
    d.git(&["rm", "-rq", "--cached", "tickets/001/1002"]);
    assert!(catalog(&d.root)
        .view()
        .unwrap()
        .get(TicketId::new(1002).unwrap())
        .is_none());
    d.git(&["reset", "-q", "--hard"]);
    assert_eq!(title(&d).as_deref(), Some("Scanner e-mails bounce"));
    check(&d, "reset --hard");
}

/// git-desk's own commit records that the index it wrote holds nothing staged (so the next
/// reader skips reading git's whole index); a `git add` after it must still be seen, and
/// an edit staged before it must survive it.
#[test]
fn staged_edits_around_git_desks_own_commits_are_seen() {
    let d = TestDesk::example();
    check(&d, "init");
    let kept = d.root.join(".git/desk/catalog-staged.bin");
    let before = std::fs::read(&kept).expect("the staged check keeps its result");
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "note",
        "1017",
        "-m",
        "Looking into it.",
    ]);
    // The commit itself replaced the kept result (for the new HEAD), before any reader ran.
    let after = std::fs::read(&kept).expect("kept after the commit");
    assert_ne!(before, after, "the commit did not record its index");
    check(&d, "a note by git-desk");

    // A hand edit staged right after git-desk's commit shows.
    let title = |d: &TestDesk, id: u64| {
        catalog(&d.root)
            .view()
            .unwrap()
            .get(TicketId::new(id).unwrap())
            .map(|s| s.title.to_string())
    };
    let t = d.read("tickets/001/1017/ticket.yaml").replace(
        "Scanner e-mails bounce",
        "Fax <script>alert(1)</script> bounces",
    );
    d.write("tickets/001/1017/ticket.yaml", &t);
    d.git(&["add", "tickets/001/1017/ticket.yaml"]);
    let listed = d.ok(&["--as", "alice", "ticket", "list", "--all"]);
    assert!(
        listed.contains("Fax <script>alert(1)</script> bounces"),
        "{listed}"
    );

    // Another git-desk commit (another ticket) while that edit is staged: it stays seen.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "note",
        "1002",
        "-m",
        "Still here.",
    ]);
    assert!(title(&d, 1017).unwrap().starts_with("Fax <script>"));
    let listed = d.ok(&["--as", "alice", "ticket", "list", "--all"]);
    assert!(
        listed.contains("Fax <script>alert(1)</script> bounces"),
        "{listed}"
    );

    // A staged edit that breaks the YAML, staged after a git-desk commit: reported as broken.
    d.git(&["reset", "-q", "--hard"]);
    d.ok(&["--as", "alice", "ticket", "list", "--all"]);
    d.ok(&["--as", "alice", "ticket", "note", "1017", "-m", "Again."]);
    d.write("tickets/001/1002/ticket.yaml", "title: [unclosed\n");
    d.git(&["add", "tickets/001/1002/ticket.yaml"]);
    let view_of = catalog(&d.root);
    let view = view_of.view().unwrap();
    assert!(view.get(TicketId::new(1002).unwrap()).is_none());
    let problems = view.problems();
    assert!(
        problems.iter().any(|p| format!("{p:?}").contains("1002")),
        "{problems:?}"
    );
    d.git(&["reset", "-q", "--hard"]);
    check(&d, "reset --hard after the broken edit");
}

#[test]
fn a_sync_bringing_others_commits_is_followed() {
    let d = TestDesk::example();
    let server = d.tmp.path().join("server.git");
    d.git(&[
        "clone",
        "-q",
        "--bare",
        d.root.to_str().unwrap(),
        server.to_str().unwrap(),
    ]);
    d.git(&["remote", "add", "origin", server.to_str().unwrap()]);
    d.git(&["fetch", "-q", "origin"]);
    d.git(&["branch", "-q", "--set-upstream-to", "origin/main"]);
    let other = d.tmp.path().join("other");
    d.git(&[
        "clone",
        "-q",
        server.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    check(&d, "init");
    let ok = |cwd: &Path, args: &[&str]| {
        let r = d.run_in(cwd, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    };
    ok(
        &other,
        &[
            "--as",
            "bob",
            "ticket",
            "note",
            "1017",
            "-m",
            "From the other clone.",
        ],
    );
    ok(&other, &["--as", "alice", "ticket", "close", "1039"]);
    ok(&other, &["--as", "alice", "sync", "--no-mail"]);
    ok(
        &d.root,
        &["--as", "bob", "ticket", "note", "1020", "-m", "Mine."],
    );
    ok(&d.root, &["--as", "alice", "sync", "--no-mail"]);
    check(&d, "a sync bringing others' commits");
    check_at(&d, &other, "the other clone");
}

#[test]
fn a_missing_or_corrupt_cache_is_rebuilt() {
    let d = TestDesk::example();
    check(&d, "init");
    let file = d.path(".git/desk/catalog.bin");
    assert!(file.is_file());
    std::fs::remove_file(&file).unwrap();
    check(&d, "the cache deleted");
    assert!(file.is_file());
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes.truncate(n / 2);
    std::fs::write(&file, &bytes).unwrap();
    check(&d, "the cache cut in half");
    std::fs::write(&file, b"GDCATLG\0\x01\0\0\0garbage that is not a catalog").unwrap();
    check(&d, "garbage in the cache");
    // another format version
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[8] = 0xfe;
    std::fs::write(&file, &bytes).unwrap();
    check(&d, "an unknown version");
    std::fs::write(d.path(".git/desk/catalog-staged.bin"), b"junk").unwrap();
    check(&d, "a corrupt staged cache");

    // The buckets' part files: one deleted, one cut, one with another bucket's bytes.
    let parts = || -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(d.path(".git/desk/catalog"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let before = parts();
    assert!(!before.is_empty(), "one part file per bucket");
    std::fs::remove_file(&before[0]).unwrap();
    check(&d, "a part file deleted");
    assert_eq!(parts(), before, "the deleted part is written again");
    let bytes = std::fs::read(&before[0]).unwrap();
    std::fs::write(&before[0], &bytes[..bytes.len() / 2]).unwrap();
    check(&d, "a part file cut in half");
    if before.len() > 1 {
        std::fs::copy(&before[1], &before[0]).unwrap();
        check(&d, "a part file holding another bucket");
    }
    // After a commit the changed bucket's part replaces its old one; no part is left over.
    d.ok(&["--as", "bob", "ticket", "note", "1010", "-m", "A note."]);
    check(&d, "a note");
    assert_eq!(parts().len(), before.len(), "{:?}", parts());
}

#[test]
fn two_processes_refreshing_at_once_agree() {
    let d = TestDesk::example();
    d.ok(&["--as", "alice", "ticket", "list"]);
    // many changes at once, then two readers race to refresh
    d.ok(&[
        "--as",
        "alice",
        "search",
        "queue:general",
        "--mass",
        "priority=3",
        "--yes",
    ]);
    let spawn = || {
        d.cmd_in(&d.root)
            .args([
                "--as", "alice", "--json", "ticket", "list", "--all", "--sort", "id",
            ])
            .output()
            .unwrap()
    };
    for _ in 0..3 {
        std::fs::remove_file(d.path(".git/desk/catalog.bin")).ok();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(spawn);
            let b = s.spawn(spawn);
            (a.join().unwrap(), b.join().unwrap())
        });
        assert!(a.status.success() && b.status.success());
        assert_eq!(a.stdout, b.stdout);
    }
    check(&d, "two refreshes at once");
}

#[test]
fn long_lists_show_a_limited_page_per_section_and_say_how_many_there_are() {
    let d = TestDesk::example();
    let all = json(&d.ok(&[
        "--as", "alice", "--json", "ticket", "list", "--all", "--sort", "id", "-n", "0",
    ]));
    let ids = |section: &serde_json::Value| -> Vec<u64> {
        section["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    let every = ids(&all[0]);
    assert!(every.len() > 5, "{every:?}");
    assert_eq!(all[0]["total"], every.len());
    // The first N of the same order, and the total unchanged.
    let some = json(&d.ok(&[
        "--as", "alice", "--json", "ticket", "list", "--all", "--sort", "id", "--limit", "3",
    ]));
    assert_eq!(ids(&some[0]), every[..3]);
    assert_eq!(some[0]["total"], every.len());
    let text = d.ok(&["--as", "alice", "ticket", "list", "--all", "-n", "3"]);
    assert!(
        text.contains(&format!("Tickets ({})", every.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!("showing 3 of {} (--limit N", every.len())),
        "{text}"
    );
    // Under the limit, nothing is said.
    let text = d.ok(&["--as", "alice", "ticket", "list", "--all"]);
    assert!(!text.contains("showing"), "{text}");
    // Not a number: refused by name.
    let r = d.run(&["--as", "alice", "ticket", "list", "--limit", "many"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--limit"), "{}", r.stderr);
}
