//! Outgoing e-mail waiting in `outbox/<key>.yaml` for `mail send`: written in the same commit
//! as the change that caused it (an answer, an auto-response, a notification), removed in
//! the commit that records its delivery.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Extra, TicketId, Timestamp};

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
