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

mod view;

pub use view::{
    linked_to, list, show, LinkedTicket, NoteEntry, TaskLink, TaskListing, TaskQuery, TaskRow,
    TaskView,
};

use crate::context::Context;
use crate::model::Op;
use crate::model::{
    Date, Login, MessageKey, Permission, Staff, Task, TaskId, TaskNote, TaskStatus, Ticket,
    TicketId, Timestamp,
};
use crate::store::{layout, CommitMessage, DeskRead, Source, Transaction};

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

/// A change stamped `now` must not predate the task (a skewed clock or `GIT_DESK_NOW`).
fn check_clock(task: &Task, now: Timestamp) -> Result<()> {
    if now < task.created_at {
        return Err(OpError::TaskBeforeCreation {
            id: task.id,
            created_at: task.created_at,
            now,
        });
    }
    Ok(())
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

fn commit_message(op: Op, me: &Staff, id: TaskId, what: String) -> CommitMessage {
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
    let id = super::ids::next_task(tx)?;
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
    Ok((id, commit_message(Op::TaskNew, me, id, what)))
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
    check_clock(&old, ctx.now())?;
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
    Ok(((), commit_message(Op::TaskEdit, me, id, what)))
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
    let task = load_visible(tx, me, id)?;
    check_clock(&task, ctx.now())?;
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
    Ok((key, commit_message(Op::TaskNote, me, id, "note".into())))
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
    check_clock(&task, ctx.now())?;
    if task.status == status {
        return Err(OpError::State(format!("task {id} is already {status}")));
    }
    let now = ctx.now();
    task.status = status;
    task.done_at = done.then_some(now);
    task.updated_at = now;
    tx.put_yaml(layout::task_file(id), &task);
    let op = if done { Op::TaskDone } else { Op::TaskReopen };
    Ok(((), commit_message(op, me, id, verb.into())))
}
