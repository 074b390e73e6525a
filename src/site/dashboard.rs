//! What the dashboard needs to say "what needs me now": a short summary of each ticket's
//! thread (kept in the build manifest, so unchanged tickets are not read again), the
//! customer's waiting time, and the documented urgency order.
//!
//! - **Waiting**: a ticket *needs work* when it is `new` or `open` (the customer spoke
//!   last, or nobody answered yet); the customer has been waiting since their oldest
//!   message that came after our last answer (for a ticket with no customer message: since
//!   it was created). An `answered` ticket is *waiting on the customer*: listed apart, by
//!   the time since our answer.
//! - **Urgency** (the order of every "needs work" list): the customer's waiting time
//!   weighted by priority, `wait × (1 + priority / 50)` — priority 100 counts three
//!   times, 50 twice, 0 once: a priority-100 ticket waiting 8 hours comes before a
//!   priority-0 ticket waiting 23 hours. Ties: higher priority, then lower id.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::body::first_line;
use crate::model::{Message, MessageKey, MessageKind, Status, Ticket, Timestamp};

/// The part of a ticket's thread the lists show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadSummary {
    /// The oldest customer message after the last answer.
    pub waiting_since: Option<Timestamp>,
    /// Who spoke last to the customer or as the customer: `customer` or `answer`.
    pub last_kind: Option<MessageKind>,
    /// Their login or address.
    pub last_author: Option<String>,
    pub last_at: Option<Timestamp>,
    /// The first line of that message.
    pub last_line: String,
}

impl ThreadSummary {
    /// Summarises a thread (in any order; sorted by key here).
    pub fn of(messages: &[(MessageKey, Message)]) -> ThreadSummary {
        let mut v: Vec<&(MessageKey, Message)> = messages.iter().collect();
        v.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(&b.0)));
        let mut s = ThreadSummary::default();
        for (_, m) in v {
            match m.kind {
                MessageKind::Customer => {
                    if s.waiting_since.is_none() {
                        s.waiting_since = Some(m.at);
                    }
                }
                MessageKind::Answer => s.waiting_since = None,
                MessageKind::Note | MessageKind::Autoresponse => continue,
            }
            s.last_kind = Some(m.kind);
            s.last_author = Some(m.author.clone());
            s.last_at = Some(m.at);
            s.last_line = first_line(&m.body, 120);
        }
        s
    }
}

/// Whether a ticket is waiting for us (not for the customer, not done).
pub fn needs_work(t: &Ticket) -> bool {
    matches!(t.status, Status::New | Status::Open)
}

/// Since when the customer has waited for us; none when the ticket does not need work.
pub fn waiting_since(t: &Ticket, s: Option<&ThreadSummary>) -> Option<Timestamp> {
    if !needs_work(t) {
        return None;
    }
    Some(
        s.and_then(|s| s.waiting_since)
            .or(t.answered_at.filter(|a| *a > t.created_at))
            .unwrap_or(t.created_at),
    )
}

/// Since when a ticket waits on the customer (our last answer); none unless `answered`.
pub fn answered_since(t: &Ticket, s: Option<&ThreadSummary>) -> Option<Timestamp> {
    (t.status == Status::Answered).then(|| {
        s.and_then(|s| s.last_at)
            .or(t.answered_at)
            .unwrap_or(t.updated_at)
    })
}

/// The urgency score: waiting seconds weighted by priority (see the module docs).
pub fn urgency(t: &Ticket, s: Option<&ThreadSummary>, now: Timestamp) -> f64 {
    let wait = waiting_since(t, s).map_or(0, |w| now.seconds_since(w).max(0)) as f64;
    wait * (1.0 + f64::from(t.priority.get()) / 50.0)
}

/// The order of a "needs work" list: most urgent first.
pub fn by_urgency(
    a: (&Ticket, Option<&ThreadSummary>),
    b: (&Ticket, Option<&ThreadSummary>),
    now: Timestamp,
) -> Ordering {
    urgency(b.0, b.1, now)
        .total_cmp(&urgency(a.0, a.1, now))
        .then(b.0.priority.cmp(&a.0.priority))
        .then(a.0.id.cmp(&b.0.id))
}

/// The order of a "waiting on the customer" list: the answer waiting longest first.
pub fn by_answer_age(
    a: (&Ticket, Option<&ThreadSummary>),
    b: (&Ticket, Option<&ThreadSummary>),
) -> Ordering {
    answered_since(a.0, a.1)
        .cmp(&answered_since(b.0, b.1))
        .then(a.0.id.cmp(&b.0.id))
}

/// `assets/built.js`: the build time, written into the "as of" line of the pages whose
/// HTML does not change on every build (ticket, KB, statistics, queue and technician
/// pages), so they need not be rendered again just because the clock moved; and the ages
/// of list rows rendered without them (`<time data-age datetime=…>`: `wait` for a
/// customer's wait, `ago` for the time since our answer), measured at the build time as
/// [`age`] does, so the queue and technician lists say what the dashboard says.
pub fn built_script(now: Timestamp) -> Vec<u8> {
    let s = now.to_string();
    let text = format!("{} {} UTC", &s[..10], &s[11..16]);
    format!(
        "window.GIT_DESK_BUILT = {{at: \"{s}\", text: \"{text}\"}};\n\
         (function () {{\n\
         \x20 var built = Date.parse(window.GIT_DESK_BUILT.at);\n\
         \x20 function age(secs) {{\n\
         \x20   var m = Math.floor(Math.max(secs, 0) / 60), d = Math.floor(m / 1440), h = Math.floor(m / 60) % 24;\n\
         \x20   if (d === 0) {{ return h === 0 ? m + \" min\" : h + \" h\"; }}\n\
         \x20   return d >= 10 || h === 0 ? d + \" d\" : d + \" d \" + h + \" h\";\n\
         \x20 }}\n\
         \x20 document.querySelectorAll(\"time[data-age]\").forEach(function (el) {{\n\
         \x20   var at = Date.parse(el.getAttribute(\"datetime\"));\n\
         \x20   if (isNaN(at) || isNaN(built)) {{ return; }}\n\
         \x20   var text = age(Math.floor((built - at) / 1000));\n\
         \x20   el.textContent = el.getAttribute(\"data-age\") === \"ago\" ? text + \" ago\" : text;\n\
         \x20 }});\n\
         \x20 var holder = document.querySelector(\"[data-built-at]\");\n\
         \x20 var t = document.getElementById(\"built-at\");\n\
         \x20 if (!holder || !t) {{ return; }}\n\
         \x20 t.textContent = window.GIT_DESK_BUILT.text;\n\
         \x20 holder.hidden = false;\n\
         }})();\n"
    )
    .into_bytes()
}

/// A short age: `12 min`, `5 h`, `3 d 4 h`, `45 d`.
pub fn age(secs: i64) -> String {
    let m = secs.max(0) / 60;
    let (d, h) = (m / 1440, (m / 60) % 24);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, h) => format!("{h} h"),
        (d, h) if d >= 10 || h == 0 => format!("{d} d"),
        (d, h) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Email, Priority, Slug, TicketId};

    fn msg(at: &str, kind: MessageKind) -> (MessageKey, Message) {
        let at: Timestamp = at.parse().unwrap();
        let key = MessageKey::generate(at, "x", 0);
        let m = Message {
            at,
            author: "someone".into(),
            kind,
            body: format!("{} at {at}\nmore", kind.name()),
            attachments: vec![],
            message_id: None,
            time: None,
            extra: Default::default(),
        };
        (key, m)
    }

    fn ticket(status: Status, priority: u8, created: &str) -> Ticket {
        let mut t = Ticket::new(
            TicketId::new(1).unwrap(),
            crate::model::NewTicket {
                title: "t".into(),
                email: "a@b.example".parse::<Email>().unwrap(),
                account: None,
                queue: "general".parse::<Slug>().unwrap(),
                priority: Priority::new(i64::from(priority)).unwrap(),
                assignee: None,
                sticky: false,
            },
            created.parse().unwrap(),
        );
        t.status = status;
        t
    }

    #[test]
    fn the_wait_starts_at_the_oldest_unanswered_customer_message() {
        use MessageKind::*;
        let s = ThreadSummary::of(&[
            msg("2026-11-01T10:00:00Z", Customer),
            msg("2026-11-01T11:00:00Z", Answer),
            msg("2026-11-02T09:00:00Z", Customer),
            msg("2026-11-02T10:00:00Z", Note),
            msg("2026-11-03T09:00:00Z", Customer),
        ]);
        assert_eq!(s.waiting_since.unwrap().to_string(), "2026-11-02T09:00:00Z");
        assert_eq!(s.last_kind, Some(Customer));
        assert_eq!(s.last_line, "customer at 2026-11-03T09:00:00Z");
        let s = ThreadSummary::of(&[
            msg("2026-11-01T10:00:00Z", Customer),
            msg("2026-11-01T11:00:00Z", Answer),
            msg("2026-11-01T12:00:00Z", Note),
        ]);
        assert_eq!(s.waiting_since, None);
        assert_eq!(s.last_kind, Some(Answer), "a note is not a reply");
    }

    #[test]
    fn urgency_weighs_the_wait_by_priority() {
        let now: Timestamp = "2026-11-10T00:00:00Z".parse().unwrap();
        let old_low = ticket(Status::Open, 0, "2026-11-09T01:00:00Z"); // 23 h
        let new_high = ticket(Status::New, 100, "2026-11-09T16:00:00Z"); // 8 h x 3
        let answered = ticket(Status::Answered, 100, "2026-11-01T00:00:00Z");
        assert_eq!(
            by_urgency((&new_high, None), (&old_low, None), now),
            Ordering::Less
        );
        assert_eq!(urgency(&answered, None, now), 0.0);
        assert_eq!(waiting_since(&answered, None), None);
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(age(59), "0 min");
        assert_eq!(age(45 * 60), "45 min");
        assert_eq!(age(5 * 3600 + 120), "5 h");
        assert_eq!(age(3 * 86400 + 4 * 3600), "3 d 4 h");
        assert_eq!(age(17 * 86400 + 4 * 3600), "17 d");
    }
}
