//! Content keys and history for derived state that is rebuilt incrementally (the site): the
//! git tree id of every ticket directory (content-addressed, so a changed id means changed
//! files), the commits since a recorded one with the tickets each touched, and a stable
//! content hash for inputs that are not in git.

use std::collections::BTreeMap;

use gix::ObjectId;

use super::commit::{self, parse_trailers};
use super::error::{Result, StoreError};
use super::layout;
use super::read::DeskRead;
use super::source::TreeSource;
use crate::model::{IdMarks, RecordedOp, TaskId, TicketId, Timestamp};

/// One commit of the first-parent history, described for an audit trail.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub at: Timestamp,
    pub author: String,
    pub op: Option<RecordedOp>,
    pub actor: Option<String>,
    pub subject: String,
    /// The tickets named by `Desk-Ticket` trailers, or for a commit made by hand (no
    /// `Desk-Op`), the tickets whose directories it changed.
    pub tickets: Vec<TicketId>,
}

/// What [`commits_since`] found.
#[derive(Debug, Default)]
pub struct History {
    /// Newest first.
    pub commits: Vec<CommitInfo>,
    /// False when `since` was not met (none given, or history was rewritten): `commits`
    /// is then the whole history.
    pub incremental: bool,
}

/// A stable hex digest of `parts` (SHA-1; each part is length-prefixed so boundaries count).
pub fn content_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = gix::hash::hasher(gix::hash::Kind::Sha1);
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.try_finalize()
        .map(|id| id.to_string())
        .unwrap_or_default()
}

fn tree_entries(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<(String, ObjectId, bool)>> {
    let t = repo
        .find_tree(tree)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let mut out = Vec::new();
    for entry in t.iter() {
        let entry = entry.map_err(|e| StoreError::git("reading a tree", e))?;
        out.push((
            entry.filename().to_string(),
            entry.object_id(),
            entry.mode().is_tree(),
        ));
    }
    Ok(out)
}

fn entry_id(repo: &gix::Repository, tree: ObjectId, path: &str) -> Result<Option<ObjectId>> {
    let t = repo
        .find_tree(tree)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let e = t
        .lookup_entry_by_path(path)
        .map_err(|e| StoreError::git(format!("looking up {path}"), e))?;
    Ok(e.map(|e| e.object_id()))
}

/// The tree id of every ticket directory under `tickets/` of `tree`, without reading any
/// ticket file (one tree object per shard). Names that are not ids of their shard are
/// left out (`check` reports them).
pub fn ticket_tree_ids(
    repo: &gix::Repository,
    tree: ObjectId,
) -> Result<BTreeMap<TicketId, ObjectId>> {
    let mut out = BTreeMap::new();
    let Some(tickets) = entry_id(repo, tree, layout::TICKETS_DIR)? else {
        return Ok(out);
    };
    for (bucket, bucket_id, is_tree) in tree_entries(repo, tickets)? {
        if !is_tree {
            continue;
        }
        for (name, id, is_tree) in tree_entries(repo, bucket_id)? {
            let ticket = name
                .parse::<TicketId>()
                .ok()
                .filter(|t| t.bucket() == bucket);
            if let (true, Some(t)) = (is_tree, ticket) {
                out.insert(t, id);
            }
        }
    }
    Ok(out)
}

/// The id of the entry at `path` in `tree` (a file's blob, a folder's tree), as text; none
/// when absent. Used to key shared inputs (`desk.yaml`, `staff/`, …).
pub fn path_key(repo: &gix::Repository, tree: ObjectId, path: &str) -> Result<Option<String>> {
    Ok(entry_id(repo, tree, path)?.map(|id| id.to_string()))
}

/// The first-parent history from `head` back to (not including) `since`.
pub fn commits_since(
    repo: &gix::Repository,
    head: ObjectId,
    since: Option<ObjectId>,
) -> Result<History> {
    let walk = repo
        .rev_walk([head])
        .first_parent_only()
        .all()
        .map_err(|e| StoreError::git("walking history", e))?;
    let mut out = History::default();
    for info in walk {
        let info = info.map_err(|e| StoreError::git("walking history", e))?;
        if Some(info.id) == since {
            out.incremental = true;
            break;
        }
        let c = repo
            .find_commit(info.id)
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let message = c.message_raw_sloppy().to_string();
        let trailers = parse_trailers(&message);
        let get = |k: &str| {
            trailers
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let op = commit::desk_op(&trailers);
        let named: Vec<TicketId> = trailers
            .iter()
            .filter(|(k, _)| k == commit::TRAILER_TICKET)
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        // A desk commit names its tickets; one that names none (the desk's first commit,
        // `init --from`, an import) or a commit made by hand counts for the tickets whose
        // files it changed.
        let tickets = if op.is_some() && !named.is_empty() {
            named
        } else {
            let tree = c
                .tree_id()
                .map_err(|e| StoreError::git("reading a commit", e))?;
            let parent_tree = match info.parent_ids.first() {
                Some(p) => Some(
                    repo.find_commit(*p)
                        .and_then(|p| p.tree_id())
                        .map_err(|e| StoreError::git("reading a commit", e))?
                        .detach(),
                ),
                None => None,
            };
            tickets_changed(repo, parent_tree, tree.detach())?
        };
        let author = c
            .author()
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let seconds = author.time().map(|t| t.seconds).unwrap_or(0);
        out.commits.push(CommitInfo {
            id: info.id.to_string(),
            at: Timestamp::from_unix(seconds)
                .unwrap_or_else(|_| Timestamp::from_unix(0).expect("the epoch is a valid time")),
            author: author.name.to_string(),
            op,
            actor: get(commit::TRAILER_ACTOR),
            subject: message.lines().next().unwrap_or("").to_owned(),
            tickets,
        });
    }
    Ok(out)
}

/// The highest ticket and task ids any commit reachable from `head` named: the
/// `Desk-Ticket`/`Desk-Task` trailers of desk commits, and for a commit made by hand the
/// highest ids in its tree. A whole-history walk, for a desk made before `ids.yaml` (once:
/// the next create writes the file).
pub fn highest_ids(repo: &gix::Repository, head: ObjectId) -> Result<IdMarks> {
    let walk = repo
        .rev_walk([head])
        .all()
        .map_err(|e| StoreError::git("walking history", e))?;
    let mut marks = IdMarks::default();
    for info in walk {
        let info = info.map_err(|e| StoreError::git("walking history", e))?;
        let c = repo
            .find_commit(info.id)
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let trailers = parse_trailers(&c.message_raw_sloppy().to_string());
        if commit::desk_op(&trailers).is_some() {
            for (k, v) in &trailers {
                let Ok(n) = v.trim().parse::<u64>() else {
                    continue;
                };
                if k == commit::TRAILER_TICKET {
                    marks.last_ticket = marks.last_ticket.max(n);
                } else if k == commit::TRAILER_TASK {
                    marks.last_task = marks.last_task.max(n);
                }
            }
        } else {
            let tree = c
                .tree_id()
                .map_err(|e| StoreError::git("reading a commit", e))?;
            let src = TreeSource::new(repo.clone(), tree.detach());
            let ticket = src.max_ticket_id()?.map_or(0, TicketId::get);
            let task = src.max_task_id()?.map_or(0, TaskId::get);
            marks.last_ticket = marks.last_ticket.max(ticket);
            marks.last_task = marks.last_task.max(task);
        }
    }
    Ok(marks)
}

/// Tickets whose directory differs between two trees (a parent's and a commit's).
fn tickets_changed(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
) -> Result<Vec<TicketId>> {
    if let Some(t) = old {
        // Most commits leave `tickets/` alone: compare one tree id before every bucket.
        if entry_id(repo, t, layout::TICKETS_DIR)? == entry_id(repo, new, layout::TICKETS_DIR)? {
            return Ok(Vec::new());
        }
    }
    let before = match old {
        Some(t) => ticket_tree_ids(repo, t)?,
        None => BTreeMap::new(),
    };
    let after = ticket_tree_ids(repo, new)?;
    let mut out: Vec<TicketId> = after
        .iter()
        .filter(|(id, tree)| before.get(id) != Some(tree))
        .map(|(id, _)| *id)
        .collect();
    out.extend(before.keys().filter(|id| !after.contains_key(id)));
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_separates_parts() {
        let a = content_hash([b"ab".as_slice(), b"c".as_slice()]);
        let b = content_hash([b"a".as_slice(), b"bc".as_slice()]);
        assert_ne!(a, b);
        assert_eq!(a, content_hash([b"ab".as_slice(), b"c".as_slice()]));
        assert_eq!(a.len(), 40);
    }
}
