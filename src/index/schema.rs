//! The tantivy schema of the search index and the documents made from tickets, tasks and
//! knowledge-base articles. One index holds all three kinds; every document has a unique
//! `key` (`ticket:1043`, `task:7`, `kb:<slug>`) by which it is replaced.
//!
//! Bump [`SCHEMA_VERSION`] whenever a field or the way a document is made changes: an index
//! written with another version is rebuilt automatically.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::{DateTime, TantivyDocument};

use crate::model::{KbArticle, Login, Message, Task, TaskNote, Ticket, Timestamp};

use super::expr::{Kind, NOBODY};

/// The version of the schema and of the document layout.
/// 3: tickets carry their tags in `tag`.
/// 4: dates are fast fields only (not in the inverted index).
pub const SCHEMA_VERSION: u32 = 4;

/// Every field of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    pub slug: Field,
    pub title: Field,
    pub body: Field,
    pub files: Field,
    /// The whole address, lower case, for exact and partial matches.
    pub email: Field,
    /// The address split into words (`john`, `doe`, `example`), for free text.
    pub email_text: Field,
    pub account: Field,
    pub reseller: Field,
    pub queue: Field,
    pub status: Field,
    pub priority: Field,
    pub assignee: Field,
    pub author: Field,
    pub sticky: Field,
    pub tag: Field,
    pub category: Field,
    pub created: Field,
    pub updated: Field,
    pub answered: Field,
    pub closed: Field,
    pub due: Field,
    /// Custom fields as `name=value` (lower case), for `field.NAME:value`.
    pub custom: Field,
    /// Custom fields that are numbers or dates as `name=<sort key>`, for ranges.
    pub custom_ord: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let keyword = STRING | STORED;
    // Dates are only ever searched by range, which tantivy answers from the fast field
    // alone: in the inverted index every distinct second would be a term of its own
    // (several per ticket), the largest part of the term dictionary for nothing.
    let date = STORED | FAST;
    let f = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", keyword.clone()),
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        slug: b.add_text_field("slug", keyword.clone()),
        title: b.add_text_field("title", text("en_stem").set_stored()),
        body: b.add_text_field("body", text("en_stem")),
        files: b.add_text_field("files", text("default")),
        email: b.add_text_field("email", keyword.clone()),
        email_text: b.add_text_field("email_text", text("default")),
        account: b.add_text_field("account", keyword.clone()),
        reseller: b.add_text_field("reseller", keyword.clone()),
        queue: b.add_text_field("queue", keyword.clone()),
        status: b.add_text_field("status", keyword.clone()),
        priority: b.add_u64_field("priority", INDEXED | STORED | FAST),
        assignee: b.add_text_field("assignee", keyword.clone()),
        author: b.add_text_field("author", STRING),
        sticky: b.add_bool_field("sticky", INDEXED | STORED),
        tag: b.add_text_field("tag", keyword.clone()),
        category: b.add_text_field("category", keyword),
        created: b.add_date_field("created", date.clone()),
        updated: b.add_date_field("updated", date.clone()),
        answered: b.add_date_field("answered", date.clone()),
        closed: b.add_date_field("closed", date.clone()),
        due: b.add_date_field("due", date),
        custom: b.add_text_field("custom", STRING),
        custom_ord: b.add_text_field("custom_ord", STRING),
    };
    (b.build(), f)
}

/// The fields of an index opened from disk; `None` when its schema is not ours.
pub fn fields_of(existing: &Schema) -> Option<Fields> {
    let (ours, f) = schema();
    let same = ours.fields().count() == existing.fields().count()
        && ours.fields().all(|(field, entry)| {
            existing.get_field_entry(field).name() == entry.name()
                && existing.get_field_entry(field).field_type() == entry.field_type()
        });
    same.then_some(f)
}

/// The unique key of a document.
pub fn key(kind: Kind, id: &str) -> String {
    format!("{}:{id}", kind.name())
}

pub fn date(t: Timestamp) -> DateTime {
    DateTime::from_timestamp_secs(t.unix())
}

fn opt_date(doc: &mut TantivyDocument, field: Field, t: Option<Timestamp>) {
    if let Some(t) = t {
        doc.add_date(field, date(t));
    }
}

/// A ticket with its whole thread. `reseller` is the reseller of the ticket's account.
pub fn ticket_doc(
    f: &Fields,
    t: &Ticket,
    messages: &[Message],
    reseller: Option<&Login>,
) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.key, key(Kind::Ticket, &t.id.to_string()));
    d.add_text(f.kind, Kind::Ticket.name());
    d.add_u64(f.id, t.id.get());
    d.add_text(f.title, &t.title);
    let email = t.email.as_str().to_lowercase();
    d.add_text(f.email_text, &email);
    d.add_text(f.email, email);
    if let Some(a) = &t.account {
        d.add_text(f.account, a.as_str());
    }
    if let Some(r) = reseller {
        d.add_text(f.reseller, r.as_str());
    }
    d.add_text(f.queue, t.queue.as_str());
    for (name, value) in &t.fields {
        d.add_text(f.custom, format!("{name}={}", value.trim().to_lowercase()));
        if let Some(k) = crate::model::field::sort_key(value) {
            d.add_text(f.custom_ord, format!("{name}={k}"));
        }
    }
    d.add_text(f.status, t.status.name());
    d.add_u64(f.priority, u64::from(t.priority.get()));
    d.add_text(
        f.assignee,
        t.assignee.as_ref().map_or(NOBODY, |a| a.as_str()),
    );
    d.add_bool(f.sticky, t.sticky);
    for tag in &t.tags {
        d.add_text(f.tag, tag.as_str());
    }
    d.add_date(f.created, date(t.created_at));
    d.add_date(f.updated, date(t.updated_at));
    opt_date(&mut d, f.answered, t.answered_at);
    opt_date(&mut d, f.closed, t.closed_at);
    let mut authors: Vec<String> = Vec::new();
    for m in messages {
        d.add_text(f.body, &m.body);
        for a in &m.attachments {
            d.add_text(f.files, &a.name);
        }
        let who = m.author.to_lowercase();
        if !authors.contains(&who) {
            authors.push(who);
        }
    }
    for a in authors {
        d.add_text(f.author, a);
    }
    d
}

pub fn task_doc(f: &Fields, t: &Task, notes: &[TaskNote]) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.key, key(Kind::Task, &t.id.to_string()));
    d.add_text(f.kind, Kind::Task.name());
    d.add_u64(f.id, t.id.get());
    d.add_text(f.title, &t.title);
    if let Some(details) = &t.details {
        d.add_text(f.body, details);
    }
    for n in notes {
        d.add_text(f.body, &n.body);
    }
    d.add_text(f.status, t.status.to_string());
    d.add_text(f.assignee, t.assignee.as_str());
    d.add_text(f.author, t.created_by.as_str());
    d.add_date(f.created, date(t.created_at));
    d.add_date(f.updated, date(t.updated_at));
    opt_date(&mut d, f.closed, t.done_at);
    opt_date(&mut d, f.due, t.due.map(|day| day.start()));
    d
}

pub fn kb_doc(f: &Fields, a: &KbArticle) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.key, key(Kind::Kb, a.slug.as_str()));
    d.add_text(f.kind, Kind::Kb.name());
    d.add_text(f.slug, a.slug.as_str());
    d.add_text(f.title, &a.front.title);
    d.add_text(f.body, &a.body);
    if let Some(c) = &a.front.category {
        d.add_text(f.category, c.to_lowercase());
    }
    for t in &a.front.tags {
        d.add_text(f.tag, t.to_lowercase());
    }
    if let Some(au) = &a.front.author {
        d.add_text(f.author, au.as_str());
    }
    if let Some(u) = a.front.updated {
        d.add_date(f.updated, date(u));
        d.add_date(f.created, date(u));
    }
    d
}
