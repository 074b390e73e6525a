//! Ticket queues ("Queue Administration"): a department with its own address, an optional
//! mailbox to poll, and the auto-responses sent on new and on resolved/closed tickets.

use serde::{Deserialize, Serialize};

use super::{Email, Extra, Slug};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    pub slug: Slug,
    pub name: String,
    #[serde(default)]
    pub email: Option<Email>,
    /// A Maildir polled for this queue, relative to the desk.
    #[serde(default)]
    pub mailbox: Option<String>,
    #[serde(default)]
    pub new_ticket_response: Option<String>,
    #[serde(default)]
    pub closed_ticket_response: Option<String>,
    #[serde(skip)]
    pub extra: Extra,
}

impl Queue {
    pub fn new(slug: Slug, name: String) -> Queue {
        Queue {
            slug,
            name,
            email: None,
            mailbox: None,
            new_ticket_response: None,
            closed_ticket_response: None,
            extra: Extra::new(),
        }
    }
}
