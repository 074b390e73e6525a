//! The catalog on disk, under the cache directory: `catalog.bin`, the top file (a magic, a
//! format version, the `tickets/` tree it reflects and per bucket its name, tree id and
//! number of working rows), and `catalog/<bucket tree id>.bin`, one part file per bucket
//! holding its ticket directories in postcard (a compact serde encoding). A part is named
//! by the tree it was read from, so it is never rewritten: a refresh after a commit writes
//! the part of the one bucket that changed and a new top file (kilobytes, at any desk
//! size), then removes the parts no longer named. Files are written to a temporary file
//! and renamed, so a reader never sees half a file. A top file that is missing, of another
//! version or undecodable is treated as empty, and a part that is missing or does not
//! match its name makes its bucket read again from git: two processes refreshing at once,
//! or one removing parts another is about to map, cost a re-read, never a wrong row.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::row::Dir;
use crate::store::error::{Result, StoreError};

/// Bump when [`Stored`] or what it derives from the files changes: older files are rebuilt.
/// 7: summaries carry the ticket's tags. 8: each row is a key and the summary as a
/// byte string, decoded only when asked for ([`super::row`]). 9: each bucket's directories as one byte
/// string behind a count of its working rows. 10: a part file per bucket.
pub const VERSION: u32 = 10;
const MAGIC: &[u8; 8] = b"GDCATLG\0";
const PART_MAGIC: &[u8; 8] = b"GDCATPT\0";
/// Magic, version, length of the body: a cut file is seen before anything is decoded.
const HEADER: usize = 20;
/// A part's header: magic, version, the bucket's tree id, length of the body.
const PART_HEADER: usize = 40;
const PARTS: &str = "catalog";

/// A git object id as stored (SHA-1).
pub type Oid = [u8; 20];

pub fn oid(id: gix::ObjectId) -> Oid {
    let mut out = [0u8; 20];
    let b = id.as_bytes();
    out[..b.len().min(20)].copy_from_slice(&b[..b.len().min(20)]);
    out
}

/// Everything the catalog records: the `tickets/` tree it reflects and, per bucket and per
/// ticket directory, the tree id it was read from. Text is borrowed from the files' bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored<'a> {
    /// The `tickets/` tree (none: the desk has no tickets directory).
    pub tickets: Option<Oid>,
    /// By bucket number, so that the tickets of all buckets are in id order.
    pub buckets: Vec<Bucket<'a>>,
}

/// One `tickets/<bucket>` directory: its tree and its ticket directories, which stay
/// encoded until asked for. A refresh after a commit decodes the one or two buckets whose
/// tree changed and writes every other bucket's bytes back as they were read; a list of
/// the tickets being worked on skips the buckets that hold none ([`Bucket::working`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket<'a> {
    pub name: String,
    pub tree: Oid,
    dirs: Dirs<'a>,
}

/// A bucket's directories: encoded (as read from its part file, with the number of
/// working rows the top file gives) or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dirs<'a> {
    Encoded { working: u32, bytes: &'a [u8] },
    Decoded(Vec<Dir<'a>>),
}

fn working(dirs: &[Dir<'_>]) -> u32 {
    dirs.iter().filter(|d| d.key.is_working()).count() as u32
}

/// A bucket's directories do not decode: its part file is damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damaged;

impl<'a> Bucket<'a> {
    pub fn new(name: String, tree: Oid, dirs: Vec<Dir<'a>>) -> Bucket<'a> {
        Bucket {
            name,
            tree,
            dirs: Dirs::Decoded(dirs),
        }
    }

    /// How many of its rows a list of the tickets being worked on must see
    /// ([`super::row::Key::is_working`]).
    pub fn working(&self) -> u32 {
        match &self.dirs {
            Dirs::Encoded { working, .. } => *working,
            Dirs::Decoded(dirs) => working(dirs),
        }
    }

    /// Its directories, decoded here if they were not.
    pub fn dirs_mut(&mut self) -> std::result::Result<&mut Vec<Dir<'a>>, Damaged> {
        if let Dirs::Encoded { bytes, .. } = self.dirs {
            self.dirs = Dirs::Decoded(postcard::from_bytes(bytes).map_err(|_| Damaged)?);
        }
        match &mut self.dirs {
            Dirs::Decoded(dirs) => Ok(dirs),
            Dirs::Encoded { .. } => unreachable!("decoded above"),
        }
    }

    /// Its directories once decoded ([`Bucket::dirs_mut`]); none before.
    pub fn decoded(&self) -> &[Dir<'a>] {
        match &self.dirs {
            Dirs::Decoded(dirs) => dirs,
            Dirs::Encoded { .. } => &[],
        }
    }

    pub fn into_dirs(mut self) -> std::result::Result<Vec<Dir<'a>>, Damaged> {
        self.dirs_mut()?;
        match self.dirs {
            Dirs::Decoded(dirs) => Ok(dirs),
            Dirs::Encoded { .. } => unreachable!("decoded above"),
        }
    }
}

/// An object id as one byte string (postcard writes an array as 20 separate elements,
/// which made ids the most expensive part of decoding).
pub(super) mod oid_bytes {
    use super::Oid;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &Oid, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(id)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Oid, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Oid;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("20 bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Oid, E> {
                v.try_into().map_err(|_| E::invalid_length(v.len(), &self))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// Bucket names in numeric order (`999` before `1000`).
pub fn bucket_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

pub fn path(cache: &Path) -> PathBuf {
    cache.join("catalog.bin")
}

fn part_path(cache: &Path, tree: &Oid) -> PathBuf {
    cache
        .join(PARTS)
        .join(format!("{}.bin", gix::ObjectId::from_bytes_or_panic(tree)))
}

/// Why a stored catalog was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    Corrupt,
    Outdated(u32),
}

/// Bytes of a catalog file: mapped, or made in memory.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    fn all(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// The top file's content.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Top {
    tickets: Option<Oid>,
    buckets: Vec<TopBucket>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TopBucket {
    name: String,
    #[serde(with = "oid_bytes")]
    tree: Oid,
    working: u32,
}

/// A catalog as stored: the top file's content and each bucket's part (its directories,
/// encoded), mapped from disk or made in memory.
pub struct Loaded {
    top: Top,
    /// The body of each bucket's part, in the order of `top.buckets`.
    parts: Vec<(Bytes, usize)>,
    /// Whether every bucket's part was found and sound (else buckets are missing and a
    /// refresh must read them again).
    complete: bool,
}

impl Default for Loaded {
    fn default() -> Self {
        Loaded::from_stored(&Stored::default())
    }
}

impl Loaded {
    /// The `tickets/` tree the catalog reflects, when every part of it was found.
    pub fn tickets(&self) -> Option<Option<Oid>> {
        self.complete.then_some(self.top.tickets)
    }

    /// The catalog, its buckets' directories still encoded (borrowed from the parts).
    pub fn stored(&self) -> Stored<'_> {
        Stored {
            tickets: self.top.tickets,
            buckets: self
                .top
                .buckets
                .iter()
                .zip(&self.parts)
                .map(|(b, (bytes, at))| Bucket {
                    name: b.name.clone(),
                    tree: b.tree,
                    dirs: Dirs::Encoded {
                        working: b.working,
                        bytes: bytes.all().get(*at..).unwrap_or(&[]),
                    },
                })
                .collect(),
        }
    }

    /// A catalog held in memory only (a plain directory's, or one that could not be saved).
    pub fn from_stored(stored: &Stored<'_>) -> Loaded {
        let (buckets, parts) = stored
            .buckets
            .iter()
            .map(|b| {
                (
                    TopBucket {
                        name: b.name.clone(),
                        tree: b.tree,
                        working: b.working(),
                    },
                    (Bytes::Owned(b.encoded().into_owned()), 0),
                )
            })
            .unzip();
        Loaded {
            top: Top {
                tickets: stored.tickets,
                buckets,
            },
            parts,
            complete: true,
        }
    }
}

impl Bucket<'_> {
    /// Its directories in postcard, as a part file's body holds them.
    fn encoded(&self) -> Cow<'_, [u8]> {
        match &self.dirs {
            Dirs::Encoded { bytes, .. } => Cow::Borrowed(bytes),
            Dirs::Decoded(dirs) => {
                Cow::Owned(postcard::to_stdvec(dirs).expect("encoding into memory cannot fail"))
            }
        }
    }
}

fn map(path: &Path) -> Option<memmap2::Mmap> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: catalog files are only ever replaced by a rename, never written in place,
    // so the mapped bytes do not change under us (a truncation by someone else would be a
    // bug outside git-desk; decoding checks every length anyway).
    unsafe { memmap2::Mmap::map(&file) }.ok()
}

/// The stored catalog (its parts mapped), or why there is none to use.
pub fn load(cache: &Path) -> std::result::Result<Loaded, Unusable> {
    let bytes = std::fs::read(path(cache)).map_err(|_| Unusable::Missing)?;
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(Unusable::Corrupt);
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(Unusable::Outdated(version));
    }
    let len = bytes
        .get(12..HEADER)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
    if len != Some((bytes.len() - HEADER.min(bytes.len())) as u64) {
        return Err(Unusable::Corrupt);
    }
    let mut top: Top = postcard::from_bytes(&bytes[HEADER..]).map_err(|_| Unusable::Corrupt)?;
    let mut complete = true;
    let mut parts = Vec::with_capacity(top.buckets.len());
    top.buckets.retain(|b| {
        let part = map(&part_path(cache, &b.tree)).filter(|m| {
            m.len() >= PART_HEADER
                && &m[..8] == PART_MAGIC
                && m[8..12] == VERSION.to_le_bytes()
                && m[12..32] == b.tree
                && m[32..PART_HEADER] == ((m.len() - PART_HEADER) as u64).to_le_bytes()
        });
        match part {
            Some(m) => {
                parts.push((Bytes::Mapped(m), PART_HEADER));
                true
            }
            None => {
                complete = false;
                false
            }
        }
    });
    Ok(Loaded {
        top,
        parts,
        complete,
    })
}

/// Saves `stored`: the part of every bucket decoded since it was read (the others' parts
/// are on disk under their tree's name already), then the top file; then removes parts
/// no longer named. Buckets without a tree id (a plain directory's) cannot be saved.
pub fn save(cache: &Path, stored: &Stored<'_>) -> Result<()> {
    let dir = cache.join(PARTS);
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
    let mut top = Top {
        tickets: stored.tickets,
        buckets: Vec::with_capacity(stored.buckets.len()),
    };
    let mut named = std::collections::HashSet::new();
    for b in &stored.buckets {
        if b.tree == [0; 20] {
            return Err(StoreError::Git {
                context: "saving the ticket catalog".into(),
                message: format!("bucket `{}` has no tree id", b.name),
            });
        }
        let path = part_path(cache, &b.tree);
        if matches!(b.dirs, Dirs::Decoded(_)) || !path.is_file() {
            let body = b.encoded();
            let mut bytes = Vec::with_capacity(PART_HEADER + body.len());
            bytes.extend_from_slice(PART_MAGIC);
            bytes.extend_from_slice(&VERSION.to_le_bytes());
            bytes.extend_from_slice(&b.tree);
            bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&body);
            write_atomically(&path, &bytes)?;
        }
        named.insert(path);
        top.buckets.push(TopBucket {
            name: b.name.clone(),
            tree: b.tree,
            working: b.working(),
        });
    }
    let mut out = Vec::with_capacity(HEADER + 64 * top.buckets.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    postcard::to_io(&top, &mut out).expect("encoding into memory cannot fail");
    let len = (out.len() - HEADER) as u64;
    out[12..HEADER].copy_from_slice(&len.to_le_bytes());
    write_atomically(&path(cache), &out)?;
    // Parts of older trees; temporary files of a process that died before renaming them.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let p = e.path();
            let stale_tmp = p.extension().is_none_or(|x| x != "bin")
                && e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 3600));
            if (p.extension().is_some_and(|x| x == "bin") && !named.contains(&p)) || stale_tmp {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename, so a
/// reader sees the old file or the new one.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| StoreError::io(dir, e))?;
    tmp.as_file_mut()
        .write_all(bytes)
        .map_err(|e| StoreError::io(tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| StoreError::io(path, e.error))?;
    Ok(())
}
