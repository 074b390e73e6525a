//! A customer's message on a ticket: the one code path for `ticket reply` (a technician
//! recording what the customer sent another way) and for mail intake. The message reopens
//! an answered, resolved or closed ticket, unassigns it unless it is sticky, and is refused
//! when its Message-ID is already in the thread (the same mail read twice).

use crate::context::Context;
use crate::model::{
    outbox::header_value, Action, Email, Message, MessageKind, Staff, TicketId, Timestamp,
};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::{OpError, Result};
use super::attach::{self, NewAttachment};
use super::{fresh_key, load, load_visible, step, Done};

/// A message from the customer, as `ticket reply` or mail intake received it.
#[derive(Debug, Clone)]
pub struct IncomingCustomerMessage {
    pub from: Email,
    pub body: String,
    /// The mail's Message-ID, `<…>` included.
    pub message_id: Option<String>,
    /// When it was sent (default: now).
    pub at: Option<Timestamp>,
    pub attachments: Vec<NewAttachment>,
}

/// Records a customer message on ticket `id` (whoever may see it: the caller decides).
pub fn customer_message(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    id: TicketId,
    msg: IncomingCustomerMessage,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load(tx, id)?;
    if msg.body.trim().is_empty() && msg.attachments.is_empty() {
        return Err(OpError::invalid(
            "body",
            "the customer's message is empty and has no attachments",
        ));
    }
    let message_id = msg
        .message_id
        .as_deref()
        .map(header_value)
        .filter(|m| !m.is_empty());
    if let Some(mid) = &message_id {
        let thread = tx.messages(id)?;
        if thread
            .items
            .iter()
            .any(|(_, m)| m.message_id.as_deref() == Some(mid.as_str()))
        {
            // Matchable by mail intake: `OpError::Exists { kind: "message", .. }`.
            return Err(OpError::Exists {
                kind: "message",
                id: mid.clone(),
            });
        }
    }
    let now = tx.now();
    let after = step(&before, &[Action::CustomerMessage], now)?;
    let author = msg.from.to_string();
    let key = fresh_key(tx, ctx, &author, |k| vec![layout::message(id, k)])?;
    let attachments = attach::store(tx, &settings, id, &key, msg.attachments)?;
    let message = Message {
        at: msg.at.unwrap_or(now),
        author,
        kind: MessageKind::Customer,
        message_id,
        body: msg.body,
        attachments,
        time: None,
        extra: Default::default(),
    };
    tx.put_yaml(layout::message(id, &key), &message);
    tx.put_yaml(layout::ticket_file(id), &after);

    let mut summary = format!("customer message from {}", msg.from);
    if before.status != after.status {
        summary.push_str(&format!(", {} -> {}", before.status, after.status));
    }
    if let (Some(who), None) = (&before.assignee, &after.assignee) {
        summary.push_str(&format!(", unassigned from {who}"));
    }
    Ok(Done {
        key: Some(key),
        ..Done::new(id, summary)
    })
}

/// `ticket reply`: a technician records a customer's message on a ticket they can see.
pub fn reply(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    msg: IncomingCustomerMessage,
) -> Result<Done> {
    let settings = tx.settings()?;
    load_visible(tx, &settings, me, id)?;
    customer_message(tx, ctx, id, msg)
}
