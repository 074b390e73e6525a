//! Typed reads of a desk from any [`Source`]: one entity by id without scanning, lists that
//! report broken files and go on with the others, and the next free id from the last shard
//! only.

use serde::de::DeserializeOwned;

use super::error::{FileError, Result, StoreError};
use super::layout;
use super::source::Source;
use super::yaml;
use crate::model::{
    Account, IdMarks, KbArticle, KbFront, Login, Macro, MacroDef, Message, MessageKey, OutMail,
    PrivateMessage, Queue, ReplyFront, Reseller, SavedReply, Settings, Slug, Staff, Task, TaskId,
    TaskNote, Ticket, TicketId,
};

/// What a listing found: the entities that read well, and the files that did not.
#[derive(Debug)]
pub struct Loaded<T> {
    pub items: Vec<T>,
    pub problems: Vec<FileError>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            items: Vec::new(),
            problems: Vec::new(),
        }
    }
}

impl<T> Loaded<T> {
    fn push(&mut self, r: Result<Option<T>>) -> Result<()> {
        match r {
            Ok(Some(t)) => self.items.push(t),
            Ok(None) => {}
            Err(StoreError::File(f)) => self.problems.push(f),
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

fn mismatch(path: &str, field: &str, got: &str, want: &str) -> StoreError {
    StoreError::File(FileError {
        path: path.into(),
        line: None,
        column: None,
        message: format!("{field} is `{got}` but the file name says `{want}`"),
    })
}

/// Typed reads; implemented for every [`Source`].
pub trait DeskRead: Source {
    fn parse_file<T: DeserializeOwned + serde::Serialize + crate::model::Document>(
        &self,
        path: &str,
    ) -> Result<Option<T>> {
        match self.read(path)? {
            Some(bytes) => Ok(Some(yaml::parse(path, &bytes)?)),
            None => Ok(None),
        }
    }

    fn settings(&self) -> Result<Settings> {
        self.parse_file(layout::DESK_FILE)?.ok_or_else(|| {
            StoreError::File(FileError {
                path: layout::DESK_FILE.into(),
                line: None,
                column: None,
                message: "missing: this is not a desk".into(),
            })
        })
    }

    fn staff(&self, login: &Login) -> Result<Option<Staff>> {
        let path = layout::staff(login);
        let s: Option<Staff> = self.parse_file(&path)?;
        match s {
            Some(s) if &s.login != login => {
                Err(mismatch(&path, "login", s.login.as_str(), login.as_str()))
            }
            s => Ok(s),
        }
    }

    fn all_staff(&self) -> Result<Loaded<Staff>> {
        let mut out = Loaded::default();
        for login in yaml_names::<Login>(self, layout::STAFF_DIR, &mut out.problems)? {
            out.push(self.staff(&login))?;
        }
        Ok(out)
    }

    fn queue(&self, slug: &Slug) -> Result<Option<Queue>> {
        let path = layout::queue(slug);
        let q: Option<Queue> = self.parse_file(&path)?;
        match q {
            Some(q) if &q.slug != slug => {
                Err(mismatch(&path, "slug", q.slug.as_str(), slug.as_str()))
            }
            q => Ok(q),
        }
    }

    fn all_queues(&self) -> Result<Loaded<Queue>> {
        let mut out = Loaded::default();
        for slug in yaml_names::<Slug>(self, layout::QUEUES_DIR, &mut out.problems)? {
            out.push(self.queue(&slug))?;
        }
        Ok(out)
    }

    fn account(&self, login: &Login) -> Result<Option<Account>> {
        let path = layout::account(login);
        let a: Option<Account> = self.parse_file(&path)?;
        match a {
            Some(a) if &a.login != login => {
                Err(mismatch(&path, "login", a.login.as_str(), login.as_str()))
            }
            a => Ok(a),
        }
    }

    fn all_accounts(&self) -> Result<Loaded<Account>> {
        let mut out = Loaded::default();
        for login in yaml_names::<Login>(self, layout::ACCOUNTS_DIR, &mut out.problems)? {
            out.push(self.account(&login))?;
        }
        Ok(out)
    }

    fn reseller(&self, login: &Login) -> Result<Option<Reseller>> {
        let path = layout::reseller(login);
        let r: Option<Reseller> = self.parse_file(&path)?;
        match r {
            Some(r) if &r.login != login => {
                Err(mismatch(&path, "login", r.login.as_str(), login.as_str()))
            }
            r => Ok(r),
        }
    }

    fn all_resellers(&self) -> Result<Loaded<Reseller>> {
        let mut out = Loaded::default();
        for login in yaml_names::<Login>(self, layout::RESELLERS_DIR, &mut out.problems)? {
            out.push(self.reseller(&login))?;
        }
        Ok(out)
    }

    /// Every ticket id present, ascending; a directory name that is not an id in the right
    /// shard is reported.
    fn ticket_ids(&self) -> Result<Loaded<TicketId>> {
        numbered_dirs(self, layout::TICKETS_DIR, TicketId::bucket)
    }

    fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let path = layout::ticket_file(id);
        let t: Option<Ticket> = self.parse_file(&path)?;
        match t {
            Some(t) if t.id != id => Err(mismatch(&path, "id", &t.id.to_string(), &id.to_string())),
            t => Ok(t),
        }
    }

    /// The ticket's thread in chronological order (keys sort by time).
    fn messages(&self, id: TicketId) -> Result<Loaded<(MessageKey, Message)>> {
        keyed_files(self, &layout::messages_dir(id))
    }

    /// The highest ticket id in use: the last shard's last id; no full scan.
    fn max_ticket_id(&self) -> Result<Option<TicketId>> {
        max_numbered(self, layout::TICKETS_DIR)
    }

    fn task_ids(&self) -> Result<Loaded<TaskId>> {
        numbered_dirs(self, layout::TASKS_DIR, TaskId::bucket)
    }

    fn task(&self, id: TaskId) -> Result<Option<Task>> {
        let path = layout::task_file(id);
        let t: Option<Task> = self.parse_file(&path)?;
        match t {
            Some(t) if t.id != id => Err(mismatch(&path, "id", &t.id.to_string(), &id.to_string())),
            t => Ok(t),
        }
    }

    fn task_notes(&self, id: TaskId) -> Result<Loaded<(MessageKey, TaskNote)>> {
        keyed_files(self, &layout::task_notes_dir(id))
    }

    fn max_task_id(&self) -> Result<Option<TaskId>> {
        max_numbered(self, layout::TASKS_DIR)
    }

    /// The id high-water marks; none for a desk made before `ids.yaml` existed.
    fn id_marks(&self) -> Result<Option<IdMarks>> {
        self.parse_file(layout::IDS_FILE)
    }

    fn inbox(&self, login: &Login) -> Result<Loaded<(MessageKey, PrivateMessage)>> {
        keyed_files(self, &layout::inbox_dir(login))
    }

    /// Logins that have an inbox folder.
    fn inbox_owners(&self) -> Result<Vec<Login>> {
        Ok(self
            .list(layout::INBOX_DIR)?
            .into_iter()
            .filter(|e| e.is_dir)
            .filter_map(|e| e.name.parse().ok())
            .collect())
    }

    fn kb_article(&self, slug: &Slug) -> Result<Option<KbArticle>> {
        let path = layout::kb(slug);
        match self.read(&path)? {
            None => Ok(None),
            Some(bytes) => {
                let (front, body): (KbFront, String) = yaml::parse_front_matter(&path, &bytes)?;
                Ok(Some(KbArticle {
                    slug: slug.clone(),
                    front,
                    body,
                }))
            }
        }
    }

    fn all_kb(&self) -> Result<Loaded<KbArticle>> {
        let mut out = Loaded::default();
        for e in self.list(layout::KB_DIR)? {
            let Some(stem) = e.name.strip_suffix(".md").filter(|_| !e.is_dir) else {
                continue;
            };
            match stem.parse::<Slug>() {
                Ok(slug) => out.push(self.kb_article(&slug))?,
                Err(err) => out.problems.push(FileError {
                    path: format!("{}/{}", layout::KB_DIR, e.name),
                    line: None,
                    column: None,
                    message: format!("bad file name: {err}"),
                }),
            }
        }
        Ok(out)
    }

    /// A saved reply (`replies/<slug>.md`).
    fn saved_reply(&self, slug: &Slug) -> Result<Option<SavedReply>> {
        let path = layout::reply(slug);
        let Some(bytes) = self.read(&path)? else {
            return Ok(None);
        };
        let (front, body): (ReplyFront, String) = yaml::parse_front_matter(&path, &bytes)?;
        // The body is the file's tail: the lines before it are the front matter.
        let head = &bytes[..bytes.len() - body.len()];
        let body_line = head.iter().filter(|b| **b == b'\n').count() + 1;
        Ok(Some(SavedReply {
            slug: slug.clone(),
            front,
            body,
            body_line,
        }))
    }

    fn all_replies(&self) -> Result<Loaded<SavedReply>> {
        let mut out = Loaded::default();
        for e in self.list(layout::REPLIES_DIR)? {
            let Some(stem) = e.name.strip_suffix(".md").filter(|_| !e.is_dir) else {
                out.problems.push(FileError {
                    path: format!("{}/{}", layout::REPLIES_DIR, e.name),
                    line: None,
                    column: None,
                    message: "unexpected entry (expected <slug>.md)".into(),
                });
                continue;
            };
            match stem.parse::<Slug>() {
                Ok(slug) => out.push(self.saved_reply(&slug))?,
                Err(err) => out.problems.push(FileError {
                    path: format!("{}/{}", layout::REPLIES_DIR, e.name),
                    line: None,
                    column: None,
                    message: format!("bad file name: {err}"),
                }),
            }
        }
        Ok(out)
    }

    /// A macro (`macros/<slug>.yaml`).
    fn macro_def(&self, slug: &Slug) -> Result<Option<Macro>> {
        let def: Option<MacroDef> = self.parse_file(&layout::macro_file(slug))?;
        Ok(def.map(|def| Macro {
            slug: slug.clone(),
            def,
        }))
    }

    fn all_macros(&self) -> Result<Loaded<Macro>> {
        let mut out = Loaded::default();
        for slug in yaml_names::<Slug>(self, layout::MACROS_DIR, &mut out.problems)? {
            out.push(self.macro_def(&slug))?;
        }
        Ok(out)
    }

    fn outbox(&self) -> Result<Loaded<(MessageKey, OutMail)>> {
        keyed_files(self, layout::OUTBOX_DIR)
    }
}

impl<S: Source + ?Sized> DeskRead for S {}

/// The `<name>.yaml` files of `dir` whose stem parses as `T`; other names are problems.
fn yaml_names<T: std::str::FromStr<Err = crate::model::InvalidValue>>(
    src: &(impl Source + ?Sized),
    dir: &str,
    problems: &mut Vec<FileError>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for e in src.list(dir)? {
        if e.is_dir {
            continue;
        }
        let Some(stem) = e.name.strip_suffix(".yaml") else {
            problems.push(FileError {
                path: format!("{dir}/{}", e.name),
                line: None,
                column: None,
                message: "unexpected file (expected <name>.yaml)".into(),
            });
            continue;
        };
        match stem.parse() {
            Ok(t) => out.push(t),
            Err(err) => problems.push(FileError {
                path: format!("{dir}/{}", e.name),
                line: None,
                column: None,
                message: format!("bad file name: {err}"),
            }),
        }
    }
    Ok(out)
}

fn keyed_files<T: DeserializeOwned + serde::Serialize + crate::model::Document>(
    src: &(impl Source + ?Sized),
    dir: &str,
) -> Result<Loaded<(MessageKey, T)>> {
    let mut out = Loaded::default();
    for e in src.list(dir)? {
        let path = format!("{dir}/{}", e.name);
        let key = e
            .name
            .strip_suffix(".yaml")
            .filter(|_| !e.is_dir)
            .map(str::parse::<MessageKey>);
        match key {
            Some(Ok(key)) => {
                let r = src.parse_file::<T>(&path).map(|o| o.map(|t| (key, t)));
                out.push(r)?;
            }
            Some(Err(err)) => out.problems.push(FileError {
                path,
                line: None,
                column: None,
                message: err.to_string(),
            }),
            None => out.problems.push(FileError {
                path,
                line: None,
                column: None,
                message: "unexpected entry (expected <key>.yaml)".into(),
            }),
        }
    }
    Ok(out)
}

trait NumericId: Copy + Ord + std::str::FromStr {
    fn make(n: u64) -> Option<Self>;
}
impl NumericId for TicketId {
    fn make(n: u64) -> Option<Self> {
        TicketId::new(n).ok()
    }
}
impl NumericId for TaskId {
    fn make(n: u64) -> Option<Self> {
        TaskId::new(n).ok()
    }
}

/// The problem of an entry `name` of shard `bucket` under `root` (`tickets`, `tasks`) that
/// is not the directory of an id of that shard.
pub fn not_an_id_dir(root: &str, bucket: &str, name: &str) -> FileError {
    FileError {
        path: format!("{root}/{bucket}/{name}"),
        line: None,
        column: None,
        message: format!("not an id directory of shard {bucket} (id / 1000 = bucket)"),
    }
}

fn numbered_dirs<T: NumericId + std::fmt::Display>(
    src: &(impl Source + ?Sized),
    root: &str,
    bucket_of: fn(T) -> String,
) -> Result<Loaded<T>> {
    let mut out = Loaded::default();
    for b in src.list(root)? {
        if !b.is_dir {
            continue;
        }
        for e in src.list(&format!("{root}/{}", b.name))? {
            let id = e
                .name
                .parse::<u64>()
                .ok()
                .and_then(T::make)
                .filter(|id| e.is_dir && bucket_of(*id) == b.name);
            match id {
                Some(id) => out.items.push(id),
                None => out.problems.push(not_an_id_dir(root, &b.name, &e.name)),
            }
        }
    }
    out.items.sort();
    Ok(out)
}

fn max_numbered<T: NumericId>(src: &(impl Source + ?Sized), root: &str) -> Result<Option<T>> {
    // Buckets are zero-padded, but a huge desk may pass 999: compare numerically.
    let mut buckets: Vec<u64> = src
        .list(root)?
        .into_iter()
        .filter(|e| e.is_dir)
        .filter_map(|e| e.name.parse().ok())
        .collect();
    buckets.sort_unstable();
    for b in buckets.into_iter().rev() {
        let best = src
            .list(&format!("{root}/{b:03}"))?
            .into_iter()
            .filter(|e| e.is_dir)
            .filter_map(|e| e.name.parse::<u64>().ok())
            .filter_map(T::make)
            .max();
        if best.is_some() {
            return Ok(best);
        }
    }
    Ok(None)
}
