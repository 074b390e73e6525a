//! `git desk verify` and `git desk hook pre-receive`: permissions checked against history.

use std::io::{Read, Write};

use anyhow::{Context as _, Result};

use super::Env;
use crate::ops::hook::{parse_updates, pre_receive};
use crate::ops::verify::{verify, VerifyOptions};

/// Replay history and check every commit against the permissions in force at its parent
/// (the author is the actor). Exit 1 when anything breaks them.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// `A..B`, or a revision (everything reachable from it). Default: HEAD.
    pub range: Option<String>,
    /// Also require every commit to be SSH-signed with its actor's signing_key.
    #[arg(long)]
    pub require_signed: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum HookCommand {
    /// Check pushed commits in a bare server repository (git's pre-receive hook input on
    /// standard input); reject the push when any breaks the desk's permissions.
    PreReceive(PreReceiveArgs),
}

#[derive(Debug, clap::Args)]
pub struct PreReceiveArgs {
    /// Also require SSH-signed commits.
    #[arg(long)]
    pub require_signed: bool,
}

pub fn run_verify(env: &Env, a: VerifyArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let report = verify(
        &desk,
        a.range.as_deref(),
        &VerifyOptions {
            require_signed: a.require_signed,
        },
    )?;
    if env.printer.json {
        env.printer.json(out, &report)?;
    } else {
        for v in &report.violations {
            writeln!(
                out,
                "{} {}: {} (\"{}\")",
                &v.commit[..12],
                v.actor,
                v.reason,
                super::output::cell(&v.subject, 80)
            )?;
        }
        if report.violations.is_empty() {
            writeln!(out, "ok: {} commits checked", report.commits)?;
        } else {
            writeln!(
                out,
                "{} violation(s) in {} commits",
                report.violations.len(),
                report.commits
            )?;
        }
    }
    Ok(if report.violations.is_empty() { 0 } else { 1 })
}

pub fn run_hook(env: &Env, cmd: HookCommand, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        HookCommand::PreReceive(a) => {
            let mut input = String::new();
            std::io::stdin()
                .take(1 << 20)
                .read_to_string(&mut input)
                .context("reading the pushed ref updates")?;
            let updates = parse_updates(&input)?;
            let git_dir = std::env::var_os("GIT_DIR")
                .map(|d| env.cwd.join(d))
                .unwrap_or_else(|| env.cwd.clone());
            let outcome = pre_receive(
                &git_dir,
                &updates,
                &VerifyOptions {
                    require_signed: a.require_signed,
                },
            )?;
            if outcome.rejections.is_empty() {
                return Ok(0);
            }
            writeln!(err, "git-desk: push rejected:")?;
            for r in &outcome.rejections {
                writeln!(err, "git-desk:   {r}")?;
            }
            Ok(1)
        }
    }
}
