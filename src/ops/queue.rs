//! Queue administration ("Queue Administration"): making, changing and deleting queues,
//! which needs `queues.admin`. Deleting a queue moves its tickets to another queue or deletes
//! them (that also needs `tickets.delete`), drops it from the technicians' queue lists (that
//! is staff administration, so it needs `staff.admin` when anyone is entitled to the queue),
//! and is refused for the last queue and for the default queue. The same rules are what
//! `git desk verify` checks in the history.

use crate::model::Op;
use crate::model::{lifecycle, setting, Action, Email, Permission, Queue, Slug, Staff};
use crate::store::{layout, CommitMessage, DeskRead, Loaded, Source, StoreError, Transaction};

use super::actor;
use super::error::{OpError, Result};

/// A queue's editable fields; for the optional ones `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct QueueFields {
    pub name: Option<String>,
    pub email: Option<Option<Email>>,
    pub mailbox: Option<Option<String>>,
    pub new_ticket_response: Option<Option<String>>,
    pub closed_ticket_response: Option<Option<String>>,
}

/// What becomes of a deleted queue's tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposal {
    MoveTo(Slug),
    DeleteTickets,
}

pub fn list(src: &(impl Source + ?Sized)) -> Result<Loaded<Queue>> {
    Ok(src.all_queues()?)
}

pub fn show(src: &(impl Source + ?Sized), slug: &Slug) -> Result<Queue> {
    src.queue(slug)?
        .ok_or_else(|| OpError::not_found("queue", slug))
}

pub fn new(
    tx: &mut Transaction<'_>,
    me: &Staff,
    slug: Slug,
    fields: QueueFields,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::QueuesAdmin, "create queues")?;
    if tx.queue(&slug)?.is_some() {
        return Err(OpError::Exists {
            kind: "queue",
            id: slug.to_string(),
        });
    }
    let name = fields.name.clone().unwrap_or_else(|| slug.to_string());
    let mut q = Queue::new(slug.clone(), String::new());
    apply(
        &mut q,
        QueueFields {
            name: Some(name),
            ..fields
        },
    )?;
    tx.put_yaml(layout::queue(&slug), &q);
    let subject = format!("queue: new {slug} \"{}\"", q.name);
    Ok((
        (),
        CommitMessage::new(Op::QueueNew, me.login.as_str(), subject),
    ))
}

pub fn edit(
    tx: &mut Transaction<'_>,
    me: &Staff,
    slug: &Slug,
    fields: QueueFields,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::QueuesAdmin, "edit queues")?;
    let before = show(tx, slug)?;
    let mut q = before.clone();
    apply(&mut q, fields)?;
    if q == before {
        return Err(OpError::State(format!("queue {slug} would not change")));
    }
    tx.put_yaml(layout::queue(slug), &q);
    let subject = format!("queue: edit {slug}");
    Ok((
        (),
        CommitMessage::new(Op::QueueEdit, me.login.as_str(), subject),
    ))
}

fn apply(q: &mut Queue, f: QueueFields) -> Result<()> {
    if let Some(n) = f.name {
        let n = n.trim();
        if n.is_empty() || n.chars().any(char::is_control) || n.chars().count() > 100 {
            return Err(OpError::invalid(
                "--name",
                "a queue name is one line of 1 to 100 characters",
            ));
        }
        q.name = n.to_owned();
    }
    if let Some(e) = f.email {
        q.email = e;
    }
    if let Some(m) = f.mailbox {
        q.mailbox = m
            .map(|p| setting::relative_path(&p))
            .transpose()
            .map_err(|e| OpError::from_value("--mailbox", e))?;
    }
    let text = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
    if let Some(t) = f.new_ticket_response {
        q.new_ticket_response = text(t);
    }
    if let Some(t) = f.closed_ticket_response {
        q.closed_ticket_response = text(t);
    }
    Ok(())
}

pub fn delete(
    tx: &mut Transaction<'_>,
    me: &Staff,
    slug: &Slug,
    disposal: Disposal,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::QueuesAdmin, "delete queues")?;
    show(tx, slug)?;
    let queues = tx.all_queues()?.items;
    if queues.len() <= 1 {
        return Err(OpError::State(format!(
            "queue {slug} is the last queue; a desk needs at least one"
        )));
    }
    let settings = tx.settings()?;
    if &settings.default_queue == slug {
        return Err(OpError::State(format!(
            "queue {slug} is the default queue; `git desk settings set default_queue OTHER` first"
        )));
    }
    if let Disposal::MoveTo(to) = &disposal {
        if to == slug {
            return Err(OpError::invalid("--move-to", "the queue being deleted"));
        }
        show(tx, to)?;
    }

    // Its tickets: every file must read, or a ticket could be left in a queue that is gone.
    let mut affected = Vec::new();
    let (ids, problems) = super::ticket::candidates(tx, super::ticket::Rows::All, |s| {
        s.queue.as_str() == slug.as_str()
    })?;
    if let Some(f) = problems.first() {
        return Err(OpError::State(format!(
            "cannot tell which queue a broken ticket is in: {f}; fix it first (git desk check)"
        )));
    }
    for id in ids {
        match tx.ticket(id) {
            Ok(Some(t)) if &t.queue == slug => affected.push(t),
            Ok(_) => {}
            Err(StoreError::File(f)) => {
                return Err(OpError::State(format!(
                "cannot tell which queue a broken ticket is in: {f}; fix it first (git desk check)"
            )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !affected.is_empty() && !me.entitled_to(slug, &settings.default_queue) {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: format!(
                "delete queue {slug} with its {} tickets: they are in a queue they are not entitled to",
                affected.len()
            ),
        });
    }
    if disposal == Disposal::DeleteTickets && !affected.is_empty() {
        actor::require(me, Permission::TicketsDelete, "delete the queue's tickets")?;
    }
    let now = tx.now();
    for t in &affected {
        match &disposal {
            Disposal::MoveTo(to) => {
                let moved = lifecycle::apply(t, &Action::MoveTo(to.clone()), now)
                    .map_err(|reason| OpError::Refused { id: t.id, reason })?;
                tx.put_yaml(layout::ticket_file(t.id), &moved);
            }
            Disposal::DeleteTickets => tx.remove_dir(layout::ticket_dir(t.id)),
        }
    }
    // Nobody stays entitled to a queue that is gone: changing their staff files is staff
    // administration (and a main admin's file is for main admins to change).
    for mut s in tx.all_staff()?.items {
        if s.queues.remove(slug) {
            let what = format!("drop queue {slug} from {}'s queues", s.login);
            actor::require(me, Permission::StaffAdmin, &what)?;
            if s.is_main() && !me.is_main() {
                return Err(OpError::Forbidden {
                    actor: me.login.clone(),
                    action: format!("{what} (a main admin; only main admins can)"),
                });
            }
            tx.put_yaml(layout::staff(&s.login), &s);
        }
    }
    tx.remove(layout::queue(slug));

    let n = affected.len();
    let what = match &disposal {
        Disposal::MoveTo(to) => format!("{n} ticket{} moved to {to}", plural(n)),
        Disposal::DeleteTickets => format!("{n} ticket{} deleted", plural(n)),
    };
    let mut msg = CommitMessage::new(
        Op::QueueDelete,
        me.login.as_str(),
        format!("queue: delete {slug}, {what}"),
    );
    for t in &affected {
        msg = msg.ticket(t.id);
    }
    Ok(((), msg))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
