//! The audit history shown on each ticket page: who did what when, read from the commits
//! (`Desk-Ticket` trailers; a hand-made commit counts for the tickets whose files it
//! changed). One walk of the first-parent history collects it for every ticket; the result
//! is kept per shard in the cache directory, and later builds walk only the commits made
//! since the recorded one. A ticket whose history grew is rendered again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::data::Input;
use super::manifest::Manifest;
use super::output::write_atomic;
use super::{Result, SiteError};
use crate::model::{RecordedOp, TicketId, Timestamp};
use crate::store::history::{commits_since, content_hash};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub commit: String,
    pub at: Timestamp,
    /// The acting staff login (`Desk-Actor`), else the commit's author name.
    pub who: String,
    /// The `Desk-Op`; none for a commit made by hand.
    pub op: Option<RecordedOp>,
    pub subject: String,
}

type Bucket = BTreeMap<u64, Vec<AuditEntry>>;

pub struct Audit {
    dir: PathBuf,
    enabled: bool,
    /// Tickets whose history was (re)computed in this build, with its hash.
    touched: BTreeMap<TicketId, String>,
    buckets: BTreeMap<String, Bucket>,
}

fn hash_entries(entries: &[AuditEntry]) -> String {
    let ids: Vec<&[u8]> = entries.iter().map(|e| e.commit.as_bytes()).collect();
    content_hash(ids)
}

impl Audit {
    /// Brings the stored history up to HEAD. `old` is the previous build's manifest.
    pub fn update(input: &Input, cache: &Path, old: Option<&Manifest>) -> Result<Audit> {
        let dir = cache.join("audit");
        let mut audit = Audit {
            dir,
            enabled: false,
            touched: BTreeMap::new(),
            buckets: BTreeMap::new(),
        };
        let (Some(repo), Some(head)) = (input.repo(), input.head()) else {
            return Ok(audit);
        };
        audit.enabled = true;
        let since = old
            .and_then(|m| m.head.as_deref())
            .and_then(|h| h.parse::<gix::ObjectId>().ok());
        let history = commits_since(&repo, head, since)?;
        let mut fresh: BTreeMap<TicketId, Vec<AuditEntry>> = BTreeMap::new();
        for c in &history.commits {
            for id in &c.tickets {
                fresh.entry(*id).or_default().push(AuditEntry {
                    commit: c.id.clone(),
                    at: c.at,
                    who: c.actor.clone().unwrap_or_else(|| c.author.clone()),
                    op: c.op.clone(),
                    subject: c.subject.clone(),
                });
            }
        }
        if !history.incremental {
            // The whole history was read: start the store afresh.
            let _ = std::fs::remove_dir_all(&audit.dir);
        }
        let mut dirty = BTreeSet::new();
        for (id, new) in fresh {
            let bucket = id.bucket();
            let entries = if history.incremental {
                let b = audit.bucket(&bucket)?;
                let mut all = new;
                let seen: BTreeSet<String> = all.iter().map(|e| e.commit.clone()).collect();
                all.extend(
                    b.get(&id.get())
                        .into_iter()
                        .flatten()
                        .filter(|e| !seen.contains(&e.commit))
                        .cloned(),
                );
                all
            } else {
                new
            };
            audit.touched.insert(id, hash_entries(&entries));
            audit
                .buckets
                .entry(bucket.clone())
                .or_default()
                .insert(id.get(), entries);
            dirty.insert(bucket);
        }
        for bucket in dirty {
            let json = serde_json::to_vec(&audit.buckets[&bucket])
                .map_err(|e| SiteError::io(&audit.dir, std::io::Error::other(e)))?;
            write_atomic(&audit.dir.join(format!("{bucket}.json")), &json)?;
        }
        Ok(audit)
    }

    fn bucket(&mut self, bucket: &str) -> Result<&Bucket> {
        if !self.buckets.contains_key(bucket) {
            let path = self.dir.join(format!("{bucket}.json"));
            let b: Bucket = match std::fs::read(&path) {
                Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Bucket::new(),
                Err(e) => return Err(SiteError::io(path, e)),
            };
            self.buckets.insert(bucket.to_owned(), b);
        }
        Ok(&self.buckets[bucket])
    }

    /// The key of a ticket's history: recomputed when it changed in this build, else the
    /// one recorded (`recorded`), else read from the store.
    pub fn key(&mut self, id: TicketId, recorded: Option<&str>) -> Result<String> {
        if !self.enabled {
            return Ok(String::new());
        }
        if let Some(h) = self.touched.get(&id) {
            return Ok(h.clone());
        }
        if let Some(r) = recorded {
            return Ok(r.to_owned());
        }
        let b = self.bucket(&id.bucket())?;
        Ok(hash_entries(
            b.get(&id.get()).map(Vec::as_slice).unwrap_or(&[]),
        ))
    }

    /// Makes sure the histories of `ids` are in memory (before rendering in parallel).
    pub fn preload(&mut self, ids: impl Iterator<Item = TicketId>) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let buckets: BTreeSet<String> = ids.map(|id| id.bucket()).collect();
        for b in buckets {
            self.bucket(&b)?;
        }
        Ok(())
    }

    /// A ticket's history, newest first; none for a desk without history.
    pub fn entries(&self, id: TicketId) -> Option<&[AuditEntry]> {
        if !self.enabled {
            return None;
        }
        Some(
            self.buckets
                .get(&id.bucket())
                .and_then(|b| b.get(&id.get()))
                .map(Vec::as_slice)
                .unwrap_or(&[]),
        )
    }
}
