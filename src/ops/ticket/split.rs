//! Split: `ticket split ID --messages KEY,… [--title T]` moves chosen customer messages of a
//! ticket — each file unchanged, with its attachments — into a new ticket of the same
//! customer, account and queue ("if a customer's ticket contains several different
//! questions, divide it"). The new ticket takes the next id as `ticket new` does, starts
//! `new` and unassigned, and both tickets get a note naming the other as `[#ID]` (the form
//! `sync` rewrites when it renumbers a ticket made in two clones at once). Only customer
//! messages move; unknown keys, answers and notes, and a choice that would leave the
//! ticket without any customer message are refused. One commit (`ticket.split`).

use std::collections::BTreeSet;

use crate::context::Context;
use crate::model::{Action, Message, MessageKey, MessageKind, NewTicket, Staff, Ticket, TicketId};
use crate::store::{layout, DeskRead, Source, Transaction};

use super::super::actor;
use super::super::error::{OpError, Result};
use super::{load_visible, short, step, Done};

const FLAG: &str = "--messages";

#[derive(Debug, Clone, Default)]
pub struct SplitInput {
    /// The customer messages to move (file keys, as `ticket show` lists them).
    pub keys: Vec<MessageKey>,
    /// The new ticket's title (default: the original's).
    pub title: Option<String>,
}

pub fn split(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    input: SplitInput,
) -> Result<Done> {
    let settings = tx.settings()?;
    let source = load_visible(tx, &settings, me, id)?;
    actor::require_profile(me, "split tickets")?;
    let title = match &input.title {
        Some(t) => Ticket::check_title(t).map_err(|e| OpError::from_value("--title", e))?,
        None => source.title.clone(),
    };
    let chosen: BTreeSet<&MessageKey> = input.keys.iter().collect();
    let thread = tx.messages(id)?;
    check_choice(id, &thread, &chosen)?;

    let new_id = super::super::ids::next_ticket(tx)?;
    let now = tx.now();
    let mut target = Ticket::new(
        new_id,
        NewTicket {
            title: title.clone(),
            email: source.email.clone(),
            account: source.account.clone(),
            queue: source.queue.clone(),
            priority: source.priority,
            assignee: None,
            sticky: false,
        },
        now,
    );
    target.cc = source.cc.clone();

    // Each chosen file moves unchanged (same key, same bytes), in the thread's order.
    let mut moved = Vec::new();
    for (key, m) in thread.items.iter().filter(|(k, _)| chosen.contains(k)) {
        move_file(tx, layout::message(id, key), layout::message(new_id, key))?;
        for a in &m.attachments {
            move_file(
                tx,
                layout::attachment(id, &a.file),
                layout::attachment(new_id, &a.file),
            )?;
        }
        moved.push(key.to_string());
    }

    let n = moved.len();
    let plural = if n == 1 { "" } else { "s" };
    let list = moved.join(", ");
    super::write_note(
        tx,
        ctx,
        me,
        id,
        format!(
            "{n} customer message{plural} ({list}) split off into ticket [#{new_id}] \"{title}\" by {}.\n",
            me.login
        ),
        vec![],
        None,
    )?;
    super::write_note(
        tx,
        ctx,
        me,
        new_id,
        format!(
            "Split from ticket [#{id}] \"{}\" by {}: {n} customer message{plural} ({list}).\n",
            source.title, me.login
        ),
        vec![],
        None,
    )?;
    let source_after = step(&source, &[Action::Note], now)?;
    tx.put_yaml(layout::ticket_file(id), &source_after);
    tx.put_yaml(layout::ticket_file(new_id), &target);
    Ok(Done {
        other: Some(new_id),
        ..Done::new(
            id,
            format!(
                "split {n} message{plural} into {new_id} \"{}\"",
                short(&title)
            ),
        )
    })
}

/// The chosen keys must be customer messages of the ticket, and leave at least one behind.
fn check_choice(
    id: TicketId,
    thread: &crate::store::Loaded<(MessageKey, Message)>,
    chosen: &BTreeSet<&MessageKey>,
) -> Result<()> {
    if chosen.is_empty() {
        return Err(OpError::invalid(FLAG, "name at least one message to move"));
    }
    if let Some(p) = thread.problems.first() {
        return Err(OpError::State(format!(
            "ticket {id} has a message that cannot be read ({p}); repair it before splitting"
        )));
    }
    for key in chosen {
        let Some((_, m)) = thread.items.iter().find(|(k, _)| k == *key) else {
            return Err(OpError::invalid(
                FLAG,
                format!("ticket {id} has no message `{key}` (`git desk ticket show {id}` lists the keys)"),
            ));
        };
        if m.kind != MessageKind::Customer {
            return Err(OpError::invalid(
                FLAG,
                format!(
                    "message `{key}` of ticket {id} is {} {}: only the customer's messages can be split off",
                    if m.kind == MessageKind::Answer || m.kind == MessageKind::Autoresponse { "an" } else { "a" },
                    m.kind
                ),
            ));
        }
    }
    let left = thread
        .items
        .iter()
        .filter(|(k, m)| m.kind == MessageKind::Customer && !chosen.contains(k))
        .count();
    if left == 0 {
        return Err(OpError::invalid(
            FLAG,
            format!("that is every customer message of ticket {id}: nothing would be left to split from (move fewer, or change the ticket's title instead)"),
        ));
    }
    Ok(())
}

fn move_file(tx: &mut Transaction<'_>, from: String, to: String) -> Result<()> {
    if tx.read(&to)?.is_some() {
        return Err(OpError::State(format!("cannot split: {to} already exists")));
    }
    let bytes = tx
        .read(&from)?
        .ok_or_else(|| OpError::State(format!("cannot split: {from} is missing")))?;
    tx.put(to, bytes);
    tx.remove(from);
    Ok(())
}
