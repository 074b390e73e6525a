//! Summaries of a set of durations (whole seconds): count, mean, median and 90th
//! percentile, and the histogram of first-response times the statistics page draws.
//!
//! - mean: the sum divided by the count, rounded to the nearest second (halves up);
//! - median: the middle value, or for an even count the mean of the two middle values
//!   rounded down;
//! - 90th percentile: nearest rank, the ⌈0.9·n⌉-th smallest value.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DurationStats {
    pub count: u64,
    pub mean_seconds: Option<i64>,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

impl DurationStats {
    /// The summary of `values` (any order; negative values count as 0).
    pub fn of(mut values: Vec<i64>) -> DurationStats {
        if values.is_empty() {
            return DurationStats::default();
        }
        for v in &mut values {
            *v = (*v).max(0);
        }
        values.sort_unstable();
        let n = values.len();
        let sum: i128 = values.iter().map(|v| *v as i128).sum();
        let mean = ((2 * sum + n as i128) / (2 * n as i128)) as i64;
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2
        };
        let rank = (9 * n).div_ceil(10);
        DurationStats {
            count: n as u64,
            mean_seconds: Some(mean),
            median_seconds: Some(median),
            p90_seconds: Some(values[rank - 1]),
        }
    }
}

/// One bar of the first-response histogram: `from_seconds` ≤ t < `to_seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistogramBucket {
    pub label: &'static str,
    pub from_seconds: i64,
    /// None for the last, open-ended bucket.
    pub to_seconds: Option<i64>,
    pub count: u64,
}

const HOUR: i64 = 3600;

/// The buckets' lower bounds and labels.
const BUCKETS: [(i64, &str); 7] = [
    (0, "< 15 min"),
    (15 * 60, "15 min – 1 h"),
    (HOUR, "1 – 4 h"),
    (4 * HOUR, "4 – 8 h"),
    (8 * HOUR, "8 – 24 h"),
    (24 * HOUR, "1 – 3 days"),
    (72 * HOUR, "≥ 3 days"),
];

/// Counts `values` into the fixed buckets (every bucket is present, empty ones with 0).
pub fn histogram(values: &[i64]) -> Vec<HistogramBucket> {
    let mut out: Vec<HistogramBucket> = BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (from, label))| HistogramBucket {
            label,
            from_seconds: *from,
            to_seconds: BUCKETS.get(i + 1).map(|b| b.0),
            count: 0,
        })
        .collect();
    for v in values {
        let i = BUCKETS.iter().rposition(|(from, _)| v >= from).unwrap_or(0);
        out[i].count += 1;
    }
    out
}

/// `2d 03h`, `5h 07m`, `12m`, `40s`: a duration for people.
pub fn human(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 60 {
        format!("{s}s")
    } else if s < HOUR {
        format!("{}m", s / 60)
    } else if s < 24 * HOUR {
        format!("{}h {:02}m", s / HOUR, s % HOUR / 60)
    } else {
        format!("{}d {:02}h", s / (24 * HOUR), s % (24 * HOUR) / HOUR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        assert_eq!(DurationStats::of(vec![]), DurationStats::default());
        let s = DurationStats::of(vec![30, 10, 20]);
        assert_eq!(
            (s.count, s.mean_seconds, s.median_seconds, s.p90_seconds),
            (3, Some(20), Some(20), Some(30))
        );
        // Even count: the two middle values averaged, rounded down; the mean rounds halves up.
        let s = DurationStats::of(vec![1, 2, 4, 10]);
        assert_eq!((s.mean_seconds, s.median_seconds), (Some(4), Some(3)));
        let s = DurationStats::of(vec![1, 2]);
        assert_eq!((s.mean_seconds, s.median_seconds), (Some(2), Some(1)));
        // Nearest rank: 10 values → the 9th; 11 values → the 10th.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(DurationStats::of(ten).p90_seconds, Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(DurationStats::of(eleven).p90_seconds, Some(10));
        assert_eq!(DurationStats::of(vec![-5]).mean_seconds, Some(0));
    }

    #[test]
    fn buckets() {
        let h = histogram(&[0, 899, 900, 3599, 3600, 8 * HOUR, 72 * HOUR, 1_000_000]);
        let counts: Vec<u64> = h.iter().map(|b| b.count).collect();
        assert_eq!(counts, [2, 2, 1, 0, 1, 0, 2]);
        assert_eq!(h[0].to_seconds, Some(900));
        assert_eq!(h[6].to_seconds, None);
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(40), "40s");
        assert_eq!(human(12 * 60 + 5), "12m");
        assert_eq!(human(5 * HOUR + 7 * 60), "5h 07m");
        assert_eq!(human(2 * 86_400 + 3 * HOUR + 59), "2d 03h");
    }
}
