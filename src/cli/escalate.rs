//! `git desk escalate`: act on SLA breaches now, in one commit.

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::ops;

/// Escalate SLA breaches per desk.yaml's sla policies (one commit).
///
/// Every ticket you can see whose first-response or resolution target is breached and not
/// yet escalated gets what its policy's `escalate:` says — a higher priority, a new
/// assignee, an internal note — and the target is recorded in `escalated:`, so each breach
/// is escalated once. Nothing due makes no commit: running it again is harmless. `sync`
/// runs it after auto-close.
#[derive(Debug, clap::Args)]
pub struct EscalateArgs {}

pub fn run(env: &Env, _a: EscalateArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let ops::periodic::Step { done, commit } = ops::periodic::escalate_step(&desk, &env.ctx, &me)?;
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({
                "escalated": done,
                "commit": commit.map(|c| c.to_string()),
            }),
        )?;
    } else if done.is_empty() {
        writeln!(out, "escalate: nothing to escalate")?;
    } else {
        super::output::done_lines(out, &done)?;
    }
    Ok(0)
}
