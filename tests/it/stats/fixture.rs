//! The statistics fixture desk: written file by file and committed with git, the commit
//! trailers carrying the pick-ups, assignments, releases, the deletion, the merge and a
//! mass action. The tests' range is 2026-11-01 … 2026-11-07.
//!
//! Tickets at HEAD (times 2026, UTC):
//! - 1001 general, a1 (acme): opened 10-30 10:00 (before the range); bob answered 11-02
//!   10:00 (first response 72 h) and closed it 11-02 11:00.
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
//!
//! History events: bob picked up 1001 (10-30) and released it (10-31), both before the
//! range; alice assigned 1001 to bob (11-02, no `Desk-Assignee`: read from ticket.yaml);
//! bob assigned 1005 to himself (11-03); bob picked up 1003 (11-03); alice assigned 1004 to
//! carol (11-04) and carol released it; the mass action assigned 1006 to carol (11-06).

use crate::support::*;

pub fn ts(s: &str) -> String {
    format!("2026-{s}:00Z")
}

fn git_at(d: &TestDesk, date: &str, args: &[&str]) {
    let o = isolated("git", &d.home(), &d.root)
        .env("GIT_AUTHOR_DATE", ts(date))
        .env("GIT_COMMITTER_DATE", ts(date))
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "git {args:?}: {err}");
}

/// Commits everything as it is now, dated `date`.
pub fn commit(d: &TestDesk, date: &str, message: &str) {
    git_at(d, date, &["add", "-A"]);
    git_at(d, date, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// A commit message with desk trailers from `op actor [ticket…] [Trailer:value…]`.
pub fn op(spec: &str) -> String {
    let mut words = spec.split_whitespace();
    let (op, actor) = (words.next().unwrap(), words.next().unwrap());
    let mut m = format!("{op} (fixture)\n\nDesk-Op: {op}\n");
    let mut extra = String::new();
    for w in words {
        match w.split_once(':') {
            Some((k, v)) => extra.push_str(&format!("{k}: {v}\n")),
            None => m.push_str(&format!("Desk-Ticket: {w}\n")),
        }
    }
    m + &extra + &format!("Desk-Actor: {actor}\n")
}

/// `ticket.yaml` from `id queue account status assignee created [closed_at closed_by]
/// [merged:ID]`; `-` = null.
fn ticket(d: &TestDesk, spec: &str) {
    let w: Vec<&str> = spec.split_whitespace().collect();
    let null = |v: &str| {
        if v == "-" {
            "null".to_owned()
        } else {
            v.to_owned()
        }
    };
    let (closed_at, closed_by) = match w.get(6) {
        Some(at) if !at.starts_with("merged") => (ts(at), w[7].to_owned()),
        _ => ("null".into(), "null".into()),
    };
    let merged = w.last().unwrap().strip_prefix("merged:").unwrap_or("");
    let (id, acc) = (w[0], w[2]);
    let yaml = format!(
        "id: {id}\ntitle: Ticket {id}\nemail: {acc}@cust.example\naccount: {acc}\nqueue: {}\n\
         status: {}\npriority: 50\nassignee: {}\nsticky: false\ncreated_at: {c}\nupdated_at: {c}\n\
         first_answered_at: null\nanswered_at: null\nclosed_at: {closed_at}\nclosed_by: {closed_by}\n\
         merged_from: [{merged}]\n",
        w[1],
        w[3],
        null(w[4]),
        c = ts(w[5]),
    );
    d.write(&format!("tickets/001/{id}/ticket.yaml"), &yaml);
}

/// Messages of ticket `id`, each `at kind author`; a customer's author is their account.
fn messages(d: &TestDesk, id: u64, specs: &[&str]) {
    for spec in specs {
        let w: Vec<&str> = spec.split_whitespace().collect();
        let (at, kind, author) = (w[0], w[1], w.get(2).copied().unwrap_or(""));
        let (who, tag) = match kind {
            "customer" => (format!("{author}@cust.example"), author),
            "autoresponse" => ("support@example.com".to_owned(), "support"),
            _ => (author.to_owned(), author),
        };
        let stamp = ts(at).replace(['-', ':'], "");
        let yaml = format!(
            "at: {}\nauthor: {who}\nkind: {kind}\nmessage_id: null\nbody: |\n  text\nattachments: []\n",
            ts(at)
        );
        d.write(
            &format!("tickets/001/{id}/messages/{stamp}-{tag}-{id:04x}.yaml"),
            &yaml,
        );
    }
}

pub const DESK: &str = "format: 1\nname: Fixture Support\nsupport_email: support@example.com\n\
    default_queue: general\nauto_close_days: 3\nreseller_support:\n  offered: true\n  \
    pricing: per_ticket\n  default_price: \"4.00\"\n  currency: EUR\n";

fn directory(d: &TestDesk) {
    d.write("desk.yaml", DESK);
    let queue = "slug: billing\nname: Billing\nemail: null\nmailbox: null\n\
                 new_ticket_response: null\nclosed_ticket_response: null\n";
    d.write("queues/billing.yaml", queue);
    for (login, perms) in [
        ("bob", "stats.view"),
        ("carol", "billing.view"),
        ("dan", ""),
    ] {
        let name = login.to_uppercase();
        let yaml = format!(
            "login: {login}\nname: {name} Tester\nemail: {login}@example.com\nrole: support\n\
             active: true\npermissions: [{perms}]\nqueues: [general, billing]\n"
        );
        d.write(&format!("staff/{login}.yaml"), &yaml);
    }
    for (login, custom) in [
        ("acme", "{unit: per_customer, price: \"12.50\"}"),
        ("cheap", "{unit: per_ticket, price: \"2.50\"}"),
        ("web", "null"),
    ] {
        let yaml = format!("login: {login}\nname: Reseller {login}\ncustom_price: {custom}\n");
        d.write(&format!("resellers/{login}.yaml"), &yaml);
    }
    for (login, reseller, created) in [
        ("a1", "acme", "2026-01-01T00:00:00Z"),
        ("a2", "acme", "2026-11-05T00:00:00Z"),
        ("a3", "acme", "2026-12-01T00:00:00Z"), // after the range
        ("w1", "web", "null"),
        ("w2", "web", "2025-05-05T00:00:00Z"),
        ("c1", "cheap", "2024-01-01T00:00:00Z"),
        ("d1", "null", "2024-01-01T00:00:00Z"),
    ] {
        let yaml = format!(
            "login: {login}\nname: Customer {login}\nemail: {login}@cust.example\n\
             reseller: {reseller}\ncreated_at: {created}\n"
        );
        d.write(&format!("accounts/{login}.yaml"), &yaml);
    }
}

pub fn fixture() -> TestDesk {
    let d = TestDesk::new();
    directory(&d);
    ticket(
        &d,
        "1008 general a1 closed alice 10-01T09:00 10-01T12:00 alice",
    );
    messages(
        &d,
        1008,
        &["10-01T09:00 customer a1", "10-01T12:00 answer alice"],
    );
    ticket(&d, "1001 general a1 new - 10-30T10:00");
    messages(&d, 1001, &["10-30T10:00 customer a1"]);
    commit(&d, "10-30T10:00", "fixture: the desk");

    ticket(&d, "1001 general a1 open bob 10-30T10:00");
    commit(&d, "10-30T11:00", &op("ticket.pickup bob 1001"));
    ticket(&d, "1001 general a1 open - 10-30T10:00");
    commit(&d, "10-31T09:00", &op("ticket.release bob 1001"));

    ticket(&d, "1002 general w1 new - 11-01T09:00");
    messages(&d, 1002, &["11-01T09:00 customer w1"]);
    commit(&d, "11-01T09:00", &op("ticket.new alice 1002"));

    // An assignment without Desk-Assignee: the assignee is read from ticket.yaml.
    ticket(&d, "1001 general a1 open bob 10-30T10:00");
    commit(&d, "11-02T09:50", &op("ticket.assign alice 1001"));

    ticket(&d, "1009 general w1 answered carol 11-02T10:00");
    messages(
        &d,
        1009,
        &["11-02T10:00 customer w1", "11-02T12:00 answer carol"],
    );
    commit(&d, "11-02T12:00", "hand: ticket 1009 as it was");

    // Assigning oneself is a pick-up.
    commit(
        &d,
        "11-03T08:30",
        &op("ticket.assign bob 1005 Desk-Assignee:bob"),
    );
    std::fs::remove_dir_all(d.path("tickets/001/1009")).unwrap();
    commit(&d, "11-03T10:00", &op("ticket.delete alice 1009"));
    commit(&d, "11-03T12:10", &op("ticket.pickup bob 1003"));
    commit(
        &d,
        "11-04T09:00",
        &op("ticket.assign alice 1004 Desk-Assignee:carol"),
    );
    commit(&d, "11-04T10:10", &op("ticket.release carol 1004"));

    ticket(&d, "1003 billing w2 open bob 11-03T12:00");
    messages(
        &d,
        1003,
        &["11-03T12:00 customer w2", "11-03T13:00 note bob"],
    );
    ticket(&d, "1010 billing w2 new - 11-05T10:00");
    messages(&d, 1010, &["11-05T10:00 customer w2"]);
    commit(&d, "11-05T10:30", "hand: tickets 1003 and 1010");

    std::fs::remove_dir_all(d.path("tickets/001/1010")).unwrap();
    ticket(&d, "1003 billing w2 open bob 11-03T12:00 merged:1010");
    messages(&d, 1003, &["11-05T10:00 customer w2"]);
    commit(&d, "11-05T11:00", &op("ticket.merge bob 1010 1003"));

    ticket(&d, "1001 general a1 closed bob 10-30T10:00 11-02T11:00 bob");
    messages(&d, 1001, &["11-02T10:00 answer bob"]);
    ticket(
        &d,
        "1002 general w1 closed - 11-01T09:00 11-05T09:00 autoclose",
    );
    messages(
        &d,
        1002,
        &[
            "11-01T09:00 autoresponse",
            "11-01T09:30 answer alice",
            "11-02T08:00 customer w1",
            "11-02T09:00 answer bob",
        ],
    );
    ticket(&d, "1004 billing a2 open - 11-04T08:00");
    messages(
        &d,
        1004,
        &[
            "11-04T08:00 customer a2",
            "11-04T10:00 answer carol",
            "11-06T09:00 customer a2",
        ],
    );
    ticket(
        &d,
        "1005 general c1 closed alice 11-02T14:00 11-03T09:30 alice",
    );
    messages(
        &d,
        1005,
        &[
            "11-02T14:00 customer c1",
            "11-02T15:00 answer bob",
            "11-03T08:00 customer c1",
            "11-03T09:00 answer alice",
        ],
    );
    ticket(&d, "1006 general d1 new - 11-06T08:00");
    messages(&d, 1006, &["11-06T08:00 customer d1"]);
    ticket(&d, "1007 general a1 new - 11-08T10:00");
    messages(&d, 1007, &["11-08T10:00 customer a1"]);
    commit(&d, "11-06T11:00", "hand: the rest of the threads");

    // A mass action: 1006 assigned to carol, 1002 named but unchanged.
    ticket(&d, "1006 general d1 open carol 11-06T08:00");
    commit(&d, "11-06T12:00", &op("ticket.mass alice 1006 1002"));
    // A hand commit naming a ticket but without Desk-Op: no event.
    commit(
        &d,
        "11-06T13:00",
        "hand edit\n\nDesk-Ticket: 1003\nDesk-Actor: bob\n",
    );

    let out = d.ok(&["check"]);
    assert!(out.starts_with("ok: "), "{out}");
    d
}
