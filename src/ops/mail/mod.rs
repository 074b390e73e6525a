//! Mail use cases: `ingest` (Maildir → tickets, one commit per run) and `send` (outbox →
//! SMTP, one commit recording the outcome). Both act as the desk itself, not as a
//! technician: their commits are authored by the desk's name and support address and carry
//! `Desk-Actor: mail`.

mod ingest;
mod intake;
mod notes;
mod send;
pub mod verify;

pub use ingest::{
    default_mailboxes, ingest, IngestReport, Ingested, MailboxSpec, Outcome, RUN_BYTES_MAX,
};
pub use send::{send, send_with, SendOutcome, SendReport, Sent};

use crate::model::{Email, Queue, Settings};
use crate::store::Identity;

/// The actor named in mail commits.
pub const MAIL_ACTOR: &str = "mail";

/// Who mail commits are made as: the desk.
fn desk_identity(settings: &Settings) -> Identity {
    Identity {
        name: settings.name.clone(),
        email: settings.support_email.to_string(),
    }
}

/// The desk's own addresses: the support address, the queues' addresses and the From of
/// outgoing mail. Mail from them gets no auto-response.
fn own_addresses(settings: &Settings, queues: &[Queue]) -> Vec<Email> {
    let mut own = vec![settings.support_email.clone()];
    own.extend(queues.iter().filter_map(|q| q.email.clone()));
    if let Some(from) = settings.smtp.from.as_deref().and_then(address_of) {
        own.push(from);
    }
    own
}

/// The address in `Name <a@b>` or `a@b`.
fn address_of(s: &str) -> Option<Email> {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    inner.trim().parse().ok()
}
