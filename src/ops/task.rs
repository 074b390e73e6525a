//! The Task System: "Make New Task", "My Assigned Tasks", "Task Administration" and "Task
//! Info" (change the due date, add a note), plus edit, done and reopen. Tasks may link to
//! tickets, and a ticket lists the tasks that link to it.
//!
//! Who may do what: `tasks.use` sees the tasks assigned to or made by the actor, notes
//! them, changes (edits, marks done) the ones assigned to them, and makes tasks for oneself;
//! `tasks.admin` sees and changes every task and assigns tasks to others (the rules `git
//! desk verify` checks history against). An assignee must be able to use the task system.
//!
//! A note is its own file (`notes/<key>.yaml`) and leaves `task.yaml` alone, so notes added
//! in two clones at once never conflict when the clones merge; a task's `updated_at` is the
//! time of its last edit, not of its last note.

use serde::Serialize;

use crate::context::Context;
use crate::model::{
    Date, Login, MessageKey, Permission, Staff, Status, Task, TaskId, TaskNote, TaskStatus, Ticket,
    TicketId,
};
use crate::store::{layout, CommitMessage, DeskRead, FileError, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

/// Refuses unless `me` may use the task system at all.
fn require_use(me: &Staff, action: &str) -> Result<()> {
    if me.has(Permission::TasksAdmin) {
        return Ok(());
    }
    actor::require(me, Permission::TasksUse, action)
}

/// Whether `me` may see (and work on) `task`.
pub fn can_see(me: &Staff, task: &Task) -> bool {
    me.has(Permission::TasksAdmin) || task.assignee == me.login || task.created_by == me.login
}

/// Loads a task `me` may see.
pub fn load_visible(src: &(impl Source + ?Sized), me: &Staff, id: TaskId) -> Result<Task> {
    let task = src
        .task(id)?
        .ok_or_else(|| OpError::not_found("task", id))?;
    if !can_see(me, &task) {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: format!(
                "see task {id}: it is {}'s, and seeing others' tasks needs `tasks.admin`",
                task.assignee
            ),
        });
    }
    Ok(task)
}

/// Loads a task `me` may change: their own (assigned to them), or any with `tasks.admin`.
fn load_changeable(src: &(impl Source + ?Sized), me: &Staff, id: TaskId) -> Result<Task> {
    let task = load_visible(src, me, id)?;
    if task.assignee != me.login {
        actor::require(
            me,
            Permission::TasksAdmin,
            &format!("change task {id}, which is {}'s", task.assignee),
        )?;
    }
    Ok(task)
}

/// Refuses an assignee who does not exist, is inactive or cannot use tasks; and refuses
/// assigning to someone else without `tasks.admin`.
fn check_assignee(src: &(impl Source + ?Sized), me: &Staff, who: &Login) -> Result<()> {
    if who != &me.login {
        actor::require(me, Permission::TasksAdmin, "assign tasks to others")?;
    }
    let staff = src
        .staff(who)?
        .ok_or_else(|| OpError::not_found("staff member", who))?;
    if !staff.active {
        return Err(OpError::State(format!(
            "staff member `{who}` is not active"
        )));
    }
    if !staff.has(Permission::TasksUse) && !staff.has(Permission::TasksAdmin) {
        return Err(OpError::State(format!(
            "{who} cannot be given tasks: they do not hold `tasks.use`"
        )));
    }
    Ok(())
}

/// The tickets to link: each must exist and be visible to `me`; duplicates dropped.
fn check_tickets(
    src: &(impl Source + ?Sized),
    me: &Staff,
    ids: &[TicketId],
) -> Result<Vec<TicketId>> {
    let settings = src.settings()?;
    let mut out: Vec<TicketId> = Vec::new();
    for id in ids {
        super::ticket::load_visible(src, &settings, me, *id)?;
        if !out.contains(id) {
            out.push(*id);
        }
    }
    Ok(out)
}

fn check_title(title: &str) -> Result<String> {
    Ticket::check_title(title).map_err(|e| OpError::from_value("--title", e))
}

fn clean_details(details: Option<String>) -> Option<String> {
    details.filter(|d| !d.trim().is_empty()).map(|d| {
        let mut d = d.trim_end().to_owned();
        d.push('\n');
        d
    })
}

fn commit_message(op: &str, me: &Staff, id: TaskId, what: String) -> CommitMessage {
    CommitMessage::new(op, me.login.as_str(), format!("task {id}: {what}"))
        .trailer("Desk-Task", id.to_string())
}

#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub title: String,
    pub details: Option<String>,
    /// None = the actor.
    pub assignee: Option<Login>,
    pub due: Option<Date>,
    pub tickets: Vec<TicketId>,
}

/// "Make New Task".
pub fn create(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    input: NewTask,
) -> Result<(TaskId, CommitMessage)> {
    require_use(me, "make tasks")?;
    let title = check_title(&input.title)?;
    let assignee = input.assignee.unwrap_or_else(|| me.login.clone());
    check_assignee(tx, me, &assignee)?;
    let tickets = check_tickets(tx, me, &input.tickets)?;
    let id = tx
        .max_task_id()?
        .map(TaskId::next)
        .unwrap_or(TaskId::new(1).expect("1 is positive"));
    let now = ctx.now();
    let task = Task {
        id,
        title: title.clone(),
        details: clean_details(input.details),
        assignee: assignee.clone(),
        created_by: me.login.clone(),
        status: TaskStatus::Open,
        due: input.due,
        tickets,
        created_at: now,
        updated_at: now,
        done_at: None,
        extra: Default::default(),
    };
    tx.put_yaml(layout::task_file(id), &task);
    let what = format!(
        "new \"{}\" for {assignee}",
        crate::store::commit::one_line(&title, 80)
    );
    Ok((id, commit_message("task.new", me, id, what)))
}

/// What `task edit` may change; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct TaskEdit {
    pub title: Option<String>,
    /// `Some(None)` clears the details.
    pub details: Option<Option<String>>,
    /// `Some(None)` clears the due date.
    pub due: Option<Option<Date>>,
    pub assignee: Option<Login>,
    pub link: Vec<TicketId>,
    pub unlink: Vec<TicketId>,
}

/// Edits a task; names the fields changed in the commit subject.
pub fn edit(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TaskId,
    e: TaskEdit,
) -> Result<((), CommitMessage)> {
    require_use(me, "edit tasks")?;
    let old = load_changeable(tx, me, id)?;
    let mut task = old.clone();
    let mut changed = Vec::new();
    if let Some(t) = &e.title {
        task.title = check_title(t)?;
    }
    if let Some(d) = e.details {
        task.details = clean_details(d);
    }
    if let Some(d) = e.due {
        task.due = d;
    }
    if let Some(who) = &e.assignee {
        if who != &task.assignee {
            check_assignee(tx, me, who)?;
            task.assignee = who.clone();
        }
    }
    for t in check_tickets(tx, me, &e.link)? {
        if !task.tickets.contains(&t) {
            task.tickets.push(t);
        }
    }
    for t in &e.unlink {
        if !task.tickets.contains(t) {
            return Err(OpError::State(format!(
                "task {id} is not linked to ticket {t}"
            )));
        }
        task.tickets.retain(|x| x != t);
    }
    for (name, differs) in [
        ("title", task.title != old.title),
        ("details", task.details != old.details),
        ("due", task.due != old.due),
        ("assignee", task.assignee != old.assignee),
        ("tickets", task.tickets != old.tickets),
    ] {
        if differs {
            changed.push(name);
        }
    }
    if changed.is_empty() {
        return Err(OpError::State(format!(
            "nothing to change: task {id} already has these values"
        )));
    }
    task.updated_at = ctx.now();
    tx.put_yaml(layout::task_file(id), &task);
    let what = format!("edit {}", changed.join(", "));
    Ok(((), commit_message("task.edit", me, id, what)))
}

/// "Add a note" on "Task Info": a new file beside the task; the task file is not touched.
pub fn note(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TaskId,
    body: String,
) -> Result<(MessageKey, CommitMessage)> {
    require_use(me, "add notes to tasks")?;
    load_visible(tx, me, id)?;
    if body.trim().is_empty() {
        return Err(OpError::invalid("body", "the note must not be empty"));
    }
    let key = ctx.new_key(me.login.as_str());
    let note = TaskNote {
        at: ctx.now(),
        author: me.login.clone(),
        body,
        extra: Default::default(),
    };
    tx.put_yaml(layout::task_note(id, &key), &note);
    Ok((key, commit_message("task.note", me, id, "note".into())))
}

/// Marks a task done (`done = true`) or open again.
pub fn set_done(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TaskId,
    done: bool,
) -> Result<((), CommitMessage)> {
    let (verb, status) = if done {
        ("done", TaskStatus::Done)
    } else {
        ("reopen", TaskStatus::Open)
    };
    require_use(me, &format!("mark tasks {verb}"))?;
    let mut task = load_changeable(tx, me, id)?;
    if task.status == status {
        return Err(OpError::State(format!("task {id} is already {status}")));
    }
    let now = ctx.now();
    task.status = status;
    task.done_at = done.then_some(now);
    task.updated_at = now;
    tx.put_yaml(layout::task_file(id), &task);
    let op = if done { "task.done" } else { "task.reopen" };
    Ok(((), commit_message(op, me, id, verb.into())))
}

/// A listing row: the task and what the lists show beside it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    #[serde(flatten)]
    pub task: Task,
    pub overdue: bool,
}

/// Which tasks `task list` shows.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// "Task Administration": every task (needs `tasks.admin`); else "My Assigned Tasks".
    pub all: bool,
    pub assignee: Option<Login>,
    /// None = open and done.
    pub status: Option<TaskStatus>,
    /// Only tasks due on or before this day.
    pub due_by: Option<Date>,
    pub overdue: bool,
    pub ticket: Option<TicketId>,
}

#[derive(Debug)]
pub struct TaskListing {
    pub title: &'static str,
    pub rows: Vec<TaskRow>,
    pub problems: Vec<FileError>,
}

/// "My Assigned Tasks" or "Task Administration": open before done, overdue first, then by
/// due date (undated last), then by id.
pub fn list(
    src: &(impl Source + ?Sized),
    me: &Staff,
    today: Date,
    q: &TaskQuery,
) -> Result<TaskListing> {
    require_use(me, "see tasks")?;
    let admin_view = q.all || q.assignee.as_ref().is_some_and(|a| a != &me.login);
    if admin_view {
        actor::require(
            me,
            Permission::TasksAdmin,
            "see every task (Task Administration)",
        )?;
    }
    let ids = src.task_ids()?;
    let mut problems = ids.problems;
    let mut rows = Vec::new();
    for id in ids.items {
        let task = match src.task(id) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(crate::store::StoreError::File(f)) => {
                problems.push(f);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let mine = task.assignee == me.login;
        let keep = (admin_view || mine)
            && q.assignee.as_ref().is_none_or(|a| &task.assignee == a)
            && q.status.is_none_or(|s| task.status == s)
            && q.due_by
                .is_none_or(|d| task.due.is_some_and(|due| due <= d))
            && (!q.overdue || task.is_overdue(today))
            && q.ticket.is_none_or(|t| task.tickets.contains(&t));
        if keep {
            let overdue = task.is_overdue(today);
            rows.push(TaskRow { task, overdue });
        }
    }
    rows.sort_by(|a, b| {
        let key = |r: &TaskRow| {
            (
                r.task.status,
                !r.overdue,
                r.task.due.is_none(),
                r.task.due,
                r.task.id,
            )
        };
        key(a).cmp(&key(b))
    });
    let title = if admin_view {
        "Task Administration"
    } else {
        "My Assigned Tasks"
    };
    Ok(TaskListing {
        title,
        rows,
        problems,
    })
}

#[derive(Debug, Serialize)]
pub struct NoteEntry {
    pub key: MessageKey,
    #[serde(flatten)]
    pub note: TaskNote,
}

/// A linked ticket as "Task Info" shows it (only tickets the actor may see are described).
#[derive(Debug, Serialize)]
pub struct LinkedTicket {
    pub id: TicketId,
    pub title: Option<String>,
    pub status: Option<Status>,
}

/// "Task Info": the task, its notes (oldest first) and its linked tickets.
#[derive(Debug, Serialize)]
pub struct TaskView {
    pub task: Task,
    pub overdue: bool,
    pub notes: Vec<NoteEntry>,
    pub linked_tickets: Vec<LinkedTicket>,
    #[serde(skip)]
    pub problems: Vec<FileError>,
}

pub fn show(src: &(impl Source + ?Sized), me: &Staff, today: Date, id: TaskId) -> Result<TaskView> {
    require_use(me, "see tasks")?;
    let task = load_visible(src, me, id)?;
    let settings = src.settings()?;
    let loaded = src.task_notes(id)?;
    let mut problems = loaded.problems;
    let notes = loaded
        .items
        .into_iter()
        .map(|(key, note)| NoteEntry { key, note })
        .collect();
    let mut linked_tickets = Vec::new();
    for t in &task.tickets {
        let found = match src.ticket(*t) {
            Ok(found) => found,
            Err(crate::store::StoreError::File(f)) => {
                problems.push(f);
                None
            }
            Err(e) => return Err(e.into()),
        };
        let visible = found.filter(|tk| actor::can_see(me, tk, &settings));
        linked_tickets.push(LinkedTicket {
            id: *t,
            title: visible.as_ref().map(|tk| tk.title.clone()),
            status: visible.as_ref().map(|tk| tk.status),
        });
    }
    Ok(TaskView {
        overdue: task.is_overdue(today),
        task,
        notes,
        linked_tickets,
        problems,
    })
}

/// A task as a ticket shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskLink {
    pub id: TaskId,
    pub title: String,
    pub status: TaskStatus,
    pub assignee: Login,
    pub due: Option<Date>,
}

/// The tasks linked to `ticket` that `me` may see ("shown on both sides"); empty for
/// someone without the task system. Unreadable task files are skipped (`check` reports
/// them).
pub fn linked_to(
    src: &(impl Source + ?Sized),
    me: &Staff,
    ticket: TicketId,
) -> Result<Vec<TaskLink>> {
    if !me.has(Permission::TasksUse) && !me.has(Permission::TasksAdmin) {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for id in src.task_ids()?.items {
        if let Ok(Some(t)) = src.task(id) {
            if t.tickets.contains(&ticket) && can_see(me, &t) {
                out.push(TaskLink {
                    id: t.id,
                    title: t.title,
                    status: t.status,
                    assignee: t.assignee,
                    due: t.due,
                });
            }
        }
    }
    Ok(out)
}
