//! From an [`Expr`] to a tantivy query, and the visibility rules as a query.
//!
//! Words and phrases are run through each field's own analyzer (stemmed English for titles
//! and bodies, plain words for attachment names and addresses), so `printers` finds
//! `printer`. Typo tolerance is only ever used when the query asks for it with `~`. Filters
//! (keywords, numbers, dates) do not add to the score: relevance comes from text alone.

use std::collections::HashMap;
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Term};

use crate::model::{Permission, Settings, Staff};

use super::expr::{DateField, Expr, KeywordField, Kind, NumberField, TextField, TextTerm};
use super::query::QueryError;
use super::schema::{date, Fields};

type Q = Box<dyn Query>;

pub struct Compiler<'a> {
    index: &'a Index,
    f: &'a Fields,
    analyzers: HashMap<Field, TextAnalyzer>,
}

fn filter(q: Q) -> Q {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn term_query(t: Term) -> Q {
    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
}

fn any_of(mut qs: Vec<Q>) -> Q {
    match qs.len() {
        0 => Box::new(EmptyQuery),
        1 => qs.pop().expect("one query"),
        _ => Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    }
}

fn all_of(mut qs: Vec<Q>) -> Q {
    match qs.len() {
        0 => Box::new(AllQuery),
        1 => qs.pop().expect("one query"),
        _ => Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Must, q)).collect(),
        )),
    }
}

fn not(q: Q) -> Q {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery) as Q),
        (Occur::MustNot, q),
    ]))
}

/// `.*<text>.*` with the regex syntax characters escaped.
pub(crate) fn contains_pattern(s: &str) -> String {
    let mut p = String::from(".*");
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~\"<>".contains(c) {
            p.push('\\');
        }
        p.push(c);
    }
    p.push_str(".*");
    p
}

impl<'a> Compiler<'a> {
    pub fn new(index: &'a Index, f: &'a Fields) -> Compiler<'a> {
        Compiler {
            index,
            f,
            analyzers: HashMap::new(),
        }
    }

    /// The query for `expr`; `source` is the text it was parsed from (for errors).
    pub fn compile(&mut self, expr: &Expr, source: &str) -> Result<Q, QueryError> {
        Ok(match expr {
            Expr::All => Box::new(AllQuery),
            Expr::And(parts) => {
                let mut clauses = Vec::new();
                let mut positive = false;
                for p in parts {
                    match p {
                        Expr::Not(inner) => {
                            clauses.push((Occur::MustNot, self.compile(inner, source)?))
                        }
                        p => {
                            positive = true;
                            clauses.push((Occur::Must, self.compile(p, source)?));
                        }
                    }
                }
                if !positive {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(parts) => {
                let mut qs = Vec::new();
                for p in parts {
                    qs.push(self.compile(p, source)?);
                }
                any_of(qs)
            }
            Expr::Not(inner) => not(self.compile(inner, source)?),
            Expr::Text { field, term, span } => {
                let fields: Vec<(Field, f32)> = match field {
                    TextField::All => vec![
                        (self.f.title, 3.0),
                        (self.f.body, 1.0),
                        (self.f.files, 1.0),
                        (self.f.email_text, 1.0),
                    ],
                    TextField::Title => vec![(self.f.title, 1.0)],
                    TextField::Body => vec![(self.f.body, 1.0)],
                    TextField::Files => vec![(self.f.files, 1.0)],
                };
                let mut qs = Vec::new();
                for (field, boost) in fields {
                    if let Some(q) = self.text(field, term) {
                        qs.push(if boost == 1.0 {
                            q
                        } else {
                            Box::new(BoostQuery::new(q, boost)) as Q
                        });
                    }
                }
                if qs.is_empty() {
                    return Err(QueryError::new(
                        source,
                        *span,
                        "nothing to search for here (no letters or digits)",
                    ));
                }
                any_of(qs)
            }
            Expr::Keyword { field, values } => {
                let fld = self.keyword_field(*field);
                filter(any_of(
                    values
                        .iter()
                        .map(|v| term_query(Term::from_field_text(fld, v)))
                        .collect(),
                ))
            }
            Expr::Email(part) => {
                match RegexQuery::from_pattern(&contains_pattern(part), self.f.email) {
                    Ok(q) => filter(Box::new(q)),
                    Err(_) => filter(term_query(Term::from_field_text(self.f.email, part))),
                }
            }
            Expr::Number { field, min, max } => {
                let fld = match field {
                    NumberField::Id => self.f.id,
                    NumberField::Priority => self.f.priority,
                };
                let b = |v: &Option<u64>| match v {
                    Some(n) => Bound::Included(Term::from_field_u64(fld, *n)),
                    None => Bound::Unbounded,
                };
                match (min, max) {
                    (Some(a), Some(b)) if a == b => term_query(Term::from_field_u64(fld, *a)),
                    (None, None) => Box::new(AllQuery),
                    _ => filter(Box::new(RangeQuery::new(b(min), b(max)))),
                }
            }
            Expr::Date { field, from, to } => {
                let fld = match field {
                    DateField::Created => self.f.created,
                    DateField::Updated => self.f.updated,
                    DateField::Answered => self.f.answered,
                    DateField::Closed => self.f.closed,
                    DateField::Due => self.f.due,
                };
                let lo = from.map_or(Bound::Unbounded, |t| {
                    Bound::Included(Term::from_field_date(fld, date(t)))
                });
                let hi = to.map_or(Bound::Unbounded, |t| {
                    Bound::Excluded(Term::from_field_date(fld, date(t)))
                });
                if from.is_none() && to.is_none() {
                    Box::new(AllQuery)
                } else {
                    filter(Box::new(RangeQuery::new(lo, hi)))
                }
            }
            Expr::Sticky(b) => filter(term_query(Term::from_field_bool(self.f.sticky, *b))),
            Expr::Kind(kinds) => filter(self.kinds(kinds)),
            Expr::Custom {
                values, ordered, ..
            } => filter(any_of(
                values
                    .iter()
                    .map(|v| term_query(Term::from_field_text(self.f.custom, v)))
                    .chain(
                        ordered
                            .iter()
                            .map(|v| term_query(Term::from_field_text(self.f.custom_ord, v))),
                    )
                    .collect(),
            )),
            Expr::CustomRange { from, to, .. } => {
                let term = |v: &String| Term::from_field_text(self.f.custom_ord, v);
                filter(Box::new(RangeQuery::new(
                    from.as_ref().map(term),
                    to.as_ref().map(term),
                )))
            }
            Expr::Ids(ids) => filter(Box::new(tantivy::query::TermSetQuery::new(
                ids.iter().map(|i| Term::from_field_u64(self.f.id, *i)),
            ))),
            Expr::Sla(_) => {
                return Err(QueryError::new(
                    source,
                    super::expr::Span::new(0, source.chars().count()),
                    "sla: needs the clock and the catalog (search through git desk search)",
                ))
            }
        })
    }

    pub fn kinds(&self, kinds: &[Kind]) -> Q {
        any_of(
            kinds
                .iter()
                .map(|k| term_query(Term::from_field_text(self.f.kind, k.name())))
                .collect(),
        )
    }

    fn keyword_field(&self, k: KeywordField) -> Field {
        match k {
            KeywordField::Status => self.f.status,
            KeywordField::Queue => self.f.queue,
            KeywordField::Assignee => self.f.assignee,
            KeywordField::Account => self.f.account,
            KeywordField::Reseller => self.f.reseller,
            KeywordField::Author => self.f.author,
            KeywordField::Tag => self.f.tag,
            KeywordField::Category => self.f.category,
        }
    }

    /// The terms `text` becomes in `field`, through the field's analyzer.
    fn tokens(&mut self, field: Field, text: &str) -> Vec<String> {
        let index = self.index;
        let analyzer = self.analyzers.entry(field).or_insert_with(|| {
            index.tokenizer_for_field(field).unwrap_or_else(|_| {
                TextAnalyzer::from(tantivy::tokenizer::SimpleTokenizer::default())
            })
        });
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        stream.process(&mut |t| out.push(t.text.clone()));
        out
    }

    fn text(&mut self, field: Field, term: &TextTerm) -> Option<Q> {
        let (text, prefix, fuzzy, slop) = match term {
            TextTerm::Word {
                text,
                prefix,
                fuzzy,
            } => (text.as_str(), *prefix, *fuzzy, 0),
            TextTerm::Phrase { text, slop } => (text.as_str(), false, 0, *slop),
        };
        let tokens = self.tokens(field, text);
        let terms: Vec<Term> = tokens
            .iter()
            .map(|t| Term::from_field_text(field, t))
            .collect();
        if terms.is_empty() {
            return None;
        }
        if fuzzy > 0 {
            return Some(all_of(
                terms
                    .into_iter()
                    .map(|t| Box::new(FuzzyTermQuery::new(t, fuzzy, true)) as Q)
                    .collect(),
            ));
        }
        if prefix {
            if terms.len() == 1 {
                let t = terms.into_iter().next().expect("one term");
                return Some(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)));
            }
            return Some(Box::new(PhrasePrefixQuery::new(terms)));
        }
        if terms.len() == 1 {
            let t = terms.into_iter().next().expect("one term");
            return Some(Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)));
        }
        let mut q = PhraseQuery::new(terms);
        q.set_slop(slop);
        Some(Box::new(q))
    }
}

/// What `me` may find: tickets by the visibility rule (the queues they are entitled to, the
/// default queue, and tickets assigned to them; main admins everything), tasks with
/// `tasks.admin` (all) or `tasks.use` (assigned to or created by them), articles with
/// `kb.use` or `kb.admin`; narrowed to `kinds`.
pub fn visible(f: &Fields, me: &Staff, settings: &Settings, kinds: &[Kind]) -> Q {
    let kind = |k: Kind| term_query(Term::from_field_text(f.kind, k.name()));
    let me_as = |field: Field| term_query(Term::from_field_text(field, me.login.as_str()));
    let mut alts = Vec::new();
    for k in kinds {
        match k {
            Kind::Ticket if me.is_main() => alts.push(kind(Kind::Ticket)),
            Kind::Ticket => {
                let mut queues: Vec<Q> = me
                    .queues
                    .iter()
                    .chain(std::iter::once(&settings.default_queue))
                    .map(|q| term_query(Term::from_field_text(f.queue, q.as_str())))
                    .collect();
                queues.push(me_as(f.assignee));
                alts.push(all_of(vec![kind(Kind::Ticket), any_of(queues)]));
            }
            Kind::Task if me.has(Permission::TasksAdmin) => alts.push(kind(Kind::Task)),
            Kind::Task if me.has(Permission::TasksUse) => alts.push(all_of(vec![
                kind(Kind::Task),
                any_of(vec![me_as(f.assignee), me_as(f.author)]),
            ])),
            Kind::Task => {}
            Kind::Kb if me.has(Permission::KbUse) || me.has(Permission::KbAdmin) => {
                alts.push(kind(Kind::Kb))
            }
            Kind::Kb => {}
        }
    }
    filter(any_of(alts))
}
