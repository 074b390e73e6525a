//! `git desk task …`: the Task System ("Make New Task", "My Assigned Tasks", "Task
//! Administration", "Task Info").

use std::io::Write;

use anyhow::Result;

use super::body::BodyArgs;
use super::output::{cell, safe_text, short_time, table};
use super::Env;
use crate::model::{Date, Login, TaskId, TaskStatus, TicketId};
use crate::ops::{self, task as t};

#[derive(Debug, clap::Subcommand)]
pub enum TaskCommand {
    /// Make a new task ("Make New Task"): for yourself with tasks.use, for anyone with tasks.admin.
    New(NewArgs),
    /// List your tasks ("My Assigned Tasks", overdue first), or with --all every task ("Task Administration", needs tasks.admin).
    List(ListArgs),
    /// Show a task with its notes and linked tickets ("Task Info").
    Show(IdArgs),
    /// Change a task's due date, title, details, assignee or linked tickets.
    Edit(EditArgs),
    /// Add a note to a task.
    Note(NoteArgs),
    /// Mark a task done.
    Done(IdArgs),
    /// Open a done task again.
    Reopen(IdArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The title.
    #[arg(long, short = 't')]
    pub title: String,
    /// Who does it (default: you; someone else needs tasks.admin).
    #[arg(long, value_name = "LOGIN")]
    pub assignee: Option<Login>,
    /// The due date, like 2026-12-10.
    #[arg(long, value_name = "DATE")]
    pub due: Option<Date>,
    /// What is to be done.
    #[arg(long, short = 'd', value_name = "TEXT")]
    pub details: Option<String>,
    /// Link the task to this ticket (repeatable).
    #[arg(long = "ticket", value_name = "ID")]
    pub tickets: Vec<TicketId>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusFilter {
    Open,
    Done,
    All,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Every task, not only yours ("Task Administration"; needs tasks.admin).
    #[arg(long, short = 'a')]
    pub all: bool,
    /// Only tasks assigned to LOGIN (someone else's need tasks.admin).
    #[arg(long, value_name = "LOGIN")]
    pub assignee: Option<Login>,
    /// Which tasks by status.
    #[arg(long, short = 's', value_enum, default_value = "open")]
    pub status: StatusFilter,
    /// Only tasks due on or before DATE.
    #[arg(long, value_name = "DATE")]
    pub due_by: Option<Date>,
    /// Only open tasks past their due date.
    #[arg(long)]
    pub overdue: bool,
    /// Only tasks linked to this ticket.
    #[arg(long, value_name = "ID")]
    pub ticket: Option<TicketId>,
}

#[derive(Debug, clap::Args)]
pub struct IdArgs {
    /// The task id.
    pub id: TaskId,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The task id.
    pub id: TaskId,
    /// A new title.
    #[arg(long, short = 't')]
    pub title: Option<String>,
    /// New details.
    #[arg(long, short = 'd', value_name = "TEXT", conflicts_with = "no_details")]
    pub details: Option<String>,
    /// Remove the details.
    #[arg(long)]
    pub no_details: bool,
    /// A new due date.
    #[arg(long, value_name = "DATE", conflicts_with = "no_due")]
    pub due: Option<Date>,
    /// Remove the due date.
    #[arg(long)]
    pub no_due: bool,
    /// Give the task to LOGIN (someone else needs tasks.admin).
    #[arg(long, value_name = "LOGIN")]
    pub assignee: Option<Login>,
    /// Link the task to this ticket (repeatable).
    #[arg(long = "ticket", value_name = "ID")]
    pub link: Vec<TicketId>,
    /// Remove the link to this ticket (repeatable).
    #[arg(long = "unlink", value_name = "ID")]
    pub unlink: Vec<TicketId>,
}

#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// The task id.
    pub id: TaskId,
    #[command(flatten)]
    pub body: BodyArgs,
}

pub fn run(env: &Env, cmd: TaskCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        TaskCommand::New(a) => new(env, a, out),
        TaskCommand::List(a) => list(env, a, out, err),
        TaskCommand::Show(a) => show(env, a.id, out, err),
        TaskCommand::Edit(a) => edit(env, a, out),
        TaskCommand::Note(a) => note(env, a, out),
        TaskCommand::Done(a) => set_done(env, a.id, true, out),
        TaskCommand::Reopen(a) => set_done(env, a.id, false, out),
    }
}

/// Prints what a mutation did: a line of text, or JSON with the commit.
fn done(
    env: &Env,
    out: &mut dyn Write,
    id: TaskId,
    commit: Option<impl ToString>,
    text: String,
) -> Result<i32> {
    if env.printer.json {
        let commit = commit.map(|c| c.to_string());
        env.printer
            .json(out, &serde_json::json!({ "id": id, "commit": commit }))?;
    } else {
        writeln!(out, "{text}")?;
    }
    Ok(0)
}

fn new(env: &Env, a: NewArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let input = t::NewTask {
        title: a.title,
        details: a.details,
        assignee: a.assignee,
        due: a.due,
        tickets: a.tickets,
    };
    let (id, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        t::create(tx, &env.ctx, me, input)
    })?;
    done(env, out, id, commit, format!("task {id} created"))
}

fn edit(env: &Env, a: EditArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let e = t::TaskEdit {
        title: a.title,
        details: if a.no_details {
            Some(None)
        } else {
            a.details.map(Some)
        },
        due: if a.no_due {
            Some(None)
        } else {
            a.due.map(Some)
        },
        assignee: a.assignee,
        link: a.link,
        unlink: a.unlink,
    };
    let id = a.id;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        t::edit(tx, &env.ctx, me, id, e)
    })?;
    done(env, out, id, commit, format!("task {id} updated"))
}

fn note(env: &Env, a: NoteArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    // Refuse before asking for the text when the task is out of reach.
    t::load_visible(desk.reader()?.as_ref(), &me, a.id)?;
    let body = a.body.read("note")?;
    let id = a.id;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        t::note(tx, &env.ctx, me, id, body)
    })?;
    done(env, out, id, commit, format!("note added to task {id}"))
}

fn set_done(env: &Env, id: TaskId, is_done: bool, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        t::set_done(tx, &env.ctx, me, id, is_done)
    })?;
    let word = if is_done { "done" } else { "reopened" };
    done(env, out, id, commit, format!("task {id} {word}"))
}

fn list(env: &Env, a: ListArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let q = t::TaskQuery {
        all: a.all,
        assignee: a.assignee,
        status: match a.status {
            StatusFilter::Open => Some(TaskStatus::Open),
            StatusFilter::Done => Some(TaskStatus::Done),
            StatusFilter::All => None,
        },
        due_by: a.due_by,
        overdue: a.overdue,
        ticket: a.ticket,
    };
    let listing = t::list(reader.as_ref(), &me, env.ctx.now().date(), &q)?;
    for p in &listing.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &listing.rows)?;
        return Ok(0);
    }
    writeln!(out, "{} ({})", listing.title, listing.rows.len())?;
    if listing.rows.is_empty() {
        writeln!(out, "  (none)")?;
        return Ok(0);
    }
    let mut rows = vec![vec![
        "  ID".to_string(),
        "DUE".into(),
        "STATUS".into(),
        "ASSIGNEE".into(),
        "TICKETS".into(),
        "TITLE".into(),
    ]];
    for r in &listing.rows {
        let tk = &r.task;
        rows.push(vec![
            format!("  {}", tk.id),
            tk.due.map_or("-".into(), |d| d.to_string()),
            if r.overdue {
                "OVERDUE".into()
            } else {
                tk.status.to_string()
            },
            tk.assignee.to_string(),
            tickets(&tk.tickets),
            cell(&tk.title, 60),
        ]);
    }
    table(out, &rows)?;
    Ok(0)
}

fn tickets(ids: &[TicketId]) -> String {
    if ids.is_empty() {
        return "-".into();
    }
    ids.iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn show(env: &Env, id: TaskId, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let view = t::show(reader.as_ref(), &me, env.ctx.now().date(), id)?;
    for p in &view.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &view)?;
        return Ok(0);
    }
    let tk = &view.task;
    writeln!(out, "Task {}: {}", tk.id, cell(&tk.title, 200))?;
    let status = match (tk.status, view.overdue) {
        (_, true) => "open, OVERDUE".to_string(),
        (TaskStatus::Done, _) => format!(
            "done{}",
            tk.done_at
                .map_or(String::new(), |d| format!(" ({})", short_time(d)))
        ),
        (s, _) => s.to_string(),
    };
    let mut rows = vec![
        vec!["Status".into(), status],
        vec!["Assigned to".into(), tk.assignee.to_string()],
        vec!["Created by".into(), tk.created_by.to_string()],
        vec!["Due".into(), tk.due.map_or("-".into(), |d| d.to_string())],
    ];
    for (i, l) in view.linked_tickets.iter().enumerate() {
        let what = match (&l.title, l.status) {
            (Some(title), Some(s)) => format!("#{} {} ({s})", l.id, cell(title, 80)),
            _ => format!("#{}", l.id),
        };
        let label = if i == 0 { "Tickets" } else { "" };
        rows.push(vec![label.into(), what]);
    }
    rows.push(vec!["Created".into(), short_time(tk.created_at)]);
    rows.push(vec!["Updated".into(), short_time(tk.updated_at)]);
    table(out, &rows)?;
    if let Some(d) = &tk.details {
        writeln!(out)?;
        writeln!(out, "{}", safe_text(d.trim_end()))?;
    }
    for n in &view.notes {
        writeln!(out)?;
        writeln!(
            out,
            "--- {} note by {} ---",
            short_time(n.note.at),
            n.note.author
        )?;
        writeln!(out, "{}", safe_text(n.note.body.trim_end()))?;
    }
    Ok(0)
}
