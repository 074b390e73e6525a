//! The commit engine against every form of index git may leave behind: with a cache tree
//! (after `git commit`), version 4, and split (`git update-index --split-index`). After each
//! mutation git must see a clean status, a consistent cache tree and a sound repository.

use crate::support::TestDesk;

fn new_ticket(d: &TestDesk, title: &str) {
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "-t",
        title,
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
}

/// Clean status, index tree = HEAD's tree, fsck passes, and the last commit's files are
/// in the index.
fn consistent(d: &TestDesk) {
    assert_eq!(d.status(), "");
    assert_eq!(d.git(&["write-tree"]), d.git(&["rev-parse", "HEAD^{tree}"]));
    d.git(&["fsck", "--no-progress"]);
    let listed = d.git(&["ls-files"]);
    for p in d.last_paths() {
        assert!(listed.lines().any(|l| l == p), "{p} not in the index");
    }
}

fn is_split(d: &TestDesk) -> bool {
    let bytes = std::fs::read(d.path(".git/index")).unwrap();
    bytes.windows(4).any(|w| w == b"link")
}

#[test]
fn after_git_commit_the_cache_tree_is_not_left_stale() {
    let d = TestDesk::new();
    new_ticket(&d, "one");
    d.write("notes/hand.yaml", "by: hand\n");
    d.git(&["add", "notes/hand.yaml"]);
    d.git(&["commit", "-qm", "hand edit"]);
    new_ticket(&d, "two");
    consistent(&d);
    // git's own next commit builds on an index that matches HEAD.
    d.write("notes/hand.yaml", "by: hand, again\n");
    d.git(&["commit", "-qam", "second hand edit"]);
    assert_eq!(
        d.git(&["show", "--name-only", "--format=", "HEAD"]),
        "notes/hand.yaml\n"
    );
    consistent(&d);
}

#[test]
fn an_index_of_version_4_is_handled() {
    let d = TestDesk::new();
    d.git(&["update-index", "--index-version", "4"]);
    new_ticket(&d, "one");
    consistent(&d);
    new_ticket(&d, "two");
    consistent(&d);
}

#[test]
fn a_split_index_stays_split_and_consistent() {
    let d = TestDesk::new();
    // git names a shared index by its hash only when it does not skip hashing.
    d.git(&["config", "index.skipHash", "false"]);
    d.git(&["update-index", "--split-index"]);
    assert!(is_split(&d));
    for t in ["one", "two", "three"] {
        new_ticket(&d, t);
        consistent(&d);
    }
    d.ok(&["--as", "alice", "staff", "add", "zoe", "--name", "Zoe"]);
    consistent(&d);
    assert!(is_split(&d));
    assert_eq!(d.git(&["ls-files", "tickets"]).lines().count(), 6);
}

#[test]
fn a_split_index_refuses_dirty_paths_and_keeps_unrelated_edits() {
    let d = TestDesk::new();
    d.git(&["config", "index.skipHash", "false"]);
    d.git(&["update-index", "--split-index"]);
    new_ticket(&d, "one");
    // Staged where the next ticket goes: refused, nothing committed.
    d.write("tickets/000/2/ticket.yaml", "hand-made\n");
    d.git(&["add", "tickets/000/2/ticket.yaml"]);
    let n = d.commit_count();
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
    assert!(err.contains("tickets/000/2/ticket.yaml"), "{err}");
    assert_eq!(d.commit_count(), n);
    d.git(&["rm", "-q", "--cached", "tickets/000/2/ticket.yaml"]);
    std::fs::remove_file(d.path("tickets/000/2/ticket.yaml")).unwrap();
    // An unrelated hand edit survives a commit.
    let edited = d
        .read("desk.yaml")
        .replace("name: Help Desk", "name: By Hand");
    d.write("desk.yaml", &edited);
    new_ticket(&d, "two");
    assert_eq!(d.status(), " M desk.yaml\n");
    assert_eq!(d.read("desk.yaml"), edited);
}

#[test]
fn the_actor_from_git_email_is_found_by_login_or_by_scanning_staff() {
    let d = TestDesk::new();
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "zoe",
        "--name",
        "Zoe Smith",
        "--email",
        "z.smith@example.com",
    ]);
    // A staff file named like the address's local part, but someone else's address.
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "zsmith",
        "--name",
        "Other",
        "--email",
        "other@example.com",
    ]);
    d.git(&["config", "user.email", "z.smith@example.com"]);
    new_ticket_as_git_user(&d);
    assert!(
        d.last_message().contains("Desk-Actor: zoe"),
        "{}",
        d.last_message()
    );
    d.git(&["config", "user.email", "alice@example.com"]);
    new_ticket_as_git_user(&d);
    assert!(d.last_message().contains("Desk-Actor: alice"));
}

fn new_ticket_as_git_user(d: &TestDesk) {
    d.ok(&[
        "ticket",
        "new",
        "-t",
        "by git email",
        "--email",
        "c@x.example",
        "-m",
        "x",
    ]);
}
