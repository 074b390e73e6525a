//! Tags on tickets: `ticket tag ID +a -b` (one commit, sorted and unique, `--json`),
//! `ticket list --tag`, search `tag:`, the site's lists and ticket pages, `stats` per tag,
//! and bad tags refused by the command, `check`, `verify` and the pre-receive hook.

use crate::support::*;

const T: &str = "tickets/001/1039/ticket.yaml";

#[test]
fn tags_are_added_and_removed_in_one_commit_each() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let out = d.ok(&["--as", "bob", "ticket", "tag", "1039", "+VIP", "billing"]);
    assert_eq!(out, "ticket 1039: tag +billing +vip\n");
    assert_eq!(d.commit_count(), before + 1);
    assert!(
        d.read(T).contains("\ntags:\n- billing\n- vip\n"),
        "{}",
        d.read(T)
    );
    let msg = d.last_message();
    assert!(msg.starts_with("ticket 1039: tag +billing +vip\n"), "{msg}");
    assert!(msg.contains("Desk-Op: ticket.tag\n") && msg.contains("Desk-Ticket: 1039\n"));
    assert_eq!(d.last_paths(), [T]);
    assert_eq!(d.status(), "");

    // Adding one already there and removing one: only the change is named.
    let v = json(&d.ok(&[
        "--as", "bob", "--json", "ticket", "tag", "1039", "+vip", "-billing", "+urgent",
    ]));
    assert_eq!(v["id"], 1039);
    assert_eq!(v["summary"], "tag +urgent -billing");
    assert_eq!(v["commit"].as_str().unwrap(), d.head());
    let show = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", "1039"]));
    assert_eq!(show["ticket"]["tags"], serde_json::json!(["urgent", "vip"]));
    let text = d.ok(&["--as", "bob", "ticket", "show", "1039"]);
    assert!(
        text.contains("Tags") && text.contains("urgent, vip"),
        "{text}"
    );

    // Removing every tag drops the key: the file is as before tagging.
    d.ok(&["--as", "bob", "ticket", "tag", "1039", "-urgent", "-vip"]);
    assert!(!d.read(T).contains("tags"), "{}", d.read(T));
}

#[test]
fn bad_tag_commands_are_refused_without_a_commit() {
    let d = TestDesk::example();
    let head = d.head();
    // Not a word: a usage error naming the value.
    let e = d.fails(2, &["--as", "bob", "ticket", "tag", "1039", "+two words"]);
    assert!(e.contains("`two words` is not a valid tag"), "{e}");
    let e = d.fails(2, &["--as", "bob", "ticket", "tag", "1039", "+<script>"]);
    assert!(e.contains("is not a valid tag"), "{e}");
    let long = format!("+{}", "x".repeat(33));
    d.fails(2, &["--as", "bob", "ticket", "tag", "1039", &long]);
    // No change asked.
    d.fails(2, &["--as", "bob", "ticket", "tag", "1039"]);
    // Nothing would change.
    let e = d.fails(1, &["--as", "bob", "ticket", "tag", "1039", "-vip"]);
    assert!(e.contains("ticket 1039 would not change"), "{e}");
    // Unknown ticket; a ticket carol may not see (queue billing).
    let e = d.fails(1, &["--as", "bob", "ticket", "tag", "99999", "+x"]);
    assert!(e.contains("no ticket `99999`"), "{e}");
    let e = d.fails(1, &["--as", "carol", "ticket", "tag", "1002", "+x"]);
    assert!(e.contains("carol may not see ticket 1002"), "{e}");
    // Too many tags.
    let many: Vec<String> = (0..21).map(|i| format!("+t{i:02}")).collect();
    let mut args = vec!["--as", "bob", "ticket", "tag", "1039"];
    args.extend(many.iter().map(String::as_str));
    let e = d.fails(1, &args);
    assert!(e.contains("would have 21 tags; at most 20"), "{e}");
    assert_eq!(d.head(), head);
    assert_eq!(d.status(), "");
}

#[test]
fn tags_are_listed_searched_shown_on_the_site_and_counted() {
    let d = TestDesk::example();
    d.ok(&["--as", "alice", "ticket", "tag", "1039", "+vip", "+outage"]);
    d.ok(&["--as", "alice", "ticket", "tag", "1004", "+vip"]);

    let hits = crate::search::hits(&d, "alice", &["tag:vip"]);
    let mut sorted = hits.clone();
    sorted.sort();
    assert_eq!(sorted, ["1004", "1039"]);
    assert_eq!(crate::search::hits(&d, "alice", &["tag:outage"]), ["1039"]);
    assert!(crate::search::hits(&d, "alice", &["tag:vip -tag:outage"]) == ["1004"]);
    let text = d.ok(&["--as", "alice", "search", "tag:outage"]);
    assert!(text.contains("Website down?? [outage, vip]"), "{text}");
    let v = json(&d.ok(&["--as", "alice", "--json", "search", "tag:outage"]));
    assert_eq!(v["hits"][0]["tags"], serde_json::json!(["outage", "vip"]));

    let list = json(&d.ok(&[
        "--as", "alice", "--json", "ticket", "list", "--all", "--tag", "outage",
    ]));
    let ids: Vec<u64> = list[0]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1039]);
    let text = d.ok(&["--as", "alice", "ticket", "list", "--all", "--tag", "vip"]);
    assert!(
        text.contains("[outage, vip]") && text.contains("[vip]"),
        "{text}"
    );

    let out = d.tmp.path().join("site");
    crate::site::build(&d, &out, &[]);
    let page = std::fs::read_to_string(out.join("tickets/001/1039.html")).unwrap();
    assert!(
        page.contains("<dt>Tags</dt><dd class=\"tags\"><span class=\"tag\">outage</span> <span class=\"tag\">vip</span>"),
        "ticket page lacks its tags"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("<span class=\"tag\">outage</span>"),
        "dashboard lacks the tag"
    );

    let page = std::fs::read_to_string(out.join("stats/all.html")).unwrap();
    let table = &page[page.find("id=\"tag-stats\"").expect("the per-tag table")..];
    assert!(
        table.contains(
            "<th scope=\"row\"><span class=\"tag\">vip</span></th><td class=\"num\">2</td>"
        ),
        "{}",
        &table[..table.len().min(800)]
    );

    let stats = d.ok(&["--as", "alice", "stats", "--all"]);
    let table = &stats[stats.find("Per Tag").expect("a per-tag table")..];
    let vip = table.lines().find(|l| l.starts_with("vip")).unwrap();
    let cols: Vec<&str> = vip.split_whitespace().collect();
    // vip: two tickets created; 1004 is closed, 1039 still open at the end.
    assert_eq!((cols[1], cols[4], cols[5]), ("2", "1", "1"), "{table}");
    let v = json(&d.ok(&["--as", "alice", "--json", "stats", "--all"]));
    let tags = v["basic"]["per_tag"].as_array().unwrap();
    assert_eq!(tags.len(), 2);
    assert_eq!(tags[0]["tag"], "outage");
    assert_eq!(tags[1]["tag"], "vip");
    assert_eq!(tags[1]["new_tickets"], 2);
}

#[test]
fn check_verify_and_the_hook_refuse_bad_tags() {
    let d = TestDesk::example();
    d.write(T, &format!("{}tags: [vip, Bad Tag]\n", d.read(T)));
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains(&format!("{T}:17:")) && all.contains("`Bad Tag` is not a valid tag"),
        "{all}"
    );
    let o = isolated("git", &d.home(), &d.root)
        .env("GIT_AUTHOR_EMAIL", "bob@example.com")
        .args(["commit", "-qam", "bad tag by hand"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let r = d.run(&["verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("is not a valid tag"), "{}", r.stdout);

    // Unsorted or repeated tags: check says which.
    let fixed = d
        .read(T)
        .replace("tags: [vip, Bad Tag]", "tags: [vip, billing]");
    d.write(T, &fixed);
    let r = d.run(&["check"]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        r.code == 1 && all.contains("tags: not sorted (`vip` comes before `billing`)"),
        "{all}"
    );
    d.write(T, &fixed.replace("[vip, billing]", "[vip, vip]"));
    let r = d.run(&["check"]);
    assert!(format!("{}{}", r.stdout, r.stderr).contains("tags: `vip` is listed twice"));
}

#[test]
fn the_hook_rejects_a_push_with_a_bad_tag() {
    let d = TestDesk::empty();
    let from = example_repo();
    let server = d.tmp.path().join("server.git");
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
    let hook = server.join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, format!("#!/bin/sh\nexec '{BIN}' hook pre-receive\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let url = format!("file://{}", server.display());
    let git = |cwd: &std::path::Path, args: &[&str], email: &str| {
        isolated("git", &d.home(), cwd)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_EMAIL", email)
            .args(args)
            .output()
            .unwrap()
    };
    let o = git(
        d.tmp.path(),
        &["clone", "-q", &url, "desk"],
        "bob@example.com",
    );
    assert!(o.status.success());
    let clone = d.tmp.path().join("desk");
    let path = clone.join(T);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}tags: [\"<b>x</b>\"]\n")).unwrap();
    let o = git(&clone, &["commit", "-qam", "tag"], "bob@example.com");
    assert!(o.status.success());
    let o = git(&clone, &["push", "origin", "HEAD"], "bob@example.com");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "push should fail: {err}");
    assert!(err.contains("is not a valid tag"), "{err}");

    // Tagged with git desk: accepted.
    let o = git(
        &clone,
        &["reset", "-q", "--hard", "origin/main"],
        "bob@example.com",
    );
    assert!(o.status.success());
    let r = d.run_in(&clone, &["--as", "bob", "ticket", "tag", "1039", "+vip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o = git(&clone, &["push", "origin", "HEAD"], "bob@example.com");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn tags_set_in_two_clones_merge_on_sync() {
    let c = crate::sync::Cluster::new(2);
    c.desk_ok(
        0,
        &["--as", "bob", "ticket", "tag", "1039", "+vip", "+outage"],
    );
    c.desk_ok(0, &["sync"]);
    c.desk_ok(1, &["sync"]);
    // Both clones change the tags of the same ticket differently.
    c.desk_ok(
        0,
        &[
            "--as", "bob", "ticket", "tag", "1039", "+billing", "-outage",
        ],
    );
    c.desk_ok(
        1,
        &["--as", "alice", "ticket", "tag", "1039", "+urgent", "-vip"],
    );
    c.desk_ok(0, &["sync"]);
    let r = c.desk(1, &["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = c.server_file(T);
    assert!(t.contains("\ntags:\n- billing\n- urgent\n"), "{t}");
    assert_eq!(c.status(1), "");
    let r = c.desk(1, &["check"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}
