//! The SLA clock by hand: business hours across a weekend, a holiday and a DST change, a
//! customer reply resuming a paused clock, a snooze, breaches, and bad policy text.

use super::*;
use crate::model::Priority;

fn t(s: &str) -> i64 {
    s.parse::<Timestamp>().unwrap().unix()
}

fn policy(yaml_hours: bool, first: Option<&str>, resolution: Option<&str>) -> Policy {
    Policy {
        name: "std".into(),
        queues: vec![],
        min_priority: None,
        max_priority: None,
        first_response: first.map(|s| s.parse().unwrap()),
        resolution: resolution.map(|s| s.parse().unwrap()),
        hours: yaml_hours.then(|| BusinessHours {
            time_zone: "Europe/Berlin".parse().unwrap(),
            days: ["mon", "tue", "wed", "thu", "fri"]
                .iter()
                .map(|d| d.parse().unwrap())
                .collect(),
            from: "09:00".parse().unwrap(),
            to: "17:00".parse().unwrap(),
        }),
        holidays: vec!["2026-12-25".parse().unwrap()],
        escalate: None,
    }
}

fn clock(start: &str, marks: &[(&str, bool)]) -> Clock {
    Clock {
        start: t(start),
        marks: marks.iter().map(|(a, c)| (t(a), *c)).collect(),
        done_at: None,
        snoozes: Vec::new(),
    }
}

fn due(s: &SlaStatus, target: Target) -> String {
    s.get(target).unwrap().due.unwrap().to_string()
}

#[test]
fn the_clock_skips_the_weekend() {
    // Friday 15:00 in Berlin (CET, UTC+1): two hours on Friday, two on Monday morning.
    let p = policy(true, Some("4h"), None);
    let c = clock("2026-11-27T14:00:00Z", &[]);
    let s = evaluate(&p, &c, t("2026-11-28T12:00:00Z"));
    assert_eq!(due(&s, Target::FirstResponse), "2026-11-30T10:00:00Z");
    let fr = s.get(Target::FirstResponse).unwrap();
    assert_eq!((fr.state, fr.elapsed_minutes), (State::Due, 120));
    // Monday 10:30 local: past the target.
    let s = evaluate(&p, &c, t("2026-11-30T09:30:00Z"));
    assert_eq!(s.get(Target::FirstResponse).unwrap().state, State::Due);
    let s = evaluate(&p, &c, t("2026-11-30T10:00:01Z"));
    assert_eq!(s.get(Target::FirstResponse).unwrap().state, State::Breached);
    assert!(s.breached());
}

#[test]
fn a_holiday_does_not_count() {
    // Thursday 24 December 16:00 local: one hour; Friday the 25th is a holiday; the
    // weekend; Monday the 28th from 09:00 local for three hours.
    let p = policy(true, Some("4h"), None);
    let c = clock("2026-12-24T15:00:00Z", &[]);
    let s = evaluate(&p, &c, t("2026-12-24T15:00:00Z"));
    assert_eq!(due(&s, Target::FirstResponse), "2026-12-28T11:00:00Z");
}

#[test]
fn opening_hours_follow_daylight_saving_time() {
    // Friday 23 October 16:00 CEST (UTC+2) = 14:00Z: one hour. Summer time ends on Sunday
    // the 25th, so Monday opens at 09:00 CET = 08:00Z (not 07:00Z): due 09:00Z.
    let p = policy(true, Some("2h"), None);
    let c = clock("2026-10-23T14:00:00Z", &[]);
    let s = evaluate(&p, &c, t("2026-10-23T14:00:00Z"));
    assert_eq!(due(&s, Target::FirstResponse), "2026-10-26T09:00:00Z");
    // And back: Friday 27 March 16:00 CET = 15:00Z; Monday 30 March opens 09:00 CEST = 07:00Z.
    let c = clock("2026-03-27T15:00:00Z", &[]);
    let s = evaluate(&p, &c, t("2026-03-27T15:00:00Z"));
    assert_eq!(due(&s, Target::FirstResponse), "2026-03-30T08:00:00Z");
}

#[test]
fn waiting_on_the_customer_pauses_the_resolution_clock() {
    // Around the clock: 2h until the answer, waiting 02:00–10:00, running again after.
    let p = policy(false, Some("1h"), Some("8h"));
    let mut c = clock(
        "2026-11-02T00:00:00Z",
        &[
            ("2026-11-02T02:00:00Z", false),
            ("2026-11-02T10:00:00Z", true),
        ],
    );
    // While waiting: paused, 2h counted, due 6h after "now" if it ran again.
    let waiting = Clock {
        marks: c.marks[..1].to_vec(),
        ..c.clone()
    };
    let s = evaluate(&p, &waiting, t("2026-11-02T05:00:00Z"));
    let r = s.get(Target::Resolution).unwrap();
    assert_eq!((r.state, r.elapsed_minutes), (State::Paused, 120));
    assert_eq!(due(&s, Target::Resolution), "2026-11-02T11:00:00Z");
    // The first answer came after 2h: the 1h first-response target was breached.
    assert_eq!(s.get(Target::FirstResponse).unwrap().state, State::Breached);
    // The customer replied at 10:00: the clock resumed; at 12:00, 4h counted.
    let s = evaluate(&p, &c, t("2026-11-02T12:00:00Z"));
    let r = s.get(Target::Resolution).unwrap();
    assert_eq!((r.state, r.elapsed_minutes), (State::Due, 240));
    assert_eq!(due(&s, Target::Resolution), "2026-11-02T16:00:00Z");
    assert_eq!(s.next_due().unwrap().to_string(), "2026-11-02T16:00:00Z");
    // Closed at 15:00: met, and it stays met later.
    c.done_at = Some(t("2026-11-02T15:00:00Z"));
    let s = evaluate(&p, &c, t("2026-11-09T00:00:00Z"));
    let r = s.get(Target::Resolution).unwrap();
    assert_eq!((r.state, r.elapsed_minutes), (State::Met, 420));
    assert_eq!(s.next_due(), None);
}

#[test]
fn a_snooze_pauses_until_it_ends_or_the_customer_writes() {
    let p = policy(false, Some("4h"), None);
    let mut c = clock("2026-11-02T00:00:00Z", &[]);
    c.snoozes = vec![(t("2026-11-02T01:00:00Z"), t("2026-11-02T09:00:00Z"))];
    let s = evaluate(&p, &c, t("2026-11-02T05:00:00Z"));
    let fr = s.get(Target::FirstResponse).unwrap();
    assert_eq!((fr.state, fr.elapsed_minutes), (State::Paused, 60));
    // After the snooze: 1h before + 1h after 09:00.
    let s = evaluate(&p, &c, t("2026-11-02T10:00:00Z"));
    assert_eq!(s.get(Target::FirstResponse).unwrap().elapsed_minutes, 120);
    assert_eq!(due(&s, Target::FirstResponse), "2026-11-02T12:00:00Z");
    // A customer message at 03:00 wakes it early.
    c.marks.push((t("2026-11-02T03:00:00Z"), true));
    let s = evaluate(&p, &c, t("2026-11-02T05:00:00Z"));
    assert_eq!(s.get(Target::FirstResponse).unwrap().elapsed_minutes, 180);
}

#[test]
fn ended_snoozes_stay_paused_beside_a_running_one() {
    let p = policy(false, Some("4h"), None);
    let mut c = clock("2026-11-02T00:00:00Z", &[]);
    // 01:00–02:00 and 03:00–04:00 ended; 05:00–09:00 runs.
    c.snoozes = vec![
        (t("2026-11-02T01:00:00Z"), t("2026-11-02T02:00:00Z")),
        (t("2026-11-02T03:00:00Z"), t("2026-11-02T04:00:00Z")),
        (t("2026-11-02T05:00:00Z"), t("2026-11-02T09:00:00Z")),
    ];
    let s = evaluate(&p, &c, t("2026-11-02T06:00:00Z"));
    let fr = s.get(Target::FirstResponse).unwrap();
    assert_eq!((fr.state, fr.elapsed_minutes), (State::Paused, 180));
    let s = evaluate(&p, &c, t("2026-11-02T09:30:00Z"));
    assert_eq!(s.get(Target::FirstResponse).unwrap().elapsed_minutes, 210);
    assert_eq!(due(&s, Target::FirstResponse), "2026-11-02T10:00:00Z");
}

#[test]
fn an_answer_in_time_is_met() {
    let p = policy(false, Some("1h"), None);
    let c = clock("2026-11-02T00:00:00Z", &[("2026-11-02T00:30:00Z", false)]);
    let s = evaluate(&p, &c, t("2026-12-01T00:00:00Z"));
    assert_eq!(s.state(), State::Met);
    assert!(!s.breached());
}

#[test]
fn policies_match_by_queue_and_priority() {
    let mut urgent = policy(false, Some("1h"), None);
    urgent.name = "urgent".into();
    urgent.min_priority = Some(Priority::new(80).unwrap());
    urgent.queues = vec!["support".parse().unwrap()];
    let all = policy(false, Some("8h"), None);
    let ps = [urgent, all];
    assert_eq!(policy_for(&ps, "support", 90).unwrap().name, "urgent");
    assert_eq!(policy_for(&ps, "support", 50).unwrap().name, "std");
    assert_eq!(policy_for(&ps, "sales", 90).unwrap().name, "std");
}

#[test]
fn bad_values_are_refused_with_what_is_wrong() {
    for bad in ["25", "0m", "-5m", "30s", "soon", ""] {
        assert!(bad.parse::<Span>().is_err(), "{bad}");
    }
    assert_eq!("1h30m".parse::<Span>().unwrap().to_string(), "1h30m");
    assert_eq!("90m".parse::<Span>().unwrap().secs(), 5400);
    let e = "Mars/Olympus".parse::<Zone>().unwrap_err();
    assert!(e.0.contains("Mars/Olympus"), "{e}");
    assert!("25:00".parse::<ClockTime>().is_err());
    assert!("9".parse::<ClockTime>().is_err());
    assert!("caturday".parse::<Day>().is_err());
    let mut p = policy(true, Some("1h"), None);
    p.hours.as_mut().unwrap().from = "18:00".parse().unwrap();
    assert!(p.check().unwrap_err().0.contains("hours.from"));
    let p = policy(false, None, None);
    assert!(p.check().unwrap_err().0.contains("neither"));
}
