//! `git desk kb …`: the knowledge base. Reading needs kb.use, writing kb.admin. `kb show`
//! renders an article's Markdown as plain text for the terminal (`--raw` prints the file).

use std::io::Write;

use anyhow::Result;

use super::body::{self, BodyArgs};
use super::output::{cell, safe_text, short_time};
use super::Env;
use crate::model::Slug;
use crate::ops::{self, kb as k};

#[derive(Debug, clap::Subcommand)]
pub enum KbCommand {
    /// Write a new article (needs kb.admin). The text is Markdown.
    New(NewArgs),
    /// Change an article (needs kb.admin); with no option, edit the whole file in your editor.
    Edit(EditArgs),
    /// List the articles, by category (needs kb.use).
    List(ListArgs),
    /// Show an article, its Markdown rendered for the terminal (needs kb.use).
    Show(ShowArgs),
    /// Delete an article (needs kb.admin).
    Delete(SlugArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The title.
    #[arg(long, short = 't')]
    pub title: String,
    /// The file name (`kb/SLUG.md`); default: made from the title.
    #[arg(long)]
    pub slug: Option<Slug>,
    /// The category.
    #[arg(long, short = 'c')]
    pub category: Option<String>,
    /// A tag (repeatable, or comma-separated).
    #[arg(long = "tag", value_name = "TAG", value_delimiter = ',')]
    pub tags: Vec<String>,
    #[command(flatten)]
    pub body: BodyArgs,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The article.
    pub slug: Slug,
    /// A new title.
    #[arg(long, short = 't')]
    pub title: Option<String>,
    /// A new category.
    #[arg(long, short = 'c', conflicts_with = "no_category")]
    pub category: Option<String>,
    /// Remove the category.
    #[arg(long)]
    pub no_category: bool,
    /// Replace the tags with these (repeatable, or comma-separated).
    #[arg(
        long = "tag",
        value_name = "TAG",
        value_delimiter = ',',
        conflicts_with = "no_tags"
    )]
    pub tags: Vec<String>,
    /// Remove every tag.
    #[arg(long)]
    pub no_tags: bool,
    /// The new text (Markdown).
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub body: Option<String>,
    /// Read the new text from FILE (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "body")]
    pub body_file: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only articles of this category.
    #[arg(long, short = 'c')]
    pub category: Option<String>,
    /// Only articles with this tag (repeatable: all of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The article.
    pub slug: Slug,
    /// Print the Markdown file as it is stored.
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, clap::Args)]
pub struct SlugArgs {
    /// The article.
    pub slug: Slug,
}

pub fn run(env: &Env, cmd: KbCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        KbCommand::New(a) => new(env, a, out),
        KbCommand::Edit(a) => edit(env, a, out),
        KbCommand::List(a) => list(env, a, out, err),
        KbCommand::Show(a) => show(env, a, out),
        KbCommand::Delete(a) => delete(env, a, out),
    }
}

fn report(
    env: &Env,
    out: &mut dyn Write,
    slug: &Slug,
    commit: Option<gix::ObjectId>,
    text: &str,
) -> Result<i32> {
    super::output::report_slug(&env.printer, out, "article", slug, commit, text)
}

fn new(env: &Env, a: NewArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    // Refuse before asking for the text when the actor may not write.
    crate::ops::actor::require(
        &me,
        crate::model::Permission::KbAdmin,
        "write knowledge-base articles",
    )?;
    let text = a.body.read_or_edit("article", "article.md")?;
    let input = k::NewArticle {
        slug: a.slug,
        title: a.title,
        category: a.category,
        tags: a.tags,
        body: text,
    };
    let (slug, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        k::create(tx, &env.ctx, me, input)
    })?;
    report(env, out, &slug, commit, "created")
}

fn edit(env: &Env, a: EditArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let fields = a.title.is_some()
        || a.category.is_some()
        || a.no_category
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
        .given("article")?;
        let e = k::ArticleEdit {
            title: a.title,
            category: if a.no_category {
                Some(None)
            } else {
                a.category.map(Some)
            },
            tags: super::replacement(a.no_tags, a.tags),
            body: text,
        };
        ops::mutate(&desk, &env.ctx, &me, |tx, me| {
            k::edit(tx, &env.ctx, me, &slug, e)
        })?
        .1
    } else {
        crate::ops::actor::require(
            &me,
            crate::model::Permission::KbAdmin,
            "edit knowledge-base articles",
        )?;
        let current = k::source_text(desk.reader()?.as_ref(), &me, &slug)?;
        let edited = body::edit_text(&current, &format!("{slug}.md"))?;
        ops::mutate(&desk, &env.ctx, &me, |tx, me| {
            k::replace(tx, &env.ctx, me, &slug, &edited)
        })?
        .1
    };
    report(env, out, &slug, commit, "updated")
}

fn delete(env: &Env, a: SlugArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| k::delete(tx, me, &a.slug))?;
    report(env, out, &a.slug, commit, "deleted")
}

fn list(env: &Env, a: ListArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let q = k::KbQuery {
        category: a.category,
        tags: a.tags,
    };
    let loaded = k::list(reader.as_ref(), &me, &q)?;
    super::output::slug_listing(
        &env.printer,
        (out, err),
        &loaded,
        (
            "Knowledge base",
            &["  SLUG", "CATEGORY", "UPDATED", "TITLE"],
        ),
        |a| serde_json::json!({ "slug": a.slug, "front": a.front }),
        |art| {
            vec![
                format!("  {}", art.slug),
                cell(art.front.category.as_deref().unwrap_or("-"), 24),
                art.front.updated.map_or("-".into(), short_time),
                cell(&art.front.title, 70),
            ]
        },
    )?;
    Ok(0)
}

fn show(env: &Env, a: ShowArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    if a.raw && !env.printer.json {
        let text = k::source_text(reader.as_ref(), &me, &a.slug)?;
        write!(out, "{}", safe_text(&text))?;
        return Ok(0);
    }
    let art = k::show(reader.as_ref(), &me, &a.slug)?;
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({
                "slug": art.slug,
                "front": art.front,
                "body": art.body,
                "text": k::text::to_text(&art.body),
            }),
        )?;
        return Ok(0);
    }
    let title = cell(&art.front.title, 200);
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count()))?;
    let mut meta = Vec::new();
    if let Some(c) = &art.front.category {
        meta.push(format!("Category: {}", cell(c, 80)));
    }
    if !art.front.tags.is_empty() {
        meta.push(format!("Tags: {}", cell(&art.front.tags.join(", "), 120)));
    }
    if let Some(au) = &art.front.author {
        meta.push(format!("By {au}"));
    }
    if let Some(u) = art.front.updated {
        meta.push(format!("updated {}", short_time(u)));
    }
    if !meta.is_empty() {
        writeln!(out, "{}", meta.join(" · "))?;
    }
    writeln!(out)?;
    write!(out, "{}", safe_text(&k::text::to_text(&art.body)))?;
    Ok(0)
}
