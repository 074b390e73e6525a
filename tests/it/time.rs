//! Time tracking end to end: `--time` on answers and notes, `ticket time`, the totals in
//! `ticket show`, `ticket list` and `stats` (per ticket, technician, account, reseller),
//! and per_hour billing of billable time to a reseller with a custom price — all computed
//! by hand below — plus the refusals that leave no commit.

use crate::support::*;

/// Reseller acme (custom price 45.50 per hour) with customer jdoe, reseller web (the
/// default 60.00 per hour) with customer wcust; tickets 1 (jdoe) and 2 (wcust) opened
/// 2026-11-27.
fn desk() -> TestDesk {
    let d = TestDesk::new();
    // Acting as alice unless told otherwise (git's user.email names the actor).
    d.git(&["config", "user.email", "alice@example.com"]);
    d.git(&["config", "user.name", "Alice Anders"]);
    d.ok(&[
        "settings",
        "set",
        "auto_close_days",
        "-1",
        "reseller_support.offered",
        "true",
        "reseller_support.pricing",
        "per_hour",
        "reseller_support.default_price",
        "60",
    ]);
    d.ok(&["reseller", "add", "acme", "--name", "Acme Hosting"]);
    d.ok(&[
        "reseller", "price", "acme", "--unit", "per_hour", "--price", "45.50",
    ]);
    d.ok(&["reseller", "add", "web", "--name", "Web Co"]);
    for (login, reseller) in [("jdoe", "acme"), ("wcust", "web")] {
        let email = format!("{login}@example.org");
        d.ok(&[
            "account",
            "add",
            login,
            "--name",
            login,
            "--email",
            &email,
            "--reseller",
            reseller,
        ]);
        d.ok(&[
            "ticket",
            "new",
            "-t",
            "Help",
            "--account",
            login,
            "--body",
            "Please",
        ]);
    }
    d.ok(&[
        "staff",
        "add",
        "bob",
        "--name",
        "Bob B",
        "--email",
        "bob@example.com",
    ]);
    d
}

#[test]
fn time_is_recorded_on_messages_and_totalled() {
    let d = desk();
    d.ok(&["ticket", "pickup", "1"]);
    let out = d.ok(&[
        "ticket",
        "answer",
        "1",
        "--body",
        "Done",
        "--time",
        "25m",
        "--billable",
    ]);
    assert!(out.contains("answer (25m billable)"), "{out}");
    d.ok(&[
        "ticket",
        "note",
        "1",
        "--body",
        "Looked at logs",
        "--time",
        "10m",
    ]);
    let out = d.ok(&["ticket", "time", "1", "1h30m", "--billable", "-m", "Fuser"]);
    assert!(out.contains("log time (1h30m billable)"), "{out}");
    let msg = d.last_message();
    assert!(
        msg.starts_with("ticket 1: log time (1h30m billable)"),
        "{msg}"
    );
    assert!(msg.contains("Desk-Op: ticket.time"), "{msg}");
    // The entry is in the message file, in the canonical form.
    let file = d
        .last_paths()
        .into_iter()
        .find(|p| p.contains("/messages/"))
        .unwrap();
    let text = d.read(&file);
    assert!(text.contains("kind: note\n"), "{text}");
    assert!(
        text.contains("time:\n  minutes: 90\n  billable: true\n"),
        "{text}"
    );
    assert_eq!(d.status(), "");
    // 25 + 10 + 90 = 125 minutes, 115 billable.
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    assert_eq!(show["time"]["minutes"], 125);
    assert_eq!(show["time"]["billable_minutes"], 115);
    assert!(d
        .ok(&["ticket", "show", "1"])
        .contains("Time         2h05m (1h55m billable)"));
    let list = json(&d.ok(&["--json", "ticket", "list", "--all"]));
    let t1 = &list[0]["tickets"][0];
    assert_eq!(
        (t1["id"].as_u64(), t1["time"]["minutes"].as_u64()),
        (Some(1), Some(125))
    );
}

#[test]
fn stats_total_time_and_billing_charges_billable_hours() {
    let mut d = desk();
    d.ok(&["ticket", "pickup", "1"]);
    d.ok(&["ticket", "time", "1", "50m", "--billable"]);
    d.ok(&["ticket", "time", "1", "20m"]);
    d.ok(&["--as", "alice", "ticket", "assign", "2", "bob"]);
    d.now = "2026-11-28T09:00:00Z".into();
    d.ok(&["--as", "bob", "ticket", "time", "2", "1h15m", "--billable"]);
    d.now = "2026-11-30T09:00:00Z".into();
    let s = json(&d.ok(&["--json", "stats"]));
    let t = &s["time"];
    assert_eq!(t["total"]["minutes"], 145);
    assert_eq!(t["total"]["billable_minutes"], 125);
    let by = |list: &str, key: &str| {
        t[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .map(|r| {
                (
                    r["minutes"].as_u64().unwrap(),
                    r["billable_minutes"].as_u64().unwrap(),
                )
            })
    };
    assert_eq!(by("per_technician", "alice"), Some((70, 50)));
    assert_eq!(by("per_technician", "bob"), Some((75, 75)));
    assert_eq!(by("per_account", "jdoe"), Some((70, 50)));
    assert_eq!(by("per_reseller", "web"), Some((75, 75)));
    assert_eq!(by("per_ticket", "2"), Some((75, 75)));
    assert!(d.ok(&["stats"]).contains("Time Logged"));
    // acme: 50 min × 45.50 / 60 = 37.9166… → 37.92; web: 75 min × 60.00 / 60 = 75.00.
    let b = json(&d.ok(&["--json", "billing"]));
    let lines: Vec<(String, u64, String)> = b["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["reseller"].as_str().unwrap().to_owned(),
                l["count"].as_u64().unwrap(),
                l["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("acme".to_owned(), 50, "37.92".to_owned()),
            ("web".to_owned(), 75, "75.00".to_owned())
        ]
    );
    assert_eq!(b["total"], "112.92");
    // The site's ticket page shows the time logged.
    let out = d.tmp.path().join("site");
    d.ok(&["site", "build", "--out", out.to_str().unwrap()]);
    let page = std::fs::read_to_string(out.join("tickets/000/1.html")).unwrap();
    assert!(
        page.contains("<dt>Time logged</dt><dd>1h10m (50m billable)</dd>"),
        "{page}"
    );
}

#[test]
fn bad_time_is_refused_without_a_commit() {
    let d = desk();
    d.ok(&["ticket", "pickup", "1"]);
    let before = d.commit_count();
    for (args, code, says) in [
        (vec!["ticket", "time", "1", "0m"], 2, "not a duration"),
        (vec!["ticket", "time", "1", "90"], 2, "not a duration"),
        (vec!["ticket", "time", "1", "30s"], 2, "not a duration"),
        (vec!["ticket", "time", "1", "25h"], 1, "between 1m and 24h"),
        (vec!["ticket", "time", "999", "1h"], 1, "999"),
        (
            vec!["ticket", "note", "1", "--body", "x", "--billable"],
            2,
            "--time",
        ),
        (
            vec!["ticket", "answer", "1", "--body", "x", "--time", "soon"],
            2,
            "soon",
        ),
    ] {
        let err = d.fails(code, &args);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(d.commit_count(), before);
    // Someone who may not see the ticket cannot log time on it.
    d.ok(&["queue", "new", "vip", "--name", "VIP"]);
    d.ok(&["ticket", "edit", "2", "--queue", "vip"]);
    d.ok(&[
        "staff",
        "add",
        "carl",
        "--name",
        "Carl",
        "--email",
        "carl@example.com",
    ]);
    let before = d.commit_count();
    let err = d.fails(1, &["--as", "carl", "ticket", "time", "2", "1h"]);
    assert!(err.contains("vip"), "{err}");
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");
}
