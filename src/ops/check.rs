//! `check`: validates every file of a desk and the references between them, and lists every
//! problem found (file, line, what) rather than stopping at the first.

use std::collections::BTreeSet;

use crate::model::{Login, Role, Slug, Status};
use crate::store::{layout, DeskRead, FileError, Loaded, Source};

use super::error::Result;

#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<FileError>,
    /// Worth knowing but not wrong: tickets without a value for a field their queue
    /// requires (made by mail, or before the field was declared).
    pub notices: Vec<FileError>,
    pub tickets: usize,
    pub messages: usize,
    pub files: usize,
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> FileError {
    FileError {
        path: path.into(),
        line: None,
        column: None,
        message: message.into(),
    }
}

fn take<T>(report: &mut Report, loaded: Loaded<T>) -> Vec<T> {
    report.files += loaded.items.len() + loaded.problems.len();
    report.problems.extend(loaded.problems);
    loaded.items
}

/// `ids.yaml`, when present, must be at least every id present: otherwise the next create
/// would hand out a number again.
fn check_id_marks(src: &(impl Source + ?Sized), r: &mut Report) -> Result<()> {
    let marks = match src.id_marks() {
        Ok(Some(m)) => m,
        Ok(None) => return Ok(()),
        Err(crate::store::StoreError::File(f)) => {
            r.problems.push(f);
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    r.files += 1;
    let ticket = src.max_ticket_id()?.map_or(0, |t| t.get());
    let task = src.max_task_id()?.map_or(0, |t| t.get());
    for (field, mark, present, kind) in [
        ("last_ticket", marks.last_ticket, ticket, "ticket"),
        ("last_task", marks.last_task, task, "task"),
    ] {
        if mark < present {
            r.problems.push(problem(
                layout::IDS_FILE,
                format!(
                    "{field} is {mark} but {kind} {present} exists; set it to {present} or more so no id is handed out twice"
                ),
            ));
        }
    }
    Ok(())
}

/// `desk.yaml`'s custom field declarations: well formed, naming queues that exist.
fn check_field_defs(s: &crate::model::Settings, queues: &BTreeSet<Slug>, r: &mut Report) {
    for p in crate::model::field::check_defs(&s.fields) {
        r.problems.push(problem(layout::DESK_FILE, p));
    }
    for d in &s.fields {
        for q in d.queues.iter().filter(|q| !queues.contains(*q)) {
            r.problems.push(problem(
                layout::DESK_FILE,
                format!(
                    "fields: `{}` names queue `{q}`, which is not a queue in queues/",
                    d.name
                ),
            ));
        }
    }
}

/// A ticket's custom field values (problems), and the required ones an open ticket lacks
/// (notices: mail cannot fill them in).
fn check_ticket_fields(
    defs: &[crate::model::FieldDef],
    t: &crate::model::Ticket,
    path: &str,
    r: &mut Report,
) {
    for p in crate::model::field::check_ticket(defs, t) {
        r.problems.push(problem(path, p));
    }
    if t.status.is_done() {
        return;
    }
    for d in crate::model::field::missing_required(defs, t) {
        r.notices.push(problem(
            path,
            format!(
                "fields.{}: required in queue `{}` but not set (`git desk ticket edit {} --field {}=…`)",
                d.name, t.queue, t.id, d.name
            ),
        ));
    }
}

pub fn check(src: &(impl Source + ?Sized)) -> Result<Report> {
    let mut r = Report::default();
    let settings = match src.settings() {
        Ok(s) => Some(s),
        Err(crate::store::StoreError::File(f)) => {
            r.problems.push(f);
            None
        }
        Err(e) => return Err(e.into()),
    };
    r.files += 1;

    let queues = take(&mut r, src.all_queues()?);
    let queue_set: BTreeSet<Slug> = queues.iter().map(|q| q.slug.clone()).collect();
    if queues.is_empty() {
        r.problems
            .push(problem(layout::QUEUES_DIR, "the desk has no queue"));
    }
    if let Some(s) = &settings {
        if !queue_set.contains(&s.default_queue) {
            r.problems.push(problem(
                layout::DESK_FILE,
                format!(
                    "default_queue `{}` is not a queue in queues/",
                    s.default_queue
                ),
            ));
        }
    }

    if let Some(s) = &settings {
        check_field_defs(s, &queue_set, &mut r);
    }
    let field_defs = settings
        .as_ref()
        .map(|s| s.fields.clone())
        .unwrap_or_default();

    let staff = take(&mut r, src.all_staff()?);
    let staff_set: BTreeSet<Login> = staff.iter().map(|s| s.login.clone()).collect();
    if !staff.iter().any(|s| s.role == Role::Main && s.active) {
        r.problems
            .push(problem(layout::STAFF_DIR, "no active main admin"));
    }
    for (i, s) in staff.iter().enumerate() {
        let Some(email) = &s.email else { continue };
        if let Some(first) = staff[..i]
            .iter()
            .find(|o| o.email.as_ref().is_some_and(|e| e.same_as(email.as_str())))
        {
            r.problems.push(problem(
                layout::staff(&s.login),
                format!(
                    "email: <{email}> is also the e-mail of {} (commits could not tell them apart)",
                    first.login
                ),
            ));
        }
    }
    for s in &staff {
        for q in &s.queues {
            if !queue_set.contains(q) {
                r.problems.push(problem(
                    layout::staff(&s.login),
                    format!("queues: no queue `{q}`"),
                ));
            }
        }
    }

    let resellers = take(&mut r, src.all_resellers()?);
    let reseller_set: BTreeSet<Login> = resellers.iter().map(|x| x.login.clone()).collect();
    let accounts = take(&mut r, src.all_accounts()?);
    let account_set: BTreeSet<Login> = accounts.iter().map(|a| a.login.clone()).collect();
    for a in &accounts {
        if let Some(res) = &a.reseller {
            if !reseller_set.contains(res) {
                r.problems.push(problem(
                    layout::account(&a.login),
                    format!("reseller: no reseller `{res}`"),
                ));
            }
        }
    }

    check_id_marks(src, &mut r)?;

    let ids = src.ticket_ids()?;
    r.problems.extend(ids.problems);
    for id in ids.items {
        let path = layout::ticket_file(id);
        let t = match src.ticket(id) {
            Ok(Some(t)) => t,
            Ok(None) => {
                r.problems.push(problem(&path, "missing"));
                continue;
            }
            Err(crate::store::StoreError::File(f)) => {
                r.problems.push(f);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        r.tickets += 1;
        r.files += 1;
        if !queue_set.contains(&t.queue) {
            r.problems
                .push(problem(&path, format!("queue: no queue `{}`", t.queue)));
        }
        if let Some(a) = &t.assignee {
            if !staff_set.contains(a) {
                r.problems
                    .push(problem(&path, format!("assignee: no staff member `{a}`")));
            }
        }
        if let Some(a) = &t.account {
            if !account_set.contains(a) {
                r.problems
                    .push(problem(&path, format!("account: no account `{a}`")));
            }
        }
        if let Some(p) = t.tag_problem() {
            r.problems.push(problem(&path, p));
        }
        check_ticket_fields(&field_defs, &t, &path, &mut r);
        if t.updated_at < t.created_at {
            r.problems
                .push(problem(&path, "updated_at is before created_at"));
        }
        if t.status.is_done() != t.closed_at.is_some() {
            let msg = if t.status.is_done() {
                format!("status is {} but closed_at is not set", t.status)
            } else {
                format!("status is {} but closed_at is set", t.status)
            };
            r.problems.push(problem(&path, msg));
        }
        if t.status == Status::Answered && t.answered_at.is_none() {
            r.problems.push(problem(
                &path,
                "status is answered but answered_at is not set",
            ));
        }
        let msgs = src.messages(id)?;
        let msgs = take(&mut r, msgs);
        r.messages += msgs.len();
        for (key, m) in &msgs {
            for att in &m.attachments {
                let file_path = layout::attachment(id, &att.file);
                if att.file.contains('/') || att.file.starts_with('.') {
                    r.problems.push(problem(
                        layout::message(id, key),
                        format!("attachment file `{}` is not a plain file name", att.file),
                    ));
                    continue;
                }
                match src.read(&file_path)? {
                    None => r.problems.push(problem(
                        layout::message(id, key),
                        format!("attachment `{}` is missing ({file_path})", att.name),
                    )),
                    Some(b) if b.len() as u64 != att.size => r.problems.push(problem(
                        layout::message(id, key),
                        format!(
                            "attachment `{}` has {} bytes, the message says {}",
                            att.name,
                            b.len(),
                            att.size
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
    }

    let task_ids = src.task_ids()?;
    r.problems.extend(task_ids.problems);
    for id in task_ids.items {
        let path = layout::task_file(id);
        match src.task(id) {
            Ok(Some(t)) => {
                r.files += 1;
                for who in [&t.assignee, &t.created_by] {
                    if !staff_set.contains(who) {
                        r.problems
                            .push(problem(&path, format!("no staff member `{who}`")));
                    }
                }
            }
            Ok(None) => r.problems.push(problem(&path, "missing")),
            Err(crate::store::StoreError::File(f)) => r.problems.push(f),
            Err(e) => return Err(e.into()),
        }
        take(&mut r, src.task_notes(id)?);
    }

    for owner in src.inbox_owners()? {
        if !staff_set.contains(&owner) {
            r.problems.push(problem(
                layout::inbox_dir(&owner),
                format!("inbox of `{owner}`, who is not a staff member"),
            ));
        }
        for (key, m) in take(&mut r, src.inbox(&owner)?) {
            if m.content() == crate::model::PmContent::Missing {
                r.problems.push(problem(
                    layout::inbox_message(&owner, &key),
                    "a private message needs `sealed` (or, from before encryption, `subject` and `body`)",
                ));
            }
        }
    }
    take(&mut r, src.all_kb()?);
    for reply in take(&mut r, src.all_replies()?) {
        r.problems.extend(super::reply::render::problem(&reply));
        for q in reply
            .front
            .queues
            .iter()
            .filter(|q| !queue_set.contains(*q))
        {
            r.problems.push(problem(
                layout::reply(&reply.slug),
                format!("queues: no queue `{q}`"),
            ));
        }
    }
    for m in take(&mut r, src.all_macros()?) {
        for p in super::macros::problems(src, &m)? {
            r.problems.push(problem(layout::macro_file(&m.slug), p));
        }
    }
    for (key, mail) in take(&mut r, src.outbox()?) {
        for path in &mail.attachments {
            let inside = path.starts_with("tickets/")
                && path
                    .split('/')
                    .all(|p| !p.is_empty() && p != "." && p != "..");
            if !inside {
                r.problems.push(problem(
                    layout::outbox(&key),
                    format!("attachment `{path}` is not a file under tickets/"),
                ));
            }
        }
    }
    r.problems
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    r.notices.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(r)
}
