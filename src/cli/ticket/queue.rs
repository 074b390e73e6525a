//! `git desk ticket snooze|split` and the `--field NAME=VALUE` flag of `ticket new` and
//! `ticket edit`: working a queue (issue 17).

use std::io::Write;

use anyhow::Result;

use super::super::Env;
use super::one;
use crate::model::{MessageKey, Op, Slug, TicketId};
use crate::ops::ticket as t;

/// One `--field NAME=VALUE` (`NAME=` clears the field).
#[derive(Debug, Clone)]
pub struct FieldArg(pub Slug, pub Option<String>);

pub fn parse_field(s: &str) -> Result<FieldArg, String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE (NAME= clears the field)"))?;
    let name: Slug = name
        .trim()
        .parse()
        .map_err(|e: crate::model::InvalidValue| format!("field name: {}", e.0))?;
    let value = value.trim();
    Ok(FieldArg(
        name,
        (!value.is_empty()).then(|| value.to_owned()),
    ))
}

pub fn field_changes(args: Vec<FieldArg>) -> Vec<(Slug, Option<String>)> {
    args.into_iter().map(|FieldArg(n, v)| (n, v)).collect()
}

/// Hide a ticket from the working lists until a date or for a while.
///
/// The ticket leaves `ticket list`'s default views and the dashboard's working lists until
/// then (`ticket list --snoozed` shows the snoozed ones); a message from the customer wakes
/// it at once, and `git desk autoclose` (run by `sync`) wakes those whose time has come.
#[derive(Debug, clap::Args)]
pub struct SnoozeArgs {
    /// The ticket id.
    pub id: TicketId,
    /// Until a date (2026-12-10, midnight UTC), a time (2026-12-10T09:00:00Z) or for a
    /// duration (30m, 4h, 3d, 2w).
    #[arg(
        long,
        value_name = "DATE|DURATION",
        required_unless_present = "off",
        conflicts_with = "off"
    )]
    pub until: Option<t::SnoozeUntil>,
    /// Wake the ticket now.
    #[arg(long)]
    pub off: bool,
}

/// Move some of a ticket's customer messages into a new ticket.
///
/// For a ticket whose customer asked several different things: the chosen customer
/// messages (keys as `ticket show` prints them, comma-separated), with their attachments,
/// move into a new ticket of the same customer, account and queue, in their order; both
/// tickets get a note naming the other. One commit.
#[derive(Debug, clap::Args)]
pub struct SplitArgs {
    /// The ticket id.
    pub id: TicketId,
    /// The customer messages to move.
    #[arg(long, value_name = "KEY,…", value_delimiter = ',', required = true)]
    pub messages: Vec<MessageKey>,
    /// The new ticket's title (default: the original's).
    #[arg(long, short = 't')]
    pub title: Option<String>,
}

pub fn snooze(env: &Env, a: SnoozeArgs, out: &mut dyn Write) -> Result<i32> {
    let until = if a.off { None } else { a.until };
    one(env, out, Op::TicketSnooze, |tx, me| {
        t::snooze(tx, me, a.id, until)
    })
}

pub fn split(env: &Env, a: SplitArgs, out: &mut dyn Write) -> Result<i32> {
    let input = t::SplitInput {
        keys: a.messages,
        title: a.title,
    };
    one(env, out, Op::TicketSplit, |tx, me| {
        t::split(tx, &env.ctx, me, a.id, input)
    })
}
