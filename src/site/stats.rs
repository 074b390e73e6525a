//! The statistics pages: for the last 30 days, each month and all time, the figures of the
//! guide's statistics (tickets opened and closed, answers per technician, first-response and
//! resolution times, tickets per queue and per reseller) and SVG charts whose geometry is
//! computed here, at build time, so the templates only draw them and they need no
//! JavaScript. Computed from the ticket summaries of the manifest.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::data::Shared;
use super::pages::{staff_url, Page};
use crate::model::{Date, Ticket, Timestamp};

/// A ticket and the answers given in it (author, time).
pub struct Facts<'a> {
    pub ticket: &'a Ticket,
    pub answers: &'a [(String, Timestamp)],
}

struct Period {
    key: String,
    title: String,
    from: Date,
    /// Exclusive.
    to: Date,
}

/// First-response time buckets: upper bound in seconds and label.
const BUCKETS: &[(i64, &str)] = &[
    (3600, "< 1 h"),
    (4 * 3600, "1–4 h"),
    (8 * 3600, "4–8 h"),
    (24 * 3600, "8–24 h"),
    (3 * 86400, "1–3 d"),
    (i64::MAX, "> 3 d"),
];

#[derive(Serialize)]
struct Bar {
    label: String,
    value: u64,
    /// Geometry in the chart's coordinates.
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

const W: f64 = 640.0;

/// Horizontal bars, one per labelled value.
fn hbars(items: &[(String, u64)]) -> Value {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let (left, right, row) = (150.0, 50.0, 26.0);
    let bars: Vec<Bar> = items
        .iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            label: if label.chars().count() > 22 {
                label.chars().take(21).collect::<String>() + "…"
            } else {
                label.clone()
            },
            value: *value,
            x: left,
            y: 8.0 + i as f64 * row,
            w: ((W - left - right) * *value as f64 / max).max(if *value > 0 { 2.0 } else { 0.0 }),
            h: row - 8.0,
        })
        .collect();
    json!({"width": W, "height": 16.0 + items.len() as f64 * row, "left": left, "bars": bars})
}

/// Vertical bars (a histogram).
fn vbars(items: &[(String, u64)]) -> Value {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let (h, top, bottom) = (220.0, 20.0, 30.0);
    let slot = (W - 20.0) / items.len().max(1) as f64;
    let bars: Vec<Bar> = items
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let bh = (h - top - bottom) * *value as f64 / max;
            Bar {
                label: label.clone(),
                value: *value,
                x: 10.0 + i as f64 * slot + slot * 0.15,
                y: h - bottom - bh,
                w: slot * 0.7,
                h: bh,
            }
        })
        .collect();
    json!({"width": W, "height": h, "base": h - bottom, "bars": bars})
}

/// Opened and closed per day (or per month) as two polylines.
fn lines(labels: &[String], opened: &[u64], closed: &[u64]) -> Value {
    let (h, left, top, bottom) = (220.0, 40.0, 15.0, 30.0);
    let max = opened
        .iter()
        .chain(closed)
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = labels.len().max(2) as f64;
    let x = |i: usize| left + (W - left - 35.0) * i as f64 / (n - 1.0);
    let y = |v: u64| h - bottom - (h - top - bottom) * v as f64 / max;
    let pts = |vals: &[u64]| -> String {
        vals.iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let step = (labels.len() / 6).max(1);
    let ticks: Vec<Value> = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, l)| json!({"x": x(i), "label": l}))
        .collect();
    let max_u = max as u64;
    json!({"width": W, "height": h, "left": left, "base": h - bottom, "top": y(max_u), "max": max_u,
           "opened": pts(opened), "closed": pts(closed), "ticks": ticks})
}

fn in_period(t: Option<Timestamp>, p: &Period) -> bool {
    t.is_some_and(|t| t >= p.from.start() && t < p.to.start())
}

fn period_ctx(p: &Period, facts: &[Facts<'_>], shared: &Shared) -> Value {
    let opened: Vec<&Ticket> = facts
        .iter()
        .map(|f| f.ticket)
        .filter(|t| in_period(Some(t.created_at), p))
        .collect();
    let closed: Vec<&Ticket> = facts
        .iter()
        .map(|f| f.ticket)
        .filter(|t| t.status.is_done() && in_period(t.closed_at, p))
        .collect();
    // Answers per technician.
    let mut per_tech: BTreeMap<&str, u64> = BTreeMap::new();
    for f in facts {
        for (who, at) in f.answers {
            if in_period(Some(*at), p) {
                *per_tech.entry(who.as_str()).or_default() += 1;
            }
        }
    }
    let answers: u64 = per_tech.values().sum();
    let tech_rows: Vec<Value> = per_tech
        .iter()
        .map(|(login, n)| {
            let s = shared.staff(login);
            json!({"login": login, "name": s.map_or(*login, |s| s.display_name()), "url": s.map(|s| staff_url(s.login.as_str())), "answers": n})
        })
        .collect();
    let tech_chart: Vec<(String, u64)> = tech_rows
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or("").to_owned(),
                r["answers"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // First response and resolution.
    let first: Vec<i64> = opened
        .iter()
        .filter_map(|t| {
            t.first_answered_at
                .map(|a| a.seconds_since(t.created_at).max(0))
        })
        .collect();
    let mut hist = vec![0u64; BUCKETS.len()];
    for s in &first {
        let i = BUCKETS
            .iter()
            .position(|(max, _)| *s < *max)
            .unwrap_or(BUCKETS.len() - 1);
        hist[i] += 1;
    }
    let hist_items: Vec<(String, u64)> = BUCKETS
        .iter()
        .zip(&hist)
        .map(|((_, l), n)| (l.to_string(), *n))
        .collect();
    let resolution: Vec<i64> = closed
        .iter()
        .filter_map(|t| t.closed_at.map(|c| c.seconds_since(t.created_at).max(0)))
        .collect();
    let avg = |v: &[i64]| (!v.is_empty()).then(|| v.iter().sum::<i64>() / v.len() as i64);
    let median = |v: &[i64]| {
        let mut s = v.to_vec();
        s.sort_unstable();
        s.get(s.len() / 2).copied().filter(|_| !s.is_empty())
    };
    // Per queue and per reseller (tickets opened in the period).
    let mut per_queue: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_reseller: BTreeMap<String, (u64, std::collections::BTreeSet<String>)> =
        BTreeMap::new();
    for t in &opened {
        let q = shared
            .queue(t.queue.as_str())
            .map_or(t.queue.to_string(), |q| q.name.clone());
        *per_queue.entry(q).or_default() += 1;
        if let Some(r) = shared.reseller_of(t) {
            let e = per_reseller.entry(r.name.clone()).or_default();
            e.0 += 1;
            e.1.insert(
                t.account
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
            );
        }
    }
    let queue_items: Vec<(String, u64)> = per_queue.into_iter().collect();
    let reseller_rows: Vec<Value> = per_reseller
        .iter()
        .map(|(name, (n, customers))| json!({"name": name, "tickets": n, "customers": customers.len()}))
        .collect();
    let reseller_items: Vec<(String, u64)> = per_reseller
        .iter()
        .map(|(n, (c, _))| (n.clone(), *c))
        .collect();
    // Series: per day, or per month for long periods.
    let days = (p.to.start().seconds_since(p.from.start()) / 86400).max(1);
    let mut labels = Vec::new();
    let mut o = Vec::new();
    let mut c = Vec::new();
    if days <= 62 {
        let mut d = p.from;
        while d < p.to {
            let day = Period {
                key: String::new(),
                title: String::new(),
                from: d,
                to: d.plus_days(1),
            };
            labels.push(d.to_string()[5..].to_owned());
            o.push(
                opened
                    .iter()
                    .filter(|t| in_period(Some(t.created_at), &day))
                    .count() as u64,
            );
            c.push(
                closed
                    .iter()
                    .filter(|t| in_period(t.closed_at, &day))
                    .count() as u64,
            );
            d = d.plus_days(1);
        }
    } else {
        let mut om: BTreeMap<String, u64> = BTreeMap::new();
        let mut cm: BTreeMap<String, u64> = BTreeMap::new();
        for t in &opened {
            *om.entry(t.created_at.to_string()[..7].to_owned())
                .or_default() += 1;
        }
        for t in &closed {
            if let Some(at) = t.closed_at {
                *cm.entry(at.to_string()[..7].to_owned()).or_default() += 1;
            }
        }
        let months: std::collections::BTreeSet<String> =
            om.keys().chain(cm.keys()).cloned().collect();
        for m in months {
            o.push(om.get(&m).copied().unwrap_or(0));
            c.push(cm.get(&m).copied().unwrap_or(0));
            labels.push(m);
        }
    }
    let series: Vec<Value> = labels
        .iter()
        .zip(o.iter().zip(&c))
        .map(|(l, (o, c))| json!({"label": l, "opened": o, "closed": c}))
        .collect();
    json!({
        "period": {"key": p.key, "title": p.title, "from": p.from.to_string(), "to": p.to.plus_days(-1).to_string()},
        "opened": opened.len(), "closed": closed.len(), "answers": answers,
        "first_response": {"count": first.len(), "avg": avg(&first), "median": median(&first)},
        "resolution": {"count": resolution.len(), "avg": avg(&resolution), "median": median(&resolution)},
        "technicians": tech_rows, "resellers": reseller_rows,
        "queues": queue_items.iter().map(|(n, c)| json!({"name": n, "tickets": c})).collect::<Vec<_>>(),
        "histogram": hist_items.iter().map(|(l, n)| json!({"label": l, "tickets": n})).collect::<Vec<_>>(),
        "series": series,
        "charts": {
            "series": lines(&labels, &o, &c),
            "first_response": vbars(&hist_items),
            "technicians": hbars(&tech_chart),
            "queues": hbars(&queue_items),
            "resellers": hbars(&reseller_items),
        },
    })
}

fn month_start(d: Date) -> Date {
    let s = d.to_string();
    format!("{}-01", &s[..7]).parse().unwrap_or(d)
}

fn next_month(d: Date) -> Date {
    month_start(month_start(d).plus_days(32))
}

/// The statistics pages: `stats/index.html` (last 30 days), `stats/all.html` and one per
/// month with any activity.
pub fn pages(shared: &Shared, facts: &[Facts<'_>], today: Date) -> Vec<Page> {
    let first_day = facts
        .iter()
        .map(|f| f.ticket.created_at.date())
        .min()
        .unwrap_or(today);
    let mut months = Vec::new();
    let mut m = month_start(first_day);
    while m <= today {
        months.push(m);
        m = next_month(m);
    }
    let month_links: Vec<Value> = months
        .iter()
        .rev()
        .map(|m| {
            let k = m.to_string()[..7].to_owned();
            json!({"key": k, "url": format!("stats/{k}.html")})
        })
        .collect();
    let mut periods = vec![
        (
            "stats/index.html".to_owned(),
            Period {
                key: "last30".into(),
                title: "Last 30 days".into(),
                from: today.plus_days(-29),
                to: today.plus_days(1),
            },
        ),
        (
            "stats/all.html".to_owned(),
            Period {
                key: "all".into(),
                title: "All time".into(),
                from: month_start(first_day),
                to: today.plus_days(1),
            },
        ),
    ];
    for m in &months {
        let k = m.to_string()[..7].to_owned();
        let to = next_month(*m).min(today.plus_days(1));
        periods.push((
            format!("stats/{k}.html"),
            Period {
                key: k.clone(),
                title: k,
                from: *m,
                to,
            },
        ));
    }
    periods
        .into_iter()
        .map(|(path, p)| {
            let mut ctx = period_ctx(&p, facts, shared);
            ctx["months"] = json!(month_links);
            Page {
                path,
                template: "stats.html",
                title: format!("Statistics: {}", p.title),
                section: "stats",
                ctx,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_over_month_ends() {
        let d: Date = "2026-01-31".parse().unwrap();
        assert_eq!(month_start(d).to_string(), "2026-01-01");
        assert_eq!(next_month(d).to_string(), "2026-02-01");
        assert_eq!(
            next_month("2026-12-15".parse().unwrap()).to_string(),
            "2027-01-01"
        );
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let v = hbars(&[("a".into(), 10), ("b".into(), 5), ("c".into(), 0)]);
        let bars = v["bars"].as_array().unwrap();
        let w0 = bars[0]["w"].as_f64().unwrap();
        let w1 = bars[1]["w"].as_f64().unwrap();
        assert!((w0 - 2.0 * w1).abs() < 1e-9);
        assert_eq!(bars[2]["w"].as_f64().unwrap(), 0.0);
    }
}
