//! `git desk reply …`: saved replies. Every technician lists, shows and uses them
//! (`ticket answer ID --reply SLUG`); writing needs replies.admin. `reply show SLUG
//! --ticket ID` previews the text a ticket would get.

use std::io::Write;

use anyhow::Result;

use super::body::{self, BodyArgs};
use super::output::{cell, safe_text};
use super::Env;
use crate::model::{Permission, Slug, Tag, TicketId};
use crate::ops::{self, reply as r};
use crate::store::DeskRead;

/// The variables, for the help text of `reply new`.
const VARIABLES_HELP: &str = "Variables (minijinja, e.g. `Dear {{ customer.name }},`):
  customer.name customer.email customer.account
  ticket.id ticket.title ticket.queue ticket.queue_name ticket.priority ticket.status ticket.tags
  me.login me.name me.email me.signature
  desk.name desk.support_email
Any other name is refused when the reply is written, by `check`, and before anything is sent.";

#[derive(Debug, clap::Subcommand)]
pub enum ReplyCommand {
    /// Write a new saved reply (needs replies.admin).
    #[command(after_long_help = VARIABLES_HELP)]
    New(NewArgs),
    /// Change a saved reply (needs replies.admin); with no option, edit the file in your editor.
    #[command(after_long_help = VARIABLES_HELP)]
    Edit(EditArgs),
    /// List the saved replies.
    List(ListArgs),
    /// Show a saved reply, or with --ticket the text that ticket would get.
    Show(ShowArgs),
    /// Delete a saved reply (needs replies.admin).
    Delete(SlugArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The file name (`replies/SLUG.md`).
    pub slug: Slug,
    /// The title.
    #[arg(long, short = 't')]
    pub title: String,
    /// Only for tickets of this queue (repeatable; default: every queue).
    #[arg(long = "queue", short = 'q', value_name = "QUEUE")]
    pub queues: Vec<Slug>,
    /// A tag to find the reply by (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<Tag>,
    #[command(flatten)]
    pub body: BodyArgs,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The saved reply.
    pub slug: Slug,
    /// A new title.
    #[arg(long, short = 't')]
    pub title: Option<String>,
    /// Replace the queues with these (repeatable).
    #[arg(
        long = "queue",
        short = 'q',
        value_name = "QUEUE",
        conflicts_with = "all_queues"
    )]
    pub queues: Vec<Slug>,
    /// For every queue.
    #[arg(long)]
    pub all_queues: bool,
    /// Replace the tags with these (repeatable).
    #[arg(long = "tag", value_name = "TAG", conflicts_with = "no_tags")]
    pub tags: Vec<Tag>,
    /// Remove every tag.
    #[arg(long)]
    pub no_tags: bool,
    /// The new text.
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub body: Option<String>,
    /// Read the new text from FILE (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "body")]
    pub body_file: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only replies usable in this queue.
    #[arg(long, short = 'q')]
    pub queue: Option<Slug>,
    /// Only replies with this tag (repeatable: all of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The saved reply.
    pub slug: Slug,
    /// Fill in the variables for this ticket (a preview; nothing is sent).
    #[arg(long, value_name = "ID", conflicts_with = "raw")]
    pub ticket: Option<TicketId>,
    /// Print the file as it is stored.
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, clap::Args)]
pub struct SlugArgs {
    /// The saved reply.
    pub slug: Slug,
}

pub fn run(env: &Env, cmd: ReplyCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        ReplyCommand::New(a) => new(env, a, out),
        ReplyCommand::Edit(a) => edit(env, a, out),
        ReplyCommand::List(a) => list(env, a, out, err),
        ReplyCommand::Show(a) => show(env, a, out),
        ReplyCommand::Delete(a) => delete(env, a, out),
    }
}

fn report(
    env: &Env,
    out: &mut dyn Write,
    slug: &Slug,
    commit: Option<gix::ObjectId>,
    text: &str,
) -> Result<i32> {
    super::output::report_slug(&env.printer, out, "saved reply", slug, commit, text)
}

fn new(env: &Env, a: NewArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    // Refuse before asking for the text when the actor may not write.
    ops::actor::require(&me, Permission::RepliesAdmin, "write saved replies")?;
    let text = a.body.read_or_edit("reply", "reply.md")?;
    let input = r::NewReply {
        slug: a.slug,
        title: a.title,
        queues: a.queues,
        tags: a.tags,
        body: text,
    };
    let (slug, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| r::create(tx, me, input))?;
    report(env, out, &slug, commit, "created")
}

fn edit(env: &Env, a: EditArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let fields = a.title.is_some()
        || !a.queues.is_empty()
        || a.all_queues
        || !a.tags.is_empty()
        || a.no_tags
        || a.body.is_some()
        || a.body_file.is_some();
    let slug = a.slug.clone();
    let commit = if fields {
        let text = BodyArgs {
            body: a.body,
            body_file: a.body_file,
        }
        .given("reply")?;
        let e = r::ReplyEdit {
            title: a.title,
            queues: super::replacement(a.all_queues, a.queues),
            tags: super::replacement(a.no_tags, a.tags),
            body: text,
        };
        ops::mutate(&desk, &env.ctx, &me, |tx, me| r::edit(tx, me, &slug, e))?.1
    } else {
        ops::actor::require(&me, Permission::RepliesAdmin, "edit saved replies")?;
        let current = r::source_text(desk.reader()?.as_ref(), &slug)?;
        let edited = body::edit_text(&current, &format!("{slug}.md"))?;
        ops::mutate(&desk, &env.ctx, &me, |tx, me| {
            r::replace(tx, me, &slug, &edited)
        })?
        .1
    };
    report(env, out, &slug, commit, "updated")
}

fn delete(env: &Env, a: SlugArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| r::delete(tx, me, &a.slug))?;
    report(env, out, &a.slug, commit, "deleted")
}

fn list(env: &Env, a: ListArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    env.actor(&desk)?;
    let reader = desk.reader()?;
    let loaded = r::list(reader.as_ref(), a.queue.as_ref(), &a.tags)?;
    let join = |v: Vec<&str>| {
        if v.is_empty() {
            "-".into()
        } else {
            v.join(",")
        }
    };
    super::output::slug_listing(
        &env.printer,
        (out, err),
        &loaded,
        ("Saved replies", &["  SLUG", "QUEUES", "TAGS", "TITLE"]),
        |x| serde_json::json!({ "slug": x.slug, "front": x.front }),
        |x| {
            vec![
                format!("  {}", x.slug),
                cell(&join(x.front.queues.iter().map(Slug::as_str).collect()), 30),
                cell(&join(x.front.tags.iter().map(Tag::as_str).collect()), 30),
                cell(&x.front.title, 70),
            ]
        },
    )?;
    Ok(0)
}

fn show(env: &Env, a: ShowArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let src = reader.as_ref();
    if a.raw && !env.printer.json {
        write!(out, "{}", safe_text(&r::source_text(src, &a.slug)?))?;
        return Ok(0);
    }
    let reply = r::show(src, &a.slug)?;
    let rendered = match a.ticket {
        Some(id) => {
            let settings = src.settings()?;
            let ticket = ops::ticket::load_visible(src, &settings, &me, id)?;
            Some(r::for_ticket(src, &settings, &me, &a.slug, &ticket)?)
        }
        None => None,
    };
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({
                "slug": reply.slug,
                "front": reply.front,
                "body": reply.body,
                "ticket": a.ticket,
                "rendered": rendered,
            }),
        )?;
        return Ok(0);
    }
    if let Some(text) = rendered {
        write!(out, "{}", safe_text(&text))?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        return Ok(0);
    }
    let title = cell(&reply.front.title, 200);
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count()))?;
    if !reply.front.queues.is_empty() {
        let q: Vec<&str> = reply.front.queues.iter().map(Slug::as_str).collect();
        writeln!(out, "Queues: {}", q.join(", "))?;
    }
    if !reply.front.tags.is_empty() {
        let t: Vec<&str> = reply.front.tags.iter().map(Tag::as_str).collect();
        writeln!(out, "Tags: {}", t.join(", "))?;
    }
    writeln!(out)?;
    write!(out, "{}", safe_text(&reply.body))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_help_names_every_variable() {
        for (v, _) in crate::model::reply::VARIABLES {
            assert!(
                super::VARIABLES_HELP.contains(v),
                "{v} missing from the help"
            );
        }
    }
}
