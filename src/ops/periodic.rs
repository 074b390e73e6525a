//! The periodic pass: what time alone makes due, run by `git desk autoclose` (from cron or
//! a timer) and by every `sync`, in this order, each step its own commit and none when
//! nothing is due — snoozed tickets whose time has come wake (`ticket.wake`), answered
//! tickets past the auto-close policy close (`ticket.autoclose`), SLA breaches not yet
//! escalated are escalated (`ticket.escalate`). Running it again changes nothing.
//!
//! One read of the catalog at HEAD first says which steps have anything that may be due;
//! the others take no transaction at all (at 100k tickets each costs a catalog decode). A
//! commit landing between that read and a step is seen by the next pass.

use gix::ObjectId;

use super::ticket::{self as t, Done};
use super::{mutate, sla, Result};
use crate::context::Context;
use crate::model::Staff;
use crate::store::catalog::Catalog;
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
    let settings = desk.reader()?.settings()?;
    let now = ctx.now();
    let (mut wake, mut close, mut escalate) = (false, false, false);
    {
        let catalog = Catalog::open(desk)?;
        let view = catalog.view_working()?;
        for e in view.entries() {
            let k = e.key();
            if k.status.is_none() {
                continue;
            }
            wake = wake || t::may_wake(k, now);
            close = close || t::may_autoclose(k, settings.auto_close_days, now);
            // Only open tickets can be escalated: the others' summaries are not decoded.
            escalate = escalate
                || (!settings.sla.is_empty()
                    && k.status.is_some_and(|s| !s.is_done())
                    && e.summary()
                        .is_ok_and(|s| !sla::to_escalate(&s, &settings.sla, now).is_empty()));
            if wake && close && escalate {
                break;
            }
        }
    }
    let mut pass = Pass::default();
    if wake {
        pass.woken = wake_step(desk, ctx, me)?;
    }
    if close {
        pass.closed = close_step(desk, ctx, me)?;
    }
    if escalate {
        pass.escalated = escalate_step(desk, ctx, me)?;
    }
    Ok(pass)
}

fn wake_step(desk: &Desk, ctx: &Context, me: &Staff) -> Result<Step> {
    let (done, commit) = mutate(desk, ctx, me, |tx, me| {
        let done = t::wake_due(tx, me)?;
        let msg = t::wake_message(&me.login, &done);
        Ok((done, msg))
    })?;
    Ok(Step { done, commit })
}

fn close_step(desk: &Desk, ctx: &Context, me: &Staff) -> Result<Step> {
    let (done, commit) = mutate(desk, ctx, me, |tx, me| {
        let policy = tx.settings()?.auto_close_days;
        let done = t::autoclose_visible(tx, ctx, me)?;
        let msg = t::autoclose_message(&me.login, policy, &done);
        Ok((done, msg))
    })?;
    Ok(Step { done, commit })
}

/// The escalation step alone (`git desk escalate`).
pub fn escalate_step(desk: &Desk, ctx: &Context, me: &Staff) -> Result<Step> {
    let (done, commit) = mutate(desk, ctx, me, |tx, me| {
        let done = sla::escalate(tx, ctx, me)?;
        let msg = sla::escalate_message(&me.login, &done);
        Ok((done, msg))
    })?;
    Ok(Step { done, commit })
}
