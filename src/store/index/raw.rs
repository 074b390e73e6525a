//! The bytes of an index file (git's `gitformat-index`, versions 2 and 3): the header,
//! entries found by walking them without decoding them, new entries encoded, extensions
//! listed, and the trailing checksum written (or zeros, with `index.skipHash`).

use std::io::Write;
use std::ops::Range;

use gix::index::entry::Stat;
use gix::ObjectId;

pub const HEADER: usize = 12;
pub const HASH: usize = 20;
/// Bytes of an entry before its path: stat data (40), the id (20), flags (2).
const FIXED: usize = 62;
const FLAG_EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;
const MODE_FILE: u32 = 0o100644;

/// Where things are in an index file's bytes.
#[derive(Debug, Clone)]
pub struct Layout {
    pub version: u32,
    pub entries: u32,
    /// Where the entries end and the extensions begin.
    pub entries_end: usize,
    /// Extensions by signature, with the range of their data.
    pub extensions: Vec<([u8; 4], Range<usize>)>,
}

impl Layout {
    /// Walks the entries and extensions of `bytes`: `None` unless it is a well-formed
    /// version 2 or 3 index whose only mandatory extension, if any, is `link`.
    pub fn of(bytes: &[u8]) -> Option<Layout> {
        if bytes.len() < HEADER + HASH || &bytes[..4] != b"DIRC" {
            return None;
        }
        let version = be32(bytes, 4);
        if !(version == 2 || version == 3) {
            return None;
        }
        let entries = be32(bytes, 8);
        let mut at = HEADER;
        for _ in 0..entries {
            at = entry_at(bytes, at, version)?.1;
        }
        let entries_end = at;
        let end = bytes.len() - HASH;
        let mut extensions = Vec::new();
        while at < end {
            let sig: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
            let size = be32(bytes, at + 4) as usize;
            let data = at + 8..at.checked_add(8 + size).filter(|&n| n <= end)?;
            if !sig[0].is_ascii_uppercase() && &sig != b"link" {
                return None;
            }
            at = data.end;
            extensions.push((sig, data));
        }
        Some(Layout {
            version,
            entries,
            entries_end,
            extensions,
        })
    }

    pub fn extension(&self, sig: &[u8; 4]) -> Option<Range<usize>> {
        self.extensions
            .iter()
            .find(|(s, _)| s == sig)
            .map(|(_, r)| r.clone())
    }
}

/// Where the entries of one path are.
#[derive(Debug, Clone)]
pub struct Found {
    /// The ordinal number of the first of them (or of the entry they would go before).
    pub number: u32,
    /// How many there are (more than one for a path with conflict stages).
    pub count: u32,
    /// Their bytes (an empty range where they would go).
    pub bytes: Range<usize>,
}

/// For each of `paths` (sorted, distinct), where its entries are in the `entries` entries
/// of `bytes`. The walk stops after the last path; `None` when the bytes on the way are
/// not well-formed entries.
pub fn locate(bytes: &[u8], version: u32, entries: u32, paths: &[&[u8]]) -> Option<Vec<Found>> {
    locate_from(bytes, version, entries, (HEADER, 0), paths)
}

/// [`locate`], starting the walk at the entry at byte `start.0`, whose number is `start.1`
/// and which sorts before the first of `paths`.
pub fn locate_from(
    bytes: &[u8],
    version: u32,
    entries: u32,
    start: (usize, u32),
    paths: &[&[u8]],
) -> Option<Vec<Found>> {
    let mut out = Vec::with_capacity(paths.len());
    let (mut at, mut number) = start;
    for p in paths {
        while number < entries {
            let (name, end) = entry_at(bytes, at, version)?;
            if name >= *p {
                break;
            }
            (at, number) = (end, number + 1);
        }
        let (start, first) = (at, number);
        while number < entries {
            let (name, end) = entry_at(bytes, at, version)?;
            if name != *p {
                break;
            }
            (at, number) = (end, number + 1);
        }
        out.push(Found {
            number: first,
            count: number - first,
            bytes: start..at,
        });
    }
    Some(out)
}

/// The path of the entry at `at` and where the next one starts, or none when the bytes do
/// not hold a well-formed entry there.
pub fn entry_at(bytes: &[u8], at: usize, version: u32) -> Option<(&[u8], usize)> {
    let flags = u16::from_be_bytes(bytes.get(at + 60..at + 62)?.try_into().ok()?);
    let extended = flags & FLAG_EXTENDED != 0;
    if extended && version < 3 {
        return None;
    }
    let start = at + FIXED + if extended { 2 } else { 0 };
    let len = match (flags & NAME_MASK) as usize {
        0xfff => bytes.get(start..)?.iter().position(|&b| b == 0)?,
        n => n,
    };
    let name = bytes.get(start..start + len)?;
    let end = at + ((start - at + len + 8) & !7);
    (end <= bytes.len()).then_some((name, end))
}

/// The id of the single stage-0 entry in `bytes`, or `None` for anything else.
pub fn stage0_id(entry: &[u8], version: u32) -> Option<ObjectId> {
    let flags = u16::from_be_bytes(entry.get(60..62)?.try_into().ok()?);
    let (_, end) = entry_at(entry, 0, version)?;
    if end != entry.len() || (flags >> 12) & 3 != 0 {
        return None;
    }
    ObjectId::try_from(&entry[40..60]).ok()
}

/// Appends a stage-0 regular-file entry in the version 2 layout (valid in version 3). An
/// empty `name` is a split index's replacement entry.
pub fn encode_entry(out: &mut Vec<u8>, name: &[u8], id: ObjectId, stat: &Stat) {
    let start = out.len();
    for v in [
        stat.ctime.secs,
        stat.ctime.nsecs,
        stat.mtime.secs,
        stat.mtime.nsecs,
        stat.dev,
        stat.ino,
        MODE_FILE,
        stat.uid,
        stat.gid,
        stat.size,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(id.as_bytes());
    let name_len = name.len().min(NAME_MASK as usize) as u16;
    out.extend_from_slice(&name_len.to_be_bytes());
    out.extend_from_slice(name);
    out.resize(start + ((FIXED + name.len() + 8) & !7), 0);
}

/// Appends `entry` (whose name may be empty) with its name set to `name`: stat data, id,
/// mode, stage and extended flags kept.
pub fn renamed_entry(out: &mut Vec<u8>, entry: &[u8], name: &[u8]) {
    let start = out.len();
    let flags = u16::from_be_bytes(entry[60..62].try_into().expect("2 bytes"));
    let fixed = if flags & FLAG_EXTENDED != 0 {
        FIXED + 2
    } else {
        FIXED
    };
    out.extend_from_slice(&entry[..60]);
    let flags = (flags & !NAME_MASK) | name.len().min(NAME_MASK as usize) as u16;
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&entry[62..fixed]);
    out.extend_from_slice(name);
    out.resize(start + ((fixed + name.len() + 8) & !7), 0);
}

pub fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// A writer that also computes the index's trailing SHA-1, unless git is told to skip it.
pub struct Hashing<'w, W: Write> {
    out: &'w mut W,
    hasher: Option<gix::hash::Hasher>,
}

impl<'w, W: Write> Hashing<'w, W> {
    pub fn new(out: &'w mut W, skip_hash: bool) -> Self {
        let hasher = (!skip_hash).then(|| gix::hash::hasher(gix::hash::Kind::Sha1));
        Hashing { out, hasher }
    }

    /// The header of an index of `version` with `entries` entries.
    pub fn header(&mut self, version: u32, entries: u32) -> std::io::Result<()> {
        let mut h = Vec::with_capacity(HEADER);
        h.extend_from_slice(b"DIRC");
        h.extend_from_slice(&version.to_be_bytes());
        h.extend_from_slice(&entries.to_be_bytes());
        self.write_all(&h)
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(h) = &mut self.hasher {
            h.update(bytes);
        }
        self.out.write_all(bytes)
    }

    /// Writes the trailer: the checksum, or zeros. Returns it.
    pub fn finish(self) -> std::io::Result<ObjectId> {
        let trailer = match self.hasher {
            None => ObjectId::null(gix::hash::Kind::Sha1),
            Some(h) => h
                .try_finalize()
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        };
        self.out.write_all(trailer.as_bytes())?;
        Ok(trailer)
    }
}
