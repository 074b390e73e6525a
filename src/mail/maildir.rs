//! A Maildir as the desk reads it: the mails not seen yet (all of `new/`, then the mails
//! in `cur/` without the `S` flag, each in name order, which is delivery order), marking
//! one seen (moved to `cur/` with `S`, as a mail reader would), and quarantine: a mail that
//! cannot be taken in is moved to `quarantine/` inside the Maildir (next to `new/` and
//! `cur/`, where mail readers do not look) with a `<name>.reason` file beside it. Spam goes
//! the same way to `spam/`; a mail released from there comes back to `new/` under its
//! name with [`RELEASED`] appended, which tells intake not to screen it again.

use std::io;
use std::path::{Path, PathBuf};

/// The folder, inside a Maildir, that holds refused mails.
pub const QUARANTINE: &str = "quarantine";
/// The folder, inside a Maildir, that holds spam.
pub const SPAM: &str = "spam";
/// Appended to the unique name of a mail released from `spam/`.
pub const RELEASED: &str = ".released";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The Maildir unique name (the file name without `:2,flags`).
    pub id: String,
    pub path: PathBuf,
    /// In `new/` (else in `cur/`).
    pub new: bool,
    pub flags: String,
    pub size: u64,
}

impl Delivered {
    /// Released from `spam/` by a person: not screened again.
    pub fn released(&self) -> bool {
        self.id.ends_with(RELEASED)
    }

    /// The file name, for reports.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

pub struct Mailbox {
    root: PathBuf,
}

fn error(path: &Path, what: &str) -> io::Error {
    io::Error::other(format!("{}: {what}", path.display()))
}

impl Mailbox {
    /// Opens the Maildir at `root`; it must have `new/` and `cur/`. The error does not name
    /// `root`: callers put it in front (as `StoreError::Io` does), so it is named once.
    pub fn open(root: &Path) -> io::Result<Mailbox> {
        if !root.join("new").is_dir() || !root.join("cur").is_dir() {
            return Err(io::Error::other(
                "is not a Maildir (it needs the folders new/, cur/ and tmp/)",
            ));
        }
        Ok(Mailbox {
            root: root.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The unseen mails, `new/` first. Files that are not mails (hidden files, folders,
    /// names in `cur/` without `:2,`) are left alone.
    pub fn unseen(&self) -> io::Result<Vec<Delivered>> {
        let md = maildir::Maildir::from(self.root.clone());
        let mut out = Vec::new();
        for (new, list) in [(true, md.list_new()), (false, md.list_cur())] {
            let mut batch = Vec::new();
            for entry in list {
                let Ok(entry) = entry else { continue };
                if !new && (entry.is_seen() || entry.is_trashed()) {
                    continue;
                }
                let Ok(meta) = std::fs::metadata(entry.path()) else {
                    continue;
                };
                if !meta.is_file() {
                    continue;
                }
                batch.push(Delivered {
                    id: entry.id().to_owned(),
                    path: entry.path().clone(),
                    new,
                    flags: entry.flags().to_owned(),
                    size: meta.len(),
                });
            }
            batch.sort_by(|a, b| a.path.cmp(&b.path));
            out.extend(batch);
        }
        Ok(out)
    }

    /// Marks a mail seen: from `new/` to `cur/<id>:2,S`, or adds `S` to its flags in
    /// `cur/`.
    pub fn mark_seen(&self, mail: &Delivered) -> io::Result<()> {
        let mut flags: Vec<char> = mail.flags.chars().chain(['S']).collect();
        flags.sort_unstable();
        flags.dedup();
        let flags: String = flags.into_iter().collect();
        let target = self.root.join("cur").join(format!("{}:2,{flags}", mail.id));
        std::fs::rename(&mail.path, &target)
            .map_err(|e| error(&mail.path, &format!("cannot mark it seen: {e}")))
    }

    /// Moves a mail to `quarantine/` and writes `reason` beside it. Returns the new path.
    pub fn quarantine(&self, mail: &Delivered, reason: &str) -> io::Result<PathBuf> {
        self.set_aside(QUARANTINE, mail, reason)
    }

    /// Moves a mail to `spam/` and writes `reason` beside it. Returns the new path.
    pub fn spam(&self, mail: &Delivered, reason: &str) -> io::Result<PathBuf> {
        self.set_aside(SPAM, mail, reason)
    }

    /// Deletes a mail (an ignored sender's, not to be kept).
    pub fn delete(&self, mail: &Delivered) -> io::Result<()> {
        std::fs::remove_file(&mail.path)
            .map_err(|e| error(&mail.path, &format!("cannot delete it: {e}")))
    }

    /// The mails in `spam/`, in name order, each with the reason recorded beside it.
    pub fn spam_list(&self) -> io::Result<Vec<(PathBuf, String)>> {
        let dir = self.root.join(SPAM);
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for e in entries {
            let path = e?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || name.ends_with(".reason") || !path.is_file() {
                continue;
            }
            let reason = std::fs::read_to_string(dir.join(format!("{name}.reason")))
                .map(|r| r.trim().to_owned())
                .unwrap_or_default();
            out.push((path, reason));
        }
        out.sort();
        Ok(out)
    }

    /// Moves `file` (a mail in this Maildir's `spam/`) back to `new/`, marked released.
    /// Returns the new path.
    pub fn release(&self, file: &Path) -> io::Result<PathBuf> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let in_spam = file.parent().and_then(|p| p.canonicalize().ok())
            == self.root.join(SPAM).canonicalize().ok();
        if !in_spam || name.is_empty() || name.ends_with(".reason") || !file.is_file() {
            return Err(error(file, "is not a mail in the spam folder of a Maildir"));
        }
        let id = name.split(":2,").next().unwrap_or(&name);
        let id = id.strip_suffix(RELEASED).unwrap_or(id);
        let target = self.root.join("new").join(format!("{id}{RELEASED}"));
        std::fs::rename(file, &target)
            .map_err(|e| error(file, &format!("cannot move it back to new/: {e}")))?;
        let _ = std::fs::remove_file(self.root.join(SPAM).join(format!("{name}.reason")));
        Ok(target)
    }

    fn set_aside(&self, folder: &str, mail: &Delivered, reason: &str) -> io::Result<PathBuf> {
        let dir = self.root.join(folder);
        std::fs::create_dir_all(&dir)?;
        let name = mail.file_name();
        let target = dir.join(&name);
        std::fs::write(dir.join(format!("{name}.reason")), format!("{reason}\n"))?;
        std::fs::rename(&mail.path, &target)
            .map_err(|e| error(&mail.path, &format!("cannot move it to {folder}/: {e}")))?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_then_unseen_cur_and_marking() {
        let tmp = tempfile::tempdir().unwrap();
        let md = maildir::Maildir::from(tmp.path().to_path_buf());
        md.create_dirs().unwrap();
        std::fs::write(tmp.path().join("new/2.b"), "From: a@b.c\n\n2\n").unwrap();
        std::fs::write(tmp.path().join("new/1.a"), "From: a@b.c\n\n1\n").unwrap();
        std::fs::write(tmp.path().join("cur/0.x:2,S"), "seen").unwrap();
        std::fs::write(tmp.path().join("cur/0.y:2,F"), "flagged, unseen").unwrap();
        std::fs::write(tmp.path().join("new/.hidden"), "x").unwrap();
        let mb = Mailbox::open(tmp.path()).unwrap();
        let got = mb.unseen().unwrap();
        let names: Vec<String> = got.iter().map(Delivered::file_name).collect();
        assert_eq!(names, ["1.a", "2.b", "0.y:2,F"]);
        mb.mark_seen(&got[0]).unwrap();
        mb.mark_seen(&got[2]).unwrap();
        assert!(tmp.path().join("cur/1.a:2,S").is_file());
        assert!(tmp.path().join("cur/0.y:2,FS").is_file());
        let q = mb.quarantine(&got[1], "malformed MIME: x").unwrap();
        assert_eq!(q, tmp.path().join("quarantine/2.b"));
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("quarantine/2.b.reason")).unwrap(),
            "malformed MIME: x\n"
        );
        assert!(mb.unseen().unwrap().is_empty());
        assert!(Mailbox::open(&tmp.path().join("quarantine")).is_err());

        std::fs::write(tmp.path().join("new/3.c"), "From: a@b.c\n\n3\n").unwrap();
        let got = mb.unseen().unwrap();
        let s = mb.spam(&got[0], "X-Spam-Flag: YES").unwrap();
        assert_eq!(
            mb.spam_list().unwrap(),
            [(s.clone(), "X-Spam-Flag: YES".to_owned())]
        );
        assert!(mb.release(&tmp.path().join("new/x")).is_err());
        let back = mb.release(&s).unwrap();
        assert_eq!(back, tmp.path().join("new/3.c.released"));
        assert!(mb.spam_list().unwrap().is_empty());
        let got = mb.unseen().unwrap();
        assert!(got[0].released());
        mb.delete(&got[0]).unwrap();
        assert!(mb.unseen().unwrap().is_empty());
    }
}
