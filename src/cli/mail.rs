//! `git desk mail ingest|send|spam|release`: Maildir intake, SMTP delivery of the outbox,
//! and the spam folder. MAILDIR and FILE arguments are taken from the directory git-desk
//! was started in (like `site build --out`), not from `-C DESK`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

use super::output::{cell, short_time, table};
use super::Env;
use crate::context::{ENV_SMTP_PASSWORD, ENV_SMTP_USER};
use crate::mail::maildir::{Mailbox, SPAM};
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
    /// skipped; malformed mails and mails over `mail_max_bytes` are moved to `quarantine/`
    /// inside the Maildir with a `.reason` file, spam (SpamAssassin, rspamd, DMARC fail) to
    /// `spam/`; mail from an address on `mail.ignore` is kept seen or deleted.
    Ingest(IngestArgs),
    /// Deliver the due mails of the outbox over SMTP and record the outcome in one commit.
    ///
    /// Server, port, TLS mode and From come from desk.yaml (`smtp`); the login, if the
    /// server needs one, only from $GIT_DESK_SMTP_USER and $GIT_DESK_SMTP_PASSWORD.
    /// Deferred mails stay queued with a next-try time; rejected ones are recorded as a note
    /// on their ticket. One mail the server refuses (5xx) is given up alone; only a server
    /// that cannot be reached defers the rest.
    Send(SendArgs),
    /// List the mails intake moved to the `spam/` folders of the Maildirs, with the reason.
    Spam(SpamArgs),
    /// Take a mail out of a `spam/` folder and into the desk, without screening it again.
    ///
    /// The file goes back to its Maildir's `new/` (its name marked `.released`) and that
    /// Maildir is ingested at once.
    Release(ReleaseArgs),
}

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// Try deferred mails now, whatever their next-try time.
    #[arg(long)]
    pub retry_now: bool,
}

#[derive(Debug, clap::Args)]
pub struct SpamArgs {
    /// The Maildir whose spam to list; by default every Maildir `mail ingest` reads.
    pub maildir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// The mail: a path to a file in a Maildir's `spam/` folder, or its file name as
    /// `mail spam` lists it.
    pub file: PathBuf,
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
        MailCommand::Send(a) => send(env, a, out, err),
        MailCommand::Spam(a) => spam(env, a, out),
        MailCommand::Release(a) => release(env, a, out, err),
    }
}

/// The directory git-desk was started in: relative MAILDIR and FILE arguments start there.
fn started_in() -> Result<PathBuf> {
    std::env::current_dir().context("reading the current directory")
}

/// The Maildirs `mail ingest` reads by default (desk.yaml's `maildir`, the queues').
fn default_boxes(desk: &crate::store::Desk) -> Result<Vec<m::MailboxSpec>> {
    let reader = desk.reader()?;
    let settings = reader.settings()?;
    let queues = reader.all_queues()?.items;
    Ok(m::default_mailboxes(desk, &settings, &queues))
}

fn ingest(env: &Env, a: IngestArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let reader = desk.reader()?;
    let settings = reader.settings()?;
    let queues = reader.all_queues()?.items;
    let defaults = m::default_mailboxes(&desk, &settings, &queues);
    let boxes = match a.maildir {
        Some(dir) => {
            let dir = started_in()?.join(dir);
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
    print_ingest(env, &report, out, err)
}

fn print_ingest(
    env: &Env,
    report: &m::IngestReport,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    for w in &report.warnings {
        writeln!(err, "warning: {w}")?;
    }
    if env.printer.json {
        env.printer.json(out, report)?;
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
            Outcome::Spam { reason } => ("spam", String::new(), reason.clone()),
            Outcome::Ignored { pattern, kept } => (
                "ignored",
                String::new(),
                format!(
                    "matches {pattern}, {}",
                    if *kept {
                        "kept in the Maildir"
                    } else {
                        "deleted"
                    }
                ),
            ),
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
        "{}: {}, {}, {}, {} skipped, {} quarantined{}{}",
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
        {
            let spam = n(|o| matches!(o, Outcome::Spam { .. }));
            let ignored = n(|o| matches!(o, Outcome::Ignored { .. }));
            let mut s = String::new();
            if spam > 0 {
                s.push_str(&format!(", {spam} spam"));
            }
            if ignored > 0 {
                s.push_str(&format!(", {ignored} ignored"));
            }
            s
        },
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

fn spam(env: &Env, a: SpamArgs, out: &mut dyn Write) -> Result<i32> {
    let dirs: Vec<PathBuf> = match a.maildir {
        Some(d) => vec![started_in()?.join(d)],
        None => default_boxes(&env.desk()?)?
            .into_iter()
            .map(|s| s.dir)
            .collect(),
    };
    #[derive(serde::Serialize)]
    struct Row {
        file: PathBuf,
        from: Option<String>,
        subject: Option<String>,
        reason: String,
    }
    let mut list = Vec::new();
    for dir in dirs {
        let mb = Mailbox::open(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
        for (file, reason) in mb.spam_list()? {
            let parsed = std::fs::read(&file)
                .ok()
                .and_then(|raw| crate::mail::parse(&raw).ok());
            list.push(Row {
                from: parsed.as_ref().map(|p| p.from.to_string()),
                subject: parsed.map(|p| p.subject),
                file,
                reason,
            });
        }
    }
    if env.printer.json {
        env.printer.json(out, &list)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|r| {
            vec![
                r.file.display().to_string(),
                cell(r.from.as_deref().unwrap_or("?"), 40),
                cell(r.subject.as_deref().unwrap_or(""), 50),
                cell(&r.reason, 80),
            ]
        })
        .collect();
    table(out, &rows)?;
    Ok(0)
}

fn release(env: &Env, a: ReleaseArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let given = started_in()?.join(&a.file);
    let file = if given.is_file() {
        given
    } else {
        // A bare file name: look for it in the spam folders of the default Maildirs.
        default_boxes(&desk)?
            .into_iter()
            .map(|s| s.dir.join(SPAM).join(&a.file))
            .find(|p| p.is_file())
            .with_context(|| {
                format!(
                    "{}: no such file, and no Maildir of the desk has it in spam/ (see `git desk mail spam`)",
                    a.file.display()
                )
            })?
    };
    let spam_dir = file.parent().map(PathBuf::from).unwrap_or_default();
    let Some(root) = spam_dir.parent().filter(|_| spam_dir.ends_with(SPAM)) else {
        bail!(
            "{}: is not in the spam/ folder of a Maildir",
            file.display()
        );
    };
    let mb = Mailbox::open(root).map_err(|e| anyhow::anyhow!("{}: {e}", root.display()))?;
    mb.release(&file)?;
    let defaults = default_boxes(&desk)?;
    let same = |d: &PathBuf| d.canonicalize().ok() == root.canonicalize().ok();
    let queue = defaults
        .iter()
        .find(|s| same(&s.dir))
        .and_then(|s| s.queue.clone());
    let boxes = vec![m::MailboxSpec {
        dir: root.to_path_buf(),
        queue,
    }];
    let report = m::ingest(&desk, &env.ctx, &boxes)?;
    print_ingest(env, &report, out, err)
}

fn send(env: &Env, a: SendArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let settings = desk.reader_at("HEAD")?.settings()?;
    let mut sender = SmtpSender::new(&settings.smtp, login_from_env()?)?;
    let report = m::send_with(&desk, &env.ctx, &mut sender, a.retry_now)?;
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
            SendOutcome::Sent if s.refused.is_empty() => ("sent", String::new()),
            SendOutcome::Sent => ("sent", format!("refused for {}", s.refused.join("; "))),
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
