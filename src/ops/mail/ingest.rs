//! `mail ingest`: takes the unseen mails of one or more Maildirs into the desk in ONE
//! commit. Each mail is parsed; a mail that cannot be (malformed, oversized, no sender) is
//! quarantined with the reason; one whose Message-ID the desk already holds is skipped; a
//! reply (by reference or subject tag) is added to its ticket; a bounce or automatic reply
//! about a ticket becomes a note on it; anything else opens a ticket in the queue its
//! recipients name, with the queue's new-ticket auto-response queued in the outbox unless
//! the loop rules forbid (the per-mail work is in [`super::intake`]). Before that, a mail
//! from an ignored sender is left out (kept in the Maildir marked seen, or deleted, as the
//! rule says) and spam goes to the Maildir's `spam/` folder (see `mail::screen`), unless a
//! person released it from there.
//!
//! Order of effects: everything is staged, then committed; only once the commit is complete
//! — the branch moved, the files written and the index renamed into place, so HEAD, the
//! index and the work tree all hold every mail — are the mails marked seen and the refused
//! ones moved to quarantine. A crash before that leaves them unseen: the next run first
//! finishes the interrupted commit (every command does, see `store::journal`), then skips
//! the mails the desk holds by Message-ID and marks them seen; a mail whose commit never
//! reached the branch, or was undone by hand since, is not in HEAD and is taken in again.

use std::path::PathBuf;

use serde::Serialize;

use crate::context::Context;
use crate::mail::maildir::{Delivered, Mailbox};
use crate::mail::screen::{screen, Verdict};
use crate::mail::MailError;
use crate::model::{Queue, Settings, Slug, TicketId};
use crate::store::{Desk, StoreError};

use super::super::error::{OpError, Result};
use super::desk_identity;
use super::intake::Run;

/// A Maildir to read, and the queue its new tickets go to (none: by recipient, else the
/// default queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSpec {
    pub dir: PathBuf,
    pub queue: Option<Slug>,
}

/// What happened to one mail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    NewTicket {
        ticket: TicketId,
        queue: Slug,
        /// Why no auto-response was queued, when none was.
        no_autoresponse: Option<String>,
    },
    Reply {
        ticket: TicketId,
        threaded_by: &'static str,
        reopened: bool,
    },
    /// A bounce or an automatic reply about a ticket, recorded as a note on it.
    Note {
        ticket: TicketId,
        reason: String,
    },
    Duplicate {
        ticket: Option<TicketId>,
    },
    Quarantined {
        reason: String,
    },
    /// Moved to the Maildir's `spam/` folder.
    Spam {
        reason: String,
    },
    /// From an address on the ignore list: left in the Maildir marked seen (`kept`) or
    /// deleted.
    Ignored {
        pattern: String,
        kept: bool,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Ingested {
    /// The mail's file as it was found.
    pub file: PathBuf,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub mails: Vec<Ingested>,
    pub commit: Option<String>,
    /// Unseen mails left for the next run (this one reached [`RUN_BYTES_MAX`]).
    pub left: usize,
    /// Things that went wrong after the commit (a mail that could not be marked seen).
    pub warnings: Vec<String>,
}

/// How many bytes of mail one run takes in at most: the transaction holds everything it
/// stages in memory until the commit. The rest stays unseen for the next run.
pub const RUN_BYTES_MAX: u64 = 256 * 1024 * 1024;

impl IngestReport {
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.mails.iter().filter(|m| f(&m.outcome)).count()
    }
}

/// The Maildirs ingested by default: the desk's main Maildir and every queue's mailbox
/// (paths relative to the desk), each once.
pub fn default_mailboxes(desk: &Desk, settings: &Settings, queues: &[Queue]) -> Vec<MailboxSpec> {
    let mut out: Vec<MailboxSpec> = Vec::new();
    let mut push = |dir: &str, queue: Option<Slug>| {
        let dir = desk.root().join(dir);
        let same = |d: &PathBuf| {
            d == &dir || (d.canonicalize().ok() == dir.canonicalize().ok() && dir.exists())
        };
        if !out.iter().any(|s| same(&s.dir)) {
            out.push(MailboxSpec { dir, queue });
        }
    };
    for q in queues {
        if let Some(m) = q.mailbox.as_deref().filter(|m| !m.trim().is_empty()) {
            push(m, Some(q.slug.clone()));
        }
    }
    if let Some(m) = settings.maildir.as_deref().filter(|m| !m.trim().is_empty()) {
        push(m, None);
    }
    out
}

/// What to do to a mail file once the commit exists.
enum After {
    Seen(usize, Delivered),
    Quarantine(usize, Delivered, String),
    Spam(usize, Delivered, String),
    Ignore(usize, Delivered, bool),
}

pub fn ingest(desk: &Desk, ctx: &Context, boxes: &[MailboxSpec]) -> Result<IngestReport> {
    let mailboxes = boxes
        .iter()
        .map(|b| Mailbox::open(&b.dir).map_err(|e| StoreError::io(&b.dir, e)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut found = Vec::new();
    for (i, mb) in mailboxes.iter().enumerate() {
        let list = mb.unseen().map_err(|e| StoreError::io(mb.root(), e))?;
        found.extend(list.into_iter().map(|d| (i, d)));
    }
    let mut report = IngestReport::default();
    if found.is_empty() {
        return Ok(report);
    }

    let mut tx = desk.begin(ctx.now())?;
    let mut run = Run::start(desk, &tx, ctx)?;
    // The largest mail taken in (10 MiB unless set).
    let limit = run.settings.mail_max_bytes;
    let mut after = Vec::new();
    let total = found.len();
    let mut taken_bytes = 0u64;
    for (n, (i, delivered)) in found.into_iter().enumerate() {
        if delivered.size <= limit {
            if n > 0 && taken_bytes + delivered.size > RUN_BYTES_MAX {
                report.left = total - n;
                break;
            }
            taken_bytes += delivered.size;
        }
        let parsed = if delivered.size > limit {
            Err(MailError::TooLarge {
                size: delivered.size,
                max: limit,
            })
        } else {
            match std::fs::read(&delivered.path) {
                Ok(raw) => crate::mail::parse(&raw),
                Err(e) => {
                    report
                        .warnings
                        .push(format!("{}: {e}", delivered.path.display()));
                    continue;
                }
            }
        };
        let entry = match parsed {
            Err(e) => {
                let reason = e.to_string();
                after.push(After::Quarantine(i, delivered.clone(), reason.clone()));
                Ingested {
                    file: delivered.path.clone(),
                    message_id: None,
                    from: None,
                    subject: None,
                    outcome: Outcome::Quarantined { reason },
                }
            }
            Ok(mail) => {
                let screened = match delivered.released() {
                    true => None,
                    false => screen(&mail, &run.settings.mail),
                };
                let outcome = match screened {
                    Some(Verdict::Spam(reason)) => Outcome::Spam { reason },
                    Some(Verdict::Ignore(rule)) => Outcome::Ignored {
                        pattern: rule.address,
                        kept: rule.keep,
                    },
                    None => match run.take(&mut tx, &mail, boxes[i].queue.as_ref()) {
                        Ok(o) => o,
                        // Refused before anything was staged: this mail only.
                        Err(OpError::Invalid { field, message }) => Outcome::Quarantined {
                            reason: format!("{field}: {message}"),
                        },
                        Err(e) => return Err(e),
                    },
                };
                match &outcome {
                    Outcome::Quarantined { reason } => {
                        after.push(After::Quarantine(i, delivered.clone(), reason.clone()))
                    }
                    Outcome::Spam { reason } => {
                        after.push(After::Spam(i, delivered.clone(), reason.clone()))
                    }
                    Outcome::Ignored { kept, .. } => {
                        after.push(After::Ignore(i, delivered.clone(), *kept))
                    }
                    _ => after.push(After::Seen(i, delivered.clone())),
                }
                Ingested {
                    file: delivered.path.clone(),
                    message_id: Some(mail.message_id.clone()),
                    from: Some(mail.from.to_string()),
                    subject: Some(mail.subject.clone()),
                    outcome,
                }
            }
        };
        report.mails.push(entry);
    }

    let msg = run.commit_message(&report);
    let identity = desk_identity(&run.settings);
    let commit = tx.commit(&identity, &msg)?;
    report.commit = commit.map(|c| c.to_string());
    if let Some(c) = commit {
        // The index now describes our commit's tree (not HEAD's, which may have moved on).
        if let Ok(tree) = desk.reader_at(&c.to_string()) {
            run.index.set_tree(tree.tree_id());
            let _ = run.index.save(desk);
        }
    }

    for a in after {
        let r = match &a {
            After::Seen(i, d) => mailboxes[*i].mark_seen(d).map(|_| ()),
            After::Quarantine(i, d, reason) => mailboxes[*i].quarantine(d, reason).map(|_| ()),
            After::Spam(i, d, reason) => mailboxes[*i].spam(d, reason).map(|_| ()),
            After::Ignore(i, d, true) => mailboxes[*i].mark_seen(d),
            After::Ignore(i, d, false) => mailboxes[*i].delete(d),
        };
        if let Err(e) = r {
            report.warnings.push(e.to_string());
        }
        crate::failpoint::hit("mail.seen");
    }
    Ok(report)
}
