//! Where a desk's files are read from: a directory on disk (a work tree, or a plain folder
//! such as `example-repo/`), or a git tree (HEAD of a bare desk, any commit for `verify` and
//! `sync`). Typed reads on top of either are in [`super::read`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gix::ObjectId;

use super::error::{Result, StoreError};

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

/// Files on disk under `root`.
pub struct FsSource {
    root: PathBuf,
}

impl FsSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsSource { root: root.into() }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Source for FsSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
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

/// Objects already read, shared by every tree reader one desk hands out (HEAD for the
/// actor, HEAD again under a transaction's lock): an object id always names the same
/// bytes, so nothing in here is ever stale. Also remembers commit → tree.
#[derive(Clone, Default)]
pub struct ObjectCache(Arc<Mutex<Cached>>);

#[derive(Default)]
struct Cached {
    objects: HashMap<ObjectId, Arc<[u8]>>,
    commits: HashMap<ObjectId, ObjectId>,
    bytes: usize,
}

/// Past this many cached bytes the cache starts over (a long-running process reads many).
const CACHE_LIMIT: usize = 64 << 20;

impl ObjectCache {
    fn get(&self, id: &ObjectId) -> Option<Arc<[u8]>> {
        self.0.lock().ok()?.objects.get(id).cloned()
    }

    fn put(&self, id: ObjectId, data: Arc<[u8]>) {
        if let Ok(mut c) = self.0.lock() {
            if c.bytes + data.len() > CACHE_LIMIT {
                *c = Cached::default();
            }
            c.bytes += data.len();
            c.objects.insert(id, data);
        }
    }

    /// The tree of commit `id`.
    pub fn tree_of(&self, repo: &gix::Repository, id: ObjectId) -> Result<ObjectId> {
        if let Some(t) = self.0.lock().ok().and_then(|c| c.commits.get(&id).copied()) {
            return Ok(t);
        }
        let tree = repo
            .find_commit(id)
            .and_then(|c| c.tree_id())
            .map_err(|e| StoreError::git("reading a commit's tree", e))?
            .detach();
        if let Ok(mut c) = self.0.lock() {
            c.commits.insert(id, tree);
        }
        Ok(tree)
    }
}

/// Files of a git tree.
///
/// Lookups are cheap to repeat: objects are read once per desk ([`ObjectCache`]), and the
/// tree id of every directory passed through is remembered, so reading
/// `tickets/001/1043/…` after `tickets/001/1042/…` starts from `tickets/001`.
pub struct TreeSource {
    repo: gix::Repository,
    tree: ObjectId,
    objects: ObjectCache,
    /// Directory path → its tree id (`None`: no such directory).
    dirs: RefCell<HashMap<String, Option<ObjectId>>>,
}

/// Bytes of decoded objects the repository handle keeps (for the tree editor's reads).
const HANDLE_CACHE: usize = 4 << 20;

impl TreeSource {
    pub fn new(repo: gix::Repository, tree: ObjectId) -> Self {
        TreeSource::with_cache(repo, tree, ObjectCache::default())
    }

    /// A reader sharing `objects` with others.
    pub fn with_cache(mut repo: gix::Repository, tree: ObjectId, objects: ObjectCache) -> Self {
        repo.object_cache_size_if_unset(HANDLE_CACHE);
        TreeSource {
            repo,
            tree,
            objects,
            dirs: RefCell::new(HashMap::new()),
        }
    }

    pub fn tree_id(&self) -> ObjectId {
        self.tree
    }

    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// The bytes of object `id`, which must be of `kind`.
    fn data(&self, id: ObjectId, kind: gix::objs::Kind, what: &str) -> Result<Arc<[u8]>> {
        if let Some(d) = self.objects.get(&id) {
            return Ok(d);
        }
        let obj = self
            .repo
            .find_object(id)
            .map_err(|e| StoreError::git(format!("reading {what}"), e))?;
        if obj.kind != kind {
            return Err(StoreError::git(
                format!("reading {what}"),
                format!("{id} is a {}, not a {kind}", obj.kind),
            ));
        }
        let data: Arc<[u8]> = obj.detach().data.into();
        self.objects.put(id, data.clone());
        Ok(data)
    }

    /// The entries of tree `id`: (name, id, is a tree, is a blob).
    fn entries(&self, id: ObjectId, what: &str) -> Result<Vec<(String, ObjectId, bool, bool)>> {
        let data = self.data(id, gix::objs::Kind::Tree, what)?;
        let mut out = Vec::new();
        for e in gix::objs::TreeRefIter::from_bytes(&data, id.kind()) {
            let e = e.map_err(|e| StoreError::git(format!("reading {what}"), e))?;
            out.push((
                e.filename.to_string(),
                e.oid.to_owned(),
                e.mode.is_tree(),
                e.mode.is_blob(),
            ));
        }
        Ok(out)
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
        let data = self.data(tree, gix::objs::Kind::Tree, "a tree")?;
        for e in gix::objs::TreeRefIter::from_bytes(&data, tree.kind()) {
            let e = e.map_err(|e| StoreError::git("reading a tree", e))?;
            if e.filename == name.as_bytes() {
                return Ok(Some((e.oid.to_owned(), e.mode.is_tree())));
            }
        }
        Ok(None)
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
        for (name, id, is_tree, is_blob) in self.entries(tree, "a tree")? {
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if is_tree {
                self.walk(id, &path, out)?;
            } else if is_blob {
                out.push((path, id));
            }
        }
        Ok(())
    }
}

impl Source for TreeSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.entry(path)? {
            Some((id, false)) => Ok(Some(self.data(id, gix::objs::Kind::Blob, path)?.to_vec())),
            _ => Ok(None),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<DirEntry>> {
        let Some(id) = self.dir_id(dir.trim_end_matches('/'))? else {
            return Ok(vec![]);
        };
        let mut out: Vec<DirEntry> = self
            .entries(id, dir)?
            .into_iter()
            .filter(|(name, ..)| !name.starts_with('.'))
            .map(|(name, _, is_dir, _)| DirEntry { name, is_dir })
            .collect();
        out.sort();
        Ok(out)
    }
}
