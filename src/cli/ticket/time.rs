//! `git desk ticket time`, and the `--time`/`--billable` flags that `ticket answer` and
//! `ticket note` share: recording time spent on a ticket.

use std::io::Write;

use anyhow::Result;

use super::super::Env;
use super::one;
use crate::model::sla::Span;
use crate::model::{Op, TicketId, TimeEntry};
use crate::ops::ticket as t;

/// Time spent, recorded on the message written (`--time 25m --billable`).
#[derive(Debug, Clone, clap::Args)]
pub struct TimeFlags {
    /// Time spent on it: 25m, 1h, 1h30m (at most 24h per entry).
    #[arg(long, value_name = "DURATION")]
    pub time: Option<Span>,
    /// Bill that time to the customer's reseller (per_hour billing).
    #[arg(long, requires = "time")]
    pub billable: bool,
}

impl TimeFlags {
    pub fn entry(&self) -> Result<Option<TimeEntry>> {
        match self.time {
            None => Ok(None),
            Some(span) => Ok(Some(
                TimeEntry::new(span, self.billable).map_err(|e| anyhow::anyhow!("--time: {e}"))?,
            )),
        }
    }
}

/// Log time spent on a ticket (an internal note carrying the time entry).
///
/// The entry counts in `git desk stats` (per ticket, technician, account and reseller) and,
/// when --billable, in `git desk billing` for resellers billed per_hour.
#[derive(Debug, clap::Args)]
pub struct TimeArgs {
    /// The ticket id.
    pub id: TicketId,
    /// How long: 25m, 1h, 1h30m (at most 24h per entry).
    pub duration: Span,
    /// Bill it to the customer's reseller (per_hour billing).
    #[arg(long)]
    pub billable: bool,
    /// What the time was spent on (default: "Time spent: …").
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub body: Option<String>,
}

pub fn run(env: &Env, a: TimeArgs, out: &mut dyn Write) -> Result<i32> {
    let entry = TimeEntry::new(a.duration, a.billable).map_err(|e| anyhow::anyhow!("{e}"))?;
    one(env, out, Op::TicketTime, |tx, me| {
        t::log_time(tx, &env.ctx, me, a.id, entry, a.body)
    })
}
