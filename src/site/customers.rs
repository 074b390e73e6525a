//! Customer status pages (`git desk site build --customers DIR`, or the `site.customers`
//! setting): one self-contained page per ticket that its customer may be sent a link to,
//! showing the desk's name, the ticket's title and status, and the customer-visible
//! thread only — the customer's messages and the answers. Never notes, auto-responses,
//! the assignee, the queue, the account, other tickets, or a link into the staff site.
//!
//! - The page of ticket N is `DIR/<token>.html`, `token` = the first 32 hex digits of
//!   HMAC-SHA256(secret, "git-desk customer page\0" + N): 128 bits nobody can work out
//!   from the id without the secret.
//! - The secret is 32 random bytes from the operating system, kept outside the repository
//!   in the desk's cache directory (`.git/desk/customer-secret`), made on first use and
//!   never committed or pushed. `git desk site rotate-secret` replaces it: every link
//!   changes, and the next build removes the pages at the old paths.
//! - Pages carry their style inline and no link at all, so they work from `file://` and
//!   from any web-server sub-path. Every build writes every page (a few KB each).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::body::{blocks, Block};
use super::data::{load_ticket, Input};
use super::output::{write_atomic, OutDir};
use super::templates::Templates;
use super::{Result, SiteError};
use crate::model::{MessageKind, Status, TicketId, Timestamp};
use crate::store::{Desk, DeskRead, FileError};

/// The file, in the desk's cache directory, that holds the secret.
pub const SECRET_FILE: &str = "customer-secret";

/// The secret's path for `desk`.
pub fn secret_path(desk: &Desk) -> PathBuf {
    desk.cache_dir().join(SECRET_FILE)
}

fn fresh_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        SiteError::io(
            "the operating system's random source",
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
}

/// The secret, made (readable by the owner only) when there is none yet.
pub fn secret(desk: &Desk) -> Result<Vec<u8>> {
    let path = secret_path(desk);
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(SiteError::io(
                &path,
                std::io::Error::other(
                    "too short to be a secret; remove it or run `git desk site rotate-secret`",
                ),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(SiteError::io(path, e)),
    }
    write_secret(&path, &fresh_secret()?)?;
    Ok(std::fs::read_to_string(&path)
        .map_err(|e| SiteError::io(&path, e))?
        .trim()
        .as_bytes()
        .to_vec())
}

fn write_secret(path: &Path, s: &str) -> Result<()> {
    write_atomic(path, s.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| SiteError::io(path, e))?;
    }
    Ok(())
}

/// Replaces the secret: every customer link changes.
pub fn rotate_secret(desk: &Desk) -> Result<PathBuf> {
    let path = secret_path(desk);
    write_secret(&path, &fresh_secret()?)?;
    Ok(path)
}

/// The unguessable name of ticket `id`'s page under `secret`.
pub fn token(secret: &[u8], id: TicketId) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"git-desk customer page\0");
    mac.update(id.get().to_string().as_bytes());
    let out = mac.finalize().into_bytes();
    out[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The file name of ticket `id`'s page.
pub fn page_name(secret: &[u8], id: TicketId) -> String {
    format!("{}.html", token(secret, id))
}

/// Whether `name` looks like a page this module writes (`<32 hex>.html`).
fn is_page_name(name: &str) -> bool {
    name.strip_suffix(".html")
        .is_some_and(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What a customer build did.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerSummary {
    pub dir: PathBuf,
    /// Pages written, one per readable ticket.
    pub written: usize,
    /// Pages at old paths (deleted tickets, a rotated secret) removed.
    pub removed: usize,
    pub problems: Vec<String>,
}

#[derive(Serialize)]
struct Msg {
    at: String,
    /// `customer` or `answer`.
    kind: &'static str,
    blocks: Vec<Block>,
    /// Attachment names (the files are not published).
    attachments: Vec<String>,
}

/// How the status reads to a customer.
fn status_text(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::New => ("Received", "We have your request and will answer soon."),
        Status::Open => ("In progress", "We are working on your request."),
        Status::Answered => (
            "Answered",
            "We have answered: we are waiting for your reply.",
        ),
        Status::Resolved => (
            "Resolved",
            "We consider this request resolved. Reply by e-mail if it is not.",
        ),
        Status::Closed => (
            "Closed",
            "This request is closed. Reply by e-mail to open it again.",
        ),
    }
}

/// Writes the customer page of every ticket into `dir` and removes pages at old paths.
pub fn build(
    desk: &Desk,
    dir: &Path,
    site_out: Option<&Path>,
    now: Timestamp,
) -> Result<CustomerSummary> {
    let out = OutDir::prepare(dir, desk)?;
    if let Some(site) = site_out {
        let site = super::output::normalize(site);
        if out.path().starts_with(&site) || site.starts_with(out.path()) {
            return Err(SiteError::OutDir {
                path: out.path().to_path_buf(),
                reason: "the customer pages and the staff site must not share a folder".into(),
            });
        }
    }
    let secret = secret(desk)?;
    let templates = Templates::load(desk.reader()?.as_ref())?;
    let input = Input::of(desk)?;
    let src = input.source();
    let settings = src.settings()?;
    let ids = src.ticket_ids()?;
    let mut problems: Vec<String> = ids.problems.iter().map(FileError::to_string).collect();
    let mut keep = BTreeSet::new();
    let desk_name = settings
        .site
        .title
        .clone()
        .unwrap_or_else(|| settings.name.clone());
    for id in ids.items {
        let lt = match load_ticket(src.as_ref(), id)? {
            Ok(lt) => lt,
            Err(p) => {
                problems.push(p.to_string());
                continue;
            }
        };
        let t = &lt.ticket;
        let mut messages: Vec<Msg> = lt
            .messages
            .iter()
            .filter(|(_, m)| matches!(m.kind, MessageKind::Customer | MessageKind::Answer))
            .map(|(_, m)| Msg {
                at: m.at.to_string(),
                kind: m.kind.name(),
                blocks: blocks(&m.body),
                attachments: m.attachments.iter().map(|a| a.name.clone()).collect(),
            })
            .collect();
        messages.sort_by(|a, b| a.at.cmp(&b.at));
        let (status, explain) = status_text(t.status);
        let ctx = serde_json::json!({
            "desk": {"name": desk_name, "support_email": settings.support_email.to_string()},
            "ticket": {"id": t.id.get(), "title": t.title, "status": t.status.name(), "status_text": status,
                       "explain": explain, "created_at": t.created_at.to_string(), "updated_at": t.updated_at.to_string()},
            "messages": messages,
            "built_at": now.to_string(),
        });
        let name = page_name(&secret, id);
        out.write(&name, templates.render("customer.html", &ctx)?.as_bytes())?;
        keep.insert(name);
    }
    let mut removed = 0;
    let rd = std::fs::read_dir(out.path()).map_err(|e| SiteError::io(out.path(), e))?;
    for e in rd {
        let e = e.map_err(|e| SiteError::io(out.path(), e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if is_page_name(&name) && !keep.contains(&name) {
            removed += usize::from(out.remove(&name)?);
        }
    }
    out.set_marker("customer-pages")?;
    Ok(CustomerSummary {
        dir: out.path().to_path_buf(),
        written: keep.len(),
        removed,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_the_secret_and_the_id_only() {
        let id = TicketId::new(1004).unwrap();
        let a = token(b"0123456789abcdef0123456789abcdef", id);
        assert_eq!(a.len(), 32);
        assert_eq!(a, token(b"0123456789abcdef0123456789abcdef", id));
        assert_ne!(a, token(b"0123456789abcdef0123456789abcdeX", id));
        assert_ne!(
            a,
            token(
                b"0123456789abcdef0123456789abcdef",
                TicketId::new(1005).unwrap()
            )
        );
        assert!(!a.contains("1004"));
        assert!(is_page_name(&format!("{a}.html")));
        assert!(!is_page_name("index.html"));
    }
}
