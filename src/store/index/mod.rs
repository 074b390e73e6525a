//! The work tree's index (`.git/index`), changed for a commit's touched paths without
//! decoding and re-encoding every entry.
//!
//! On a large desk the index dominates a commit: 100k tickets are 400k entries, some 50 MB.
//! Reading all of them and writing them all again (what a general index library does, and
//! what `git add` does) costs far more than the commit itself. A commit touches a handful
//! of paths and index entries are sorted by path, so this module walks the entries' bytes
//! only to find the touched ones and writes the old bytes with those entries spliced in or
//! out ([`plain`]).
//!
//! Past [`SPLIT_ABOVE`] bytes even copying the bytes is too slow, and the desk uses git's
//! own answer, the split index ([`split`]): the bulk of the entries sits in an immutable
//! `sharedindex.<sha1>` file and `.git/index` holds only the entries changed since, so a
//! commit writes a few kilobytes. git and gix read it as any index. Because git (2.47)
//! writes a shared index named by a null hash when `index.skipHash` is on, the split form
//! is only used where git will never write a shared index itself
//! (`splitIndex.maxPercentChange = 100`, which `git desk init` sets) or does not skip the
//! hash.
//!
//! Anything else (index version 4, a sparse index, no index yet) is left to the caller's
//! general path: [`Index::open`] returns `None`. Optional extensions (the cache tree, the
//! untracked cache, fsmonitor data, offset tables) are caches of the old entries and are
//! dropped, as git allows; git rebuilds them when it needs them.

mod ewah;
mod offsets;
mod plain;
mod raw;
mod split;

use std::path::{Path, PathBuf};

use gix::ObjectId;

/// Index size from which the split form is worth its bookkeeping.
pub const SPLIT_ABOVE: usize = 1 << 20;

#[cfg(test)]
mod tests;

/// What the index holds for one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staged {
    /// No entry.
    Absent,
    /// One entry at stage 0 with this id.
    Blob(ObjectId),
    /// Anything else (a conflict's stages, a special entry): never what HEAD has.
    Other,
}

/// The new state of one touched path: removed, or a file with its blob and stat data.
pub enum Change<'a> {
    Remove,
    Put(ObjectId, &'a gix::index::entry::Stat),
}

/// How the index may be written.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `index.skipHash`: a zero trailer instead of the SHA-1 of the file.
    pub skip_hash: bool,
    /// Whether the split form may be introduced (see the module docs).
    pub may_split: bool,
    /// Index size (bytes) from which it is split.
    pub split_above: usize,
    /// Changed entries beyond which a new shared index is written.
    pub resplit_min: usize,
}

impl Options {
    pub fn new(skip_hash: bool, may_split: bool) -> Options {
        Options {
            skip_hash,
            may_split,
            split_above: SPLIT_ABOVE,
            resplit_min: split::RESPLIT_MIN,
        }
    }
}

/// An index in a form this module can patch.
pub struct Index {
    path: PathBuf,
    form: Form,
}

enum Form {
    Plain(plain::Plain),
    Split(split::Split),
}

impl Index {
    /// Reads the index at `path`: `Ok(None)` when there is none or its format needs the
    /// general path.
    pub fn open(path: &Path) -> std::io::Result<Option<Index>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(layout) = raw::Layout::of(&bytes) else {
            return Ok(None);
        };
        let form = match split::Split::link(&bytes, &layout) {
            split::Linked::No => Form::Plain(plain::Plain::new(bytes, layout)),
            split::Linked::Yes(link) => {
                let dir = path.parent().expect("the index is in the git dir");
                match split::Split::open(dir, bytes, layout, link)? {
                    Some(s) => Form::Split(s),
                    None => return Ok(None),
                }
            }
            split::Linked::Unusable => return Ok(None),
        };
        Ok(Some(Index {
            path: path.to_owned(),
            form,
        }))
    }

    /// What is staged for each of `paths` (sorted, distinct).
    pub fn staged(&self, paths: &[&str]) -> std::io::Result<Vec<Staged>> {
        let paths: Vec<&[u8]> = paths.iter().map(|p| p.as_bytes()).collect();
        match &self.form {
            Form::Plain(p) => Ok(p.staged(&paths)),
            Form::Split(s) => s.staged(&paths),
        }
    }

    /// Writes the index with `changes` (sorted by path, distinct) to `out` (the index lock),
    /// every other entry as it was.
    pub fn write(
        self,
        out: &mut impl std::io::Write,
        changes: &[(&str, Change<'_>)],
        opts: Options,
    ) -> std::io::Result<()> {
        let dir = self.path.parent().expect("the index is in the git dir");
        match self.form {
            Form::Plain(p) if opts.may_split && p.len() > opts.split_above => {
                split::Split::from_plain(dir, p)?.write(dir, out, changes, opts)
            }
            Form::Plain(p) => p.write(out, changes, opts.skip_hash),
            Form::Split(s) => s.write(dir, out, changes, opts),
        }
    }
}
