//! The periodic pass: what time alone makes due, run by `git desk autoclose` (from cron or
//! a timer) and by every `sync`, in this order, each step its own commit and none when
//! nothing is due — snoozed tickets whose time has come wake (`ticket.wake`), answered
//! tickets past the auto-close policy close (`ticket.autoclose`), SLA breaches not yet
//! escalated are escalated (`ticket.escalate`). Running it again changes nothing.

use gix::ObjectId;

use super::ticket::{self as t, Done};
use super::{mutate, sla, Result};
use crate::context::Context;
use crate::model::Staff;
use crate::store::{Desk, DeskRead};

/// What one step did: the tickets and its commit (none when nothing was due).
#[derive(Debug, Default)]
pub struct Step {
    pub done: Vec<Done>,
    pub commit: Option<ObjectId>,
}

/// What the pass did.
#[derive(Debug, Default)]
pub struct Pass {
    pub woken: Step,
    pub closed: Step,
    pub escalated: Step,
}

/// Runs the three steps as `me` (only tickets `me` may see are acted on).
pub fn run(desk: &Desk, ctx: &Context, me: &Staff) -> Result<Pass> {
    let (done, commit) = mutate(desk, ctx, me, |tx, me| {
        let done = t::wake_due(tx, me)?;
        let msg = t::wake_message(&me.login, &done);
        Ok((done, msg))
    })?;
    let woken = Step { done, commit };
    let (done, commit) = mutate(desk, ctx, me, |tx, me| {
        let policy = tx.settings()?.auto_close_days;
        let done = t::autoclose_visible(tx, ctx, me)?;
        let msg = t::autoclose_message(&me.login, policy, &done);
        Ok((done, msg))
    })?;
    let closed = Step { done, commit };
    let (done, commit) = mutate(desk, ctx, me, |tx, me| {
        let done = sla::escalate(tx, ctx, me)?;
        let msg = sla::escalate_message(&me.login, &done);
        Ok((done, msg))
    })?;
    let escalated = Step { done, commit };
    Ok(Pass {
        woken,
        closed,
        escalated,
    })
}
