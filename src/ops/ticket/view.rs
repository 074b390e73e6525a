//! Reading tickets: one ticket with its thread ("ticket show"), and the working lists of the
//! dashboard ("My Assigned Tickets", "New Unassigned Tickets") with their filters. Every
//! read applies the visibility rule; a broken ticket file is reported and skipped. Snoozed
//! tickets stay out of every list but the snoozed one until they wake.

use serde::Serialize;

use crate::model::sla::SlaStatus;
use crate::model::timelog::Totals;
use crate::model::{
    Login, Message, MessageKey, Settings, Slug, Staff, Status, Ticket, TicketId, Timestamp,
};
use crate::store::catalog::{Catalog, Entry, Key, Summary};
use crate::store::{Desk, DeskRead, FileError, Source};

use super::super::error::Result;

#[derive(Debug, Serialize)]
pub struct TicketView {
    pub ticket: Ticket,
    /// The service level at the moment of asking (none: no policy covers the ticket, or
    /// it was not asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaStatus>,
    /// Time logged on the thread.
    pub time: Totals,
    pub messages: Vec<ThreadEntry>,
    /// Tasks linked to this ticket that the actor may see.
    pub tasks: Vec<super::super::task::TaskLink>,
    #[serde(skip)]
    pub problems: Vec<FileError>,
}

#[derive(Debug, Serialize)]
pub struct ThreadEntry {
    pub key: MessageKey,
    #[serde(flatten)]
    pub message: Message,
}

pub fn show(src: &(impl Source + ?Sized), me: &Staff, id: TicketId) -> Result<TicketView> {
    let settings = src.settings()?;
    let ticket = super::load_visible(src, &settings, me, id)?;
    let loaded = src.messages(id)?;
    let messages: Vec<ThreadEntry> = loaded
        .items
        .into_iter()
        .map(|(key, message)| ThreadEntry { key, message })
        .collect();
    let mut time = Totals::default();
    for e in messages.iter().filter_map(|m| m.message.time.as_ref()) {
        time.add(e);
    }
    Ok(TicketView {
        sla: None,
        time,
        tasks: super::super::task::linked_to(src, me, id)?,
        ticket,
        messages,
        problems: loaded.problems,
    })
}

/// Which tickets a listing starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// "My Assigned Tickets" then "New Unassigned Tickets".
    #[default]
    Dashboard,
    Mine,
    Unassigned,
    /// Every ticket the actor can see (narrowed by the filters).
    Visible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Highest priority first, then most recently updated.
    #[default]
    Priority,
    /// Most recently updated first.
    Updated,
    /// Newest first.
    Created,
    /// Ascending id.
    Id,
    /// What is due first: breached tickets, then the earliest SLA due time, then tickets
    /// without a running target (by priority).
    Due,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub scope: Scope,
    pub assignee: Option<Login>,
    pub queue: Option<Slug>,
    /// Only these statuses (empty = the working ones, or all with `include_done`).
    pub statuses: Vec<Status>,
    /// Only tickets carrying every one of these tags.
    pub tags: Vec<crate::model::Tag>,
    /// Include resolved and closed tickets.
    pub include_done: bool,
    /// Only snoozed tickets (`snoozed_until` after now); otherwise they are left out unless
    /// `include_done` asks for every ticket.
    pub snoozed: bool,
    pub sort: SortKey,
    /// The moment SLA states are evaluated at (none: no SLA state).
    pub now: Option<Timestamp>,
    /// At most this many tickets per section (`usize::MAX`: all).
    pub limit: usize,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub title: String,
    /// How many tickets the section holds; `tickets` are the first `limit` of them.
    pub total: usize,
    pub tickets: Vec<Listed>,
}

/// A ticket of a list, with its service level and the time logged on it.
#[derive(Debug, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub ticket: Ticket,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaStatus>,
    #[serde(skip_serializing_if = "Totals::is_zero")]
    pub time: Totals,
}

impl std::ops::Deref for Listed {
    type Target = Ticket;
    fn deref(&self) -> &Ticket {
        &self.ticket
    }
}

#[derive(Debug, Serialize)]
pub struct Listing {
    pub sections: Vec<Section>,
    #[serde(skip)]
    pub problems: Vec<FileError>,
}

/// The working lists, from the catalog (see `store::catalog`): HEAD of a git desk with the
/// hand edits staged in a work tree, or the files of a plain directory.
pub fn list(desk: &Desk, me: &Staff, q: &ListQuery, now: Timestamp) -> Result<Listing> {
    let settings = desk.reader()?.settings()?;
    let catalog = Catalog::open(desk)?;
    // A list that shows no done ticket reads only the buckets holding working ones.
    let done_wanted = if q.statuses.is_empty() {
        q.include_done
    } else {
        q.statuses.iter().any(|s| s.is_done())
    };
    let view = if done_wanted {
        catalog.view()?
    } else {
        catalog.view_working()?
    };
    let mut problems = Vec::new();
    // Each matching ticket's section and place, from its summary; a ticket of the list is
    // built only for the rows shown (`limit` per section).
    let mut found: Vec<(usize, [i64; 4], Entry<'_, '_>)> = Vec::new();
    for e in view.entries() {
        // Filtered on the key first: only the rows that match are decoded.
        let k = e.key();
        if k.status.is_some() {
            let snoozed = k.is_snoozed(now.unix());
            let shown = if q.snoozed {
                snoozed
            } else {
                !snoozed || q.include_done
            };
            if !shown || !matches(k, me, &settings, q) {
                continue;
            }
        }
        let s = match e.summary() {
            Ok(s) => s,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        if !q
            .tags
            .iter()
            .all(|want| s.tags.iter().any(|have| have.as_str() == want.as_str()))
        {
            continue;
        }
        let section = match q.scope {
            Scope::Dashboard if !s.is_assigned_to(me.login.as_str()) => 1,
            _ => 0,
        };
        let sla = q.now.and_then(|now| s.sla(&settings.sla, now));
        found.push((section, rank(q.sort, &s, sla.as_ref()), e));
    }
    found.sort_unstable_by_key(|(section, rank, _)| (*section, *rank));
    let titles: &[&str] = match q.scope {
        Scope::Dashboard => &["My Assigned Tickets", "New Unassigned Tickets"],
        Scope::Mine => &["My Assigned Tickets"],
        Scope::Unassigned => &["New Unassigned Tickets"],
        Scope::Visible if q.snoozed => &["Snoozed Tickets"],
        Scope::Visible => &["Tickets"],
    };
    let mut sections: Vec<Section> = titles
        .iter()
        .map(|t| Section {
            title: (*t).into(),
            total: 0,
            tickets: Vec::new(),
        })
        .collect();
    for (i, _, e) in found {
        let section = &mut sections[i];
        section.total += 1;
        if section.tickets.len() >= q.limit {
            continue;
        }
        let Ok(s) = e.summary() else { continue };
        match s.ticket() {
            Ok(ticket) => section.tickets.push(Listed {
                sla: q.now.and_then(|now| s.sla(&settings.sla, now)),
                time: Totals {
                    minutes: u64::from(s.minutes),
                    billable_minutes: u64::from(s.billable_minutes),
                },
                ticket,
            }),
            Err(e) => {
                section.total -= 1;
                problems.push(FileError {
                    path: crate::store::layout::ticket_file(s.ticket_id()),
                    line: None,
                    column: None,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(Listing { sections, problems })
}

/// Whether a ticket with this catalog key is listed (all but the tags, which need the
/// summary).
fn matches(t: &Key<'_>, me: &Staff, settings: &Settings, q: &ListQuery) -> bool {
    let Some(status) = t.status else {
        return false;
    };
    if q.statuses.is_empty() {
        if status.is_done() && !q.include_done {
            return false;
        }
    } else if !q.statuses.contains(&status) {
        return false;
    }
    if !t.visible_to(me, settings) {
        return false;
    }
    if q.assignee
        .as_ref()
        .is_some_and(|a| !t.is_assigned_to(a.as_str()))
    {
        return false;
    }
    if q.queue
        .as_ref()
        .is_some_and(|qu| t.queue.as_str() != qu.as_str())
    {
        return false;
    }
    let mine = t.is_assigned_to(me.login.as_str());
    match q.scope {
        Scope::Mine => mine,
        Scope::Unassigned => t.assignee.is_none(),
        Scope::Dashboard => mine || t.assignee.is_none(),
        Scope::Visible => true,
    }
}

/// Where a ticket goes in a list sorted by `key` (ascending; ties broken by id).
fn rank(key: SortKey, s: &Summary<'_>, sla: Option<&SlaStatus>) -> [i64; 4] {
    let id = s.id as i64;
    let priority = i64::from(s.priority);
    match key {
        SortKey::Due => {
            let (group, due) = match sla {
                Some(st) if st.breached() => (0, st.next_due().map_or(0, |d| d.unix())),
                Some(st) => st.next_due().map_or((2, 0), |d| (1, d.unix())),
                None => (2, 0),
            };
            [group, due, -priority, id]
        }
        SortKey::Priority => [-priority, -s.updated_at, id, 0],
        SortKey::Updated => [-s.updated_at, id, 0, 0],
        SortKey::Created => [-s.created_at, -id, 0, 0],
        SortKey::Id => [id, 0, 0, 0],
    }
}
