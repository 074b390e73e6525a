//! Saved replies (`replies/<slug>.md`): every technician may list, show and use them;
//! writing (new, edit, delete) needs `replies.admin`. A reply's template is checked when it
//! is written ([`render::check`]: it parses, and names only known variables), by `check`,
//! and again when it is used; using one on a ticket outside its `queues` is refused.

pub mod render;

use crate::model::{Op, Permission, ReplyFront, SavedReply, Settings, Slug, Staff, Tag, Ticket};
use crate::store::{layout, yaml, CommitMessage, DeskRead, Loaded, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

pub use render::Vars;

fn require_write(me: &Staff, action: &str) -> Result<()> {
    actor::require(me, Permission::RepliesAdmin, action)
}

fn check_front(front: &mut ReplyFront) -> Result<()> {
    let t = front.title.trim();
    if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
        return Err(OpError::invalid("title", "one line of 1 to 200 characters"));
    }
    front.title = t.to_owned();
    front.queues.sort();
    front.queues.dedup();
    front.tags.sort();
    front.tags.dedup();
    Ok(())
}

/// Checks that the queues a reply names exist.
fn check_queues(tx: &Transaction<'_>, front: &ReplyFront) -> Result<()> {
    for q in &front.queues {
        if tx.queue(q)?.is_none() {
            return Err(OpError::invalid("queues", format!("no queue `{q}`")));
        }
    }
    Ok(())
}

fn check_body(body: &str) -> Result<String> {
    if body.trim().is_empty() {
        return Err(OpError::invalid("body", "the reply must not be empty"));
    }
    Ok(format!("{}\n", body.trim_end()))
}

fn load(src: &(impl Source + ?Sized), slug: &Slug) -> Result<SavedReply> {
    src.saved_reply(slug)?
        .ok_or_else(|| OpError::not_found("saved reply", slug))
}

/// Stages `replies/<slug>.md` after checking its front matter and template.
fn write(tx: &mut Transaction<'_>, slug: &Slug, mut front: ReplyFront, body: &str) -> Result<()> {
    check_front(&mut front)?;
    check_queues(tx, &front)?;
    let body = check_body(body)?;
    let candidate = SavedReply {
        slug: slug.clone(),
        front: front.clone(),
        body: body.clone(),
        body_line: 1 + yaml::to_string(&front).lines().count() + 2,
    };
    render::check(&candidate)?;
    tx.put(layout::reply(slug), yaml::write_front_matter(&front, &body));
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewReply {
    pub slug: Slug,
    pub title: String,
    pub queues: Vec<Slug>,
    pub tags: Vec<Tag>,
    pub body: String,
}

pub fn create(tx: &mut Transaction<'_>, me: &Staff, r: NewReply) -> Result<(Slug, CommitMessage)> {
    require_write(me, "write saved replies")?;
    if tx.read(&layout::reply(&r.slug))?.is_some() {
        return Err(OpError::Exists {
            kind: "saved reply",
            id: r.slug.to_string(),
        });
    }
    let front = ReplyFront {
        title: r.title,
        queues: r.queues,
        tags: r.tags,
        extra: Default::default(),
    };
    write(tx, &r.slug, front.clone(), &r.body)?;
    let msg = CommitMessage::new(
        Op::ReplyNew,
        me.login.as_str(),
        format!(
            "reply {}: new \"{}\"",
            r.slug,
            crate::store::commit::one_line(front.title.trim(), 80)
        ),
    );
    Ok((r.slug, msg))
}

/// What `reply edit` changes; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ReplyEdit {
    pub title: Option<String>,
    pub queues: Option<Vec<Slug>>,
    pub tags: Option<Vec<Tag>>,
    pub body: Option<String>,
}

pub fn edit(
    tx: &mut Transaction<'_>,
    me: &Staff,
    slug: &Slug,
    e: ReplyEdit,
) -> Result<((), CommitMessage)> {
    require_write(me, "edit saved replies")?;
    let old = load(tx, slug)?;
    let mut front = old.front.clone();
    if let Some(t) = e.title {
        front.title = t;
    }
    if let Some(q) = e.queues {
        front.queues = q;
    }
    if let Some(t) = e.tags {
        front.tags = t;
    }
    let body = e.body.unwrap_or_else(|| old.body.clone());
    save(tx, me, old, front, body)
}

/// Replaces the whole file with `text` as edited in an editor; it must parse.
pub fn replace(
    tx: &mut Transaction<'_>,
    me: &Staff,
    slug: &Slug,
    text: &str,
) -> Result<((), CommitMessage)> {
    require_write(me, "edit saved replies")?;
    let old = load(tx, slug)?;
    let (front, body): (ReplyFront, String) =
        yaml::parse_front_matter(&layout::reply(slug), text.as_bytes())
            .map_err(crate::store::StoreError::File)?;
    save(tx, me, old, front, body)
}

fn save(
    tx: &mut Transaction<'_>,
    me: &Staff,
    old: SavedReply,
    front: ReplyFront,
    body: String,
) -> Result<((), CommitMessage)> {
    let mut checked = front.clone();
    check_front(&mut checked)?;
    let mut changed = Vec::new();
    for (name, differs) in [
        ("title", checked.title != old.front.title),
        ("queues", checked.queues != old.front.queues),
        ("tags", checked.tags != old.front.tags),
        ("text", body.trim_end() != old.body.trim_end()),
    ] {
        if differs {
            changed.push(name);
        }
    }
    if changed.is_empty() && checked.extra == old.front.extra {
        return Err(OpError::State(format!(
            "nothing to change: saved reply `{}` already says this",
            old.slug
        )));
    }
    write(tx, &old.slug, front, &body)?;
    let what = if changed.is_empty() {
        "edit".to_owned()
    } else {
        format!("edit {}", changed.join(", "))
    };
    let msg = CommitMessage::new(
        Op::ReplyEdit,
        me.login.as_str(),
        format!("reply {}: {what}", old.slug),
    );
    Ok(((), msg))
}

pub fn delete(tx: &mut Transaction<'_>, me: &Staff, slug: &Slug) -> Result<((), CommitMessage)> {
    require_write(me, "delete saved replies")?;
    super::slug_file::remove(tx, layout::reply(slug), "saved reply", slug)?;
    let msg = CommitMessage::new(
        Op::ReplyDelete,
        me.login.as_str(),
        format!("reply {slug}: delete"),
    );
    Ok(((), msg))
}

/// Saved replies by title; with `queue`, only those usable in that queue; with `tags`,
/// only those carrying all of them.
pub fn list(
    src: &(impl Source + ?Sized),
    queue: Option<&Slug>,
    tags: &[Tag],
) -> Result<Loaded<SavedReply>> {
    let mut loaded = src.all_replies()?;
    loaded.items.retain(|r| {
        queue.is_none_or(|q| r.fits_queue(q)) && tags.iter().all(|t| r.front.tags.contains(t))
    });
    loaded
        .items
        .sort_by_key(|r| (r.front.title.to_lowercase(), r.slug.clone()));
    Ok(loaded)
}

pub fn show(src: &(impl Source + ?Sized), slug: &Slug) -> Result<SavedReply> {
    load(src, slug)
}

/// The file as stored, for the editor.
pub fn source_text(src: &(impl Source + ?Sized), slug: &Slug) -> Result<String> {
    super::slug_file::text(src, &layout::reply(slug), "saved reply", slug)
}

/// Reply `slug` filled in for `ticket` as `me` would send it: refused when the reply is
/// for other queues, or names a variable that does not exist.
pub fn for_ticket(
    src: &(impl Source + ?Sized),
    settings: &Settings,
    me: &Staff,
    slug: &Slug,
    ticket: &Ticket,
) -> Result<String> {
    let r = load(src, slug)?;
    if !r.fits_queue(&ticket.queue) {
        let queues: Vec<&str> = r.front.queues.iter().map(Slug::as_str).collect();
        return Err(OpError::State(format!(
            "saved reply `{slug}` is for queue {}; ticket {} is in `{}`",
            queues.join(", "),
            ticket.id,
            ticket.queue
        )));
    }
    let vars = Vars::of(src, settings, me, ticket)?;
    render::render(&r, &vars)
}
