//! Service levels and time in the statistics: the share of SLA targets met per queue and per
//! technician, and the time logged per ticket, technician, account and reseller.
//!
//! - A target counts in the range where it was decided: met when its stop (the first
//!   answer, the close) falls in the range within the target; breached when its due time
//!   falls in the range and the target was passed — stopped late, or still running at the
//!   end of the range (or at the moment of asking, if earlier).
//! - A first response belongs to the technician who sent the first answer; a resolution to
//!   whoever closed the ticket (a staff login; `autoclose` is not a technician). A target
//!   breached while still running belongs to its queue only.
//! - Time: the entries dated in the range, on tickets not deleted. The statistics do not
//!   see snoozes (their history is not in the facts): snoozed time counts here.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Dataset, MessageKind, Range, TicketFacts};
use crate::model::sla::{self, Clock, State, Target};
use crate::model::timelog::Totals;

/// Met and breached targets of one queue or technician.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MetRow {
    pub key: String,
    pub met: u64,
    pub breached: u64,
    /// met / (met + breached); none when nothing was decided.
    pub share_met: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ServiceStats {
    /// Whether the desk has SLA policies at all.
    pub policies: bool,
    pub total: MetRow,
    pub per_queue: Vec<MetRow>,
    pub per_technician: Vec<MetRow>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TimeRow {
    pub key: String,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TimeStats {
    pub total: Totals,
    pub per_ticket: Vec<TimeRow>,
    pub per_technician: Vec<TimeRow>,
    pub per_account: Vec<TimeRow>,
    pub per_reseller: Vec<TimeRow>,
}

/// The SLA clock of a ticket as the facts know it.
pub fn clock(t: &TicketFacts) -> Clock {
    Clock {
        start: t.start().unix(),
        marks: t
            .messages
            .iter()
            .filter(|m| matches!(m.kind, MessageKind::Customer | MessageKind::Answer))
            .map(|m| (m.at.unix(), m.kind == MessageKind::Customer))
            .collect(),
        done_at: t.closed_at.map(|c| c.unix()),
        snoozes: t.snoozes.clone(),
    }
}

fn tally(map: &mut BTreeMap<String, MetRow>, key: &str, met: bool) {
    let row = map.entry(key.to_owned()).or_insert_with(|| MetRow {
        key: key.to_owned(),
        ..MetRow::default()
    });
    if met {
        row.met += 1;
    } else {
        row.breached += 1;
    }
}

fn finish(mut row: MetRow) -> MetRow {
    let n = row.met + row.breached;
    row.share_met = (n > 0).then(|| row.met as f64 / n as f64);
    row
}

pub fn compute(data: &Dataset, range: Range) -> ServiceStats {
    let at = data.now.map_or(range.end(), |n| n.min(range.end())).unix();
    let mut queues = BTreeMap::new();
    let mut techs = BTreeMap::new();
    let mut total = MetRow {
        key: "all".into(),
        ..MetRow::default()
    };
    for t in data.tickets.iter().filter(|t| !t.is_deleted()) {
        let Some(policy) = data.sla.for_ticket(t.queue.as_str(), t.priority) else {
            continue;
        };
        let c = clock(t);
        for s in sla::evaluate(policy, &c, at).targets {
            let (stop, by) = match s.target {
                Target::FirstResponse => {
                    let first = t.first_answer();
                    (first.map(|m| m.at), first.and_then(|m| m.author.clone()))
                }
                Target::Resolution => (
                    t.closed_at,
                    t.closed_by.clone().filter(|b| b != super::AUTOCLOSE),
                ),
            };
            let met = match s.state {
                State::Met if stop.is_some_and(|s| range.contains(s)) => true,
                State::Breached if s.due.is_some_and(|d| range.contains(d)) => false,
                _ => continue,
            };
            if met {
                total.met += 1;
            } else {
                total.breached += 1;
            }
            tally(&mut queues, t.queue.as_str(), met);
            if let (Some(by), Some(_)) = (by, stop) {
                tally(&mut techs, &by, met);
            }
        }
    }
    ServiceStats {
        policies: !data.sla.is_empty(),
        total: finish(total),
        per_queue: queues.into_values().map(finish).collect(),
        per_technician: techs.into_values().map(finish).collect(),
    }
}

pub fn time(data: &Dataset, range: Range) -> TimeStats {
    let mut total = Totals::default();
    let mut maps: [BTreeMap<String, Totals>; 4] = Default::default();
    for t in data.tickets.iter().filter(|t| !t.is_deleted()) {
        let reseller = data.directory.reseller_of(t.account.as_ref());
        for m in t.messages.iter().filter(|m| range.contains(m.at)) {
            let Some(e) = &m.time else { continue };
            total.add(e);
            maps[0].entry(t.id.to_string()).or_default().add(e);
            if let Some(a) = &m.author {
                maps[1].entry(a.clone()).or_default().add(e);
            }
            if let Some(a) = &t.account {
                maps[2].entry(a.to_string()).or_default().add(e);
            }
            if let Some(r) = reseller {
                maps[3].entry(r.to_string()).or_default().add(e);
            }
        }
    }
    let rows = |m: &BTreeMap<String, Totals>| {
        m.iter()
            .map(|(k, v)| TimeRow {
                key: k.clone(),
                totals: *v,
            })
            .collect::<Vec<_>>()
    };
    let mut per_ticket = rows(&maps[0]);
    per_ticket.sort_by_key(|r| r.key.parse::<u64>().unwrap_or(0));
    TimeStats {
        total,
        per_ticket,
        per_technician: rows(&maps[1]),
        per_account: rows(&maps[2]),
        per_reseller: rows(&maps[3]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stats::{MessageFact, TicketFacts};
    use crate::model::{TimeEntry, Timestamp};

    fn t(s: &str) -> Timestamp {
        format!("2026-11-{s}:00Z").parse().unwrap()
    }

    fn ticket(id: u64, queue: &str, answer: (&str, &str), closed: Option<&str>) -> TicketFacts {
        TicketFacts {
            id: crate::model::TicketId::new(id).unwrap(),
            queue: queue.parse().unwrap(),
            account: Some("jdoe".parse().unwrap()),
            priority: 50,
            created_at: t("02T10:00"),
            closed_at: closed.map(t),
            closed_by: closed.map(|_| "bob".into()),
            messages: vec![
                MessageFact::new(t("02T10:00"), MessageKind::Customer, "c@x.example"),
                MessageFact::new(t(answer.0), MessageKind::Answer, answer.1).with_time(Some(
                    TimeEntry {
                        minutes: 30,
                        billable: true,
                    },
                )),
            ],
            deleted_at: None,
            snoozes: Vec::new(),
            tags: vec![],
        }
    }

    #[test]
    fn share_met_per_queue_and_technician() {
        let policies = sla::Policies(vec![sla::Policy {
            name: "p".into(),
            queues: vec![],
            min_priority: None,
            max_priority: None,
            first_response: Some("1h".parse().unwrap()),
            resolution: Some("8h".parse().unwrap()),
            hours: None,
            holidays: vec![],
            escalate: None,
        }]);
        let data = Dataset {
            tickets: vec![
                // Answered in 30 min by bob (met), closed after 1h (met).
                ticket(1, "general", ("02T10:30", "bob"), Some("02T11:00")),
                // Answered after 2h by alice (breached), still open: resolution running.
                ticket(2, "general", ("02T12:00", "alice"), None),
                // Another queue, answered in time by alice.
                ticket(3, "billing", ("02T10:10", "alice"), None),
            ],
            sla: policies,
            now: Some(t("02T14:00")),
            ..Default::default()
        };
        let range =
            Range::new("2026-11-01".parse().unwrap(), "2026-11-07".parse().unwrap()).unwrap();
        let s = compute(&data, range);
        let row = |v: &[MetRow], k: &str| {
            let r = v.iter().find(|r| r.key == k).unwrap();
            (r.met, r.breached)
        };
        assert_eq!(row(&s.per_queue, "general"), (2, 1));
        assert_eq!(row(&s.per_queue, "billing"), (1, 0));
        assert_eq!(row(&s.per_technician, "bob"), (2, 0));
        assert_eq!(row(&s.per_technician, "alice"), (1, 1));
        assert_eq!((s.total.met, s.total.breached), (3, 1));
        assert_eq!(s.total.share_met, Some(0.75));
        let tm = time(&data, range);
        assert_eq!((tm.total.minutes, tm.total.billable_minutes), (90, 90));
        assert_eq!(tm.per_technician.len(), 2);
    }
}
