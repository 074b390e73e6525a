//! Incremental site builds give the same site as a full build: after answers with new
//! words, a title edit, a new ticket, a delete, a KB article and an account renamed (every
//! file compared, the Quick Search index included), and after the Quick Search store in
//! the cache folder or the manifest's records are damaged, lost or half-written, or an
//! output file is lost.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::site::build;
use crate::support::*;

/// Every file of a site but its marker (which holds the build id), by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if rel != ".git-desk-site" {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    out
}

/// The incremental site `out` equals a full build of the same desk.
fn assert_same_as_full(d: &TestDesk, out: &Path, what: &str) {
    let full = d
        .tmp
        .path()
        .join(format!("full-{}", what.replace(' ', "-")));
    let s = build(d, &full, &["--full"]);
    assert_eq!(s["full"], true);
    let (a, b) = (snapshot(out), snapshot(&full));
    let only_inc: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_full: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_inc.is_empty() && only_full.is_empty(),
        "{what}: only in the incremental site {only_inc:?}, only in the full one {only_full:?}"
    );
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{what}: {path} differs from a full build:\n{}\n---\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b[path])
        );
    }
}

/// The folder of the Quick Search store (call while there is one site cache).
fn store(d: &TestDesk) -> PathBuf {
    let sites = d.root.join(".git/desk/site");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&sites)
        .unwrap()
        .map(|e| e.unwrap().path().join("search"))
        .filter(|p| p.join("state").exists())
        .collect();
    assert_eq!(dirs.len(), 1, "one site cache with a search store");
    dirs.pop().unwrap()
}

fn commit_all(d: &TestDesk, msg: &str) {
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", msg]);
}

#[test]
fn incremental_builds_equal_full_builds() {
    let d = TestDesk::example();
    let out = d.tmp.path().join("site");
    assert_eq!(build(&d, &out, &[])["full"], true);

    // An answer with new words (and hostile text): the shards of those words change.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1004",
        "--pickup",
        "-m",
        "Zyzzogeton </script><b>ünïcødé 日本語 words</b> renewed.",
    ]);
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], false, "{s}");
    let written = s["written"].as_u64().unwrap();
    assert!(written < 30, "only the ticket, lists and a few shards: {s}");
    assert!(std::fs::read_to_string(out.join("assets/search/t-zyz.js"))
        .unwrap()
        .contains("\"zyzzogeton\""));
    assert_same_as_full(&d, &out, "after an answer");

    // A title edit (title terms and the record file), a new ticket, an internal note.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "edit",
        "1004",
        "--title",
        "Quasar mailbox renamed",
    ]);
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "--title",
        "Fresh ticket",
        "--email",
        "new@zoo.example",
        "-m",
        "Brandnewword here.",
    ]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        "1012",
        "-m",
        "Secretnoteword.",
    ]);
    build(&d, &out, &[]);
    assert_same_as_full(&d, &out, "after an edit, a new ticket and a note");

    // A ticket closed: it joins a month of closed tickets.
    d.ok(&["--as", "alice", "ticket", "close", "1012"]);
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], false, "{s}");
    assert!(std::fs::read_to_string(out.join("closed/2026-11.html"))
        .unwrap()
        .contains("1012"));
    assert_same_as_full(&d, &out, "after a close");
    let all: String = snapshot(&out.join("assets/search"))
        .into_values()
        .map(|b| String::from_utf8(b).unwrap())
        .collect();
    assert!(all.contains("\"brandnewword\"") && all.contains("\"quasar\""));
    assert!(
        !all.contains("secretnoteword"),
        "notes never reach the index"
    );

    // A delete by hand: its words and its record go.
    d.git(&["rm", "-rq", "tickets/001/1004"]);
    commit_all(
        &d,
        "ticket 1004: delete\n\nDesk-Op: ticket.delete\nDesk-Ticket: 1004\nDesk-Actor: alice",
    );
    build(&d, &out, &[]);
    assert_same_as_full(&d, &out, "after a delete");
    let all: String = snapshot(&out.join("assets/search"))
        .into_values()
        .map(|b| String::from_utf8(b).unwrap())
        .collect();
    assert!(!all.contains("zyzzogeton") && !all.contains("quasar"));

    // A KB article and an account's name (customer terms of its tickets).
    d.write(
        "kb/widget-help.md",
        "---\ntitle: \"Widgetry explained\"\ncategory: Misc\n---\nBody.\n",
    );
    commit_all(&d, "kb: widget help");
    build(&d, &out, &[]);
    assert_same_as_full(&d, &out, "after a KB article");
    let bakery = d
        .read("accounts/bakery.yaml")
        .replace("Maple Street Bakery", "Marzipan Works");
    d.write("accounts/bakery.yaml", &bakery);
    commit_all(&d, "account bakery renamed");
    build(&d, &out, &[]);
    assert_same_as_full(&d, &out, "after an account renamed");

    // Nothing changed: nothing written.
    let s = build(&d, &out, &[]);
    assert_eq!(s["written"].as_u64(), Some(0), "{s}");
}

#[test]
fn a_damaged_or_lost_search_store_or_output_file_is_rebuilt() {
    let d = TestDesk::example();
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let store = store(&d);
    let answer = |text: &str| {
        d.ok(&[
            "--as", "bob", "ticket", "answer", "1012", "--pickup", "-m", text,
        ]);
    };

    // A shard of the store damaged: the incremental build starts again as a full one.
    let shards: Vec<PathBuf> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("p-"))
        .collect();
    for p in &shards {
        std::fs::write(p, b"\xff\xff garbage").unwrap();
    }
    answer("Quibblesome reply.");
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], true, "a damaged store makes a full build: {s}");
    assert_same_as_full(&d, &out, "after a damaged store");

    // The state gone (a build killed while rewriting the store): a full build.
    std::fs::remove_file(store.join("state")).unwrap();
    answer("Another quibblesome reply.");
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], true, "{s}");
    assert_same_as_full(&d, &out, "after a lost state");

    // A word file of the store damaged.
    let words = store.join("w-001.bin");
    std::fs::write(&words, b"\x05\x01").unwrap();
    answer("Yet another reply with Plinthword.");
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], true, "{s}");
    assert_same_as_full(&d, &out, "after a damaged word file");

    // A bucket of the manifest's ticket records damaged, then one from another build
    // (written by a build that died before its manifest): a full build each time.
    let records = store.parent().unwrap().join("tickets-001.bin");
    let good = std::fs::read(&records).unwrap();
    std::fs::write(&records, b"GDSITEM\x01\x00garbage").unwrap();
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], true, "{s}");
    answer("A reply for the next manifest.");
    build(&d, &out, &[]);
    std::fs::write(&records, &good).unwrap();
    let s = build(&d, &out, &[]);
    assert_eq!(
        s["full"], true,
        "records of another build are not trusted: {s}"
    );
    assert_same_as_full(&d, &out, "after damaged manifest records");

    // Output files lost (a shard and a record file): written again by the next build.
    std::fs::remove_file(out.join("assets/search/t-pla.js")).unwrap();
    std::fs::remove_file(out.join("assets/search/d-31.js")).unwrap();
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], false, "{s}");
    assert!(out.join("assets/search/t-pla.js").exists());
    assert_same_as_full(&d, &out, "after lost output files");
}

/// The inode of a site file: a page written again gets a new one (atomic rename).
fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .ino()
}

#[test]
fn a_past_months_statistics_follow_edits_of_its_tickets_and_only_those() {
    let mut d = TestDesk::example();
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let october = out.join("stats/2026-10.html");
    let before = std::fs::read_to_string(&october).unwrap();
    let ino = inode(&october);

    // A note on a ticket opened in October and open since: October's report is
    // not made again.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        "1012",
        "-m",
        "November note.",
    ]);
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], false, "{s}");
    assert_eq!(inode(&october), ino, "October's page was not written again");
    assert_same_as_full(&d, &out, "after a note in this month");

    // A ticket closed in October moved to another queue by hand: October's per-queue
    // counts change.
    let t = d.read("tickets/001/1006/ticket.yaml");
    d.write(
        "tickets/001/1006/ticket.yaml",
        &t.replace("queue: general", "queue: sales"),
    );
    commit_all(&d, "ticket 1006: queue by hand");
    build(&d, &out, &[]);
    let after = std::fs::read_to_string(&october).unwrap();
    assert_ne!(before, after, "October's report follows its ticket");
    assert_same_as_full(&d, &out, "after an old ticket's queue edited");

    // The same ticket reopened (a customer reply now): it is open at the end of every
    // month since, so every month's report changes.
    let october_before = std::fs::read_to_string(out.join("stats/2026-10.html")).unwrap();
    d.ok(&["--as", "alice", "ticket", "reopen", "1006"]);
    build(&d, &out, &[]);
    assert_ne!(
        october_before,
        std::fs::read_to_string(out.join("stats/2026-10.html")).unwrap()
    );
    assert_same_as_full(&d, &out, "after an old ticket reopened");

    // Hostile text in a ticket title of a past month: escaped like everywhere else.
    let t = d.read("tickets/001/1005/ticket.yaml");
    let title = t
        .lines()
        .find(|l| l.starts_with("title:"))
        .unwrap()
        .to_owned();
    d.write(
        "tickets/001/1005/ticket.yaml",
        &t.replace(&title, "title: \"</script><b>x</b>\""),
    );
    commit_all(&d, "ticket 1005: hostile title");
    build(&d, &out, &[]);
    assert_same_as_full(&d, &out, "after a hostile title");

    // Time passes into December: November becomes a past month, every month gains a
    // link to December, and the working lists' waits grow.
    d.now = "2026-12-02T09:30:00Z".into();
    let s = build(&d, &out, &[]);
    assert_eq!(s["full"], false, "{s}");
    assert!(out.join("stats/2026-12.html").exists());
    assert!(std::fs::read_to_string(&october)
        .unwrap()
        .contains("2026-12.html"));
    assert_same_as_full(&d, &out, "after time passed into a new month");
    d.now = "2026-12-02T11:45:00Z".into();
    build(&d, &out, &[]);
    assert_same_as_full(&d, &out, "two hours later");
}
