//! The Task System: each command, its permission refusals and linked tickets in "Task
//! Info" (notes from two clones and the ticket side are in `task_links`).

use crate::support::*;

fn task_file(d: &TestDesk, id: u32) -> String {
    d.read(&format!("tasks/000/{id}/task.yaml"))
}

#[test]
fn task_new_for_oneself_is_one_commit_with_trailers() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let out = d.ok(&[
        "--as",
        "bob",
        "task",
        "new",
        "-t",
        "Check the backups",
        "--due",
        "2026-12-01",
        "--ticket",
        "1001",
        "-d",
        "All four web servers.",
    ]);
    assert_eq!(out.trim(), "task 7 created");
    assert_eq!(d.commit_count(), before + 1);
    assert_eq!(d.last_paths(), ["ids.yaml", "tasks/000/7/task.yaml"]);
    let msg = d.last_message();
    assert!(
        msg.starts_with("task 7: new \"Check the backups\" for bob\n"),
        "{msg}"
    );
    for t in ["Desk-Op: task.new", "Desk-Task: 7", "Desk-Actor: bob"] {
        assert!(msg.contains(t), "missing {t} in {msg}");
    }
    let f = task_file(&d, 7);
    for line in [
        "id: 7\n",
        "assignee: bob\n",
        "created_by: bob\n",
        "status: open\n",
        "due: 2026-12-01\n",
        "tickets:\n- 1001\n",
        "created_at: 2026-11-27T12:00:00Z\n",
        "done_at: null\n",
        "details: |\n  All four web servers.\n",
    ] {
        assert!(f.contains(line), "missing {line:?} in\n{f}");
    }
    assert_eq!(d.status(), "");
    d.ok(&["check"]);
    // An admin assigns to someone else.
    let out = d.ok(&[
        "--as",
        "dave",
        "--json",
        "task",
        "new",
        "-t",
        "Call the registrar",
        "--assignee",
        "carol",
    ]);
    assert_eq!(json(&out)["id"], 8);
    assert!(task_file(&d, 8).contains("assignee: carol\ncreated_by: dave\n"));
}

#[test]
fn task_permissions_are_enforced_and_leave_no_commit() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--as",
                "bob",
                "task",
                "new",
                "-t",
                "x",
                "--assignee",
                "carol",
            ],
            "`tasks.admin` is needed",
        ),
        (
            &["--as", "erin", "task", "new", "-t", "x"],
            "`tasks.use` is needed",
        ),
        (&["--as", "erin", "task", "list"], "`tasks.use` is needed"),
        (
            &["--as", "bob", "task", "list", "--all"],
            "`tasks.admin` is needed",
        ),
        (
            &["--as", "bob", "task", "list", "--assignee", "carol"],
            "`tasks.admin` is needed",
        ),
        (&["--as", "bob", "task", "show", "3"], "may not see task 3"),
        (
            &["--as", "bob", "task", "note", "3", "-m", "hi"],
            "may not see task 3",
        ),
        (&["--as", "bob", "task", "done", "3"], "may not see task 3"),
        (
            &["--as", "carol", "task", "edit", "3", "--assignee", "bob"],
            "`tasks.admin` is needed",
        ),
        (
            &[
                "--as",
                "dave",
                "task",
                "new",
                "-t",
                "x",
                "--assignee",
                "erin",
            ],
            "do not hold `tasks.use`",
        ),
        (
            &[
                "--as",
                "dave",
                "task",
                "new",
                "-t",
                "x",
                "--assignee",
                "nobody",
            ],
            "no staff member `nobody`",
        ),
        // Ticket 1005 is in the sales queue, which bob is not entitled to.
        (
            &["--as", "bob", "task", "new", "-t", "x", "--ticket", "1005"],
            "see ticket 1005",
        ),
        (&["--as", "bob", "task", "new", "-t", "  "], "title"),
        (&["--as", "bob", "task", "show", "99"], "no task `99`"),
    ];
    for (args, want) in cases {
        let err = d.fails(1, args);
        assert!(err.contains(want), "{args:?}: expected {want:?} in {err}");
    }
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");
}

#[test]
fn lists_put_overdue_first_and_filter() {
    let d = TestDesk::example();
    let ids = |out: &str| -> Vec<u64> {
        json(out)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    // "My Assigned Tasks": bob's open tasks only.
    let out = d.ok(&["--as", "bob", "task", "list"]);
    assert!(out.starts_with("My Assigned Tasks (1)\n"), "{out}");
    assert!(out.contains("Renew the wildcard TLS certificate"), "{out}");
    // "Task Administration": overdue (3 due 11-20, 5 due 11-25) before the rest, by due date.
    assert_eq!(
        ids(&d.ok(&["--as", "dave", "--json", "task", "list", "--all"])),
        [3, 5, 6, 1]
    );
    let out = d.ok(&["--as", "dave", "task", "list", "--all"]);
    assert!(out.starts_with("Task Administration (4)\n"), "{out}");
    assert!(out.lines().nth(2).unwrap().contains("OVERDUE"), "{out}");
    assert_eq!(
        ids(&d.ok(&["--as", "dave", "--json", "task", "list", "--all", "--status", "done"])),
        [4, 2]
    );
    assert_eq!(
        ids(&d.ok(&[
            "--as",
            "dave",
            "--json",
            "task",
            "list",
            "--all",
            "--overdue"
        ])),
        [3, 5]
    );
    assert_eq!(
        ids(&d.ok(&[
            "--as",
            "dave",
            "--json",
            "task",
            "list",
            "--assignee",
            "carol"
        ])),
        [3, 6]
    );
    assert_eq!(
        ids(&d.ok(&["--as", "dave", "--json", "task", "list", "--all", "--ticket", "1014"])),
        [3]
    );
    assert_eq!(
        ids(&d.ok(&[
            "--as",
            "dave",
            "--json",
            "task",
            "list",
            "--all",
            "--due-by",
            "2026-11-30",
            "--status",
            "all"
        ])),
        [3, 5, 4, 2]
    );
    let v = json(&d.ok(&["--as", "carol", "--json", "task", "list"]));
    assert_eq!(v[0]["overdue"], true);
    assert_eq!(v[1]["overdue"], false);
}

#[test]
fn edit_changes_fields_and_names_them() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "carol",
        "task",
        "edit",
        "3",
        "--due",
        "2026-12-04",
        "--title",
        "Draft the non-profit policy",
    ]);
    assert!(
        d.last_message().starts_with("task 3: edit title, due\n"),
        "{}",
        d.last_message()
    );
    assert!(d.last_message().contains("Desk-Op: task.edit\n"));
    let f = task_file(&d, 3);
    assert!(
        f.contains("title: Draft the non-profit policy\n") && f.contains("due: 2026-12-04\n"),
        "{f}"
    );
    assert!(f.contains("updated_at: 2026-11-27T12:00:00Z\n"), "{f}");
    // The same values again change nothing.
    let before = d.commit_count();
    let err = d.fails(
        1,
        &["--as", "carol", "task", "edit", "3", "--due", "2026-12-04"],
    );
    assert!(err.contains("nothing to change"), "{err}");
    assert_eq!(d.commit_count(), before);
    // The admin reassigns it, drops the due date and the link.
    d.ok(&[
        "--as",
        "dave",
        "task",
        "edit",
        "3",
        "--assignee",
        "bob",
        "--no-due",
        "--unlink",
        "1014",
    ]);
    let f = task_file(&d, 3);
    assert!(
        f.contains("assignee: bob\n") && f.contains("due: null\n") && f.contains("tickets: []\n"),
        "{f}"
    );
    let err = d.fails(
        1,
        &["--as", "dave", "task", "edit", "3", "--unlink", "1014"],
    );
    assert!(err.contains("not linked to ticket 1014"), "{err}");
    // Now bob's: carol (its creator? no, alice made it) no longer sees it.
    assert!(d
        .fails(1, &["--as", "carol", "task", "show", "3"])
        .contains("may not see task 3"));
    d.ok(&["--as", "bob", "task", "show", "3"]);
}

#[test]
fn notes_are_files_of_their_own_and_show_in_task_info() {
    let d = TestDesk::example();
    let task_before = task_file(&d, 1);
    let out = d.ok(&[
        "--as",
        "bob",
        "task",
        "note",
        "1",
        "-m",
        "Ordered the renewal.",
    ]);
    assert_eq!(out.trim(), "note added to task 1");
    let paths = d.last_paths();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(
        paths[0].starts_with("tasks/000/1/notes/20261127T120000Z-bob-")
            && paths[0].ends_with(".yaml"),
        "{paths:?}"
    );
    assert_eq!(
        task_file(&d, 1),
        task_before,
        "a note leaves task.yaml alone"
    );
    assert!(d.last_message().contains("Desk-Op: task.note\n"));
    let note = d.read(&paths[0]);
    assert_eq!(
        note,
        "at: 2026-11-27T12:00:00Z\nauthor: bob\nbody: Ordered the renewal.\n"
    );
    let show = d.ok(&["--as", "bob", "task", "show", "1"]);
    assert!(
        show.starts_with("Task 1: Renew the wildcard TLS certificate"),
        "{show}"
    );
    assert!(
        show.contains("--- 2026-11-27 12:00 note by bob ---\nOrdered the renewal.\n"),
        "{show}"
    );
    let v = json(&d.ok(&["--as", "bob", "--json", "task", "show", "1"]));
    assert_eq!(v["notes"].as_array().unwrap().len(), 2);
    assert_eq!(v["task"]["assignee"], "bob");
    let err = d.fails(1, &["--as", "bob", "task", "note", "1", "-m", "  "]);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn linked_tickets_show_in_task_info() {
    let d = TestDesk::example();
    let v = json(&d.ok(&["--as", "carol", "--json", "task", "show", "3"]));
    assert_eq!(v["linked_tickets"][0]["id"], 1014);
    assert!(
        v["linked_tickets"][0]["title"]
            .as_str()
            .unwrap()
            .contains("non-profit"),
        "{v}"
    );
    assert_eq!(v["overdue"], true);
    let out = d.ok(&["--as", "carol", "task", "show", "3"]);
    assert!(out.contains("Tickets      #1014 "), "{out}");
    assert!(out.contains("Status       open, OVERDUE"), "{out}");
}

#[test]
fn done_and_reopen() {
    let d = TestDesk::example();
    assert_eq!(
        d.ok(&["--as", "bob", "task", "done", "1"]).trim(),
        "task 1 done"
    );
    let f = task_file(&d, 1);
    assert!(
        f.contains("status: done\n") && f.contains("done_at: 2026-11-27T12:00:00Z\n"),
        "{f}"
    );
    assert!(d.last_message().contains("Desk-Op: task.done\n"));
    assert!(d
        .fails(1, &["--as", "bob", "task", "done", "1"])
        .contains("task 1 is already done"));
    assert!(d.ok(&["--as", "bob", "task", "list"]).contains("(none)"));
    assert_eq!(
        d.ok(&["--as", "bob", "task", "reopen", "1"]).trim(),
        "task 1 reopened"
    );
    let f = task_file(&d, 1);
    assert!(
        f.contains("status: open\n") && f.contains("done_at: null\n"),
        "{f}"
    );
    assert!(d.last_message().contains("Desk-Op: task.reopen\n"));
    assert!(d
        .fails(1, &["--as", "bob", "task", "reopen", "1"])
        .contains("already open"));
    assert_eq!(d.status(), "");
}

#[test]
fn only_the_assignee_or_an_admin_changes_a_task() {
    let d = TestDesk::example();
    // carol makes task 7 for herself; dave (tasks.admin) gives it to bob.
    d.ok(&["--as", "carol", "task", "new", "-t", "Price list"]);
    d.ok(&["--as", "dave", "task", "edit", "7", "--assignee", "bob"]);
    // carol still sees the task she made, and may note it, but not change it.
    d.ok(&["--as", "carol", "task", "show", "7"]);
    d.ok(&["--as", "carol", "task", "note", "7", "-m", "Handed over."]);
    let err = d.fails(1, &["--as", "carol", "task", "done", "7"]);
    assert!(
        err.contains("change task 7, which is bob's") && err.contains("`tasks.admin`"),
        "{err}"
    );
    let err = d.fails(
        1,
        &["--as", "carol", "task", "edit", "7", "--due", "2026-12-01"],
    );
    assert!(err.contains("change task 7"), "{err}");
    d.ok(&["--as", "bob", "task", "done", "7"]);
    // The history passes `verify`.
    d.ok(&["verify"]);
}
