//! The Quick Search index: a ranked, prefix-sharded index loaded as plain scripts (they
//! work from `file://`, where fetching JSON does not).
//!
//! - `assets/search/t-<prefix>.js`: the terms starting with a three-character prefix (a
//!   shorter term has a shard of its own, so a query word of one or two characters finds
//!   only that word: prefix matching starts at the third character), each
//!   with its postings, delta-coded: `(doc gap << 2) | field`, field 3 = id (the ticket's
//!   or a merged one), 2 = title (ticket or KB article), 1 = customer (e-mail, account
//!   name and login), 0 = message text (customer messages and answers only; internal
//!   notes never reach the index).
//! - `assets/search/d-<n>.js`: the records of tickets `n*DOCS_PER_FILE ..` (null for an id
//!   not in the site): `[id, title, e-mail, status]`;
//!   `assets/search/d-kb.js`: the KB articles, `["kb", title, url]`.
//!
//! A ticket's doc number is its id (a higher doc number is a newer ticket, and adding or
//! deleting a ticket changes only the shards of its own words); KB article `i` is doc
//! `KB_BASE + i`. Every file calls the global `GIT_DESK_QS(kind, key, data)`.
//!
//! This module says what goes in (the terms of a doc) and how a file is written; the
//! postings kept between builds, so that a build rewrites only the shards of words that
//! changed, are [`super::search_store`]'s.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::data::Shared;
use super::manifest::TicketRecord;
use crate::model::{MessageKind, Ticket};

/// Docs per record file: a page showing 20 results loads up to 20 of these (~2.5 KB each at
/// 100k tickets), so few docs per file keep the bytes before the first result low.
pub const DOCS_PER_FILE: u64 = 32;
/// Characters of a term that name its shard.
const PREFIX_CHARS: usize = 3;
/// The doc number of the first KB article (above every ticket id).
const KB_BASE: u64 = 1 << 40;
/// Distinct message words kept per ticket (they are kept in the build manifest too).
const MAX_WORDS: usize = 200;
/// Message-text postings kept per term (the newest): a word in thousands of threads does
/// not find anything anyway, and would make its shard large.
const MAX_TEXT_POSTINGS: usize = 500;

const FIELD_ID: u8 = 3;
const FIELD_TITLE: u8 = 2;
const FIELD_CUSTOMER: u8 = 1;
const FIELD_TEXT: u8 = 0;

/// Words too common to search by.
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "hi",
    "i", "if", "in", "is", "it", "me", "my", "no", "not", "of", "on", "or", "our", "so", "that",
    "the", "this", "to", "was", "we", "with", "you", "your",
];

/// The lower-case words of `text` (letters and digits), as the browser splits a query.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

/// A message word worth indexing.
fn indexable(w: &str) -> bool {
    let n = w.chars().count();
    (2..=24).contains(&n) && !STOP.contains(&w)
}

/// The distinct words of a ticket's public thread (customer messages and answers; never
/// internal notes or auto-responses), for the index.
pub fn thread_words<'a>(messages: impl Iterator<Item = (MessageKind, &'a str)>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (kind, body) in messages {
        if !matches!(kind, MessageKind::Customer | MessageKind::Answer) {
            continue;
        }
        for w in words(body) {
            if out.len() >= MAX_WORDS {
                return out;
            }
            if indexable(&w) && seen.insert(w.clone()) {
                out.push(w);
            }
        }
    }
    out
}

/// The shard of a term: its first three characters (a shorter term is its own shard).
fn prefix(term: &str) -> String {
    term.chars().take(PREFIX_CHARS).collect()
}

/// A shard's file name part: the prefix itself when it is plain ASCII, else its code points.
fn shard_name(prefix: &str) -> String {
    if prefix
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        prefix.to_owned()
    } else {
        prefix
            .chars()
            .map(|c| format!("u{:x}", c as u32))
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// A script calling the registration function, safe inside any `<script>`.
fn script(kind: &str, key: &str, data: &Value) -> Vec<u8> {
    let data = data
        .to_string()
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    format!("GIT_DESK_QS({}, {}, {data});\n", json!(kind), json!(key)).into_bytes()
}

/// A doc's terms, each with its best field.
pub type Terms = BTreeMap<String, u8>;

fn add(terms: &mut Terms, term: String, field: u8) {
    let e = terms.entry(term).or_insert(field);
    *e = (*e).max(field);
}

/// The terms of a ticket: its id (and merged ids), title, customer (e-mail, account login,
/// the account's name and e-mail) and the message words `words` (see [`joined`]).
pub fn ticket_terms(t: &Ticket, words: &str, shared: &Shared) -> Terms {
    let mut terms = Terms::new();
    add(&mut terms, t.id.to_string(), FIELD_ID);
    for m in &t.merged_from {
        add(&mut terms, m.to_string(), FIELD_ID);
    }
    for w in self::words(&t.title) {
        add(&mut terms, w, FIELD_TITLE);
    }
    for w in self::words(t.email.as_ref()) {
        add(&mut terms, w, FIELD_CUSTOMER);
    }
    if let Some(a) = &t.account {
        for w in self::words(a.as_str()) {
            add(&mut terms, w, FIELD_CUSTOMER);
        }
        if let Some(acc) = shared.accounts.get(a) {
            for w in self::words(&acc.name).chain(self::words(acc.email.as_ref())) {
                add(&mut terms, w, FIELD_CUSTOMER);
            }
        }
    }
    for w in words.split(' ').filter(|w| !w.is_empty()) {
        add(&mut terms, w.to_owned(), FIELD_TEXT);
    }
    terms
}

/// The KB articles as docs: doc number and terms (their titles).
pub fn kb_docs(shared: &Shared) -> Vec<(u64, Terms)> {
    shared
        .kb
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut terms = Terms::new();
            for w in words(&a.front.title) {
                add(&mut terms, w, FIELD_TITLE);
            }
            (KB_BASE + i as u64, terms)
        })
        .collect()
}

/// Words kept as one string, space-separated (a word never holds a space): one allocation
/// per ticket instead of one per word, for the 100k tickets of a full build.
pub fn joined(words: Vec<String>) -> String {
    words.join(" ")
}

/// The shard a term belongs to (its first three characters).
pub fn shard_of(term: &str) -> String {
    prefix(term)
}

/// The path of the term file of shard `prefix`.
pub fn shard_path(prefix: &str) -> String {
    format!("assets/search/t-{}.js", shard_name(prefix))
}

/// The path of record file `n`.
pub fn chunk_path(n: u64) -> String {
    format!("assets/search/d-{n}.js")
}

/// The record file of shard `prefix`: every term with its postings (doc, field) in doc
/// order, of which every id/title/customer posting and the newest message-text ones are
/// written.
pub fn shard_script(prefix: &str, terms: &[(String, Vec<(u64, u8)>)]) -> Vec<u8> {
    let mut out = serde_json::Map::new();
    for (term, list) in terms {
        let text = list.iter().filter(|(_, f)| *f == FIELD_TEXT).count();
        let mut cut = text.saturating_sub(MAX_TEXT_POSTINGS);
        let mut last = 0u64;
        let mut coded = Vec::new();
        for (doc, field) in list {
            if *field == FIELD_TEXT && cut > 0 {
                cut -= 1;
                continue;
            }
            coded.push(json!(((doc - last) << 2) | u64::from(*field)));
            last = *doc;
        }
        out.insert(term.clone(), Value::Array(coded));
    }
    script("t", prefix, &Value::Object(out))
}

/// Record file `n`: the tickets `n*DOCS_PER_FILE ..` of `records` (null where none).
pub fn chunk_script(n: u64, records: &BTreeMap<u64, TicketRecord>) -> Vec<u8> {
    let mut chunk: Vec<Value> = Vec::new();
    let from = n * DOCS_PER_FILE;
    for r in records.range(from..from + DOCS_PER_FILE).map(|(_, r)| r) {
        let Some(t) = &r.ticket else { continue };
        let doc = t.id.get();
        chunk.resize((doc % DOCS_PER_FILE) as usize, Value::Null);
        chunk.push(json!([
            t.id.get(),
            t.title,
            t.email.to_string(),
            t.status.name()
        ]));
    }
    script("d", &n.to_string(), &json!(chunk))
}

/// The chunks holding a ticket.
pub fn chunks(records: &BTreeMap<u64, TicketRecord>) -> std::collections::BTreeSet<u64> {
    records
        .iter()
        .filter(|(_, r)| r.ticket.is_some())
        .map(|(id, _)| id / DOCS_PER_FILE)
        .collect()
}

/// `assets/search/d-kb.js`.
pub fn kb_script(shared: &Shared) -> (String, Vec<u8>) {
    let kb: Vec<Value> = shared
        .kb
        .iter()
        .map(|a| json!(["kb", a.front.title, super::pages::kb_url(a.slug.as_str())]))
        .collect();
    (
        "assets/search/d-kb.js".into(),
        script("d", "kb", &json!(kb)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names_are_safe_file_names() {
        assert_eq!(shard_name("ab"), "ab");
        assert_eq!(shard_name("10"), "10");
        assert_eq!(shard_name("é1"), "ue9-u31");
    }

    #[test]
    fn notes_are_not_indexed() {
        let w = thread_words(
            [
                (MessageKind::Customer, "Printer on fire"),
                (MessageKind::Note, "secretword"),
                (MessageKind::Answer, "Extinguisher sent"),
            ]
            .into_iter(),
        );
        assert_eq!(w, ["printer", "fire", "extinguisher", "sent"]);
    }
}
