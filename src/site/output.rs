//! The output directory: where it may be (never the desk itself, an enclosing folder, or a
//! folder of desk data), a marker file that says it is a git-desk site (so a build never
//! writes into, or removes from, a folder it did not make), atomic writes (a temporary
//! file renamed into place: a reader sees the old page or the new one, never half), and
//! removal of pages that are gone, with the folders they leave empty.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::{Result, SiteError};
use crate::store::{layout, Desk};

/// The marker file at the top of a built site; it holds the build id.
pub const MARKER: &str = ".git-desk-site";

/// Top-level names of a desk that a site must never be written into.
const DESK_NAMES: &[&str] = &[
    layout::DESK_FILE,
    layout::IDS_FILE,
    layout::STAFF_DIR,
    layout::QUEUES_DIR,
    layout::ACCOUNTS_DIR,
    layout::RESELLERS_DIR,
    layout::TICKETS_DIR,
    layout::TASKS_DIR,
    layout::INBOX_DIR,
    layout::KB_DIR,
    layout::OUTBOX_DIR,
    "site-templates",
    ".git",
];

pub struct OutDir {
    path: PathBuf,
    /// The build id found in the marker (none for a new directory).
    pub marker: Option<String>,
}

/// `path` made absolute and free of `.`/`..` (lexically), resolving symlinks of the part
/// that exists.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut lexical = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other.as_os_str()),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

impl OutDir {
    /// Checks that the site may be built into `path` and creates it.
    pub fn prepare(path: &Path, desk: &Desk) -> Result<OutDir> {
        let path = normalize(path);
        let refuse = |reason: String| SiteError::OutDir {
            path: path.clone(),
            reason,
        };
        let root = desk.root();
        if root.starts_with(&path) {
            return Err(refuse("it is the desk or contains it".into()));
        }
        if let Ok(rel) = path.strip_prefix(root) {
            let first = rel
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            if DESK_NAMES.contains(&first.as_str()) {
                return Err(refuse(format!("`{first}` holds the desk's own files")));
            }
            let rel = rel.to_string_lossy().replace('\\', "/");
            if let (Some(repo), Some(tree)) = (desk.repo(), desk.head_tree()?) {
                if crate::store::history::path_key(repo, tree, &rel)?.is_some() {
                    return Err(refuse(format!(
                        "`{rel}` is tracked in the desk's repository"
                    )));
                }
            }
        }
        let marker = match std::fs::read_to_string(path.join(MARKER)) {
            Ok(s) => Some(s.trim().to_owned()),
            Err(_) => None,
        };
        if marker.is_none() {
            match std::fs::read_dir(&path) {
                Ok(mut rd) => {
                    if rd.next().is_some() {
                        return Err(refuse(format!(
                            "it is not empty and was not made by `git desk site build` (no {MARKER} file)"
                        )));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(SiteError::io(&path, e)),
            }
        }
        std::fs::create_dir_all(&path).map_err(|e| SiteError::io(&path, e))?;
        if marker.is_none() {
            // Claim the new folder at once, so a build that fails half-way can be re-run.
            write_atomic(&path.join(MARKER), b"new\n")?;
        }
        Ok(OutDir { path, marker })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file at site-relative `rel`.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.file(rel), bytes)
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.file(rel).is_file()
    }

    /// Removes a file the site wrote, and the folders that leaves empty. Returns whether
    /// there was a file.
    pub fn remove(&self, rel: &str) -> Result<bool> {
        let p = self.file(rel);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(SiteError::io(p, e)),
        }
        let mut dir = p.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            if d == self.path || std::fs::remove_dir(&d).is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(true)
    }

    pub fn set_marker(&self, build_id: &str) -> Result<()> {
        write_atomic(&self.path.join(MARKER), format!("{build_id}\n").as_bytes())
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| SiteError::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(|e| SiteError::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| SiteError::io(path, e))?;
    // Pages are meant to be read by others (a web server): not the temp file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .map_err(|e| SiteError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_in_the_missing_part() {
        let base = std::env::temp_dir().canonicalize().unwrap();
        let p = normalize(&base.join("no-such-dir-x/../site"));
        assert_eq!(p, base.join("site"));
    }
}
