//! Unit tests of the ticket state machine.

use super::*;
use crate::model::{NewTicket, TicketId};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}
fn login(s: &str) -> Login {
    s.parse().unwrap()
}
fn ticket() -> Ticket {
    Ticket::new(
        TicketId::new(7).unwrap(),
        NewTicket {
            title: "Printer on fire".into(),
            email: "john@doe.example".parse().unwrap(),
            account: None,
            queue: "general".parse().unwrap(),
            priority: Priority::DEFAULT,
            assignee: None,
            sticky: false,
        },
        at("2026-11-01T10:00:00Z"),
    )
}
fn days(n: i64) -> AutoClose {
    AutoClose::new(n).unwrap()
}
const NOW: &str = "2026-11-02T09:00:00Z";

fn picked(by: &str) -> Ticket {
    apply(&ticket(), &Action::Pickup(login(by)), at(NOW)).unwrap()
}

#[test]
fn pickup_opens_a_new_ticket_and_is_exclusive() {
    let t = picked("bob");
    assert_eq!(t.assignee, Some(login("bob")));
    assert_eq!(t.status, Status::Open);
    assert_eq!(t.updated_at, at(NOW));
    assert_eq!(
        apply(&t, &Action::Pickup(login("carol")), at(NOW)),
        Err(Refusal::AssignedToOther(login("bob")))
    );
    assert_eq!(
        apply(&t, &Action::Pickup(login("bob")), at(NOW)),
        Err(Refusal::AlreadyAssignedTo(login("bob")))
    );
}

#[test]
fn release_needs_an_assignee_and_keeps_the_status() {
    let t = apply(&picked("bob"), &Action::Release, at(NOW)).unwrap();
    assert_eq!(t.assignee, None);
    assert_eq!(t.status, Status::Open);
    assert_eq!(
        apply(&t, &Action::Release, at(NOW)),
        Err(Refusal::NotAssigned)
    );
}

#[test]
fn answering_needs_the_ticket_and_follows_the_auto_close_policy() {
    let answer = |policy| Action::Answer {
        by: login("bob"),
        auto_close: days(policy),
    };
    assert_eq!(
        apply(&ticket(), &answer(0), at(NOW)),
        Err(Refusal::NotAssignedTo {
            by: login("bob"),
            who: None
        })
    );
    let closed = apply(&picked("bob"), &answer(0), at(NOW)).unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert_eq!(closed.closed_by.as_deref(), Some("bob"));
    assert_eq!(closed.closed_at, Some(at(NOW)));
    assert_eq!(closed.first_answered_at, Some(at(NOW)));
    for policy in [3, -1] {
        let t = apply(&picked("bob"), &answer(policy), at(NOW)).unwrap();
        assert_eq!(t.status, Status::Answered);
        assert_eq!(t.closed_at, None);
        assert_eq!(t.answered_at, Some(at(NOW)));
    }
    // A second answer keeps the first answer time.
    let later = "2026-11-05T09:00:00Z";
    let t = apply(&picked("bob"), &answer(3), at(NOW)).unwrap();
    let t = apply(&t, &answer(3), at(later)).unwrap();
    assert_eq!(t.first_answered_at, Some(at(NOW)));
    assert_eq!(t.answered_at, Some(at(later)));
}

#[test]
fn customer_message_reopens_and_unassigns_unless_sticky() {
    let answered = apply(
        &picked("bob"),
        &Action::Answer {
            by: login("bob"),
            auto_close: days(0),
        },
        at(NOW),
    )
    .unwrap();
    let t = apply(&answered, &Action::CustomerMessage, at(NOW)).unwrap();
    assert_eq!(t.status, Status::Open);
    assert_eq!(t.assignee, None);
    assert_eq!(t.closed_at, None);
    assert_eq!(t.closed_by, None);

    let mut sticky = answered.clone();
    sticky.sticky = true;
    let t = apply(&sticky, &Action::CustomerMessage, at(NOW)).unwrap();
    assert_eq!(t.assignee, Some(login("bob")));
    assert_eq!(t.status, Status::Open);

    // A second message on a new ticket leaves it new.
    let t = apply(&ticket(), &Action::CustomerMessage, at(NOW)).unwrap();
    assert_eq!(t.status, Status::New);
    assert_eq!(t.updated_at, at(NOW));
}

#[test]
fn close_resolve_reopen() {
    let bob = || login("bob");
    let closed = apply(&ticket(), &Action::Close { by: "bob".into() }, at(NOW)).unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert_eq!(
        apply(&closed, &Action::Close { by: "bob".into() }, at(NOW)),
        Err(Refusal::Already(Status::Closed))
    );
    assert_eq!(
        apply(&closed, &Action::Resolve { by: bob() }, at(NOW)),
        Err(Refusal::Closed)
    );
    let open = apply(&closed, &Action::Reopen, at(NOW)).unwrap();
    assert_eq!(open.status, Status::Open);
    assert_eq!(open.closed_at, None);
    assert_eq!(
        apply(&open, &Action::Reopen, at(NOW)),
        Err(Refusal::NotReopenable(Status::Open))
    );
    let resolved = apply(&open, &Action::Resolve { by: bob() }, at(NOW)).unwrap();
    assert_eq!(resolved.status, Status::Resolved);
    assert_eq!(resolved.closed_by.as_deref(), Some("bob"));
    assert_eq!(
        apply(&resolved, &Action::Resolve { by: bob() }, at(NOW)),
        Err(Refusal::Already(Status::Resolved))
    );
    // Closing a resolved ticket is allowed.
    assert!(apply(&resolved, &Action::Close { by: "bob".into() }, at(NOW)).is_ok());
}

#[test]
fn set_status_checks_what_the_status_claims() {
    let to = |s| Action::SetStatus {
        to: s,
        by: login("bob"),
    };
    assert_eq!(
        apply(&ticket(), &to(Status::Answered), at(NOW)),
        Err(Refusal::NeverAnswered)
    );
    let closed = apply(&ticket(), &to(Status::Closed), at(NOW)).unwrap();
    assert_eq!(closed.closed_by.as_deref(), Some("bob"));
    let back = apply(&closed, &to(Status::New), at(NOW)).unwrap();
    assert_eq!(back.status, Status::New);
    assert_eq!(back.closed_at, None);
    let mut answered = ticket();
    answered.first_answered_at = Some(at(NOW));
    answered.status = Status::Open;
    assert_eq!(
        apply(&answered, &to(Status::New), at(NOW)),
        Err(Refusal::NotNew)
    );
}

#[test]
fn apply_all_refuses_a_change_that_changes_nothing() {
    let t = ticket();
    assert_eq!(
        apply_all(&t, &[Action::SetPriority(t.priority)], at(NOW)),
        Err(Refusal::NothingToChange)
    );
    let p = Priority::new(90).unwrap();
    let after = apply_all(
        &t,
        &[
            Action::Assign(Some(login("carol"))),
            Action::SetPriority(p),
            Action::SetSticky(true),
        ],
        at(NOW),
    )
    .unwrap();
    let described = join_changes(&changes(&t, &after));
    assert_eq!(
        described,
        "assignee carol, status open, priority 90, sticky on"
    );
}

#[test]
fn autoclose_policies() {
    let mut t = picked("bob");
    t = apply(
        &t,
        &Action::Answer {
            by: login("bob"),
            auto_close: days(3),
        },
        at("2026-11-01T12:00:00Z"),
    )
    .unwrap();
    let policy = Action::AutoClose { policy: days(3) };
    // Exactly three days is not more than three days.
    assert_eq!(
        apply(&t, &policy, at("2026-11-04T12:00:00Z")),
        Err(Refusal::NotDue)
    );
    let closed = apply(&t, &policy, at("2026-11-04T12:00:01Z")).unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert_eq!(closed.closed_by.as_deref(), Some(AUTOCLOSE));
    // Once closed it is not due any more: idempotent.
    assert_eq!(
        apply(&closed, &policy, at("2026-12-01T00:00:00Z")),
        Err(Refusal::NotDue)
    );
    assert!(!autoclose_due(&t, days(-1), at("2030-01-01T00:00:00Z")));
    assert!(autoclose_due(&t, days(0), at("2026-11-01T12:00:00Z")));
    // A customer message since the answer makes it open, so not due.
    let replied = apply(&t, &Action::CustomerMessage, at("2026-11-02T00:00:00Z")).unwrap();
    assert!(!autoclose_due(
        &replied,
        days(3),
        at("2026-12-01T00:00:00Z")
    ));
}

#[test]
fn absorbing_records_provenance_and_reopens_a_closed_target() {
    let mut target = apply(&ticket(), &Action::Close { by: "bob".into() }, at(NOW)).unwrap();
    target.merged_from = vec![TicketId::new(3).unwrap()];
    let mut source = ticket();
    source.id = TicketId::new(9).unwrap();
    source.merged_from = vec![TicketId::new(5).unwrap()];
    let merged = apply(&target, &Action::Absorb(Box::new(source.clone())), at(NOW)).unwrap();
    let ids: Vec<u64> = merged.merged_from.iter().map(|i| i.get()).collect();
    assert_eq!(ids, [3, 5, 9]);
    assert_eq!(merged.status, Status::Open);
    assert_eq!(
        apply(&target, &Action::Absorb(Box::new(target.clone())), at(NOW)),
        Err(Refusal::MergeSelf)
    );
}

#[test]
fn a_clock_before_the_tickets_creation_is_refused_for_every_action() {
    let t = picked("bob");
    let early = at("2026-10-31T23:59:59Z");
    for action in [
        Action::Note,
        Action::CustomerMessage,
        Action::Release,
        Action::Close { by: "bob".into() },
        Action::Retitle("New title".into()),
    ] {
        let err = apply(&t, &action, early).unwrap_err();
        assert_eq!(
            err,
            Refusal::BeforeCreation {
                created_at: at("2026-11-01T10:00:00Z"),
                now: early
            }
        );
    }
    assert_eq!(
        Refusal::BeforeCreation {
            created_at: at("2026-11-01T10:00:00Z"),
            now: early
        }
        .to_string(),
        "was created at 2026-11-01T10:00:00Z, after the time given (2026-10-31T23:59:59Z); check the system clock or GIT_DESK_NOW"
    );
    // The creation second itself is fine.
    assert!(apply(&t, &Action::Note, at("2026-11-01T10:00:00Z")).is_ok());
}

#[test]
fn cc_addresses_are_added_removed_and_never_the_customer() {
    let e = |s: &str| -> Email { s.parse().unwrap() };
    let t = apply(&ticket(), &Action::AddCc(e("ann@doe.example")), at(NOW)).unwrap();
    assert_eq!(t.cc, [e("ann@doe.example")]);
    assert_eq!(t.updated_at, at(NOW));
    assert_eq!(changes(&ticket(), &t)[0].to_string(), "cc ann@doe.example");
    for same in ["ANN@doe.example", "John@Doe.example"] {
        assert_eq!(
            apply(&t, &Action::AddCc(e(same)), at(NOW)),
            Err(Refusal::NothingToChange),
            "{same}"
        );
    }
    assert_eq!(
        apply(&t, &Action::RemoveCc(e("bob@doe.example")), at(NOW)),
        Err(Refusal::NotCc(e("bob@doe.example")))
    );
    let gone = apply(&t, &Action::RemoveCc(e("Ann@doe.example")), at(NOW)).unwrap();
    assert!(gone.cc.is_empty());
    assert_eq!(changes(&t, &gone)[0].to_string(), "cc none");
    // The Cc who becomes the customer is no longer a Cc.
    let moved = apply(&t, &Action::SetEmail(e("ann@doe.example")), at(NOW)).unwrap();
    assert_eq!(moved.email, e("ann@doe.example"));
    assert!(moved.cc.is_empty());
}

#[test]
fn tags_are_added_removed_sorted_and_bounded() {
    let t = ticket();
    let tag = |s: &str| -> Tag { s.parse().unwrap() };
    let a = Action::Tag {
        add: vec![tag("vip"), tag("billing"), tag("vip")],
        remove: vec![],
    };
    let next = apply(&t, &a, at(NOW)).unwrap();
    assert_eq!(next.tags, [tag("billing"), tag("vip")]);
    assert_eq!(next.tag_problem(), None);
    let r = Action::Tag {
        add: vec![tag("urgent")],
        remove: vec![tag("billing")],
    };
    let after = apply(&next, &r, at(NOW)).unwrap();
    assert_eq!(after.tags, [tag("urgent"), tag("vip")]);
    assert_eq!(
        changes(&next, &after)[0].to_string(),
        "tags +urgent -billing"
    );
    // Removing what is not there changes nothing.
    let none = Action::Tag {
        add: vec![],
        remove: vec![tag("nope")],
    };
    assert_eq!(
        apply_all(&after, &[none], at(NOW)),
        Err(Refusal::NothingToChange)
    );
    let many = Action::Tag {
        add: (0..21).map(|i| tag(&format!("t{i}"))).collect(),
        remove: vec![],
    };
    assert_eq!(apply(&t, &many, at(NOW)), Err(Refusal::TooManyTags(21)));
}

#[test]
fn snooze_wake_and_a_customer_message() {
    let t = ticket();
    let until = at("2026-11-05T00:00:00Z");
    let s = apply(&t, &Action::Snooze(Some(until)), at(NOW)).unwrap();
    assert_eq!(s.snoozed_until, Some(until));
    assert_eq!(s.snoozed_at, Some(at(NOW)));
    assert!(s.is_snoozed(at(NOW)) && !s.is_snoozed(until));
    // Renewed before it ran out: the pause still began the first time.
    let later = at("2026-11-03T09:00:00Z");
    let renewed = apply(&s, &Action::Snooze(Some(at("2026-11-09T00:00:00Z"))), later).unwrap();
    assert_eq!(renewed.snoozed_at, Some(at(NOW)));
    assert_eq!(s.updated_at, at(NOW));
    assert_eq!(
        changes(&t, &s),
        vec![FieldChange {
            field: "snoozed",
            value: "until 2026-11-05T00:00:00Z".into()
        }]
    );
    // Not before its time; then once.
    assert_eq!(
        apply(&s, &Action::Wake, at(NOW)),
        Err(Refusal::NotDueToWake(until))
    );
    let woken = apply(&s, &Action::Wake, until).unwrap();
    assert_eq!((woken.snoozed_until, woken.snoozed_at), (None, None));
    // The pause is kept for the SLA clock: from the snooze to its end.
    let span = |from, to| crate::model::SnoozeSpan { from, to };
    assert_eq!(woken.snoozed, [span(at(NOW), until)]);
    assert_eq!(
        apply(&woken, &Action::Wake, until),
        Err(Refusal::NotSnoozed)
    );
    // The customer writing wakes it at once; the pause ends then.
    let replied = apply(&s, &Action::CustomerMessage, later).unwrap();
    assert_eq!((replied.snoozed_until, replied.snoozed_at), (None, None));
    assert_eq!(replied.snoozed, [span(at(NOW), later)]);
    // Snoozed again after it ran out but before the wake pass: the old pause ended at
    // its own time, the new one starts now.
    let again_at = at("2026-11-06T10:00:00Z");
    let again = apply(
        &s,
        &Action::Snooze(Some(at("2026-11-08T00:00:00Z"))),
        again_at,
    )
    .unwrap();
    assert_eq!(again.snoozed, [span(at(NOW), until)]);
    assert_eq!(again.snoozed_at, Some(again_at));
    // `--off`, and what may not be snoozed.
    assert_eq!(
        apply(&s, &Action::Snooze(None), at(NOW))
            .unwrap()
            .snoozed_until,
        None
    );
    assert_eq!(
        apply(&t, &Action::Snooze(None), at(NOW)),
        Err(Refusal::NotSnoozed)
    );
    assert_eq!(
        apply(&t, &Action::Snooze(Some(at(NOW))), at(NOW)),
        Err(Refusal::SnoozeInPast {
            until: at(NOW),
            now: at(NOW)
        })
    );
    let closed = apply(&t, &Action::Close { by: "bob".into() }, at(NOW)).unwrap();
    assert_eq!(
        apply(&closed, &Action::Snooze(Some(until)), at(NOW)),
        Err(Refusal::SnoozeDone(Status::Closed))
    );
}

#[test]
fn field_values_are_listed_as_changes() {
    let t = ticket();
    let mut values = std::collections::BTreeMap::new();
    values.insert("product".parse().unwrap(), "router".to_owned());
    let set = apply(&t, &Action::SetFields(values), at(NOW)).unwrap();
    assert_eq!(join_changes(&changes(&t, &set)), "field product=router");
    let cleared = apply(&set, &Action::SetFields(Default::default()), at(NOW)).unwrap();
    assert_eq!(
        join_changes(&changes(&set, &cleared)),
        "field product cleared"
    );
    assert_eq!(
        apply_all(&set, &[Action::SetFields(set.fields.clone())], at(NOW)),
        Err(Refusal::NothingToChange)
    );
}
