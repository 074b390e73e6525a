//! `stats` and `billing` on the fixture desk of [`fixture`], every expected figure worked
//! out by hand (see the comments), and the edge cases: a ticket opened before the range and
//! answered in it (1001), reopened tickets (1004, 1005), tickets without an answer (1003,
//! 1006), a deleted (1009) and a merged (1010) ticket, a range without tickets, custom
//! prices overriding the default, billing switched off; permissions; the cache.

mod commands;
mod fixture;

use self::fixture::{commit, fixture, op, DESK};
use crate::support::*;

const RANGE: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-11-07"];

pub fn stats(d: &TestDesk, who: &str, range: &[&str]) -> serde_json::Value {
    let mut args = vec!["--as", who, "--json", "stats"];
    args.extend(range);
    json(&d.ok(&args))
}

fn billing(d: &TestDesk, who: &str, range: &[&str]) -> serde_json::Value {
    let mut args = vec!["--as", who, "--json", "billing"];
    args.extend(range);
    json(&d.ok(&args))
}

/// `[field, …]` of each element of `list`, as numbers.
fn cols(list: &serde_json::Value, key: &str, fields: &[&str]) -> Vec<(String, Vec<i64>)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let vals = fields
                .iter()
                .map(|f| r.pointer(f).and_then(|v| v.as_i64()).unwrap_or(-1))
                .collect();
            (r[key].as_str().unwrap().to_owned(), vals)
        })
        .collect()
}

fn row(name: &str, vals: &[i64]) -> (String, Vec<i64>) {
    (name.to_owned(), vals.to_vec())
}

#[test]
fn every_figure_of_the_fixture() {
    let d = fixture();
    let r = stats(&d, "alice", &RANGE);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str(), r["days"].as_i64()),
        (Some("2026-11-01"), Some("2026-11-07"), Some(7))
    );
    assert_eq!(r["history"], true);
    assert_eq!(r["problems"], serde_json::json!([]));

    // Per Admin Stats.
    let fields = [
        "/picked_up",
        "/assigned",
        "/released",
        "/answers",
        "/notes",
        "/closed",
        "/first_response/count",
        "/first_response/mean_seconds",
        "/first_response/median_seconds",
        "/first_response/p90_seconds",
    ];
    let h = 3600;
    assert_eq!(
        cols(&r["per_admin"], "login", &fields),
        [
            // alice: answers on 1002 and 1005; closed 1005; first answer of 1002 after 30 min.
            row("alice", &[0, 0, 0, 2, 0, 1, 1, 1800, 1800, 1800]),
            // bob: picked up 1005 (assigned to himself) and 1003; assigned 1001 by alice;
            // answers on 1001, 1002, 1005; the note on 1003; closed 1001; first answers of
            // 1001 (72 h, opened before the range) and 1005 (1 h).
            row(
                "bob",
                &[
                    2,
                    1,
                    0,
                    3,
                    1,
                    1,
                    2,
                    (72 * h + h) / 2,
                    (72 * h + h) / 2,
                    72 * h
                ]
            ),
            // carol: assigned 1004 (alice) and 1006 (mass); released 1004; answers on 1004
            // and on the deleted 1009, both first answers after 2 h; 1004 was reopened.
            row("carol", &[0, 2, 1, 2, 0, 0, 2, 2 * h, 2 * h, 2 * h]),
            row("dan", &[0, 0, 0, 0, 0, 0, 0, -1, -1, -1]),
        ]
    );
    assert_eq!(r["per_admin"][1]["name"], "BOB Tester");

    // Basic Stats (the deleted 1009 and the merged 1010 are not tickets of their own).
    let fields = [
        "/new_tickets",
        "/customer_messages",
        "/answers",
        "/notes",
        "/closed",
        "/closed_automatically",
        "/open_at_end",
    ];
    let b = &r["basic"];
    let total: Vec<i64> = fields
        .iter()
        .map(|f| b.pointer(f).unwrap().as_i64().unwrap())
        .collect();
    assert_eq!(total, [5, 9, 6, 1, 3, 1, 3]);
    assert_eq!(
        (b["deleted"].as_i64(), b["merged"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        cols(&b["per_queue"], "queue", &fields),
        [
            row("billing", &[2, 4, 1, 1, 0, 0, 2]),
            row("general", &[3, 5, 5, 0, 3, 1, 1])
        ]
    );

    // Ticket System Averages: first responses 30 min (1002), 1 h (1005), 2 h (1004),
    // 72 h (1001); resolutions 19 h 30 m (1005), 73 h (1001), 96 h (1002).
    let a = &r["averages"];
    let d4 = |v: &serde_json::Value| {
        [
            v["count"].as_i64(),
            v["mean_seconds"].as_i64(),
            v["median_seconds"].as_i64(),
            v["p90_seconds"].as_i64(),
        ]
    };
    assert_eq!(
        d4(&a["first_response"]),
        [
            Some(4),
            Some((1800 + 3600 + 7200 + 72 * 3600) / 4),
            Some(5400),
            Some(72 * 3600)
        ]
    );
    assert_eq!(
        d4(&a["resolution"]),
        [
            Some(3),
            Some((70_200 + 73 * 3600 + 96 * 3600) / 3),
            Some(73 * 3600),
            Some(96 * 3600)
        ]
    );
    // Closed tickets 1001, 1002, 1005: 1 + 2 + 2 answers, 2 + 4 + 4 messages.
    assert_eq!(a["answers_per_ticket"].as_f64(), Some(5.0 / 3.0));
    assert_eq!(a["messages_per_ticket"].as_f64(), Some(10.0 / 3.0));
    let within: Vec<[i64; 3]> = a["answered_within"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            [
                w["hours"].as_i64().unwrap(),
                w["count"].as_i64().unwrap(),
                w["of"].as_i64().unwrap(),
            ]
        })
        .collect();
    assert_eq!(within, [[1, 2, 4], [4, 3, 4], [24, 3, 4]]);
    assert_eq!(a["answered_within"][0]["share"].as_f64(), Some(0.5));
    assert_eq!(a["unanswered"], 2); // 1003 and 1006
    let bars: Vec<i64> = r["first_response_histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .collect();
    assert_eq!(bars, [0, 1, 2, 0, 0, 0, 1]);

    // Reseller Support Stats.
    let fields = [
        "/tickets",
        "/customers",
        "/customer_messages",
        "/answers",
        "/accounts",
    ];
    assert_eq!(
        cols(&r["resellers"], "login", &fields),
        [
            row("acme", &[1, 1, 2, 2, 2]), // 1004 by a2; bob's answer on the older 1001; a3 joins later
            row("cheap", &[1, 1, 2, 2, 1]), // 1005
            row("web", &[2, 2, 4, 2, 2]),  // 1002 and 1003 (1009 deleted, 1010 merged into 1003)
        ]
    );

    // The per-day series.
    let days: Vec<(String, Vec<i64>)> = cols(
        &r["daily"],
        "date",
        &["/opened", "/closed", "/customer_messages", "/answers"],
    );
    let want = [
        ("2026-11-01", [1, 0, 1, 1]),
        ("2026-11-02", [1, 1, 2, 3]),
        ("2026-11-03", [1, 1, 2, 1]),
        ("2026-11-04", [1, 0, 1, 1]),
        ("2026-11-05", [0, 1, 1, 0]),
        ("2026-11-06", [1, 0, 2, 0]),
        ("2026-11-07", [0, 0, 0, 0]),
    ];
    assert_eq!(days, want.map(|(d, v)| row(d, &v)));
}

#[test]
fn billing_with_default_and_custom_prices() {
    let d = fixture();
    let b = billing(&d, "carol", &RANGE);
    assert_eq!(
        (
            b["offered"].as_bool(),
            b["currency"].as_str(),
            b["pricing"].as_str(),
            b["default_price"].as_str()
        ),
        (Some(true), Some("EUR"), Some("per_ticket"), Some("4.00"))
    );
    let lines: Vec<(&str, &str, bool, i64, &str, &str)> = b["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["reseller"].as_str().unwrap(),
                l["unit"].as_str().unwrap(),
                l["custom"].as_bool().unwrap(),
                l["count"].as_i64().unwrap(),
                l["unit_price"].as_str().unwrap(),
                l["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            // Per customer: all of acme's accounts by the end of the range (a1, a2; not a3).
            ("acme", "per_customer", true, 2, "12.50", "25.00"),
            ("cheap", "per_ticket", true, 1, "2.50", "2.50"),
            // Default price: 1002 and 1003 (the deleted 1009 is not billed).
            ("web", "per_ticket", false, 2, "4.00", "8.00"),
        ]
    );
    assert_eq!(b["total"], "35.50");
    assert_eq!(b["lines"][0]["customers_with_tickets"], 1);

    let csv = d.ok(&[
        "--as", "carol", "billing", "--csv", RANGE[0], RANGE[1], RANGE[2], RANGE[3],
    ]);
    assert_eq!(
        csv,
        "reseller,name,unit,count,unit_price,amount,currency\n\
         acme,Reseller acme,per_customer,2,12.50,25.00,EUR\n\
         cheap,Reseller cheap,per_ticket,1,2.50,2.50,EUR\n\
         web,Reseller web,per_ticket,2,4.00,8.00,EUR\n\
         total,,,,,35.50,EUR\n"
    );
    let text = d.ok(&[
        "--as", "carol", "billing", RANGE[0], RANGE[1], RANGE[2], RANGE[3],
    ]);
    assert!(
        text.contains(
            "acme      Reseller acme   per_customer  2      12.50       25.00   custom price\n"
        ),
        "{text}"
    );
    assert!(
        text.lines().last().unwrap().starts_with("total") && text.trim_end().ends_with("35.50"),
        "{text}"
    );
    d.fails(2, &["--as", "carol", "--json", "billing", "--csv"]);
}

#[test]
fn billing_switched_off_bills_nothing() {
    let d = fixture();
    d.write(
        "desk.yaml",
        &DESK.replace("offered: true", "offered: false"),
    );
    commit(&d, "11-20T10:00", &op("settings.set alice"));
    let b = billing(&d, "alice", &RANGE);
    assert_eq!(
        (
            b["offered"].as_bool(),
            b["lines"].as_array().map(Vec::len),
            b["total"].as_str()
        ),
        (Some(false), Some(0), Some("0.00"))
    );
    let r = d.run(&["--as", "alice", "billing", "--csv"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "reseller,name,unit,count,unit_price,amount,currency\ntotal,,,,,0.00,EUR\n"
    );
    assert!(r.stderr.contains("not offered"), "{}", r.stderr);
}

#[test]
fn a_range_without_tickets_is_all_zeros() {
    let d = fixture();
    let range = ["--from", "2025-01-01", "--to", "2025-01-31"];
    let r = stats(&d, "bob", &range);
    assert_eq!(r["days"], 31);
    assert_eq!(
        (
            r["basic"]["new_tickets"].as_i64(),
            r["basic"]["open_at_end"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(r["averages"]["first_response"]["count"], 0);
    assert!(r["averages"]["first_response"]["mean_seconds"].is_null());
    assert!(r["averages"]["answers_per_ticket"].is_null());
    for a in r["per_admin"].as_array().unwrap() {
        assert_eq!(
            (a["answers"].as_i64(), a["picked_up"].as_i64()),
            (Some(0), Some(0)),
            "{a}"
        );
    }
    let b = billing(&d, "alice", &range);
    // Per customer counts accounts that existed: none of acme's by January 2025.
    let counts: Vec<i64> = b["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["count"].as_i64().unwrap())
        .collect();
    assert_eq!((counts, b["total"].as_str()), (vec![0, 0, 0], Some("0.00")));
    let text = d.ok(&[
        "--as", "bob", "stats", range[0], range[1], range[2], range[3],
    ]);
    assert!(text.contains("first response              -\n"), "{text}");
}

#[test]
fn permissions_are_checked() {
    let d = fixture();
    let e = d.fails(1, &["--as", "carol", "stats"]);
    assert!(
        e.contains("carol may not view ticket statistics: the permission `stats.view` is needed"),
        "{e}"
    );
    let e = d.fails(1, &["--as", "bob", "billing"]);
    assert!(
        e.contains("bob may not view reseller billing: the permission `billing.view` is needed"),
        "{e}"
    );
    for cmd in ["stats", "billing"] {
        d.fails(1, &["--as", "dan", cmd]);
        d.ok(&["--as", "alice", cmd]);
    }
}

#[test]
fn periods_default_and_bad() {
    let d = fixture();
    let r = stats(&d, "alice", &[]);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-10-29"), Some("2026-11-27"))
    );
    let r = stats(&d, "alice", &["--to", "2026-11-07"]);
    assert_eq!(r["from"], "2026-10-09");
    // All time: from the first day of the desk (1008, 2026-10-01) to today.
    let r = stats(&d, "alice", &["--all"]);
    assert_eq!(
        (r["from"].as_str(), r["basic"]["new_tickets"].as_i64()),
        (Some("2026-10-01"), Some(8))
    );
    let e = d.fails(
        1,
        &[
            "--as",
            "alice",
            "stats",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-01",
        ],
    );
    assert!(
        e.contains("--from: the range starts (2026-11-10) after it ends (2026-11-01)"),
        "{e}"
    );
    let e = d.fails(2, &["--as", "alice", "stats", "--from", "2026-13-01"]);
    assert!(e.contains("not a date"), "{e}");
}

/// A first run (no cache) reads the tickets on several threads and agrees with a run
/// from its cache; its progress bar is for terminals only: none on a piped stderr.
#[test]
fn a_first_run_agrees_with_the_cache_and_shows_no_progress_in_a_pipe() {
    let d = fixture();
    let fresh = d.run(&["--as", "alice", "--json", "stats", "--all"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    assert!(!fresh.stderr.contains("reading"), "{}", fresh.stderr);
    assert!(d.path(".git/desk/stats/snapshot.bin").is_file());
    let cached = d.run(&["--as", "alice", "--json", "stats", "--all"]);
    assert_eq!(json(&fresh.stdout), json(&cached.stdout));
    assert_eq!(cached.stderr, "");
    // A reader without `stats.view` gets nothing, and no progress either.
    std::fs::remove_dir_all(d.path(".git/desk/stats")).unwrap();
    let denied = d.run(&["--as", "nobody", "stats", "--all"]);
    assert_ne!(denied.code, 0);
    assert!(
        !denied.stderr.contains("reading tickets"),
        "{}",
        denied.stderr
    );
}

#[test]
fn the_cache_follows_new_commits_and_rewritten_history() {
    let d = fixture();
    let first = stats(&d, "alice", &RANGE);
    assert!(d.path(".git/desk/stats/snapshot.bin").is_file());
    assert!(d.path(".git/desk/stats/history.bin").is_file());
    assert_eq!(
        stats(&d, "alice", &RANGE),
        first,
        "a second run from the cache agrees"
    );

    // A new ticket and a broken one: counted / reported at once.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "new",
        "--title",
        "New",
        "--email",
        "x@cust.example",
        "-m",
        "hi",
    ]);
    d.write("tickets/001/1012/ticket.yaml", "id: 1012\ntitle: [broken\n");
    commit(&d, "11-27T12:00", "hand: a broken ticket");
    let r = stats(&d, "alice", &["--from", "2026-11-01"]);
    let before = stats(&d, "alice", &["--from", "2026-11-01"]);
    assert_eq!(r, before);
    assert_eq!(r["basic"]["new_tickets"], 7, "5 + 1007 + the new one");
    let problems = r["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .starts_with("tickets/001/1012/ticket.yaml:"),
        "{problems:?}"
    );
    let run = d.run(&["--as", "alice", "stats"]);
    assert!(
        run.stderr.contains("1 file(s) could not be read"),
        "{}",
        run.stderr
    );

    // History rewritten (the mass action and later commits undone): read again.
    d.git(&["reset", "-q", "--hard", "HEAD~4"]);
    let r = stats(&d, "alice", &RANGE);
    let carol = r["per_admin"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["login"] == "carol")
        .unwrap()
        .clone();
    assert_eq!(
        carol["assigned"], 1,
        "only alice's assignment of 1004 is left"
    );
}

#[test]
fn a_plain_directory_and_its_git_copy_agree() {
    let d = TestDesk::example();
    let git = stats(&d, "alice", &["--all"]);
    let plain = d.run_in(
        &example_repo(),
        &["--as", "alice", "--json", "stats", "--all"],
    );
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(plain.stderr.contains("no git history"), "{}", plain.stderr);
    let mut plain = json(&plain.stdout);
    assert_eq!(plain["history"], false);
    plain["history"] = true.into();
    assert_eq!(plain, git);
    assert!(git["basic"]["new_tickets"].as_i64().unwrap() >= 40);
}
