//! Searching: the query language and the flags against an oracle read straight from the
//! ticket files, phrases, fuzzy matching only with `~`, errors that point at the position,
//! Quick Search, and the visibility rules. (Keeping the index current: `search_index.rs`.)

use std::collections::BTreeSet;

use crate::support::*;

/// The ids (or slugs) of a search's results, in order.
pub fn hits(d: &TestDesk, as_: &str, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--as", as_, "--json", "search"];
    all.extend_from_slice(args);
    let v = json(&d.ok(&all));
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| match h["id"].as_u64() {
            Some(id) => id.to_string(),
            None => h["slug"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn set(v: Vec<String>) -> BTreeSet<String> {
    v.into_iter().collect()
}

/// Every ticket file of the desk, parsed independently of git-desk.
fn tickets(d: &TestDesk) -> Vec<serde_yaml::Value> {
    let mut out = Vec::new();
    for bucket in std::fs::read_dir(d.path("tickets")).unwrap() {
        for t in std::fs::read_dir(bucket.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(t.unwrap().path().join("ticket.yaml")).unwrap();
            out.push(serde_yaml::from_str(&text).unwrap());
        }
    }
    out
}

fn oracle(d: &TestDesk, pred: impl Fn(&serde_yaml::Value) -> bool) -> BTreeSet<String> {
    tickets(d)
        .iter()
        .filter(|t| pred(t))
        .map(|t| t["id"].as_u64().unwrap().to_string())
        .collect()
}

fn s<'a>(t: &'a serde_yaml::Value, k: &str) -> &'a str {
    t[k].as_str().unwrap_or("")
}

#[test]
fn fields_and_ranges_agree_with_the_files() {
    let d = TestDesk::example();
    let all = ["-n", "0"];
    let q = |args: &[&str]| set(hits(&d, "alice", &[args, &all[..]].concat()));

    let want = oracle(&d, |t| {
        s(t, "status") == "open" && s(t, "queue") == "general"
    });
    assert!(want.len() >= 3);
    assert_eq!(q(&["status:open queue:general"]), want);
    assert_eq!(q(&["--status", "open", "--queue", "general"]), want);

    let want = oracle(&d, |t| t["priority"].as_u64().unwrap() >= 80);
    assert!(!want.is_empty());
    assert_eq!(q(&["priority:>=80"]), want);
    assert_eq!(q(&["--priority-min", "80"]), want);
    let want = oracle(&d, |t| (20..=40).contains(&t["priority"].as_u64().unwrap()));
    assert_eq!(q(&["priority:20..40"]), want);

    let want = oracle(&d, |t| s(t, "created_at").starts_with("2026-11"));
    assert!(!want.is_empty());
    assert_eq!(q(&["created:2026-11-01..2026-11-30"]), want);
    assert_eq!(q(&["--from", "2026-11-01", "--to", "2026-11-30"]), want);
    let want = oracle(&d, |t| s(t, "updated_at") > "2026-11-25");
    assert_eq!(q(&["updated:>=2026-11-25"]), want);

    let want = oracle(&d, |t| t["assignee"].is_null() && s(t, "status") == "new");
    assert_eq!(q(&["assignee:nobody status:new"]), want);
    let want = oracle(&d, |t| {
        s(t, "assignee") == "bob" || s(t, "assignee") == "carol"
    });
    assert_eq!(q(&["assignee:bob OR assignee:carol"]), want);
    let want = oracle(&d, |t| {
        s(t, "status") != "closed" && s(t, "queue") == "billing"
    });
    assert_eq!(q(&["queue:billing -status:closed"]), want);

    let want = oracle(&d, |t| s(t, "account") == "jdoe");
    assert!(!want.is_empty());
    assert_eq!(q(&["account:jdoe"]), want);
    // reseller comes from the account file
    let acme: Vec<String> = std::fs::read_dir(d.path("accounts"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|t| t.contains("reseller: acme"))
        .map(|t| {
            t.lines()
                .next()
                .unwrap()
                .trim_start_matches("login: ")
                .to_owned()
        })
        .collect();
    let want = oracle(&d, |t| acme.iter().any(|a| a == s(t, "account")));
    assert!(!want.is_empty());
    assert_eq!(q(&["reseller:acme"]), want);
    assert_eq!(q(&["--reseller", "acme"]), want);

    let want = oracle(&d, |t| s(t, "email").contains("martins"));
    assert_eq!(q(&["email:martins"]), want);
    assert_eq!(
        q(&["id:1001..1003"]),
        set(vec!["1001".into(), "1002".into(), "1003".into()])
    );
}

#[test]
fn closed_and_resolved_tickets_are_found() {
    let d = TestDesk::example();
    let closed = oracle(&d, |t| s(t, "status") == "closed");
    assert!(!closed.is_empty());
    assert_eq!(
        set(hits(&d, "alice", &["status:closed", "-n", "0"])),
        closed
    );
    let dash = d.ok(&["--as", "alice", "ticket", "list"]);
    for id in &closed {
        assert!(
            !dash.contains(&format!(" {id} ")),
            "{id} is on the dashboard"
        );
    }
}

#[test]
fn text_phrases_and_fuzzy_only_with_a_tilde() {
    let d = TestDesk::example();
    assert_eq!(hits(&d, "alice", &[r#""relay not permitted""#]), ["1017"]);
    assert!(hits(&d, "alice", &[r#""permitted relay""#]).is_empty());
    assert_eq!(hits(&d, "alice", &[r#""relay permitted"~1"#]), ["1017"]);
    // stemming: a plural finds the singular
    assert!(hits(&d, "alice", &["certificates"]).contains(&"1012".to_owned()));
    // a typo finds nothing unless asked
    assert!(hits(&d, "alice", &["certifcate"]).is_empty());
    assert!(hits(&d, "alice", &["certifcate~"]).contains(&"1012".to_owned()));
    assert!(hits(&d, "alice", &["title:certif*"]).contains(&"1012".to_owned()));
    // --text takes words and phrases, no field syntax
    assert_eq!(
        hits(&d, "alice", &["--text", r#""relay not permitted""#]),
        ["1017"]
    );
    // attachment names
    assert_eq!(hits(&d, "alice", &["file:error-log.txt"]), ["1004"]);
    // relevance: the ticket with the words in its title comes first
    assert_eq!(hits(&d, "alice", &["ssl certificate"])[0], "1012");
}

#[test]
fn bad_queries_point_at_the_position() {
    let d = TestDesk::example();
    let err = d.fails(
        1,
        &["--as", "alice", "search", "status:open", "priority:>=abc"],
    );
    assert!(
        err.contains("bad query at column 22: `abc` is not a priority (0–100)"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("status:open priority:>=abc"))
        .unwrap();
    assert_eq!(lines[at + 1], format!("  {}^^^^^", " ".repeat(21)));
    let err = d.fails(1, &["--as", "alice", "search", r#"disk "quota"#]);
    assert!(err.contains("column 6: unclosed quote"), "{err}");
    let err = d.fails(1, &["--as", "alice", "search", "colour:red"]);
    assert!(err.contains("column 1: unknown field `colour`"), "{err}");
    let err = d.fails(1, &["--as", "alice", "search", "--status", "pending"]);
    assert!(err.contains("--status: `pending` is not a status"), "{err}");
    let err = d.fails(2, &["--as", "alice", "search", "--priority-min", "101"]);
    assert!(err.contains("--priority-min"), "{err}");
}

#[test]
fn quick_search_by_id_title_words_and_address() {
    let d = TestDesk::example();
    assert_eq!(hits(&d, "alice", &["--quick", "1004"])[0], "1004");
    assert_eq!(hits(&d, "alice", &["--quick", "#1017"])[0], "1017");
    assert_eq!(
        hits(&d, "alice", &["--quick", "ssl", "certificate"]),
        ["1012"]
    );
    let by_part = set(hits(&d, "alice", &["--quick", "martins", "-n", "0"]));
    let want = oracle(&d, |t| {
        s(t, "email").contains("martins") || s(t, "title").to_lowercase().contains("martins")
    });
    assert!(!want.is_empty());
    assert_eq!(by_part, want);
    // the full address first
    let one = tickets(&d)
        .into_iter()
        .find(|t| s(t, "email").contains("martins"))
        .unwrap();
    let email = s(&one, "email").to_owned();
    let v = json(&d.ok(&["--as", "alice", "--json", "search", "--quick", &email]));
    assert_eq!(v["hits"][0]["email"], email.as_str());
    assert!(hits(&d, "alice", &["--quick", "zzzzqqq"]).is_empty());
    let err = d.fails(1, &["--as", "alice", "search", "--quick"]);
    assert!(err.contains("--quick needs"), "{err}");
}

#[test]
fn results_are_what_the_actor_may_see() {
    let d = TestDesk::example();
    let everything = ["status:new,open,answered,resolved,closed", "-n", "0"];
    // bob: general (default) and billing, plus tickets assigned to him
    let want = oracle(&d, |t| {
        ["general", "billing"].contains(&s(t, "queue")) || s(t, "assignee") == "bob"
    });
    assert_eq!(set(hits(&d, "bob", &everything)), want);
    let sales = oracle(&d, |t| {
        s(t, "queue") == "sales" && s(t, "assignee") != "bob"
    });
    assert!(!sales.is_empty());
    let sales_id = sales.iter().next().unwrap().clone();
    assert!(hits(&d, "bob", &["--quick", &sales_id]).is_empty());
    assert!(hits(&d, "bob", &[&format!("id:{sales_id}")]).is_empty());
    assert_eq!(hits(&d, "carol", &[&format!("id:{sales_id}")]), [sales_id]);
    // tasks: tasks.use sees own, tasks.admin and main admins all, nobody else any
    let tasks = |who| set(hits(&d, who, &["--kind", "task", "-n", "0"]));
    assert_eq!(tasks("bob"), set(vec!["1".into(), "2".into()]));
    assert_eq!(tasks("alice").len(), 6);
    assert_eq!(tasks("dave").len(), 6);
    assert!(tasks("erin").is_empty());
    // articles: kb.use
    assert_eq!(hits(&d, "bob", &["--kind", "kb", "-n", "0"]).len(), 4);
    assert!(hits(&d, "erin", &["--kind", "kb"]).is_empty());
    // kind: in the query widens the default (tickets)
    let mixed = hits(&d, "alice", &["kind:ticket,kb", "password", "-n", "0"]);
    assert!(mixed.iter().any(|h| h.parse::<u64>().is_err()), "{mixed:?}");
    assert!(hits(&d, "alice", &["password", "-n", "0"])
        .iter()
        .all(|h| h.parse::<u64>().is_ok()));
}

#[test]
fn sorting_limit_and_text_output() {
    let d = TestDesk::example();
    let by_id = hits(&d, "alice", &["--sort", "id", "-n", "5"]);
    assert_eq!(by_id, ["1001", "1002", "1003", "1004", "1005"]);
    let v = json(&d.ok(&[
        "--as", "alice", "--json", "search", "--sort", "priority", "-n", "0",
    ]));
    let pri: Vec<u64> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["priority"].as_u64().unwrap())
        .collect();
    assert_eq!(pri.len(), 40);
    assert!(pri.windows(2).all(|w| w[0] >= w[1]), "{pri:?}");
    assert_eq!(v["total"], 40);
    let v = json(&d.ok(&["--as", "alice", "--json", "search", "-n", "3"]));
    let upd: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["updated"].as_str().unwrap())
        .collect();
    assert_eq!(upd.len(), 3);
    assert!(upd.windows(2).all(|w| w[0] >= w[1]), "{upd:?}");
    let r = d.run(&["--as", "alice", "search", "-n", "3"]);
    assert!(r.stderr.contains("showing 3 of 40 results"), "{}", r.stderr);
    assert!(r.stdout.starts_with("ID "), "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 4);
}
