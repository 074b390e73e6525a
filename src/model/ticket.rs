//! Trouble tickets (`tickets/<bucket>/<id>/ticket.yaml`): the mutable metadata of a ticket.
//! Its thread lives in immutable message files (see [`super::message`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Email, Extra, InvalidValue, Login, Priority, Slug, Tag, TicketId, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing done yet.
    New,
    /// Being worked on, or the customer wrote after the last answer.
    Open,
    /// Answered, waiting for the customer.
    Answered,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Open,
        Status::Answered,
        Status::Resolved,
        Status::Closed,
    ];

    /// Resolved and closed tickets leave the working lists (but stay searchable).
    pub fn is_done(self) -> bool {
        matches!(self, Status::Resolved | Status::Closed)
    }
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Answered => "answered",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }
}

impl FromStr for Status {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        Status::ALL
            .into_iter()
            .find(|st| st.name() == s.trim())
            .ok_or_else(|| {
                InvalidValue(format!(
                    "`{s}` is not a status (new, open, answered, resolved, closed)"
                ))
            })
    }
}
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One change of a ticket's tags: `+name` (or a bare `name`) adds, `-name` removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum TagChange {
    Add(Tag),
    Remove(Tag),
}
super::id::deserialize_by_parse!(TagChange, "a tag change (`+name` or `-name`)");

impl FromStr for TagChange {
    type Err = InvalidValue;
    /// `+vip`, `vip` or `-vip`; letters are taken in lower case.
    fn from_str(s: &str) -> Result<TagChange, InvalidValue> {
        let s = s.trim();
        let (remove, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let tag: Tag = name.to_lowercase().parse()?;
        Ok(if remove {
            TagChange::Remove(tag)
        } else {
            TagChange::Add(tag)
        })
    }
}

impl fmt::Display for TagChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagChange::Add(t) => write!(f, "+{t}"),
            TagChange::Remove(t) => write!(f, "-{t}"),
        }
    }
}

impl From<TagChange> for String {
    fn from(c: TagChange) -> String {
        c.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub title: String,
    /// The customer's reply address.
    pub email: Email,
    /// Who else the customer wrote to (Cc): copied on answers, never auto-responded to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Email>,
    /// The owner account ("Change User"); none when the sender is unknown.
    #[serde(default)]
    pub account: Option<Login>,
    pub queue: Slug,
    pub status: Status,
    #[serde(default)]
    pub priority: Priority,
    /// None = "nobody" (New Unassigned).
    #[serde(default)]
    pub assignee: Option<Login>,
    #[serde(default)]
    pub sticky: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub first_answered_at: Option<Timestamp>,
    #[serde(default)]
    pub answered_at: Option<Timestamp>,
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
    /// A staff login, or `autoclose`.
    #[serde(default)]
    pub closed_by: Option<String>,
    #[serde(default)]
    pub merged_from: Vec<TicketId>,
    // Working a queue (issue 17): custom fields and snooze. Absent keys keep older
    // ticket files byte-for-byte unchanged.
    /// Values of the custom fields declared in `desk.yaml` (see [`super::field`]).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "super::field::deserialize_values"
    )]
    pub fields: BTreeMap<Slug, String>,
    /// Hidden from the working lists until then, or until the customer writes
    /// (`ticket snooze`); an SLA clock does not run while a ticket is snoozed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Timestamp>,
    /// When the snooze began (an SLA clock pauses from then to `snoozed_until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_at: Option<Timestamp>,
    /// Snoozes that ended (woken, `--off`, or the customer wrote), oldest first: an SLA
    /// clock stays paused over them after the ticket is back in the lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snoozed: Vec<SnoozeSpan>,
    /// SLA targets the `escalate` pass has acted on (each once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalated: Vec<super::sla::Target>,

    // Issue 17: working a queue (tags).
    /// Labels for working lists and search (`tag:NAME`): sorted, no duplicates, at most
    /// [`MAX_TAGS`]. Absent from the file when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,

    #[serde(skip)]
    pub extra: Extra,
}

/// A snooze that ended: from when the ticket was snoozed to when it came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnoozeSpan {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Ticket {
    /// Ends the running snooze at `end` (at most its own end), recording it in `snoozed`.
    pub fn end_snooze(&mut self, end: Timestamp) {
        let Some(until) = self.snoozed_until.take() else {
            return;
        };
        let from = self.snoozed_at.take().unwrap_or(self.updated_at);
        let to = end.min(until);
        if to > from {
            self.snoozed.push(SnoozeSpan { from, to });
        }
    }
}

/// What a new ticket starts from ("Make a New Ticket", or a customer's first mail).
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub title: String,
    pub email: Email,
    pub account: Option<Login>,
    pub queue: Slug,
    pub priority: Priority,
    pub assignee: Option<Login>,
    pub sticky: bool,
}

/// The longest title kept; longer ones are refused at the boundary.
pub const MAX_TITLE: usize = 300;

/// The most tags one ticket carries.
pub const MAX_TAGS: usize = 20;

impl Ticket {
    pub fn new(id: TicketId, new: NewTicket, now: Timestamp) -> Ticket {
        Ticket {
            id,
            title: new.title,
            email: new.email,
            cc: Vec::new(),
            account: new.account,
            queue: new.queue,
            status: if new.assignee.is_some() {
                Status::Open
            } else {
                Status::New
            },
            priority: new.priority,
            assignee: new.assignee,
            sticky: new.sticky,
            created_at: now,
            updated_at: now,
            first_answered_at: None,
            answered_at: None,
            closed_at: None,
            closed_by: None,
            merged_from: Vec::new(),
            tags: Vec::new(),
            fields: BTreeMap::new(),
            snoozed_until: None,
            snoozed_at: None,
            snoozed: Vec::new(),
            escalated: Vec::new(),
            extra: Extra::new(),
        }
    }

    /// Checks a title typed by a person: one line, not empty, not too long.
    pub fn check_title(title: &str) -> Result<String, InvalidValue> {
        let t = title.trim();
        if t.is_empty() {
            return Err(InvalidValue("the title must not be empty".into()));
        }
        if t.chars().count() > MAX_TITLE {
            return Err(InvalidValue(format!(
                "the title is longer than {MAX_TITLE} characters"
            )));
        }
        if t.chars().any(|c| c.is_control()) {
            return Err(InvalidValue(
                "the title must be one line without control characters".into(),
            ));
        }
        Ok(t.to_owned())
    }

    /// True when `addr` is the customer's address or one of the Cc addresses (case
    /// ignored: mail systems treat `John@` and `john@` as one mailbox).
    pub fn involves(&self, addr: &str) -> bool {
        std::iter::once(&self.email)
            .chain(&self.cc)
            .any(|e| e.as_str().eq_ignore_ascii_case(addr.trim()))
    }

    /// What is wrong with the ticket's tags as written in a file (unsorted, repeated, too
    /// many), if anything: the commands keep them sorted and unique.
    pub fn tag_problem(&self) -> Option<String> {
        if self.tags.len() > MAX_TAGS {
            return Some(format!(
                "tags: {} tags, at most {MAX_TAGS}",
                self.tags.len()
            ));
        }
        match self.tags.windows(2).find(|w| w[0] >= w[1]) {
            Some(w) if w[0] == w[1] => Some(format!("tags: `{}` is listed twice", w[0])),
            Some(w) => Some(format!(
                "tags: not sorted (`{}` comes before `{}`)",
                w[0], w[1]
            )),
            None => None,
        }
    }

    pub fn is_assigned_to(&self, login: &Login) -> bool {
        self.assignee.as_ref() == Some(login)
    }

    /// Whether the ticket is snoozed at `now` (hidden from the working lists).
    pub fn is_snoozed(&self, now: Timestamp) -> bool {
        self.snoozed_until.is_some_and(|u| u > now)
    }
}
