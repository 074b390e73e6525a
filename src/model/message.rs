//! One entry of a ticket's thread (`messages/<key>.yaml`): a customer message, an answer, an
//! internal note or an auto-response, with its attachments. Message files are written once
//! and never changed, so two clones adding to one ticket never touch the same file.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Extra, InvalidValue, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Customer,
    Answer,
    Note,
    Autoresponse,
}

impl MessageKind {
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Customer => "customer",
            MessageKind::Answer => "answer",
            MessageKind::Note => "note",
            MessageKind::Autoresponse => "autoresponse",
        }
    }
    /// Whether the customer sees it (all but internal notes).
    pub fn is_public(self) -> bool {
        self != MessageKind::Note
    }
}
impl FromStr for MessageKind {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        match s {
            "customer" => Ok(Self::Customer),
            "answer" => Ok(Self::Answer),
            "note" => Ok(Self::Note),
            "autoresponse" => Ok(Self::Autoresponse),
            _ => Err(InvalidValue(format!(
                "`{s}` is not a message kind (customer, answer, note, autoresponse)"
            ))),
        }
    }
}
impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The fields of a message file before its body (`at`, `author`, `kind`, `time`): what the
/// catalog and statistics read of every message, parsed with `yaml::parse_head` so the
/// body is never decoded.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageHead {
    pub at: Timestamp,
    pub author: String,
    pub kind: MessageKind,
    #[serde(default)]
    pub time: Option<super::TimeEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub at: Timestamp,
    /// A staff login, or the customer's (or the desk's) address.
    pub author: String,
    pub kind: MessageKind,
    /// The Message-ID it was sent or received with, `<…>` included.
    #[serde(default)]
    pub message_id: Option<String>,
    /// Time spent, on an answer or a note (see [`super::timelog`]). Before the body, so
    /// that readers of the head fields stop at `body:` (see `store::yaml::parse_head`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<super::TimeEntry>,
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The name as given, sanitised.
    pub name: String,
    /// The file under the ticket's `files/`.
    pub file: String,
    pub size: u64,
    #[serde(default)]
    pub content_type: Option<String>,
}

/// Makes an attachment's name safe to store and show: the last path component only, no
/// control or path characters, not empty, not a dot name, at most 100 characters.
pub fn sanitize_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut out: String = base
        .chars()
        .map(|c| {
            if c.is_control() || "<>:\"|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    out = out.trim().trim_start_matches('.').to_owned();
    if out.chars().count() > 100 {
        // keep the extension
        let ext: String = match out.rsplit_once('.') {
            Some((_, e)) if e.chars().count() <= 10 => format!(".{e}"),
            _ => String::new(),
        };
        let keep = 100 - ext.chars().count();
        out = out.chars().take(keep).collect::<String>() + &ext;
    }
    if out.is_empty() {
        "attachment".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_file_name(".."), "attachment");
        assert_eq!(sanitize_file_name(".bashrc"), "bashrc");
        assert_eq!(sanitize_file_name("a\nb\u{7}.txt"), "a_b_.txt");
        assert_eq!(sanitize_file_name(""), "attachment");
        let long = "x".repeat(300) + ".png";
        let s = sanitize_file_name(&long);
        assert_eq!(s.chars().count(), 100);
        assert!(s.ends_with(".png"));
    }
}
