//! `git desk ticket …`: the command enum and its dispatch. Reading commands are in
//! [`read`], the work on a ticket (answer, note, reply, assign, pick up, release) in
//! [`work`], and status, edit, delete and merge in [`state`].

mod queue;
mod read;
mod state;
mod time;
mod work;

use crate::model::Op;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Env;
use crate::model::Staff;
use crate::ops::{self, ticket::Done};
use crate::store::{CommitMessage, Transaction};

#[derive(Debug, clap::Subcommand)]
pub enum TicketCommand {
    /// Make a new ticket ("Make a New Ticket").
    New(read::NewArgs),
    /// Show a ticket with its whole thread (closed and resolved ones too).
    Show(read::ShowArgs),
    /// List tickets: by default your dashboard, "My Assigned Tickets" then "New Unassigned Tickets".
    List(read::ListArgs),
    Edit(state::EditArgs),
    Answer(work::AnswerArgs),
    Note(work::NoteArgs),
    Assign(work::AssignArgs),
    /// Assign a ticket to yourself ("Pick Up").
    Pickup(work::IdArgs),
    /// Give a ticket back to nobody ("Release").
    Release(work::IdArgs),
    Reply(work::ReplyArgs),
    Tag(work::TagArgs),
    Macro(work::MacroArgs),
    /// Close a ticket (it stays searchable; a customer reply reopens it).
    Close(work::IdArgs),
    /// Mark a ticket resolved.
    Resolve(work::IdArgs),
    /// Reopen an answered, resolved or closed ticket.
    Reopen(work::IdArgs),
    Delete(state::DeleteArgs),
    Merge(state::MergeArgs),
    Snooze(queue::SnoozeArgs),
    Split(queue::SplitArgs),
    Time(time::TimeArgs),
}

pub fn run(env: &Env, cmd: TicketCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        TicketCommand::New(a) => read::new(env, a, out),
        TicketCommand::Show(a) => read::show(env, a, out, err),
        TicketCommand::List(a) => read::list(env, a, out, err),
        TicketCommand::Edit(a) => state::edit(env, a, out),
        TicketCommand::Answer(a) => work::answer(env, a, out, err),
        TicketCommand::Note(a) => work::note(env, a, out),
        TicketCommand::Assign(a) => work::assign(env, a, out),
        TicketCommand::Pickup(a) => work::pickup(env, a, out),
        TicketCommand::Release(a) => work::release(env, a, out),
        TicketCommand::Reply(a) => work::reply(env, a, out),
        TicketCommand::Tag(a) => work::tag(env, a, out),
        TicketCommand::Macro(a) => work::apply_macro(env, a, out),
        TicketCommand::Close(a) => state::close(env, a, out),
        TicketCommand::Resolve(a) => state::resolve(env, a, out),
        TicketCommand::Reopen(a) => state::reopen(env, a, out),
        TicketCommand::Delete(a) => state::delete(env, a, out),
        TicketCommand::Merge(a) => state::merge(env, a, out),
        TicketCommand::Snooze(a) => queue::snooze(env, a, out),
        TicketCommand::Split(a) => queue::split(env, a, out),
        TicketCommand::Time(a) => time::run(env, a, out),
    }
}

#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    done: &'a Done,
    commit: Option<String>,
}

/// Runs one ticket operation as one commit named `op`, and reports it.
fn one(
    env: &Env,
    out: &mut dyn Write,
    op: Op,
    f: impl FnOnce(&mut Transaction<'_>, &Staff) -> ops::Result<Done>,
) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (done, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        let done = f(tx, me)?;
        let msg: CommitMessage = done.message(op, &me.login);
        Ok((done, msg))
    })?;
    report(env, out, &[done], commit)
}

fn report(
    env: &Env,
    out: &mut dyn Write,
    done: &[Done],
    commit: Option<gix::ObjectId>,
) -> Result<i32> {
    let commit = commit.map(|c| c.to_string());
    if env.printer.json {
        let items: Vec<Report<'_>> = done
            .iter()
            .map(|d| Report {
                done: d,
                commit: commit.clone(),
            })
            .collect();
        if let [one] = items.as_slice() {
            env.printer.json(out, one)?;
        } else {
            env.printer.json(out, &items)?;
        }
    } else {
        super::output::done_lines(out, done)?;
    }
    Ok(0)
}
