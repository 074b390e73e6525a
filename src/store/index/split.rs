//! git's split index: `.git/index` holds the `link` extension (the shared index's SHA-1, a
//! delete bitmap and a replace bitmap over the shared index's entries) and only the
//! entries changed since the shared index was written — first one replacement per set bit
//! of the replace bitmap (its path left empty, taken from the shared entry), then the added
//! entries, sorted. The shared index `sharedindex.<sha1>` is never modified; a new one is
//! written when the changes pass [`RESPLIT_PERCENT`] of the entries.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gix::ObjectId;

use super::offsets::Offsets;
use super::plain::Plain;
use super::raw::{self, Found, Hashing, Layout, HEADER};
use super::{ewah, Change, Options, Staged};

/// Changes (in entries) beyond which a new shared index is written, as a share of all
/// entries: a larger split file costs every commit, a new shared index costs one.
pub const RESPLIT_PERCENT: usize = 1;
/// … but never for fewer changes than this.
pub const RESPLIT_MIN: usize = 2_000;
/// Old shared indexes are removed once they are this old (git's default).
const EXPIRE: Duration = Duration::from_secs(14 * 24 * 3600);

/// What the `link` extension says.
pub enum Linked {
    /// No extension, or one that names no shared index: a plain index.
    No,
    /// A shared index and both bitmaps.
    Yes(Link),
    /// A form this module does not handle.
    Unusable,
}

pub struct Link {
    base: ObjectId,
    delete: Vec<u32>,
    replace: Vec<u32>,
}

/// Paths looked up in the shared index, and where they were found.
type Located = (Vec<Vec<u8>>, Vec<Found>);

pub struct Split {
    base: ObjectId,
    shared: memmap2::Mmap,
    /// The shared index's version and number of entries (from its header).
    shared_version: u32,
    shared_entries: u32,
    delete: BTreeSet<u32>,
    /// Shared entry number → its replacement (an entry with an empty path).
    replaced: BTreeMap<u32, Vec<u8>>,
    /// Path → added entry bytes.
    added: BTreeMap<Vec<u8>, Vec<u8>>,
    version: u32,
    /// The last lookup in the shared index (the same touched paths are looked up for the
    /// dirty check and for the write).
    located: RefCell<Option<Located>>,
    /// The shared index's sampled offsets, and where they are kept.
    offsets: RefCell<Option<Offsets>>,
    offsets_path: PathBuf,
}

impl Split {
    /// The `link` extension of an index.
    pub fn link(bytes: &[u8], layout: &Layout) -> Linked {
        let Some(range) = layout.extension(b"link") else {
            return Linked::No;
        };
        let data = &bytes[range];
        let Some(base) = data
            .get(..raw::HASH)
            .and_then(|b| ObjectId::try_from(b).ok())
        else {
            return Linked::Unusable;
        };
        if base.is_null() {
            return Linked::No;
        }
        let Some((delete, n)) = ewah::decode(&data[raw::HASH..]) else {
            return Linked::Unusable;
        };
        match ewah::decode(&data[raw::HASH + n..]) {
            Some((replace, m)) if raw::HASH + n + m == data.len() => Linked::Yes(Link {
                base,
                delete,
                replace,
            }),
            _ => Linked::Unusable,
        }
    }

    /// Opens the shared index of `link`; `None` when anything does not add up. The shared
    /// index's entries are not walked here, only where a lookup needs them.
    pub fn open(
        dir: &Path,
        bytes: Vec<u8>,
        layout: Layout,
        link: Link,
    ) -> std::io::Result<Option<Split>> {
        let path = dir.join(format!("sharedindex.{}", link.base));
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        // SAFETY: shared index files are written once under a name that is their hash and
        // never changed afterwards (git's own reader maps them the same way).
        let shared = unsafe { memmap2::Mmap::map(&file)? };
        if shared.len() < HEADER + raw::HASH || &shared[..4] != b"DIRC" {
            return Ok(None);
        }
        let (shared_version, shared_entries) = (raw::be32(&shared, 4), raw::be32(&shared, 8));
        if !(shared_version == 2 || shared_version == 3) {
            return Ok(None);
        }
        if link
            .delete
            .iter()
            .chain(&link.replace)
            .any(|&b| b >= shared_entries)
        {
            return Ok(None);
        }
        // The split file's own entries: replacements (empty paths), then additions.
        let mut entries: Vec<(Range<usize>, &[u8])> = Vec::with_capacity(layout.entries as usize);
        let mut at = HEADER;
        while at < layout.entries_end {
            let (name, end) = raw::entry_at(&bytes, at, layout.version).expect("walked before");
            entries.push((at..end, name));
            at = end;
        }
        if entries.len() < link.replace.len() {
            return Ok(None);
        }
        let (repl, adds) = entries.split_at(link.replace.len());
        if repl.iter().any(|(_, n)| !n.is_empty()) || adds.iter().any(|(_, n)| n.is_empty()) {
            return Ok(None);
        }
        let replaced = link
            .replace
            .iter()
            .zip(repl)
            .map(|(&k, (r, _))| (k, bytes[r.clone()].to_vec()))
            .collect();
        let added = adds
            .iter()
            .map(|(r, n)| (n.to_vec(), bytes[r.clone()].to_vec()))
            .collect();
        let offsets_path = dir
            .join("desk")
            .join(format!("sharedindex.{}.offsets", link.base));
        let offsets = Offsets::load(&offsets_path, shared.len(), shared_entries);
        Ok(Some(Split {
            base: link.base,
            offsets: RefCell::new(offsets),
            offsets_path,
            shared,
            shared_version,
            shared_entries,
            delete: link.delete.into_iter().collect(),
            replaced,
            added,
            version: layout.version.max(shared_version),
            located: RefCell::new(None),
        }))
    }

    /// Makes `plain` the shared index (written once, with its SHA-1), with no changes yet.
    pub fn from_plain(dir: &Path, plain: Plain) -> std::io::Result<Split> {
        let bytes = plain.bytes();
        let layout = plain.layout();
        let entries = &bytes[HEADER..layout.entries_end];
        let base = write_shared(dir, layout.version, layout.entries, |w| {
            w.write_all(entries)
        })?;
        remove_expired(dir, &[base]);
        Split::fresh(dir, base, layout.version)
    }

    fn fresh(dir: &Path, base: ObjectId, version: u32) -> std::io::Result<Split> {
        let link = Link {
            base,
            delete: vec![],
            replace: vec![],
        };
        let mut empty = Vec::new();
        Hashing::new(&mut empty, true).header(version, 0)?;
        empty.extend_from_slice(&[0; raw::HASH]);
        let layout = Layout::of(&empty).expect("an empty index");
        Split::open(dir, empty, layout, link)?
            .ok_or_else(|| std::io::Error::other("the new shared index cannot be read back"))
    }

    /// Where each of `paths` is in the shared index.
    fn in_shared(&self, paths: &[&[u8]]) -> std::io::Result<Vec<Found>> {
        if let Some((p, found)) = &*self.located.borrow() {
            if p.iter().map(Vec::as_slice).eq(paths.iter().copied()) {
                return Ok(found.clone());
            }
        }
        let found = self.locate(paths).ok_or_else(|| corrupt(&self.base))?;
        let key = paths.iter().map(|p| p.to_vec()).collect();
        *self.located.borrow_mut() = Some((key, found.clone()));
        Ok(found)
    }

    /// Finds `paths` through the sampled offsets, made on first use.
    fn locate(&self, paths: &[&[u8]]) -> Option<Vec<Found>> {
        let (v, n) = (self.shared_version, self.shared_entries);
        if self.offsets.borrow().is_none() {
            let table = Offsets::build(&self.shared, v, n)?;
            table.save(&self.offsets_path, self.shared.len(), n);
            *self.offsets.borrow_mut() = Some(table);
        }
        let table = self.offsets.borrow();
        let table = table.as_ref().expect("made above");
        let mut out = Vec::with_capacity(paths.len());
        for p in paths {
            let found = match table.start(&self.shared, v, p) {
                Some(start) => raw::locate_from(&self.shared, v, n, start, &[p]),
                None => raw::locate(&self.shared, v, n, &[p]),
            };
            out.extend(found?);
        }
        Some(out)
    }

    /// The entry numbers of `found` that are not deleted.
    fn live(&self, found: &Found) -> Vec<u32> {
        (found.number..found.number + found.count)
            .filter(|k| !self.delete.contains(k))
            .collect()
    }

    pub fn staged(&self, paths: &[&[u8]]) -> std::io::Result<Vec<Staged>> {
        let v = self.version;
        let id = |bytes: &[u8]| raw::stage0_id(bytes, v).map_or(Staged::Other, Staged::Blob);
        let found = self.in_shared(paths)?;
        Ok(paths
            .iter()
            .zip(found)
            .map(|(p, f)| {
                if let Some(e) = self.added.get(*p) {
                    return id(e);
                }
                match (self.live(&f).as_slice(), f.count) {
                    ([], _) => Staged::Absent,
                    ([k], 1) => match self.replaced.get(k) {
                        Some(e) => id(e),
                        None => id(&self.shared[f.bytes.clone()]),
                    },
                    _ => Staged::Other,
                }
            })
            .collect())
    }

    pub fn write(
        mut self,
        dir: &Path,
        out: &mut impl Write,
        changes: &[(&str, Change<'_>)],
        opts: Options,
    ) -> std::io::Result<()> {
        let paths: Vec<&[u8]> = changes.iter().map(|(p, _)| p.as_bytes()).collect();
        let found = self.in_shared(&paths)?;
        for ((path, change), f) in changes.iter().zip(found) {
            let path = path.as_bytes();
            let live = self.live(&f);
            let mut entry = Vec::new();
            match change {
                Change::Put(id, stat) if !self.added.contains_key(path) && live.len() == 1 => {
                    raw::encode_entry(&mut entry, b"", *id, stat);
                    self.replaced.insert(live[0], entry);
                }
                Change::Put(id, stat) => {
                    for k in live {
                        self.replaced.remove(&k);
                        self.delete.insert(k);
                    }
                    raw::encode_entry(&mut entry, path, *id, stat);
                    self.added.insert(path.to_vec(), entry);
                }
                Change::Remove => {
                    self.added.remove(path);
                    for k in live {
                        self.replaced.remove(&k);
                        self.delete.insert(k);
                    }
                }
            }
        }
        let changed = self.replaced.len() + self.added.len() + self.delete.len();
        let total = self.shared_entries as usize;
        if changed > opts.resplit_min.max(total * RESPLIT_PERCENT / 100) {
            self = self.resplit(dir)?;
        }
        self.write_split(out, opts.skip_hash)
    }

    fn write_split(&self, out: &mut impl Write, skip_hash: bool) -> std::io::Result<()> {
        let mut w = Hashing::new(out, skip_hash);
        let count = self.replaced.len() + self.added.len();
        w.header(self.version, count as u32)?;
        for e in self.replaced.values().chain(self.added.values()) {
            w.write_all(e)?;
        }
        let mut link = Vec::new();
        link.extend_from_slice(self.base.as_bytes());
        ewah::encode(&self.delete.iter().copied().collect::<Vec<_>>(), &mut link);
        ewah::encode(
            &self.replaced.keys().copied().collect::<Vec<_>>(),
            &mut link,
        );
        w.write_all(b"link")?;
        w.write_all(&(link.len() as u32).to_be_bytes())?;
        w.write_all(&link)?;
        w.finish().map(|_| ())
    }

    /// Writes the current entries as a new shared index and starts over from it.
    fn resplit(self, dir: &Path) -> std::io::Result<Split> {
        let v = self.shared_version;
        let stage = |e: &[u8]| (u16::from_be_bytes([e[60], e[61]]) >> 12) & 3;
        let mut merged: Vec<(Vec<u8>, u16, Vec<u8>)> = Vec::new();
        let mut at = HEADER;
        for k in 0..self.shared_entries {
            let (name, end) =
                raw::entry_at(&self.shared, at, v).ok_or_else(|| corrupt(&self.base))?;
            let entry = &self.shared[at..end];
            at = end;
            if self.delete.contains(&k) {
                continue;
            }
            let mut bytes = Vec::new();
            match self.replaced.get(&k) {
                Some(r) => raw::renamed_entry(&mut bytes, r, name),
                None => bytes.extend_from_slice(entry),
            }
            merged.push((name.to_vec(), stage(&bytes), bytes));
        }
        for (name, e) in &self.added {
            merged.push((name.clone(), stage(e), e.clone()));
        }
        merged.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let version = self.version;
        let count = merged.len() as u32;
        let base = write_shared(dir, version, count, |w| {
            merged.iter().try_for_each(|(_, _, e)| w.write_all(e))
        })?;
        let old = self.base;
        drop(self);
        remove_expired(dir, &[base, old]);
        Split::fresh(dir, base, version)
    }
}

fn corrupt(base: &ObjectId) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("the shared index sharedindex.{base} is corrupt"),
    )
}

/// Writes a shared index (always with its SHA-1, which names it) and returns that hash.
fn write_shared(
    dir: &Path,
    version: u32,
    entries: u32,
    body: impl FnOnce(&mut Hashing<'_, std::io::BufWriter<&mut std::fs::File>>) -> std::io::Result<()>,
) -> std::io::Result<ObjectId> {
    let tmp = dir.join(format!("sharedindex_desk{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        let id = {
            let mut buf = std::io::BufWriter::with_capacity(1 << 20, &mut file);
            let mut w = Hashing::new(&mut buf, false);
            w.header(version, entries)?;
            body(&mut w)?;
            let id = w.finish()?;
            buf.flush()?;
            id
        };
        drop(file);
        std::fs::rename(&tmp, dir.join(format!("sharedindex.{id}")))?;
        Ok(id)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes shared indexes older than git's expiry, except `keep`.
fn remove_expired(dir: &Path, keep: &[ObjectId]) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(hex) = name.strip_prefix("sharedindex.") else {
            continue;
        };
        if keep
            .iter()
            .any(|k| ObjectId::from_hex(hex.as_bytes()).ok() == Some(*k))
        {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > EXPIRE);
        if old {
            let _ = std::fs::remove_file(e.path());
            let _ = std::fs::remove_file(dir.join("desk").join(format!("{name}.offsets")));
        }
    }
}
