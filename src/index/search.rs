//! Running searches: the advanced search ("Search Tickets": the query language, filters,
//! kinds, sorting, a limit) and the dashboard's Quick Search (an id, words of the title, or
//! a full or partial e-mail address, best match first). Both apply the visibility rules and
//! read results from the index's stored fields, not from the desk.

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::model::{Date, Settings, Staff, Timestamp};

use super::compile::{visible, Compiler};
use super::error::{IndexError, Result};
use super::expr::{Expr, Kind, Span, TextField, TextTerm, NOBODY};
use super::query::QueryError;
use super::refresh::SearchIndex;
use super::schema::Fields;

/// The order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Relevance when the query has text, else most recently updated.
    #[default]
    Auto,
    /// Best match first (then most recently updated).
    Relevance,
    /// Most recently updated first.
    Updated,
    /// Newest first.
    Created,
    /// Highest priority first (then most recently updated).
    Priority,
    /// Ascending id.
    Id,
}

/// One search: parts that must all match, each with the text it came from (for errors).
#[derive(Debug, Clone)]
pub struct Request {
    pub parts: Vec<(Expr, String)>,
    /// None: tickets, unless the query says `kind:`.
    pub kinds: Option<Vec<Kind>>,
    pub sort: Sort,
    pub limit: usize,
}

/// One result, from the index's stored fields.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub kind: Kind,
    /// Ticket or task id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Knowledge-base slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub title: String,
    pub status: Option<String>,
    pub queue: Option<String>,
    pub priority: Option<u64>,
    /// None = nobody.
    pub assignee: Option<String>,
    pub email: Option<String>,
    pub account: Option<String>,
    pub reseller: Option<String>,
    pub category: Option<String>,
    pub created: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub due: Option<Date>,
    /// A ticket's tags (an article's, lower-cased).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Relevance (only when sorted by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// How many matched (more than shown when the limit cut them).
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// The advanced search.
pub fn search(si: &SearchIndex, me: &Staff, settings: &Settings, req: &Request) -> Result<Results> {
    let f = si.fields();
    let mut compiler = Compiler::new(si.tantivy(), f);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (expr, source) in &req.parts {
        declared_fields_only(expr, source, settings)?;
        clauses.push((Occur::Must, compiler.compile(expr, source)?));
    }
    let names_kind = req.parts.iter().any(|(e, _)| e.names_kind());
    let kinds = match &req.kinds {
        Some(k) => k.clone(),
        None if names_kind => Kind::ALL.to_vec(),
        None => vec![Kind::Ticket],
    };
    clauses.push((Occur::Must, visible(f, me, settings, &kinds)));
    let query = BooleanQuery::new(clauses);
    let sort = match req.sort {
        Sort::Auto if req.parts.iter().any(|(e, _)| e.has_text()) => Sort::Relevance,
        Sort::Auto => Sort::Updated,
        s => s,
    };
    run(si, &query, sort, req.limit)
}

/// Refuses `field.NAME:` for a name desk.yaml does not declare (it would find nothing,
/// silently), pointing at it in the query.
fn declared_fields_only(expr: &Expr, source: &str, settings: &Settings) -> Result<()> {
    for name in expr.custom_names() {
        if settings.fields.iter().any(|f| f.name.as_str() == name) {
            continue;
        }
        let needle = format!("{}{name}", super::expr::CUSTOM_PREFIX);
        let start = source
            .find(&needle)
            .map_or(0, |i| source[..i].chars().count());
        let span = Span::new(start, start + needle.chars().count());
        let declared: Vec<&str> = settings.fields.iter().map(|f| f.name.as_str()).collect();
        let declared = if declared.is_empty() {
            "desk.yaml declares no custom fields".to_owned()
        } else {
            format!("desk.yaml declares: {}", declared.join(", "))
        };
        let message = format!("unknown custom field `{name}` ({declared})");
        return Err(QueryError::new(source, span, message).into());
    }
    Ok(())
}

/// Quick Search: `term` as a ticket id, a full or partial e-mail address, or words of the
/// title. An exact id comes first, then an exact address, then title matches and partial
/// addresses by relevance. Tickets only.
pub fn quick(
    si: &SearchIndex,
    me: &Staff,
    settings: &Settings,
    term: &str,
    limit: usize,
) -> Result<Results> {
    let f = si.fields();
    let term = term.trim();
    let lower = term.to_lowercase();
    let mut alts: Vec<Box<dyn Query>> = Vec::new();
    if let Ok(id) = term.trim_start_matches('#').parse::<u64>() {
        alts.push(boosted(exact(f.id_term(id)), 1000.0));
    }
    if lower.contains('@') {
        alts.push(boosted(
            exact(Term::from_field_text(f.email, &lower)),
            500.0,
        ));
    }
    if lower.chars().count() >= 3 && !lower.contains(char::is_whitespace) {
        if let Ok(q) = RegexQuery::from_pattern(&super::compile::contains_pattern(&lower), f.email)
        {
            alts.push(Box::new(ConstScoreQuery::new(Box::new(q), 20.0)));
        }
    }
    let mut compiler = Compiler::new(si.tantivy(), f);
    let words: Vec<Expr> = term
        .split_whitespace()
        .map(|w| Expr::Text {
            field: TextField::Title,
            term: TextTerm::Word {
                text: w.to_owned(),
                prefix: false,
                fuzzy: 0,
            },
            span: Default::default(),
        })
        .collect();
    if !words.is_empty() {
        if let Ok(q) = compiler.compile(&Expr::And(words), term) {
            alts.push(q);
        }
    }
    if alts.is_empty() {
        return Ok(Results {
            total: 0,
            hits: Vec::new(),
        });
    }
    let query = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(BooleanQuery::new(
                alts.into_iter().map(|q| (Occur::Should, q)).collect(),
            )) as Box<dyn Query>,
        ),
        (Occur::Must, visible(f, me, settings, &[Kind::Ticket])),
    ]);
    run(si, &query, Sort::Relevance, limit)
}

fn exact(t: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
}

fn boosted(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, by))
}

impl Fields {
    fn id_term(&self, id: u64) -> Term {
        Term::from_field_u64(self.id, id)
    }
}

fn by<T: tantivy::fastfield::FastValue>(field: &str) -> SortByStaticFastValue<T> {
    SortByStaticFastValue::for_field(field)
}

fn run(si: &SearchIndex, query: &dyn Query, sort: Sort, limit: usize) -> Result<Results> {
    let searcher = si.searcher();
    // the collector keeps room for `limit` results: never more than there are documents
    let top = TopDocs::with_limit(limit.min(searcher.num_docs() as usize).max(1));
    let err = IndexError::tantivy("searching");
    let (addrs, total): (Vec<(Option<f32>, DocAddress)>, usize) = match sort {
        Sort::Relevance | Sort::Auto => {
            let c = top.order_by((
                (SortBySimilarityScore, Order::Desc),
                (by::<DateTime>("updated"), Order::Desc),
            ));
            let (v, n) = searcher.search(query, &(c, Count)).map_err(err)?;
            (v.into_iter().map(|((s, _), a)| (Some(s), a)).collect(), n)
        }
        Sort::Updated => {
            let c = top.order_by((
                (by::<DateTime>("updated"), Order::Desc),
                (by::<u64>("id"), Order::Asc),
            ));
            let (v, n) = searcher.search(query, &(c, Count)).map_err(err)?;
            (v.into_iter().map(|(_, a)| (None, a)).collect(), n)
        }
        Sort::Created => {
            let c = top.order_by((
                (by::<DateTime>("created"), Order::Desc),
                (by::<u64>("id"), Order::Desc),
            ));
            let (v, n) = searcher.search(query, &(c, Count)).map_err(err)?;
            (v.into_iter().map(|(_, a)| (None, a)).collect(), n)
        }
        Sort::Priority => {
            let c = top.order_by((
                (by::<u64>("priority"), Order::Desc),
                (by::<DateTime>("updated"), Order::Desc),
            ));
            let (v, n) = searcher.search(query, &(c, Count)).map_err(err)?;
            (v.into_iter().map(|(_, a)| (None, a)).collect(), n)
        }
        Sort::Id => {
            let c = top.order_by((by::<u64>("id"), Order::Asc));
            let (v, n) = searcher.search(query, &(c, Count)).map_err(err)?;
            (v.into_iter().map(|(_, a)| (None, a)).collect(), n)
        }
    };
    let mut hits = Vec::with_capacity(addrs.len());
    for (score, addr) in addrs {
        hits.push(hit(&searcher, si.fields(), addr, score)?);
    }
    if limit == 0 {
        hits.clear();
    }
    Ok(Results { total, hits })
}

fn hit(searcher: &Searcher, f: &Fields, addr: DocAddress, score: Option<f32>) -> Result<Hit> {
    let d: TantivyDocument = searcher
        .doc(addr)
        .map_err(IndexError::tantivy("reading a result"))?;
    let text = |field: Field| {
        d.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let time = |field: Field| {
        d.get_first(field)
            .and_then(|v| v.as_datetime())
            .and_then(|t| Timestamp::from_unix(t.into_timestamp_secs()).ok())
    };
    let kind = match text(f.kind).as_deref() {
        Some("task") => Kind::Task,
        Some("kb") => Kind::Kb,
        _ => Kind::Ticket,
    };
    Ok(Hit {
        kind,
        id: d.get_first(f.id).and_then(|v| v.as_u64()),
        slug: text(f.slug),
        title: text(f.title).unwrap_or_default(),
        status: text(f.status),
        queue: text(f.queue),
        priority: d.get_first(f.priority).and_then(|v| v.as_u64()),
        assignee: text(f.assignee).filter(|a| a != NOBODY),
        email: text(f.email),
        account: text(f.account),
        reseller: text(f.reseller),
        category: text(f.category),
        created: time(f.created),
        updated: time(f.updated),
        due: time(f.due).map(|t| t.date()),
        tags: d
            .get_all(f.tag)
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        score,
    })
}

/// How many tickets, tasks and articles the index holds.
pub fn counts(si: &SearchIndex) -> Result<(usize, usize, usize)> {
    let searcher = si.searcher();
    let count = |k: Kind| {
        searcher
            .search(
                &TermQuery::new(
                    Term::from_field_text(si.fields().kind, k.name()),
                    IndexRecordOption::Basic,
                ),
                &Count,
            )
            .map_err(IndexError::tantivy("counting"))
    };
    Ok((count(Kind::Ticket)?, count(Kind::Task)?, count(Kind::Kb)?))
}
