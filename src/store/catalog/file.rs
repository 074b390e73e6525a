//! The catalog on disk: `<cache>/catalog.bin`, a magic, a format version and the
//! [`Stored`] value in postcard (a compact serde encoding: 100k tickets are some 15 MB and
//! decode in tens of milliseconds, where JSON takes several times longer). A file that is
//! missing, of another version or undecodable is treated as empty, so the next read
//! rebuilds it; it is written to a temporary file and renamed over the old one, so a reader
//! never sees half a file and two processes refreshing at once each leave a whole, correct
//! catalog (of the tree each of them read).

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::summary::{Summary, Text};
use crate::model::Status;
use crate::store::error::{Result, StoreError};
use crate::store::FileError;

/// Bump when [`Stored`] or what it derives from the files changes: older files are rebuilt.
/// 7: summaries carry the ticket's tags. 8: each row is a [`Key`] and the summary as a
/// byte string, decoded only when asked for. 9: each bucket's directories as one byte
/// string behind a count of its working rows.
pub const VERSION: u32 = 9;
const MAGIC: &[u8; 8] = b"GDCATLG\0";
/// Magic, version, length of the body: a cut file is seen before anything is decoded.
const HEADER: usize = 20;

/// A git object id as stored (SHA-1).
pub type Oid = [u8; 20];

pub fn oid(id: gix::ObjectId) -> Oid {
    let mut out = [0u8; 20];
    let b = id.as_bytes();
    out[..b.len().min(20)].copy_from_slice(&b[..b.len().min(20)]);
    out
}

/// Everything the catalog records: the `tickets/` tree it reflects and, per bucket and per
/// ticket directory, the tree id it was read from. Text is borrowed from the file's bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored<'a> {
    /// The `tickets/` tree (none: the desk has no tickets directory).
    pub tickets: Option<Oid>,
    /// By bucket number, so that the tickets of all buckets are in id order.
    #[serde(borrow)]
    pub buckets: Vec<Bucket<'a>>,
}

/// One `tickets/<bucket>` directory: its tree and its ticket directories, which stay
/// encoded until asked for. A refresh after a commit decodes the one or two buckets whose
/// tree changed and writes every other bucket's bytes back as they were read; a list of
/// the tickets being worked on skips the buckets that hold none ([`Bucket::working`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket<'a> {
    pub name: String,
    #[serde(with = "oid_bytes")]
    pub tree: Oid,
    #[serde(borrow)]
    dirs: Dirs<'a>,
}

/// A bucket's directories: encoded (as read from the file, with the number of working
/// rows) or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dirs<'a> {
    Encoded { working: u32, bytes: &'a [u8] },
    Decoded(Vec<Dir<'a>>),
}

impl Serialize for Dirs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = s.serialize_tuple(2)?;
        match self {
            Dirs::Encoded { working, bytes } => {
                t.serialize_element(working)?;
                t.serialize_element(&Raw(Cow::Borrowed(bytes)))?;
            }
            Dirs::Decoded(dirs) => {
                t.serialize_element(&working(dirs))?;
                let bytes = postcard::to_stdvec(dirs).map_err(serde::ser::Error::custom)?;
                t.serialize_element(&Raw(Cow::Owned(bytes)))?;
            }
        }
        t.end()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Dirs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let (working, Raw(bytes)): (u32, Raw<'de>) = Deserialize::deserialize(d)?;
        match bytes {
            Cow::Borrowed(bytes) => Ok(Dirs::Encoded { working, bytes }),
            // Only a reader that cannot lend its bytes gets here: decode them now.
            Cow::Owned(v) => postcard::from_bytes::<Vec<Dir<'_>>>(&v)
                .map(|dirs| Dirs::Decoded(dirs.into_iter().map(Dir::into_owned).collect()))
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Rows a list of the tickets being worked on must see: not done, snoozed, or broken.
fn working(dirs: &[Dir<'_>]) -> u32 {
    dirs.iter()
        .filter(|d| d.key.status.is_none_or(|s| !s.is_done()) || d.key.snoozed_until.is_some())
        .count() as u32
}

/// A bucket's directories do not decode: the catalog file is damaged.
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

    /// How many of its rows a list of the tickets being worked on must see: tickets not
    /// done (open, answered, resolved… anything but closed statuses), snoozed, or broken.
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

/// One `tickets/<bucket>/<id>` directory.
///
/// Its summary is kept encoded ([`Raw`]) behind a few fields every list filters on
/// ([`Key`]): a `ticket list` of 100k tickets decodes the keys and only the summaries of
/// the tickets it shows, instead of building 100k summaries (~50 MB of fresh memory,
/// most of its time in page faults and copies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dir<'a> {
    pub id: u64,
    #[serde(with = "oid_bytes")]
    pub tree: Oid,
    /// A fingerprint of the directory's files (paths and blob ids), comparable with one
    /// computed from git's index entries: how staged hand edits are found.
    pub files: u64,
    #[serde(borrow)]
    pub key: Key<'a>,
    #[serde(borrow)]
    row: Raw<'a>,
}

/// What readers filter on before decoding a row: copies of the summary's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key<'a> {
    /// None: the directory could not be read as a ticket ([`Row::Broken`]).
    pub status: Option<Status>,
    pub priority: u8,
    #[serde(borrow)]
    pub queue: Text<'a>,
    #[serde(borrow)]
    pub assignee: Option<Text<'a>>,
    pub snoozed_until: Option<i64>,
    pub answered_at: Option<i64>,
}

impl Key<'_> {
    fn of(row: &Row<'_>) -> Key<'static> {
        match row {
            Row::Ticket(s) => Key {
                status: Some(s.status),
                priority: s.priority,
                queue: s.queue.clone().into_owned(),
                assignee: s.assignee.clone().map(Text::into_owned),
                snoozed_until: s.snoozed_until,
                answered_at: s.answered_at,
            },
            Row::Broken(_) => Key {
                status: None,
                priority: 0,
                queue: Text::default(),
                assignee: None,
                snoozed_until: None,
                answered_at: None,
            },
        }
    }

    fn into_owned(self) -> Key<'static> {
        Key {
            status: self.status,
            priority: self.priority,
            queue: self.queue.into_owned(),
            assignee: self.assignee.map(Text::into_owned),
            snoozed_until: self.snoozed_until,
            answered_at: self.answered_at,
        }
    }

    pub fn is_assigned_to(&self, login: &str) -> bool {
        self.assignee.as_deref() == Some(login)
    }

    /// The desk's visibility rule (`ops::actor::can_see`) on a catalog key: the actor is
    /// entitled to the ticket's queue, or it is assigned to them.
    pub fn visible_to(&self, me: &crate::model::Staff, settings: &crate::model::Settings) -> bool {
        me.is_main()
            || self.queue.as_str() == settings.default_queue.as_str()
            || me.queues.iter().any(|q| q.as_str() == self.queue.as_str())
            || self.is_assigned_to(me.login.as_str())
    }
}

/// Encoded bytes kept as they are (a [`Row`], a bucket's directories), borrowed from the
/// catalog file or owned.
#[derive(Clone, PartialEq, Eq)]
struct Raw<'a>(Cow<'a, [u8]>);

impl std::fmt::Debug for Raw<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.0.len())
    }
}

impl Serialize for Raw<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Raw<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an encoded catalog row")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> std::result::Result<Raw<'de>, E> {
                Ok(Raw(Cow::Borrowed(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> std::result::Result<Raw<'de>, E> {
                Ok(Raw(Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> std::result::Result<Raw<'de>, E> {
                Ok(Raw(Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(V)
    }
}

impl<'a> Dir<'a> {
    /// The directory `id` read from `tree`, with its files' fingerprint and its row.
    pub fn new(id: u64, tree: Oid, files: u64, row: &Row<'_>) -> Dir<'static> {
        Dir {
            id,
            tree,
            files,
            key: Key::of(row),
            row: Raw(Cow::Owned(
                postcard::to_stdvec(row).expect("encoding into memory cannot fail"),
            )),
        }
    }

    /// The row, decoded (text borrowed from the catalog's bytes); none when its bytes do
    /// not decode (a damaged catalog file).
    pub fn row(&self) -> Option<Row<'_>> {
        postcard::from_bytes(&self.row.0).ok()
    }

    /// A directory whose row bytes do not decode (tests of a damaged catalog file).
    #[cfg(test)]
    pub fn damaged(id: u64, key: Key<'static>) -> Dir<'static> {
        Dir {
            id,
            tree: [0; 20],
            files: 0,
            key,
            row: Raw(Cow::Owned(vec![0xff; 5])),
        }
    }

    pub fn into_owned(self) -> Dir<'static> {
        Dir {
            id: self.id,
            tree: self.tree,
            files: self.files,
            key: self.key.into_owned(),
            row: Raw(Cow::Owned(self.row.0.into_owned())),
        }
    }
}

/// An object id as one byte string (postcard writes an array as 20 separate elements,
/// which made ids the most expensive part of decoding).
mod oid_bytes {
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

/// Nearly every row is a ticket: boxing it (what clippy suggests for the size difference)
/// would only add an allocation per row decoded.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Row<'a> {
    #[serde(borrow)]
    Ticket(Summary<'a>),
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

/// Why a stored catalog was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    Corrupt,
    Outdated(u32),
}

/// The bytes of a catalog file: mapped, or made in memory.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    /// The encoded [`Stored`] (after the magic and the version).
    /// The whole file's length.
    pub fn file_len(&self) -> usize {
        match self {
            Bytes::Mapped(m) => m.len(),
            Bytes::Owned(v) => v.len(),
        }
    }

    fn body(&self) -> &[u8] {
        let all: &[u8] = match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        };
        all.get(HEADER..).unwrap_or(&[])
    }

    /// The `tickets/` tree the catalog reflects, read without decoding the rest (it is
    /// the first field); none when the bytes do not decode.
    pub fn tickets(&self) -> Option<Option<Oid>> {
        postcard::take_from_bytes::<Option<Oid>>(self.body())
            .ok()
            .map(|(t, _)| t)
    }

    /// The catalog, its text borrowed from these bytes.
    pub fn stored(&self) -> std::result::Result<Stored<'_>, Unusable> {
        postcard::from_bytes(self.body()).map_err(|_| Unusable::Corrupt)
    }
}

/// The stored catalog's bytes (checked to decode), or why there is none to use.
pub fn load(cache: &Path) -> std::result::Result<Bytes, Unusable> {
    let file = std::fs::File::open(path(cache)).map_err(|_| Unusable::Missing)?;
    // SAFETY: the file is only ever replaced by a rename, never written in place, so the
    // mapped bytes do not change under us (a truncation by someone else would be a bug
    // outside git-desk; decoding checks every length anyway).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|_| Unusable::Corrupt)?;
    if map.len() < 12 || &map[..8] != MAGIC {
        return Err(Unusable::Corrupt);
    }
    let version = u32::from_le_bytes(map[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(Unusable::Outdated(version));
    }
    let len = map
        .get(12..HEADER)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
    if len != Some((map.len() - HEADER.min(map.len())) as u64) {
        return Err(Unusable::Corrupt);
    }
    Ok(Bytes::Mapped(map))
}

/// The bytes of a catalog file holding `stored`.
pub fn encode(stored: &Stored<'_>) -> Vec<u8> {
    encode_into(stored, 1 << 16)
}

/// [`encode`] into a buffer of `capacity` bytes to start with: the size of the catalog it
/// replaces, so that a 20 MB catalog is not copied again at every doubling of its buffer.
pub fn encode_into(stored: &Stored<'_>, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity.max(HEADER));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    postcard::to_io(stored, &mut out).expect("encoding into memory cannot fail");
    let len = (out.len() - HEADER) as u64;
    out[12..HEADER].copy_from_slice(&len.to_le_bytes());
    out
}

/// Writes catalog bytes atomically (temporary file, then rename).
pub fn save(cache: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(cache).map_err(|e| StoreError::io(cache, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(cache).map_err(|e| StoreError::io(cache, e))?;
    tmp.as_file_mut()
        .write_all(bytes)
        .map_err(|e| StoreError::io(tmp.path(), e))?;
    tmp.persist(path(cache))
        .map_err(|e| StoreError::io(path(cache), e.error))?;
    Ok(())
}
