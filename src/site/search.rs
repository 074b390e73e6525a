//! The Quick Search index: a ranked, prefix-sharded index loaded as plain scripts (they
//! work from `file://`, where fetching JSON does not).
//!
//! - `assets/search/t-<prefix>.js`: the terms starting with a two-character prefix, each
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

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::data::Shared;
use super::manifest::TicketRecord;
use crate::model::MessageKind;

/// Docs per record file: a page showing 20 results loads a few of these.
pub const DOCS_PER_FILE: u64 = 128;
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

/// The shard of a term: its first two characters.
fn prefix(term: &str) -> String {
    term.chars().take(2).collect()
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

/// Every file of the index: site-relative path → content.
pub fn files(records: &BTreeMap<u64, TicketRecord>, shared: &Shared) -> Vec<(String, Vec<u8>)> {
    // chunk → records
    let mut docs: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    let mut kb: Vec<Value> = Vec::new();
    // term → doc → best field
    let mut postings: BTreeMap<String, BTreeMap<u64, u8>> = BTreeMap::new();
    let mut add = |term: String, doc: u64, field: u8| {
        let e = postings
            .entry(term)
            .or_default()
            .entry(doc)
            .or_insert(field);
        *e = (*e).max(field);
    };
    for r in records.values() {
        let Some(t) = &r.ticket else { continue };
        let doc = t.id.get();
        let chunk = docs.entry(doc / DOCS_PER_FILE).or_default();
        chunk.resize((doc % DOCS_PER_FILE) as usize, Value::Null);
        chunk.push(json!([
            t.id.get(),
            t.title,
            t.email.to_string(),
            t.status.name()
        ]));
        add(t.id.to_string(), doc, FIELD_ID);
        for m in &t.merged_from {
            add(m.to_string(), doc, FIELD_ID);
        }
        for w in words(&t.title) {
            add(w, doc, FIELD_TITLE);
        }
        for w in words(t.email.as_ref()) {
            add(w, doc, FIELD_CUSTOMER);
        }
        if let Some(a) = &t.account {
            for w in words(a.as_str()) {
                add(w, doc, FIELD_CUSTOMER);
            }
            if let Some(acc) = shared.accounts.get(a) {
                for w in words(&acc.name).chain(words(acc.email.as_ref())) {
                    add(w, doc, FIELD_CUSTOMER);
                }
            }
        }
        for w in &r.words {
            add(w.clone(), doc, FIELD_TEXT);
        }
    }
    for a in &shared.kb {
        let doc = KB_BASE + kb.len() as u64;
        kb.push(json!([
            "kb",
            a.front.title,
            super::pages::kb_url(a.slug.as_str())
        ]));
        for w in words(&a.front.title) {
            add(w, doc, FIELD_TITLE);
        }
    }
    let mut shards: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    for (term, list) in postings {
        // Keep every id/title/customer posting, and the newest message-text ones.
        let text: Vec<u64> = list
            .iter()
            .filter(|(_, f)| **f == FIELD_TEXT)
            .map(|(d, _)| *d)
            .collect();
        let cut = text.len().saturating_sub(MAX_TEXT_POSTINGS);
        let dropped: std::collections::BTreeSet<u64> = text[..cut].iter().copied().collect();
        let mut last = 0u64;
        let mut coded = Vec::new();
        for (doc, field) in list.iter().filter(|(d, _)| !dropped.contains(d)) {
            coded.push(json!(((doc - last) << 2) | u64::from(*field)));
            last = *doc;
        }
        shards
            .entry(prefix(&term))
            .or_default()
            .insert(term, Value::Array(coded));
    }
    let mut out = Vec::new();
    for (p, terms) in shards {
        out.push((
            format!("assets/search/t-{}.js", shard_name(&p)),
            script("t", &p, &Value::Object(terms)),
        ));
    }
    for (n, chunk) in docs {
        out.push((
            format!("assets/search/d-{n}.js"),
            script("d", &n.to_string(), &json!(chunk)),
        ));
    }
    out.push((
        "assets/search/d-kb.js".into(),
        script("d", "kb", &json!(kb)),
    ));
    out
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
