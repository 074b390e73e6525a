//! What the index reflects, and what changed since: the state recorded with every index
//! commit (schema version, the git commit indexed, fingerprints of the work-tree files that
//! differed from it), the same state of the desk now, and the entities that differ.
//!
//! - A git desk: the recorded commit's tree is diffed against HEAD's (only the changed
//!   subtrees are read); a checkout of an older commit is a diff like any other. On top,
//!   in a work tree, hand edits staged in git's index (`git add`) are followed: the
//!   entities whose index entries differ from HEAD, found by `store::catalog::staged`
//!   without an `lstat` of any file and fingerprinted by their blob ids, so an edit undone
//!   by `git reset --hard` or `git checkout HEAD -- FILE` is noticed as well. Edits not yet
//!   staged are looked for only when asked (`search --worktree`, or `git config
//!   desk.searchWorkTree true` for every search): then git's status finds the editable
//!   files — `ticket.yaml`, `task.yaml`, `kb/`, `accounts/` — that differ from its index
//!   by file stat (one `lstat` per ticket), fingerprinted by size and modification time.
//!   New untracked files and edits of message files are not looked for either way: they
//!   are indexed when staged or committed.
//! - A bare desk: the commit diff alone.
//! - A plain directory (no git): every entity's files are fingerprinted (a directory walk,
//!   cheap at the size of a sample desk).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gix::bstr::{BString, ByteSlice};
use gix::ObjectId;
use serde::{Deserialize, Serialize};

use crate::store::{layout, Desk, DeskKind};

use super::build::Entity;
use super::error::{IndexError, Result};
use super::schema::SCHEMA_VERSION;

/// Recorded as the payload of each index commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub schema: u32,
    /// The commit indexed (none for a plain directory).
    pub commit: Option<String>,
    /// Entity key → fingerprint of its files that differ from `commit` (for a plain
    /// directory: of all its files).
    #[serde(default)]
    pub worktree: BTreeMap<String, String>,
}

impl State {
    pub fn parse(payload: Option<&str>) -> Option<State> {
        serde_json::from_str(payload?).ok()
    }

    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("state serialises")
    }
}

/// The desk as it is now, in the terms of [`State`]; `worktree`: look for edits not yet
/// staged too (see the module docs).
pub fn current(desk: &Desk, worktree: bool) -> Result<State> {
    let commit = desk.head_commit()?;
    let worktree = match desk.kind() {
        DeskKind::WorkTree => {
            let mut m = staged(desk)?;
            if worktree || follows_work_tree(desk) {
                let repo = desk.repo().expect("a work tree has a repository");
                for (k, v) in dirty(repo, desk.root())? {
                    let e = m.entry(k).or_default();
                    e.push_str("+worktree:");
                    e.push_str(&v);
                }
            }
            m
        }
        DeskKind::Bare => BTreeMap::new(),
        DeskKind::Plain => all_files(desk.root()),
    };
    Ok(State {
        schema: SCHEMA_VERSION,
        commit: commit.map(|c| c.to_string()),
        worktree,
    })
}

/// Fingerprints of the entities whose entries in git's index differ from HEAD.
fn staged(desk: &Desk) -> Result<BTreeMap<String, String>> {
    let staged = crate::store::catalog::staged::staged(desk)?;
    let mut by_entity: BTreeMap<String, Fnv> = BTreeMap::new();
    for (id, dir) in &staged.tickets {
        let Ok(id) = crate::model::TicketId::new(*id) else {
            continue;
        };
        let h = by_entity
            .entry(Entity::Ticket(id).key())
            .or_insert_with(Fnv::new);
        match dir {
            Some(d) => h.add(&d.files.to_le_bytes()),
            None => h.add(b"-"),
        }
    }
    for (path, blob) in &staged.others {
        if let Some(e) = Entity::of_path(path) {
            let h = by_entity.entry(e.key()).or_insert_with(Fnv::new);
            h.add(path.as_bytes());
            h.add(blob.as_ref().map_or(&b"-"[..], |b| &b[..]));
        }
    }
    Ok(by_entity
        .into_iter()
        .map(|(k, h)| (k, format!("staged:{}", h.hex())))
        .collect())
}

/// The git config key that makes every search look for edits not yet staged (`true`): one
/// `lstat` per ticket, which matters on a large desk; `search --worktree` does it once.
pub const CONFIG_WORK_TREE: &str = "desk.searchWorkTree";

/// Whether a work-tree desk's index follows edits that are not staged on every search
/// (off by default).
pub fn follows_work_tree(desk: &Desk) -> bool {
    desk.repo()
        .and_then(|r| r.config_snapshot().boolean(CONFIG_WORK_TREE))
        .unwrap_or(false)
}

/// What must be re-read to go from `recorded` to `now`.
pub enum Changes {
    /// Start over, for this reason.
    Full(String),
    Entities(BTreeSet<Entity>),
}

pub fn changes(desk: &Desk, recorded: &State, now: &State) -> Result<Changes> {
    let mut out = BTreeSet::new();
    if recorded.commit != now.commit {
        let (Some(a), Some(b)) = (&recorded.commit, &now.commit) else {
            return Ok(Changes::Full("the desk's history changed".into()));
        };
        let repo = desk.repo().expect("a desk with commits has a repository");
        match tree_diff(repo, a, b)? {
            Some(paths) => out.extend(paths.iter().filter_map(|p| Entity::of_path(p))),
            None => return Ok(Changes::Full(format!("the indexed commit {a:.12} is gone"))),
        }
    }
    let keys: BTreeSet<&String> = recorded
        .worktree
        .keys()
        .chain(now.worktree.keys())
        .collect();
    for k in keys {
        if recorded.worktree.get(k) != now.worktree.get(k) {
            out.extend(Entity::from_key(k));
        }
    }
    Ok(Changes::Entities(out))
}

/// The paths that differ between the trees of commits `a` and `b`; none when `a` is not in
/// the repository any more. The diff is the store's (`store::diff`): unchanged subtrees are
/// not read.
fn tree_diff(repo: &gix::Repository, a: &str, b: &str) -> Result<Option<Vec<String>>> {
    let tree_of = |id: &str| -> Option<ObjectId> {
        let oid = ObjectId::from_hex(id.as_bytes()).ok()?;
        crate::store::diff::tree_of(repo, oid).ok()
    };
    let (Some(ta), Some(tb)) = (tree_of(a), tree_of(b)) else {
        return Ok(None);
    };
    Ok(Some(
        crate::store::diff::changes(repo, ta, tb)?
            .into_iter()
            .map(|c| c.path)
            .collect(),
    ))
}

/// The files people edit by hand, as pathspecs.
const EDITABLE: [&str; 4] = [
    "tickets/*/*/ticket.yaml",
    "tasks/*/*/task.yaml",
    "kb/",
    "accounts/",
];

/// Fingerprints of the entities whose editable files differ from git's index.
fn dirty(repo: &gix::Repository, root: &Path) -> Result<BTreeMap<String, String>> {
    let patterns: Vec<BString> = EDITABLE.iter().map(|d| BString::from(*d)).collect();
    let iter = repo
        .status(gix::progress::Discard)
        .map_err(|e| IndexError::git("reading the work tree's status", e))?
        .untracked_files(gix::status::UntrackedFiles::None)
        .index_worktree_submodules(None)
        .into_index_worktree_iter(patterns)
        .map_err(|e| IndexError::git("reading the work tree's status", e))?;
    let mut by_entity: BTreeMap<Entity, Vec<String>> = BTreeMap::new();
    for item in iter {
        let item = item.map_err(|e| IndexError::git("reading the work tree's status", e))?;
        if item.summary().is_none() {
            continue;
        }
        let mut paths = vec![item.rela_path().to_str_lossy().into_owned()];
        if let gix::status::index_worktree::Item::Rewrite { source, .. } = &item {
            paths.push(source.rela_path().to_str_lossy().into_owned());
        }
        for p in paths {
            if let Some(e) = Entity::of_path(&p) {
                by_entity.entry(e).or_default().push(p);
            }
        }
    }
    Ok(by_entity
        .into_iter()
        .map(|(e, mut paths)| {
            paths.sort();
            paths.dedup();
            let mut h = Fnv::new();
            for p in &paths {
                h.add(p.as_bytes());
                h.add(&stat(&root.join(p)));
            }
            (e.key(), h.hex())
        })
        .collect())
}

/// Fingerprints of every entity of a plain directory.
fn all_files(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in [layout::TICKETS_DIR, layout::TASKS_DIR] {
        for bucket in read_dir(&root.join(dir)) {
            for item in read_dir(&bucket) {
                let rel = format!("{dir}/{}/{}", name_of(&bucket), name_of(&item));
                if let Some(e) = Entity::of_path(&rel) {
                    let mut h = Fnv::new();
                    walk(&item, &mut h);
                    out.insert(e.key(), h.hex());
                }
            }
        }
    }
    for dir in [layout::KB_DIR, layout::ACCOUNTS_DIR] {
        for file in read_dir(&root.join(dir)) {
            let rel = format!("{dir}/{}", name_of(&file));
            if let Some(e) = Entity::of_path(&rel) {
                let mut h = Fnv::new();
                h.add(&stat(&file));
                out.insert(e.key(), h.hex());
            }
        }
    }
    out
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_dir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn walk(dir: &Path, h: &mut Fnv) {
    for p in read_dir(dir) {
        h.add(name_of(&p).as_bytes());
        if p.is_dir() {
            walk(&p, h);
        } else {
            h.add(&stat(&p));
        }
    }
}

/// Size and modification time of a file (`-` when it is missing).
fn stat(p: &Path) -> Vec<u8> {
    match std::fs::symlink_metadata(p) {
        Ok(m) => {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{mtime}", m.len()).into_bytes()
        }
        Err(_) => b"-".to_vec(),
    }
}

/// FNV-1a, 64 bits: a fingerprint, not a security measure.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes.iter().chain(std::iter::once(&0xff)) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}
