//! Closing, resolving and reopening tickets, and the auto-close policy. A ticket that
//! becomes resolved or closed is sent its queue's resolved/closed auto-response, if the
//! queue has one (not when an answer closes it at once: the answer is the last word).
//! Closed and resolved tickets leave the working lists but stay readable and searchable.

use crate::context::Context;
use crate::model::lifecycle::{self, AUTOCLOSE};
use crate::model::Op;
use crate::model::{Action, AutoClose, Login, Settings, Staff, Ticket, TicketId};
use crate::store::{layout, CommitMessage, DeskRead, StoreError, Transaction};

use super::super::error::Result;
use super::{load_visible, mail, step, Done};

pub fn close(tx: &mut Transaction<'_>, ctx: &Context, me: &Staff, id: TicketId) -> Result<Done> {
    finish(
        tx,
        ctx,
        me,
        id,
        Action::Close {
            by: me.login.to_string(),
        },
        "close",
    )
}

pub fn resolve(tx: &mut Transaction<'_>, ctx: &Context, me: &Staff, id: TicketId) -> Result<Done> {
    finish(
        tx,
        ctx,
        me,
        id,
        Action::Resolve {
            by: me.login.clone(),
        },
        "resolve",
    )
}

pub fn reopen(tx: &mut Transaction<'_>, me: &Staff, id: TicketId) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    let after = step(&before, &[Action::Reopen], tx.now())?;
    tx.put_yaml(layout::ticket_file(id), &after);
    Ok(Done::new(id, format!("reopen (was {})", before.status)))
}

fn finish(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    action: Action,
    verb: &str,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    let after = step(&before, &[action], tx.now())?;
    tx.put_yaml(layout::ticket_file(id), &after);
    let sent = mail::closed_response(tx, ctx, &settings, &before, &after)?;
    let summary = if sent {
        format!("{verb} (auto-response queued)")
    } else {
        verb.to_owned()
    };
    Ok(Done::new(id, summary))
}

/// Closes every ticket the auto-close policy says is due (answered more than
/// `auto_close_days` ago, no customer message since), with `closed_by: autoclose`. Broken
/// ticket files are skipped (`git desk check` reports them). Running it twice closes nothing
/// the second time.
pub fn autoclose(tx: &mut Transaction<'_>, ctx: &Context) -> Result<Vec<Done>> {
    autoclose_where(tx, ctx, |_, _| true)
}

/// [`autoclose`] limited to the tickets `me` may see: what a technician's own run (the CLI,
/// `sync`) applies, so that `git desk verify` and the server hook accept the commit. Tickets
/// of queues they are not entitled to are left for someone who is (a main admin sees all).
pub fn autoclose_visible(tx: &mut Transaction<'_>, ctx: &Context, me: &Staff) -> Result<Vec<Done>> {
    autoclose_where(tx, ctx, |t, s| crate::ops::actor::can_see(me, t, s))
}

/// Whether the catalog says `s` may be due for auto-closing (the ticket file decides).
pub(crate) fn may_autoclose(
    s: &crate::store::catalog::Key<'_>,
    policy: AutoClose,
    now: crate::model::Timestamp,
) -> bool {
    !policy.never()
        && s.status == Some(crate::model::Status::Answered)
        && s.answered_at
            .is_some_and(|at| policy.immediately() || now.unix() - at > policy.days() * 86_400)
}

fn autoclose_where(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    include: impl Fn(&Ticket, &Settings) -> bool,
) -> Result<Vec<Done>> {
    let settings = tx.settings()?;
    let policy = settings.auto_close_days;
    if policy.never() {
        return Ok(vec![]);
    }
    let now = tx.now();
    let mut done = Vec::new();
    // The catalog narrows the work to answered tickets whose answer is old enough.
    let (ids, _) = super::candidates(tx, super::Rows::Working, |s| may_autoclose(s, policy, now))?;
    for id in ids {
        let before = match tx.ticket(id) {
            Ok(Some(t)) => t,
            Ok(None) | Err(StoreError::File(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if !lifecycle::autoclose_due(&before, policy, now) || !include(&before, &settings) {
            continue;
        }
        let after = step(&before, &[Action::AutoClose { policy }], now)?;
        tx.put_yaml(layout::ticket_file(id), &after);
        let sent = mail::closed_response(tx, ctx, &settings, &before, &after)?;
        let answered = before
            .answered_at
            .map(|a| a.to_string())
            .unwrap_or_default();
        let mut summary = format!("{AUTOCLOSE} (answered {answered})");
        if sent {
            summary.push_str(", auto-response queued");
        }
        done.push(Done::new(id, summary));
    }
    Ok(done)
}

/// The one commit of an auto-close run.
pub fn autoclose_message(actor: &Login, policy: AutoClose, done: &[Done]) -> CommitMessage {
    let n = done.len();
    let subject = format!(
        "autoclose: close {n} ticket{} answered more than {} day{} ago",
        if n == 1 { "" } else { "s" },
        policy.days(),
        if policy.days() == 1 { "" } else { "s" },
    );
    super::batch_message(Op::TicketAutoclose, actor, &subject, done)
}
