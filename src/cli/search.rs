//! `git desk search`: the advanced search ("Search Tickets") with the query language or
//! flags, and `--quick` (the dashboard's Quick Search).

use std::io::Write;

use anyhow::{anyhow, Result};

use super::index::Progress;
use super::output::{cell, short_time, table};
use super::Env;
use crate::index::{self, query, Expr, Kind, Options, Request, Results, Sort};
use crate::model::{Date, Priority, Staff, TicketId};
use crate::ops::{self, mass::MassAction};
use crate::store::Desk;

pub const LANGUAGE: &str = "\
Query language (words are ANDed; closed and resolved tickets are found too):
  disk quota              both words, in the title, messages, notes, attachment names or address
  \"disk quota\"            the phrase; \"disk quota\"~2 allows 2 words in between
  quota*  printr~  printr~2   prefix; typo-tolerant (only when asked with ~, distance 1 or 2)
  status:open,new  queue:billing  assignee:alice  assignee:nobody  account:jdoe  reseller:acme
  email:doe.example       the customer's address contains this
  priority:>=50  priority:20..80  id:1001..1010
  created:2026-11-01..2026-11-30  updated:>2026-11-20  closed:<2026-11-01  answered:  due:
  title:invoice  body:refund  file:photo.jpg  author:bob  tag:mail  category:mail  sticky:yes
  kind:task,kb            search tasks and knowledge-base articles too (default: tickets)
  a OR b   -status:closed   NOT queue:sales   (a OR b) c
Examples:
  git desk search status:open queue:billing \"disk quota\"
  git desk search --status open --priority-min 50 --sort priority
  git desk search --quick john@doe.example";

/// Search tickets (and tasks and knowledge-base articles) by any field, date range or text.
/// The index is brought up to date first (only what changed). Results are what you may see.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query; several words are joined with spaces (see --help for the language).
    pub query: Vec<String>,
    /// Quick Search: QUERY is a ticket id, words of the title, or a full or partial e-mail
    /// address; best match first.
    #[arg(long)]
    pub quick: bool,
    /// Also take in hand edits of a work tree that are not staged yet (staged and
    /// committed ones always are); this looks at every ticket file's stat, slow on a large
    /// desk. `git config desk.searchWorkTree true` does it for every search.
    #[arg(long)]
    pub worktree: bool,
    /// What to search (default: tickets, or what the query names with `kind:`).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only these statuses (repeatable).
    #[arg(long, short = 's', value_name = "STATUS")]
    pub status: Vec<String>,
    /// Only this queue (repeatable).
    #[arg(long, short = 'q', value_name = "QUEUE")]
    pub queue: Vec<String>,
    /// Only assigned to LOGIN (`nobody` for unassigned).
    #[arg(long, value_name = "LOGIN")]
    pub assignee: Option<String>,
    /// The customer's address contains this.
    #[arg(long, value_name = "TEXT")]
    pub email: Option<String>,
    /// Only tickets of this customer account.
    #[arg(long, value_name = "LOGIN")]
    pub account: Option<String>,
    /// Only tickets of this reseller's customers.
    #[arg(long, value_name = "LOGIN")]
    pub reseller: Option<String>,
    /// Priority at least N.
    #[arg(long, value_name = "N")]
    pub priority_min: Option<Priority>,
    /// Priority at most N.
    #[arg(long, value_name = "N")]
    pub priority_max: Option<Priority>,
    /// Created on or after this day.
    #[arg(long, value_name = "DATE")]
    pub from: Option<Date>,
    /// Created on or before this day.
    #[arg(long, value_name = "DATE")]
    pub to: Option<Date>,
    /// Words and "phrases" to find (no field syntax).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// The order of results (default: relevance when there is text, else updated).
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,
    /// Show at most N results (0 = all; default 50, or all with --mass).
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
    /// Act on every ticket found ("Mass Action"), in one commit: delete, close, release,
    /// assign=LOGIN, queue=QUEUE or priority=N. Shows the tickets; needs --yes to commit.
    #[arg(long, value_name = "ACTION")]
    pub mass: Option<MassAction>,
    /// Carry out the mass action.
    #[arg(long, requires = "mass")]
    pub yes: bool,
    /// Check the mass action (permissions, states) and show it, changing nothing.
    #[arg(long, requires = "mass", conflicts_with = "yes")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Ticket,
    Task,
    Kb,
    All,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    Relevance,
    Updated,
    Created,
    Priority,
    Id,
}

impl SearchArgs {
    /// The query and the flags as one request.
    pub fn request(&self) -> Result<Request> {
        let text = self.query.join(" ");
        let mut parts = vec![(index::parse(&text)?, text)];
        let mut flag = |flag: &str, field: &str, value: &str| -> Result<()> {
            let e = query::field_expr(field, value).map_err(|m| anyhow!("--{flag}: {m}"))?;
            parts.push((e, format!("--{flag}")));
            Ok(())
        };
        if !self.status.is_empty() {
            flag("status", "status", &self.status.join(","))?;
        }
        if !self.queue.is_empty() {
            flag("queue", "queue", &self.queue.join(","))?;
        }
        if let Some(v) = &self.assignee {
            flag("assignee", "assignee", v)?;
        }
        if let Some(v) = &self.email {
            flag("email", "email", v)?;
        }
        if let Some(v) = &self.account {
            flag("account", "account", v)?;
        }
        if let Some(v) = &self.reseller {
            flag("reseller", "reseller", v)?;
        }
        if self.priority_min.is_some() || self.priority_max.is_some() {
            let lo = self.priority_min.map(|p| p.to_string()).unwrap_or_default();
            let hi = self.priority_max.map(|p| p.to_string()).unwrap_or_default();
            flag(
                "priority-min/--priority-max",
                "priority",
                &format!("{lo}..{hi}"),
            )?;
        }
        if self.from.is_some() || self.to.is_some() {
            let lo = self.from.map(|d| d.to_string()).unwrap_or_default();
            let hi = self.to.map(|d| d.to_string()).unwrap_or_default();
            flag("from/--to", "created", &format!("{lo}..{hi}"))?;
        }
        if let Some(t) = &self.text {
            parts.push((index::parse_text(t)?, t.clone()));
        }
        parts.retain(|(e, _)| *e != Expr::All);
        Ok(Request {
            parts,
            kinds: self.kind.map(|k| match k {
                KindArg::Ticket => vec![Kind::Ticket],
                KindArg::Task => vec![Kind::Task],
                KindArg::Kb => vec![Kind::Kb],
                KindArg::All => Kind::ALL.to_vec(),
            }),
            sort: match self.sort {
                None => Sort::Auto,
                Some(SortArg::Relevance) => Sort::Relevance,
                Some(SortArg::Updated) => Sort::Updated,
                Some(SortArg::Created) => Sort::Created,
                Some(SortArg::Priority) => Sort::Priority,
                Some(SortArg::Id) => Sort::Id,
            },
            limit: self.limit(),
        })
    }

    fn limit(&self) -> usize {
        match self.limit {
            Some(0) => usize::MAX,
            Some(n) => n,
            None if self.mass.is_some() => usize::MAX,
            None => 50,
        }
    }
}

pub fn run(env: &Env, a: SearchArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let obs = Progress::new();
    let opts = Options {
        worktree: a.worktree,
        ..Options::default()
    };
    let (results, report) = if a.quick {
        let term = a.query.join(" ");
        if term.trim().is_empty() {
            return Err(anyhow!(
                "--quick needs a ticket id, title words or an e-mail address"
            ));
        }
        ops::search::quick(&desk, &me, &term, a.limit(), opts, &obs)?
    } else {
        let mut req = a.request()?;
        if a.mass.is_some() {
            if req.kinds.as_ref().is_some_and(|k| k != &[Kind::Ticket]) {
                return Err(anyhow!("--mass acts on tickets only; leave out --kind"));
            }
            req.kinds = Some(vec![Kind::Ticket]);
        }
        // `sla:` filters depend on the clock: resolved against the catalog now.
        if req.parts.iter().any(|(e, _)| e.has_sla()) {
            let settings = crate::store::DeskRead::settings(desk.reader()?.as_ref())?;
            for (e, _) in &mut req.parts {
                ops::sla::resolve(&desk, &settings, env.ctx.now(), e)?;
            }
        }
        ops::search::search(&desk, &me, &req, opts, &obs)?
    };
    obs.finish();
    for p in &report.problems {
        writeln!(err, "warning: {p}")?;
    }
    if let Some(action) = &a.mass {
        return mass(env, &desk, &me, action, &a, &results, out, err);
    }
    if env.printer.json {
        env.printer.json(out, &results)?;
        return Ok(0);
    }
    print(&results, out)?;
    if results.hits.is_empty() {
        writeln!(err, "no results")?;
    } else if results.total > results.hits.len() {
        writeln!(
            err,
            "showing {} of {} results (--limit N for more, 0 for all)",
            results.hits.len(),
            results.total
        )?;
    }
    Ok(0)
}

/// The results as a table; a KIND column when they are not all tickets.
pub fn print(r: &Results, out: &mut dyn Write) -> Result<()> {
    if r.hits.is_empty() {
        return Ok(());
    }
    let mixed = r.hits.iter().any(|h| h.kind != Kind::Ticket);
    let mut header: Vec<String> = vec![
        "ID".into(),
        "PRI".into(),
        "STATUS".into(),
        "QUEUE".into(),
        "ASSIGNEE".into(),
        "UPDATED".into(),
        "TITLE".into(),
    ];
    if mixed {
        header.insert(0, "KIND".into());
    }
    let mut rows = vec![header];
    let dash = || "-".to_string();
    for h in &r.hits {
        let mut row = vec![
            h.id.map(|i| i.to_string())
                .or_else(|| h.slug.as_deref().map(|s| cell(s, 30)))
                .unwrap_or_else(dash),
            h.priority.map(|p| p.to_string()).unwrap_or_else(dash),
            h.status
                .as_deref()
                .map(|s| cell(s, 12))
                .unwrap_or_else(dash),
            h.queue
                .as_deref()
                .or(h.category.as_deref())
                .map(|s| cell(s, 16))
                .unwrap_or_else(dash),
            h.assignee
                .as_deref()
                .map(|s| cell(s, 16))
                .unwrap_or_else(dash),
            h.updated.map(short_time).unwrap_or_else(dash),
            if h.tags.is_empty() {
                cell(&h.title, 60)
            } else {
                format!("{} [{}]", cell(&h.title, 60), cell(&h.tags.join(", "), 60))
            },
        ];
        if mixed {
            row.insert(0, h.kind.to_string());
        }
        rows.push(row);
    }
    table(out, &rows)
}

/// Shows the tickets a mass action acts on, checks it in a transaction, and commits it with
/// --yes (a dry run otherwise, which exits 0 after printing the plan).
#[allow(clippy::too_many_arguments)]
fn mass(
    env: &Env,
    desk: &Desk,
    me: &Staff,
    action: &MassAction,
    a: &SearchArgs,
    results: &Results,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    let ids: Vec<TicketId> = results
        .hits
        .iter()
        .filter(|h| h.kind == Kind::Ticket)
        .filter_map(|h| h.id.and_then(|i| TicketId::new(i).ok()))
        .collect();
    if ids.is_empty() {
        writeln!(err, "no tickets match: nothing to do")?;
        return Ok(0);
    }
    if results.total > results.hits.len() {
        writeln!(
            err,
            "note: acting on the first {} of {} tickets found (--limit)",
            results.hits.len(),
            results.total
        )?;
    }
    let outcome = ops::mass::mass(desk, &env.ctx, me, action, &ids, !a.yes)?;
    if env.printer.json {
        env.printer.json(out, &outcome)?;
    } else {
        let n = outcome.done.len();
        writeln!(
            out,
            "mass action: {action}, {n} ticket{}",
            if n == 1 { "" } else { "s" }
        )?;
        print(results, out)?;
        writeln!(out)?;
        let would = if outcome.dry_run { "would " } else { "" };
        for d in &outcome.done {
            writeln!(out, "ticket {}: {would}{}", d.id, cell(&d.summary, 100))?;
        }
        for s in &outcome.skipped {
            writeln!(out, "ticket {}: skipped, it {}", s.id, s.reason)?;
        }
        if let Some(c) = &outcome.commit {
            writeln!(out, "committed {}", &c[..c.len().min(12)])?;
        }
    }
    // Without --yes the plan is the answer: shown, nothing changed, success.
    if !a.yes && !a.dry_run && !outcome.done.is_empty() {
        writeln!(
            err,
            "nothing changed: run again with --yes to {action} these {} tickets",
            outcome.done.len()
        )?;
    }
    if a.dry_run {
        writeln!(err, "dry run: nothing changed")?;
    }
    Ok(0)
}
