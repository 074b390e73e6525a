//! Handing out ticket and task ids: one past the high-water mark in `ids.yaml` (or the
//! highest id present, if a ticket was added by hand above it), staged with the new mark in
//! the same transaction as the create, so a deleted or merged ticket's id is never reused.
//! A desk made before `ids.yaml` existed falls back, once, to the highest ids its history
//! names; the first create then writes the file. Every call reads one small file and the
//! last id shard: no history walk per command.

use crate::model::{IdMarks, TaskId, TicketId};
use crate::store::{history, layout, DeskRead, Transaction};

use super::error::Result;

/// The next ticket id; the new mark is staged in `tx`.
pub fn next_ticket(tx: &mut Transaction<'_>) -> Result<TicketId> {
    let mut marks = marks(tx)?;
    let id = marks.take_ticket();
    tx.put_yaml(layout::IDS_FILE, &marks);
    Ok(id)
}

/// The id [`next_ticket`] would hand out, staging nothing: for a create that may still be
/// refused (mail intake checks attachments under the id first), followed by
/// [`record_ticket`] once it goes ahead.
pub fn peek_ticket(tx: &Transaction<'_>) -> Result<TicketId> {
    Ok(marks(tx)?.take_ticket())
}

/// Stages the mark for ticket `id`, handed out by [`peek_ticket`].
pub fn record_ticket(tx: &mut Transaction<'_>, id: TicketId) -> Result<()> {
    let mut marks = marks(tx)?;
    marks.last_ticket = marks.last_ticket.max(id.get());
    tx.put_yaml(layout::IDS_FILE, &marks);
    Ok(())
}

/// The next task id; the new mark is staged in `tx`.
pub fn next_task(tx: &mut Transaction<'_>) -> Result<TaskId> {
    let mut marks = marks(tx)?;
    let id = marks.take_task();
    tx.put_yaml(layout::IDS_FILE, &marks);
    Ok(id)
}

/// The marks as committed (or staged earlier in this transaction), else from history;
/// raised to the highest ids present (a ticket or task added by hand above them).
fn marks(tx: &Transaction<'_>) -> Result<IdMarks> {
    let present = IdMarks {
        last_ticket: tx.max_ticket_id()?.map_or(0, TicketId::get),
        last_task: tx.max_task_id()?.map_or(0, TaskId::get),
        ..Default::default()
    };
    if let Some(m) = tx.id_marks()? {
        return Ok(m.max(&present));
    }
    let history = match (tx.parent(), tx.desk().repo()) {
        (Some(head), Some(repo)) => history::highest_ids(repo, head)?,
        _ => IdMarks::default(),
    };
    Ok(history.max(&present))
}
