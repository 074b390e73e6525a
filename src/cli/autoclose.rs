//! `git desk autoclose`: apply the desk's auto-close policy now, in one commit.

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::ops::{self, ticket as t};
use crate::store::DeskRead;

/// Close answered tickets older than auto_close_days (one commit).
///
/// Every ticket answered more than auto_close_days ago with no customer message since is
/// closed (closed_by: autoclose), in one commit; the queue's resolved/closed auto-response is
/// queued for each. Nothing to close makes no commit, so running it again is harmless.
/// With auto_close_days -1 nothing is ever closed; with 0 every answered ticket is. Only
/// tickets you can see are closed (a main admin's run closes all).
///
/// Snoozed tickets whose time has come are woken first, in a commit of their own
/// (`ticket.wake`; none when no ticket is due).
#[derive(Debug, clap::Args)]
pub struct AutocloseArgs {}

pub fn run(env: &Env, _a: AutocloseArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    // Snoozed tickets whose time has come wake first, in a commit of their own.
    let (woken, wake_commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        let done = t::wake_due(tx, me)?;
        let msg = t::wake_message(&me.login, &done);
        Ok((done, msg))
    })?;
    let (done, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        let policy = tx.settings()?.auto_close_days;
        let done = t::autoclose_visible(tx, &env.ctx, me)?;
        let msg = t::autoclose_message(&me.login, policy, &done);
        Ok((done, msg))
    })?;
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({
                "closed": done.iter().map(|d| d.id).collect::<Vec<_>>(),
                "commit": commit.map(|c| c.to_string()),
                "woken": woken.iter().map(|d| d.id).collect::<Vec<_>>(),
                "wake_commit": wake_commit.map(|c| c.to_string()),
            }),
        )?;
    } else if done.is_empty() {
        for d in &woken {
            writeln!(out, "ticket {}: {}", d.id, d.summary)?;
        }
        writeln!(out, "autoclose: nothing to close")?;
    } else {
        for d in woken.iter().chain(&done) {
            writeln!(out, "ticket {}: {}", d.id, d.summary)?;
        }
    }
    Ok(0)
}
