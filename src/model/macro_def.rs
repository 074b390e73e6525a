//! Macros (`macros/<slug>.yaml`): a bundle of steps applied to a ticket in one commit by
//! `ticket macro ID SLUG` — answer with a saved reply, set status, priority and queue,
//! change tags, assign, add an internal note. Every step is optional; all apply or none.
//! Macro files are written by hand (or in the editor with `macro edit`) and committed;
//! `check` validates them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Extra, InvalidValue, Login, Priority, Slug, Status, TagChange};

/// Whom a macro assigns the ticket to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum MacroAssignee {
    /// Whoever applies the macro.
    Me,
    Nobody,
    Login(Login),
}
super::id::deserialize_by_parse!(MacroAssignee, "`me`, `nobody` or a staff login");

impl FromStr for MacroAssignee {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        Ok(match s.trim() {
            "me" => MacroAssignee::Me,
            "nobody" | "none" => MacroAssignee::Nobody,
            other => MacroAssignee::Login(other.parse()?),
        })
    }
}

impl fmt::Display for MacroAssignee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MacroAssignee::Me => f.write_str("me"),
            MacroAssignee::Nobody => f.write_str("nobody"),
            MacroAssignee::Login(l) => f.write_str(l.as_str()),
        }
    }
}

impl From<MacroAssignee> for String {
    fn from(a: MacroAssignee) -> String {
        a.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MacroDef {
    pub title: String,
    /// Assign first (`me`, `nobody` or a login), so that the answer is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<MacroAssignee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<Slug>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// `+name` adds, `-name` removes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagChange>,
    /// A saved reply (`replies/<slug>.md`) sent to the customer as an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Slug>,
    /// An internal note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set last, after the answer (which itself makes the ticket answered or closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip)]
    pub extra: Extra,
}

impl MacroDef {
    /// Whether the macro does anything at all.
    pub fn is_empty(&self) -> bool {
        self.assignee.is_none()
            && self.queue.is_none()
            && self.priority.is_none()
            && self.tags.is_empty()
            && self.reply.is_none()
            && self.note.as_deref().is_none_or(|n| n.trim().is_empty())
            && self.status.is_none()
    }
}

/// A macro and its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Macro {
    pub slug: Slug,
    pub def: MacroDef,
}
