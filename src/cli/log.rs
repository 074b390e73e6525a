//! `git desk log`: the audit trail.

use std::io::Write;

use anyhow::Result;

use super::output::{cell, short_time};
use super::Env;
use crate::model::TicketId;
use crate::ops::log::log;

/// Show who did what and when, from the commits (newest first).
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Only the history of this ticket.
    pub ticket: Option<TicketId>,
    /// At most N entries.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
}

pub fn run(env: &Env, a: LogArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let entries = log(&desk, a.ticket, a.limit)?;
    if env.printer.json {
        env.printer.json(out, &entries)?;
        return Ok(0);
    }
    for e in &entries {
        let who = e
            .actor
            .clone()
            .unwrap_or_else(|| format!("{} <{}>", e.author, e.email));
        let op = e.op.as_ref().map_or("(hand edit)", |o| o.as_str());
        writeln!(
            out,
            "{}  {}  {:<10} {:<16} {}",
            &e.commit[..10],
            short_time(e.at),
            cell(&who, 10),
            op,
            cell(&e.subject, 100)
        )?;
    }
    Ok(0)
}
