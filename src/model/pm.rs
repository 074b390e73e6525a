//! Private messages between technicians (`inbox/<login>/<key>.yaml`): each recipient gets
//! a copy in their own inbox, which only they read and delete through the CLI.
//!
//! Only the routing fields (`from`, `to`, `at`, `read`) are in clear. The private part — a
//! [`Letter`]: subject and text — is either `sealed` (age-encrypted to the recipients and the
//! sender, ASCII-armoured; see `crate::seal`) or, in a message written before encryption
//! existed, in clear as `subject` and `body`. Nothing here decrypts: that needs a key.

use serde::{Deserialize, Serialize};

use super::{Extra, Login, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateMessage {
    pub from: Login,
    /// Every recipient of the message.
    pub to: Vec<Login>,
    /// Clear-text subject: only in a message written before encryption (format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub at: Timestamp,
    #[serde(default)]
    pub read: bool,
    /// Clear-text body: only in a message written before encryption (format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The [`Letter`], age-encrypted and armoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    #[serde(skip)]
    pub extra: Extra,
}

/// The private part of a message: what only its sender and recipients may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// What a message file holds in its private part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content<'m> {
    /// Encrypted: the armoured ciphertext.
    Sealed(&'m str),
    /// A message from before encryption, in clear.
    Clear { subject: &'m str, body: &'m str },
    /// Neither a ciphertext nor both clear fields: the file is broken.
    Missing,
}

impl PrivateMessage {
    /// A new encrypted message.
    pub fn sealed(from: Login, to: Vec<Login>, at: Timestamp, sealed: String) -> Self {
        PrivateMessage {
            from,
            to,
            subject: None,
            at,
            read: false,
            body: None,
            sealed: Some(sealed),
            extra: Extra::new(),
        }
    }

    pub fn content(&self) -> Content<'_> {
        match (&self.sealed, &self.subject, &self.body) {
            (Some(s), _, _) => Content::Sealed(s),
            (None, Some(subject), Some(body)) => Content::Clear { subject, body },
            _ => Content::Missing,
        }
    }

    pub fn is_sealed(&self) -> bool {
        self.sealed.is_some()
    }

    /// The message with its clear private part replaced by `sealed` (the routing fields
    /// and the read flag kept).
    pub fn into_sealed(mut self, sealed: String) -> Self {
        self.subject = None;
        self.body = None;
        self.sealed = Some(sealed);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> PrivateMessage {
        PrivateMessage {
            from: "alice".parse().unwrap(),
            to: vec!["bob".parse().unwrap()],
            subject: Some("Coffee".into()),
            at: "2026-11-20T09:00:00Z".parse().unwrap(),
            read: true,
            body: Some("Out of beans".into()),
            sealed: None,
            extra: Extra::new(),
        }
    }

    #[test]
    fn clear_messages_keep_working_and_seal_in_place() {
        let m = msg();
        assert_eq!(
            m.content(),
            Content::Clear {
                subject: "Coffee",
                body: "Out of beans"
            }
        );
        let s = m.into_sealed("-----BEGIN AGE ENCRYPTED FILE-----".into());
        assert!(s.subject.is_none() && s.body.is_none() && s.read);
        assert!(matches!(s.content(), Content::Sealed(_)));
    }

    #[test]
    fn a_message_with_neither_part_is_missing_its_content() {
        let mut m = msg();
        m.body = None;
        assert_eq!(m.content(), Content::Missing);
    }
}
