//! The ticket rows every list of the site shows (the dashboard's views, queues,
//! technicians, closed months): one row per ticket with its wait, who spoke last and the
//! first line they wrote, lists split into "needs work" and "waiting on the customer", and
//! the counts of a view.

use serde::Serialize;

use super::dashboard::{self, ThreadSummary};
use super::data::Shared;
use super::pages::{queue_url, staff_url, ticket_url};
use crate::model::{Login, MessageKind, Status, Ticket, Timestamp};

/// A ticket as a row of a list.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: u64,
    pub url: String,
    pub title: String,
    pub email: String,
    /// The owner account's name, else the e-mail address.
    pub customer: String,
    pub status: Status,
    pub priority: u8,
    pub queue: String,
    pub queue_name: String,
    pub queue_url: Option<String>,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    pub assignee_url: Option<String>,
    pub sticky: bool,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    /// Assigned to the `--for` technician.
    pub mine: bool,
    /// New or open: the customer waits for us.
    pub needs_work: bool,
    /// Since when the customer waits, and for how long at build time.
    pub waiting_since: Option<String>,
    pub waiting: Option<String>,
    /// Answered: since when it waits on the customer, and for how long.
    pub answered_since: Option<String>,
    pub answered_age: Option<String>,
    /// Who spoke last (`Customer`, or the technician's name) and the first line said.
    pub last_by: Option<String>,
    pub last_kind: Option<&'static str>,
    pub last_line: String,
    /// The ticket's tags.
    pub tags: Vec<String>,
    /// Service level at build time and the time logged.
    pub sla: Option<super::data::SlaCell>,
}

/// A ticket and what the manifest keeps of its thread.
pub type Item<'a> = (&'a Ticket, Option<&'a ThreadSummary>);

/// A row of `t`; ages are measured at `now` (none: no ages, as on a ticket page, which
/// must not change with the clock).
pub fn row(
    t: &Ticket,
    thread: Option<&ThreadSummary>,
    shared: &Shared,
    me: Option<&Login>,
    now: Option<Timestamp>,
) -> Row {
    let queue = shared.queue(t.queue.as_str());
    let assignee = t.assignee.as_ref().map(|a| (a, shared.staff(a.as_str())));
    let waiting_since = dashboard::waiting_since(t, thread);
    let answered_since = dashboard::answered_since(t, thread);
    let since = |w: Option<Timestamp>| w.zip(now).map(|(w, n)| dashboard::age(n.seconds_since(w)));
    let last_by = thread.and_then(|s| {
        let kind = s.last_kind?;
        Some(if kind == MessageKind::Customer {
            "Customer".to_owned()
        } else {
            let a = s.last_author.as_deref().unwrap_or("");
            shared
                .staff(a)
                .map_or(a.to_owned(), |s| s.display_name().to_owned())
        })
    });
    Row {
        sla: shared.sla.get(&t.id.get()).cloned(),
        id: t.id.get(),
        url: ticket_url(t.id),
        title: t.title.clone(),
        email: t.email.to_string(),
        customer: t
            .account
            .as_ref()
            .and_then(|a| shared.accounts.get(a))
            .map_or_else(|| t.email.to_string(), |a| a.name.clone()),
        status: t.status,
        priority: t.priority.get(),
        queue: t.queue.to_string(),
        queue_name: queue
            .map(|q| q.name.clone())
            .unwrap_or_else(|| t.queue.to_string()),
        queue_url: queue.map(|q| queue_url(q.slug.as_str())),
        assignee: t.assignee.as_ref().map(|a| a.to_string()),
        assignee_name: assignee
            .map(|(a, s)| s.map_or(a.to_string(), |s| s.display_name().to_owned())),
        assignee_url: assignee.and_then(|(_, s)| s.map(|s| staff_url(s.login.as_str()))),
        sticky: t.sticky,
        created_at: t.created_at.to_string(),
        updated_at: t.updated_at.to_string(),
        closed_at: t.closed_at.map(|c| c.to_string()),
        mine: me.is_some_and(|m| t.is_assigned_to(m)),
        needs_work: dashboard::needs_work(t),
        waiting_since: waiting_since.map(|w| w.to_string()),
        waiting: since(waiting_since),
        answered_since: answered_since.map(|w| w.to_string()),
        answered_age: since(answered_since),
        last_by,
        last_kind: thread.and_then(|s| s.last_kind).map(|k| k.name()),
        last_line: thread.map(|s| s.last_line.clone()).unwrap_or_default(),
        tags: t.tags.iter().map(|x| x.to_string()).collect(),
    }
}

/// A working list cut in two, each in its order: the tickets that need work (most urgent
/// first) and those waiting on the customer (oldest answer first). Snoozed tickets are
/// left out until they wake.
pub fn split<'a>(
    items: impl Iterator<Item = Item<'a>>,
    now: Timestamp,
) -> (Vec<Item<'a>>, Vec<Item<'a>>) {
    let (mut work, mut waiting): (Vec<Item>, Vec<Item>) = items
        .filter(|(t, _)| !t.status.is_done() && !t.is_snoozed(now))
        .partition(|(t, _)| dashboard::needs_work(t));
    work.sort_by(|a, b| dashboard::by_urgency(*a, *b, now));
    waiting.sort_by(|a, b| dashboard::by_answer_age(*a, *b));
    (work, waiting)
}

/// The rows of a list and its size.
#[derive(Debug, Serialize)]
pub struct List {
    pub rows: Vec<Row>,
    pub total: usize,
    /// Rows left out (the full list is on another page).
    pub more: usize,
}

pub(super) fn list(
    items: &[Item<'_>],
    shared: &Shared,
    me: Option<&Login>,
    now: Timestamp,
    limit: usize,
) -> List {
    List {
        rows: items
            .iter()
            .take(limit)
            .map(|(t, s)| row(t, *s, shared, me, Some(now)))
            .collect(),
        total: items.len(),
        more: items.len().saturating_sub(limit),
    }
}

/// A view of the dashboard: a name, where its tickets are listed, how many need work,
/// the longest wait, how many wait on the customer.
#[derive(Debug, Serialize)]
pub struct ViewCount {
    pub name: String,
    pub url: String,
    pub needs_work: usize,
    pub oldest: Option<String>,
    pub waiting_on_customer: usize,
}

pub(super) fn view_count(
    name: String,
    url: String,
    work: &[Item<'_>],
    waiting: usize,
    now: Timestamp,
) -> ViewCount {
    let oldest = work
        .iter()
        .filter_map(|(t, s)| dashboard::waiting_since(t, *s))
        .min()
        .map(|w| dashboard::age(now.seconds_since(w)));
    ViewCount {
        name,
        url,
        needs_work: work.len(),
        oldest,
        waiting_on_customer: waiting,
    }
}
