//! Adding a mail to a ticket's thread: the customer's reply (reopens a resolved or closed
//! ticket, unassigns it unless sticky), and what robots send about a ticket — a bounce's
//! delivery report, an out-of-office reply — as an internal note that changes nothing else
//! (an absence notice must not reopen a closed ticket). Attachments are stored under the
//! ticket's `files/`.
//!
//! This is a minimal stand-in for `ops::ticket::reply::customer_message` and
//! `ops::ticket::attach::store`, which the ticket-lifecycle work provides; intake switches
//! to those once they are on main.

use crate::context::Context;
use crate::model::{
    sanitize_file_name, Attachment, Email, Message, MessageKey, MessageKind, Status, TicketId,
    Timestamp,
};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::{OpError, Result};
use super::fresh_key;

/// An attachment to store.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// A customer's message arriving for an existing ticket.
#[derive(Debug, Clone)]
pub struct IncomingCustomerMessage {
    pub from: Email,
    pub body: String,
    pub message_id: Option<String>,
    pub at: Option<Timestamp>,
    pub attachments: Vec<NewAttachment>,
}

/// Records a customer's reply; returns the message key and whether the ticket was reopened.
pub fn customer_message(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    id: TicketId,
    msg: IncomingCustomerMessage,
) -> Result<(MessageKey, bool)> {
    let mut ticket = tx
        .ticket(id)?
        .ok_or_else(|| OpError::not_found("ticket", id))?;
    let now = msg.at.unwrap_or_else(|| ctx.now());
    let reopened = ticket.status.is_done();
    if ticket.status != Status::New {
        ticket.status = Status::Open;
    }
    ticket.closed_at = None;
    ticket.closed_by = None;
    if !ticket.sticky {
        ticket.assignee = None;
    }
    ticket.updated_at = now;
    let author = msg.from.to_string();
    let key = fresh_key(tx, ctx, &author, |k| vec![layout::message(id, k)])?;
    let attachments = store_attachments(tx, id, &key, msg.attachments);
    let message = Message {
        at: now,
        author,
        kind: MessageKind::Customer,
        message_id: msg.message_id,
        body: msg.body,
        attachments,
        extra: Default::default(),
    };
    tx.put_yaml(layout::ticket_file(id), &ticket);
    tx.put_yaml(layout::message(id, &key), &message);
    Ok((key, reopened))
}

/// Records an automated mail about a ticket (a bounce, an auto-reply) as an internal note
/// headed by `heading`.
pub fn automated_note(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    id: TicketId,
    reporter: &Email,
    message_id: &str,
    heading: &str,
    report: &str,
) -> Result<MessageKey> {
    let mut ticket = tx
        .ticket(id)?
        .ok_or_else(|| OpError::not_found("ticket", id))?;
    ticket.updated_at = ctx.now();
    let author = reporter.to_string();
    let key = fresh_key(tx, ctx, &author, |k| vec![layout::message(id, k)])?;
    let message = Message {
        at: ctx.now(),
        author,
        kind: MessageKind::Note,
        message_id: Some(message_id.to_owned()),
        body: format!("{heading}\n\n{report}"),
        attachments: vec![],
        extra: Default::default(),
    };
    tx.put_yaml(layout::ticket_file(id), &ticket);
    tx.put_yaml(layout::message(id, &key), &message);
    Ok(key)
}

/// Stores attachment bytes as `files/<key>-<name>` (names sanitised and made unique) and
/// describes them for the message file.
pub fn store_attachments(
    tx: &mut Transaction<'_>,
    id: TicketId,
    key: &MessageKey,
    files: Vec<NewAttachment>,
) -> Vec<Attachment> {
    let mut out: Vec<Attachment> = Vec::new();
    for f in files {
        let clean = sanitize_file_name(&f.name);
        let mut file = format!("{key}-{clean}");
        let mut n = 2;
        while out.iter().any(|a| a.file == file) {
            let (stem, ext) = match clean.rsplit_once('.') {
                Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
                _ => (clean.clone(), String::new()),
            };
            file = format!("{key}-{stem}-{n}{ext}");
            n += 1;
        }
        let size = f.bytes.len() as u64;
        tx.put(layout::attachment(id, &file), f.bytes);
        out.push(Attachment {
            name: clean,
            file,
            size,
            content_type: f.content_type,
        });
    }
    out
}
