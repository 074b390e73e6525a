//! `git desk macro …`: macros, bundles of steps applied to a ticket in one commit with
//! `ticket macro ID SLUG`. Listing and showing is for every technician; writing needs
//! replies.admin (or write `macros/SLUG.yaml` by hand and commit it: `check` validates it).

use std::io::Write;

use anyhow::Result;

use super::body;
use super::output::{cell, safe_text};
use super::Env;
use crate::model::{Macro, MacroAssignee, MacroDef, Priority, Slug, Status, TagChange};
use crate::ops::{self, macros as m};

#[derive(Debug, clap::Subcommand)]
pub enum MacroCommand {
    /// Write a new macro (needs replies.admin).
    ///
    /// A macro's steps run in this order when applied: assignee, tags, priority, the saved
    /// reply (sent as an answer: the ticket must then be yours, or the macro assigns it to
    /// `me`), the note, then queue and status. Any step that fails refuses the whole macro.
    New(NewArgs),
    /// Change a macro in your editor (needs replies.admin).
    Edit(SlugArgs),
    /// List the macros.
    List,
    /// Show a macro's steps.
    Show(SlugArgs),
    /// Delete a macro (needs replies.admin).
    Delete(SlugArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The file name (`macros/SLUG.yaml`).
    pub slug: Slug,
    /// The title.
    #[arg(long, short = 't')]
    pub title: String,
    /// Assign to `me` (whoever applies it), `nobody` or a login.
    #[arg(long, value_name = "me|nobody|LOGIN")]
    pub assignee: Option<MacroAssignee>,
    /// Move to this queue.
    #[arg(long, short = 'q')]
    pub queue: Option<Slug>,
    /// Set this priority (0–100).
    #[arg(long, short = 'p')]
    pub priority: Option<Priority>,
    /// Add (`+name`) or remove (`-name`) a tag (repeatable).
    #[arg(long = "tag", value_name = "+TAG|-TAG", allow_hyphen_values = true)]
    pub tags: Vec<TagChange>,
    /// Answer with this saved reply.
    #[arg(long, value_name = "SLUG")]
    pub reply: Option<Slug>,
    /// Add this internal note.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Set this status last.
    #[arg(long, short = 's')]
    pub status: Option<Status>,
}

#[derive(Debug, clap::Args)]
pub struct SlugArgs {
    /// The macro.
    pub slug: Slug,
}

pub fn run(env: &Env, cmd: MacroCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        MacroCommand::New(a) => new(env, a, out),
        MacroCommand::Edit(a) => edit(env, a, out),
        MacroCommand::List => list(env, out, err),
        MacroCommand::Show(a) => show(env, a, out),
        MacroCommand::Delete(a) => delete(env, a, out),
    }
}

fn report(
    env: &Env,
    out: &mut dyn Write,
    slug: &Slug,
    commit: Option<gix::ObjectId>,
    text: &str,
) -> Result<i32> {
    super::output::report_slug(&env.printer, out, "macro", slug, commit, text)
}

fn new(env: &Env, a: NewArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let mac = Macro {
        slug: a.slug,
        def: MacroDef {
            title: a.title,
            assignee: a.assignee,
            queue: a.queue,
            priority: a.priority,
            tags: a.tags,
            reply: a.reply,
            note: a.note,
            status: a.status,
            extra: Default::default(),
        },
    };
    let (slug, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| m::create(tx, me, mac))?;
    report(env, out, &slug, commit, "created")
}

fn edit(env: &Env, a: SlugArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    ops::actor::require(&me, crate::model::Permission::RepliesAdmin, "edit macros")?;
    let current = m::source_text(desk.reader()?.as_ref(), &a.slug)?;
    let edited = body::edit_text(&current, &format!("{}.yaml", a.slug))?;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        m::replace(tx, me, &a.slug, &edited)
    })?;
    report(env, out, &a.slug, commit, "updated")
}

fn delete(env: &Env, a: SlugArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| m::delete(tx, me, &a.slug))?;
    report(env, out, &a.slug, commit, "deleted")
}

/// The steps of a macro in the order they run, for people.
fn steps(d: &MacroDef) -> Vec<String> {
    let mut s = Vec::new();
    if let Some(a) = &d.assignee {
        s.push(format!("assign to {a}"));
    }
    if !d.tags.is_empty() {
        let t: Vec<String> = d.tags.iter().map(|t| t.to_string()).collect();
        s.push(format!("tag {}", t.join(" ")));
    }
    if let Some(p) = d.priority {
        s.push(format!("priority {p}"));
    }
    if let Some(r) = &d.reply {
        s.push(format!("answer with reply {r}"));
    }
    if d.note.is_some() {
        s.push("add a note".into());
    }
    if let Some(q) = &d.queue {
        s.push(format!("move to queue {q}"));
    }
    if let Some(st) = d.status {
        s.push(format!("status {st}"));
    }
    s
}

fn list(env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    env.actor(&desk)?;
    let loaded = m::list(desk.reader()?.as_ref())?;
    super::output::slug_listing(
        &env.printer,
        (out, err),
        &loaded,
        ("Macros", &["  SLUG", "TITLE", "STEPS"]),
        |x| serde_json::json!({ "slug": x.slug, "macro": x.def }),
        |x| {
            vec![
                format!("  {}", x.slug),
                cell(&x.def.title, 50),
                cell(&steps(&x.def).join(", "), 80),
            ]
        },
    )?;
    Ok(0)
}

fn show(env: &Env, a: SlugArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    env.actor(&desk)?;
    let mac = m::show(desk.reader()?.as_ref(), &a.slug)?;
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({ "slug": mac.slug, "macro": mac.def, "steps": steps(&mac.def) }),
        )?;
        return Ok(0);
    }
    let title = cell(&mac.def.title, 200);
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count()))?;
    for (i, s) in steps(&mac.def).iter().enumerate() {
        writeln!(out, "{}. {}", i + 1, cell(s, 200))?;
    }
    if let Some(n) = &mac.def.note {
        writeln!(out, "\nNote:\n{}", safe_text(n))?;
    }
    Ok(0)
}
