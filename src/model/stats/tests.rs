//! The statistics rules on a small hand-made dataset (range 2026-11-02 … 2026-11-08).
//! Every expected figure is worked out in the comments.

use super::*;
use crate::model::MessageKind::{Answer, Customer, Note};

fn ts(s: &str) -> Timestamp {
    format!("2026-{s}:00Z").parse().unwrap()
}

fn ticket(id: u64, queue: &str, account: Option<&str>, created: &str) -> TicketFacts {
    TicketFacts {
        priority: 50,
        id: TicketId::new(id).unwrap(),
        queue: queue.parse().unwrap(),
        account: account.map(|a| a.parse().unwrap()),
        created_at: ts(created),
        closed_at: None,
        closed_by: None,
        messages: vec![MessageFact::new(ts(created), Customer, "cust@x.example")],
        deleted_at: None,
        snoozes: Vec::new(),
        tags: vec![],
    }
}

fn msg(t: &mut TicketFacts, at: &str, kind: MessageKind, author: &str) {
    t.messages.push(MessageFact::new(ts(at), kind, author));
}

fn close(t: &mut TicketFacts, at: &str, by: &str) {
    t.closed_at = Some(ts(at));
    t.closed_by = Some(by.into());
}

fn event(at: &str, ticket: u64, actor: &str, kind: EventKind) -> HistoryEvent {
    HistoryEvent {
        at: ts(at),
        ticket: TicketId::new(ticket).unwrap(),
        actor: Some(actor.into()),
        kind,
    }
}

fn to(login: &str) -> EventKind {
    EventKind::Assigned { to: login.into() }
}

fn dataset() -> Dataset {
    // T1: opened before the range, answered (24 h later) and closed by bob in it.
    let mut t1 = ticket(1, "general", Some("jdoe"), "11-01T09:00");
    msg(&mut t1, "11-02T09:00", Answer, "bob");
    close(&mut t1, "11-02T10:00", "bob");
    // T2: answered by alice after 30 min, the customer wrote again, bob answered, auto-closed.
    let mut t2 = ticket(2, "billing", None, "11-03T10:00");
    msg(&mut t2, "11-03T10:30", Answer, "alice");
    msg(&mut t2, "11-04T08:00", Customer, "cust@x.example");
    msg(&mut t2, "11-04T09:00", Answer, "bob");
    close(&mut t2, "11-05T09:00", AUTOCLOSE);
    // T3: no answer, only a note; a web end user.
    let mut t3 = ticket(3, "general", Some("kim"), "11-05T12:00");
    msg(&mut t3, "11-05T13:00", Note, "bob");
    // T4: answered by carol after 2 h, then deleted.
    let mut t4 = ticket(4, "general", Some("kim"), "11-03T10:00");
    msg(&mut t4, "11-03T12:00", Answer, "carol");
    t4.deleted_at = Some(ts("11-04T00:00"));
    // T5: after the range.
    let t5 = ticket(5, "general", Some("kim"), "11-09T10:00");
    // T6: closed in October, reopened by the customer in the range, open now.
    let mut t6 = ticket(6, "general", Some("jdoe"), "10-20T10:00");
    msg(&mut t6, "10-20T11:00", Answer, "bob");
    msg(&mut t6, "11-06T10:00", Customer, "cust@x.example");
    let account = |r: Option<&str>, created: Option<&str>| AccountFacts {
        reseller: r.map(|r| r.parse().unwrap()),
        created_at: created.map(ts),
    };
    let directory = Directory {
        staff: ["alice", "bob", "carol", "dave"]
            .iter()
            .map(|l| (l.to_string(), l.to_uppercase()))
            .collect(),
        queues: vec![
            ("billing".parse().unwrap(), "Billing".into()),
            ("general".parse().unwrap(), "General".into()),
        ],
        accounts: [
            ("jdoe", account(Some("acme"), None)),
            ("late", account(Some("acme"), Some("11-09T00:00"))),
            ("kim", account(Some("web"), Some("01-01T00:00"))),
            ("direct", account(None, None)),
        ]
        .into_iter()
        .map(|(l, a)| (l.parse().unwrap(), a))
        .collect(),
        resellers: vec![],
    };
    Dataset {
        tickets: vec![t1, t2, t3, t4, t5, t6],
        events: vec![
            event("11-01T08:00", 1, "bob", to("bob")), // before the range
            event("11-02T08:00", 1, "bob", to("bob")),
            event("11-05T12:30", 3, "alice", to("carol")),
            event("11-06T09:00", 3, "carol", EventKind::Released),
            event("11-04T00:00", 4, "dave", EventKind::Deleted),
            event("11-07T00:00", 7, "dave", EventKind::Merged),
        ],
        directory,
        history: true,
        problems: vec![],
        ..Default::default()
    }
}

fn range() -> Range {
    Range::new("2026-11-02".parse().unwrap(), "2026-11-08".parse().unwrap()).unwrap()
}

#[test]
fn ranges() {
    let r = range();
    assert_eq!(r.days(), 7);
    assert!(r.contains(ts("11-08T23:59")) && !r.contains(ts("11-09T00:00")));
    assert!(r.contains(ts("11-02T00:00")) && !r.contains(ts("11-01T23:59")));
    let last = Range::ending("2026-11-27".parse().unwrap(), 30);
    assert_eq!(last.first().to_string(), "2026-10-29");
    assert!(Range::new(r.last(), r.first()).is_err());
}

#[test]
fn basic_stats() {
    let b = basic::compute(&dataset(), range());
    // New: T2, T3 (T4 is deleted, T1 and T6 older, T5 later).
    // Customer messages: T2 ×2, T3, T6's reopening. Answers: T1 bob, T2 alice + bob.
    // Closed: T1 and T2 (auto). Open at end: T3 and the reopened T6.
    let want = BasicCounts {
        new_tickets: 2,
        customer_messages: 4,
        answers: 3,
        notes: 1,
        closed: 2,
        closed_automatically: 1,
        open_at_end: 2,
    };
    assert_eq!(b.total, want);
    assert_eq!((b.deleted, b.merged), (1, 1));
    let q: Vec<(&str, BasicCounts)> = b
        .per_queue
        .iter()
        .map(|q| (q.queue.as_str(), q.counts))
        .collect();
    let billing = BasicCounts {
        new_tickets: 1,
        customer_messages: 2,
        answers: 2,
        notes: 0,
        closed: 1,
        closed_automatically: 1,
        open_at_end: 0,
    };
    let general = BasicCounts {
        new_tickets: 1,
        customer_messages: 2,
        answers: 1,
        notes: 1,
        closed: 1,
        closed_automatically: 0,
        open_at_end: 2,
    };
    assert_eq!(q, [("billing", billing), ("general", general)]);
}

#[test]
fn per_admin_stats() {
    let rows = admin::compute(&dataset(), range());
    let get = |l: &str| rows.iter().find(|r| r.login == l).unwrap().clone();
    let bob = get("bob");
    // One pick-up in the range (the other was before); answers on T1 and T2; the note on
    // T3; T1 closed; first response on T1 only (T2's first answer was alice's): 24 h.
    assert_eq!((bob.picked_up, bob.assigned, bob.released), (1, 0, 0));
    assert_eq!((bob.answers, bob.notes, bob.closed), (2, 1, 1));
    assert_eq!(
        (bob.first_response.count, bob.first_response.mean_seconds),
        (1, Some(86_400))
    );
    let alice = get("alice");
    assert_eq!(
        (alice.answers, alice.first_response.median_seconds),
        (1, Some(1800))
    );
    assert_eq!(alice.picked_up + alice.assigned, 0);
    // carol: assigned T3 by alice, released it; her answer on the deleted T4 still counts.
    let carol = get("carol");
    assert_eq!((carol.assigned, carol.released, carol.answers), (1, 1, 1));
    assert_eq!(carol.first_response.mean_seconds, Some(7200));
    assert!(get("dave").is_idle());
    // The auto-close is nobody's.
    assert!(rows.iter().all(|r| r.login != AUTOCLOSE));
}

#[test]
fn averages() {
    let (a, bars) = averages::compute(&dataset(), range());
    // First responses in the range: T1 24 h (opened before the range), T2 30 min.
    assert_eq!(a.first_response.count, 2);
    assert_eq!(a.first_response.mean_seconds, Some((86_400 + 1800) / 2));
    assert_eq!(a.first_response.median_seconds, Some((86_400 + 1800) / 2));
    assert_eq!(a.first_response.p90_seconds, Some(86_400));
    let within: Vec<(u32, u64, u64)> = a
        .answered_within
        .iter()
        .map(|w| (w.hours, w.count, w.of))
        .collect();
    assert_eq!(within, [(1, 1, 2), (4, 1, 2), (24, 2, 2)]);
    assert_eq!(a.answered_within[0].share, Some(0.5));
    // Resolution: T1 25 h, T2 47 h.
    assert_eq!(a.resolution.count, 2);
    assert_eq!(a.resolution.mean_seconds, Some((25 + 47) * 3600 / 2));
    // T1: 1 answer, 2 messages; T2: 2 answers, 4 messages.
    assert_eq!(a.answers_per_ticket, Some(1.5));
    assert_eq!(a.messages_per_ticket, Some(3.0));
    assert_eq!(a.unanswered, 1);
    let counts: Vec<u64> = bars.iter().map(|b| b.count).collect();
    assert_eq!(counts, [0, 1, 0, 0, 0, 1, 0]);
}

#[test]
fn reseller_stats() {
    let rows = resellers::compute(&dataset(), range());
    let got: Vec<(&str, u64, u64, u64, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r.login.as_str(),
                r.tickets,
                r.customers,
                r.customer_messages,
                r.answers,
                r.accounts,
            )
        })
        .collect();
    // acme: T1 (older) answered in the range, T6's reopening; `late` joined after the range.
    // web: T3 (T4 deleted, T5 after the range); kim created before.
    assert_eq!(got, [("acme", 0, 0, 1, 1, 1), ("web", 1, 1, 1, 0, 1)]);
}

#[test]
fn daily_series() {
    let days = basic::daily(&dataset(), range());
    assert_eq!(days.len(), 7);
    let got: Vec<(u64, u64, u64, u64)> = days
        .iter()
        .map(|d| (d.opened, d.closed, d.customer_messages, d.answers))
        .collect();
    assert_eq!(
        got,
        [
            (0, 1, 0, 1),
            (1, 0, 1, 1),
            (0, 0, 1, 1),
            (1, 1, 1, 0),
            (0, 0, 1, 0),
            (0, 0, 0, 0),
            (0, 0, 0, 0)
        ]
    );
    assert_eq!(days[6].date.to_string(), "2026-11-08");
}

#[test]
fn an_empty_range_is_all_zeros() {
    let r = Range::new("2025-01-01".parse().unwrap(), "2025-01-31".parse().unwrap()).unwrap();
    let rep = compute(&dataset(), r);
    assert_eq!(rep.basic.total, BasicCounts::default());
    assert_eq!(rep.averages.first_response, DurationStats::default());
    assert_eq!(rep.averages.answers_per_ticket, None);
    assert!(rep
        .averages
        .answered_within
        .iter()
        .all(|w| w.share.is_none()));
    assert!(rep.per_admin.iter().all(AdminStats::is_idle));
    assert_eq!(rep.daily.len(), 31);
    // Open at the end of January 2025: nothing existed yet.
    assert_eq!(compute(&Dataset::default(), r).basic.per_queue, vec![]);
}
