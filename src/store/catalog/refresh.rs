//! Bringing a stored catalog to a desk tree by diffing trees: when the `tickets/` tree is
//! the one recorded nothing is read; otherwise only buckets whose tree id changed are
//! listed, and only ticket directories whose tree id changed are read again (their
//! `ticket.yaml` and the head fields of each message: time, kind, author and the time
//! entry, for the SLA clock and time totals). A checkout of an
//! old commit, a reset or a rebase is a diff like any other. A full build reads every
//! ticket directory on every core.

use std::collections::HashMap;

use gix::ObjectId;

use super::file::{oid, Bucket, Stored};
use super::row::{Dir, Problem, Row};
use super::summary::{LastMessage, Summary};
use crate::model::message::MessageHead;
use crate::model::{Ticket, TicketId};
use crate::store::error::Result;
use crate::store::{layout, scan, yaml, FileError};

/// What a refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Ticket directories read again.
    pub read: usize,
    /// Whether anything differs from what was stored.
    pub changed: bool,
}

/// Brings `stored` to the desk tree `root`.
pub fn to_tree<'a>(
    repo: &gix::Repository,
    stored: &mut Stored<'a>,
    root: ObjectId,
) -> Result<Refreshed> {
    let tickets = scan::tree_at(repo, root, layout::TICKETS_DIR)?;
    if tickets.map(oid) == stored.tickets {
        return Ok(Refreshed::default());
    }
    let mut old: HashMap<String, Bucket<'a>> = std::mem::take(&mut stored.buckets)
        .into_iter()
        .map(|b| (b.name.clone(), b))
        .collect();
    let mut buckets = Vec::new();
    // (index in `buckets`, index in its dirs, directory to read)
    let mut jobs: Vec<(usize, usize, scan::TicketDir)> = Vec::new();
    if tickets.is_some() {
        for (name, tree) in scan::ticket_buckets(repo, root)? {
            let prev = match old.remove(&name) {
                Some(p) if p.tree == oid(tree) => {
                    buckets.push(p);
                    continue;
                }
                prev => prev,
            };
            // A bucket whose bytes do not decode is read again whole.
            let mut known: HashMap<u64, Dir<'a>> = prev
                .and_then(|b| b.into_dirs().ok())
                .map(|dirs| dirs.into_iter().map(|d| (d.id, d)).collect())
                .unwrap_or_default();
            let mut dirs = Vec::new();
            for d in scan::bucket_dirs(repo, &name, tree)? {
                match known.remove(&d.id.get()).filter(|k| k.tree == oid(d.tree)) {
                    Some(k) => dirs.push(k),
                    None => {
                        jobs.push((buckets.len(), dirs.len(), d));
                        dirs.push(placeholder(d));
                    }
                }
            }
            buckets.push(Bucket::new(name, oid(tree), dirs));
        }
    }
    let read = jobs.len();
    for (b, i, dir) in read_all(repo, jobs)? {
        buckets[b]
            .dirs_mut()
            .expect("a bucket made here is decoded")[i] = dir;
    }
    buckets.sort_by(|a, b| super::file::bucket_order(&a.name, &b.name));
    stored.buckets = buckets;
    stored.tickets = tickets.map(oid);
    Ok(Refreshed {
        read,
        changed: true,
    })
}

fn placeholder(d: scan::TicketDir) -> Dir<'static> {
    Dir::new(
        d.id.get(),
        oid(d.tree),
        0,
        &Row::Broken(Problem {
            path: layout::ticket_dir(d.id),
            line: None,
            column: None,
            message: "not read".into(),
        }),
    )
}

/// Below this many directories one thread reads them all.
const PARALLEL_ABOVE: usize = 2_000;

fn read_all<K: Send + Sync + Copy>(
    repo: &gix::Repository,
    jobs: Vec<(K, usize, scan::TicketDir)>,
) -> Result<Vec<(K, usize, Dir<'static>)>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    if jobs.len() < PARALLEL_ABOVE || threads == 1 {
        return jobs
            .into_iter()
            .map(|(k, i, d)| Ok((k, i, read_dir(repo, d)?)))
            .collect();
    }
    let shared = repo.clone().into_sync();
    let chunk = jobs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let shared = &shared;
                s.spawn(move || {
                    let mut repo = shared.to_thread_local();
                    repo.object_cache_size_if_unset(4 << 20);
                    part.iter()
                        .map(|&(k, i, d)| Ok((k, i, read_dir(&repo, d)?)))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(jobs.len());
        for h in handles {
            out.extend(h.join().expect("a catalog reader thread panicked")?);
        }
        Ok(out)
    })
}

/// Reads one ticket directory of a git tree.
pub fn read_dir(repo: &gix::Repository, d: scan::TicketDir) -> Result<Dir<'static>> {
    let mut files = Fingerprint::default();
    let mut ticket_blob = None;
    let mut messages: Vec<(String, ObjectId)> = Vec::new();
    for (name, id, is_dir) in scan::tree_entries(repo, d.tree)? {
        if !is_dir {
            if name == "ticket.yaml" {
                ticket_blob = Some(id);
            }
            files.add(&name, id);
            continue;
        }
        for (sub, sid, sub_is_dir) in scan::tree_entries(repo, id)? {
            if sub_is_dir {
                files.add_tree(&format!("{name}/{sub}"), repo, sid)?;
                continue;
            }
            files.add(&format!("{name}/{sub}"), sid);
            if name == "messages" && sub.ends_with(".yaml") && !sub.starts_with('.') {
                messages.push((sub, sid));
            }
        }
    }
    let ticket = match ticket_blob {
        Some(b) => Some(scan::blob(repo, b)?),
        None => None,
    };
    messages.sort();
    let mut bodies = Vec::with_capacity(messages.len());
    for (name, id) in messages {
        bodies.push((name, scan::blob(repo, id)?));
    }
    Ok(Dir::new(
        d.id.get(),
        oid(d.tree),
        files.0,
        &row(d.id, ticket.as_deref(), bodies),
    ))
}

/// A catalog row from a ticket's files: `ticket.yaml` and the message files (name and
/// bytes, in name order).
pub fn row(id: TicketId, ticket: Option<&[u8]>, messages: Vec<(String, Vec<u8>)>) -> Row<'static> {
    let path = layout::ticket_file(id);
    let Some(bytes) = ticket else {
        return Row::Broken(Problem {
            path,
            line: None,
            column: None,
            message: "missing (the ticket directory has no ticket.yaml)".into(),
        });
    };
    let t: Ticket = match yaml::parse(&path, bytes) {
        Ok(t) => t,
        Err(e) => return Row::Broken(Problem::from(&e)),
    };
    if t.id != id {
        return Row::Broken(Problem::from(&FileError {
            path,
            line: None,
            column: None,
            message: format!("id is `{}` but the file name says `{id}`", t.id),
        }));
    }
    let count = messages.len() as u32;
    let mut heads = Vec::with_capacity(messages.len());
    let mut last = None;
    let n = messages.len();
    for (i, (name, bytes)) in messages.into_iter().enumerate() {
        let p = format!("{}/{name}", layout::messages_dir(id));
        let Ok(m) = yaml::parse_head::<MessageHead>(&p, &bytes) else {
            continue;
        };
        heads.push((m.at, m.kind, m.time));
        if i + 1 == n {
            last = Some(LastMessage {
                at: m.at.unix(),
                author: m.author.into(),
                kind: m.kind,
            });
        }
    }
    let mut s = Summary::of(&t, count, last);
    s.set_thread(&heads);
    Row::Ticket(s)
}

/// An order-free fingerprint of a directory's files: the sum of a hash of each file's path
/// (relative to the ticket directory) and blob id. The same sum over git's index entries
/// tells whether the index holds the same files.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    pub fn add(&mut self, rel: &str, blob: ObjectId) {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in rel
            .as_bytes()
            .iter()
            .chain([0xff].iter())
            .chain(blob.as_bytes())
        {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = self.0.wrapping_add(h);
    }

    fn add_tree(&mut self, prefix: &str, repo: &gix::Repository, tree: ObjectId) -> Result<()> {
        for (name, id, is_dir) in scan::tree_entries(repo, tree)? {
            let rel = format!("{prefix}/{name}");
            if is_dir {
                self.add_tree(&rel, repo, id)?;
            } else {
                self.add(&rel, id);
            }
        }
        Ok(())
    }
}
