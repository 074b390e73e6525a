//! `git desk stats`: the four sections of "Ticket Statistics" as text tables, or the
//! whole report (with the per-day series and the first-response histogram) as JSON.

use std::io::Write;

use anyhow::Result;

use super::output::{cell, table};
use super::Env;
use crate::model::stats::durations::human;
use crate::model::stats::{BasicCounts, DurationStats, StatsReport};
use crate::model::Date;
use crate::ops::stats::{self, Period};

/// Ticket statistics for a range of days: Per Admin Stats, Basic Stats, Ticket System
/// Averages and Reseller Support Stats (needs stats.view).
///
/// Days are UTC and both ends are included; the default is the 30 days ending today.
/// A git desk is counted as committed (HEAD). `--json` adds the per-day series and the
/// first-response histogram.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
}

/// The days a report covers.
#[derive(Debug, Clone, clap::Args)]
pub struct PeriodArgs {
    /// The first day (YYYY-MM-DD); default: 29 days before --to.
    #[arg(long, value_name = "DATE", conflicts_with = "all")]
    pub from: Option<Date>,
    /// The last day (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE", conflicts_with = "all")]
    pub to: Option<Date>,
    /// Everything, from the first ticket to today.
    #[arg(long)]
    pub all: bool,
}

impl PeriodArgs {
    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            to: self.to,
            all: self.all,
        }
    }
}

pub fn run(env: &Env, a: StatsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let report = with_progress(|progress| {
        stats::report_with(&desk, &me, a.period.period(), env.ctx.now(), progress)
    })?;
    notes(&report, err)?;
    if env.printer.json {
        env.printer.json(out, &report)?;
    } else {
        render(&report, out)?;
    }
    Ok(0)
}

/// Runs `work` with, on a terminal's stderr only (nothing in pipes or tests), a spinner
/// that turns into a bar counting ticket directories once a first run starts reading
/// them ("reading tickets 41,000/100,000"); a run served by its caches shows the spinner
/// for a moment at most.
fn with_progress<T>(work: impl FnOnce(stats::Progress<'_>) -> T) -> T {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return work(&|_, _| {});
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message("reading the desk and its history");
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let counting = std::sync::Once::new();
    let progress = |done: usize, total: usize| {
        counting.call_once(|| {
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "reading tickets {human_pos}/{human_len} {wide_bar} ({elapsed}, {eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_length(total as u64);
        });
        bar.set_position(done as u64);
    };
    let result = work(&progress);
    bar.finish_and_clear();
    result
}

/// Warnings about what the figures could not include, on stderr.
fn notes(r: &StatsReport, err: &mut dyn Write) -> Result<()> {
    if !r.history {
        writeln!(err, "note: this desk has no git history, so pick-ups, assignments, releases, deletions and merges are not counted")?;
    }
    if !r.problems.is_empty() {
        writeln!(
            err,
            "warning: {} file(s) could not be read and are left out (run `git desk check`):",
            r.problems.len()
        )?;
        for p in r.problems.iter().take(10) {
            writeln!(err, "  {}", cell(p, 200))?;
        }
    }
    Ok(())
}

/// A row label and the count it shows.
type Line = (&'static str, fn(&BasicCounts) -> u64);

fn opt(d: Option<i64>) -> String {
    d.map(human).unwrap_or_else(|| "-".into())
}

fn percent(count: u64, of: u64) -> String {
    match (count * 100 + of / 2).checked_div(of) {
        Some(p) => format!("{p}% ({count} of {of})"),
        None => "-".into(),
    }
}

fn durations(d: &DurationStats) -> String {
    if d.count == 0 {
        return "-".into();
    }
    format!(
        "mean {}, median {}, 90th percentile {} ({} tickets)",
        opt(d.mean_seconds),
        opt(d.median_seconds),
        opt(d.p90_seconds),
        d.count
    )
}

fn render(r: &StatsReport, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "Ticket statistics, {} to {} ({} days)",
        r.from, r.to, r.days
    )?;

    writeln!(out, "\nPer Admin Stats")?;
    let mut rows = vec![[
        "login",
        "name",
        "picked up",
        "assigned",
        "released",
        "answers",
        "notes",
        "closed",
        "first answers",
        "mean",
        "median",
    ]
    .map(String::from)
    .to_vec()];
    for a in &r.per_admin {
        let f = &a.first_response;
        rows.push(vec![
            cell(&a.login, 40),
            cell(a.name.as_deref().unwrap_or("(not on staff)"), 24),
            a.picked_up.to_string(),
            a.assigned.to_string(),
            a.released.to_string(),
            a.answers.to_string(),
            a.notes.to_string(),
            a.closed.to_string(),
            f.count.to_string(),
            opt(f.mean_seconds),
            opt(f.median_seconds),
        ]);
    }
    table(out, &rows)?;

    writeln!(out, "\nBasic Stats")?;
    let b = &r.basic;
    let mut header = vec![String::new(), "total".to_string()];
    header.extend(b.per_queue.iter().map(|q| cell(q.queue.as_str(), 20)));
    let mut rows = vec![header];
    let lines: [Line; 7] = [
        ("new tickets", |c| c.new_tickets),
        ("customer messages", |c| c.customer_messages),
        ("answers", |c| c.answers),
        ("notes", |c| c.notes),
        ("closed", |c| c.closed),
        ("  automatically", |c| c.closed_automatically),
        ("open at end", |c| c.open_at_end),
    ];
    for (label, get) in lines {
        let mut row = vec![label.to_string(), get(&b.total).to_string()];
        row.extend(b.per_queue.iter().map(|q| get(&q.counts).to_string()));
        rows.push(row);
    }
    table(out, &rows)?;
    writeln!(out, "deleted {}, merged {}", b.deleted, b.merged)?;
    if !b.per_tag.is_empty() {
        writeln!(out, "\nPer Tag")?;
        let mut rows = vec![[
            "tag",
            "new tickets",
            "customer messages",
            "answers",
            "closed",
            "open at end",
        ]
        .map(String::from)
        .to_vec()];
        for t in &b.per_tag {
            let c = &t.counts;
            rows.push(vec![
                t.tag.to_string(),
                c.new_tickets.to_string(),
                c.customer_messages.to_string(),
                c.answers.to_string(),
                c.closed.to_string(),
                c.open_at_end.to_string(),
            ]);
        }
        table(out, &rows)?;
    }

    writeln!(out, "\nTicket System Averages")?;
    let a = &r.averages;
    let ratio = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into());
    let mut rows = vec![
        vec!["first response".into(), durations(&a.first_response)],
        vec!["resolution".into(), durations(&a.resolution)],
        vec![
            "answers per closed ticket".into(),
            ratio(a.answers_per_ticket),
        ],
        vec![
            "messages per closed ticket".into(),
            ratio(a.messages_per_ticket),
        ],
    ];
    for w in &a.answered_within {
        rows.push(vec![
            format!("answered within {} h", w.hours),
            percent(w.count, w.of),
        ]);
    }
    rows.push(vec!["unanswered".into(), a.unanswered.to_string()]);
    table(out, &rows)?;

    writeln!(out, "\nReseller Support Stats")?;
    let mut rows = vec![[
        "reseller",
        "name",
        "tickets",
        "customers",
        "customer messages",
        "answers",
        "accounts",
    ]
    .map(String::from)
    .to_vec()];
    for s in &r.resellers {
        rows.push(vec![
            cell(&s.login, 40),
            cell(s.name.as_deref().unwrap_or("(no reseller file)"), 30),
            s.tickets.to_string(),
            s.customers.to_string(),
            s.customer_messages.to_string(),
            s.answers.to_string(),
            s.accounts.to_string(),
        ]);
    }
    table(out, &rows)?;
    service(r, out)
}

/// "Service Levels" (share of SLA targets met) and "Time Logged".
fn service(r: &StatsReport, out: &mut dyn Write) -> Result<()> {
    use crate::model::timelog::show_minutes;
    let sv = &r.service;
    if sv.policies {
        writeln!(out, "\nService Levels (SLA targets decided in the range)")?;
        let mut rows = vec![["", "met", "breached", "share met"]
            .map(String::from)
            .to_vec()];
        let share = |m: &crate::model::stats::service::MetRow| {
            m.share_met
                .map_or("-".into(), |s| format!("{:.0}%", s * 100.0))
        };
        for (label, list) in [("queue", &sv.per_queue), ("technician", &sv.per_technician)] {
            for m in list {
                rows.push(vec![
                    format!("{label} {}", cell(&m.key, 40)),
                    m.met.to_string(),
                    m.breached.to_string(),
                    share(m),
                ]);
            }
        }
        rows.push(vec![
            "all".into(),
            sv.total.met.to_string(),
            sv.total.breached.to_string(),
            share(&sv.total),
        ]);
        table(out, &rows)?;
    }
    let tm = &r.time;
    if !tm.total.is_zero() {
        writeln!(out, "\nTime Logged")?;
        let mut rows = vec![["", "time", "billable"].map(String::from).to_vec()];
        for (label, list) in [
            ("technician", &tm.per_technician),
            ("account", &tm.per_account),
            ("reseller", &tm.per_reseller),
            ("ticket", &tm.per_ticket),
        ] {
            for t in list {
                rows.push(vec![
                    format!("{label} {}", cell(&t.key, 40)),
                    show_minutes(t.totals.minutes),
                    show_minutes(t.totals.billable_minutes),
                ]);
            }
        }
        rows.push(vec![
            "all".into(),
            show_minutes(tm.total.minutes),
            show_minutes(tm.total.billable_minutes),
        ]);
        table(out, &rows)?;
    }
    Ok(())
}
