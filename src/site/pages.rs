//! The pages other than tickets and statistics, as template contexts: the dashboard, one
//! page per queue and per technician, task administration and each task, the knowledge
//! base, closed and resolved tickets by month, and the `--for` inbox. Each is built from
//! the shared data and the ticket summaries of the manifest, so no unchanged ticket is read.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::data::Shared;
use super::markdown;
use crate::model::{Date, Login, Status, TaskStatus, Ticket, TicketId};

/// A page to render: where, with which template, and its own context.
pub struct Page {
    pub path: String,
    pub template: &'static str,
    pub title: String,
    /// The navigation entry it belongs to.
    pub section: &'static str,
    pub ctx: Value,
}

/// How many rows a dashboard list shows before pointing to the full list.
const DASHBOARD_ROWS: usize = 100;

pub fn ticket_url(id: TicketId) -> String {
    format!("tickets/{}/{id}.html", id.bucket())
}
pub fn queue_url(slug: &str) -> String {
    format!("queues/{slug}.html")
}
pub fn staff_url(login: &str) -> String {
    format!("staff/{login}.html")
}
pub fn task_url(id: impl std::fmt::Display) -> String {
    format!("tasks/{id}.html")
}
pub fn kb_url(slug: &str) -> String {
    format!("kb/{slug}.html")
}
pub fn month_url(month: &str) -> String {
    format!("closed/{month}.html")
}

/// A ticket as a row of a list.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: u64,
    pub url: String,
    pub title: String,
    pub email: String,
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
}

pub fn row(t: &Ticket, shared: &Shared, me: Option<&Login>) -> Row {
    let queue = shared.queue(t.queue.as_str());
    let assignee = t.assignee.as_ref().map(|a| (a, shared.staff(a.as_str())));
    Row {
        id: t.id.get(),
        url: ticket_url(t.id),
        title: t.title.clone(),
        email: t.email.to_string(),
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
    }
}

/// Highest priority first, then most recently updated.
fn by_priority(a: &&Ticket, b: &&Ticket) -> std::cmp::Ordering {
    b.priority
        .cmp(&a.priority)
        .then(b.updated_at.cmp(&a.updated_at))
        .then(a.id.cmp(&b.id))
}

fn rows<'a>(
    it: impl Iterator<Item = &'a Ticket>,
    shared: &Shared,
    me: Option<&Login>,
    limit: usize,
) -> Value {
    let mut v: Vec<&Ticket> = it.collect();
    v.sort_by(by_priority);
    let total = v.len();
    let shown: Vec<Row> = v
        .into_iter()
        .take(limit)
        .map(|t| row(t, shared, me))
        .collect();
    json!({ "rows": shown, "total": total, "more": total.saturating_sub(limit) })
}

/// Rows per page of a long ticket list (a queue, a technician, a month of closed tickets).
pub const PAGE_ROWS: usize = 500;

/// The URL of page `n` (from 1) of the list whose first page is `first`:
/// `queues/general.html`, `queues/general/2.html`, …
pub fn page_url(first: &str, n: usize) -> String {
    match n {
        0 | 1 => first.to_owned(),
        n => format!("{}/{n}.html", first.trim_end_matches(".html")),
    }
}

/// A long list cut into pages of [`PAGE_ROWS`] (one empty page for an empty list): each
/// page's path, rows and pager (links to every page, previous and next).
fn paginate(
    first: &str,
    tickets: &[&Ticket],
    shared: &Shared,
    me: Option<&Login>,
) -> Vec<(String, Vec<Row>, Value)> {
    let pages = tickets.len().div_ceil(PAGE_ROWS).max(1);
    let links: Vec<Value> = (1..=pages)
        .map(|n| json!({"n": n, "url": page_url(first, n)}))
        .collect();
    (1..=pages)
        .map(|n| {
            let chunk = tickets.iter().skip((n - 1) * PAGE_ROWS).take(PAGE_ROWS);
            let rows = chunk.map(|t| row(t, shared, me)).collect();
            let pager = json!({"page": n, "pages": pages, "total": tickets.len(),
                "from": (n - 1) * PAGE_ROWS + 1, "to": (n * PAGE_ROWS).min(tickets.len()),
                "links": if pages > 1 { links.clone() } else { vec![] },
                "prev": (n > 1).then(|| page_url(first, n - 1)),
                "next": (n < pages).then(|| page_url(first, n + 1))});
            (page_url(first, n), rows, pager)
        })
        .collect()
}

/// The month a done ticket is listed under (`2026-11`).
pub fn done_month(t: &Ticket) -> String {
    t.closed_at.unwrap_or(t.updated_at).to_string()[..7].to_owned()
}

fn task_row(t: &crate::model::Task, shared: &Shared, today: Date) -> Value {
    json!({
        "id": t.id.get(),
        "url": task_url(t.id),
        "title": t.title,
        "assignee": t.assignee.as_str(),
        "assignee_name": shared.staff(t.assignee.as_str()).map_or(t.assignee.as_str(), |s| s.display_name()),
        "assignee_url": shared.staff(t.assignee.as_str()).map(|s| staff_url(s.login.as_str())),
        "status": t.status.to_string(),
        "due": t.due.map(|d| d.to_string()),
        "overdue": t.is_overdue(today),
        "tickets": t.tickets.iter().map(|id| json!({"id": id.get(), "url": ticket_url(*id)})).collect::<Vec<_>>(),
    })
}

/// Every page of this module.
pub fn all(shared: &Shared, tickets: &[&Ticket], me: Option<&Login>, today: Date) -> Vec<Page> {
    let mut pages = Vec::new();
    let working: Vec<&Ticket> = tickets
        .iter()
        .copied()
        .filter(|t| !t.status.is_done())
        .collect();
    let known: std::collections::BTreeSet<u64> = tickets.iter().map(|t| t.id.get()).collect();
    let link_ticket = |id: TicketId| json!({"id": id.get(), "url": known.contains(&id.get()).then(|| ticket_url(id))});

    // Dashboard.
    let unassigned = rows(
        working.iter().copied().filter(|t| t.assignee.is_none()),
        shared,
        me,
        DASHBOARD_ROWS,
    );
    let mine = me.map(|m| {
        rows(
            working.iter().copied().filter(|t| t.is_assigned_to(m)),
            shared,
            me,
            DASHBOARD_ROWS,
        )
    });
    let technicians: Vec<Value> = shared
        .staff
        .iter()
        .filter_map(|s| {
            let r = rows(working.iter().copied().filter(|t| t.is_assigned_to(&s.login)), shared, me, 20);
            (r["total"].as_u64() != Some(0)).then(|| {
                json!({"login": s.login.as_str(), "name": s.display_name(), "url": staff_url(s.login.as_str()), "list": r})
            })
        })
        .collect();
    let queue_counts = |slug: &str| {
        let mut c = BTreeMap::new();
        for st in [Status::New, Status::Open, Status::Answered] {
            c.insert(
                st.name(),
                working
                    .iter()
                    .filter(|t| t.queue.as_str() == slug && t.status == st)
                    .count(),
            );
        }
        let total: usize = c.values().sum();
        json!({"new": c["new"], "open": c["open"], "answered": c["answered"], "total": total})
    };
    let queues: Vec<Value> = shared
        .queues
        .iter()
        .map(|q| json!({"slug": q.slug.as_str(), "name": q.name, "url": queue_url(q.slug.as_str()), "counts": queue_counts(q.slug.as_str())}))
        .collect();
    let soon = today.plus_days(7);
    let mut due: Vec<&crate::model::Task> = shared
        .tasks
        .iter()
        .map(|(t, _)| t)
        .filter(|t| t.status == TaskStatus::Open && t.due.is_some_and(|d| d <= soon))
        .collect();
    due.sort_by_key(|t| (t.due, t.id));
    let mut recent: Vec<&Ticket> = tickets.to_vec();
    recent.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    let recent: Vec<Row> = recent
        .into_iter()
        .take(15)
        .map(|t| row(t, shared, me))
        .collect();
    pages.push(Page {
        path: "index.html".into(),
        template: "index.html",
        title: "Dashboard".into(),
        section: "dashboard",
        ctx: json!({
            "unassigned": unassigned, "mine": mine, "technicians": technicians, "queues": queues,
            "due_tasks": due.iter().map(|t| task_row(t, shared, today)).collect::<Vec<_>>(),
            "recent": recent, "today": today.to_string(),
            "total_tickets": tickets.len(), "working_tickets": working.len(),
        }),
    });

    // Queues.
    for q in &shared.queues {
        let mut list: Vec<&Ticket> = working
            .iter()
            .copied()
            .filter(|t| t.queue == q.slug)
            .collect();
        list.sort_by(by_priority);
        let done = tickets
            .iter()
            .filter(|t| t.queue == q.slug && t.status.is_done())
            .count();
        let counts = queue_counts(q.slug.as_str());
        for (path, rows, pager) in paginate(&queue_url(q.slug.as_str()), &list, shared, me) {
            pages.push(Page {
                path,
                template: "queue.html",
                title: format!("Queue: {}", q.name),
                section: "dashboard",
                ctx: json!({"queue": {"slug": q.slug.as_str(), "name": q.name, "email": q.email.as_ref().map(|e| e.to_string())},
                            "counts": counts, "list": {"rows": rows, "total": list.len()}, "paging": pager, "done": done}),
            });
        }
    }

    // Technicians.
    for s in &shared.staff {
        let mut list: Vec<&Ticket> = working
            .iter()
            .copied()
            .filter(|t| t.is_assigned_to(&s.login))
            .collect();
        list.sort_by(by_priority);
        let mut tasks: Vec<&crate::model::Task> = shared
            .tasks
            .iter()
            .map(|(t, _)| t)
            .filter(|t| t.assignee == s.login)
            .collect();
        tasks.sort_by_key(|t| (t.status, t.due.is_none(), t.due, t.id));
        let person = json!({"login": s.login.as_str(), "name": s.display_name(), "email": s.email.as_ref().map(|e| e.to_string()),
                           "role": s.role.to_string(), "active": s.active,
                           "queues": s.queues.iter().map(|q| json!({"slug": q.as_str(), "url": shared.queue(q.as_str()).map(|_| queue_url(q.as_str()))})).collect::<Vec<_>>()});
        let tasks: Vec<Value> = tasks.iter().map(|t| task_row(t, shared, today)).collect();
        for (path, rows, pager) in paginate(&staff_url(s.login.as_str()), &list, shared, me) {
            pages.push(Page {
                path,
                template: "staff.html",
                title: s.display_name().to_owned(),
                section: "dashboard",
                ctx: json!({
                    "person": person, "is_me": me == Some(&s.login),
                    "list": {"rows": rows, "total": list.len()}, "paging": pager, "tasks": tasks,
                }),
            });
        }
    }

    // Tasks.
    let mut all_tasks: Vec<&crate::model::Task> = shared.tasks.iter().map(|(t, _)| t).collect();
    all_tasks.sort_by_key(|t| (t.status, t.due.is_none(), t.due, t.id));
    pages.push(Page {
        path: "tasks/index.html".into(),
        template: "tasks.html",
        title: "Task Administration".into(),
        section: "tasks",
        ctx: json!({"tasks": all_tasks.iter().map(|t| task_row(t, shared, today)).collect::<Vec<_>>(), "today": today.to_string()}),
    });
    for (t, notes) in &shared.tasks {
        let mut v = task_row(t, shared, today);
        v["details"] = json!(t.details);
        v["created_by"] = json!(t.created_by.as_str());
        v["created_at"] = json!(t.created_at.to_string());
        v["done_at"] = json!(t.done_at.map(|d| d.to_string()));
        v["tickets"] = json!(t
            .tickets
            .iter()
            .map(|id| link_ticket(*id))
            .collect::<Vec<_>>());
        let notes: Vec<Value> = notes
            .iter()
            .map(|(_, n)| json!({"at": n.at.to_string(), "author": n.author.as_str(),
                "author_name": shared.staff(n.author.as_str()).map_or(n.author.as_str(), |s| s.display_name()), "body": n.body}))
            .collect();
        pages.push(Page {
            path: task_url(t.id),
            template: "task.html",
            title: format!("Task {}: {}", t.id, t.title),
            section: "tasks",
            ctx: json!({"task": v, "notes": notes}),
        });
    }

    // Knowledge base.
    let mut categories: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for a in &shared.kb {
        let cat = a
            .front
            .category
            .clone()
            .unwrap_or_else(|| "Uncategorised".into());
        categories.entry(cat).or_default().push(json!({"slug": a.slug.as_str(), "title": a.front.title, "url": kb_url(a.slug.as_str()), "tags": a.front.tags}));
        pages.push(Page {
            path: kb_url(a.slug.as_str()),
            template: "kb-article.html",
            title: a.front.title.clone(),
            section: "kb",
            ctx: json!({"article": {"slug": a.slug.as_str(), "title": a.front.title, "category": a.front.category, "tags": a.front.tags,
                        "author": a.front.author.as_ref().map(|l| l.as_str()), "updated": a.front.updated.map(|u| u.to_string()),
                        "html": markdown::to_html(&a.body)}}),
        });
    }
    for list in categories.values_mut() {
        list.sort_by(|a, b| a["title"].as_str().cmp(&b["title"].as_str()));
    }
    let cats: Vec<Value> = categories
        .into_iter()
        .map(|(name, articles)| json!({"name": name, "articles": articles}))
        .collect();
    pages.push(Page {
        path: "kb/index.html".into(),
        template: "kb.html",
        title: "Knowledge Base".into(),
        section: "kb",
        ctx: json!({"categories": cats}),
    });

    // Closed and resolved tickets by month.
    let mut months: BTreeMap<String, Vec<&Ticket>> = BTreeMap::new();
    for t in tickets.iter().filter(|t| t.status.is_done()) {
        months.entry(done_month(t)).or_default().push(t);
    }
    let month_list: Vec<Value> = months
        .iter()
        .rev()
        .map(|(m, v)| json!({"month": m, "url": month_url(m), "count": v.len()}))
        .collect();
    for (m, mut v) in months {
        v.sort_by(|a, b| b.closed_at.cmp(&a.closed_at).then(b.id.cmp(&a.id)));
        for (path, rows, pager) in paginate(&month_url(&m), &v, shared, me) {
            pages.push(Page {
                path,
                template: "closed-month.html",
                title: format!("Closed and resolved in {m}"),
                section: "closed",
                ctx: json!({"month": m, "rows": rows, "paging": pager}),
            });
        }
    }
    pages.push(Page {
        path: "closed/index.html".into(),
        template: "closed.html",
        title: "Closed and resolved tickets".into(),
        section: "closed",
        ctx: json!({"months": month_list}),
    });

    // The technician's own inbox (only with --for).
    if let Some(me) = me {
        // Unread first, then newest first (as `msg inbox` lists them).
        let inbox: Vec<Value> = shared
            .inbox
            .iter()
            .map(|m| json!({"key": m.key.to_string(), "from": m.from.as_str(),
                "from_name": shared.staff(m.from.as_str()).map_or(m.from.as_str(), |s| s.display_name()),
                "to": m.to.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                "subject": m.subject, "at": m.at.to_string(), "read": m.read, "body": m.body}))
            .collect();
        pages.push(Page {
            path: "inbox.html".into(),
            template: "inbox.html",
            title: format!("Inbox of {me}"),
            section: "inbox",
            ctx: json!({"messages": inbox}),
        });
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_pages_of_a_list_sit_in_a_folder_named_after_the_first() {
        assert_eq!(page_url("queues/general.html", 1), "queues/general.html");
        assert_eq!(page_url("queues/general.html", 2), "queues/general/2.html");
        assert_eq!(
            page_url("closed/2026-01.html", 12),
            "closed/2026-01/12.html"
        );
    }
}
