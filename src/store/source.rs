//! Where a desk's files are read from: a directory on disk (a work tree, or a plain folder
//! such as `example-repo/`), or a git tree (HEAD of a bare desk, any commit for `verify` and
//! `sync`). Typed reads on top of either are in [`super::read`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gix::ObjectId;

use super::error::{FileError, Result, StoreError};

/// One name in a directory listing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
}

/// Read access to the files of one state of a desk.
pub trait Source {
    /// The bytes of `path`, or `None` when there is no such file.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>>;
    /// The entries of directory `dir` sorted by name (empty when it does not exist). Hidden
    /// names (starting with `.`) are left out.
    fn list(&self, dir: &str) -> Result<Vec<DirEntry>>;
}

/// Files on disk under `root`. Symbolic links inside the desk are never followed (a link
/// committed by someone else could otherwise make git-desk read, print or publish any file
/// of the machine): reading through one is an error naming it.
pub struct FsSource {
    root: PathBuf,
    /// Directories (relative to `root`) already seen to be real directories.
    real_dirs: Mutex<HashSet<String>>,
}

impl FsSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsSource {
            root: root.into(),
            real_dirs: Mutex::default(),
        }
    }

    /// Refuses `rel` when it leaves the desk (`..`, absolute), or when it or a directory on
    /// the way to it is a symbolic link.
    fn no_links(&self, rel: &str) -> Result<()> {
        if rel.starts_with('/') || rel.split('/').any(|p| p == "..") {
            return Err(StoreError::File(FileError {
                path: rel.into(),
                line: None,
                column: None,
                message: "the path leaves the desk".into(),
            }));
        }
        let mut prefix = String::new();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            let known = self.real_dirs.lock().map(|d| d.contains(&prefix));
            if known.unwrap_or(false) {
                continue;
            }
            match std::fs::symlink_metadata(self.root.join(&prefix)) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(StoreError::File(FileError {
                        path: prefix,
                        line: None,
                        column: None,
                        message: "is a symbolic link; git-desk does not follow links".into(),
                    }))
                }
                Ok(m) if m.is_dir() => {
                    if let Ok(mut d) = self.real_dirs.lock() {
                        d.insert(prefix.clone());
                    }
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Source for FsSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        self.no_links(path)?;
        let abs = self.root.join(path);
        match std::fs::read(&abs) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            // A directory where a file was expected, or a path through a file.
            Err(e)
                if e.kind() == std::io::ErrorKind::IsADirectory || e.raw_os_error() == Some(20) =>
            {
                Ok(None)
            }
            Err(e) => Err(StoreError::io(abs, e)),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<DirEntry>> {
        self.no_links(dir)?;
        let abs = if dir.is_empty() {
            self.root.clone()
        } else {
            self.root.join(dir)
        };
        let rd = match std::fs::read_dir(&abs) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(20) => {
                return Ok(vec![])
            }
            Err(e) => return Err(StoreError::io(abs, e)),
        };
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| StoreError::io(&abs, e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            out.push(DirEntry { name, is_dir });
        }
        out.sort();
        Ok(out)
    }
}

/// Files of a git tree.
///
/// Lookups are cheap to repeat: the repository handle keeps an object cache, and the tree
/// id of every directory passed through is remembered, so reading `tickets/001/1043/…`
/// after `tickets/001/1042/…` starts from `tickets/001` instead of the root.
pub struct TreeSource {
    repo: gix::Repository,
    tree: ObjectId,
    /// Directory path → its tree id (`None`: no such directory).
    dirs: RefCell<HashMap<String, Option<ObjectId>>>,
}

/// Bytes of decoded objects a tree reader keeps in memory.
const OBJECT_CACHE: usize = 4 << 20;

impl TreeSource {
    pub fn new(mut repo: gix::Repository, tree: ObjectId) -> Self {
        repo.object_cache_size_if_unset(OBJECT_CACHE);
        TreeSource {
            repo,
            tree,
            dirs: RefCell::new(HashMap::new()),
        }
    }

    pub fn tree_id(&self) -> ObjectId {
        self.tree
    }

    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// The tree id of directory `dir` ("" = the root), or none when it is not a directory.
    fn dir_id(&self, dir: &str) -> Result<Option<ObjectId>> {
        if dir.is_empty() {
            return Ok(Some(self.tree));
        }
        if let Some(id) = self.dirs.borrow().get(dir) {
            return Ok(*id);
        }
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        let id = match self.child(parent, name)? {
            Some((id, true)) => Some(id),
            _ => None,
        };
        self.dirs.borrow_mut().insert(dir.to_owned(), id);
        Ok(id)
    }

    /// The entry `name` of directory `dir`.
    fn child(&self, dir: &str, name: &str) -> Result<Option<(ObjectId, bool)>> {
        let Some(tree) = self.dir_id(dir)? else {
            return Ok(None);
        };
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(|e| StoreError::git("reading a tree", e))?;
        let entry = tree
            .find_entry(name)
            .map(|e| (e.object_id(), e.mode().is_tree()));
        Ok(entry)
    }

    /// The object id and kind of the entry at `path` (the root tree for "").
    pub fn entry(&self, path: &str) -> Result<Option<(ObjectId, bool)>> {
        if path.is_empty() {
            return Ok(Some((self.tree, true)));
        }
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.child(dir, name)
    }

    /// Every file below `dir` (recursively), as desk-relative paths with their blob ids.
    pub fn files_under(&self, dir: &str) -> Result<Vec<(String, ObjectId)>> {
        let mut out = Vec::new();
        if let Some((id, true)) = self.entry(dir)? {
            self.walk(id, dir, &mut out)?;
        }
        Ok(out)
    }

    fn walk(&self, tree: ObjectId, prefix: &str, out: &mut Vec<(String, ObjectId)>) -> Result<()> {
        let t = self
            .repo
            .find_tree(tree)
            .map_err(|e| StoreError::git("reading a tree", e))?;
        for entry in t.iter() {
            let entry = entry.map_err(|e| StoreError::git("reading a tree", e))?;
            let name = entry.filename().to_string();
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if entry.mode().is_tree() {
                self.walk(entry.object_id(), &path, out)?;
            } else if entry.mode().is_blob() {
                out.push((path, entry.object_id()));
            }
        }
        Ok(())
    }
}

impl Source for TreeSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.entry(path)? {
            Some((id, false)) => {
                let blob = self
                    .repo
                    .find_blob(id)
                    .map_err(|e| StoreError::git(format!("reading {path}"), e))?;
                Ok(Some(blob.detach().data))
            }
            _ => Ok(None),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<DirEntry>> {
        let Some(id) = self.dir_id(dir.trim_end_matches('/'))? else {
            return Ok(vec![]);
        };
        let t = self
            .repo
            .find_tree(id)
            .map_err(|e| StoreError::git(format!("reading {dir}"), e))?;
        let mut out = Vec::new();
        for entry in t.iter() {
            let entry = entry.map_err(|e| StoreError::git(format!("reading {dir}"), e))?;
            let name = entry.filename().to_string();
            if name.starts_with('.') {
                continue;
            }
            out.push(DirEntry {
                name,
                is_dir: entry.mode().is_tree(),
            });
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fs_source_stays_inside_the_desk() {
        let tmp = tempfile::tempdir().unwrap();
        let desk = tmp.path().join("desk");
        std::fs::create_dir_all(desk.join("staff")).unwrap();
        std::fs::write(tmp.path().join("secret"), "s").unwrap();
        std::fs::write(desk.join("staff/a.yaml"), "a").unwrap();
        std::os::unix::fs::symlink(tmp.path(), desk.join("linked")).unwrap();
        let src = FsSource::new(&desk);
        assert_eq!(src.read("staff/a.yaml").unwrap(), Some(b"a".to_vec()));
        for bad in [
            "../secret",
            "staff/../../secret",
            "/etc/hostname",
            "linked/secret",
        ] {
            assert!(
                matches!(src.read(bad), Err(StoreError::File(_))),
                "{bad} was read"
            );
        }
        assert!(src.list("linked").is_err());
    }
}
