//! Mass actions on a search result: the plan without --yes, a dry run, one commit with a
//! `Desk-Ticket` line per ticket, all or nothing, already-done tickets skipped, and the
//! index following every kind of ticket mutation.

use crate::search::hits;
use crate::support::*;

fn mass(d: &TestDesk, as_: &str, query: &str, action: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--as", as_, "search", query, "--mass", action];
    args.extend_from_slice(extra);
    d.run(&args)
}

fn field(d: &TestDesk, id: &str, name: &str) -> String {
    let text = d.read(&format!("tickets/001/{id}/ticket.yaml"));
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap();
    line[name.len() + 2..].to_owned()
}

#[test]
fn plan_dry_run_then_one_commit_with_a_line_per_ticket() {
    let d = TestDesk::example();
    let ids = hits(&d, "alice", &["status:open", "queue:general", "-n", "0"]);
    assert!(ids.len() >= 3);
    let before = d.commit_count();
    // The plan alone is a success (exit 0) that changes nothing.
    let r = mass(&d, "dave", "status:open queue:general", "close", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("run again with --yes"), "{}", r.stderr);
    assert!(!r.stderr.contains("error"), "{}", r.stderr);
    assert_eq!(d.commit_count(), before);
    assert!(r.stdout.contains("would close"), "{}", r.stdout);
    let r = mass(
        &d,
        "dave",
        "status:open queue:general",
        "close",
        &["--dry-run"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("dry run: nothing changed"),
        "{}",
        r.stderr
    );
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");

    let r = mass(&d, "dave", "status:open queue:general", "close", &["--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(d.commit_count(), before + 1);
    let msg = d.last_message();
    assert!(msg.contains("Desk-Op: ticket.mass\n"), "{msg}");
    assert!(msg.contains("Desk-Actor: dave\n"), "{msg}");
    for id in &ids {
        assert!(
            msg.contains(&format!("Desk-Ticket: {id}\n")),
            "{id} missing in {msg}"
        );
        assert_eq!(field(&d, id, "status"), "closed");
    }
    assert_eq!(msg.matches("Desk-Ticket:").count(), ids.len());
    assert_eq!(d.status(), "");
    assert!(hits(&d, "alice", &["status:open", "queue:general"]).is_empty());
    // a second run: all already closed, nothing to commit
    let r = mass(
        &d,
        "dave",
        "queue:general status:closed",
        "close",
        &["--yes"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("skipped, it is already closed"),
        "{}",
        r.stdout
    );
    assert_eq!(d.commit_count(), before + 1);
}

#[test]
fn all_or_nothing_and_permissions() {
    let d = TestDesk::example();
    let before = d.commit_count();
    // bob lacks tickets.mass
    let r = mass(&d, "bob", "status:open", "close", &["--yes"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("bob may not use mass actions: the permission `tickets.mass` is needed"),
        "{}",
        r.stderr
    );
    // dave may mass-act but not take tickets from others: releasing a set that holds bob's
    // tickets and his own is refused as a whole
    let set = "assignee:bob,dave";
    let theirs = hits(&d, "alice", &[set, "-n", "0"]);
    let daves = hits(&d, "alice", &["assignee:dave", "-n", "0"]);
    assert!(!daves.is_empty() && theirs.len() > daves.len());
    let r = mass(&d, "dave", set, "release", &["--yes"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("tickets.assign_others"), "{}", r.stderr);
    assert_eq!(d.commit_count(), before);
    for id in &daves {
        assert_eq!(field(&d, id, "assignee"), "dave");
    }
    assert_eq!(d.status(), "");
    // --mass acts on tickets only
    let r = d.run(&["--as", "alice", "search", "--kind", "kb", "--mass", "close"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("tickets only"), "{}", r.stderr);
    let r = d.run(&["--as", "alice", "search", "--mass", "explode"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a mass action"), "{}", r.stderr);
}

#[test]
fn assign_queue_priority_and_delete() {
    let d = TestDesk::example();
    let q = "status:new queue:general";
    let ids = hits(&d, "alice", &[q, "-n", "0"]);
    assert!(ids.len() >= 2);
    assert_eq!(mass(&d, "alice", q, "assign=bob", &["--yes"]).code, 0);
    assert_eq!(
        mass(
            &d,
            "alice",
            "assignee:bob status:open",
            "priority=95",
            &["--yes"]
        )
        .code,
        0
    );
    assert_eq!(
        mass(&d, "alice", "priority:95", "queue=billing", &["--yes"]).code,
        0
    );
    for id in &ids {
        assert_eq!(field(&d, id, "assignee"), "bob");
        assert_eq!(field(&d, id, "priority"), "95");
        assert_eq!(field(&d, id, "queue"), "billing");
    }
    let moved: std::collections::BTreeSet<_> =
        hits(&d, "alice", &["queue:billing", "priority:95", "-n", "0"])
            .into_iter()
            .collect();
    assert!(ids.iter().all(|i| moved.contains(i)));
    let n = moved.len();
    let r = d.run(&[
        "--as",
        "dave",
        "--json",
        "search",
        "queue:billing priority:95",
        "--mass",
        "delete",
        "--yes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(v["done"].as_array().unwrap().len(), n);
    assert!(v["commit"].is_string());
    for id in &ids {
        assert!(!d.path(&format!("tickets/001/{id}")).exists());
    }
    assert!(hits(&d, "alice", &["queue:billing priority:95"]).is_empty());
}

#[test]
fn the_index_follows_every_kind_of_ticket_mutation() {
    let d = TestDesk::example();
    let q = |args: &[&str]| {
        let mut all = vec!["--as", "alice", "--json", "search"];
        all.extend_from_slice(args);
        let r = d.run(&all);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            !r.stderr.contains("building the search index"),
            "{:?}: {}",
            args,
            r.stderr
        );
        json(&r.stdout)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    d.ok(&["index"]);
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "note",
        "1017",
        "-m",
        "the flux capacitor is loose",
    ]);
    assert_eq!(q(&["flux capacitor"]), [1017]);
    d.ok(&["--as", "alice", "ticket", "assign", "1017", "bob"]);
    assert!(q(&["assignee:bob", "-n", "0"]).contains(&1017));
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1017",
        "-m",
        "tightened the warp coil",
    ]);
    assert_eq!(q(&["warp coil"]), [1017]);
    d.ok(&["--as", "alice", "ticket", "close", "1017"]);
    assert_eq!(q(&["id:1017 status:closed"]), [1017]);
    d.ok(&["--as", "alice", "ticket", "reopen", "1017"]);
    assert_eq!(q(&["id:1017 status:open"]), [1017]);
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "edit",
        "1017",
        "--queue",
        "billing",
        "--priority",
        "91",
    ]);
    assert_eq!(q(&["queue:billing priority:91"]), [1017]);
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "reply",
        "1017",
        "--from",
        "x@customer.example",
        "-m",
        "still a hyperdrive problem",
    ]);
    assert_eq!(q(&["hyperdrive"]), [1017]);
    d.ok(&[
        "--as", "alice", "ticket", "merge", "1023", "--into", "1017", "--force",
    ]);
    assert!(q(&["id:1023"]).is_empty());
    let spam = q(&["spam", "-n", "0"]);
    assert!(spam.contains(&1017), "{spam:?}");
    d.ok(&["--as", "alice", "ticket", "delete", "1017"]);
    assert!(q(&["flux capacitor"]).is_empty());
    assert!(q(&["id:1017"]).is_empty());
}
