//! One row of the catalog: what lists, auto-close, quick search, statistics and the site
//! need of a ticket without reading its files (its `ticket.yaml` fields, how many messages
//! its thread has and who spoke last), in plain types that a compact binary encoding can
//! hold, with text borrowed from the catalog file where it can be ([`Text`]): decoding
//! 100k summaries then allocates nothing per ticket. [`Summary::ticket`] gives the
//! model's [`Ticket`] back.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::sla::{self, Target};
use crate::model::{
    InvalidValue, MessageKind, SnoozeSpan, Status, Ticket, TicketId, TimeEntry, Timestamp,
};

/// Text of a summary: borrowed from the bytes it was decoded from, or owned.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

impl From<String> for Text<'static> {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s))
    }
}
impl From<&str> for Text<'static> {
    fn from(s: &str) -> Self {
        Text(Cow::Owned(s.to_owned()))
    }
}
impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}
impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The last entry of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMessage<'a> {
    /// Seconds since the epoch.
    pub at: i64,
    /// A staff login, or the customer's (or the desk's) address.
    #[serde(borrow)]
    pub author: Text<'a>,
    pub kind: MessageKind,
}

impl LastMessage<'_> {
    pub fn into_owned(self) -> LastMessage<'static> {
        LastMessage {
            at: self.at,
            author: self.author.into_owned(),
            kind: self.kind,
        }
    }
}

/// A ticket as the catalog keeps it. Times are seconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary<'a> {
    pub id: u64,
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(borrow)]
    pub email: Text<'a>,
    /// Cc addresses.
    #[serde(borrow)]
    pub cc: Vec<Text<'a>>,
    #[serde(borrow)]
    pub account: Option<Text<'a>>,
    #[serde(borrow)]
    pub queue: Text<'a>,
    pub status: Status,
    pub priority: u8,
    #[serde(borrow)]
    pub assignee: Option<Text<'a>>,
    pub sticky: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_answered_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    #[serde(borrow)]
    pub closed_by: Option<Text<'a>>,
    pub merged_from: Vec<u64>,
    /// Files in `messages/`.
    pub messages: u32,
    /// The newest message (keys sort by time), when it could be read.
    #[serde(borrow)]
    pub last: Option<LastMessage<'a>>,
    /// Tags (issue 17).
    #[serde(borrow)]
    pub tags: Vec<Text<'a>>,
    /// Custom field values, by name (issue 17).
    #[serde(borrow)]
    pub fields: Vec<(Text<'a>, Text<'a>)>,
    /// Hidden from the working lists until then (seconds since the epoch), since when.
    pub snoozed_until: Option<i64>,
    pub snoozed_at: Option<i64>,
    /// The SLA clock's marks: customer messages (`true`) and answers (`false`), by time.
    pub marks: Vec<(i64, bool)>,
    /// The snoozes that ended (`snoozed` in the file): from, to.
    pub snoozed: Vec<(i64, i64)>,
    /// SLA targets already escalated.
    pub escalated: Vec<Target>,
    /// Minutes logged on the thread, and the billable part.
    pub minutes: u32,
    pub billable_minutes: u32,
}

impl Summary<'static> {
    pub fn of(t: &Ticket, messages: u32, last: Option<LastMessage<'static>>) -> Summary<'static> {
        let s = |v: &Option<Timestamp>| v.map(Timestamp::unix);
        Summary {
            id: t.id.get(),
            title: t.title.as_str().into(),
            email: t.email.as_str().into(),
            cc: t.cc.iter().map(|c| c.as_str().to_owned().into()).collect(),
            account: t.account.as_ref().map(|a| a.as_str().into()),
            queue: t.queue.as_str().into(),
            status: t.status,
            priority: t.priority.get(),
            assignee: t.assignee.as_ref().map(|a| a.as_str().into()),
            sticky: t.sticky,
            created_at: t.created_at.unix(),
            updated_at: t.updated_at.unix(),
            first_answered_at: s(&t.first_answered_at),
            answered_at: s(&t.answered_at),
            closed_at: s(&t.closed_at),
            closed_by: t.closed_by.as_deref().map(Text::from),
            merged_from: t.merged_from.iter().map(|i| i.get()).collect(),
            messages,
            last,
            tags: t.tags.iter().map(|x| x.as_str().into()).collect(),
            fields: t
                .fields
                .iter()
                .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                .collect(),
            snoozed_until: s(&t.snoozed_until),
            snoozed_at: s(&t.snoozed_at),
            marks: Vec::new(),
            snoozed: t
                .snoozed
                .iter()
                .map(|s| (s.from.unix(), s.to.unix()))
                .collect(),
            escalated: t.escalated.clone(),
            minutes: 0,
            billable_minutes: 0,
        }
    }

    /// Fills the thread's SLA marks and time totals from each message's time, kind and
    /// time entry.
    pub fn set_thread(&mut self, heads: &[(Timestamp, MessageKind, Option<TimeEntry>)]) {
        let mut marks: Vec<(i64, bool)> = heads
            .iter()
            .filter(|h| matches!(h.1, MessageKind::Customer | MessageKind::Answer))
            .map(|h| (h.0.unix(), h.1 == MessageKind::Customer))
            .collect();
        marks.sort();
        self.marks = marks;
        for e in heads.iter().filter_map(|h| h.2) {
            self.minutes = self.minutes.saturating_add(e.minutes);
            if e.billable {
                self.billable_minutes = self.billable_minutes.saturating_add(e.minutes);
            }
        }
    }
}

impl Summary<'_> {
    pub fn into_owned(self) -> Summary<'static> {
        let own = |t: Option<Text<'_>>| t.map(Text::into_owned);
        Summary {
            id: self.id,
            title: self.title.into_owned(),
            email: self.email.into_owned(),
            cc: self.cc.into_iter().map(Text::into_owned).collect(),
            account: own(self.account),
            queue: self.queue.into_owned(),
            status: self.status,
            priority: self.priority,
            assignee: own(self.assignee),
            sticky: self.sticky,
            created_at: self.created_at,
            updated_at: self.updated_at,
            first_answered_at: self.first_answered_at,
            answered_at: self.answered_at,
            closed_at: self.closed_at,
            closed_by: own(self.closed_by),
            merged_from: self.merged_from,
            messages: self.messages,
            last: self.last.map(LastMessage::into_owned),
            tags: self.tags.into_iter().map(Text::into_owned).collect(),
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            snoozed_until: self.snoozed_until,
            snoozed_at: self.snoozed_at,
            marks: self.marks,
            snoozed: self.snoozed,
            escalated: self.escalated,
            minutes: self.minutes,
            billable_minutes: self.billable_minutes,
        }
    }

    /// What the SLA clock needs: the start (the creation, or an earlier message merged
    /// in), the marks, the close while resolved or closed, the snooze.
    pub fn clock(&self) -> sla::Clock {
        let start = self
            .marks
            .first()
            .map_or(self.created_at, |m| m.0.min(self.created_at));
        sla::Clock {
            start,
            marks: self.marks.clone(),
            done_at: self
                .status
                .is_done()
                .then(|| self.closed_at.unwrap_or(self.updated_at)),
            snoozes: sla::snooze_spans(
                self.snoozed.iter().copied(),
                self.snoozed_until
                    .map(|u| (self.snoozed_at.unwrap_or(self.updated_at), u)),
            ),
        }
    }

    /// The ticket's service level at `now` under the first policy that covers it.
    pub fn sla(&self, policies: &sla::Policies, now: Timestamp) -> Option<sla::SlaStatus> {
        let p = policies.for_ticket(self.queue.as_str(), self.priority)?;
        Some(sla::evaluate(p, &self.clock(), now.unix()))
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
            title: self.title.to_string(),
            email: self.email.to_string().try_into()?,
            cc: self
                .cc
                .iter()
                .map(|c| c.to_string().try_into())
                .collect::<Result<_, _>>()?,
            account: self
                .account
                .as_deref()
                .map(|a| a.to_owned().try_into())
                .transpose()?,
            queue: self.queue.to_string().try_into()?,
            status: self.status,
            priority: crate::model::Priority::new(i64::from(self.priority))?,
            assignee: self
                .assignee
                .as_deref()
                .map(|a| a.to_owned().try_into())
                .transpose()?,
            sticky: self.sticky,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
            first_answered_at: opt_ts(self.first_answered_at)?,
            answered_at: opt_ts(self.answered_at)?,
            closed_at: opt_ts(self.closed_at)?,
            closed_by: self.closed_by.as_deref().map(str::to_owned),
            merged_from: self
                .merged_from
                .iter()
                .map(|i| TicketId::new(*i))
                .collect::<Result<_, _>>()?,
            tags: self
                .tags
                .iter()
                .map(|x| x.parse())
                .collect::<Result<_, _>>()?,
            fields: self
                .fields
                .iter()
                .map(|(k, v)| Ok((k.parse()?, v.to_string())))
                .collect::<Result<_, InvalidValue>>()?,
            snoozed_until: opt_ts(self.snoozed_until)?,
            snoozed_at: opt_ts(self.snoozed_at)?,
            snoozed: self
                .snoozed
                .iter()
                .map(|&(from, to)| {
                    Ok(SnoozeSpan {
                        from: ts(from)?,
                        to: ts(to)?,
                    })
                })
                .collect::<Result<_, InvalidValue>>()?,
            escalated: self.escalated.clone(),
            extra: Default::default(),
        })
    }

    /// The value of custom field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_assigned_to(&self, login: &str) -> bool {
        self.assignee.as_deref() == Some(login)
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
             answered_at: 2026-11-02T10:00:00Z\nmerged_from: [7]\n\
             fields: {product: router, size: 12}\nsnoozed_until: 2026-11-05T09:00:00Z\n\
             tags: [billing, vip]\n",
        )
        .unwrap();
        let s = Summary::of(&t, 3, None);
        assert_eq!(s.ticket().unwrap(), t);
        let bytes = postcard::to_stdvec(&s).unwrap();
        assert_eq!(postcard::from_bytes::<Summary>(&bytes).unwrap(), s);
    }
}
