//! Tasks across the desk: notes written in two clones at once surviving a merge, and the
//! tasks a ticket shows.

use std::path::Path;

use crate::support::*;

#[test]
fn a_ticket_shows_its_linked_tasks_to_those_who_may_see_them() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "bob",
        "task",
        "new",
        "-t",
        "Follow up the hosting move",
        "--ticket",
        "1018",
    ]);
    let out = d.ok(&["--as", "bob", "ticket", "show", "1018"]);
    assert!(
        out.contains("Tasks        7 Follow up the hosting move (bob, open)"),
        "{out}"
    );
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", "1018"]));
    assert_eq!(v["tasks"][0]["id"], 7);
    // Ticket 1018 is in general, which everyone sees, but bob's task is not carol's to see;
    // dave, a tasks admin, sees it.
    let v = json(&d.ok(&["--as", "carol", "--json", "ticket", "show", "1018"]));
    assert_eq!(v["tasks"], serde_json::json!([]));
    let v = json(&d.ok(&["--as", "dave", "--json", "ticket", "show", "1018"]));
    assert_eq!(v["tasks"][0]["assignee"], "bob");
}

fn git_in(d: &TestDesk, dir: &Path, args: &[&str]) -> String {
    let o = isolated("git", &d.home(), dir)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        o.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn desk_in(d: &TestDesk, dir: &Path, seed: &str, args: &[&str]) -> String {
    let o = d
        .cmd_in(dir)
        .env("GIT_DESK_SEED", seed)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git-desk {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn notes_from_two_clones_both_survive_a_merge() {
    let d = TestDesk::example();
    let tmp = d.tmp.path();
    let remote = tmp.join("remote.git");
    git_in(
        &d,
        tmp,
        &[
            "clone",
            "--quiet",
            "--bare",
            d.root.to_str().unwrap(),
            remote.to_str().unwrap(),
        ],
    );
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    for c in [&a, &b] {
        git_in(
            &d,
            tmp,
            &[
                "clone",
                "--quiet",
                remote.to_str().unwrap(),
                c.to_str().unwrap(),
            ],
        );
    }
    let branch = git_in(&d, &a, &["symbolic-ref", "--short", "HEAD"])
        .trim()
        .to_owned();
    desk_in(
        &d,
        &a,
        "1",
        &["--as", "bob", "task", "note", "1", "-m", "From clone A."],
    );
    desk_in(
        &d,
        &b,
        "2",
        &["--as", "alice", "task", "note", "1", "-m", "From clone B."],
    );
    git_in(&d, &a, &["push", "--quiet", "origin", &branch]);
    git_in(
        &d,
        &b,
        &[
            "pull",
            "--quiet",
            "--no-rebase",
            "--no-edit",
            "origin",
            &branch,
        ],
    );
    let v = json(&desk_in(
        &d,
        &b,
        "3",
        &["--as", "alice", "--json", "task", "show", "1"],
    ));
    let bodies: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().trim())
        .collect();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(
        bodies.contains(&"From clone A.") && bodies.contains(&"From clone B."),
        "{bodies:?}"
    );
    let show = desk_in(&d, &b, "3", &["--as", "alice", "task", "show", "1"]);
    assert!(
        show.contains("note by bob ---\nFrom clone A.")
            && show.contains("note by alice ---\nFrom clone B."),
        "{show}"
    );
    // The merge is a real two-parent commit and the desk is still valid.
    assert_eq!(
        git_in(&d, &b, &["rev-list", "--parents", "-1", "HEAD"])
            .split_whitespace()
            .count(),
        3
    );
    desk_in(&d, &b, "3", &["check"]);
}
