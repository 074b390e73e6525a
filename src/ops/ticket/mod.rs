//! Ticket use cases: creating, showing and listing tickets.

mod create;
mod view;

pub use create::{create, NewTicketInput, Opening};
pub use view::{list, show, ListQuery, Listing, Scope, Section, SortKey, TicketView};

use crate::model::{Settings, Staff, Ticket, TicketId};
use crate::store::{DeskRead, Source};

use super::actor;
use super::error::{OpError, Result};

/// Loads a ticket the actor may see; an invisible ticket is reported like a missing one
/// would be, with the reason.
pub fn load_visible(
    src: &(impl Source + ?Sized),
    settings: &Settings,
    me: &Staff,
    id: TicketId,
) -> Result<Ticket> {
    let t = src
        .ticket(id)?
        .ok_or_else(|| OpError::not_found("ticket", id))?;
    if !actor::can_see(me, &t, settings) {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: format!("see ticket {id}: it is in queue `{}`, which they are not entitled to, and not assigned to them", t.queue),
        });
    }
    Ok(t)
}
