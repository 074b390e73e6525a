//! `git desk sync`: exchange the desk with the shared remote.

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::store::DeskRead;
use crate::sync::steps::{refresh_derived, DeskSteps};
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
    /// Keep running: sync after each commit or new mail, refresh the index and site after
    /// hand edits, and fetch every --interval seconds. Stops on Ctrl-C / SIGTERM.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between fetches in --watch mode.
    #[arg(long, default_value = "60", value_name = "SECONDS", requires = "watch")]
    pub interval: u64,
}

pub fn run(env: &Env, a: SyncArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let opts = SyncOptions {
        remote: a.remote,
        push: !a.no_push,
        ..Default::default()
    };
    let mut steps = DeskSteps {
        ctx: &env.ctx,
        actor: env.actor(&desk).ok(),
        mail: !a.no_mail,
        smtp_login: if a.no_mail {
            None
        } else {
            super::mail::login_from_env()?
        },
    };
    if a.watch {
        return watch(&desk, &opts, &mut steps, a.interval, err);
    }
    let report = sync(&desk, &opts, &mut steps)?;
    print_report(env, &report, out, err)?;
    Ok(0)
}

fn watch(
    desk: &crate::store::Desk,
    opts: &SyncOptions,
    steps: &mut DeskSteps<'_>,
    interval: u64,
    err: &mut dyn Write,
) -> Result<i32> {
    use crate::sync::watch::{self, Reaction, Watched};
    let repo = desk
        .repo()
        .ok_or_else(|| anyhow::anyhow!("{} is not a git repository", desk.root().display()))?;
    let reader = desk.reader()?;
    let (settings, queues) = (reader.settings()?, reader.all_queues()?.items);
    let maildirs = crate::ops::mail::default_mailboxes(desk, &settings, &queues)
        .into_iter()
        .map(|m| m.dir)
        .collect();
    let w = Watched {
        root: desk.root().to_path_buf(),
        git_dir: repo.git_dir().to_path_buf(),
        maildirs,
    };
    let result = watch::watch(
        &w,
        std::time::Duration::from_secs(interval.max(1)),
        |what| match what {
            Reaction::Sync => sync(desk, opts, steps)
                .map(|r| one_line(&r))
                .map_err(|e| e.to_string()),
            Reaction::Refresh => {
                let r = refresh_derived(desk, steps);
                Ok(format!(
                    "refresh: index {} re-read{}",
                    r.reindexed.unwrap_or(0),
                    site_part(&r)
                ))
            }
            Reaction::Ignore => Ok(String::new()),
        },
        |line| {
            let _ = writeln!(err, "{} {line}", now_hms());
        },
    );
    result.map_err(anyhow::Error::msg)?;
    Ok(0)
}

fn site_part(r: &SyncReport) -> String {
    r.site_pages
        .map(|n| format!(", site: {n} pages written"))
        .unwrap_or_default()
}

fn now_hms() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let t = crate::model::Timestamp::from_unix(secs as i64)
        .map(|t| t.to_string())
        .unwrap_or_default();
    t.get(11..19).unwrap_or("").to_owned()
}

/// The parts of a report worth a word, in order.
fn summary_parts(r: &SyncReport) -> Vec<String> {
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
    for (kind, o, n) in &r.renumbered {
        parts.push(format!("{} {o} renumbered to {n}", kind_name(*kind)));
    }
    if r.mail_ingested > 0 {
        parts.push(format!("{} mail(s) taken in", r.mail_ingested));
    }
    if r.woken > 0 {
        parts.push(format!("woke {}", r.woken));
    }
    if r.autoclosed > 0 {
        parts.push(format!("auto-closed {}", r.autoclosed));
    }
    if r.escalated > 0 {
        parts.push(format!("escalated {}", r.escalated));
    }
    parts.push(if r.pushed {
        "pushed".into()
    } else {
        "nothing to push".into()
    });
    if r.mail_sent > 0 {
        parts.push(format!("{} mail(s) sent", r.mail_sent));
    }
    if let Some(n) = r.site_pages {
        parts.push(format!("site: {n} pages written"));
    }
    parts
}

/// One log line for a run in watch mode.
pub fn one_line(r: &SyncReport) -> String {
    let mut parts = summary_parts(r);
    parts.extend(r.notes.iter().map(|n| format!("note: {n}")));
    format!("sync: {}", parts.join(", "))
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
    for (kind, old, new) in &r.renumbered {
        writeln!(
            out,
            "{} {old} was renumbered to {new} (its id was taken upstream)",
            kind_name(*kind)
        )?;
    }
    writeln!(out, "sync: {}", summary_parts(r).join(", "))?;
    Ok(())
}

fn kind_name(k: crate::sync::replay::Renumbered) -> &'static str {
    match k {
        crate::sync::replay::Renumbered::Ticket => "ticket",
        crate::sync::replay::Renumbered::Task => "task",
    }
}
