//! `git desk mail ingest|send`: Maildir intake and SMTP delivery of the outbox.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};

use super::output::{cell, short_time, table};
use super::Env;
use crate::context::{ENV_SMTP_PASSWORD, ENV_SMTP_USER};
use crate::mail::smtp::{SmtpLogin, SmtpSender};
use crate::model::Slug;
use crate::ops::mail::{self as m, Outcome, SendOutcome};
use crate::store::DeskRead;

#[derive(Debug, clap::Subcommand)]
pub enum MailCommand {
    /// Take the unseen mails of Maildirs into the desk, in one commit.
    ///
    /// New mails become tickets (routed to a queue by recipient) or replies to the ticket
    /// they refer to (In-Reply-To/References, or `[#ID]` in the subject). A mail is marked
    /// seen only once the commit holding it exists; mails the desk already holds are
    /// skipped; malformed or oversized mails are moved to `quarantine/` inside the Maildir
    /// with a `.reason` file.
    Ingest(IngestArgs),
    /// Deliver the due mails of the outbox over SMTP and record the outcome in one commit.
    ///
    /// Server, port, TLS mode and From come from desk.yaml (`smtp`); the login, if the
    /// server needs one, only from $GIT_DESK_SMTP_USER and $GIT_DESK_SMTP_PASSWORD.
    /// Deferred mails stay queued with a next-try time; rejected ones are recorded as a note
    /// on their ticket.
    Send,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// The Maildir to read; by default every queue's `mailbox` and desk.yaml's `maildir`.
    pub maildir: Option<PathBuf>,
    /// Put the new tickets of MAILDIR in this queue (else by recipient, or the queue whose
    /// mailbox MAILDIR is, or the default queue).
    #[arg(long, requires = "maildir")]
    pub queue: Option<Slug>,
}

pub fn run(env: &Env, cmd: MailCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        MailCommand::Ingest(a) => ingest(env, a, out, err),
        MailCommand::Send => send(env, out, err),
    }
}

fn ingest(env: &Env, a: IngestArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let reader = desk.reader()?;
    let settings = reader.settings()?;
    let queues = reader.all_queues()?.items;
    let defaults = m::default_mailboxes(&desk, &settings, &queues);
    let boxes = match a.maildir {
        Some(dir) => {
            let dir = env.cwd.join(dir);
            if let Some(q) = &a.queue {
                if !queues.iter().any(|x| &x.slug == q) {
                    bail!("--queue: no queue `{q}`");
                }
            }
            let same = |d: &PathBuf| d.canonicalize().ok() == dir.canonicalize().ok();
            let queue = a.queue.or_else(|| {
                defaults
                    .iter()
                    .find(|s| same(&s.dir))
                    .and_then(|s| s.queue.clone())
            });
            vec![m::MailboxSpec { dir, queue }]
        }
        None if defaults.is_empty() => bail!(
            "no Maildir to read: give MAILDIR, or set `maildir` in desk.yaml or a queue's `mailbox`"
        ),
        None => defaults,
    };
    let report = m::ingest(&desk, &env.ctx, &boxes)?;
    for w in &report.warnings {
        writeln!(err, "warning: {w}")?;
    }
    if env.printer.json {
        env.printer.json(out, &report)?;
        return Ok(0);
    }
    let mut rows = Vec::new();
    for i in &report.mails {
        let ticket = |t: &crate::model::TicketId| t.to_string();
        let (what, id, extra) = match &i.outcome {
            Outcome::NewTicket {
                ticket: t,
                queue,
                no_autoresponse,
            } => (
                "new",
                ticket(t),
                match no_autoresponse {
                    None => format!("{queue}, auto-response queued"),
                    Some(why) => format!("{queue}, no auto-response: {why}"),
                },
            ),
            Outcome::Reply {
                ticket: t,
                threaded_by,
                reopened,
            } => (
                "reply",
                ticket(t),
                format!(
                    "by {threaded_by}{}",
                    if *reopened { ", reopened" } else { "" }
                ),
            ),
            Outcome::Note { ticket: t, reason } => ("note", ticket(t), format!("{reason}, noted")),
            Outcome::Duplicate { ticket: t } => (
                "skipped",
                t.as_ref().map(ticket).unwrap_or_default(),
                "already in the desk".into(),
            ),
            Outcome::Quarantined { reason } => ("quarantined", String::new(), reason.clone()),
        };
        let file = i
            .file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let from = i.from.as_deref().unwrap_or(&file);
        rows.push(vec![
            what.to_string(),
            id,
            cell(from, 40),
            cell(i.subject.as_deref().unwrap_or(""), 50),
            cell(&extra, 80),
        ]);
    }
    table(out, &rows)?;
    if report.left > 0 {
        writeln!(
            err,
            "{} left for the next run (one run takes at most {} MiB)",
            plural(report.left, "mail", "mails"),
            m::RUN_BYTES_MAX >> 20
        )?;
    }
    let n = |f: fn(&Outcome) -> bool| report.count(f);
    writeln!(
        err,
        "{}: {}, {}, {}, {} skipped, {} quarantined{}",
        plural(report.mails.len(), "mail", "mails"),
        plural(
            n(|o| matches!(o, Outcome::NewTicket { .. })),
            "new ticket",
            "new tickets"
        ),
        plural(
            n(|o| matches!(o, Outcome::Reply { .. })),
            "reply",
            "replies"
        ),
        plural(n(|o| matches!(o, Outcome::Note { .. })), "note", "notes"),
        n(|o| matches!(o, Outcome::Duplicate { .. })),
        n(|o| matches!(o, Outcome::Quarantined { .. })),
        match &report.commit {
            Some(c) => format!(" (commit {})", &c[..c.len().min(10)]),
            None => String::new(),
        }
    )?;
    Ok(0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The SMTP login from the environment: both variables or neither.
pub(crate) fn login_from_env() -> Result<Option<SmtpLogin>> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (get(ENV_SMTP_USER), get(ENV_SMTP_PASSWORD)) {
        (Some(user), Some(password)) => Ok(Some(SmtpLogin { user, password })),
        (None, None) => Ok(None),
        _ => bail!("set both {ENV_SMTP_USER} and {ENV_SMTP_PASSWORD}, or neither"),
    }
}

fn send(env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let settings = desk.reader_at("HEAD")?.settings()?;
    let mut sender = SmtpSender::new(&settings.smtp, login_from_env()?)?;
    let report = m::send(&desk, &env.ctx, &mut sender)?;
    for p in &report.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &report)?;
        return Ok(0);
    }
    let mut rows = Vec::new();
    for s in &report.mails {
        let (what, detail) = match &s.outcome {
            SendOutcome::Sent => ("sent", String::new()),
            SendOutcome::Waiting { next_try_at } => {
                ("waiting", format!("next try {}", short_time(*next_try_at)))
            }
            SendOutcome::Deferred {
                error,
                attempts,
                next_try_at,
            } => (
                "deferred",
                format!(
                    "attempt {attempts}, next try {}: {error}",
                    short_time(*next_try_at)
                ),
            ),
            SendOutcome::Rejected { error, note } => (
                "rejected",
                if *note {
                    format!("{error} (noted on the ticket)")
                } else {
                    error.clone()
                },
            ),
        };
        rows.push(vec![
            what.to_string(),
            s.ticket.map(|t| format!("#{t}")).unwrap_or_default(),
            cell(&s.to.join(", "), 40),
            cell(&s.message_id, 60),
            cell(&detail, 100),
        ]);
    }
    table(out, &rows)?;
    let count = |f: fn(&SendOutcome) -> bool| report.mails.iter().filter(|s| f(&s.outcome)).count();
    writeln!(
        err,
        "{} sent, {} deferred, {} rejected, {} waiting{}",
        count(|o| matches!(o, SendOutcome::Sent)),
        count(|o| matches!(o, SendOutcome::Deferred { .. })),
        count(|o| matches!(o, SendOutcome::Rejected { .. })),
        count(|o| matches!(o, SendOutcome::Waiting { .. })),
        match &report.commit {
            Some(c) => format!(" (commit {})", &c[..c.len().min(10)]),
            None => String::new(),
        }
    )?;
    Ok(0)
}
