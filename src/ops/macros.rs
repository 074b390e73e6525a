//! Macros (`macros/<slug>.yaml`): `ticket macro ID SLUG` applies every step of a macro to a
//! ticket as ONE commit (op `ticket.macro`), through the same operations the single
//! commands use, so each step keeps its own permission checks and rules. The steps run in
//! a fixed order — assign, tags, priority, the saved reply (an answer), the note, then
//! queue and status together — and any step that fails (an unknown reply variable, a
//! queue that does not exist, a missing permission, an answer to a ticket that is not
//! yours) refuses the whole macro: the transaction is dropped, nothing is written or sent.
//! Steps that would change nothing are skipped; a macro that changes nothing is refused.
//!
//! Macro files are written by hand (or with `macro edit` in the editor) and committed with
//! git; `check` reports what [`problems`] finds, `verify` wants `replies.admin` for them.

use crate::context::Context;
use crate::model::{
    lifecycle, Macro, MacroAssignee, MacroDef, Op, Permission, Slug, Staff, TicketId,
};
use crate::store::{layout, yaml, CommitMessage, DeskRead, Loaded, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};
use super::ticket::{self as t, Done};

/// What is wrong with a macro beyond its file's syntax: names that do not exist, a step
/// that cannot work. Empty when it is usable.
pub fn problems(src: &(impl Source + ?Sized), m: &Macro) -> Result<Vec<String>> {
    let d = &m.def;
    let mut out = Vec::new();
    let title = d.title.trim();
    if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
        out.push("title: one line of 1 to 200 characters".to_owned());
    }
    if d.is_empty() {
        out.push(
            "the macro has no step (assignee, queue, priority, tags, reply, note, status)".into(),
        );
    }
    if let Some(r) = &d.reply {
        match src.saved_reply(r) {
            Ok(Some(reply)) => {
                if let Err(e) = super::reply::render::check(&reply) {
                    out.push(format!("reply: saved reply `{r}` is not usable: {e}"));
                }
            }
            Ok(None) => out.push(format!("reply: no saved reply `{r}` (replies/{r}.md)")),
            Err(crate::store::StoreError::File(f)) => {
                out.push(format!("reply: saved reply `{r}` cannot be read: {f}"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(q) = &d.queue {
        match src.queue(q) {
            Ok(Some(_)) => {}
            Ok(None) => out.push(format!("queue: no queue `{q}`")),
            Err(crate::store::StoreError::File(f)) => {
                out.push(format!("queue: `{q}` cannot be read: {f}"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(MacroAssignee::Login(l)) = &d.assignee {
        match src.staff(l) {
            Ok(Some(s)) if s.active => {}
            Ok(Some(_)) => out.push(format!("assignee: staff member `{l}` is not active")),
            Ok(None) => out.push(format!("assignee: no staff member `{l}`")),
            Err(crate::store::StoreError::File(f)) => {
                out.push(format!("assignee: `{l}` cannot be read: {f}"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if d.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
        out.push("note: empty".into());
    }
    Ok(out)
}

/// Stages `macros/<slug>.yaml` when the macro has no problem.
fn write(tx: &mut Transaction<'_>, m: &Macro) -> Result<()> {
    let path = layout::macro_file(&m.slug);
    if let Some(p) = problems(tx, m)?.into_iter().next() {
        return Err(OpError::invalid(path, p));
    }
    tx.put_yaml(path, &m.def);
    Ok(())
}

/// A new macro (needs `replies.admin`).
pub fn create(tx: &mut Transaction<'_>, me: &Staff, m: Macro) -> Result<(Slug, CommitMessage)> {
    actor::require(me, Permission::RepliesAdmin, "write macros")?;
    if tx.read(&layout::macro_file(&m.slug))?.is_some() {
        return Err(OpError::Exists {
            kind: "macro",
            id: m.slug.to_string(),
        });
    }
    write(tx, &m)?;
    let msg = CommitMessage::new(
        Op::MacroNew,
        me.login.as_str(),
        format!(
            "macro {}: new \"{}\"",
            m.slug,
            crate::store::commit::one_line(m.def.title.trim(), 80)
        ),
    );
    Ok((m.slug, msg))
}

/// Replaces a macro's file with `text` as edited in an editor (needs `replies.admin`).
pub fn replace(
    tx: &mut Transaction<'_>,
    me: &Staff,
    slug: &Slug,
    text: &str,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::RepliesAdmin, "edit macros")?;
    let old = load(tx, slug)?;
    let def: MacroDef = yaml::parse(&layout::macro_file(slug), text.as_bytes())
        .map_err(crate::store::StoreError::File)?;
    if def == old.def && def.extra == old.def.extra {
        return Err(OpError::State(format!(
            "nothing to change: macro `{slug}` already says this"
        )));
    }
    write(
        tx,
        &Macro {
            slug: slug.clone(),
            def,
        },
    )?;
    let msg = CommitMessage::new(
        Op::MacroEdit,
        me.login.as_str(),
        format!("macro {slug}: edit"),
    );
    Ok(((), msg))
}

pub fn delete(tx: &mut Transaction<'_>, me: &Staff, slug: &Slug) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::RepliesAdmin, "delete macros")?;
    super::slug_file::remove(tx, layout::macro_file(slug), "macro", slug)?;
    let msg = CommitMessage::new(
        Op::MacroDelete,
        me.login.as_str(),
        format!("macro {slug}: delete"),
    );
    Ok(((), msg))
}

fn load(src: &(impl Source + ?Sized), slug: &Slug) -> Result<Macro> {
    src.macro_def(slug)?
        .ok_or_else(|| OpError::not_found("macro", slug))
}

/// Every macro by title; broken files are reported in `problems`.
pub fn list(src: &(impl Source + ?Sized)) -> Result<Loaded<Macro>> {
    let mut loaded = src.all_macros()?;
    loaded
        .items
        .sort_by_key(|m| (m.def.title.to_lowercase(), m.slug.clone()));
    Ok(loaded)
}

pub fn show(src: &(impl Source + ?Sized), slug: &Slug) -> Result<Macro> {
    load(src, slug)
}

/// The file as stored, for the editor.
pub fn source_text(src: &(impl Source + ?Sized), slug: &Slug) -> Result<String> {
    super::slug_file::text(src, &layout::macro_file(slug), "macro", slug)
}

/// Applies macro `slug` to ticket `id`: every step or none (see the module's doc).
pub fn apply(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    slug: &Slug,
) -> Result<Done> {
    let m = load(tx, slug)?;
    if let Some(p) = problems(tx, &m)?.into_iter().next() {
        return Err(OpError::invalid(layout::macro_file(slug), p));
    }
    let d = &m.def;
    let settings = tx.settings()?;
    t::load_visible(tx, &settings, me, id)?;
    let mut steps: Vec<String> = Vec::new();
    let mut key = None;
    let mut assigned = None;

    if let Some(a) = &d.assignee {
        let to = match a {
            MacroAssignee::Me => Some(me.login.clone()),
            MacroAssignee::Nobody => None,
            MacroAssignee::Login(l) => Some(l.clone()),
        };
        if t::load(tx, id)?.assignee != to {
            let done = t::assign(
                tx,
                me,
                id,
                t::AssignInput {
                    to: to.clone(),
                    ..Default::default()
                },
            )?;
            assigned = to;
            steps.push(done.summary);
        }
    }
    if !d.tags.is_empty() {
        let now = t::load(tx, id)?;
        let next = lifecycle::apply(&now, &t::tag_action(&d.tags), tx.now())
            .map_err(|reason| OpError::Refused { id, reason })?;
        if next.tags != now.tags {
            steps.push(t::tag(tx, me, id, &d.tags)?.summary);
        }
    }
    if let Some(p) = d.priority {
        if t::load(tx, id)?.priority != p {
            let e = t::TicketEdit {
                priority: Some(p),
                ..Default::default()
            };
            steps.push(t::edit(tx, ctx, me, id, e)?.summary);
        }
    }
    if let Some(r) = &d.reply {
        let input = t::AnswerInput {
            reply: Some(r.clone()),
            ..Default::default()
        };
        let done = t::answer(tx, ctx, me, id, input)?;
        key = done.key;
        steps.push(done.summary);
    }
    if let Some(n) = &d.note {
        let done = t::note(tx, ctx, me, id, n.clone(), vec![], None)?;
        key = key.or(done.key);
        steps.push(done.summary);
    }
    let now = t::load(tx, id)?;
    let queue = d.queue.clone().filter(|q| *q != now.queue);
    let status = d.status.filter(|s| *s != now.status);
    if queue.is_some() || status.is_some() {
        let e = t::TicketEdit {
            queue,
            status,
            ..Default::default()
        };
        steps.push(t::edit(tx, ctx, me, id, e)?.summary);
    }
    if steps.is_empty() {
        return Err(OpError::State(format!(
            "macro `{slug}` would not change ticket {id}: it already has everything the macro sets"
        )));
    }
    Ok(Done {
        id,
        summary: format!("macro {slug} ({})", steps.join("; ")),
        key,
        other: None,
        assigned,
    })
}
