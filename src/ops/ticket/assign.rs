//! Who works a ticket: assign (with priority, status and sticky in the same change), pick
//! up (assign to oneself) and release (back to "New Unassigned"). Assigning needs a complete
//! profile; giving a ticket to somebody else, or taking it away from them, needs
//! `tickets.assign_others`.

use crate::model::{lifecycle, Action, Login, Permission, Priority, Staff, Status, TicketId};
use crate::store::{layout, DeskRead, Transaction};

use super::super::actor;
use super::super::error::{OpError, Result};
use super::{load_visible, step, step_changes, Done};

#[derive(Debug, Clone, Default)]
pub struct AssignInput {
    /// The new assignee; none = nobody.
    pub to: Option<Login>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub sticky: Option<bool>,
}

pub fn assign(
    tx: &mut Transaction<'_>,
    me: &Staff,
    id: TicketId,
    input: AssignInput,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    actor::require_profile(me, "assign tickets")?;
    match &input.to {
        Some(who) if who != &me.login => {
            actor::require(
                me,
                Permission::TicketsAssignOthers,
                "assign tickets to others",
            )?;
            let staff = tx
                .staff(who)?
                .ok_or_else(|| OpError::not_found("staff member", who))?;
            if !staff.active {
                return Err(OpError::State(format!(
                    "staff member `{who}` is not active"
                )));
            }
        }
        _ => {}
    }
    if let Some(current) = &before.assignee {
        if current != &me.login && input.to.as_ref() != Some(current) {
            actor::require(
                me,
                Permission::TicketsAssignOthers,
                &format!("take ticket {id} away from {current}"),
            )?;
        }
    }
    let mut actions = vec![Action::Assign(input.to.clone())];
    if let Some(p) = input.priority {
        actions.push(Action::SetPriority(p));
    }
    if let Some(s) = input.status {
        actions.push(Action::SetStatus {
            to: s,
            by: me.login.clone(),
        });
    }
    if let Some(s) = input.sticky {
        actions.push(Action::SetSticky(s));
    }
    let after = step_changes(&before, &actions, tx.now())?;
    tx.put_yaml(layout::ticket_file(id), &after);
    let changes = lifecycle::changes(&before, &after);
    let to = input
        .to
        .as_ref()
        .map_or("nobody".to_owned(), Login::to_string);
    let rest: Vec<_> = changes
        .into_iter()
        .filter(|c| c.field != "assignee")
        .collect();
    let mut summary = format!("assign to {to}");
    if !rest.is_empty() {
        summary = format!("{summary}, {}", lifecycle::join_changes(&rest));
    }
    Ok(Done::new(id, summary))
}

/// Assign to oneself ("Pick Up"); refused when somebody has it already.
pub fn pickup(tx: &mut Transaction<'_>, me: &Staff, id: TicketId) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    actor::require_profile(me, "pick up tickets")?;
    let after = step(&before, &[Action::Pickup(me.login.clone())], tx.now())?;
    tx.put_yaml(layout::ticket_file(id), &after);
    Ok(Done::new(id, format!("pick up ({})", me.login)))
}

/// Back to nobody ("Release"); releasing somebody else's ticket needs
/// `tickets.assign_others`.
pub fn release(tx: &mut Transaction<'_>, me: &Staff, id: TicketId) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    if let Some(current) = before.assignee.as_ref().filter(|a| *a != &me.login) {
        actor::require(
            me,
            Permission::TicketsAssignOthers,
            &format!("release ticket {id}, which is assigned to {current}"),
        )?;
    }
    let after = step(&before, &[Action::Release], tx.now())?;
    tx.put_yaml(layout::ticket_file(id), &after);
    let who = before.assignee.map(|a| a.to_string()).unwrap_or_default();
    Ok(Done::new(id, format!("release (was {who})")))
}
