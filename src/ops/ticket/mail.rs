//! Queuing the mail a ticket operation sends: the answer to the customer, and the queue's
//! resolved/closed auto-response. Each becomes a message file in the ticket's thread (what
//! the customer was sent, with its Message-ID) and an `outbox/<key>.yaml` with the same key,
//! staged in the operation's own transaction. Composition is the model's
//! ([`crate::model::outbox`]); sending is `mail send`'s.

use crate::context::Context;
use crate::model::outbox::{self, Reply};
use crate::model::{Attachment, Message, MessageKind, Settings, Ticket};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::{OpError, Result};
use super::fresh_key;

/// What an answer says: its text, its stored attachments and the time it records.
pub(super) struct AnswerText {
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub time: Option<crate::model::TimeEntry>,
}

/// Stages the answer message `key` and its outbox entry; returns the Message-ID.
pub(super) fn queue_answer(
    tx: &mut Transaction<'_>,
    settings: &Settings,
    ticket: &Ticket,
    author: &str,
    key: &crate::model::MessageKey,
    text: AnswerText,
) -> Result<String> {
    let AnswerText {
        body,
        attachments,
        time,
    } = text;
    let thread = thread(tx, ticket)?;
    let now = tx.now();
    let mail_body = match customer_link(tx, settings, ticket)? {
        Some(link) => format!(
            "{}\n\nFollow your request online: {link}\n",
            body.trim_end()
        ),
        None => body.clone(),
    };
    let mail = Reply {
        settings,
        ticket,
        key,
        thread: &thread,
        body: mail_body,
        attachments: attachments
            .iter()
            .map(|a| layout::attachment(ticket.id, &a.file))
            .collect(),
        now,
    }
    .answer();
    let message = Message {
        at: now,
        author: author.to_owned(),
        kind: MessageKind::Answer,
        message_id: Some(mail.message_id.clone()),
        body,
        attachments,
        time,
        extra: Default::default(),
    };
    tx.put_yaml(layout::message(ticket.id, key), &message);
    tx.put_yaml(layout::outbox(key), &mail);
    Ok(mail.message_id)
}

/// The address of the ticket's customer status page, when the desk publishes them
/// (`site.customer_url`); the mail carries it, the thread message does not.
fn customer_link(
    tx: &Transaction<'_>,
    settings: &Settings,
    ticket: &Ticket,
) -> Result<Option<String>> {
    let Some(base) = settings
        .site
        .customer_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    else {
        return Ok(None);
    };
    let secret = crate::site::customers::secret(tx.desk())
        .map_err(|e| OpError::State(format!("the customer page link: {e}")))?;
    Ok(Some(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        crate::site::customers::page_name(&secret, ticket.id)
    )))
}

/// When `after` has just become resolved or closed and its queue has a resolved/closed
/// auto-response, stages it (thread message and outbox). Returns whether one was queued.
pub(super) fn closed_response(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    settings: &Settings,
    before: &Ticket,
    after: &Ticket,
) -> Result<bool> {
    if before.status.is_done() || !after.status.is_done() {
        return Ok(false);
    }
    let Some(queue) = tx.queue(&after.queue)? else {
        return Ok(false);
    };
    let Some(text) = outbox::closed_response(&queue) else {
        return Ok(false);
    };
    let text = text.to_owned();
    let author = settings.support_email.to_string();
    let id = after.id;
    let key = fresh_key(tx, ctx, &author, |k| {
        vec![layout::message(id, k), layout::outbox(k)]
    })?;
    let thread = thread(tx, after)?;
    let now = tx.now();
    let mail = Reply {
        settings,
        ticket: after,
        key: &key,
        thread: &thread,
        body: text.clone(),
        attachments: vec![],
        now,
    }
    .autoresponse();
    let message = Message {
        at: now,
        author,
        kind: MessageKind::Autoresponse,
        message_id: Some(mail.message_id.clone()),
        body: text,
        attachments: vec![],
        time: None,
        extra: Default::default(),
    };
    tx.put_yaml(layout::message(id, &key), &message);
    tx.put_yaml(layout::outbox(&key), &mail);
    Ok(true)
}

/// The ticket's thread as it stands in the transaction (broken files left out).
fn thread(tx: &Transaction<'_>, ticket: &Ticket) -> Result<Vec<Message>> {
    Ok(tx
        .messages(ticket.id)?
        .items
        .into_iter()
        .map(|(_, m)| m)
        .collect())
}
