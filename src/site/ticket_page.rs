//! One page per ticket: the whole thread first (customer messages, answers, internal notes
//! and auto-responses told apart; prose in a proportional font, code and quotes
//! monospace), then its details (status, queue, priority, assignee, sticky, owner account
//! and reseller, the tickets merged into it), the attachments (copied next to the page)
//! and its audit history, oldest first like the thread. Pages of changed tickets are
//! rendered on every core at once, each worker with its own reader of the desk.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde_json::json;

use super::audit::Audit;
use super::dashboard::ThreadSummary;
use super::data::{load_ticket, LoadedTicket};
use super::data::{Input, Shared};
use super::manifest::TicketRecord;
use super::output::OutDir;
use super::pages::ticket_url;
use super::render::page_context;
use super::rows::row;
use super::templates::Templates;
use super::{Progress, Result};
use crate::model::Login;
use crate::model::{MessageKind, TicketId};
use crate::store::{layout, FileError, Source};

/// A ticket to render: its id, content key, page key and history key.
pub struct Job {
    pub id: TicketId,
    pub key: String,
    pub page: String,
    pub audit: String,
}

/// Extensions of passive formats: served (by a web server or from `file://`) as types a
/// browser displays or downloads but never executes. Every other attachment is given a
/// `.txt` suffix, so HTML, SVG, XML, JavaScript — or anything a browser might sniff as
/// such — is shown as text instead of running with the site's origin.
const PASSIVE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "pdf", "txt", "log", "csv", "zip", "gz", "tgz",
    "tar", "7z", "doc", "docx", "xls", "xlsx", "odt", "ods", "ppt", "pptx", "mp3", "mp4", "wav",
];

/// The name an attachment gets in the site: only `[A-Za-z0-9._-]` (safe in any URL and on
/// any file system), never a dot name, and always ending in a passive extension (see
/// [`PASSIVE_EXTENSIONS`]): `resume.html` becomes `f-resume.html.txt`.
fn site_file_name(file: &str) -> String {
    let s: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = format!("f-{}", s.trim_start_matches('.'));
    let passive = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| PASSIVE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
    if passive {
        name
    } else {
        format!("{name}.txt")
    }
}

/// Bumped when [`site_file_name`] changes: every ticket page is rendered again and the
/// attachments under their old names are removed.
pub const ATTACHMENT_NAMING: &str = "attachments-inert-1";

fn kind_label(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Customer => "Customer",
        MessageKind::Answer => "Answer",
        MessageKind::Note => "Internal note",
        MessageKind::Autoresponse => "Auto-response",
    }
}

/// What rendering ticket pages needs; shared by the worker threads.
pub struct Renderer<'a> {
    pub input: &'a Input,
    pub shared: &'a Shared,
    pub templates: &'a Templates,
    pub me: Option<&'a Login>,
}

/// Renders one ticket page and copies its attachments; returns the files written.
fn render_one(
    r: &Renderer<'_>,
    src: &dyn Source,
    audit: &Audit,
    out: &OutDir,
    lt: &LoadedTicket,
    problems: &mut Vec<FileError>,
) -> Result<Vec<String>> {
    let shared = r.shared;
    let t = &lt.ticket;
    let me = r.me;
    let url = ticket_url(t.id);
    let dir = format!("tickets/{}/{}", t.id.bucket(), t.id);
    let mut files = vec![url.clone()];
    let mut messages = Vec::new();
    for (key, m) in &lt.messages {
        let mut attachments = Vec::new();
        for a in &m.attachments {
            let safe =
                !a.file.is_empty() && !a.file.contains(['/', '\\']) && !a.file.starts_with('.');
            let bytes = if safe {
                src.read(&layout::attachment(t.id, &a.file))?
            } else {
                None
            };
            let link = match bytes {
                Some(b) => {
                    let rel = format!("{dir}/{}", site_file_name(&a.file));
                    out.write(&rel, &b)?;
                    files.push(rel.clone());
                    Some(rel)
                }
                None => {
                    problems.push(FileError {
                        path: layout::attachment(t.id, &a.file),
                        line: None,
                        column: None,
                        message: "attachment missing or with an unsafe name; not copied".into(),
                    });
                    None
                }
            };
            attachments.push(json!({"name": a.name, "url": link, "size": a.size, "content_type": a.content_type}));
        }
        let staff = shared.staff(&m.author);
        messages.push(json!({
            "key": key.to_string(), "at": m.at.to_string(), "author": m.author,
            "author_name": staff.map_or(m.author.as_str(), |s| s.display_name()),
            "author_url": staff.map(|s| super::pages::staff_url(s.login.as_str())),
            "kind": m.kind.name(), "kind_label": kind_label(m.kind), "public": m.kind.is_public(),
            "body": m.body, "blocks": super::body::blocks(&m.body), "attachments": attachments,
        }));
    }
    let account = t.account.as_ref().map(|a| match shared.accounts.get(a) {
        Some(acc) => json!({"login": a.as_str(), "name": acc.name, "email": acc.email.to_string()}),
        None => json!({"login": a.as_str(), "name": null, "email": null}),
    });
    let reseller = shared
        .reseller_of(t)
        .map(|r| json!({"login": r.login.as_str(), "name": r.name}));
    let closed_by = t.closed_by.as_ref().map(|c| match shared.staff(c) {
        Some(s) => json!({"login": c, "name": s.display_name()}),
        None => json!({"login": c, "name": c}),
    });
    // Oldest first, as the thread.
    let history = audit.entries(t.id).map(|entries| {
        entries
            .iter()
            .rev()
            .map(|e| json!({"commit": &e.commit[..e.commit.len().min(10)], "at": e.at.to_string(), "who": e.who,
                            "op": e.op, "subject": e.subject}))
            .collect::<Vec<_>>()
    });
    let ctx = json!({
        "ticket": row(t, Some(&ThreadSummary::of(&lt.messages)), shared, me, None),
        "detail": {
            "account": account, "reseller": reseller,
            "cc": t.cc.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            "first_answered_at": t.first_answered_at.map(|x| x.to_string()),
            "answered_at": t.answered_at.map(|x| x.to_string()),
            "closed_by": closed_by,
            "merged_from": t.merged_from.iter().map(|id| id.get()).collect::<Vec<_>>(),
            "fields": t.fields.iter().map(|(name, value)| json!({
                "name": name.as_str(), "value": value,
                "label": shared.settings.fields.iter().find(|d| &d.name == name).map_or(name.as_str(), |d| d.label()),
            })).collect::<Vec<_>>(),
            "snoozed_until": t.snoozed_until.map(|x| x.to_string()),
        },
        "messages": messages,
        "history": history,
        "problems": lt.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
    });
    let title = format!("#{} {}", t.id, t.title);
    let ctx = page_context(shared, me, &url, &title, "ticket", ctx);
    let html = r.templates.render("ticket.html", &ctx)?;
    out.write(&url, html.as_bytes())?;
    Ok(files)
}

/// The manifest record of a ticket.
fn record(
    job: &Job,
    lt: std::result::Result<&LoadedTicket, &FileError>,
    files: Vec<String>,
) -> TicketRecord {
    match lt {
        Ok(lt) => TicketRecord {
            key: job.key.clone(),
            page: job.page.clone(),
            audit: job.audit.clone(),
            ticket: Some(lt.ticket.clone()),
            problem: None,
            messages: lt.messages.len() as u32,
            thread: Some(ThreadSummary::of(&lt.messages)),
            words: super::search::joined(super::search::thread_words(
                lt.messages.iter().map(|(_, m)| (m.kind, m.body.as_str())),
            )),
            files,
        },
        Err(p) => TicketRecord {
            key: job.key.clone(),
            page: job.page.clone(),
            audit: job.audit.clone(),
            ticket: None,
            problem: Some(p.to_string()),
            messages: 0,
            thread: None,
            words: String::new(),
            files,
        },
    }
}

/// The records of the rendered tickets, and the problems met.
pub type Rendered = (Vec<(TicketId, TicketRecord)>, Vec<FileError>);

/// Renders the pages of `jobs` on up to `threads` workers.
/// Tickets a rendering thread reads through one repository.
const SLICE: usize = 10_000;

pub fn render_all(
    r: &Renderer<'_>,
    jobs: &[Job],
    audit: &Audit,
    out: &OutDir,
    progress: &dyn Progress,
) -> Result<Rendered> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let threads = threads.min(jobs.len().div_ceil(16)).max(1);
    let failed = AtomicBool::new(false);
    let results = Mutex::new((Vec::with_capacity(jobs.len()), Vec::new()));
    let worker = |part: usize| -> Result<()> {
        let mut src = r.input.fresh_source();
        let mut records = Vec::new();
        let mut problems = Vec::new();
        for (n, job) in jobs.iter().skip(part).step_by(threads).enumerate() {
            if failed.load(Ordering::Relaxed) {
                return Ok(());
            }
            // A repository of its own per slice of tickets: what a slice read of the pack
            // is unmapped after it (a full build of 1M tickets reads the whole pack).
            if n > 0 && n % SLICE == 0 {
                src = r.input.fresh_source();
            }
            let loaded = load_ticket(src.as_ref(), job.id)?;
            let rec = match &loaded {
                Ok(lt) => {
                    problems.extend(lt.problems.iter().cloned());
                    let files = render_one(r, src.as_ref(), audit, out, lt, &mut problems)?;
                    record(job, Ok(lt), files)
                }
                Err(p) => {
                    problems.push(p.clone());
                    record(job, Err(p), vec![])
                }
            };
            records.push((job.id, rec));
            progress.advance(1);
        }
        let mut r = results.lock().unwrap_or_else(|e| e.into_inner());
        r.0.extend(records);
        r.1.extend(problems);
        Ok(())
    };
    let outcome: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let w = &worker;
                let failed = &failed;
                s.spawn(move || {
                    let r = w(i);
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    r
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for r in outcome {
        r?;
    }
    let (mut records, problems) = results.into_inner().unwrap_or_else(|e| e.into_inner());
    records.sort_by_key(|(id, _)| *id);
    Ok((records, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_are_safe_in_urls() {
        assert_eq!(
            site_file_name("20261005T075831Z-x-3c9a-error log#1.txt"),
            "f-20261005T075831Z-x-3c9a-error_log_1.txt"
        );
        assert_eq!(site_file_name("..x"), "f-x.txt");
        assert_eq!(site_file_name("ü.png"), "f-_.png");
    }

    #[test]
    fn active_attachments_get_an_inert_name() {
        for (file, site) in [
            ("k-resume.html", "f-k-resume.html.txt"),
            ("k-a.HTM", "f-k-a.HTM.txt"),
            ("k-a.xhtml", "f-k-a.xhtml.txt"),
            ("k-logo.svg", "f-k-logo.svg.txt"),
            ("k-feed.xml", "f-k-feed.xml.txt"),
            ("k-x.js", "f-k-x.js.txt"),
            ("k-x.mjs", "f-k-x.mjs.txt"),
            ("k-noext", "f-k-noext.txt"),
            ("k-x.html.", "f-k-x.html..txt"),
            ("k-shot.PNG", "f-k-shot.PNG"),
            ("k-report.pdf", "f-k-report.pdf"),
        ] {
            assert_eq!(site_file_name(file), site, "{file}");
        }
    }
}
