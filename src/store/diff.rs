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
/// detection: a move is a deletion and an addition.
pub fn changes(repo: &gix::Repository, old: ObjectId, new: ObjectId) -> Result<Vec<PathChange>> {
    use gix::object::tree::diff::ChangeDetached as C;
    if old == new {
        return Ok(vec![]);
    }
    let find = |id: ObjectId| {
        repo.find_tree(id)
            .map_err(|e| StoreError::git("reading a tree", e))
    };
    let (a, b) = (find(old)?, find(new)?);
    let opts = gix::diff::Options::default().with_rewrites(None);
    let list = repo
        .diff_tree_to_tree(&a, &b, opts)
        .map_err(|e| StoreError::git("comparing trees", e))?;
    let mut out = Vec::new();
    for ch in list {
        match ch {
            C::Addition {
                location,
                entry_mode,
                id,
                ..
            } if entry_mode.is_blob() => out.push(PathChange {
                path: location.to_str_lossy().into_owned(),
                old: None,
                new: Some(id),
            }),
            C::Deletion {
                location,
                entry_mode,
                id,
                ..
            } if entry_mode.is_blob() => out.push(PathChange {
                path: location.to_str_lossy().into_owned(),
                old: Some(id),
                new: None,
            }),
            C::Modification {
                location,
                previous_entry_mode,
                previous_id,
                entry_mode,
                id,
            } => {
                let path = location.to_str_lossy().into_owned();
                match (previous_entry_mode.is_blob(), entry_mode.is_blob()) {
                    (true, true) => out.push(PathChange {
                        path,
                        old: Some(previous_id),
                        new: Some(id),
                    }),
                    (true, false) => out.push(PathChange {
                        path,
                        old: Some(previous_id),
                        new: None,
                    }),
                    (false, true) => out.push(PathChange {
                        path,
                        old: None,
                        new: Some(id),
                    }),
                    (false, false) => {}
                }
            }
            C::Rewrite {
                source_location,
                source_id,
                location,
                id,
                entry_mode,
                ..
            } if entry_mode.is_blob() => {
                out.push(PathChange {
                    path: source_location.to_str_lossy().into_owned(),
                    old: Some(source_id),
                    new: None,
                });
                out.push(PathChange {
                    path: location.to_str_lossy().into_owned(),
                    old: None,
                    new: Some(id),
                });
            }
            _ => {}
        }
    }
    out.sort_by(|x, y| x.path.cmp(&y.path));
    Ok(out)
}

/// The tree of a commit.
pub fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId> {
    Ok(repo
        .find_commit(commit)
        .and_then(|c| c.tree_id())
        .map_err(|e| StoreError::git(format!("reading commit {commit}"), e))?
        .detach())
}
