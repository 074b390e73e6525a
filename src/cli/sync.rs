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
    let actor = env.actor(&desk).ok();
    if a.watch {
        return watch(env, &desk, &opts, actor.as_ref(), a.interval, err);
    }
    let report = sync(&desk, &opts, |desk, report| {
        periodic(env, desk, actor.as_ref(), report)
    })?;
    print_report(env, &report, out, err)?;
    Ok(0)
}

/// The desk's periodic work inside a sync, done as the acting staff member: auto-close.
fn periodic(
    env: &Env,
    desk: &crate::store::Desk,
    actor: Option<&crate::model::Staff>,
    report: &mut SyncReport,
) -> Result<(), crate::ops::OpError> {
    use crate::ops::{self, ticket as t};
    use crate::store::DeskRead;
    let Some(me) = actor else {
        report.notes.push("auto-close skipped: no acting staff member (use --as, GIT_DESK_ACTOR or git's user.email)".into());
        return Ok(());
    };
    let (done, _) = ops::mutate(desk, &env.ctx, me, |tx, me| {
        let policy = tx.settings()?.auto_close_days;
        let done = t::autoclose_visible(tx, &env.ctx, me)?;
        Ok((done.len(), t::autoclose_message(&me.login, policy, &done)))
    })?;
    report.autoclosed += done;
    Ok(())
}

fn watch(
    env: &Env,
    desk: &crate::store::Desk,
    opts: &SyncOptions,
    actor: Option<&crate::model::Staff>,
    interval: u64,
    err: &mut dyn Write,
) -> Result<i32> {
    use crate::sync::watch::{self, Reaction, Watched};
    let repo = desk
        .repo()
        .ok_or_else(|| anyhow::anyhow!("{} is not a git repository", desk.root().display()))?;
    let reader = desk.reader()?;
    let maildirs = super::sync_maildirs(desk, reader.as_ref());
    let w = Watched {
        root: desk.root().to_path_buf(),
        git_dir: repo.git_dir().to_path_buf(),
        maildirs,
    };
    let result = watch::watch(
        &w,
        std::time::Duration::from_secs(interval.max(1)),
        |what| match what {
            Reaction::Sync => sync(desk, opts, |desk, report| {
                periodic(env, desk, actor, report)
            })
            .map(|r| one_line(&r))
            .map_err(|e| e.to_string()),
            Reaction::Refresh => {
                let mut r = SyncReport::default();
                crate::sync::refresh_index(desk, &mut r);
                Ok(format!(
                    "refresh: index {} re-read",
                    r.reindexed.unwrap_or(0)
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

/// One log line for a run in watch mode.
pub fn one_line(r: &SyncReport) -> String {
    let mut parts = vec![format!("sync: {} replayed", r.replayed)];
    if r.fast_forwarded {
        parts.push("fast-forwarded".into());
    }
    if r.dropped > 0 {
        parts.push(format!("{} dropped", r.dropped));
    }
    if r.autoclosed > 0 {
        parts.push(format!("{} auto-closed", r.autoclosed));
    }
    for (kind, o, n) in &r.renumbered {
        let what = match kind {
            crate::sync::replay::Renumbered::Ticket => "ticket",
            crate::sync::replay::Renumbered::Task => "task",
        };
        parts.push(format!("{what} {o}→{n}"));
    }
    parts.push(if r.pushed {
        "pushed".into()
    } else {
        "nothing to push".into()
    });
    for n in &r.notes {
        parts.push(format!("note: {n}"));
    }
    parts.join(", ")
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
    if r.autoclosed > 0 {
        parts.push(format!("auto-closed {}", r.autoclosed));
    }
    parts.push(if r.pushed {
        "pushed".into()
    } else {
        "nothing to push".into()
    });
    writeln!(out, "sync: {}", parts.join(", "))?;
    Ok(())
}

fn kind_name(k: crate::sync::replay::Renumbered) -> &'static str {
    match k {
        crate::sync::replay::Renumbered::Ticket => "ticket",
        crate::sync::replay::Renumbered::Task => "task",
    }
}
