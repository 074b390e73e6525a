//! The pages other than tickets and statistics, as template contexts: the dashboard, one
//! page per queue and per technician, task administration and each task, the knowledge
//! base, closed and resolved tickets by month, and the `--for` inbox. Each is built from
//! the shared data and the ticket summaries of the manifest, so no unchanged ticket is read.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::data::Shared;
use super::markdown;
use super::rows::{list, row, split, view_count, Item, Row};
use crate::model::{Date, Login, Status, TaskStatus, Ticket, TicketId, Timestamp};
use crate::store::history::content_hash;

/// A page to render: where, with which template, and its own context.
pub struct Page {
    pub path: String,
    pub template: &'static str,
    pub title: String,
    /// The navigation entry it belongs to.
    pub section: &'static str,
    pub ctx: Value,
}

/// A page whose context is made only when it is rendered: its key, from what the
/// context is made of, is known without making it (a closed month's list: the page keys
/// of its tickets), so an unchanged page costs nothing.
pub struct LazyPage<'a> {
    pub path: String,
    pub template: &'static str,
    pub title: String,
    pub section: &'static str,
    /// Changes whenever the context would.
    pub key: String,
    pub make: Box<dyn Fn() -> Value + 'a>,
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
/// page's path, items and pager (links to every page, previous and next).
fn paginate<'a, 'b>(first: &str, items: &'b [Item<'a>]) -> Vec<(String, &'b [Item<'a>], Value)> {
    let pages = items.len().div_ceil(PAGE_ROWS).max(1);
    let links: Vec<Value> = (1..=pages)
        .map(|n| json!({"n": n, "url": page_url(first, n)}))
        .collect();
    (1..=pages)
        .map(|n| {
            let from = ((n - 1) * PAGE_ROWS).min(items.len());
            let to = (n * PAGE_ROWS).min(items.len());
            let pager = json!({"page": n, "pages": pages, "total": items.len(),
                "from": from + 1, "to": to,
                "links": if pages > 1 { links.clone() } else { vec![] },
                "prev": (n > 1).then(|| page_url(first, n - 1)),
                "next": (n < pages).then(|| page_url(first, n + 1))});
            (page_url(first, n), &items[from..to], pager)
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

/// Every page of this module. `now` is the build time: ages on the lists are measured
/// from it. `page_key` gives the key of a ticket's page (its content, the shared inputs
/// and its history), which the closed lists are keyed by.
pub fn all<'a>(
    shared: &'a Shared,
    tickets: &[Item<'a>],
    me: Option<&'a Login>,
    now: Timestamp,
    page_key: &dyn Fn(TicketId) -> &'a str,
) -> (Vec<Page>, Vec<LazyPage<'a>>) {
    let today = now.date();
    let mut pages = Vec::new();
    let mut lazy = Vec::new();
    dashboard_page(&mut pages, shared, tickets, me, now);
    queue_pages(&mut pages, &mut lazy, shared, tickets, me, now, page_key);
    staff_pages(&mut pages, &mut lazy, shared, tickets, me, now, page_key);
    task_pages(&mut pages, shared, tickets, today);
    kb_pages(&mut pages, shared);
    closed_pages(&mut pages, &mut lazy, shared, tickets, me, page_key);
    if let Some(me) = me {
        inbox_page(&mut pages, shared, me);
    }
    (pages, lazy)
}

/// `2026-12-06 09:14 UTC`
fn as_of(now: Timestamp) -> String {
    let s = now.to_string();
    format!("{} {} UTC", &s[..10], &s[11..16])
}

fn dashboard_page(
    pages: &mut Vec<Page>,
    shared: &Shared,
    tickets: &[Item<'_>],
    me: Option<&Login>,
    now: Timestamp,
) {
    let today = now.date();
    let mut views = Vec::new();
    let mine = me.map(|m| {
        let (work, waiting) = split(tickets.iter().copied().filter(|(t, _)| t.is_assigned_to(m)), now);
        views.push(view_count("My tickets".into(), "index.html#mine".into(), &work, waiting.len(), now));
        json!({"work": list(&work, shared, me, now, DASHBOARD_ROWS), "waiting": list(&waiting, shared, me, now, DASHBOARD_ROWS)})
    });
    let (work, waiting) = split(
        tickets
            .iter()
            .copied()
            .filter(|(t, _)| t.assignee.is_none()),
        now,
    );
    views.push(view_count(
        "New Unassigned".into(),
        "index.html#unassigned".into(),
        &work,
        waiting.len(),
        now,
    ));
    let unassigned = json!({"work": list(&work, shared, me, now, DASHBOARD_ROWS), "waiting": list(&waiting, shared, me, now, DASHBOARD_ROWS)});
    for q in &shared.queues {
        let (work, waiting) = split(
            tickets.iter().copied().filter(|(t, _)| t.queue == q.slug),
            now,
        );
        views.push(view_count(
            format!("Queue: {}", q.name),
            queue_url(q.slug.as_str()),
            &work,
            waiting.len(),
            now,
        ));
    }
    let soon = today.plus_days(7);
    let mut due: Vec<&crate::model::Task> = shared
        .tasks
        .iter()
        .map(|(t, _)| t)
        .filter(|t| t.status == TaskStatus::Open && t.due.is_some_and(|d| d <= soon))
        .collect();
    due.sort_by_key(|t| (t.due, t.id));
    let mut recent: Vec<Item> = tickets.to_vec();
    recent.sort_by(|(a, _), (b, _)| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    let recent: Vec<Row> = recent
        .into_iter()
        .take(15)
        .map(|(t, s)| row(t, s, shared, me, Some(now)))
        .collect();
    let working = tickets.iter().filter(|(t, _)| !t.status.is_done()).count();
    pages.push(Page {
        path: "index.html".into(),
        template: "index.html",
        title: "Dashboard".into(),
        section: "dashboard",
        ctx: json!({
            "views": views, "unassigned": unassigned, "mine": mine,
            "due_tasks": due.iter().map(|t| task_row(t, shared, today)).collect::<Vec<_>>(),
            "recent": recent, "today": today.to_string(), "as_of": as_of(now), "built_at": now.to_string(),
            "total_tickets": tickets.len(), "working_tickets": working,
        }),
    });
}

/// New, open and answered tickets of a list.
fn counts(items: &[Item<'_>]) -> Value {
    let n = |st: Status| items.iter().filter(|(t, _)| t.status == st).count();
    let (new, open, answered) = (n(Status::New), n(Status::Open), n(Status::Answered));
    json!({"new": new, "open": open, "answered": answered, "needs_work": new + open, "total": new + open + answered})
}

/// What a working list page (a queue's, a technician's) is, apart from its rows.
struct ListPage<'a> {
    first: String,
    template: &'static str,
    title: String,
    section: &'static str,
    /// The rest of the page's context (the queue, the person, the counts).
    ctx: Value,
    shared: &'a Shared,
    me: Option<&'a Login>,
}

/// The pages of a working list (a queue, a technician): the tickets that need work first,
/// then those waiting on the customer, cut into pages. Their rows show when each wait
/// began, not how long it is (the page's script says that), so a page is the same at any
/// time until a row changes or moves: each is keyed by its rows' page keys in order, and
/// made only when that key changed.
fn work_pages<'a>(
    lazy: &mut Vec<LazyPage<'a>>,
    list: ListPage<'a>,
    items: &[Item<'a>],
    now: Timestamp,
    page_key: &dyn Fn(TicketId) -> &'a str,
) {
    let (work, waiting) = split(items.iter().copied(), now);
    let totals = (work.len(), waiting.len());
    let all: Vec<Item> = work.iter().chain(&waiting).copied().collect();
    let rest = list.ctx.to_string();
    for (path, chunk, pager) in paginate(&list.first, &all) {
        let mut parts: Vec<&[u8]> = vec![rest.as_bytes()];
        let pager_text = pager.to_string();
        let totals_text = format!("{totals:?}");
        parts.push(pager_text.as_bytes());
        parts.push(totals_text.as_bytes());
        parts.extend(chunk.iter().map(|(t, _)| page_key(t.id).as_bytes()));
        let key = content_hash(parts);
        let items: Vec<Item<'a>> = chunk.to_vec();
        let (shared, me) = (list.shared, list.me);
        let base = list.ctx.clone();
        lazy.push(LazyPage {
            path,
            template: list.template,
            title: list.title.clone(),
            section: list.section,
            key,
            make: Box::new(move || {
                let rows: Vec<Row> = items
                    .iter()
                    .map(|(t, s)| row(t, *s, shared, me, None))
                    .collect();
                let (w, a): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.needs_work);
                let mut ctx = base.clone();
                ctx["list"] = json!({"work": {"rows": w, "total": totals.0, "more": 0},
                                     "waiting": {"rows": a, "total": totals.1, "more": 0}});
                ctx["paging"] = pager.clone();
                ctx
            }),
        });
    }
}

fn queue_pages<'a>(
    pages: &mut Vec<Page>,
    lazy: &mut Vec<LazyPage<'a>>,
    shared: &'a Shared,
    tickets: &[Item<'a>],
    me: Option<&'a Login>,
    now: Timestamp,
    page_key: &dyn Fn(TicketId) -> &'a str,
) {
    let mut index = Vec::new();
    for q in &shared.queues {
        let items: Vec<Item> = tickets
            .iter()
            .copied()
            .filter(|(t, _)| t.queue == q.slug && !t.status.is_done())
            .collect();
        let done = tickets
            .iter()
            .filter(|(t, _)| t.queue == q.slug && t.status.is_done())
            .count();
        let counts = counts(&items);
        let (work, waiting) = split(items.iter().copied(), now);
        index.push(json!({"name": q.name, "url": queue_url(q.slug.as_str()), "email": q.email.as_ref().map(|e| e.to_string()),
            "counts": counts, "done": done, "view": view_count(q.name.clone(), queue_url(q.slug.as_str()), &work, waiting.len(), now)}));
        let ctx = json!({
            "queue": {"slug": q.slug.as_str(), "name": q.name, "email": q.email.as_ref().map(|e| e.to_string())},
            "counts": counts, "done": done,
        });
        let list = ListPage {
            first: queue_url(q.slug.as_str()),
            template: "queue.html",
            title: format!("Queue: {}", q.name),
            section: "queues",
            ctx,
            shared,
            me,
        };
        work_pages(lazy, list, &items, now, page_key);
    }
    pages.push(Page {
        path: "queues/index.html".into(),
        template: "queues.html",
        title: "Queues".into(),
        section: "queues",
        ctx: json!({"queues": index, "as_of": as_of(now), "built_at": now.to_string()}),
    });
}

#[allow(clippy::too_many_arguments)]
fn staff_pages<'a>(
    pages: &mut Vec<Page>,
    lazy: &mut Vec<LazyPage<'a>>,
    shared: &'a Shared,
    tickets: &[Item<'a>],
    me: Option<&'a Login>,
    now: Timestamp,
    page_key: &dyn Fn(TicketId) -> &'a str,
) {
    let today = now.date();
    let mut index = Vec::new();
    for s in &shared.staff {
        let items: Vec<Item> = tickets
            .iter()
            .copied()
            .filter(|(t, _)| t.is_assigned_to(&s.login) && !t.status.is_done())
            .collect();
        let mut tasks: Vec<&crate::model::Task> = shared
            .tasks
            .iter()
            .map(|(t, _)| t)
            .filter(|t| t.assignee == s.login)
            .collect();
        tasks.sort_by_key(|t| (t.status, t.due.is_none(), t.due, t.id));
        let person = json!({"login": s.login.as_str(), "name": s.display_name(), "email": s.email.as_ref().map(|e| e.to_string()),
                           "role": s.role.to_string(), "active": s.active, "url": staff_url(s.login.as_str()),
                           "queues": s.queues.iter().map(|q| json!({"slug": q.as_str(), "url": shared.queue(q.as_str()).map(|_| queue_url(q.as_str()))})).collect::<Vec<_>>()});
        let (work, waiting) = split(items.iter().copied(), now);
        index.push(json!({"person": person, "counts": counts(&items),
            "view": view_count(s.display_name().to_owned(), staff_url(s.login.as_str()), &work, waiting.len(), now),
            "open_tasks": tasks.iter().filter(|t| t.status == TaskStatus::Open).count()}));
        let tasks: Vec<Value> = tasks.iter().map(|t| task_row(t, shared, today)).collect();
        let list = ListPage {
            first: staff_url(s.login.as_str()),
            template: "staff.html",
            title: s.display_name().to_owned(),
            section: "staff",
            ctx: json!({"person": person, "is_me": me == Some(&s.login), "tasks": tasks}),
            shared,
            me,
        };
        work_pages(lazy, list, &items, now, page_key);
    }
    pages.push(Page {
        path: "staff/index.html".into(),
        template: "staff-index.html",
        title: "Technicians".into(),
        section: "staff",
        ctx: json!({"staff": index, "as_of": as_of(now), "built_at": now.to_string()}),
    });
}

fn task_pages(pages: &mut Vec<Page>, shared: &Shared, tickets: &[Item<'_>], today: Date) {
    let known: std::collections::BTreeSet<u64> = tickets.iter().map(|(t, _)| t.id.get()).collect();
    let link_ticket = |id: TicketId| json!({"id": id.get(), "url": known.contains(&id.get()).then(|| ticket_url(id))});
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
}

fn kb_pages(pages: &mut Vec<Page>, shared: &Shared) {
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
}

fn closed_pages<'a>(
    pages: &mut Vec<Page>,
    lazy: &mut Vec<LazyPage<'a>>,
    shared: &'a Shared,
    tickets: &[Item<'a>],
    me: Option<&'a Login>,
    page_key: &dyn Fn(TicketId) -> &'a str,
) {
    // Closed and resolved tickets by month.
    let mut months: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for (t, s) in tickets.iter().filter(|(t, _)| t.status.is_done()) {
        months.entry(done_month(t)).or_default().push((t, *s));
    }
    let month_list: Vec<Value> = months
        .iter()
        .rev()
        .map(|(m, v)| json!({"month": m, "url": month_url(m), "count": v.len()}))
        .collect();
    for (m, mut v) in months {
        v.sort_by(|(a, _), (b, _)| b.closed_at.cmp(&a.closed_at).then(b.id.cmp(&a.id)));
        for (path, items, pager) in paginate(&month_url(&m), &v) {
            // The rows show no ages: each is made of its ticket's content and the shared
            // inputs alone, which its page key covers.
            let mut parts: Vec<Vec<u8>> =
                vec![m.as_bytes().to_vec(), pager.to_string().into_bytes()];
            parts.extend(
                items
                    .iter()
                    .map(|(t, _)| page_key(t.id).as_bytes().to_vec()),
            );
            let key = content_hash(parts.iter().map(Vec::as_slice));
            let items: Vec<Item<'a>> = items.to_vec();
            let month = m.clone();
            lazy.push(LazyPage {
                path,
                template: "closed-month.html",
                title: format!("Closed and resolved in {m}"),
                section: "closed",
                key,
                make: Box::new(move || {
                    let rows: Vec<Row> = items
                        .iter()
                        .map(|(t, s)| row(t, *s, shared, me, None))
                        .collect();
                    json!({"month": month, "rows": rows, "paging": pager})
                }),
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
}

fn inbox_page(pages: &mut Vec<Page>, shared: &Shared, me: &Login) {
    // The technician's own inbox (only with --for): unread first, then newest first (as
    // `msg inbox` lists them; `shared.inbox` comes in that order).
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
