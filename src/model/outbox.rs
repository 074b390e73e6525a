//! Outgoing e-mail waiting in `outbox/<key>.yaml` for `mail send`: written in the same commit
//! as the change that caused it (an answer, an auto-response, a notification), removed in
//! the commit that records its delivery.
//!
//! Composing a mail is pure: the functions below build an [`OutMail`] from the ticket, its
//! thread and the settings (Message-ID, subject, threading headers, sender), with every
//! header value stripped of CR/LF. Sending, retries and loop control are the mail module's.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{
    Email, Extra, Message, MessageKey, MessageKind, Queue, Settings, Ticket, TicketId, Timestamp,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailKind {
    Answer,
    Autoresponse,
    Notification,
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MailKind::Answer => "answer",
            MailKind::Autoresponse => "autoresponse",
            MailKind::Notification => "notification",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutMail {
    pub message_id: String,
    pub kind: MailKind,
    #[serde(default)]
    pub ticket: Option<TicketId>,
    pub from: String,
    pub to: Vec<String>,
    /// Copied recipients (the ticket's `cc` on an answer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    pub subject: String,
    #[serde(default)]
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    pub body: String,
    /// Repository paths of the files to attach.
    #[serde(default)]
    pub attachments: Vec<String>,
    pub created_at: Timestamp,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub next_try_at: Option<Timestamp>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(skip)]
    pub extra: Extra,
}

/// A header value made safe: CR and LF (and other control characters) would let a title or
/// an address inject headers, so they become spaces; runs of spaces are folded.
pub fn header_value(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Message-ID of a mail the desk sends for ticket `id` from the message (or outbox
/// entry) `key`: `<ticket-{id}.{key}@{domain of the support address}>`. Stable, so a retried
/// delivery is recognised as the same mail.
pub fn message_id(id: TicketId, key: &MessageKey, support_email: &Email) -> String {
    format!("<ticket-{id}.{key}@{}>", support_email.domain())
}

/// `[#1043] Re: Printer on fire`: the ticket tag (which routes the customer's reply back to
/// the ticket) and one `Re:`, however many the title already has.
pub fn reply_subject(id: TicketId, title: &str) -> String {
    let mut t = header_value(title);
    let tag = format!("[#{id}]");
    loop {
        let trimmed = t.trim_start();
        let lower = trimmed.to_ascii_lowercase();
        let next = if lower.starts_with("re:") {
            &trimmed[3..]
        } else if lower.starts_with(&tag) {
            &trimmed[tag.len()..]
        } else {
            break;
        };
        t = next.trim_start().to_owned();
    }
    format!("{tag} Re: {t}")
}

/// The answer's text as sent: the technician's words, then their signature.
pub fn with_signature(body: &str, signature: Option<&str>) -> String {
    let body = body.trim_end();
    match signature
        .map(str::trim_end)
        .filter(|s| !s.trim().is_empty())
    {
        Some(sig) => format!("{body}\n\n{sig}\n"),
        None => format!("{body}\n"),
    }
}

/// The thread headers of a reply: In-Reply-To is the customer's last message that has a
/// Message-ID; References are every Message-ID of the thread in order, each once.
pub fn thread_headers(thread: &[Message]) -> (Option<String>, Vec<String>) {
    let in_reply_to = thread
        .iter()
        .rev()
        .filter(|m| m.kind == MessageKind::Customer)
        .find_map(|m| m.message_id.as_deref().map(header_value))
        .filter(|s| !s.is_empty());
    let mut refs: Vec<String> = Vec::new();
    for m in thread {
        if let Some(id) = m.message_id.as_deref().map(header_value) {
            if !id.is_empty() && !refs.contains(&id) {
                refs.push(id);
            }
        }
    }
    (in_reply_to, refs)
}

/// The From: of the desk's mail: `smtp.from`, else the support address.
pub fn sender(settings: &Settings) -> String {
    header_value(
        settings
            .smtp
            .from
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .unwrap_or(settings.support_email.as_str()),
    )
}

/// What a reply to a ticket's customer is made of.
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    pub settings: &'a Settings,
    pub ticket: &'a Ticket,
    /// The key of the message file (and of the outbox file).
    pub key: &'a MessageKey,
    /// The thread before this reply.
    pub thread: &'a [Message],
    /// The full text as sent (signature included).
    pub body: String,
    /// Repository paths of files to attach.
    pub attachments: Vec<String>,
    pub now: Timestamp,
}

impl Reply<'_> {
    fn mail(self, kind: MailKind) -> OutMail {
        let (in_reply_to, references) = thread_headers(self.thread);
        OutMail {
            message_id: message_id(self.ticket.id, self.key, &self.settings.support_email),
            kind,
            ticket: Some(self.ticket.id),
            from: sender(self.settings),
            to: vec![header_value(self.ticket.email.as_str())],
            // Only answers copy the Cc addresses: no robot writes to them.
            cc: match kind {
                MailKind::Answer => self
                    .ticket
                    .cc
                    .iter()
                    .map(|c| header_value(c.as_str()))
                    .collect(),
                _ => Vec::new(),
            },
            subject: reply_subject(self.ticket.id, &self.ticket.title),
            in_reply_to,
            references,
            body: self.body,
            attachments: self.attachments,
            created_at: self.now,
            attempts: 0,
            next_try_at: None,
            last_error: None,
            extra: Extra::new(),
        }
    }

    /// A technician's answer.
    pub fn answer(self) -> OutMail {
        self.mail(MailKind::Answer)
    }

    /// An auto-response (the queue's resolved/closed text).
    pub fn autoresponse(self) -> OutMail {
        self.mail(MailKind::Autoresponse)
    }
}

/// The queue's resolved/closed auto-response text, if it has one.
pub fn closed_response(queue: &Queue) -> Option<&str> {
    queue
        .closed_ticket_response
        .as_deref()
        .filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
