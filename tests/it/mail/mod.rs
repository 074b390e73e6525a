//! Mail in and out: real Maildir trees built from the .eml corpus in
//! `tests/fixtures/mail/`, and a real SMTP server (aiosmtpd) on 127.0.0.1. The tests that need
//! the server are in `tests/external/mail_send.rs`, which shares this module.

mod ingest;
mod loops;
mod outbox;
mod real;
pub(crate) mod smtp_server;
pub(crate) mod smtpd;

use std::path::{Path, PathBuf};

use crate::support::*;

pub fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A Maildir on disk.
pub struct Maildir {
    pub root: PathBuf,
}

impl Maildir {
    pub fn new(root: PathBuf) -> Maildir {
        for d in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        Maildir { root }
    }

    /// Delivers `bytes` into `new/` under `name` (a Maildir unique name).
    pub fn deliver(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.root.join("new").join(name), bytes).unwrap();
    }

    /// Delivers a fixture under its own stem as the unique name.
    pub fn deliver_fixture(&self, file: &str) {
        let stem = file.trim_end_matches(".eml");
        self.deliver(&format!("1795800000.{stem}.mx"), &fixture(file));
    }

    pub fn files(&self, sub: &str) -> Vec<String> {
        let mut v: Vec<String> = match std::fs::read_dir(self.root.join(sub)) {
            Ok(rd) => rd
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => vec![],
        };
        v.sort();
        v
    }

    /// Moves every mail of `cur/` back to `new/`, as if it had never been marked seen.
    pub fn unmark_all(&self) {
        for f in self.files("cur") {
            let id = f.split(":2,").next().unwrap().to_owned();
            std::fs::rename(
                self.root.join("cur").join(&f),
                self.root.join("new").join(id),
            )
            .unwrap();
        }
    }
}

/// The example desk with a Maildir `mail/inbox` beside it (not inside the repository).
pub fn desk_with_maildir() -> (TestDesk, Maildir) {
    let d = TestDesk::example();
    let md = Maildir::new(d.tmp.path().join("mail/inbox"));
    (d, md)
}

/// `git desk --json mail ingest DIR` → the report.
pub fn ingest(d: &TestDesk, dir: &Path) -> serde_json::Value {
    json(&d.ok(&["--json", "mail", "ingest", dir.to_str().unwrap()]))
}

/// The report entry for the mail delivered from fixture `stem`.
pub fn entry<'a>(report: &'a serde_json::Value, stem: &str) -> &'a serde_json::Value {
    report["mails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["file"].as_str().unwrap().contains(&format!(".{stem}.mx")))
        .unwrap_or_else(|| panic!("no entry for {stem} in {report:#}"))
}

/// Changes desk.yaml with `edit` and commits it by hand, as a technician would.
pub fn edit_settings(d: &TestDesk, edit: impl Fn(String) -> String) {
    let text = d.read("desk.yaml");
    let new = edit(text.clone());
    assert_ne!(text, new, "the edit changed nothing");
    d.write("desk.yaml", &new);
    d.git(&["commit", "-qam", "settings by hand"]);
}

/// Every outbox file of HEAD, parsed.
pub fn outbox(d: &TestDesk) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for name in d
        .git(&["ls-tree", "--name-only", "HEAD", "outbox/"])
        .lines()
    {
        let yaml = d.git(&["show", &format!("HEAD:{name}")]);
        out.push((name.to_owned(), yaml_to_json(&yaml)));
    }
    out
}

/// A desk file as JSON, to assert on fields.
pub fn yaml_to_json(text: &str) -> serde_json::Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `tickets/<bucket>/<id>/ticket.yaml` of the work tree, as JSON.
pub fn ticket(d: &TestDesk, id: u64) -> serde_json::Value {
    yaml_to_json(&d.read(&format!("tickets/{:03}/{id}/ticket.yaml", id / 1000)))
}

/// The messages of a ticket in the work tree, in key order, as (file name, JSON).
pub fn messages(d: &TestDesk, id: u64) -> Vec<(String, serde_json::Value)> {
    let dir = d.path(&format!("tickets/{:03}/{id}/messages", id / 1000));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).unwrap();
            (n, yaml_to_json(&text))
        })
        .collect()
}
