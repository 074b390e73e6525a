//! Fast scans of git objects for derived state (statistics, caches): the ticket directories
//! of a tree with the id of each directory's tree (content-addressed: an unchanged ticket
//! keeps its id, so a cache keyed by it never goes stale), the files of one directory
//! tree, and the commits of a history with their trailers' raw text.

use gix::bstr::ByteSlice;
use gix::ObjectId;

use super::error::{FileError, Result, StoreError};
use super::layout;
use crate::model::TicketId;

/// One `tickets/<bucket>/<id>` directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketDir {
    pub id: TicketId,
    pub tree: ObjectId,
}

/// The files and directories of one tree: name, object id, whether it is a directory.
pub fn tree_entries(
    repo: &gix::Repository,
    tree: ObjectId,
) -> Result<Vec<(String, ObjectId, bool)>> {
    let t = repo
        .find_tree(tree)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let mut out = Vec::new();
    for entry in t.iter() {
        let entry = entry.map_err(|e| StoreError::git("reading a tree", e))?;
        let mode = entry.mode();
        if mode.is_tree() || mode.is_blob() {
            let name = entry.filename().to_str_lossy().into_owned();
            out.push((name, entry.object_id(), mode.is_tree()));
        }
    }
    Ok(out)
}

/// The id of the tree at `path` below `root` ("" = `root`); none when there is no such
/// directory.
pub fn tree_at(repo: &gix::Repository, root: ObjectId, path: &str) -> Result<Option<ObjectId>> {
    if path.is_empty() {
        return Ok(Some(root));
    }
    let tree = repo
        .find_tree(root)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| StoreError::git(format!("looking up {path}"), e))?;
    Ok(entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
}

/// The buckets (`tickets/<bucket>`) of the desk tree `root` with their tree ids, by name.
pub fn ticket_buckets(repo: &gix::Repository, root: ObjectId) -> Result<Vec<(String, ObjectId)>> {
    let Some(tickets) = tree_at(repo, root, layout::TICKETS_DIR)? else {
        return Ok(vec![]);
    };
    Ok(tree_entries(repo, tickets)?
        .into_iter()
        .filter(|(_, _, is_dir)| *is_dir)
        .map(|(name, tree, _)| (name, tree))
        .collect())
}

/// The ticket directories of one bucket tree. Names that are not an id of that bucket are
/// skipped (`check` reports them).
pub fn bucket_dirs(repo: &gix::Repository, bucket: &str, tree: ObjectId) -> Result<Vec<TicketDir>> {
    let mut out = Vec::new();
    for (name, tree, is_dir) in tree_entries(repo, tree)? {
        let id = name
            .parse::<TicketId>()
            .ok()
            .filter(|id| id.bucket() == bucket);
        if let (Some(id), true) = (id, is_dir) {
            out.push(TicketDir { id, tree });
        }
    }
    out.sort_by_key(|d| d.id);
    Ok(out)
}

/// Every ticket directory of the desk tree `root`, ascending by id.
pub fn ticket_dirs(repo: &gix::Repository, root: ObjectId) -> Result<Vec<TicketDir>> {
    let mut out = Vec::new();
    for (bucket, tree) in ticket_buckets(repo, root)? {
        out.extend(bucket_dirs(repo, &bucket, tree)?);
    }
    out.sort_by_key(|d| d.id);
    Ok(out)
}

/// Every ticket directory of the desk tree `root`, ascending by id, with the entries of the
/// buckets that are not an id directory of their bucket as problems (what
/// [`super::DeskRead::ticket_ids`] reports of a tree). Hidden names are left out.
pub fn ticket_dirs_checked(
    repo: &gix::Repository,
    root: ObjectId,
    problems: &mut Vec<FileError>,
) -> Result<Vec<TicketDir>> {
    let mut out = Vec::new();
    for (bucket, tree) in ticket_buckets(repo, root)? {
        if bucket.starts_with('.') {
            continue;
        }
        for (name, tree, is_dir) in tree_entries(repo, tree)? {
            if name.starts_with('.') {
                continue;
            }
            let id = name
                .parse::<u64>()
                .ok()
                .and_then(|n| TicketId::new(n).ok())
                .filter(|id| is_dir && id.bucket() == bucket);
            match id {
                Some(id) => out.push(TicketDir { id, tree }),
                None => problems.push(super::read::not_an_id_dir(
                    layout::TICKETS_DIR,
                    &bucket,
                    &name,
                )),
            }
        }
    }
    out.sort_by_key(|d| d.id);
    Ok(out)
}

/// Reads many objects one after another with buffers it reuses: no allocation per object
/// beyond the names it hands out, and no object cache (a bulk read sees each object once).
/// One per thread.
pub struct BulkReader {
    repo: gix::Repository,
    tree: Vec<u8>,
    sub: Vec<u8>,
    blob: Vec<u8>,
}

impl BulkReader {
    pub fn new(mut repo: gix::Repository) -> BulkReader {
        repo.object_cache_size(None);
        BulkReader {
            repo,
            tree: Vec::new(),
            sub: Vec::new(),
            blob: Vec::new(),
        }
    }

    /// The entries of directory `name` of the directory tree `dir` (name, object id,
    /// whether a directory), by name; empty when there is no such directory.
    pub fn subdir_entries(
        &mut self,
        dir: ObjectId,
        name: &str,
    ) -> Result<Vec<(String, ObjectId, bool)>> {
        use gix::objs::FindExt;
        let err = |e| StoreError::git("reading a tree", e);
        let mut sub = None;
        for entry in self
            .repo
            .objects
            .find_tree_iter(&dir, &mut self.tree)
            .map_err(err)?
        {
            let entry = entry.map_err(|e| StoreError::git("reading a tree", e))?;
            if entry.mode.is_tree() && entry.filename == name.as_bytes() {
                sub = Some(entry.oid.to_owned());
                break;
            }
        }
        let Some(sub) = sub else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in self
            .repo
            .objects
            .find_tree_iter(&sub, &mut self.sub)
            .map_err(err)?
        {
            let entry = entry.map_err(|e| StoreError::git("reading a tree", e))?;
            if entry.mode.is_tree() || entry.mode.is_blob() {
                out.push((
                    entry.filename.to_str_lossy().into_owned(),
                    entry.oid.to_owned(),
                    entry.mode.is_tree(),
                ));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The bytes of blob `id`, valid until the next read.
    pub fn blob(&mut self, id: ObjectId) -> Result<&[u8]> {
        use gix::objs::FindExt;
        Ok(self
            .repo
            .objects
            .find_blob(&id, &mut self.blob)
            .map_err(|e| StoreError::git("reading a file", e))?
            .data)
    }
}

/// The directory of ticket `id` in the desk tree `root`, if it is there.
pub fn ticket_dir(
    repo: &gix::Repository,
    root: ObjectId,
    id: TicketId,
) -> Result<Option<ObjectId>> {
    tree_at(repo, root, &layout::ticket_dir(id))
}

/// The bytes of the file at `path` below `root`, if there is one.
pub fn file_at(repo: &gix::Repository, root: ObjectId, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .find_tree(root)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| StoreError::git(format!("looking up {path}"), e))?;
    match entry.filter(|e| e.mode().is_blob()) {
        Some(e) => Ok(Some(blob(repo, e.object_id())?)),
        None => Ok(None),
    }
}

/// The bytes of one blob.
pub fn blob(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>> {
    Ok(repo
        .find_blob(id)
        .map_err(|e| StoreError::git("reading a file", e))?
        .detach()
        .data)
}

/// The YAML of one ticket directory: `ticket.yaml` and every file of `messages/` (name and
/// bytes, by name).
#[derive(Debug, Clone, Default)]
pub struct TicketFiles {
    pub ticket: Option<Vec<u8>>,
    pub messages: Vec<(String, Vec<u8>)>,
}

pub fn ticket_files(repo: &gix::Repository, tree: ObjectId) -> Result<TicketFiles> {
    let mut out = TicketFiles::default();
    for (name, id, is_dir) in tree_entries(repo, tree)? {
        match (name.as_str(), is_dir) {
            ("ticket.yaml", false) => out.ticket = Some(blob(repo, id)?),
            ("messages", true) => out.messages = files(repo, id)?,
            _ => {}
        }
    }
    Ok(out)
}

/// The files (not subdirectories) of a directory tree, by name.
pub fn files(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for (name, id, is_dir) in tree_entries(repo, tree)? {
        if !is_dir && !name.starts_with('.') {
            out.push((name, blob(repo, id)?));
        }
    }
    Ok(out)
}

/// A commit as history scans need it.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub tree: ObjectId,
    /// The author time, seconds since the epoch.
    pub author_time: i64,
    pub message: String,
}

/// Calls `f` with every commit reachable from `head` but not from `hidden`, newest first.
pub fn each_commit(
    repo: &gix::Repository,
    head: ObjectId,
    hidden: Option<ObjectId>,
    mut f: impl FnMut(CommitInfo) -> Result<()>,
) -> Result<()> {
    let walk = repo
        .rev_walk([head])
        .with_hidden(hidden)
        .all()
        .map_err(|e| StoreError::git("walking history", e))?;
    for info in walk {
        let info = info.map_err(|e| StoreError::git("walking history", e))?;
        let c = info
            .object()
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let author_time = c
            .author()
            .map_err(|e| StoreError::git("reading a commit", e))?
            .time()
            .map(|t| t.seconds)
            .unwrap_or(0);
        let tree = c
            .tree_id()
            .map_err(|e| StoreError::git("reading a commit", e))?
            .detach();
        f(CommitInfo {
            id: info.id,
            parents: info.parent_ids.iter().copied().collect(),
            tree,
            author_time,
            message: c.message_raw_sloppy().to_string(),
        })?;
    }
    Ok(())
}

/// Whether `ancestor` is `head` or reachable from it.
pub fn is_ancestor(repo: &gix::Repository, ancestor: ObjectId, head: ObjectId) -> bool {
    ancestor == head
        || matches!(repo.merge_base(ancestor, head), Ok(Some(base)) if base.detach() == ancestor)
}

/// The tree of commit `id`.
pub fn commit_tree(repo: &gix::Repository, id: ObjectId) -> Result<ObjectId> {
    repo.find_commit(id)
        .and_then(|c| c.tree_id())
        .map(|t| t.detach())
        .map_err(|e| StoreError::git("reading a commit", e))
}
