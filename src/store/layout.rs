//! Where everything lives in a desk: the only place that spells out paths. All paths are
//! desk-relative with `/` separators, as git stores them.

use crate::model::{Login, MessageKey, Slug, TaskId, TicketId};

pub const DESK_FILE: &str = "desk.yaml";
/// The id high-water marks (`model::IdMarks`).
pub const IDS_FILE: &str = "ids.yaml";
pub const STAFF_DIR: &str = "staff";
pub const QUEUES_DIR: &str = "queues";
pub const ACCOUNTS_DIR: &str = "accounts";
pub const RESELLERS_DIR: &str = "resellers";
pub const TICKETS_DIR: &str = "tickets";
pub const TASKS_DIR: &str = "tasks";
pub const INBOX_DIR: &str = "inbox";
pub const KB_DIR: &str = "kb";
pub const OUTBOX_DIR: &str = "outbox";
pub const REPLIES_DIR: &str = "replies";
pub const MACROS_DIR: &str = "macros";

pub fn staff(login: &Login) -> String {
    format!("{STAFF_DIR}/{login}.yaml")
}
pub fn queue(slug: &Slug) -> String {
    format!("{QUEUES_DIR}/{slug}.yaml")
}
pub fn account(login: &Login) -> String {
    format!("{ACCOUNTS_DIR}/{login}.yaml")
}
pub fn reseller(login: &Login) -> String {
    format!("{RESELLERS_DIR}/{login}.yaml")
}

pub fn ticket_dir(id: TicketId) -> String {
    format!("{TICKETS_DIR}/{}/{id}", id.bucket())
}
pub fn ticket_file(id: TicketId) -> String {
    format!("{}/ticket.yaml", ticket_dir(id))
}
pub fn messages_dir(id: TicketId) -> String {
    format!("{}/messages", ticket_dir(id))
}
pub fn message(id: TicketId, key: &MessageKey) -> String {
    format!("{}/{key}.yaml", messages_dir(id))
}
pub fn files_dir(id: TicketId) -> String {
    format!("{}/files", ticket_dir(id))
}
/// An attachment's bytes; `file` is the stored name (`<key>-<name>`), already sanitised.
pub fn attachment(id: TicketId, file: &str) -> String {
    format!("{}/{file}", files_dir(id))
}

pub fn task_dir(id: TaskId) -> String {
    format!("{TASKS_DIR}/{}/{id}", id.bucket())
}
pub fn task_file(id: TaskId) -> String {
    format!("{}/task.yaml", task_dir(id))
}
pub fn task_notes_dir(id: TaskId) -> String {
    format!("{}/notes", task_dir(id))
}
pub fn task_note(id: TaskId, key: &MessageKey) -> String {
    format!("{}/{key}.yaml", task_notes_dir(id))
}

pub fn inbox_dir(login: &Login) -> String {
    format!("{INBOX_DIR}/{login}")
}
pub fn inbox_message(login: &Login, key: &MessageKey) -> String {
    format!("{}/{key}.yaml", inbox_dir(login))
}

pub fn kb(slug: &Slug) -> String {
    format!("{KB_DIR}/{slug}.md")
}

pub fn reply(slug: &Slug) -> String {
    format!("{REPLIES_DIR}/{slug}.md")
}

pub fn macro_file(slug: &Slug) -> String {
    format!("{MACROS_DIR}/{slug}.yaml")
}

pub fn outbox(key: &MessageKey) -> String {
    format!("{OUTBOX_DIR}/{key}.yaml")
}

/// The ticket a desk path belongs to (`tickets/001/1043/...` → 1043), for incremental work
/// driven by tree diffs.
pub fn ticket_of_path(path: &str) -> Option<TicketId> {
    let mut parts = path.split('/');
    if parts.next()? != TICKETS_DIR {
        return None;
    }
    let bucket = parts.next()?;
    let id: TicketId = parts.next()?.parse().ok()?;
    (id.bucket() == bucket).then_some(id)
}

/// The task a desk path belongs to.
pub fn task_of_path(path: &str) -> Option<TaskId> {
    let mut parts = path.split('/');
    if parts.next()? != TASKS_DIR {
        return None;
    }
    let bucket = parts.next()?;
    let id: TaskId = parts.next()?.parse().ok()?;
    (id.bucket() == bucket).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharded_paths() {
        let id = TicketId::new(1043).unwrap();
        assert_eq!(ticket_file(id), "tickets/001/1043/ticket.yaml");
        let key: MessageKey = "20261127T174501Z-alice-3f2a".parse().unwrap();
        assert_eq!(
            message(id, &key),
            "tickets/001/1043/messages/20261127T174501Z-alice-3f2a.yaml"
        );
        assert_eq!(ticket_of_path("tickets/001/1043/files/x.png"), Some(id));
        assert_eq!(ticket_of_path("tickets/002/1043/ticket.yaml"), None);
        assert_eq!(ticket_of_path("staff/alice.yaml"), None);
        assert_eq!(task_file(TaskId::new(7).unwrap()), "tasks/000/7/task.yaml");
    }
}
