//! Opening a desk: a git work tree, a bare repository (read from HEAD; mutations touch only
//! objects and refs), or a plain directory that is read as files with no history and can't
//! be changed (like `example-repo/` inside this project, never taken as part of an
//! enclosing repository).

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::error::{Result, StoreError};
use super::layout;
use super::source::{FsSource, Source, TreeSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskKind {
    /// The top of a git work tree.
    WorkTree,
    /// A bare repository.
    Bare,
    /// A directory that is not a repository: read-only.
    Plain,
}

pub struct Desk {
    root: PathBuf,
    kind: DeskKind,
    repo: Option<gix::Repository>,
}

fn is_bare_repo(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

fn open_repo(dir: &Path) -> Result<gix::Repository> {
    gix::open(dir).map_err(|e| StoreError::git(format!("opening {}", dir.display()), e))
}

/// The repository of `repo` opened again, with an object store of its own: the pack pages
/// it reads are unmapped when it is dropped. Readers that go through a whole desk (a full
/// index or site build) read it in slices, each through one of these, so their resident
/// memory follows a slice instead of growing to the size of the pack.
pub fn reopen(repo: &gix::Repository) -> Result<gix::Repository> {
    open_repo(repo.git_dir())
}

impl Desk {
    /// Opens the desk at exactly `dir`.
    pub fn open(dir: &Path) -> Result<Desk> {
        let root = dir.canonicalize().map_err(|e| StoreError::io(dir, e))?;
        if root.join(".git").exists() {
            let repo = open_repo(&root)?;
            let desk = Desk {
                root,
                kind: DeskKind::WorkTree,
                repo: Some(repo),
            };
            if !desk.root.join(layout::DESK_FILE).is_file() && desk.head_tree()?.is_none() {
                return Err(StoreError::NotADesk(desk.root));
            }
            return Ok(desk);
        }
        if is_bare_repo(&root) {
            let repo = open_repo(&root)?;
            let desk = Desk {
                root,
                kind: DeskKind::Bare,
                repo: Some(repo),
            };
            let has_desk = match desk.head_tree()? {
                Some(t) => TreeSource::new(desk.repo.clone().expect("bare desk has a repo"), t)
                    .read(layout::DESK_FILE)?
                    .is_some(),
                None => false,
            };
            if !has_desk {
                return Err(StoreError::NotADesk(desk.root));
            }
            return Ok(desk);
        }
        if root.join(layout::DESK_FILE).is_file() {
            return Ok(Desk {
                root,
                kind: DeskKind::Plain,
                repo: None,
            });
        }
        Err(StoreError::NotADesk(root))
    }

    /// Opens the repository at `dir` as a desk-to-be (no desk.yaml needed): for `init`.
    pub fn open_repository(dir: &Path) -> Result<Desk> {
        let root = dir.canonicalize().map_err(|e| StoreError::io(dir, e))?;
        let kind = if root.join(".git").exists() {
            DeskKind::WorkTree
        } else {
            DeskKind::Bare
        };
        let repo = open_repo(&root)?;
        Ok(Desk {
            root,
            kind,
            repo: Some(repo),
        })
    }

    /// Finds the desk containing `start`: the nearest directory upwards that holds
    /// `desk.yaml` or is a bare desk, without leaving the git work tree `start` is in.
    pub fn discover(start: &Path) -> Result<Desk> {
        let start = start.canonicalize().map_err(|e| StoreError::io(start, e))?;
        for dir in start.ancestors() {
            if dir.join(layout::DESK_FILE).is_file() || is_bare_repo(dir) {
                return Desk::open(dir);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        Err(StoreError::NotADesk(start))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn kind(&self) -> DeskKind {
        self.kind
    }
    pub fn repo(&self) -> Option<&gix::Repository> {
        self.repo.as_ref()
    }

    /// The tree of HEAD, or none before the first commit (and for a plain directory).
    pub fn head_tree(&self) -> Result<Option<ObjectId>> {
        let Some(repo) = &self.repo else {
            return Ok(None);
        };
        let head = match repo.head_id() {
            Ok(id) => id.detach(),
            Err(_) => return Ok(None),
        };
        let tree = repo
            .find_commit(head)
            .and_then(|c| c.tree_id())
            .map_err(|e| StoreError::git("reading HEAD's tree", e))?;
        Ok(Some(tree.detach()))
    }

    pub fn head_commit(&self) -> Result<Option<ObjectId>> {
        let Some(repo) = &self.repo else {
            return Ok(None);
        };
        Ok(repo.head_id().ok().map(|id| id.detach()))
    }

    /// The desk as its users see it: the files of a work tree or a plain directory
    /// (uncommitted hand edits included), or HEAD of a bare desk.
    pub fn reader(&self) -> Result<Box<dyn Source>> {
        match self.kind {
            DeskKind::WorkTree | DeskKind::Plain => Ok(Box::new(FsSource::new(&self.root))),
            DeskKind::Bare => self
                .reader_at("HEAD")
                .map(|t| Box::new(t) as Box<dyn Source>),
        }
    }

    /// The desk at a revision (`HEAD`, a commit id, `main~3`).
    pub fn reader_at(&self, rev: &str) -> Result<TreeSource> {
        let repo = self
            .repo
            .clone()
            .ok_or_else(|| StoreError::ReadOnly(self.root.clone()))?;
        let tree = {
            let id = repo
                .rev_parse_single(rev)
                .map_err(|e| StoreError::git(format!("resolving `{rev}`"), e))?;
            let obj = id
                .object()
                .map_err(|e| StoreError::git(format!("reading `{rev}`"), e))?;
            obj.peel_to_tree()
                .map_err(|e| StoreError::git(format!("`{rev}` has no tree"), e))?
                .id
        };
        Ok(TreeSource::new(repo, tree))
    }

    /// Where derived state (the search index, build caches) lives: `.git/desk/`, or for a
    /// plain directory a per-desk folder in the user's cache directory.
    pub fn cache_dir(&self) -> PathBuf {
        match &self.repo {
            Some(repo) => repo.git_dir().join("desk"),
            None => {
                let base = std::env::var_os(crate::context::ENV_CACHE_DIR)
                    .map(PathBuf::from)
                    .or_else(|| {
                        std::env::var_os("XDG_CACHE_HOME")
                            .map(|p| PathBuf::from(p).join("git-desk"))
                    })
                    .or_else(|| {
                        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/git-desk"))
                    })
                    .unwrap_or_else(|| std::env::temp_dir().join("git-desk-cache"));
                let id = gix::objs::compute_hash(
                    gix::hash::Kind::Sha1,
                    gix::objs::Kind::Blob,
                    self.root.to_string_lossy().as_bytes(),
                )
                .map(|h| h.to_hex_with_len(12).to_string())
                .unwrap_or_else(|_| "desk".into());
                base.join(id)
            }
        }
    }
}
