//! `git desk ticket new|show|list`: making a ticket, showing one with its thread, and the
//! working lists.

use std::io::Write;

use anyhow::Result;

use super::super::body::BodyArgs;
use super::super::output::{cell, safe_text, short_time, table};
use super::super::Env;
use crate::model::sla::{SlaStatus, State, TargetStatus};
use crate::model::timelog::show_minutes;
use crate::model::{Email, Login, Priority, Slug, Status, TicketId};
use crate::ops::{self, ticket as t};

/// Make a new ticket. The text is recorded as the customer's message (a request taken by
/// phone, or a question split off another ticket), or with --note as an internal note.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The title.
    #[arg(long, short = 't')]
    pub title: String,
    /// The customer's e-mail address (default: the account's).
    #[arg(long)]
    pub email: Option<Email>,
    /// The owner account (default: the account with that e-mail, if any).
    #[arg(long)]
    pub account: Option<Login>,
    /// The queue (default: the desk's default queue).
    #[arg(long, short = 'q')]
    pub queue: Option<Slug>,
    /// Priority, 0–100 (default 50).
    #[arg(long, short = 'p')]
    pub priority: Option<Priority>,
    /// Assign it at once (your own login picks it up).
    #[arg(long, value_name = "LOGIN")]
    pub assign: Option<Login>,
    /// Keep the assignee when the customer replies.
    #[arg(long)]
    pub sticky: bool,
    /// Record the text as an internal note instead of the customer's message.
    #[arg(long)]
    pub note: bool,
    /// Set a custom field declared in desk.yaml (repeatable); required ones must be given.
    #[arg(long = "field", value_name = "NAME=VALUE", value_parser = super::queue::parse_field)]
    pub fields: Vec<super::queue::FieldArg>,
    #[command(flatten)]
    pub body: BodyArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The ticket id.
    pub id: TicketId,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only tickets assigned to you.
    #[arg(long, conflicts_with_all = ["unassigned", "assignee"])]
    pub mine: bool,
    /// Only unassigned tickets.
    #[arg(long, conflicts_with = "assignee")]
    pub unassigned: bool,
    /// Only tickets assigned to LOGIN.
    #[arg(long, value_name = "LOGIN")]
    pub assignee: Option<Login>,
    /// Only tickets of this queue.
    #[arg(long, short = 'q')]
    pub queue: Option<Slug>,
    /// Only tickets in these statuses (repeatable).
    #[arg(long, short = 's')]
    pub status: Vec<Status>,
    /// Only tickets with this tag (repeatable: all of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<crate::model::Tag>,
    /// Every visible ticket, resolved, closed and snoozed ones too.
    #[arg(long, short = 'a')]
    pub all: bool,
    /// Only snoozed tickets (hidden from the other views until they wake).
    #[arg(long)]
    pub snoozed: bool,
    /// Sort order (default: due when desk.yaml has sla policies, else priority).
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,
    /// Show at most N tickets per section (0 = all; default 100). Each section's heading
    /// still says how many it holds.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    Priority,
    Updated,
    Created,
    Id,
    /// What is due first (SLA): breached, then the earliest due time.
    Due,
}

pub fn new(env: &Env, a: NewArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let body = a.body.read("ticket's first message")?;
    let input = t::NewTicketInput {
        title: a.title,
        email: a.email,
        account: a.account,
        queue: a.queue,
        priority: a.priority,
        assignee: a.assign,
        sticky: a.sticky,
        body,
        opening: if a.note {
            t::Opening::Note
        } else {
            t::Opening::Customer
        },
        fields: super::queue::field_changes(a.fields),
    };
    let (id, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        t::create(tx, &env.ctx, me, input)
    })?;
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({ "id": id, "commit": commit.map(|c| c.to_string()) }),
        )?;
    } else {
        writeln!(out, "ticket {id} created")?;
    }
    Ok(0)
}

pub fn show(env: &Env, a: ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let view = ops::sla::show(reader.as_ref(), &me, a.id, env.ctx.now())?;
    for p in &view.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &view)?;
        return Ok(0);
    }
    let tk = &view.ticket;
    writeln!(out, "#{} {}", tk.id, cell(&tk.title, 200))?;
    let rows = vec![
        vec!["Status".into(), tk.status.to_string()],
        vec!["Queue".into(), tk.queue.to_string()],
        vec!["Priority".into(), tk.priority.to_string()],
        vec![
            "Assigned to".into(),
            tk.assignee
                .as_ref()
                .map_or("nobody".into(), |a| a.to_string()),
        ],
        vec![
            "Sticky".into(),
            if tk.sticky { "yes".into() } else { "no".into() },
        ],
        vec!["E-mail".into(), tk.email.to_string()],
        vec![
            "Cc".into(),
            if tk.cc.is_empty() {
                "-".into()
            } else {
                tk.cc
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ],
        vec![
            "Account".into(),
            tk.account.as_ref().map_or("-".into(), |a| a.to_string()),
        ],
        vec!["Created".into(), short_time(tk.created_at)],
        vec!["Updated".into(), short_time(tk.updated_at)],
    ];
    let mut rows = rows;
    if !tk.tags.is_empty() {
        rows.insert(5, vec!["Tags".into(), tag_list(tk)]);
    }
    if let Some(c) = tk.closed_at {
        rows.push(vec![
            "Closed".into(),
            format!(
                "{} by {}",
                short_time(c),
                tk.closed_by.as_deref().unwrap_or("?")
            ),
        ]);
    }
    if let Some(u) = tk.snoozed_until {
        rows.push(vec!["Snoozed until".into(), short_time(u)]);
    }
    let settings = crate::store::DeskRead::settings(reader.as_ref())?;
    for (name, value) in &tk.fields {
        let label = settings
            .fields
            .iter()
            .find(|d| &d.name == name)
            .map_or(name.as_str(), |d| d.label());
        rows.push(vec![cell(label, 40), cell(value, 200)]);
    }
    if !tk.merged_from.is_empty() {
        rows.push(vec![
            "Merged from".into(),
            tk.merged_from
                .iter()
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    if let Some(s) = &view.sla {
        for (i, t) in s.targets.iter().enumerate() {
            let label = if i == 0 { "SLA" } else { "" };
            rows.push(vec![label.into(), target_line(&s.policy, t)]);
        }
    }
    if !view.time.is_zero() {
        rows.push(vec![
            "Time".into(),
            format!(
                "{} ({} billable)",
                show_minutes(view.time.minutes),
                show_minutes(view.time.billable_minutes)
            ),
        ]);
    }
    for (i, task) in view.tasks.iter().enumerate() {
        let label = if i == 0 { "Tasks" } else { "" };
        let what = format!(
            "{} {} ({}, {})",
            task.id,
            cell(&task.title, 60),
            task.assignee,
            task.status
        );
        rows.push(vec![label.into(), what]);
    }
    table(out, &rows)?;
    for entry in &view.messages {
        let m = &entry.message;
        writeln!(out)?;
        // A customer message shows its key: `ticket split` names messages by it.
        let key = if m.kind == crate::model::MessageKind::Customer {
            format!(" [{}]", entry.key)
        } else {
            String::new()
        };
        writeln!(
            out,
            "--- {} {} by {}{key} ---",
            short_time(m.at),
            m.kind,
            cell(&m.author, 80)
        )?;
        writeln!(out, "{}", safe_text(m.body.trim_end()))?;
        if let Some(tm) = &m.time {
            let billable = if tm.billable { ", billable" } else { "" };
            writeln!(
                out,
                "[time: {}{billable}]",
                show_minutes(u64::from(tm.minutes))
            )?;
        }
        for att in &m.attachments {
            writeln!(
                out,
                "[attachment: {} ({} bytes)]",
                cell(&att.name, 100),
                att.size
            )?;
        }
    }
    Ok(0)
}

pub fn list(env: &Env, a: ListArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let filtered =
        a.assignee.is_some() || a.queue.is_some() || !a.status.is_empty() || a.all || a.snoozed;
    let scope = if a.mine {
        t::Scope::Mine
    } else if a.unassigned {
        t::Scope::Unassigned
    } else if filtered {
        t::Scope::Visible
    } else {
        t::Scope::Dashboard
    };
    // With service levels: what is due first, and an SLA column; else the highest priority.
    let has_sla = !crate::store::DeskRead::settings(desk.reader()?.as_ref())?
        .sla
        .is_empty();
    let default_sort = if has_sla {
        SortArg::Due
    } else {
        SortArg::Priority
    };
    let q = t::ListQuery {
        scope,
        assignee: a.assignee,
        queue: a.queue,
        statuses: a.status,
        tags: a.tags,
        include_done: a.all,
        snoozed: a.snoozed,
        sort: match a.sort.unwrap_or(default_sort) {
            SortArg::Priority => t::SortKey::Priority,
            SortArg::Updated => t::SortKey::Updated,
            SortArg::Created => t::SortKey::Created,
            SortArg::Id => t::SortKey::Id,
            SortArg::Due => t::SortKey::Due,
        },
        now: Some(env.ctx.now()),
        limit: match a.limit {
            Some(0) => usize::MAX,
            Some(n) => n,
            None => 100,
        },
    };
    let listing = t::list(&desk, &me, &q, env.ctx.now())?;
    for p in &listing.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &listing.sections)?;
        return Ok(0);
    }
    for (i, s) in listing.sections.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{} ({})", s.title, s.total)?;
        if s.tickets.is_empty() {
            writeln!(out, "  (none)")?;
            continue;
        }
        let mut head: Vec<String> = ["  ID", "PRI", "STATUS", "QUEUE", "ASSIGNEE", "UPDATED"]
            .map(String::from)
            .to_vec();
        if has_sla {
            head.push("SLA".into());
        }
        head.push("TITLE".into());
        let mut rows = vec![head];
        for tk in &s.tickets {
            let mut row = vec![
                format!("  {}", tk.id),
                tk.priority.to_string(),
                tk.status.to_string(),
                tk.queue.to_string(),
                tk.assignee.as_ref().map_or("-".into(), |a| a.to_string()),
                short_time(tk.updated_at),
            ];
            if has_sla {
                row.push(sla_cell(tk.sla.as_ref()));
            }
            row.push(titled(tk));
            rows.push(row);
        }
        table(out, &rows)?;
        if s.total > s.tickets.len() {
            writeln!(
                out,
                "  … showing {} of {} (--limit N for more, 0 for all)",
                s.tickets.len(),
                s.total
            )?;
        }
    }
    Ok(0)
}

/// The tags of a ticket, `vip, billing`.
fn tag_list(t: &crate::model::Ticket) -> String {
    t.tags
        .iter()
        .map(|x| x.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A title cell of a list, with the ticket's tags after it in brackets.
fn titled(t: &crate::model::Ticket) -> String {
    if t.tags.is_empty() {
        cell(&t.title, 60)
    } else {
        format!("{} [{}]", cell(&t.title, 60), tag_list(t))
    }
}

/// `breached`, `due 2026-11-30 10:00`, `paused`, `met`, or `-` without a policy.
fn sla_cell(s: Option<&SlaStatus>) -> String {
    let Some(s) = s else { return "-".into() };
    match (s.state(), s.next_due()) {
        (State::Breached, _) => "BREACHED".into(),
        (State::Due, Some(d)) => format!("due {}", short_time(d)),
        (st, _) => st.name().into(),
    }
}

/// One target of `ticket show`: `first response: met (due …, 1h10m of 4h) [standard]`.
fn target_line(policy: &str, t: &TargetStatus) -> String {
    let due = t.due.map_or("-".into(), short_time);
    format!(
        "{}: {} (due {due}; {} of {}) [{}]",
        t.target.label(),
        t.state.name(),
        show_minutes(t.elapsed_minutes.max(0) as u64),
        show_minutes(t.target_minutes.max(0) as u64),
        cell(policy, 60)
    )
}
