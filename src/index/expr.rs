//! What a search asks for, as a tree: the output of the query parser ([`super::query`]) and
//! of the command-line filters, and the input of the compiler to a tantivy query
//! ([`super::compile`]). Pure data; the field names of the language are listed here.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::model::{InvalidValue, Timestamp};

/// A range of characters of the query text (char offsets, end exclusive), for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// What kind of thing a document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Ticket,
    Task,
    Kb,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Ticket, Kind::Task, Kind::Kb];
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ticket => "ticket",
            Kind::Task => "task",
            Kind::Kb => "kb",
        }
    }
}

impl FromStr for Kind {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Kind, InvalidValue> {
        match s {
            "ticket" | "tickets" => Ok(Kind::Ticket),
            "task" | "tasks" => Ok(Kind::Task),
            "kb" | "article" | "articles" => Ok(Kind::Kb),
            _ => Err(InvalidValue(format!(
                "`{s}` is not a kind (ticket, task, kb)"
            ))),
        }
    }
}
impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which text is searched for words and phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// Title, message bodies, attachment names and the customer's address.
    All,
    Title,
    /// Message and note bodies, task details, article text.
    Body,
    /// Attachment names.
    Files,
}

/// A word or phrase of free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextTerm {
    /// `word`, `word*` (prefix), `word~` / `word~2` (typo-tolerant, edit distance 1 or 2).
    Word {
        text: String,
        prefix: bool,
        fuzzy: u8,
    },
    /// `"two words"`, `"two words"~3` (words at most 3 positions apart).
    Phrase { text: String, slop: u32 },
}

/// Fields whose values are matched exactly (case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordField {
    Status,
    Queue,
    /// `-` stands for nobody.
    Assignee,
    Account,
    Reseller,
    /// Who wrote: message authors of a ticket, a task's creator, an article's author.
    Author,
    Tag,
    Category,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberField {
    Id,
    Priority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Created,
    Updated,
    Answered,
    Closed,
    Due,
}

/// The assignee value that stands for "nobody".
pub const NOBODY: &str = "-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Everything (an empty query).
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Text {
        field: TextField,
        term: TextTerm,
        span: Span,
    },
    /// Any of the values.
    Keyword {
        field: KeywordField,
        values: Vec<String>,
    },
    /// The customer's address contains this (lower case).
    Email(String),
    /// Inclusive bounds.
    Number {
        field: NumberField,
        min: Option<u64>,
        max: Option<u64>,
    },
    /// From `from` (inclusive) to `to` (exclusive).
    Date {
        field: DateField,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    },
    Sticky(bool),
    Kind(Vec<Kind>),
    /// `field.NAME:a,b`: a custom field with any of these values (lower case); `ordered`
    /// holds the sort keys of those that are numbers or dates (`12` finds `12.0`).
    Custom {
        name: String,
        values: Vec<String>,
        ordered: Vec<String>,
    },
    /// `field.NAME:>=5`, `field.NAME:2026-01-01..2026-01-31`: bounds on the sort keys
    /// (see `model::field::sort_key`), each side given as a whole index term.
    CustomRange {
        name: String,
        from: std::ops::Bound<String>,
        to: std::ops::Bound<String>,
    },
    /// `sla:…`: depends on the clock, so it is resolved against the catalog before the
    /// search ([`Expr::resolve_sla`]) into [`Expr::Ids`].
    Sla(crate::model::sla::Filter),
    /// Exactly these ticket ids.
    Ids(Vec<u64>),
}

impl Expr {
    /// `self AND other`, flattening nested ANDs and dropping `All`.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::All, e) | (e, Expr::All) => e,
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), e) => {
                a.push(e);
                Expr::And(a)
            }
            (e, Expr::And(mut b)) => {
                b.insert(0, e);
                Expr::And(b)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    /// Whether any part scores by text (so relevance is a meaningful order).
    pub fn has_text(&self) -> bool {
        match self {
            Expr::Text { .. } => true,
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::has_text),
            _ => false,
        }
    }

    /// Whether an `sla:` filter is left to resolve.
    /// The custom field names the query asks about (`field.NAME:`), in order.
    pub fn custom_names(&self) -> Vec<&str> {
        match self {
            Expr::Custom { name, .. } | Expr::CustomRange { name, .. } => vec![name.as_str()],
            Expr::And(v) | Expr::Or(v) => v.iter().flat_map(Expr::custom_names).collect(),
            Expr::Not(e) => e.custom_names(),
            _ => Vec::new(),
        }
    }

    pub fn has_sla(&self) -> bool {
        match self {
            Expr::Sla(_) => true,
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::has_sla),
            Expr::Not(e) => e.has_sla(),
            _ => false,
        }
    }

    /// Replaces every `sla:` filter by the ids `ids` gives for it.
    pub fn resolve_sla(&mut self, ids: &mut dyn FnMut(crate::model::sla::Filter) -> Vec<u64>) {
        match self {
            Expr::Sla(f) => *self = Expr::Ids(ids(*f)),
            Expr::And(v) | Expr::Or(v) => v.iter_mut().for_each(|e| e.resolve_sla(ids)),
            Expr::Not(e) => e.resolve_sla(ids),
            _ => {}
        }
    }

    /// Whether the query itself says which kinds it looks at (`kind:`).
    pub fn names_kind(&self) -> bool {
        match self {
            Expr::Kind(_) => true,
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::names_kind),
            Expr::Not(e) => e.names_kind(),
            _ => false,
        }
    }
}

/// The field names of the language, for help and error messages.
pub const FIELD_NAMES: &[&str] = &[
    "title",
    "body",
    "text",
    "file",
    "status",
    "queue",
    "assignee",
    "account",
    "reseller",
    "author",
    "tag",
    "category",
    "email",
    "id",
    "priority",
    "created",
    "updated",
    "answered",
    "closed",
    "due",
    "sticky",
    "kind",
    "sla",
    "field.NAME",
];

/// The prefix of custom field names in the language (`field.product:router`).
pub const CUSTOM_PREFIX: &str = "field.";

/// What a field name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text(TextField),
    Keyword(KeywordField),
    Email,
    Number(NumberField),
    Date(DateField),
    Sticky,
    Kind,
    Sla,
}

pub fn field_kind(name: &str) -> Option<FieldKind> {
    use FieldKind as F;
    Some(match name {
        "title" | "subject" => F::Text(TextField::Title),
        "body" => F::Text(TextField::Body),
        "text" => F::Text(TextField::All),
        "file" | "attachment" => F::Text(TextField::Files),
        "status" => F::Keyword(KeywordField::Status),
        "queue" => F::Keyword(KeywordField::Queue),
        "assignee" | "assigned" => F::Keyword(KeywordField::Assignee),
        "account" | "owner" => F::Keyword(KeywordField::Account),
        "reseller" => F::Keyword(KeywordField::Reseller),
        "author" | "by" => F::Keyword(KeywordField::Author),
        "tag" => F::Keyword(KeywordField::Tag),
        "category" => F::Keyword(KeywordField::Category),
        "email" => F::Email,
        "id" => F::Number(NumberField::Id),
        "priority" | "pri" => F::Number(NumberField::Priority),
        "created" => F::Date(DateField::Created),
        "updated" => F::Date(DateField::Updated),
        "answered" => F::Date(DateField::Answered),
        "closed" => F::Date(DateField::Closed),
        "due" => F::Date(DateField::Due),
        "sticky" => F::Sticky,
        "sla" => F::Sla,
        "kind" | "is" => F::Kind,
        _ => return None,
    })
}
