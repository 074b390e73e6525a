//! Ticket use cases: making, reading, and every step of a ticket's life.
//!
//! Each mutating operation takes a `&mut Transaction`, stages its files and returns a
//! [`Done`] describing what it did; it never commits. One command wraps one call in
//! `ops::mutate` with [`Done::message`]; a mass action calls an operation for many tickets in
//! the same transaction and composes one commit with [`batch_message`]. Operations read
//! through the transaction, so a later call sees what an earlier one staged.

mod answer;
mod assign;
pub mod attach;
mod create;
mod edit;
pub mod fields;
mod mail;
mod remove;
pub mod reply;
mod snooze;
mod split;
mod status;
mod tag;
mod view;

pub(crate) use answer::write_note;
pub use answer::{answer, log_time, note, AnswerInput};
pub use assign::{assign, pickup, release, AssignInput};
pub use attach::NewAttachment;
pub use create::{create, NewTicketInput, Opening};
pub use edit::{edit, find_account, AccountChoice, TicketEdit};
pub use remove::{delete, merge, same_customer};
pub use reply::{customer_message, reply, IncomingCustomerMessage};
pub(crate) use snooze::may_wake;
pub use snooze::{snooze, wake_due, wake_message, SnoozeUntil};
pub use split::{split, SplitInput};
pub(crate) use status::may_autoclose;
pub use status::{autoclose, autoclose_message, autoclose_visible, close, reopen, resolve};
pub use tag::{tag, tag_action, TagChange};
pub use view::{list, show, ListQuery, Listing, Scope, Section, SortKey, TicketView};

use crate::model::Op;
use serde::Serialize;

use crate::context::Context;
use crate::model::{
    lifecycle, Action, Login, MessageKey, Settings, Staff, Ticket, TicketId, Timestamp,
};
use crate::store::commit::TRAILER_ASSIGNEE;
use crate::store::{CommitMessage, DeskRead, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

/// What one ticket operation did: the ticket, a short description for the commit subject
/// (`close`, `assign to bob, priority 70`), and the message file it wrote, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Done {
    pub id: TicketId,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<MessageKey>,
    /// A second ticket the operation touched (the target of a merge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<TicketId>,
    /// Whom the operation assigned the ticket to besides its own kind (`answer --pickup`):
    /// recorded as a `Desk-Assignee` trailer so statistics need not read the subject.
    #[serde(skip)]
    pub assigned: Option<Login>,
}

impl Done {
    pub(crate) fn new(id: TicketId, summary: impl Into<String>) -> Done {
        Done {
            id,
            summary: summary.into(),
            key: None,
            other: None,
            assigned: None,
        }
    }

    /// The commit message of this operation made on its own: `ticket 1043: close`.
    pub fn message(&self, op: Op, actor: &Login) -> CommitMessage {
        let subject = format!("ticket {}: {}", self.id, self.summary);
        let mut m = CommitMessage::new(op, actor.as_str(), subject).ticket(self.id);
        if let Some(o) = self.other {
            m = m.ticket(o);
        }
        if let Some(who) = &self.assigned {
            m = m.trailer(TRAILER_ASSIGNEE, who.as_str());
        }
        m
    }
}

/// One commit for several operations: the caller's subject, each operation's line in the
/// body, and one `Desk-Ticket` trailer per ticket touched.
pub fn batch_message(op: Op, actor: &Login, subject: &str, done: &[Done]) -> CommitMessage {
    let mut m = CommitMessage::new(op, actor.as_str(), subject);
    let lines: Vec<String> = done
        .iter()
        .map(|d| format!("ticket {}: {}", d.id, d.summary))
        .collect();
    m.body = Some(lines.join("\n"));
    for d in done {
        m = m.ticket(d.id);
        if let Some(o) = d.other {
            m = m.ticket(o);
        }
    }
    m
}

/// Loads a ticket the actor may see; an invisible ticket is reported like a missing one
/// would be, with the reason.
pub fn load_visible(
    src: &(impl Source + ?Sized),
    settings: &Settings,
    me: &Staff,
    id: TicketId,
) -> Result<Ticket> {
    let t = load(src, id)?;
    if !actor::can_see(me, &t, settings) {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: format!("see ticket {id}: it is in queue `{}`, which they are not entitled to, and not assigned to them", t.queue),
        });
    }
    Ok(t)
}

/// Loads a ticket whoever asks (mail intake, auto-close).
pub fn load(src: &(impl Source + ?Sized), id: TicketId) -> Result<Ticket> {
    src.ticket(id)?
        .ok_or_else(|| OpError::not_found("ticket", id))
}

/// The model's rules, applied in order, with a refusal named after the ticket.
fn step(t: &Ticket, actions: &[Action], now: Timestamp) -> Result<Ticket> {
    let mut next = t.clone();
    for a in actions {
        next = lifecycle::apply(&next, a, now)
            .map_err(|reason| OpError::Refused { id: t.id, reason })?;
    }
    Ok(next)
}

/// Like [`step`] for an edit made of several field changes: refused when, together, they
/// change nothing.
fn step_changes(t: &Ticket, actions: &[Action], now: Timestamp) -> Result<Ticket> {
    lifecycle::apply_all(t, actions, now).map_err(|reason| OpError::Refused { id: t.id, reason })
}

/// A key for a new file written by `author` whose every path (given by `paths`) is still
/// free in the transaction: keys made in one second by one author differ only in a random
/// suffix, and a mass action or a pinned seed must not overwrite an earlier file.
pub(crate) fn fresh_key(
    tx: &Transaction<'_>,
    ctx: &Context,
    author: &str,
    paths: impl Fn(&MessageKey) -> Vec<String>,
) -> Result<MessageKey> {
    for _ in 0..1000 {
        let key = ctx.new_key(author);
        let mut free = true;
        for p in paths(&key) {
            if tx.read(&p)?.is_some() {
                free = false;
                break;
            }
        }
        if free {
            return Ok(key);
        }
    }
    Err(OpError::State(format!(
        "no free file key for {author} at {}: too many files this second",
        ctx.now()
    )))
}

/// The tickets of a transaction's desk whose catalog [`Key`](crate::store::catalog::Key)
/// satisfies `pred`, ascending, from the catalog of the transaction's base (no ticket file
/// is parsed, no summary decoded for the others), plus every ticket
/// the transaction already touched (its staged state is not in the catalog): the caller
/// reads each through the transaction and checks it for real. Also the ticket directories
/// that could not be read.
pub(crate) fn candidates(
    tx: &Transaction<'_>,
    scope: Rows,
    pred: impl Fn(&crate::store::catalog::Key<'_>) -> bool,
) -> Result<(Vec<TicketId>, Vec<crate::store::FileError>)> {
    let catalog = crate::store::catalog::Catalog::at_commit(tx.desk(), tx.parent())?;
    let view = match scope {
        Rows::All => catalog.view()?,
        Rows::Working => catalog.view_working()?,
    };
    let mut ids: Vec<TicketId> = view
        .entries()
        .filter(|e| e.key().status.is_some() && pred(e.key()))
        .filter_map(|e| TicketId::new(e.id()).ok())
        .collect();
    ids.extend(
        tx.touched()
            .iter()
            .filter_map(|p| crate::store::layout::ticket_of_path(p)),
    );
    ids.sort();
    ids.dedup();
    Ok((ids, view.problems()))
}

/// Which catalog rows [`candidates`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    All,
    /// Only the buckets holding a ticket being worked on (not done, snoozed or broken):
    /// for predicates no closed ticket can satisfy.
    Working,
}

/// Checks a message body: not blank.
fn check_body(body: &str, what: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(OpError::invalid("body", format!("the {what} is empty")));
    }
    Ok(())
}

/// A one-line form of a title for commit subjects.
fn short(title: &str) -> String {
    crate::store::commit::one_line(title, 60)
}
