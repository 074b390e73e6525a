//! What changed between two trees, file by file: the basis of incremental work (index,
//! site, stats), of `verify` (which paths a commit touched) and of `sync` (replaying a
//! commit's changes onto another base).

use gix::bstr::ByteSlice;
use gix::ObjectId;

use super::error::{Result, StoreError};

/// One file that differs between two trees (`None` = absent on that side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    pub path: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
}

/// Every file (blob) that differs between `old` and `new`, sorted by path. No rename
/// detection: a move is a deletion and an addition. Subtrees with the same id on both sides
/// are never read, so the cost follows the change, not the desk. (A walk of our own: gix's
/// `diff_tree_to_tree` sets up attribute lookups that read the whole git index of a work
/// tree first — most of a mutation's time on a large desk.)
pub fn changes(repo: &gix::Repository, old: ObjectId, new: ObjectId) -> Result<Vec<PathChange>> {
    let mut out = Vec::new();
    if old != new {
        walk(repo, Some(old), Some(new), "", &mut out)?;
    }
    out.sort_by(|x, y| x.path.cmp(&y.path));
    Ok(out)
}

/// One entry of a tree, as the walk needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tree,
    File,
    /// A submodule's commit or a symbolic link: not a desk file.
    Other,
}

fn entries(
    repo: &gix::Repository,
    tree: Option<ObjectId>,
) -> Result<Vec<(String, Kind, ObjectId)>> {
    let Some(id) = tree else {
        return Ok(Vec::new());
    };
    let tree = repo
        .find_tree(id)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let decoded = tree
        .decode()
        .map_err(|e| StoreError::git("decoding a tree", e))?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| {
            let kind = if e.mode.is_tree() {
                Kind::Tree
            } else if e.mode.is_blob() {
                Kind::File
            } else {
                Kind::Other
            };
            (
                e.filename.to_str_lossy().into_owned(),
                kind,
                e.oid.to_owned(),
            )
        })
        .collect())
}

fn walk(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &str,
    out: &mut Vec<PathChange>,
) -> Result<()> {
    use std::collections::BTreeMap;
    let mut both: BTreeMap<String, [Option<(Kind, ObjectId)>; 2]> = BTreeMap::new();
    for (side, tree) in [old, new].into_iter().enumerate() {
        for (name, kind, id) in entries(repo, tree)? {
            both.entry(name).or_default()[side] = Some((kind, id));
        }
    }
    for (name, [a, b]) in both {
        if a == b {
            continue;
        }
        let path = format!("{prefix}{name}");
        let tree = |e: Option<(Kind, ObjectId)>| e.filter(|(k, _)| *k == Kind::Tree).map(|e| e.1);
        let file = |e: Option<(Kind, ObjectId)>| e.filter(|(k, _)| *k == Kind::File).map(|e| e.1);
        let (old_tree, new_tree) = (tree(a), tree(b));
        if old_tree.is_some() || new_tree.is_some() {
            walk(repo, old_tree, new_tree, &format!("{path}/"), out)?;
        }
        let (old_file, new_file) = (file(a), file(b));
        if old_file != new_file {
            out.push(PathChange {
                path,
                old: old_file,
                new: new_file,
            });
        }
    }
    Ok(())
}

/// The tree of a commit.
pub fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId> {
    Ok(repo
        .find_commit(commit)
        .and_then(|c| c.tree_id())
        .map_err(|e| StoreError::git(format!("reading commit {commit}"), e))?
        .detach())
}
