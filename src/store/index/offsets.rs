//! A sampled offset table of a shared index, kept as derived state under `.git/desk/`:
//! every [`STEP`]th entry's number and byte offset. A lookup binary-searches the samples
//! and walks at most `STEP` entries, instead of walking the entries from the start (400k
//! of them on a desk of 100k tickets). Shared indexes never change — their name is their
//! hash — so a table once written stays right; one that does not match its index (size,
//! entry count, an offset that is not an entry) is not used, and the lookup walks.

use std::io::Write;
use std::path::Path;

use super::raw::{self, HEADER};

/// Entries between two samples.
pub const STEP: u32 = 512;
const MAGIC: &[u8; 8] = b"DESKOFS1";

pub struct Offsets {
    /// (entry number, byte offset) of entries 0, STEP, 2·STEP, …
    samples: Vec<(u32, u32)>,
}

impl Offsets {
    /// Reads the table at `path` for a shared index of `len` bytes and `entries` entries.
    pub fn load(path: &Path, len: usize, entries: u32) -> Option<Offsets> {
        let b = std::fs::read(path).ok()?;
        if b.len() < 24 || &b[..8] != MAGIC {
            return None;
        }
        let word = |i: usize| raw::be32(&b, i);
        let (l, e, n) = (word(8) as usize, word(12), word(16) as usize);
        if l != len || e != entries || b.len() != 20 + n * 8 || n != entries.div_ceil(STEP) as usize
        {
            return None;
        }
        let samples = (0..n)
            .map(|i| (word(20 + i * 8), word(24 + i * 8)))
            .collect();
        Some(Offsets { samples })
    }

    /// Walks every entry of `bytes` to sample them.
    pub fn build(bytes: &[u8], version: u32, entries: u32) -> Option<Offsets> {
        let mut samples = Vec::with_capacity(entries.div_ceil(STEP) as usize);
        let mut at = HEADER;
        for n in 0..entries {
            if n % STEP == 0 {
                samples.push((n, u32::try_from(at).ok()?));
            }
            at = raw::entry_at(bytes, at, version)?.1;
        }
        Some(Offsets { samples })
    }

    /// Writes the table (best effort: it is only a cache).
    pub fn save(&self, path: &Path, len: usize, entries: u32) {
        let mut b = Vec::with_capacity(20 + self.samples.len() * 8);
        b.extend_from_slice(MAGIC);
        for v in [len as u32, entries, self.samples.len() as u32] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for (n, o) in &self.samples {
            b.extend_from_slice(&n.to_be_bytes());
            b.extend_from_slice(&o.to_be_bytes());
        }
        let Some(dir) = path.parent() else {
            return;
        };
        let tmp = dir.join(format!(".offsets-{}", std::process::id()));
        let ok = std::fs::create_dir_all(dir).is_ok()
            && std::fs::File::create(&tmp)
                .and_then(|mut f| f.write_all(&b))
                .is_ok()
            && std::fs::rename(&tmp, path).is_ok();
        if !ok {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Where to start walking to find `path`: the last sample whose entry sorts before it
    /// (byte offset, entry number). `None` when the table does not fit `bytes`.
    pub fn start(&self, bytes: &[u8], version: u32, path: &[u8]) -> Option<(usize, u32)> {
        let name = |i: usize| -> Option<&[u8]> {
            raw::entry_at(bytes, self.samples[i].1 as usize, version).map(|(n, _)| n)
        };
        // Invariant: samples[lo] sorts before `path` (or lo is the first sample).
        let (mut lo, mut hi) = (0usize, self.samples.len());
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if name(mid)? < path {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.samples
            .get(lo)
            .map(|&(n, o)| (o as usize, n))
            .filter(|_| name(lo).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::ObjectId;

    /// An index of `n` entries named `p/0000`, `p/0001`, …
    fn index(n: u32) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"DIRC");
        b.extend_from_slice(&2u32.to_be_bytes());
        b.extend_from_slice(&n.to_be_bytes());
        for i in 0..n {
            let id = ObjectId::null(gix::hash::Kind::Sha1);
            raw::encode_entry(
                &mut b,
                format!("p/{i:04}").as_bytes(),
                id,
                &Default::default(),
            );
        }
        b.extend_from_slice(&[0; raw::HASH]);
        b
    }

    #[test]
    fn sampled_lookups_find_what_a_full_walk_finds() {
        let n = 3 * STEP + 7;
        let bytes = index(n);
        let table = Offsets::build(&bytes, 2, n).unwrap();
        for name in [
            "p/0000", "p/0511", "p/0512", "p/1000", "p/1542", "p/9999", "a", "q",
        ] {
            let p = name.as_bytes();
            let walked = raw::locate(&bytes, 2, n, &[p]).unwrap();
            let start = table.start(&bytes, 2, p).unwrap();
            let sampled = raw::locate_from(&bytes, 2, n, start, &[p]).unwrap();
            assert_eq!(
                (walked[0].number, walked[0].count),
                (sampled[0].number, sampled[0].count),
                "{name}"
            );
            assert_eq!(walked[0].bytes, sampled[0].bytes, "{name}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk/t.offsets");
        table.save(&path, bytes.len(), n);
        assert!(Offsets::load(&path, bytes.len(), n).is_some());
        // A table for another index is not used.
        assert!(Offsets::load(&path, bytes.len() + 8, n).is_none());
        assert!(Offsets::load(&path, bytes.len(), n + 1).is_none());
    }
}
