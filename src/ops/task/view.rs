//! Reading tasks: "My Assigned Tasks" and "Task Administration" with their filters, "Task
//! Info" (notes and linked tickets), and the tasks a ticket shows. Every read applies the
//! visibility rule of [`super::can_see`]; a broken task file is reported and skipped.

use serde::Serialize;

use crate::model::{
    Date, Login, MessageKey, Permission, Staff, Status, Task, TaskId, TaskNote, TaskStatus,
    TicketId,
};
use crate::store::{DeskRead, FileError, Source};

use super::super::actor;
use super::super::error::Result;
use super::{can_see, load_visible, require_use};

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
