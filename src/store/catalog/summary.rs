//! One row of the catalog: what lists, auto-close, quick search, statistics and the site
//! need of a ticket without reading its files (its `ticket.yaml` fields, how many messages
//! its thread has and who spoke last), in plain types that a compact binary encoding can
//! hold. [`Summary::ticket`] gives the model's [`Ticket`] back.

use serde::{Deserialize, Serialize};

use crate::model::{
    InvalidValue, MessageKind, Settings, Staff, Status, Ticket, TicketId, Timestamp,
};

/// The last entry of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMessage {
    /// Seconds since the epoch.
    pub at: i64,
    /// A staff login, or the customer's (or the desk's) address.
    pub author: String,
    pub kind: MessageKind,
}

/// A ticket as the catalog keeps it. Times are seconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub id: u64,
    pub title: String,
    pub email: String,
    pub account: Option<String>,
    pub queue: String,
    pub status: Status,
    pub priority: u8,
    pub assignee: Option<String>,
    pub sticky: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_answered_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    pub merged_from: Vec<u64>,
    /// Files in `messages/`.
    pub messages: u32,
    /// The newest message (keys sort by time), when it could be read.
    pub last: Option<LastMessage>,
}

impl Summary {
    pub fn of(t: &Ticket, messages: u32, last: Option<LastMessage>) -> Summary {
        let s = |v: &Option<Timestamp>| v.map(Timestamp::unix);
        Summary {
            id: t.id.get(),
            title: t.title.clone(),
            email: t.email.as_str().to_owned(),
            account: t.account.as_ref().map(|a| a.as_str().to_owned()),
            queue: t.queue.as_str().to_owned(),
            status: t.status,
            priority: t.priority.get(),
            assignee: t.assignee.as_ref().map(|a| a.as_str().to_owned()),
            sticky: t.sticky,
            created_at: t.created_at.unix(),
            updated_at: t.updated_at.unix(),
            first_answered_at: s(&t.first_answered_at),
            answered_at: s(&t.answered_at),
            closed_at: s(&t.closed_at),
            closed_by: t.closed_by.clone(),
            merged_from: t.merged_from.iter().map(|i| i.get()).collect(),
            messages,
            last,
        }
    }

    pub fn ticket_id(&self) -> TicketId {
        TicketId::new(self.id).expect("catalog ids are positive")
    }

    /// The ticket's fields as the model's type (unknown keys of the file are not kept).
    pub fn ticket(&self) -> Result<Ticket, InvalidValue> {
        let ts = Timestamp::from_unix;
        let opt_ts = |v: Option<i64>| v.map(Timestamp::from_unix).transpose();
        Ok(Ticket {
            id: TicketId::new(self.id)?,
            title: self.title.clone(),
            email: self.email.clone().try_into()?,
            account: self.account.clone().map(TryInto::try_into).transpose()?,
            queue: self.queue.clone().try_into()?,
            status: self.status,
            priority: crate::model::Priority::new(i64::from(self.priority))?,
            assignee: self.assignee.clone().map(TryInto::try_into).transpose()?,
            sticky: self.sticky,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
            first_answered_at: opt_ts(self.first_answered_at)?,
            answered_at: opt_ts(self.answered_at)?,
            closed_at: opt_ts(self.closed_at)?,
            closed_by: self.closed_by.clone(),
            merged_from: self
                .merged_from
                .iter()
                .map(|i| TicketId::new(*i))
                .collect::<Result<_, _>>()?,
            extra: Default::default(),
        })
    }

    pub fn is_assigned_to(&self, login: &str) -> bool {
        self.assignee.as_deref() == Some(login)
    }

    /// The desk's visibility rule (`ops::actor::can_see`) on a summary: the actor is
    /// entitled to the ticket's queue, or it is assigned to them.
    pub fn visible_to(&self, me: &Staff, settings: &Settings) -> bool {
        me.is_main()
            || self.queue == settings.default_queue.as_str()
            || me.queues.iter().any(|q| q.as_str() == self.queue)
            || self.is_assigned_to(me.login.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_gives_the_ticket_back() {
        let t: Ticket = crate::store::yaml::parse(
            "ticket.yaml",
            b"id: 1043\ntitle: Printer\nemail: a@b.example\naccount: acme\nqueue: billing\n\
             status: answered\npriority: 70\nassignee: bob\nsticky: true\n\
             created_at: 2026-11-01T10:00:00Z\nupdated_at: 2026-11-02T10:00:00Z\n\
             answered_at: 2026-11-02T10:00:00Z\nmerged_from: [7]\n",
        )
        .unwrap();
        let s = Summary::of(&t, 3, None);
        assert_eq!(s.ticket().unwrap(), t);
        let bytes = postcard::to_stdvec(&s).unwrap();
        assert_eq!(postcard::from_bytes::<Summary>(&bytes).unwrap(), s);
    }
}
