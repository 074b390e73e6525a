//! The catalog on disk: `<cache>/catalog.bin`, a magic, a format version and the
//! [`Stored`] value in postcard (a compact serde encoding: 100k tickets are some 15 MB and
//! decode in tens of milliseconds, where JSON takes several times longer). A file that is
//! missing, of another version or undecodable is treated as empty, so the next read
//! rebuilds it; it is written to a temporary file and renamed over the old one, so a reader
//! never sees half a file and two processes refreshing at once each leave a whole, correct
//! catalog (of the tree each of them read).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::summary::Summary;
use crate::store::error::{Result, StoreError};
use crate::store::FileError;

/// Bump when [`Stored`] or what it derives from the files changes: older files are rebuilt.
pub const VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"GDCATLG\0";

/// A git object id as stored (SHA-1).
pub type Oid = [u8; 20];

pub fn oid(id: gix::ObjectId) -> Oid {
    let mut out = [0u8; 20];
    let b = id.as_bytes();
    out[..b.len().min(20)].copy_from_slice(&b[..b.len().min(20)]);
    out
}

/// Everything the catalog records: the `tickets/` tree it reflects and, per bucket and per
/// ticket directory, the tree id it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// The `tickets/` tree (none: the desk has no tickets directory).
    pub tickets: Option<Oid>,
    /// By name.
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub tree: Oid,
    /// Ascending id.
    pub dirs: Vec<Dir>,
}

/// One `tickets/<bucket>/<id>` directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dir {
    pub id: u64,
    pub tree: Oid,
    /// A fingerprint of the directory's files (paths and blob ids), comparable with one
    /// computed from git's index entries: how staged hand edits are found.
    pub files: u64,
    pub row: Row,
}

/// Nearly every row is a ticket: boxing it (what clippy suggests for the size difference)
/// would only add an allocation per row to decoding.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Row {
    Ticket(Summary),
    /// The directory could not be read as a ticket (`git desk check` says more).
    Broken(Problem),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl From<&FileError> for Problem {
    fn from(f: &FileError) -> Problem {
        Problem {
            path: f.path.clone(),
            line: f.line.map(|l| l as u64),
            column: f.column.map(|c| c as u64),
            message: f.message.clone(),
        }
    }
}

impl From<&Problem> for FileError {
    fn from(p: &Problem) -> FileError {
        FileError {
            path: p.path.clone(),
            line: p.line.map(|l| l as usize),
            column: p.column.map(|c| c as usize),
            message: p.message.clone(),
        }
    }
}

pub fn path(cache: &Path) -> PathBuf {
    cache.join("catalog.bin")
}

/// Why a stored catalog was not used (for `index`-style reports and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    Corrupt,
    Outdated(u32),
}

/// The stored catalog, or why there is none to use.
pub fn load(cache: &Path) -> std::result::Result<Stored, Unusable> {
    let bytes = match std::fs::read(path(cache)) {
        Ok(b) => b,
        Err(_) => return Err(Unusable::Missing),
    };
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(Unusable::Corrupt);
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(Unusable::Outdated(version));
    }
    postcard::from_bytes(&bytes[12..]).map_err(|_| Unusable::Corrupt)
}

/// Writes `stored` atomically (temporary file, then rename).
pub fn save(cache: &Path, stored: &Stored) -> Result<()> {
    std::fs::create_dir_all(cache).map_err(|e| StoreError::io(cache, e))?;
    let body = postcard::to_stdvec(stored)
        .map_err(|e| StoreError::io(path(cache), std::io::Error::other(e.to_string())))?;
    let mut tmp = tempfile::NamedTempFile::new_in(cache).map_err(|e| StoreError::io(cache, e))?;
    let w = tmp.as_file_mut();
    w.write_all(MAGIC)
        .and_then(|_| w.write_all(&VERSION.to_le_bytes()))
        .and_then(|_| w.write_all(&body))
        .map_err(|e| StoreError::io(tmp.path(), e))?;
    tmp.persist(path(cache))
        .map_err(|e| StoreError::io(path(cache), e.error))?;
    Ok(())
}
