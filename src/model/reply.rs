//! Saved replies (`replies/<slug>.md`): YAML front matter (title, the queues a reply is
//! for, tags to find it by), then the text of an answer as a minijinja template whose
//! variables ([`VARIABLES`]) are filled from the ticket, its customer, the technician and
//! the desk when the reply is used (`ticket answer ID --reply SLUG`, a macro).

use serde::{Deserialize, Serialize};

use super::{Extra, Slug, Tag};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyFront {
    pub title: String,
    /// The queues whose tickets may get this reply; empty = every queue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<Slug>,
    /// Words to find the reply by in `reply list --tag`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedReply {
    pub slug: Slug,
    pub front: ReplyFront,
    /// The template text.
    pub body: String,
    /// The line of the file the body starts on (for errors that name a line).
    pub body_line: usize,
}

impl SavedReply {
    /// Whether a ticket of `queue` may get this reply.
    pub fn fits_queue(&self, queue: &Slug) -> bool {
        self.front.queues.is_empty() || self.front.queues.contains(queue)
    }
}

/// Every variable a saved reply may use, with what it holds (`reply --help`, the docs).
pub const VARIABLES: &[(&str, &str)] = &[
    (
        "customer.name",
        "the owner account's name, else the ticket's e-mail address",
    ),
    ("customer.email", "the ticket's reply address"),
    (
        "customer.account",
        "the owner account's login (empty when unknown)",
    ),
    ("ticket.id", "the ticket id"),
    ("ticket.title", "the ticket's title"),
    ("ticket.queue", "the queue's slug"),
    ("ticket.queue_name", "the queue's name"),
    ("ticket.priority", "0–100"),
    (
        "ticket.status",
        "new, open, answered, resolved or closed (before the answer)",
    ),
    ("ticket.tags", "the ticket's tags (a list)"),
    ("me.login", "the answering technician's login"),
    ("me.name", "their name"),
    ("me.email", "their e-mail address"),
    (
        "me.signature",
        "their signature (answers get it appended anyway)",
    ),
    ("desk.name", "the desk's name (desk.yaml)"),
    ("desk.support_email", "the desk's support address"),
];

/// Whether `name` (`customer.name`, or a whole object such as `ticket`) is a variable.
pub fn is_variable(name: &str) -> bool {
    VARIABLES
        .iter()
        .any(|(v, _)| *v == name || v.split('.').next() == Some(name))
}
