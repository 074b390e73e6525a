//! A whole index in one file: touched entries found by walking the bytes, and the new index
//! written as the old bytes with those entries replaced, inserted or left out.

use std::io::Write;

use super::raw::{self, Hashing, Layout, HEADER};
use super::{Change, Staged};

pub struct Plain {
    bytes: Vec<u8>,
    layout: Layout,
}

impl Plain {
    pub fn new(bytes: Vec<u8>, layout: Layout) -> Plain {
        Plain { bytes, layout }
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn staged(&self, paths: &[&[u8]]) -> Vec<Staged> {
        self.locate(paths)
            .into_iter()
            .map(|f| match f.bytes.is_empty() {
                true => Staged::Absent,
                false => raw::stage0_id(&self.bytes[f.bytes], self.layout.version)
                    .map_or(Staged::Other, Staged::Blob),
            })
            .collect()
    }

    pub fn write(
        &self,
        out: &mut impl Write,
        changes: &[(&str, Change<'_>)],
        skip_hash: bool,
    ) -> std::io::Result<()> {
        let paths: Vec<&[u8]> = changes.iter().map(|(p, _)| p.as_bytes()).collect();
        let found = self.locate(&paths);
        let mut count = i64::from(self.layout.entries);
        let mut pieces = Vec::with_capacity(changes.len());
        for ((path, change), f) in changes.iter().zip(found) {
            count -= i64::from(f.count);
            let mut entry = Vec::new();
            if let Change::Put(id, stat) = change {
                raw::encode_entry(&mut entry, path.as_bytes(), *id, stat);
                count += 1;
            }
            pieces.push((f.bytes, entry));
        }
        let mut w = Hashing::new(out, skip_hash);
        w.header(self.layout.version, count as u32)?;
        let mut at = HEADER;
        for (range, entry) in &pieces {
            w.write_all(&self.bytes[at..range.start])?;
            w.write_all(entry)?;
            at = range.end;
        }
        w.write_all(&self.bytes[at..self.layout.entries_end])?;
        w.finish().map(|_| ())
    }

    fn locate(&self, paths: &[&[u8]]) -> Vec<raw::Found> {
        let l = &self.layout;
        raw::locate(&self.bytes, l.version, l.entries, paths).expect("walked when read")
    }
}
