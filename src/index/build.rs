//! Reading what the index holds from a desk: the entities (tickets, tasks, articles, and
//! accounts, whose reseller is copied into their tickets), one document per entity, and the
//! full build that reads every entity on all cores.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use gix::ObjectId;
use tantivy::{IndexWriter, TantivyDocument};

use crate::model::{Login, Message, MessageKey, Slug, TaskId, TicketId};
use crate::store::{layout, yaml, DeskRead, FileError, FsSource, Source, StoreError, TreeSource};

use super::error::IndexError;
use super::expr::Kind;
use super::schema::{self, Fields};

/// Something the index depends on, named by where it lives in the desk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    Ticket(TicketId),
    Task(TaskId),
    Kb(Slug),
    /// Not a document: a change re-reads the account's tickets (their reseller).
    Account(Login),
}

impl Entity {
    /// The entity a desk path belongs to, if any.
    pub fn of_path(path: &str) -> Option<Entity> {
        if let Some(id) = layout::ticket_of_path(path) {
            return Some(Entity::Ticket(id));
        }
        if let Some(id) = layout::task_of_path(path) {
            return Some(Entity::Task(id));
        }
        if let Some(name) = path.strip_prefix("kb/") {
            return name.strip_suffix(".md")?.parse().ok().map(Entity::Kb);
        }
        if let Some(name) = path.strip_prefix("accounts/") {
            return name
                .strip_suffix(".yaml")?
                .parse()
                .ok()
                .map(Entity::Account);
        }
        None
    }

    /// The document key (or `account:<login>`), also used in the recorded state.
    pub fn key(&self) -> String {
        match self {
            Entity::Ticket(id) => schema::key(Kind::Ticket, &id.to_string()),
            Entity::Task(id) => schema::key(Kind::Task, &id.to_string()),
            Entity::Kb(slug) => schema::key(Kind::Kb, slug.as_str()),
            Entity::Account(login) => format!("account:{login}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Entity> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "ticket" => rest.parse().ok().map(Entity::Ticket),
            "task" => rest.parse().ok().map(Entity::Task),
            "kb" => rest.parse().ok().map(Entity::Kb),
            "account" => rest.parse().ok().map(Entity::Account),
            _ => None,
        }
    }
}

/// Where documents are read from: files on disk (a work tree or a plain folder), or a git
/// tree (a bare desk). Each thread of a build opens its own reader.
#[derive(Clone)]
pub enum Origin {
    Files(std::path::PathBuf),
    Tree(Box<gix::ThreadSafeRepository>, ObjectId),
}

impl Origin {
    pub fn source(&self) -> Box<dyn Source> {
        match self {
            Origin::Files(root) => Box::new(FsSource::new(root)),
            Origin::Tree(repo, tree) => Box::new(TreeSource::new(repo.to_thread_local(), *tree)),
        }
    }
}

/// Accounts' resellers, read once per account.
#[derive(Default)]
pub struct Resellers(pub HashMap<Login, Option<Login>>);

impl Resellers {
    /// Every account of the desk (for a full build).
    pub fn all(src: &dyn Source) -> Result<Resellers, StoreError> {
        let loaded = src.all_accounts()?;
        Ok(Resellers(
            loaded
                .items
                .into_iter()
                .map(|a| (a.login, a.reseller))
                .collect(),
        ))
    }

    fn of(&mut self, src: &dyn Source, account: &Login) -> Option<Login> {
        if let Some(r) = self.0.get(account) {
            return r.clone();
        }
        let r = src.account(account).ok().flatten().and_then(|a| a.reseller);
        self.0.insert(account.clone(), r.clone());
        r
    }
}

/// The document of `entity`, none when it does not exist (or is an account). A broken main
/// file is a problem and no document; broken messages or notes are problems and left out.
pub fn document(
    src: &dyn Source,
    f: &Fields,
    entity: &Entity,
    resellers: &mut Resellers,
    problems: &mut Vec<FileError>,
) -> Result<Option<TantivyDocument>, StoreError> {
    fn soft<T>(
        r: Result<Option<T>, StoreError>,
        problems: &mut Vec<FileError>,
    ) -> Result<Option<T>, StoreError> {
        match r {
            Err(StoreError::File(e)) => {
                problems.push(e);
                Ok(None)
            }
            r => r,
        }
    }
    Ok(match entity {
        Entity::Ticket(id) => {
            let Some(t) = soft(src.ticket(*id), problems)? else {
                return Ok(None);
            };
            let dir = layout::messages_dir(*id);
            let mut messages = Vec::new();
            for e in src.list(&dir)? {
                let Some(path) = message_path(&dir, &e.name, e.is_dir, problems) else {
                    continue;
                };
                if let Some(bytes) = src.read(&path)? {
                    messages.extend(message(&path, &bytes, problems));
                }
            }
            let reseller = t.account.as_ref().and_then(|a| resellers.of(src, a));
            Some(schema::ticket_doc(f, &t, &messages, reseller.as_ref()))
        }
        Entity::Task(id) => {
            let Some(t) = soft(src.task(*id), problems)? else {
                return Ok(None);
            };
            let notes = src.task_notes(*id)?;
            problems.extend(notes.problems);
            let notes: Vec<_> = notes.items.into_iter().map(|(_, n)| n).collect();
            Some(schema::task_doc(f, &t, &notes))
        }
        Entity::Kb(slug) => soft(src.kb_article(slug), problems)?.map(|a| schema::kb_doc(f, &a)),
        Entity::Account(_) => None,
    })
}

/// The path of the message file `name` of the thread directory `dir`, or none (and a
/// problem) when the name is not `<key>.yaml`, as `DeskRead::messages` reports them.
pub fn message_path(
    dir: &str,
    name: &str,
    is_dir: bool,
    problems: &mut Vec<FileError>,
) -> Option<String> {
    let path = format!("{dir}/{name}");
    let problem = match name.strip_suffix(".yaml").filter(|_| !is_dir) {
        Some(key) => match key.parse::<MessageKey>() {
            Ok(_) => return Some(path),
            Err(err) => err.to_string(),
        },
        None => "unexpected entry (expected <key>.yaml)".into(),
    };
    problems.push(FileError {
        path,
        line: None,
        column: None,
        message: problem,
    });
    None
}

/// A message file as the index reads it: the fields of [`Message`], parsed straight into
/// the type (unknown keys are not recorded, which a full parse does through a second,
/// generic tree of the file). A broken file is a problem and no message.
pub fn message(path: &str, bytes: &[u8], problems: &mut Vec<FileError>) -> Option<Message> {
    match yaml::parse_fields::<Message>(path, bytes) {
        Ok(m) => Some(m),
        Err(e) => {
            problems.push(e);
            None
        }
    }
}

/// Every ticket, task and article of the desk.
pub fn all_entities(
    src: &dyn Source,
    problems: &mut Vec<FileError>,
) -> Result<Vec<Entity>, StoreError> {
    let mut out = Vec::new();
    let tickets = src.ticket_ids()?;
    problems.extend(tickets.problems);
    out.extend(tickets.items.into_iter().map(Entity::Ticket));
    out.extend(other_entities(src, problems)?);
    Ok(out)
}

/// Every task and article of the desk.
pub fn other_entities(
    src: &dyn Source,
    problems: &mut Vec<FileError>,
) -> Result<Vec<Entity>, StoreError> {
    let mut out = Vec::new();
    let tasks = src.task_ids()?;
    problems.extend(tasks.problems);
    out.extend(tasks.items.into_iter().map(Entity::Task));
    for e in src.list(layout::KB_DIR)? {
        if let Some(slug) = e.name.strip_suffix(".md").and_then(|s| s.parse().ok()) {
            out.push(Entity::Kb(slug));
        }
    }
    Ok(out)
}

/// Reads `entities` on `threads` threads and adds their documents to `writer`. Calls
/// `progress(done)` now and then. Returns the number of documents added.
pub fn add_all(
    origin: &Origin,
    f: &Fields,
    writer: &IndexWriter,
    entities: &[Entity],
    threads: usize,
    problems: &mut Vec<FileError>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, IndexError> {
    let resellers = {
        let src = origin.source();
        Resellers::all(src.as_ref())?
    };
    let resellers = &resellers.0;
    on_threads(
        entities,
        threads,
        writer,
        problems,
        progress,
        || (origin.source(), Resellers(resellers.clone())),
        |(src, mine), e, problems| {
            document(src.as_ref(), f, e, mine, problems).map_err(IndexError::from)
        },
    )
}

/// Makes the documents of `items` on `threads` threads (each with its own state from
/// `init`) and adds them to `writer`; the first error stops every thread and is returned.
/// Calls `progress(done)` now and then. Returns the number of documents added.
pub fn on_threads<T: Sync, S>(
    items: &[T],
    threads: usize,
    writer: &IndexWriter,
    problems: &mut Vec<FileError>,
    progress: &(dyn Fn(u64) + Sync),
    init: impl Fn() -> S + Sync,
    make: impl Fn(&mut S, &T, &mut Vec<FileError>) -> Result<Option<TantivyDocument>, IndexError> + Sync,
) -> Result<u64, IndexError> {
    const CHUNK: usize = 64;
    let next = AtomicUsize::new(0);
    let added = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let shared_problems = Mutex::new(Vec::new());
    let failure: Mutex<Option<IndexError>> = Mutex::new(None);
    let total = items.len() as u64;
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                let mut state = init();
                let mut local_problems = Vec::new();
                loop {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= items.len() || failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                        break;
                    }
                    for item in &items[start..(start + CHUNK).min(items.len())] {
                        let r =
                            make(&mut state, item, &mut local_problems).and_then(|doc| match doc {
                                Some(d) => writer
                                    .add_document(d)
                                    .map(|_| 1)
                                    .map_err(IndexError::tantivy("adding a document")),
                                None => Ok(0),
                            });
                        match r {
                            Ok(n) => {
                                added.fetch_add(n, Ordering::Relaxed);
                                crate::failpoint::hit("index.rebuild");
                            }
                            Err(err) => {
                                if let Ok(mut f) = failure.lock() {
                                    f.get_or_insert(err);
                                }
                                return;
                            }
                        }
                    }
                    let d = done.fetch_add(CHUNK as u64, Ordering::Relaxed) + CHUNK as u64;
                    progress(d.min(total));
                }
                if let Ok(mut p) = shared_problems.lock() {
                    p.append(&mut local_problems);
                }
            });
        }
    });
    if let Some(err) = failure.into_inner().ok().flatten() {
        return Err(err);
    }
    problems.extend(shared_problems.into_inner().unwrap_or_default());
    Ok(added.into_inner())
}
