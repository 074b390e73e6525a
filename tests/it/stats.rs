//! `stats` and `billing` on a fixture desk written file by file and committed with git (the
//! commit trailers carry the pick-ups, assignments, releases, the deletion, the merge and a
//! mass action), with every expected figure worked out by hand below. The range is
//! 2026-11-01 … 2026-11-07.
//!
//! Tickets at HEAD (times 2026, UTC):
//! - 1001 general, a1 (acme): opened 10-30 10:00 (before the range); bob answered 11-02
//!   10:00 (first response 3 days) and closed it 11-02 11:00.
//! - 1002 general, w1 (web): opened 11-01 09:00 (+ an auto-response); alice answered 09:30
//!   (30 min); customer again 11-02 08:00; bob answered 09:00; auto-closed 11-05 09:00.
//! - 1003 billing, w2 (web): opened 11-03 12:00; bob's note 13:00; the message of 1010
//!   (11-05 10:00) merged in; no answer.
//! - 1004 billing, a2 (acme): opened 11-04 08:00; carol answered 10:00 (2 h) and resolved
//!   it 10:05; the customer wrote 11-06 09:00, so it is open again (reopened).
//! - 1005 general, c1 (cheap): opened 11-02 14:00; bob answered 15:00 (1 h) and closed it;
//!   customer 11-03 08:00 reopened it; alice answered 09:00 and closed it 09:30.
//! - 1006 general, d1 (direct): opened 11-06 08:00, no answer; mass-assigned to carol.
//! - 1007 general, a1: opened 11-08 (after the range). 1008 general, a1: all in October.
//!
//! Gone: 1009 (general, w1; opened 11-02 10:00, carol answered 12:00, deleted 11-03 10:00)
//! and 1010 (billing, w2; opened 11-05 10:00, merged into 1003 at 11:00).

use std::process::Output;

use crate::support::*;

fn ts(s: &str) -> String {
    format!("2026-{s}:00Z")
}

fn git_at(d: &TestDesk, date: &str, args: &[&str]) -> Output {
    let o = isolated("git", &d.home(), &d.root)
        .env("GIT_AUTHOR_DATE", ts(date))
        .env("GIT_COMMITTER_DATE", ts(date))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// Commits everything as it is now, dated `date`.
fn commit(d: &TestDesk, date: &str, message: &str) {
    git_at(d, date, &["add", "-A"]);
    git_at(d, date, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// A commit message with desk trailers.
fn op(op: &str, actor: &str, tickets: &[u64], extra: &[(&str, &str)]) -> String {
    let mut m = format!("{op} (fixture)\n\nDesk-Op: {op}\n");
    for t in tickets {
        m.push_str(&format!("Desk-Ticket: {t}\n"));
    }
    for (k, v) in extra {
        m.push_str(&format!("{k}: {v}\n"));
    }
    m + &format!("Desk-Actor: {actor}\n")
}

struct Ticket<'a> {
    id: u64,
    queue: &'a str,
    account: &'a str,
    status: &'a str,
    assignee: Option<&'a str>,
    created: &'a str,
    closed: Option<(&'a str, &'a str)>,
    merged_from: &'a str,
}

fn put_ticket(d: &TestDesk, t: &Ticket) {
    let opt = |v: Option<&str>| v.map(str::to_owned).unwrap_or_else(|| "null".into());
    let yaml = format!(
        "id: {id}\ntitle: Ticket {id}\nemail: {acc}@cust.example\naccount: {acc}\nqueue: {q}\nstatus: {st}\npriority: 50\nassignee: {asg}\nsticky: false\ncreated_at: {c}\nupdated_at: {c}\nfirst_answered_at: null\nanswered_at: null\nclosed_at: {ca}\nclosed_by: {cb}\nmerged_from: [{mf}]\n",
        id = t.id,
        acc = t.account,
        q = t.queue,
        st = t.status,
        asg = opt(t.assignee),
        c = ts(t.created),
        ca = opt(t.closed.map(|c| ts(c.0)).as_deref()),
        cb = opt(t.closed.map(|c| c.1)),
        mf = t.merged_from,
    );
    d.write(&format!("tickets/001/{}/ticket.yaml", t.id), &yaml);
}

/// A message of ticket `id`; `author` is a staff login, or an account whose customer wrote.
fn put_msg(d: &TestDesk, id: u64, at: &str, kind: &str, author: &str) {
    let (who, tag) = match kind {
        "customer" => (format!("{author}@cust.example"), author.to_owned()),
        "autoresponse" => ("support@example.com".to_owned(), "support".to_owned()),
        _ => (author.to_owned(), author.to_owned()),
    };
    let stamp = ts(at).replace(['-', ':'], "");
    let yaml = format!("at: {}\nauthor: {who}\nkind: {kind}\nmessage_id: null\nbody: |\n  text\nattachments: []\n", ts(at));
    d.write(&format!("tickets/001/{id}/messages/{stamp}-{tag}-{id:04x}.yaml"), &yaml);
}

const DESK: &str = "format: 1\nname: Fixture Support\nsupport_email: support@example.com\ndefault_queue: general\nauto_close_days: 3\nreseller_support:\n  offered: true\n  pricing: per_ticket\n  default_price: \"4.00\"\n  currency: EUR\n";

fn staff(d: &TestDesk, login: &str, perms: &str) {
    d.write(
        &format!("staff/{login}.yaml"),
        &format!("login: {login}\nname: {} Tester\nemail: {login}@example.com\nrole: support\nactive: true\npermissions: [{perms}]\nqueues: [general, billing]\nsignature: null\nsigning_key: null\n", login.to_uppercase()),
    );
}

fn account(d: &TestDesk, login: &str, reseller: &str, created: &str) {
    d.write(
        &format!("accounts/{login}.yaml"),
        &format!("login: {login}\nname: Customer {login}\nemail: {login}@cust.example\nreseller: {reseller}\ncreated_at: {created}\n"),
    );
}

fn reseller(d: &TestDesk, login: &str, custom: &str) {
    d.write(
        &format!("resellers/{login}.yaml"),
        &format!("login: {login}\nname: Reseller {login}\nemail: {login}@resell.example\ncustom_price: {custom}\n"),
    );
}

fn fixture() -> TestDesk {
    let d = TestDesk::new();
    d.write("desk.yaml", DESK);
    d.write("queues/billing.yaml", "slug: billing\nname: Billing\nemail: null\nmailbox: null\nnew_ticket_response: null\nclosed_ticket_response: null\n");
    staff(&d, "bob", "stats.view");
    staff(&d, "carol", "billing.view");
    staff(&d, "dan", "");
    reseller(&d, "acme", "{unit: per_customer, price: \"12.50\"}");
    reseller(&d, "cheap", "{unit: per_ticket, price: \"2.50\"}");
    reseller(&d, "web", "null");
    account(&d, "a1", "acme", "2026-01-01T00:00:00Z");
    account(&d, "a2", "acme", "2026-11-05T00:00:00Z");
    account(&d, "a3", "acme", "2026-12-01T00:00:00Z"); // after the range
    account(&d, "w1", "web", "null");
    account(&d, "w2", "web", "2025-05-05T00:00:00Z");
    account(&d, "c1", "cheap", "2024-01-01T00:00:00Z");
    account(&d, "d1", "null", "2024-01-01T00:00:00Z");
    let t1001 = |status, assignee, closed| Ticket { id: 1001, queue: "general", account: "a1", status, assignee, created: "10-30T10:00", closed, merged_from: "" };
    put_ticket(&d, &Ticket { id: 1008, queue: "general", account: "a1", status: "closed", assignee: Some("alice"), created: "10-01T09:00", closed: Some(("10-01T12:00", "alice")), merged_from: "" });
    put_msg(&d, 1008, "10-01T09:00", "customer", "a1");
    put_msg(&d, 1008, "10-01T12:00", "answer", "alice");
    put_ticket(&d, &t1001("new", None, None));
    put_msg(&d, 1001, "10-30T10:00", "customer", "a1");
    commit(&d, "10-30T10:00", "fixture: the desk");

    put_ticket(&d, &t1001("open", Some("bob"), None));
    commit(&d, "10-30T11:00", &op("ticket.pickup", "bob", &[1001], &[])); // before the range
    put_ticket(&d, &t1001("open", None, None));
    commit(&d, "10-31T09:00", &op("ticket.release", "bob", &[1001], &[])); // before the range

    put_ticket(&d, &Ticket { id: 1002, queue: "general", account: "w1", status: "new", assignee: None, created: "11-01T09:00", closed: None, merged_from: "" });
    put_msg(&d, 1002, "11-01T09:00", "customer", "w1");
    commit(&d, "11-01T09:00", &op("ticket.new", "alice", &[1002], &[]));

    // An assignment without Desk-Assignee: the assignee is read from ticket.yaml.
    put_ticket(&d, &t1001("open", Some("bob"), None));
    commit(&d, "11-02T09:50", &op("ticket.assign", "alice", &[1001], &[]));

    put_ticket(&d, &Ticket { id: 1009, queue: "general", account: "w1", status: "answered", assignee: Some("carol"), created: "11-02T10:00", closed: None, merged_from: "" });
    put_msg(&d, 1009, "11-02T10:00", "customer", "w1");
    put_msg(&d, 1009, "11-02T12:00", "answer", "carol");
    commit(&d, "11-02T12:00", "hand: ticket 1009 as it was");

    commit(&d, "11-03T08:30", &op("ticket.assign", "bob", &[1005], &[("Desk-Assignee", "bob")])); // to self = pick-up
    std::fs::remove_dir_all(d.path("tickets/001/1009")).unwrap();
    commit(&d, "11-03T10:00", &op("ticket.delete", "alice", &[1009], &[]));
    commit(&d, "11-03T12:10", &op("ticket.pickup", "bob", &[1003], &[]));
    commit(&d, "11-04T09:00", &op("ticket.assign", "alice", &[1004], &[("Desk-Assignee", "carol")]));
    commit(&d, "11-04T10:10", &op("ticket.release", "carol", &[1004], &[]));

    put_ticket(&d, &Ticket { id: 1003, queue: "billing", account: "w2", status: "open", assignee: Some("bob"), created: "11-03T12:00", closed: None, merged_from: "" });
    put_msg(&d, 1003, "11-03T12:00", "customer", "w2");
    put_msg(&d, 1003, "11-03T13:00", "note", "bob");
    put_ticket(&d, &Ticket { id: 1010, queue: "billing", account: "w2", status: "new", assignee: None, created: "11-05T10:00", closed: None, merged_from: "" });
    put_msg(&d, 1010, "11-05T10:00", "customer", "w2");
    commit(&d, "11-05T10:30", "hand: tickets 1003 and 1010");

    std::fs::remove_dir_all(d.path("tickets/001/1010")).unwrap();
    put_ticket(&d, &Ticket { id: 1003, queue: "billing", account: "w2", status: "open", assignee: Some("bob"), created: "11-03T12:00", closed: None, merged_from: "1010" });
    put_msg(&d, 1003, "11-05T10:00", "customer", "w2");
    commit(&d, "11-05T11:00", &op("ticket.merge", "bob", &[1010, 1003], &[]));

    put_ticket(&d, &t1001("closed", Some("bob"), Some(("11-02T11:00", "bob"))));
    put_msg(&d, 1001, "11-02T10:00", "answer", "bob");
    put_ticket(&d, &Ticket { id: 1002, queue: "general", account: "w1", status: "closed", assignee: None, created: "11-01T09:00", closed: Some(("11-05T09:00", "autoclose")), merged_from: "" });
    put_msg(&d, 1002, "11-01T09:00", "autoresponse", "");
    put_msg(&d, 1002, "11-01T09:30", "answer", "alice");
    put_msg(&d, 1002, "11-02T08:00", "customer", "w1");
    put_msg(&d, 1002, "11-02T09:00", "answer", "bob");
    put_ticket(&d, &Ticket { id: 1004, queue: "billing", account: "a2", status: "open", assignee: None, created: "11-04T08:00", closed: None, merged_from: "" });
    put_msg(&d, 1004, "11-04T08:00", "customer", "a2");
    put_msg(&d, 1004, "11-04T10:00", "answer", "carol");
    put_msg(&d, 1004, "11-06T09:00", "customer", "a2");
    put_ticket(&d, &Ticket { id: 1005, queue: "general", account: "c1", status: "closed", assignee: Some("alice"), created: "11-02T14:00", closed: Some(("11-03T09:30", "alice")), merged_from: "" });
    put_msg(&d, 1005, "11-02T14:00", "customer", "c1");
    put_msg(&d, 1005, "11-02T15:00", "answer", "bob");
    put_msg(&d, 1005, "11-03T08:00", "customer", "c1");
    put_msg(&d, 1005, "11-03T09:00", "answer", "alice");
    put_ticket(&d, &Ticket { id: 1006, queue: "general", account: "d1", status: "new", assignee: None, created: "11-06T08:00", closed: None, merged_from: "" });
    put_msg(&d, 1006, "11-06T08:00", "customer", "d1");
    put_ticket(&d, &Ticket { id: 1007, queue: "general", account: "a1", status: "new", assignee: None, created: "11-08T10:00", closed: None, merged_from: "" });
    put_msg(&d, 1007, "11-08T10:00", "customer", "a1");
    commit(&d, "11-06T11:00", "hand: the rest of the threads");

    // A mass action: 1006 assigned to carol, 1002 untouched.
    put_ticket(&d, &Ticket { id: 1006, queue: "general", account: "d1", status: "open", assignee: Some("carol"), created: "11-06T08:00", closed: None, merged_from: "" });
    commit(&d, "11-06T12:00", &op("ticket.mass", "alice", &[1006, 1002], &[]));
    // A hand commit naming a ticket but no Desk-Op: no event.
    commit(&d, "11-06T13:00", "hand edit\n\nDesk-Ticket: 1003\nDesk-Actor: bob\n");

    let out = d.ok(&["check"]);
    assert!(out.starts_with("ok: "), "{out}");
    d
}

const RANGE: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-11-07"];

fn stats(d: &TestDesk, who: &str, range: &[&str]) -> serde_json::Value {
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
            let vals = fields.iter().map(|f| r.pointer(f).and_then(|v| v.as_i64()).unwrap_or(-1)).collect();
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
    assert_eq!((r["from"].as_str(), r["to"].as_str(), r["days"].as_i64()), (Some("2026-11-01"), Some("2026-11-07"), Some(7)));
    assert_eq!(r["history"], true);
    assert_eq!(r["problems"], serde_json::json!([]));

    // Per Admin Stats.
    let fields = ["/picked_up", "/assigned", "/released", "/answers", "/notes", "/closed", "/first_response/count", "/first_response/mean_seconds", "/first_response/median_seconds", "/first_response/p90_seconds"];
    let h = 3600;
    assert_eq!(
        cols(&r["per_admin"], "login", &fields),
        [
            // alice: answers on 1002 and 1005; closed 1005; first answer of 1002 after 30 min.
            row("alice", &[0, 0, 0, 2, 0, 1, 1, 1800, 1800, 1800]),
            // bob: picked up 1005 (assigned to himself) and 1003; assigned 1001 by alice;
            // answers on 1001, 1002, 1005; the note on 1003; closed 1001; first answers of
            // 1001 (72 h, opened before the range) and 1005 (1 h).
            row("bob", &[2, 1, 0, 3, 1, 1, 2, (72 * h + h) / 2, (72 * h + h) / 2, 72 * h]),
            // carol: assigned 1004 (alice) and 1006 (mass); released 1004; answers on 1004
            // and on the deleted 1009, both first answers after 2 h; 1004 was reopened.
            row("carol", &[0, 2, 1, 2, 0, 0, 2, 2 * h, 2 * h, 2 * h]),
            row("dan", &[0, 0, 0, 0, 0, 0, 0, -1, -1, -1]),
        ]
    );
    assert_eq!(r["per_admin"][1]["name"], "BOB Tester");

    // Basic Stats (the deleted 1009 and the merged 1010 are not tickets of their own).
    let fields = ["/new_tickets", "/customer_messages", "/answers", "/notes", "/closed", "/closed_automatically", "/open_at_end"];
    let b = &r["basic"];
    let total: Vec<i64> = fields.iter().map(|f| b.pointer(f).unwrap().as_i64().unwrap()).collect();
    assert_eq!(total, [5, 9, 6, 1, 3, 1, 3]);
    assert_eq!((b["deleted"].as_i64(), b["merged"].as_i64()), (Some(1), Some(1)));
    assert_eq!(
        cols(&b["per_queue"], "queue", &fields),
        [row("billing", &[2, 4, 1, 1, 0, 0, 2]), row("general", &[3, 5, 5, 0, 3, 1, 1])]
    );

    // Ticket System Averages: first responses 30 min (1002), 1 h (1005), 2 h (1004),
    // 72 h (1001); resolutions 19 h 30 m (1005), 73 h (1001), 96 h (1002).
    let a = &r["averages"];
    let d4 = |v: &serde_json::Value| [v["count"].as_i64(), v["mean_seconds"].as_i64(), v["median_seconds"].as_i64(), v["p90_seconds"].as_i64()];
    assert_eq!(d4(&a["first_response"]), [Some(4), Some((1800 + 3600 + 7200 + 72 * 3600) / 4), Some(5400), Some(72 * 3600)]);
    assert_eq!(d4(&a["resolution"]), [Some(3), Some((70_200 + 73 * 3600 + 96 * 3600) / 3), Some(73 * 3600), Some(96 * 3600)]);
    // Closed tickets 1001, 1002, 1005: 1 + 2 + 2 answers, 2 + 4 + 4 messages.
    assert_eq!(a["answers_per_ticket"].as_f64(), Some(5.0 / 3.0));
    assert_eq!(a["messages_per_ticket"].as_f64(), Some(10.0 / 3.0));
    let within: Vec<[i64; 3]> = a["answered_within"].as_array().unwrap().iter().map(|w| [w["hours"].as_i64().unwrap(), w["count"].as_i64().unwrap(), w["of"].as_i64().unwrap()]).collect();
    assert_eq!(within, [[1, 2, 4], [4, 3, 4], [24, 3, 4]]);
    assert_eq!(a["answered_within"][0]["share"].as_f64(), Some(0.5));
    assert_eq!(a["unanswered"], 2); // 1003 and 1006
    let bars: Vec<i64> = r["first_response_histogram"].as_array().unwrap().iter().map(|b| b["count"].as_i64().unwrap()).collect();
    assert_eq!(bars, [0, 1, 2, 0, 0, 0, 1]);

    // Reseller Support Stats.
    let fields = ["/tickets", "/customers", "/customer_messages", "/answers", "/accounts"];
    assert_eq!(
        cols(&r["resellers"], "login", &fields),
        [
            row("acme", &[1, 1, 2, 2, 2]),  // 1004 by a2; bob's answer on the older 1001; a3 joins later
            row("cheap", &[1, 1, 2, 2, 1]), // 1005
            row("web", &[2, 2, 4, 2, 2]),   // 1002 and 1003 (1009 deleted, 1010 merged into 1003)
        ]
    );

    // The per-day series.
    let days: Vec<(String, Vec<i64>)> = cols(&r["daily"], "date", &["/opened", "/closed", "/customer_messages", "/answers"]);
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
    assert_eq!((b["offered"].as_bool(), b["currency"].as_str(), b["pricing"].as_str(), b["default_price"].as_str()), (Some(true), Some("EUR"), Some("per_ticket"), Some("4.00")));
    let lines: Vec<(&str, &str, bool, i64, &str, &str)> = b["lines"].as_array().unwrap().iter().map(|l| {
        (l["reseller"].as_str().unwrap(), l["unit"].as_str().unwrap(), l["custom"].as_bool().unwrap(), l["count"].as_i64().unwrap(), l["unit_price"].as_str().unwrap(), l["amount"].as_str().unwrap())
    }).collect();
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

    let csv = d.ok(&["--as", "carol", "billing", "--csv", RANGE[0], RANGE[1], RANGE[2], RANGE[3]]);
    assert_eq!(
        csv,
        "reseller,name,unit,count,unit_price,amount,currency\n\
         acme,Reseller acme,per_customer,2,12.50,25.00,EUR\n\
         cheap,Reseller cheap,per_ticket,1,2.50,2.50,EUR\n\
         web,Reseller web,per_ticket,2,4.00,8.00,EUR\n\
         total,,,,,35.50,EUR\n"
    );
    let text = d.ok(&["--as", "carol", "billing", RANGE[0], RANGE[1], RANGE[2], RANGE[3]]);
    assert!(text.contains("acme      Reseller acme   per_customer  2      12.50       25.00   custom price\n"), "{text}");
    assert!(text.lines().last().unwrap().starts_with("total") && text.trim_end().ends_with("35.50"), "{text}");
    d.fails(2, &["--as", "carol", "--json", "billing", "--csv"]);
}

#[test]
fn billing_switched_off_bills_nothing() {
    let d = fixture();
    d.write("desk.yaml", &DESK.replace("offered: true", "offered: false"));
    commit(&d, "11-20T10:00", &op("settings.set", "alice", &[], &[]));
    let b = billing(&d, "alice", &RANGE);
    assert_eq!((b["offered"].as_bool(), b["lines"].as_array().map(Vec::len), b["total"].as_str()), (Some(false), Some(0), Some("0.00")));
    let r = d.run(&["--as", "alice", "billing", "--csv"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "reseller,name,unit,count,unit_price,amount,currency\ntotal,,,,,0.00,EUR\n");
    assert!(r.stderr.contains("not offered"), "{}", r.stderr);
}

#[test]
fn a_range_without_tickets_is_all_zeros() {
    let d = fixture();
    let range = ["--from", "2025-01-01", "--to", "2025-01-31"];
    let r = stats(&d, "bob", &range);
    assert_eq!(r["days"], 31);
    assert_eq!((r["basic"]["new_tickets"].as_i64(), r["basic"]["open_at_end"].as_i64()), (Some(0), Some(0)));
    assert_eq!(r["averages"]["first_response"]["count"], 0);
    assert!(r["averages"]["first_response"]["mean_seconds"].is_null());
    assert!(r["averages"]["answers_per_ticket"].is_null());
    for a in r["per_admin"].as_array().unwrap() {
        assert_eq!((a["answers"].as_i64(), a["picked_up"].as_i64()), (Some(0), Some(0)), "{a}");
    }
    let b = billing(&d, "alice", &range);
    // Per customer counts accounts that existed: none of acme's by January 2025.
    let counts: Vec<i64> = b["lines"].as_array().unwrap().iter().map(|l| l["count"].as_i64().unwrap()).collect();
    assert_eq!((counts, b["total"].as_str()), (vec![0, 0, 0], Some("0.00")));
    let text = d.ok(&["--as", "bob", "stats", range[0], range[1], range[2], range[3]]);
    assert!(text.contains("first response              -\n"), "{text}");
}

#[test]
fn permissions_are_checked() {
    let d = fixture();
    let e = d.fails(1, &["--as", "carol", "stats"]);
    assert!(e.contains("carol may not view ticket statistics: the permission `stats.view` is needed"), "{e}");
    let e = d.fails(1, &["--as", "bob", "billing"]);
    assert!(e.contains("bob may not view reseller billing: the permission `billing.view` is needed"), "{e}");
    for cmd in ["stats", "billing"] {
        d.fails(1, &["--as", "dan", cmd]);
        d.ok(&["--as", "alice", cmd]);
    }
}

#[test]
fn periods_default_and_bad() {
    let d = fixture();
    let r = stats(&d, "alice", &[]);
    assert_eq!((r["from"].as_str(), r["to"].as_str()), (Some("2026-10-29"), Some("2026-11-27")));
    let r = stats(&d, "alice", &["--to", "2026-11-07"]);
    assert_eq!(r["from"], "2026-10-09");
    // All time: from the first day of the desk (1008, 2026-10-01) to today.
    let r = stats(&d, "alice", &["--all"]);
    assert_eq!((r["from"].as_str(), r["basic"]["new_tickets"].as_i64()), (Some("2026-10-01"), Some(8)));
    let e = d.fails(1, &["--as", "alice", "stats", "--from", "2026-11-10", "--to", "2026-11-01"]);
    assert!(e.contains("--from: the range starts (2026-11-10) after it ends (2026-11-01)"), "{e}");
    let e = d.fails(2, &["--as", "alice", "stats", "--from", "2026-13-01"]);
    assert!(e.contains("not a date"), "{e}");
}

#[test]
fn the_cache_follows_new_commits_and_rewritten_history() {
    let d = fixture();
    let first = stats(&d, "alice", &RANGE);
    assert!(d.path(".git/desk/stats/snapshot.json").is_file());
    assert!(d.path(".git/desk/stats/history.json").is_file());
    assert_eq!(stats(&d, "alice", &RANGE), first, "a second run from the cache agrees");

    // A new ticket and a broken one: counted / reported at once.
    d.ok(&["--as", "bob", "ticket", "new", "--title", "New", "--email", "x@cust.example", "-m", "hi"]);
    d.write("tickets/001/1012/ticket.yaml", "id: 1012\ntitle: [broken\n");
    commit(&d, "11-27T12:00", "hand: a broken ticket");
    let r = stats(&d, "alice", &["--from", "2026-11-01"]);
    let before = stats(&d, "alice", &["--from", "2026-11-01"]);
    assert_eq!(r, before);
    assert_eq!(r["basic"]["new_tickets"], 7, "5 + 1007 + the new one");
    let problems = r["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].as_str().unwrap().starts_with("tickets/001/1012/ticket.yaml:"), "{problems:?}");
    let run = d.run(&["--as", "alice", "stats"]);
    assert!(run.stderr.contains("1 file(s) could not be read"), "{}", run.stderr);

    // History rewritten (the mass action and later commits undone): read again.
    d.git(&["reset", "-q", "--hard", "HEAD~4"]);
    let r = stats(&d, "alice", &RANGE);
    let carol = r["per_admin"].as_array().unwrap().iter().find(|a| a["login"] == "carol").unwrap().clone();
    assert_eq!(carol["assigned"], 1, "only alice's assignment of 1004 is left");
}

#[test]
fn a_plain_directory_and_its_git_copy_agree() {
    let d = TestDesk::example();
    let git = stats(&d, "alice", &["--all"]);
    let plain = d.run_in(&example_repo(), &["--as", "alice", "--json", "stats", "--all"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(plain.stderr.contains("no git history"), "{}", plain.stderr);
    let mut plain = json(&plain.stdout);
    assert_eq!(plain["history"], false);
    plain["history"] = true.into();
    assert_eq!(plain, git);
    assert!(git["basic"]["new_tickets"].as_i64().unwrap() >= 40);
}
