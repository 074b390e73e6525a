//! Stand-ins for commands other helpers are still writing, run as their own process by the
//! bench so that they are timed like the real command would be: start-up, desk discovery,
//! the actor, one `ops::mutate`, exit. Each does what the command is specified to do and
//! nothing more; the bench switches to the real command as soon as the binary has it.

use std::path::Path;

use anyhow::{Context as _, Result};
use git_desk::context::Context;
use git_desk::model::{Priority, TicketId};
use git_desk::ops::{self, ActorSpec};
use git_desk::store::{layout, CommitMessage, Desk, DeskRead};

/// `git desk --as alice ticket edit ID --priority P`: rewrites ticket.yaml with the new
/// priority and `updated_at`, one commit with the `ticket.edit` trailers.
pub fn edit_priority(dir: &Path, id: &str, priority: &str) -> Result<()> {
    let id: TicketId = id.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let priority: Priority = priority.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let ctx = Context::from_env()?;
    let desk = Desk::discover(dir)?;
    let spec = ActorSpec {
        flag: Some("alice".into()),
        ..Default::default()
    };
    let me = spec.resolve(desk.reader()?.as_ref())?;
    ops::mutate(&desk, &ctx, &me, |tx, me| {
        let mut t = tx
            .ticket(id)?
            .ok_or_else(|| ops::OpError::not_found("ticket", id))?;
        t.priority = priority;
        t.updated_at = ctx.now();
        tx.put_yaml(layout::ticket_file(id), &t);
        let subject = format!("ticket {id}: priority {}", priority.get());
        Ok((
            (),
            CommitMessage::new(git_desk::model::Op::TicketEdit, me.login.as_str(), subject)
                .ticket(id),
        ))
    })
    .context("stand-in ticket edit")?;
    Ok(())
}
