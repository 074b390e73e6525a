//! The statistics pages: for the last 30 days, each month and all time, the report of the
//! statistics library (`ops::stats::load` once, [`stats::compute`] per period — the same
//! four sections and numbers as `git desk stats`: Per Admin Stats, Basic Stats, Ticket
//! System Averages, Reseller Support Stats) and SVG charts drawn from its series (opened
//! vs closed per day, first-response distribution, answers per technician, tickets per
//! queue and per reseller). The charts' geometry is computed here, at build time, so the
//! templates only draw them and the pages need no JavaScript.

use serde::Serialize;
use serde_json::{json, Value};

use super::data::Shared;
use super::pages::{staff_url, LazyPage, Page};
use crate::model::stats::durations::human;
use crate::model::stats::{self, Dataset, DurationStats, Range, StatsReport};
use crate::model::Date;

struct Period {
    key: String,
    title: String,
    range: Range,
}

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

/// A bar of an HTML bar chart: its label, value and length in percent of the longest.
#[derive(Serialize)]
struct HBar {
    label: String,
    value: u64,
    pct: f64,
}

/// Horizontal bars, one per labelled value, drawn in HTML (so their text wraps and stays
/// legible at any width).
fn hbars(items: &[(String, u64)]) -> Value {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let bars: Vec<HBar> = items
        .iter()
        .map(|(label, value)| HBar {
            label: label.clone(),
            value: *value,
            pct: ((100.0 * *value as f64 / max * 10.0).round() / 10.0).max(if *value > 0 {
                0.5
            } else {
                0.0
            }),
        })
        .collect();
    json!({"bars": bars})
}

/// Round tick steps (1, 2, 5 × 10ⁿ) giving about four intervals up to `max`, and the top.
fn nice_ticks(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let raw = max.div_ceil(4).max(1);
    let mut p = 1;
    while p * 10 <= raw {
        p *= 10;
    }
    let step = [1, 2, 5, 10]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10 * p);
    (step, max.div_ceil(step) * step)
}

/// Vertical bars (a histogram).
fn vbars(items: &[(String, u64)]) -> Value {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let (h, top, bottom) = (200.0, 24.0, 6.0);
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
    json!({"width": W, "height": h, "base": h - bottom, "bars": bars,
           "pad_pct": 1000.0 / W, "slot_pct": 100.0 * slot / W})
}

/// Opened and closed per day (or per month) as two polylines, with round y ticks.
fn lines(labels: &[String], opened: &[u64], closed: &[u64]) -> Value {
    let (h, left, top, bottom) = (240.0, 48.0, 15.0, 34.0);
    let peak = opened.iter().chain(closed).copied().max().unwrap_or(0);
    let (step, top_value) = nice_ticks(peak);
    let max = top_value as f64;
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
    let step_x = (labels.len() / 6).max(1);
    let ticks: Vec<Value> = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step_x == 0)
        .map(|(i, l)| json!({"x": x(i), "label": l}))
        .collect();
    let yticks: Vec<Value> = (0..=top_value / step)
        .map(|k| json!({"y": y(k * step), "label": k * step}))
        .collect();
    json!({"width": W, "height": h, "left": left, "right": W - 35.0, "base": h - bottom, "top": y(top_value),
           "max": top_value, "mid": (top + h - bottom) / 2.0,
           "opened": pts(opened), "closed": pts(closed), "ticks": ticks, "yticks": yticks})
}

fn opt(d: Option<i64>) -> String {
    d.map(human).unwrap_or_else(|| "-".into())
}

/// A duration summary as `git desk stats` prints it.
fn durations(d: &DurationStats) -> Value {
    json!({"count": d.count, "mean": opt(d.mean_seconds), "median": opt(d.median_seconds),
           "p90": opt(d.p90_seconds)})
}

fn ratio(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into())
}

fn percent(count: u64, of: u64) -> String {
    match (count * 100 + of / 2).checked_div(of) {
        Some(p) => format!("{p}%"),
        None => "-".into(),
    }
}

/// The template context of one period: the report as `--json stats` has it, figures
/// formatted as the text report prints them, and the charts.
fn period_ctx(p: &Period, r: &StatsReport, shared: &Shared) -> Value {
    let admins: Vec<Value> = r
        .per_admin
        .iter()
        .map(|a| {
            json!({"login": a.login, "name": a.name.as_deref().unwrap_or(&a.login),
                   "url": shared.staff(&a.login).map(|s| staff_url(s.login.as_str())),
                   "picked_up": a.picked_up, "assigned": a.assigned, "released": a.released,
                   "answers": a.answers, "notes": a.notes, "closed": a.closed,
                   "first_response": durations(&a.first_response)})
        })
        .collect();
    let tech_chart: Vec<(String, u64)> = r
        .per_admin
        .iter()
        .filter(|a| a.answers > 0)
        .map(|a| (a.name.clone().unwrap_or_else(|| a.login.clone()), a.answers))
        .collect();
    let queue_name = |q: &stats::QueueStats| q.name.clone().unwrap_or_else(|| q.queue.to_string());
    let queues: Vec<Value> = r
        .basic
        .per_queue
        .iter()
        .map(|q| json!({"slug": q.queue.as_str(), "name": queue_name(q), "counts": q.counts}))
        .collect();
    let queue_chart: Vec<(String, u64)> = r
        .basic
        .per_queue
        .iter()
        .map(|q| (queue_name(q), q.counts.new_tickets))
        .collect();
    let resellers: Vec<Value> = r
        .resellers
        .iter()
        .map(|s| {
            let mut v = json!(s);
            v["name"] = json!(s.name.as_deref().unwrap_or(&s.login));
            v
        })
        .collect();
    let reseller_chart: Vec<(String, u64)> = r
        .resellers
        .iter()
        .map(|s| (s.name.clone().unwrap_or_else(|| s.login.clone()), s.tickets))
        .collect();
    let a = &r.averages;
    let within: Vec<Value> = a
        .answered_within
        .iter()
        .map(|w| json!({"hours": w.hours, "count": w.count, "of": w.of, "percent": percent(w.count, w.of)}))
        .collect();
    let hist: Vec<(String, u64)> = r
        .first_response_histogram
        .iter()
        .map(|b| (b.label.to_owned(), b.count))
        .collect();
    let labels: Vec<String> = r
        .daily
        .iter()
        .map(|d| d.date.to_string()[5..].to_owned())
        .collect();
    let opened: Vec<u64> = r.daily.iter().map(|d| d.opened).collect();
    let closed: Vec<u64> = r.daily.iter().map(|d| d.closed).collect();
    json!({
        "period": {"key": p.key, "title": p.title, "from": r.from.to_string(), "to": r.to.to_string(), "days": r.days},
        "history": r.history,
        "admins": admins,
        "basic": {"total": r.basic.total, "deleted": r.basic.deleted, "merged": r.basic.merged, "queues": queues, "tags": r.basic.per_tag},
        "averages": {"first_response": durations(&a.first_response), "resolution": durations(&a.resolution),
                     "answers_per_ticket": ratio(a.answers_per_ticket), "messages_per_ticket": ratio(a.messages_per_ticket),
                     "within": within, "unanswered": a.unanswered},
        "resellers": resellers,
        "service": service_ctx(r),
        "daily": r.daily,
        "histogram": r.first_response_histogram,
        "charts": {
            "series": lines(&labels, &opened, &closed),
            "first_response": vbars(&hist),
            "technicians": hbars(&tech_chart),
            "queues": hbars(&queue_chart),
            "resellers": hbars(&reseller_chart),
        },
    })
}

/// SLA targets met per queue and technician, and the time logged, for the page.
fn service_ctx(r: &StatsReport) -> Value {
    use crate::model::timelog::show_minutes;
    let met = |rows: &[crate::model::stats::service::MetRow]| -> Vec<Value> {
        rows.iter()
            .map(|m| {
                json!({"key": m.key, "met": m.met, "breached": m.breached,
                       "share": m.share_met.map(|s| format!("{:.0}%", s * 100.0))})
            })
            .collect()
    };
    let time = |rows: &[crate::model::stats::service::TimeRow]| -> Vec<Value> {
        rows.iter()
            .map(|t| {
                json!({"key": t.key, "time": show_minutes(t.totals.minutes),
                       "billable": show_minutes(t.totals.billable_minutes)})
            })
            .collect()
    };
    let s = &r.service;
    let t = &r.time;
    json!({
        "policies": s.policies,
        "total": met(std::slice::from_ref(&s.total)),
        "queues": met(&s.per_queue),
        "technicians": met(&s.per_technician),
        "time": {
            "any": !t.total.is_zero(),
            "total": {"time": show_minutes(t.total.minutes), "billable": show_minutes(t.total.billable_minutes)},
            "technicians": time(&t.per_technician),
            "accounts": time(&t.per_account),
            "resellers": time(&t.per_reseller),
            "tickets": time(&t.per_ticket),
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

/// The statistics pages: `stats/index.html` (the last 30 days, as `git desk stats`),
/// `stats/all.html` (as `git desk stats --all`) and one per month from the first activity.
/// The months before this one are made only when rendered, and keyed by what their report
/// is made of (see [`super::stats_keys`]): an unchanged past month costs neither the
/// report nor the rendering.
pub fn pages<'a>(
    shared: &'a Shared,
    data: &'a Dataset,
    today: Date,
    now: crate::model::Timestamp,
) -> (Vec<Page>, Vec<LazyPage<'a>>) {
    let first_day = data.first_day().unwrap_or(today).min(today);
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
                range: Range::ending(today, crate::ops::stats::DEFAULT_DAYS),
            },
        ),
        (
            "stats/all.html".to_owned(),
            Period {
                key: "all".into(),
                title: "All time".into(),
                range: Range::ending(
                    today,
                    1 + today.start().seconds_since(first_day.start()) / 86_400,
                ),
            },
        ),
    ];
    let mut past = Vec::new();
    for m in &months {
        let k = m.to_string()[..7].to_owned();
        let last = next_month(*m).plus_days(-1).min(today);
        let p = Period {
            key: k.clone(),
            title: k.clone(),
            range: Range::ending(last, 1 + last.start().seconds_since(m.start()) / 86_400),
        };
        if next_month(*m) <= today {
            past.push((format!("stats/{k}.html"), p));
        } else {
            periods.push((format!("stats/{k}.html"), p));
        }
    }
    let month_links = std::rc::Rc::new(json!(month_links));
    let page = |path: String, p: &Period| -> Page {
        let report = stats::compute(data, p.range);
        let mut ctx = period_ctx(p, &report, shared);
        ctx["months"] = (*month_links).clone();
        Page {
            path,
            template: "stats.html",
            title: format!("Statistics: {}", p.title),
            section: "stats",
            ctx,
        }
    };
    let now_pages = periods
        .iter()
        .map(|(path, p)| page(path.clone(), p))
        .collect();
    let ranges: Vec<Range> = past.iter().map(|(_, p)| p.range).collect();
    let keys = super::stats_keys::month_keys(data, &ranges, now);
    let lazy = past
        .into_iter()
        .zip(keys)
        .map(|((path, p), key)| {
            let links = month_links.clone();
            LazyPage {
                title: format!("Statistics: {}", p.title),
                key: format!("{key} {links}"),
                path,
                template: "stats.html",
                section: "stats",
                make: Box::new(move || {
                    let report = stats::compute(data, p.range);
                    let mut ctx = period_ctx(&p, &report, shared);
                    ctx["months"] = (*links).clone();
                    ctx
                }),
            }
        })
        .collect();
    (now_pages, lazy)
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
        assert_eq!(bars[0]["pct"].as_f64().unwrap(), 100.0);
        assert_eq!(bars[1]["pct"].as_f64().unwrap(), 50.0);
        assert_eq!(bars[2]["pct"].as_f64().unwrap(), 0.0);
    }

    #[test]
    fn y_ticks_are_round_and_reach_the_peak() {
        assert_eq!(nice_ticks(0), (1, 1));
        assert_eq!(nice_ticks(3), (1, 3));
        assert_eq!(nice_ticks(7), (2, 8));
        assert_eq!(nice_ticks(10), (5, 10));
        assert_eq!(nice_ticks(37), (10, 40));
        assert_eq!(nice_ticks(180), (50, 200));
        let v = lines(&["a".into(), "b".into()], &[0, 7], &[1, 2]);
        assert_eq!(v["yticks"].as_array().unwrap().len(), 5, "0, 2, 4, 6, 8");
    }
}
