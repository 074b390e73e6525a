//! Service levels as use cases: a ticket's SLA state for `ticket show`, the `escalate`
//! pass (run by `git desk escalate`, by `sync` beside auto-close), and the `sla:` search
//! filters resolved against the catalog. The rules are in [`crate::model::sla`]; the
//! state is always derived at the moment of asking, never stored — only the fact that a
//! breach was escalated is recorded (`escalated:` in `ticket.yaml`), so the pass acts once
//! per target and ticket and a second run changes nothing.

use crate::context::Context;
use crate::index::Expr;
use crate::model::lifecycle;
use crate::model::sla::{self, Clock, Filter, SlaStatus, State, Target};
use crate::model::{Action, Login, MessageKind, Permission, Settings, Staff, TicketId};
use crate::model::{Message, Op, Ticket, Timestamp};
use crate::store::catalog::Catalog;
use crate::store::{layout, CommitMessage, Desk, DeskRead, Source, StoreError, Transaction};

use super::error::{OpError, Result};
use super::ticket::{self, Done, TicketView};

/// The SLA clock of a ticket from its thread (what `ticket show` has in hand).
pub fn clock_of<'a>(t: &Ticket, messages: impl Iterator<Item = &'a Message>) -> Clock {
    let mut marks: Vec<(i64, bool)> = messages
        .filter(|m| matches!(m.kind, MessageKind::Customer | MessageKind::Answer))
        .map(|m| (m.at.unix(), m.kind == MessageKind::Customer))
        .collect();
    marks.sort();
    let start = marks
        .first()
        .map_or(t.created_at.unix(), |m| m.0.min(t.created_at.unix()));
    Clock {
        start,
        marks,
        done_at: t
            .status
            .is_done()
            .then(|| t.closed_at.unwrap_or(t.updated_at).unix()),
        snoozes: sla::snoozes_of(t),
    }
}

/// `ticket show` with the ticket's service level at `now`.
pub fn show(
    src: &(impl Source + ?Sized),
    me: &Staff,
    id: TicketId,
    now: Timestamp,
) -> Result<TicketView> {
    let mut view = ticket::show(src, me, id)?;
    let settings = src.settings()?;
    let t = &view.ticket;
    if let Some(p) = settings.sla.for_ticket(t.queue.as_str(), t.priority.get()) {
        let clock = clock_of(t, view.messages.iter().map(|e| &e.message));
        view.sla = Some(sla::evaluate(p, &clock, now.unix()));
    }
    Ok(view)
}

/// Runs the escalation pass on the tickets `me` may see: for each breached target not yet
/// escalated, what the ticket's policy says (`escalate:` — raise the priority, reassign,
/// note the breach), and the target recorded in `escalated:`. Policies without `escalate:`
/// do nothing. A reassignment to someone else needs `tickets.assign_others` (as `ticket
/// assign` does); without it the rest is still done and the summary says what was left.
pub fn escalate(tx: &mut Transaction<'_>, ctx: &Context, me: &Staff) -> Result<Vec<Done>> {
    let settings = tx.settings()?;
    if settings.sla.is_empty() {
        return Ok(vec![]);
    }
    let now = tx.now();
    // The catalog of the transaction's base narrows the work to breached tickets.
    let due: Vec<(TicketId, Vec<Target>)> = {
        let catalog = Catalog::at_commit(tx.desk(), tx.parent())?;
        let view = catalog.view_working()?;
        view.tickets_where(|k| k.status.is_some_and(|s| !s.is_done()))
            .filter_map(|s| {
                let fresh = to_escalate(&s, &settings.sla, now);
                (!fresh.is_empty()).then(|| (s.ticket_id(), fresh))
            })
            .collect()
    };
    let mut done = Vec::new();
    for (id, targets) in due {
        let before = match tx.ticket(id) {
            Ok(Some(t)) => t,
            Ok(None) | Err(StoreError::File(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if !super::actor::can_see(me, &before, &settings) {
            continue;
        }
        let Some(policy) = settings
            .sla
            .for_ticket(before.queue.as_str(), before.priority.get())
        else {
            continue;
        };
        let Some(rule) = policy.escalate.clone() else {
            continue;
        };
        let policy = policy.name.clone();
        done.push(escalate_one(
            tx,
            ctx,
            me,
            before,
            (&policy, &rule),
            &targets,
        )?);
    }
    Ok(done)
}

/// The targets of `s` breached and not yet escalated, by the catalog.
pub(crate) fn to_escalate(
    s: &crate::store::catalog::Summary<'_>,
    policies: &sla::Policies,
    now: Timestamp,
) -> Vec<Target> {
    if s.status.is_done() {
        return Vec::new();
    }
    s.sla(policies, now)
        .map(|st| newly_breached(&st, &s.escalated))
        .unwrap_or_default()
}

fn newly_breached(st: &SlaStatus, escalated: &[Target]) -> Vec<Target> {
    st.targets
        .iter()
        .filter(|t| t.state == State::Breached && !escalated.contains(&t.target))
        .map(|t| t.target)
        .collect()
}

/// Escalates one ticket for `targets` under the policy named `policy` with `rule`.
fn escalate_one(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    before: Ticket,
    (policy, rule): (&str, &sla::Escalation),
    targets: &[Target],
) -> Result<Done> {
    let id = before.id;
    let now = tx.now();
    let mut after = before.clone();
    let mut did = Vec::new();
    if let Some(p) = rule.priority.filter(|p| *p > before.priority) {
        after = apply(&after, Action::SetPriority(p), now)?;
        did.push(format!("priority {}", p.get()));
    }
    if let Some(to) = rule
        .assign
        .as_ref()
        .filter(|to| after.assignee.as_ref() != Some(*to))
    {
        if may_assign(me, to, tx)? {
            after = apply(&after, Action::Assign(Some(to.clone())), now)?;
            did.push(format!("assign to {to}"));
        } else {
            did.push(format!(
                "not reassigned to {to} (needs tickets.assign_others, or {to} is not on the staff)"
            ));
        }
    }
    let names: Vec<&str> = targets.iter().map(|t| t.label()).collect();
    if rule.note {
        let body = format!(
            "SLA breached ({policy}): {} target passed.{}",
            names.join(" and "),
            if did.is_empty() {
                String::new()
            } else {
                format!(" Escalated: {}.", did.join(", "))
            }
        );
        super::ticket::write_note(tx, ctx, me, id, body, vec![], None)?;
        did.push("note".into());
    }
    for t in targets {
        if !after.escalated.contains(t) {
            after.escalated.push(*t);
        }
    }
    after.escalated.sort();
    after.updated_at = now;
    tx.put_yaml(layout::ticket_file(id), &after);
    let mut summary = format!("escalate {} breach", names.join(" and "));
    if !did.is_empty() {
        summary.push_str(&format!(" ({})", did.join(", ")));
    }
    Ok(Done::new(id, summary))
}

fn apply(t: &Ticket, a: Action, now: Timestamp) -> Result<Ticket> {
    lifecycle::apply(t, &a, now).map_err(|reason| OpError::Refused { id: t.id, reason })
}

fn may_assign(me: &Staff, to: &Login, tx: &Transaction<'_>) -> Result<bool> {
    let on_staff = tx.staff(to).ok().flatten().is_some();
    Ok(on_staff && (to == &me.login || me.has(Permission::TicketsAssignOthers)))
}

/// The one commit of an escalation pass.
pub fn escalate_message(actor: &Login, done: &[Done]) -> CommitMessage {
    let n = done.len();
    let subject = format!("escalate: {n} SLA breach{}", if n == 1 { "" } else { "es" });
    ticket::batch_message(Op::TicketEscalate, actor, &subject, done)
}

/// Replaces each `sla:` filter of `expr` by the ids of the tickets it matches at `now`
/// (from the catalog: the state depends on the clock, so the index cannot hold it).
pub fn resolve(desk: &Desk, settings: &Settings, now: Timestamp, expr: &mut Expr) -> Result<()> {
    if !expr.has_sla() {
        return Ok(());
    }
    let catalog = Catalog::open(desk)?;
    let view = catalog.view()?;
    let states: Vec<(u64, SlaStatus)> = view
        .tickets()
        .filter_map(|s| Some((s.id, s.sla(&settings.sla, now)?)))
        .collect();
    expr.resolve_sla(&mut |f: Filter| {
        states
            .iter()
            .filter(|(_, st)| f.matches(st, now))
            .map(|(id, _)| *id)
            .collect()
    });
    Ok(())
}
