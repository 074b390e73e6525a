//! Deleting and merging tickets. Delete removes the ticket's directory (the history keeps
//! it; `git desk log ID` still finds it) and needs `tickets.delete`. Merge moves every
//! message file and attachment of the original into the target unchanged (keys sort by
//! time, so the combined thread stays in order), records the original in the target's
//! `merged_from` with a note in its thread, and deletes the original; it needs
//! `tickets.merge`, and both tickets must belong to the same customer unless forced.

use crate::context::Context;
use crate::model::{Action, Message, MessageKind, Permission, Staff, Ticket, TicketId};
use crate::store::{layout, DeskRead, Source, Transaction};

use super::super::actor;
use super::super::error::{OpError, Result};
use super::{fresh_key, load_visible, short, step, Done};

pub fn delete(tx: &mut Transaction<'_>, me: &Staff, id: TicketId) -> Result<Done> {
    let settings = tx.settings()?;
    actor::require(me, Permission::TicketsDelete, "delete tickets")?;
    let t = load_visible(tx, &settings, me, id)?;
    tx.remove_dir(layout::ticket_dir(id));
    Ok(Done::new(id, format!("delete \"{}\"", short(&t.title))))
}

/// Whether two tickets belong to the same customer: the same owner account when both have
/// one, else the same reply address.
pub fn same_customer(a: &Ticket, b: &Ticket) -> bool {
    match (&a.account, &b.account) {
        (Some(x), Some(y)) => x == y,
        _ => a.email.same_as(b.email.as_str()),
    }
}

/// Merges ticket `id` into `into`; `force` allows tickets of different customers.
pub fn merge(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    into: TicketId,
    force: bool,
) -> Result<Done> {
    let settings = tx.settings()?;
    actor::require(me, Permission::TicketsMerge, "merge tickets")?;
    let source = load_visible(tx, &settings, me, id)?;
    let target = load_visible(tx, &settings, me, into)?;
    if !force && !same_customer(&source, &target) {
        return Err(OpError::State(format!(
            "ticket {id} ({}) and ticket {into} ({}) belong to different customers; add --force to merge them anyway",
            customer(&source),
            customer(&target)
        )));
    }
    let after = step(
        &target,
        &[Action::Absorb(Box::new(source.clone()))],
        tx.now(),
    )?;

    let moved = move_dir(tx, &layout::messages_dir(id), &layout::messages_dir(into))?;
    move_dir(tx, &layout::files_dir(id), &layout::files_dir(into))?;
    tx.remove_dir(layout::ticket_dir(id));

    let key = fresh_key(tx, ctx, me.login.as_str(), |k| {
        vec![layout::message(into, k)]
    })?;
    let note = Message {
        at: tx.now(),
        author: me.login.to_string(),
        kind: MessageKind::Note,
        message_id: None,
        body: format!(
            "Ticket {id} \"{}\" ({}, {} message{}) was merged into this ticket by {}.\n",
            source.title,
            customer(&source),
            moved,
            if moved == 1 { "" } else { "s" },
            me.login
        ),
        attachments: vec![],
        time: None,
        extra: Default::default(),
    };
    tx.put_yaml(layout::message(into, &key), &note);
    tx.put_yaml(layout::ticket_file(into), &after);
    Ok(Done {
        key: Some(key),
        other: Some(into),
        ..Done::new(id, format!("merge into {into}"))
    })
}

fn customer(t: &Ticket) -> String {
    match &t.account {
        Some(a) => format!("account {a}, {}", t.email),
        None => t.email.to_string(),
    }
}

/// Moves every file of `from` into `to` under the same name; refuses when a name is taken.
fn move_dir(tx: &mut Transaction<'_>, from: &str, to: &str) -> Result<usize> {
    let mut n = 0;
    for e in tx.list(from)? {
        if e.is_dir {
            continue;
        }
        let src = format!("{from}/{}", e.name);
        let dst = format!("{to}/{}", e.name);
        if tx.read(&dst)?.is_some() {
            return Err(OpError::State(format!(
                "cannot merge: {dst} already exists"
            )));
        }
        let bytes = tx
            .read(&src)?
            .ok_or_else(|| OpError::State(format!("{src} vanished while merging")))?;
        tx.put(dst, bytes);
        n += 1;
    }
    Ok(n)
}
