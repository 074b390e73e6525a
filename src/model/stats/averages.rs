//! "Ticket System Averages", over the desk's tickets (deleted ones left out):
//! - first response: for each ticket whose first answer was sent in the range, the time
//!   from its start (creation, or an earlier merged-in message) to that answer — so a
//!   ticket opened before the range and answered in it counts here with its whole wait;
//!   mean, median, 90th percentile, the shares within 1, 4 and 24 hours, and the histogram;
//! - resolution: for each ticket closed in the range, from its start to its close;
//! - answers and messages (customer messages + answers) per ticket: over the tickets closed
//!   in the range, counting each thread up to its close;
//! - unanswered: tickets created in the range with no answer by its end.

use super::durations::histogram;
use super::{Averages, Dataset, DurationStats, HistogramBucket, MessageKind, Range, Within};

pub fn compute(data: &Dataset, range: Range) -> (Averages, Vec<HistogramBucket>) {
    let mut first = Vec::new();
    let mut resolution = Vec::new();
    let (mut closed, mut answers, mut messages) = (0u64, 0u64, 0u64);
    let mut unanswered = 0;
    for t in data.tickets.iter().filter(|t| !t.is_deleted()) {
        if t.start() >= range.end() {
            continue;
        }
        let fr = t.first_response();
        if let Some((m, secs)) = fr {
            if range.contains(m.at) {
                first.push(secs);
            }
        }
        let answered_by_end = fr.is_some_and(|(m, _)| m.at < range.end());
        if range.contains(t.created_at) && !answered_by_end {
            unanswered += 1;
        }
        if let Some(at) = t.closed_at.filter(|at| range.contains(*at)) {
            closed += 1;
            resolution.push(at.seconds_since(t.start()));
            for m in t.messages.iter().filter(|m| m.at <= at) {
                match m.kind {
                    MessageKind::Answer => {
                        answers += 1;
                        messages += 1;
                    }
                    MessageKind::Customer => messages += 1,
                    _ => {}
                }
            }
        }
    }
    let per_closed = |n: u64| (closed > 0).then(|| n as f64 / closed as f64);
    let answered_within = [1u32, 4, 24]
        .into_iter()
        .map(|hours| {
            let count = first
                .iter()
                .filter(|s| **s <= i64::from(hours) * 3600)
                .count() as u64;
            let of = first.len() as u64;
            Within {
                hours,
                count,
                of,
                share: (of > 0).then(|| count as f64 / of as f64),
            }
        })
        .collect();
    let bars = histogram(&first);
    let averages = Averages {
        first_response: DurationStats::of(first),
        resolution: DurationStats::of(resolution),
        answers_per_ticket: per_closed(answers),
        messages_per_ticket: per_closed(messages),
        answered_within,
        unanswered,
    };
    (averages, bars)
}
