//! `mail send`: delivers the due mails of `outbox/` (read from HEAD; with `retry_now`, the
//! deferred ones too, whatever their next-try time) and records the
//! outcome in ONE commit: a delivered mail's file is removed; a mail the server deferred
//! (4xx) or that could not be handed over (server down) stays with `attempts`,
//! `next_try_at` (exponential backoff) and `last_error`; a mail the server rejected (5xx),
//! that cannot be composed, or that failed too often is removed and, when it belongs to a
//! ticket, an internal note on the ticket says so (as it does for a recipient refused while
//! the others got the mail). Each mail's failure is its own: only a server that cannot be
//! reached (or a session that is lost) defers every mail after it. The lock is taken only
//! for that commit, so a slow server does not hold up the technicians.

use crate::model::Op;
use serde::Serialize;

use crate::context::Context;
use crate::mail::outgoing::{compose, OutAttachment};
use crate::mail::smtp::{Accepted, Deliver, DeliveryError};
use crate::model::outbox::{header_value, sender};
use crate::model::{sanitize_file_name, Attachment, MessageKey, OutMail, TicketId, Timestamp};
use crate::store::{layout, CommitMessage, Desk, DeskRead, Source};

use super::super::error::Result;
use super::notes::system_note;
use super::{desk_identity, MAIL_ACTOR};

/// After this many failed attempts a mail is given up.
pub const MAX_ATTEMPTS: u32 = 10;
/// The first retry waits this long; each further one twice as long, up to [`MAX_DELAY`].
pub const FIRST_DELAY_SECS: i64 = 5 * 60;
pub const MAX_DELAY_SECS: i64 = 12 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SendOutcome {
    Sent,
    /// Not due yet.
    Waiting {
        next_try_at: Timestamp,
    },
    Deferred {
        error: String,
        attempts: u32,
        next_try_at: Timestamp,
    },
    /// Given up; `note` says whether a note was added to the ticket.
    Rejected {
        error: String,
        note: bool,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub key: MessageKey,
    pub message_id: String,
    pub to: Vec<String>,
    pub ticket: Option<TicketId>,
    #[serde(flatten)]
    pub outcome: SendOutcome,
    /// Sent, but not to these recipients (each with the server's reply).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct SendReport {
    pub mails: Vec<Sent>,
    pub commit: Option<String>,
    /// Outbox files that could not be read.
    pub problems: Vec<String>,
}

/// The wait before the next attempt, after `attempts` failed ones.
pub fn backoff(attempts: u32) -> i64 {
    let shift = attempts.saturating_sub(1).min(20);
    (FIRST_DELAY_SECS << shift).min(MAX_DELAY_SECS)
}

pub fn send(desk: &Desk, ctx: &Context, deliver: &mut dyn Deliver) -> Result<SendReport> {
    send_with(desk, ctx, deliver, false)
}

/// [`send`]; with `retry_now`, deferred mails are tried at once instead of at their
/// next-try time.
pub fn send_with(
    desk: &Desk,
    ctx: &Context,
    deliver: &mut dyn Deliver,
    retry_now: bool,
) -> Result<SendReport> {
    let head = desk.reader_at("HEAD")?;
    let settings = head.settings()?;
    let outbox = head.outbox()?;
    let mut report = SendReport {
        problems: outbox.problems.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    };
    let now = ctx.now();
    let mut unreachable: Option<String> = None;
    let mut results: Vec<Attempt> = Vec::new();
    for (key, out) in outbox.items {
        if let Some(t) = out.next_try_at.filter(|t| *t > now && !retry_now) {
            results.push((key, out, SendOutcome::Waiting { next_try_at: t }, vec![]));
            continue;
        }
        let mut refused = Vec::new();
        let outcome = match &unreachable {
            Some(e) => failure(&out, now, DeliveryError::Unreachable(e.clone())),
            None => match attachments(&head, &out).and_then(|files| {
                compose(&out, &sender(&settings), files, now).map_err(|e| e.to_string())
            }) {
                Err(e) => SendOutcome::Rejected {
                    error: format!("cannot be composed: {e}"),
                    note: false,
                },
                Ok(message) => match deliver.deliver(&message) {
                    Ok(Accepted { refused: r }) => {
                        refused = r;
                        SendOutcome::Sent
                    }
                    Err(e) => {
                        if let DeliveryError::Unreachable(m) = &e {
                            unreachable = Some(m.clone());
                        }
                        failure(&out, now, e)
                    }
                },
            },
        };
        results.push((key, out, outcome, refused));
    }

    let changed = results
        .iter()
        .any(|(_, _, o, _)| !matches!(o, SendOutcome::Waiting { .. }));
    if changed {
        report.commit = record(desk, ctx, &settings, &mut results)?;
    }
    report.mails = results
        .into_iter()
        .map(|(key, out, outcome, refused)| Sent {
            key,
            message_id: out.message_id,
            to: out.to,
            ticket: out.ticket,
            outcome,
            refused,
        })
        .collect();
    Ok(report)
}

/// One outbox mail: its key, file, outcome and the recipients refused.
type Attempt = (MessageKey, OutMail, SendOutcome, Vec<String>);

/// The outcome of a failed attempt: retried later, or given up.
fn failure(out: &OutMail, now: Timestamp, e: DeliveryError) -> SendOutcome {
    let attempts = out.attempts.saturating_add(1);
    match e {
        DeliveryError::Permanent(m) => SendOutcome::Rejected {
            error: m,
            note: false,
        },
        DeliveryError::Transient(m) | DeliveryError::Unreachable(m) if attempts >= MAX_ATTEMPTS => {
            SendOutcome::Rejected {
                error: format!("gave up after {attempts} attempts: {m}"),
                note: false,
            }
        }
        e => SendOutcome::Deferred {
            error: e.to_string(),
            attempts,
            next_try_at: now.plus_seconds(backoff(attempts)),
        },
    }
}

/// The files to attach, read from HEAD; only files of the mail's own ticket. Their names
/// and types are those the ticket's thread records for them.
fn attachments(
    head: &(impl Source + ?Sized),
    out: &OutMail,
) -> std::result::Result<Vec<OutAttachment>, String> {
    if out.attachments.is_empty() {
        return Ok(Vec::new());
    }
    let Some(ticket) = out.ticket else {
        return Err("attachments of a mail that belongs to no ticket".into());
    };
    let dir = format!("{}/", layout::files_dir(ticket));
    let recorded: Vec<Attachment> = head
        .messages(ticket)
        .map_err(|e| e.to_string())?
        .items
        .into_iter()
        .flat_map(|(_, m)| m.attachments)
        .collect();
    let mut files = Vec::new();
    for path in &out.attachments {
        let Some(file) = path.strip_prefix(&dir).filter(|f| !f.contains('/')) else {
            return Err(format!(
                "attachment `{path}` is not a file of ticket {ticket}"
            ));
        };
        let bytes = head
            .read(path)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("attachment `{path}` does not exist"))?;
        let known = recorded.iter().find(|a| a.file == file);
        files.push(OutAttachment {
            name: sanitize_file_name(known.map(|a| a.name.as_str()).unwrap_or(file)),
            bytes,
            content_type: known.and_then(|a| a.content_type.clone()),
        });
    }
    Ok(files)
}

/// One commit: sent and rejected files removed, deferred ones updated, notes added.
fn record(
    desk: &Desk,
    ctx: &Context,
    settings: &crate::model::Settings,
    results: &mut [Attempt],
) -> Result<Option<String>> {
    let mut tx = desk.begin(ctx.now())?;
    let (mut sent, mut deferred, mut rejected) = (0, 0, 0);
    let mut tickets: Vec<TicketId> = Vec::new();
    for (key, out, outcome, refused) in results.iter_mut() {
        let path = layout::outbox(key);
        // Someone else (another `mail send`, a sync) dealt with it meanwhile.
        if tx.read(&path)?.is_none() {
            continue;
        }
        match outcome {
            SendOutcome::Waiting { .. } => {}
            SendOutcome::Sent => {
                tx.remove(path);
                sent += 1;
                tickets.extend(out.ticket);
                if let Some(t) = out.ticket.filter(|_| !refused.is_empty()) {
                    if tx.ticket(t)?.is_some() {
                        let body = format!(
                            "The e-mail \"{}\" was sent, but the server refused it for:\n{}\n\nMessage-ID: {}",
                            header_value(&out.subject),
                            refused.join("\n"),
                            out.message_id
                        );
                        let author = settings.support_email.to_string();
                        system_note(&mut tx, ctx, t, &author, None, body)?;
                    }
                }
            }
            SendOutcome::Deferred {
                error,
                attempts,
                next_try_at,
            } => {
                let mut updated = out.clone();
                updated.attempts = *attempts;
                updated.next_try_at = Some(*next_try_at);
                updated.last_error = Some(error.clone());
                tx.put_yaml(path, &updated);
                deferred += 1;
            }
            SendOutcome::Rejected { error, note } => {
                tx.remove(path);
                rejected += 1;
                if let Some(t) = out.ticket {
                    if tx.ticket(t)?.is_some() {
                        let body = format!(
                            "The e-mail \"{}\" to {} could not be delivered and was given up:\n{}\n\nMessage-ID: {}",
                            header_value(&out.subject),
                            out.to.join(", "),
                            error,
                            out.message_id
                        );
                        let author = settings.support_email.to_string();
                        system_note(&mut tx, ctx, t, &author, None, body)?;
                        *note = true;
                    }
                    tickets.push(t);
                }
            }
        }
    }
    let mut parts = Vec::new();
    for (n, what) in [
        (sent, "sent"),
        (deferred, "deferred"),
        (rejected, "rejected"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let mut msg = CommitMessage::new(
        Op::MailSend,
        MAIL_ACTOR,
        format!("mail: send ({})", parts.join(", ")),
    );
    for t in tickets {
        msg = msg.ticket(t);
    }
    let commit = tx.commit(&desk_identity(settings), &msg)?;
    Ok(commit.map(|c| c.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_cap_and_gives_up() {
        assert_eq!(backoff(1), 300);
        assert_eq!(backoff(2), 600);
        assert_eq!(backoff(4), 2400);
        assert_eq!(backoff(9), MAX_DELAY_SECS);
        assert_eq!(backoff(200), MAX_DELAY_SECS);
        let now: Timestamp = "2026-11-27T12:00:00Z".parse().unwrap();
        let mut out: OutMail = crate::store::yaml::parse(
            "outbox/x.yaml",
            b"message_id: <a@b>\nkind: answer\nfrom: a@b.example\nto: [c@d.example]\nsubject: s\nbody: b\ncreated_at: 2026-11-27T11:00:00Z\n",
        )
        .unwrap();
        assert_eq!(
            failure(&out, now, DeliveryError::Transient("451 busy".into())),
            SendOutcome::Deferred {
                error: "deferred: 451 busy".into(),
                attempts: 1,
                next_try_at: "2026-11-27T12:05:00Z".parse().unwrap()
            }
        );
        out.attempts = MAX_ATTEMPTS - 1;
        assert_eq!(
            failure(&out, now, DeliveryError::Unreachable("refused".into())),
            SendOutcome::Rejected {
                error: format!("gave up after {MAX_ATTEMPTS} attempts: refused"),
                note: false
            }
        );
        assert!(matches!(
            failure(&out, now, DeliveryError::Permanent("550 no".into())),
            SendOutcome::Rejected { .. }
        ));
    }
}
