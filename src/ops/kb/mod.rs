//! The knowledge base: articles in `kb/<slug>.md` (YAML front matter, Markdown body).
//! `kb.use` reads them (list, show, cite in an answer); `kb.admin` writes them (new, edit,
//! delete). [`text::to_text`] renders an article's Markdown as plain text for the terminal
//! and for e-mail; [`citation`] is what `ticket answer --kb SLUG` appends.

pub mod text;

use crate::context::Context;
use crate::model::Op;
use crate::model::{KbArticle, KbFront, Permission, Settings, Slug, Staff};
use crate::store::{layout, yaml, CommitMessage, DeskRead, Loaded, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

/// Refuses unless `me` may read the knowledge base.
pub fn require_read(me: &Staff) -> Result<()> {
    if me.has(Permission::KbAdmin) {
        return Ok(());
    }
    actor::require(me, Permission::KbUse, "read the knowledge base")
}

fn require_write(me: &Staff, action: &str) -> Result<()> {
    actor::require(me, Permission::KbAdmin, action)
}

fn one_line(field: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(OpError::invalid(
            field,
            format!("one line of 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn check_front(front: &mut KbFront) -> Result<()> {
    front.title = one_line("title", &front.title, 200)?;
    if let Some(c) = &front.category {
        front.category = if c.trim().is_empty() {
            None
        } else {
            Some(one_line("category", c, 80)?)
        };
    }
    let mut tags: Vec<String> = Vec::new();
    for t in &front.tags {
        let t = one_line("tag", t, 40)?;
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    front.tags = tags;
    Ok(())
}

fn check_body(body: &str) -> Result<String> {
    if body.trim().is_empty() {
        return Err(OpError::invalid("body", "the article must not be empty"));
    }
    Ok(format!("{}\n", body.trim_end()))
}

/// A slug made from a title: lower-case ASCII letters and digits joined by `-`, at most 64.
/// Accented letters lose their accents (`Café` → `cafe`), rather than splitting words.
pub fn slug_from(title: &str) -> Option<Slug> {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let mut s = String::new();
    for c in title
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        if c.is_ascii_alphanumeric() {
            if s.len() == 64 {
                break;
            }
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') && s.len() < 63 {
            s.push('-');
        }
    }
    s.trim_end_matches('-').parse().ok()
}

#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    /// None = made from the title.
    pub slug: Option<Slug>,
    pub title: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub body: String,
}

pub fn create(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    a: NewArticle,
) -> Result<(Slug, CommitMessage)> {
    require_write(me, "write knowledge-base articles")?;
    let slug = match a.slug {
        Some(s) => s,
        None => slug_from(&a.title).ok_or_else(|| {
            OpError::invalid(
                "--slug",
                "the title gives no usable slug; give one with --slug",
            )
        })?,
    };
    if tx.read(&layout::kb(&slug))?.is_some() {
        return Err(OpError::Exists {
            kind: "knowledge-base article",
            id: slug.to_string(),
        });
    }
    let mut front = KbFront {
        title: a.title,
        category: a.category,
        tags: a.tags,
        author: Some(me.login.clone()),
        updated: Some(ctx.now()),
        extra: Default::default(),
    };
    check_front(&mut front)?;
    let body = check_body(&a.body)?;
    tx.put(layout::kb(&slug), yaml::write_front_matter(&front, &body));
    let msg = CommitMessage::new(
        Op::KbNew,
        me.login.as_str(),
        format!(
            "kb {slug}: new \"{}\"",
            crate::store::commit::one_line(&front.title, 80)
        ),
    );
    Ok((slug, msg))
}

/// What `kb edit` changes; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ArticleEdit {
    pub title: Option<String>,
    /// `Some(None)` clears the category.
    pub category: Option<Option<String>>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    pub body: Option<String>,
}

fn load(src: &(impl Source + ?Sized), slug: &Slug) -> Result<KbArticle> {
    src.kb_article(slug)?
        .ok_or_else(|| OpError::not_found("knowledge-base article", slug))
}

/// Changes fields of an article; `updated` becomes now, the author stays.
pub fn edit(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    slug: &Slug,
    e: ArticleEdit,
) -> Result<((), CommitMessage)> {
    require_write(me, "edit knowledge-base articles")?;
    let old = load(tx, slug)?;
    let mut front = old.front.clone();
    if let Some(t) = e.title {
        front.title = t;
    }
    if let Some(c) = e.category {
        front.category = c;
    }
    if let Some(t) = e.tags {
        front.tags = t;
    }
    let body = match e.body {
        Some(b) => check_body(&b)?,
        None => old.body.clone(),
    };
    save(tx, ctx, me, old, front, body)
}

/// Replaces the whole file (front matter and body) with `text`, as edited by hand in an
/// editor; it must parse, and `updated` becomes now.
pub fn replace(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    slug: &Slug,
    text: &str,
) -> Result<((), CommitMessage)> {
    require_write(me, "edit knowledge-base articles")?;
    let old = load(tx, slug)?;
    let (front, body): (KbFront, String) =
        yaml::parse_front_matter(&layout::kb(slug), text.as_bytes())
            .map_err(crate::store::StoreError::File)?;
    let body = check_body(&body)?;
    save(tx, ctx, me, old, front, body)
}

fn save(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    old: KbArticle,
    mut front: KbFront,
    body: String,
) -> Result<((), CommitMessage)> {
    check_front(&mut front)?;
    let mut changed = Vec::new();
    for (name, differs) in [
        ("title", front.title != old.front.title),
        ("category", front.category != old.front.category),
        ("tags", front.tags != old.front.tags),
        ("text", body.trim_end() != old.body.trim_end()),
    ] {
        if differs {
            changed.push(name);
        }
    }
    if changed.is_empty() && front.extra == old.front.extra && front.author == old.front.author {
        return Err(OpError::State(format!(
            "nothing to change: article `{}` already says this",
            old.slug
        )));
    }
    if front.author.is_none() {
        front.author = Some(me.login.clone());
    }
    front.updated = Some(ctx.now());
    tx.put(
        layout::kb(&old.slug),
        yaml::write_front_matter(&front, &body),
    );
    let what = if changed.is_empty() {
        "edit".to_owned()
    } else {
        format!("edit {}", changed.join(", "))
    };
    let msg = CommitMessage::new(
        Op::KbEdit,
        me.login.as_str(),
        format!("kb {}: {what}", old.slug),
    );
    Ok(((), msg))
}

pub fn delete(tx: &mut Transaction<'_>, me: &Staff, slug: &Slug) -> Result<((), CommitMessage)> {
    require_write(me, "delete knowledge-base articles")?;
    super::slug_file::remove(tx, layout::kb(slug), "knowledge-base article", slug)?;
    let msg = CommitMessage::new(
        Op::KbDelete,
        me.login.as_str(),
        format!("kb {slug}: delete"),
    );
    Ok(((), msg))
}

/// Which articles `kb list` shows.
#[derive(Debug, Clone, Default)]
pub struct KbQuery {
    /// Case-insensitive.
    pub category: Option<String>,
    /// Case-insensitive; every tag given must be present.
    pub tags: Vec<String>,
}

/// Articles by category, then title.
pub fn list(src: &(impl Source + ?Sized), me: &Staff, q: &KbQuery) -> Result<Loaded<KbArticle>> {
    require_read(me)?;
    let mut loaded = src.all_kb()?;
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    loaded.items.retain(|a| {
        q.category
            .as_deref()
            .is_none_or(|c| a.front.category.as_deref().is_some_and(|ac| same(ac, c)))
            && q.tags
                .iter()
                .all(|t| a.front.tags.iter().any(|at| same(at, t)))
    });
    loaded.items.sort_by(|a, b| {
        let key = |x: &KbArticle| {
            (
                x.front.category.clone().unwrap_or_default().to_lowercase(),
                x.front.title.to_lowercase(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(loaded)
}

pub fn show(src: &(impl Source + ?Sized), me: &Staff, slug: &Slug) -> Result<KbArticle> {
    require_read(me)?;
    load(src, slug)
}

/// The article's file as stored (front matter and Markdown), for `--raw` and the editor.
pub fn source_text(src: &(impl Source + ?Sized), me: &Staff, slug: &Slug) -> Result<String> {
    require_read(me)?;
    super::slug_file::text(src, &layout::kb(slug), "knowledge-base article", slug)
}

/// What citing `article` in an answer appends to it: a separator, the article's title and
/// its text as plain text (the knowledge base is internal, so the customer gets the text,
/// not a link). Append it after a blank line.
pub fn citation(article: &KbArticle, settings: &Settings) -> String {
    let heading = format!(
        "From the {} knowledge base: {}",
        settings.name, article.front.title
    );
    format!("----\n{heading}\n\n{}", text::to_text(&article.body))
}

/// `body` with the citation of `article` appended after a blank line.
pub fn cite(body: &str, article: &KbArticle, settings: &Settings) -> String {
    format!("{}\n\n{}", body.trim_end(), citation(article, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_titles() {
        assert_eq!(
            slug_from("Resetting a mailbox password!").unwrap().as_str(),
            "resetting-a-mailbox-password"
        );
        assert_eq!(
            slug_from("  PHP 8.2 -- per subdomain ").unwrap().as_str(),
            "php-8-2-per-subdomain"
        );
        assert!(slug_from("¿¡!").is_none());
        // Accents go, the letters stay (they used to split the words: `r-sum-ber-na-ve-caf`).
        assert_eq!(
            slug_from("Résumé über naïve CAFÉ").unwrap().as_str(),
            "resume-uber-naive-cafe"
        );
        assert_eq!(slug_from(&"x".repeat(100)).unwrap().as_str().len(), 64);
    }

    #[test]
    fn a_citation_carries_title_and_plain_text() {
        let settings = Settings::new(
            "Example Support".into(),
            "support@example.com".parse().unwrap(),
            "general".parse().unwrap(),
        );
        let a = KbArticle {
            slug: "x".parse().unwrap(),
            front: KbFront {
                title: "Mail ports".into(),
                category: None,
                tags: vec![],
                author: None,
                updated: None,
                extra: Default::default(),
            },
            body: "Use port **587**.\n".into(),
        };
        assert_eq!(
            cite("Hello,\nsee below.\n\n", &a, &settings),
            "Hello,\nsee below.\n\n----\nFrom the Example Support knowledge base: Mail ports\n\nUse port 587.\n"
        );
    }
}
