//! `git desk autoclose`: the periodic pass now (wake, auto-close, escalate; see
//! `ops::periodic`).

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::ops;

/// Close answered tickets older than auto_close_days (one commit).
///
/// Every ticket answered more than auto_close_days ago with no customer message since is
/// closed (closed_by: autoclose), in one commit; the queue's resolved/closed auto-response is
/// queued for each. Nothing to close makes no commit, so running it again is harmless.
/// With auto_close_days -1 nothing is ever closed; with 0 every answered ticket is. Only
/// tickets you can see are closed (a main admin's run closes all).
///
/// This is the desk's periodic pass (run it from cron or a timer; `sync` runs it too):
/// snoozed tickets whose time has come are woken first, in a commit of their own
/// (`ticket.wake`), and SLA breaches not yet escalated are escalated last, in another
/// (`ticket.escalate`, as `git desk escalate` does); no commit for a step with nothing due.
#[derive(Debug, clap::Args)]
pub struct AutocloseArgs {}

pub fn run(env: &Env, _a: AutocloseArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let pass = ops::periodic::run(&desk, &env.ctx, &me)?;
    let ids = |step: &ops::periodic::Step| step.done.iter().map(|d| d.id).collect::<Vec<_>>();
    let commit = |step: &ops::periodic::Step| step.commit.map(|c| c.to_string());
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({
                "closed": ids(&pass.closed),
                "commit": commit(&pass.closed),
                "woken": ids(&pass.woken),
                "wake_commit": commit(&pass.woken),
                "escalated": pass.escalated.done,
                "escalate_commit": commit(&pass.escalated),
            }),
        )?;
        return Ok(0);
    }
    for step in [&pass.woken, &pass.closed, &pass.escalated] {
        super::output::done_lines(out, &step.done)?;
    }
    if pass.closed.done.is_empty() {
        writeln!(out, "autoclose: nothing to close")?;
    }
    Ok(0)
}
