//! `git desk sync`: exchange the desk with the shared remote.

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::sync::{sync, SyncOptions, SyncReport};

/// Fetch, replay your unpushed desk commits onto the remote branch (field-level merges,
/// lost races dropped and reported, taken ticket ids renumbered), push, and report.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The remote to sync with.
    #[arg(long, default_value = "origin")]
    pub remote: String,
    /// Integrate the remote but do not push.
    #[arg(long)]
    pub no_push: bool,
    /// Do not ingest or send mail.
    #[arg(long)]
    pub no_mail: bool,
}

pub fn run(env: &Env, a: SyncArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let opts = SyncOptions {
        remote: a.remote,
        push: !a.no_push,
        ..Default::default()
    };
    let report = sync(&desk, &opts, |_, _| Ok(()))?;
    print_report(env, &report, out, err)?;
    Ok(0)
}

pub fn print_report(
    env: &Env,
    r: &SyncReport,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    if env.printer.json {
        return env.printer.json(out, r);
    }
    for n in &r.notes {
        writeln!(err, "note: {n}")?;
    }
    for (old, new) in &r.renumbered {
        writeln!(
            out,
            "ticket {old} was renumbered to {new} (its id was taken upstream)"
        )?;
    }
    let mut parts = Vec::new();
    if r.recovered {
        parts.push("finished an interrupted sync".to_string());
    }
    if r.fast_forwarded {
        parts.push("fast-forwarded to the remote".into());
    }
    if r.replayed > 0 {
        parts.push(format!("replayed {} local commit(s)", r.replayed));
    }
    if r.dropped > 0 {
        parts.push(format!("dropped {} (see notes)", r.dropped));
    }
    parts.push(if r.pushed {
        "pushed".into()
    } else {
        "nothing to push".into()
    });
    writeln!(out, "sync: {}", parts.join(", "))?;
    Ok(())
}
