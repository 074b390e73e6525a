//! What `verify` accepts from the mail system. Mail commits are authored by the desk itself
//! (its support address, `Desk-Actor: mail`, `Desk-Op: mail.ingest` or `mail.send`), not by
//! a technician, so the staff permission rules do not apply; instead such a commit may only
//! add customer messages, notes and auto-responses to tickets (new tickets included), update
//! ticket.yaml without assigning anyone, store new attachments, raise the id marks in
//! `ids.yaml`, and add, change or remove outbox files. Anything else in such a commit is a violation.

use gix::ObjectId;

use crate::model::{IdMarks, Message, MessageKind, Op, RecordedOp, Settings, Ticket};
use crate::store::diff::PathChange;
use crate::store::{layout, yaml};

use super::MAIL_ACTOR;

/// Whether a commit claims to be the mail system's and is authored by the desk's address.
pub fn is_mail_commit(
    settings: Option<&Settings>,
    author_email: &str,
    actor: Option<&str>,
    op: Option<&RecordedOp>,
) -> bool {
    settings.is_some_and(|s| s.support_email.as_str().eq_ignore_ascii_case(author_email))
        && actor == Some(MAIL_ACTOR)
        && matches!(
            op.and_then(RecordedOp::known),
            Some(Op::MailIngest | Op::MailSend)
        )
}

fn blob<T: serde::de::DeserializeOwned + serde::Serialize + crate::model::Document>(
    repo: &gix::Repository,
    path: &str,
    id: Option<ObjectId>,
) -> Option<T> {
    let data = repo.find_blob(id?).ok()?.detach().data;
    yaml::parse(path, &data).ok()
}

/// Why one change of a mail commit is not something the mail system does, if it is not.
pub fn violation(repo: &gix::Repository, ch: &PathChange) -> Option<String> {
    let path = ch.path.as_str();
    let top = path.split('/').next().unwrap_or("");
    if top == layout::OUTBOX_DIR {
        return None;
    }
    // A new ticket raises the id marks; lowering them is not the mail system's to do.
    if path == layout::IDS_FILE {
        let old = blob::<IdMarks>(repo, path, ch.old).unwrap_or_default();
        return match blob::<IdMarks>(repo, path, ch.new) {
            Some(new) if new.last_ticket >= old.last_ticket && new.last_task >= old.last_task => {
                None
            }
            _ => Some(format!("the mail system lowered or removed {path}")),
        };
    }
    if top != layout::TICKETS_DIR || layout::ticket_of_path(path).is_none() {
        return Some(format!("the mail system changed {path}"));
    }
    if path.ends_with("/ticket.yaml") {
        let Some(new) = blob::<Ticket>(repo, path, ch.new) else {
            return Some(format!("the mail system removed or broke {path}"));
        };
        let old_assignee = blob::<Ticket>(repo, path, ch.old).and_then(|t| t.assignee);
        return match new.assignee {
            Some(a) if Some(&a) != old_assignee.as_ref() => {
                Some(format!("the mail system assigned {path} to {a}"))
            }
            _ => None,
        };
    }
    if ch.old.is_some() {
        return Some(format!(
            "the mail system changed or removed {path}, which is immutable"
        ));
    }
    if path.contains("/messages/") {
        return match blob::<Message>(repo, path, ch.new) {
            Some(m) if m.kind == MessageKind::Answer => {
                Some(format!("the mail system wrote an answer, {path}"))
            }
            _ => None,
        };
    }
    None
}
