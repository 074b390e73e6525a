//! Mass actions on a search result ("Mass Action"): delete, close, release, assign to
//! somebody, move to a queue or set the priority of many tickets in one commit
//! (`Desk-Op: ticket.mass`, one `Desk-Ticket` line per ticket). Needs `tickets.mass`, and
//! each ticket's own operation checks its own permission and visibility; every ticket is
//! checked before anything is written, and one refusal refuses the whole batch. A ticket
//! already in the asked-for state (already closed, already assigned to that person…) is
//! skipped and said so, not refused. A dry run does all the checking and writes nothing.

use crate::model::Op;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::context::Context;
use crate::model::lifecycle::Refusal;
use crate::model::{InvalidValue, Login, Permission, Priority, Slug, Staff, TicketId};
use crate::store::{Desk, Identity, Transaction};

use super::actor;
use super::error::{OpError, Result};
use super::ticket::{self as t, AssignInput, Done, TicketEdit};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MassAction {
    Delete,
    Close,
    Release,
    Assign(Login),
    Queue(Slug),
    Priority(Priority),
}

impl FromStr for MassAction {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let (verb, arg) = match s.split_once('=') {
            Some((v, a)) => (v.trim(), Some(a.trim())),
            None => (s.trim(), None),
        };
        let need = |what: &str| {
            arg.filter(|a| !a.is_empty())
                .ok_or_else(|| InvalidValue(format!("`{verb}` needs {what}: `{verb}=…`")))
        };
        Ok(match verb {
            "delete" => MassAction::Delete,
            "close" => MassAction::Close,
            "release" => MassAction::Release,
            "assign" => MassAction::Assign(need("a login")?.parse()?),
            "queue" => MassAction::Queue(need("a queue")?.parse()?),
            "priority" => MassAction::Priority(need("a priority")?.parse()?),
            _ => {
                return Err(InvalidValue(format!(
                    "`{s}` is not a mass action (delete, close, release, assign=LOGIN, queue=QUEUE, priority=N)"
                )))
            }
        })
    }
}

impl fmt::Display for MassAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MassAction::Delete => f.write_str("delete"),
            MassAction::Close => f.write_str("close"),
            MassAction::Release => f.write_str("release"),
            MassAction::Assign(l) => write!(f, "assign to {l}"),
            MassAction::Queue(q) => write!(f, "move to queue {q}"),
            MassAction::Priority(p) => write!(f, "set priority {p}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub id: TicketId,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MassOutcome {
    pub action: String,
    /// What was (or, in a dry run, would be) done.
    pub done: Vec<Done>,
    /// Tickets already in the asked-for state.
    pub skipped: Vec<Skipped>,
    /// True when nothing was written.
    pub dry_run: bool,
    pub commit: Option<String>,
}

/// Applies `action` to every ticket of `ids` in one transaction; commits unless `dry_run`.
pub fn mass(
    desk: &Desk,
    ctx: &Context,
    actor: &Staff,
    action: &MassAction,
    ids: &[TicketId],
    dry_run: bool,
) -> Result<MassOutcome> {
    let mut tx = desk.begin(ctx.now())?;
    let me = actor::reload(&tx, actor)?;
    actor::require(&me, Permission::TicketsMass, "use mass actions")?;
    let mut done = Vec::new();
    let mut skipped = Vec::new();
    for &id in ids {
        match one(&mut tx, ctx, &me, action, id) {
            Ok(d) => done.push(d),
            Err(OpError::Refused { id, reason }) if is_no_op(&reason) => skipped.push(Skipped {
                id,
                reason: reason.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    let mut outcome = MassOutcome {
        action: action.to_string(),
        done,
        skipped,
        dry_run,
        commit: None,
    };
    if dry_run || outcome.done.is_empty() {
        return Ok(outcome);
    }
    let n = outcome.done.len();
    let subject = format!(
        "mass action: {action} ({n} ticket{})",
        if n == 1 { "" } else { "s" }
    );
    let msg = t::batch_message(Op::TicketMass, &me.login, &subject, &outcome.done);
    outcome.commit = tx.commit(&Identity::of(&me), &msg)?.map(|c| c.to_string());
    Ok(outcome)
}

fn one(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    action: &MassAction,
    id: TicketId,
) -> Result<Done> {
    match action {
        MassAction::Delete => t::delete(tx, me, id),
        MassAction::Close => t::close(tx, ctx, me, id),
        MassAction::Release => t::release(tx, me, id),
        MassAction::Assign(who) => t::assign(
            tx,
            me,
            id,
            AssignInput {
                to: Some(who.clone()),
                ..AssignInput::default()
            },
        ),
        MassAction::Queue(q) => t::edit(
            tx,
            ctx,
            me,
            id,
            TicketEdit {
                queue: Some(q.clone()),
                ..TicketEdit::default()
            },
        ),
        MassAction::Priority(p) => t::edit(
            tx,
            ctx,
            me,
            id,
            TicketEdit {
                priority: Some(*p),
                ..TicketEdit::default()
            },
        ),
    }
}

/// Refusals that only say the ticket is already as asked.
fn is_no_op(r: &Refusal) -> bool {
    matches!(
        r,
        Refusal::Already(_)
            | Refusal::NothingToChange
            | Refusal::AlreadyAssignedTo(_)
            | Refusal::NotAssigned
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_name_themselves() {
        assert_eq!("close".parse::<MassAction>().unwrap(), MassAction::Close);
        assert_eq!(
            "assign=bob".parse::<MassAction>().unwrap().to_string(),
            "assign to bob"
        );
        assert_eq!(
            "priority=70".parse::<MassAction>().unwrap(),
            MassAction::Priority(Priority::new(70).unwrap())
        );
        assert!("assign"
            .parse::<MassAction>()
            .unwrap_err()
            .0
            .contains("needs a login"));
        assert!("priority=500".parse::<MassAction>().is_err());
        assert!("queue=Not A Slug".parse::<MassAction>().is_err());
        assert!("explode"
            .parse::<MassAction>()
            .unwrap_err()
            .0
            .contains("not a mass action"));
    }
}
