//! The Quick Search index between builds: what an incremental build needs to rewrite only
//! the files of the words that changed (issue 16), kept in the site's cache folder beside
//! the manifest (derived, rebuilt by a full build, never committed):
//!
//! - `search/p-<shard>.bin`: every posting of the shard's terms, before the newest-500 cut
//!   of message words (postcard: term → (doc, field) in doc order);
//! - `search/w-<bucket>.bin`: the message words of each ticket of a bucket, which are no
//!   longer in the manifest (they were most of its size): what a changed ticket's old
//!   postings are computed from;
//! - `search/kb.bin`: the KB articles' terms at the last build;
//! - `search/state`: the token of the build the files belong to (also in the manifest).
//!   It is removed before anything here is rewritten and written last, so after a build
//!   that died half-way the tokens differ and the next build is a full one. A stored file
//!   found missing or damaged during an incremental build makes it start again as a full
//!   one ([`SiteError::SearchStale`]).
//!
//! A full build (and one whose shared inputs changed: account names are customer terms)
//! writes everything from the rendered tickets' words; an incremental one compares the old
//! and new terms of each rendered or removed ticket and of the KB, and rewrites the shards
//! and record files they touch, plus any the output directory lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::data::Shared;
use super::manifest::TicketRecord;
use super::output::write_atomic;
use super::search::{self, Terms};
use super::{Result, SiteError};
use crate::model::TicketId;

const STATE: &str = "state";
const KB: &str = "kb.bin";

/// A shard's postings: term → (doc, field), ascending doc.
type Shard = BTreeMap<String, Vec<(u64, u8)>>;
/// A bucket's message words: ticket id → words.
type Words = BTreeMap<u64, String>;

#[derive(Serialize, Deserialize)]
struct State {
    token: String,
    /// Every shard (prefix) with a file.
    shards: BTreeSet<String>,
}

fn dir(cache: &Path) -> PathBuf {
    cache.join("search")
}

fn read<T: DeserializeOwned>(path: &Path) -> Option<T> {
    postcard::from_bytes(&std::fs::read(path).ok()?).ok()
}

/// A stored file the state says is there: missing or undecodable, the store is stale.
fn read_known<T: DeserializeOwned>(path: &Path) -> Result<T> {
    read(path).ok_or(SiteError::SearchStale)
}

/// A stored file that may be missing (then `T::default()`); undecodable, the store is
/// stale.
fn read_or_default<T: DeserializeOwned + Default>(path: &Path) -> Result<T> {
    match std::fs::read(path) {
        Ok(bytes) => postcard::from_bytes(&bytes).map_err(|_| SiteError::SearchStale),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(SiteError::io(path, e)),
    }
}

fn write<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes =
        postcard::to_stdvec(value).map_err(|e| SiteError::io(path, std::io::Error::other(e)))?;
    write_atomic(path, &bytes)
}

fn shard_file(dir: &Path, prefix: &str) -> PathBuf {
    let name = search::shard_path(prefix);
    let name = name
        .trim_start_matches("assets/search/t-")
        .trim_end_matches(".js");
    dir.join(format!("p-{name}.bin"))
}

/// Whether the stored index belongs to the build whose manifest recorded `token`.
pub fn trusted(cache: &Path, token: Option<&str>) -> bool {
    let state: Option<State> = read(&dir(cache).join(STATE));
    token.is_some() && state.map(|s| s.token) == token.map(str::to_owned)
}

/// A file of the index after this build: its new content, or unchanged (`None`: the file
/// the last build wrote is still right and still there).
pub struct SearchFile {
    pub path: String,
    pub bytes: Option<Vec<u8>>,
}

/// What [`update`] needs of the build.
pub struct Update<'a> {
    pub cache: &'a Path,
    /// Rewrite everything from `records` (every ticket was rendered in this build).
    pub everything: bool,
    /// The last build's tickets.
    pub old: &'a BTreeMap<u64, TicketRecord>,
    /// This build's tickets; those rendered in it hold their words.
    pub records: &'a BTreeMap<u64, TicketRecord>,
    /// The tickets rendered in this build.
    pub rendered: &'a BTreeSet<u64>,
    pub shared: &'a Shared,
    /// Whether the last build's file at a site path is still in the output directory.
    pub present: &'a dyn Fn(&str) -> bool,
    /// The token to record.
    pub token: &'a str,
}

/// Brings the stored index to this build and returns the files of the index and the token
/// of the stored index (the last build's when nothing in it changed).
pub fn update(u: &Update<'_>) -> Result<(Vec<SearchFile>, String)> {
    let dir = dir(u.cache);
    // Without the state (another build into the same folder removed it since this one
    // trusted it) the words of unchanged tickets are unknown here: start again in full.
    let old_state: Option<State> = if u.everything {
        None
    } else {
        Some(read_known(&dir.join(STATE))?)
    };
    let files = match old_state {
        Some(state) => incremental(u, &dir, state)?,
        None => {
            forget(&dir)?;
            everything(u, &dir)?
        }
    };
    if let Some(shards) = files.1 {
        let state = State {
            token: u.token.to_owned(),
            shards,
        };
        write(&dir.join(STATE), &state)?;
        return Ok((files.0, u.token.to_owned()));
    }
    Ok((files.0, files.2))
}

/// Removes the state: from here on the stored files match no manifest until a new state
/// is written.
fn forget(dir: &Path) -> Result<()> {
    match std::fs::remove_file(dir.join(STATE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SiteError::io(dir.join(STATE), e)),
    }
}

/// The files, and the shards to record in a new state (none: the store did not change and
/// keeps the token given third).
type Files = (Vec<SearchFile>, Option<BTreeSet<String>>, String);

/// Every file, from the words of every (rendered) ticket.
fn everything(u: &Update<'_>, dir: &Path) -> Result<Files> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| SiteError::io(dir, e))?;
    }
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    // Borrowed: the same encoding as [`Words`], without a copy of every word.
    let mut words: BTreeMap<String, BTreeMap<u64, &str>> = BTreeMap::new();
    let mut post = |doc: u64, terms: Terms| {
        for (term, field) in terms {
            shards
                .entry(search::shard_of(&term))
                .or_default()
                .entry(term)
                .or_default()
                .push((doc, field));
        }
    };
    // Docs ascending: tickets (by id), then the KB (above every id).
    for (id, r) in u.records {
        let Some(t) = &r.ticket else { continue };
        post(*id, search::ticket_terms(t, &r.words, u.shared));
        if let Ok(id) = TicketId::new(*id) {
            words
                .entry(id.bucket())
                .or_default()
                .insert(id.get(), r.words.as_str());
        }
    }
    let kb = search::kb_docs(u.shared);
    for (doc, terms) in kb.iter().cloned() {
        post(doc, terms);
    }
    for (bucket, w) in &words {
        write(&dir.join(format!("w-{bucket}.bin")), w)?;
    }
    write(&dir.join(KB), &kb)?;
    let mut files = Vec::new();
    for (prefix, shard) in &shards {
        write(&shard_file(dir, prefix), shard)?;
        files.push(SearchFile {
            path: search::shard_path(prefix),
            bytes: Some(shard_script(prefix, shard)),
        });
    }
    for n in search::chunks(u.records) {
        files.push(SearchFile {
            path: search::chunk_path(n),
            bytes: Some(search::chunk_script(n, u.records)),
        });
    }
    let (path, bytes) = search::kb_script(u.shared);
    files.push(SearchFile {
        path,
        bytes: Some(bytes),
    });
    Ok((files, Some(shards.into_keys().collect()), String::new()))
}

fn shard_script(prefix: &str, shard: &Shard) -> Vec<u8> {
    let terms: Vec<(String, Vec<(u64, u8)>)> =
        shard.iter().map(|(t, p)| (t.clone(), p.clone())).collect();
    search::shard_script(prefix, &terms)
}

/// The files of the terms and records that changed since the last build.
fn incremental(u: &Update<'_>, dir: &Path, state: State) -> Result<Files> {
    let known = state.shards;
    // Old and new terms of every changed doc.
    let mut changes: Vec<(u64, Terms, Terms)> = Vec::new();
    let mut buckets: BTreeMap<String, Words> = BTreeMap::new();
    let gone = u.old.keys().filter(|id| !u.records.contains_key(id));
    let changed: BTreeSet<u64> = u.rendered.iter().chain(gone).copied().collect();
    for id in &changed {
        let Ok(tid) = TicketId::new(*id) else {
            continue;
        };
        let name = tid.bucket();
        if !buckets.contains_key(&name) {
            let words = read_or_default(&dir.join(format!("w-{name}.bin")))?;
            buckets.insert(name.clone(), words);
        }
        let bucket = buckets.get_mut(&name).expect("inserted above");
        let old_words = bucket.remove(id).unwrap_or_default();
        let old = u
            .old
            .get(id)
            .and_then(|r| r.ticket.as_ref())
            .map(|t| search::ticket_terms(t, &old_words, u.shared))
            .unwrap_or_default();
        let new = match u.records.get(id) {
            Some(r) => {
                if r.ticket.is_some() {
                    bucket.insert(*id, r.words.clone());
                }
                r.ticket
                    .as_ref()
                    .map(|t| search::ticket_terms(t, &r.words, u.shared))
                    .unwrap_or_default()
            }
            None => Terms::new(),
        };
        changes.push((*id, old, new));
    }
    let old_kb: Vec<(u64, Terms)> = read_known(&dir.join(KB))?;
    let new_kb = search::kb_docs(u.shared);
    let touched: BTreeSet<u64> = changed
        .iter()
        .map(|id| id / search::DOCS_PER_FILE)
        .collect();
    let lost = |path: &str| !(u.present)(path);
    let nothing = changes.iter().all(|(_, old, new)| old == new)
        && old_kb == new_kb
        && !known.iter().any(|p| lost(&search::shard_path(p)));
    if nothing {
        // The store stays as it is (and keeps its token): only record files may be due.
        let mut files: Vec<SearchFile> = known
            .iter()
            .map(|p| SearchFile {
                path: search::shard_path(p),
                bytes: None,
            })
            .collect();
        files.extend(chunk_files(u, &touched));
        let (path, bytes) = search::kb_script(u.shared);
        files.push(SearchFile {
            path,
            bytes: Some(bytes),
        });
        return Ok((files, None, state.token));
    }
    forget(dir)?;
    if old_kb != new_kb {
        let mut old: BTreeMap<u64, Terms> = old_kb.into_iter().collect();
        let mut new: BTreeMap<u64, Terms> = new_kb.iter().cloned().collect();
        let docs: BTreeSet<u64> = old.keys().chain(new.keys()).copied().collect();
        for doc in docs {
            changes.push((
                doc,
                old.remove(&doc).unwrap_or_default(),
                new.remove(&doc).unwrap_or_default(),
            ));
        }
        write(&dir.join(KB), &new_kb)?;
    }
    for (bucket, words) in &buckets {
        write(&dir.join(format!("w-{bucket}.bin")), words)?;
    }

    // term → doc → new field (none: the doc lost the term), grouped by shard.
    let mut edits: BTreeMap<String, BTreeMap<String, BTreeMap<u64, Option<u8>>>> = BTreeMap::new();
    for (doc, old, new) in &changes {
        let terms: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for term in terms {
            let after = new.get(term).copied();
            if old.get(term).copied() != after {
                edits
                    .entry(search::shard_of(term))
                    .or_default()
                    .entry(term.clone())
                    .or_default()
                    .insert(*doc, after);
            }
        }
    }
    // Shards the output directory lost are written again as they are.
    for prefix in &known {
        if !edits.contains_key(prefix) && !(u.present)(&search::shard_path(prefix)) {
            edits.insert(prefix.clone(), BTreeMap::new());
        }
    }
    let mut shards = known.clone();
    let mut files = Vec::new();
    for (prefix, terms) in &edits {
        let path = shard_file(dir, prefix);
        let mut shard: Shard = if known.contains(prefix) {
            read_known(&path)?
        } else {
            Shard::new()
        };
        for (term, docs) in terms {
            let list = shard.entry(term.clone()).or_default();
            let mut merged: BTreeMap<u64, u8> = list.iter().copied().collect();
            for (doc, field) in docs {
                match field {
                    Some(f) => merged.insert(*doc, *f),
                    None => merged.remove(doc),
                };
            }
            *list = merged.into_iter().collect();
            if list.is_empty() {
                shard.remove(term);
            }
        }
        if shard.is_empty() {
            let _ = std::fs::remove_file(&path);
            shards.remove(prefix);
            continue;
        }
        write(&path, &shard)?;
        shards.insert(prefix.clone());
        files.push(SearchFile {
            path: search::shard_path(prefix),
            bytes: Some(shard_script(prefix, &shard)),
        });
    }
    for prefix in shards.iter().filter(|p| !edits.contains_key(*p)) {
        files.push(SearchFile {
            path: search::shard_path(prefix),
            bytes: None,
        });
    }
    files.extend(chunk_files(u, &touched));
    let (path, bytes) = search::kb_script(u.shared);
    files.push(SearchFile {
        path,
        bytes: Some(bytes),
    });
    Ok((files, Some(shards), String::new()))
}

/// Record files: those of the `touched` chunks written again, and any the output directory
/// lost; the others unchanged.
fn chunk_files(u: &Update<'_>, touched: &BTreeSet<u64>) -> Vec<SearchFile> {
    search::chunks(u.records)
        .into_iter()
        .map(|n| {
            let path = search::chunk_path(n);
            let bytes = (touched.contains(&n) || !(u.present)(&path))
                .then(|| search::chunk_script(n, u.records));
            SearchFile { path, bytes }
        })
        .collect()
}
