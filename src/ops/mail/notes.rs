//! Notes the mail system writes on a ticket: what robots send about it (a bounce's delivery
//! report, an out-of-office reply — recorded, but never reopening or unassigning the
//! ticket), and a mail the desk gave up sending. The author is the sender's or the desk's
//! address, as no technician wrote them.

use crate::context::Context;
use crate::model::{lifecycle, Action, Message, MessageKey, MessageKind, TicketId};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::{OpError, Result};
use super::super::ticket::fresh_key;

/// Stages an internal note by `author` on ticket `id` (which must exist).
pub fn system_note(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    id: TicketId,
    author: &str,
    message_id: Option<String>,
    body: String,
) -> Result<MessageKey> {
    let before = tx
        .ticket(id)?
        .ok_or_else(|| OpError::not_found("ticket", id))?;
    let after = lifecycle::apply(&before, &Action::Note, tx.now())
        .map_err(|r| OpError::State(format!("ticket {id} {r}")))?;
    let key = fresh_key(tx, ctx, author, |k| vec![layout::message(id, k)])?;
    let message = Message {
        at: tx.now(),
        author: author.to_owned(),
        kind: MessageKind::Note,
        message_id,
        body,
        attachments: vec![],
        time: None,
        extra: Default::default(),
    };
    tx.put_yaml(layout::ticket_file(id), &after);
    tx.put_yaml(layout::message(id, &key), &message);
    Ok(key)
}
