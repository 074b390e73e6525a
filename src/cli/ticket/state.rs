//! `git desk ticket edit|close|resolve|reopen|delete|merge`: a ticket's details and status,
//! and removing tickets.

use crate::model::Op;
use std::io::Write;

use anyhow::Result;

use super::super::Env;
use super::work::IdArgs;
use super::{one, report};
use crate::model::{Email, Login, Priority, Slug, Status, TicketId};
use crate::ops::{self, ticket as t};

/// Change title, e-mail, owner account, queue, priority, status or custom fields.
///
/// Any of them in one commit. An edit of the custom fields must leave every field the
/// ticket's queue requires filled in. Setting the status to resolved or closed sends the queue's
/// resolved/closed auto-response, like `ticket close`.
#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The ticket id.
    pub id: TicketId,
    /// New title ("Edit Ticket Details").
    #[arg(long, short = 't')]
    pub title: Option<String>,
    /// New customer reply address ("Edit Ticket Details").
    #[arg(long)]
    pub email: Option<Email>,
    /// Copy ADDR on the answers (repeatable); kept in the ticket's `cc`.
    #[arg(long = "cc", value_name = "ADDR")]
    pub cc: Vec<Email>,
    /// Stop copying ADDR on the answers (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub remove_cc: Vec<Email>,
    /// New owner account by login, or `none` ("Change User").
    #[arg(long, value_name = "LOGIN|none", conflicts_with = "account_search")]
    pub account: Option<String>,
    /// New owner: the one account whose login, name or e-mail contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub account_search: Option<String>,
    /// Move to this queue.
    #[arg(long, short = 'q')]
    pub queue: Option<Slug>,
    /// New priority, 0–100.
    #[arg(long, short = 'p')]
    pub priority: Option<Priority>,
    /// New status.
    #[arg(long, short = 's')]
    pub status: Option<Status>,
    /// Set a custom field declared in desk.yaml (repeatable); NAME= clears it.
    #[arg(long = "field", value_name = "NAME=VALUE", value_parser = super::queue::parse_field)]
    pub fields: Vec<super::queue::FieldArg>,
}

/// Delete tickets for good (the history keeps them); needs tickets.delete.
///
/// All the tickets named go in one commit; `git desk log ID` still finds them.
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// The ticket ids.
    #[arg(required = true)]
    pub ids: Vec<TicketId>,
}

/// Merge a ticket into another one; needs tickets.merge.
///
/// Its messages and attachments move into TARGET (in time order), TARGET's merged_from
/// records it, and it is deleted. Both must belong to the same customer unless --force.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The ticket to merge away.
    pub id: TicketId,
    /// The ticket that receives the messages.
    #[arg(long, value_name = "TARGET")]
    pub into: TicketId,
    /// Merge even when the tickets belong to different customers.
    #[arg(long)]
    pub force: bool,
}

pub fn edit(env: &Env, a: EditArgs, out: &mut dyn Write) -> Result<i32> {
    let account = match (a.account, a.account_search) {
        (Some(s), _) if s == "none" => Some(t::AccountChoice::Clear),
        (Some(s), _) => Some(t::AccountChoice::Login(
            s.parse::<Login>()
                .map_err(|e| anyhow::anyhow!("--account: {e}"))?,
        )),
        (None, Some(text)) => Some(t::AccountChoice::Search(text)),
        (None, None) => None,
    };
    let e = t::TicketEdit {
        title: a.title,
        email: a.email,
        add_cc: a.cc,
        remove_cc: a.remove_cc,
        account,
        queue: a.queue,
        priority: a.priority,
        status: a.status,
        fields: super::queue::field_changes(a.fields),
    };
    one(env, out, Op::TicketEdit, |tx, me| {
        t::edit(tx, &env.ctx, me, a.id, e)
    })
}

pub fn close(env: &Env, a: IdArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketClose, |tx, me| {
        t::close(tx, &env.ctx, me, a.id)
    })
}

pub fn resolve(env: &Env, a: IdArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketResolve, |tx, me| {
        t::resolve(tx, &env.ctx, me, a.id)
    })
}

pub fn reopen(env: &Env, a: IdArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketReopen, |tx, me| t::reopen(tx, me, a.id))
}

pub fn delete(env: &Env, a: DeleteArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let mut ids = a.ids;
    ids.sort();
    ids.dedup();
    let (done, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        let mut done = Vec::new();
        for id in &ids {
            done.push(t::delete(tx, me, *id)?);
        }
        let msg = match done.as_slice() {
            [one] => one.message(Op::TicketDelete, &me.login),
            many => {
                let list: Vec<String> = ids.iter().map(ToString::to_string).collect();
                let subject = format!("tickets {}: delete", list.join(", "));
                t::batch_message(Op::TicketDelete, &me.login, &subject, many)
            }
        };
        Ok((done, msg))
    })?;
    report(env, out, &done, commit)
}

pub fn merge(env: &Env, a: MergeArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketMerge, |tx, me| {
        t::merge(tx, &env.ctx, me, a.id, a.into, a.force)
    })
}
