//! What the site is made from: where the desk is read (HEAD of a git desk, or a plain
//! directory), the shared data every page may show (settings, staff, queues, customers,
//! tasks, KB, the `--for` inbox), the content key of every ticket, and one ticket loaded
//! with its thread.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::ObjectId;

use super::Result;
use crate::model::{
    Account, KbArticle, Login, Message, MessageKey, Queue, Reseller, Settings, Staff, Task,
    TaskNote, Ticket, TicketId,
};
use crate::store::history::{content_hash, path_key, ticket_tree_ids};
use crate::store::{layout, DeskRead, FileError, FsSource, Source, StoreError, TreeSource};
use crate::store::{Desk, DeskKind};

/// Bytes of decompressed objects each reader keeps.
const OBJECT_CACHE: usize = 16 << 20;

/// Where the desk's data comes from.
pub enum Input {
    /// A commit of a git desk (work tree or bare): its tree.
    Tree {
        repo: Box<gix::ThreadSafeRepository>,
        tree: ObjectId,
        head: ObjectId,
    },
    /// A directory that is not a repository (or has no commit yet).
    Dir(PathBuf),
}

impl Input {
    pub fn of(desk: &Desk) -> Result<Input> {
        if let (Some(repo), Some(head), Some(tree)) =
            (desk.repo(), desk.head_commit()?, desk.head_tree()?)
        {
            return Ok(Input::Tree {
                repo: Box::new(repo.clone().into_sync()),
                tree,
                head,
            });
        }
        if desk.kind() == DeskKind::Bare {
            return Err(StoreError::NotADesk(desk.root().to_path_buf()).into());
        }
        Ok(Input::Dir(desk.root().to_path_buf()))
    }

    /// A reader for this thread (git repositories are not shared between threads).
    pub fn source(&self) -> Box<dyn Source + Send> {
        match self {
            Input::Tree { repo, tree, .. } => {
                let mut repo = repo.to_thread_local();
                // Every read looks its path up from the root: keep the trees (a folder of
                // thousands of accounts would otherwise be inflated once per file).
                repo.object_cache_size_if_unset(OBJECT_CACHE);
                Box::new(TreeSource::new(repo, *tree))
            }
            Input::Dir(root) => Box::new(FsSource::new(root)),
        }
    }

    /// Like [`Input::source`], but through a repository of its own (`store::reopen`), so
    /// the pack pages it reads do not stay resident with the shared one for the rest of
    /// the build.
    pub fn fresh_source(&self) -> Box<dyn Source + Send> {
        if let Input::Tree { repo, tree, .. } = self {
            if let Ok(mut own) = crate::store::reopen(&repo.to_thread_local()) {
                own.object_cache_size_if_unset(OBJECT_CACHE);
                return Box::new(TreeSource::new(own, *tree));
            }
        }
        self.source()
    }

    pub fn head(&self) -> Option<ObjectId> {
        match self {
            Input::Tree { head, .. } => Some(*head),
            Input::Dir(_) => None,
        }
    }

    pub fn repo(&self) -> Option<gix::Repository> {
        match self {
            Input::Tree { repo, .. } => Some(repo.to_thread_local()),
            Input::Dir(_) => None,
        }
    }

    /// The content key of every ticket directory: its git tree id, or a hash of its files.
    pub fn ticket_keys(&self, problems: &mut Vec<FileError>) -> Result<BTreeMap<TicketId, String>> {
        match self {
            Input::Tree { repo, tree, .. } => Ok(ticket_tree_ids(&repo.to_thread_local(), *tree)?
                .into_iter()
                .map(|(id, tree)| (id, tree.to_string()))
                .collect()),
            Input::Dir(root) => {
                let src = FsSource::new(root);
                let ids = src.ticket_ids()?;
                problems.extend(ids.problems);
                let mut out = BTreeMap::new();
                for id in ids.items {
                    let mut parts: Vec<Vec<u8>> = Vec::new();
                    hash_dir(&src, &layout::ticket_dir(id), &mut parts)?;
                    out.insert(id, content_hash(parts.iter().map(Vec::as_slice)));
                }
                Ok(out)
            }
        }
    }

    /// A key of the inputs every page shares (settings, staff, queues, customers).
    pub fn shared_key(&self) -> Result<String> {
        let paths = [
            layout::DESK_FILE,
            layout::STAFF_DIR,
            layout::QUEUES_DIR,
            layout::ACCOUNTS_DIR,
            layout::RESELLERS_DIR,
        ];
        let mut parts: Vec<Vec<u8>> = Vec::new();
        match self {
            Input::Tree { repo, tree, .. } => {
                let repo = repo.to_thread_local();
                for p in paths {
                    parts.push(p.as_bytes().to_vec());
                    parts.push(path_key(&repo, *tree, p)?.unwrap_or_default().into_bytes());
                }
            }
            Input::Dir(root) => {
                let src = FsSource::new(root);
                for p in paths {
                    parts.push(p.as_bytes().to_vec());
                    match src.read(p)? {
                        Some(bytes) => parts.push(bytes),
                        None => hash_dir(&src, p, &mut parts)?,
                    }
                }
            }
        }
        Ok(content_hash(parts.iter().map(Vec::as_slice)))
    }
}

/// Appends every file below `dir` (path, then bytes) in a stable order.
fn hash_dir(src: &FsSource, dir: &str, parts: &mut Vec<Vec<u8>>) -> Result<()> {
    for e in src.list(dir)? {
        let path = format!("{dir}/{}", e.name);
        if e.is_dir {
            hash_dir(src, &path, parts)?;
        } else if let Some(bytes) = src.read(&path)? {
            parts.push(path.into_bytes());
            parts.push(bytes);
        }
    }
    Ok(())
}

/// The data every page may show.
pub struct Shared {
    pub settings: Settings,
    pub staff: Vec<Staff>,
    pub queues: Vec<Queue>,
    pub accounts: BTreeMap<Login, Account>,
    pub resellers: BTreeMap<Login, Reseller>,
    pub tasks: Vec<(Task, Vec<(MessageKey, TaskNote)>)>,
    pub kb: Vec<KbArticle>,
    /// The `--for` technician's inbox, opened by the caller; empty for the shared site.
    pub inbox: Vec<crate::ops::msg::Entry>,
    pub problems: Vec<FileError>,
    pub shared_key: String,
    /// Each ticket's SLA state at build time and the time logged on it, by id (from the
    /// catalog; see [`sla_cells`]).
    pub sla: BTreeMap<u64, SlaCell>,
}

/// What a row and a ticket page show of a ticket's service level and logged time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SlaCell {
    /// `breached`, `due`, `paused`, `met`; none without a policy.
    pub state: Option<&'static str>,
    /// `breached`, `due 2026-11-30 10:00 UTC`, …
    pub text: Option<String>,
    /// One line per target: `first response: met (due …)`.
    pub targets: Vec<String>,
    /// `2h05m (1h55m billable)`; none when no time was logged.
    pub time: Option<String>,
}

impl SlaCell {
    /// A key for page caching: the page changes when this does.
    pub fn key(&self) -> String {
        format!("{:?}", self)
    }
}

/// The SLA cells of every ticket at `now`, from the catalog.
pub fn sla_cells(
    desk: &crate::store::Desk,
    settings: &Settings,
    now: crate::model::Timestamp,
) -> Result<BTreeMap<u64, SlaCell>> {
    use crate::model::sla::State;
    use crate::model::timelog::show_minutes;
    let catalog = crate::store::catalog::Catalog::open(desk)?;
    let view = catalog.view()?;
    let mut out = BTreeMap::new();
    let when = |t: crate::model::Timestamp| t.to_string().replace('T', " ").replace(":00Z", " UTC");
    for s in view.tickets() {
        let st = s.sla(&settings.sla, now);
        let time = (s.minutes > 0).then(|| {
            format!(
                "{} ({} billable)",
                show_minutes(u64::from(s.minutes)),
                show_minutes(u64::from(s.billable_minutes))
            )
        });
        if st.is_none() && time.is_none() {
            continue;
        }
        let cell = SlaCell {
            state: st.as_ref().map(|s| s.state().name()),
            text: st.as_ref().map(|s| match (s.state(), s.next_due()) {
                (State::Breached, _) => "breached".to_owned(),
                (State::Due, Some(d)) => format!("due {}", when(d)),
                (st, _) => st.name().to_owned(),
            }),
            targets: st
                .iter()
                .flat_map(|s| s.targets.iter())
                .map(|t| {
                    let due = t.due.map_or("-".into(), when);
                    format!("{}: {} (due {due})", t.target.label(), t.state.name())
                })
                .collect(),
            time,
        };
        out.insert(s.id, cell);
    }
    Ok(out)
}

impl Shared {
    pub fn load(src: &dyn Source, input: &Input) -> Result<Shared> {
        let settings = src.settings()?;
        let mut problems = Vec::new();
        let mut take = |p: Vec<FileError>| problems.extend(p);
        let staff = src.all_staff()?;
        take(staff.problems);
        let queues = src.all_queues()?;
        take(queues.problems);
        let accounts = src.all_accounts()?;
        take(accounts.problems);
        let resellers = src.all_resellers()?;
        take(resellers.problems);
        let kb = src.all_kb()?;
        take(kb.problems);
        let task_ids = src.task_ids()?;
        take(task_ids.problems);
        let mut tasks = Vec::new();
        for id in task_ids.items {
            match src.task(id) {
                Ok(Some(t)) => {
                    let notes = src.task_notes(id)?;
                    take(notes.problems);
                    tasks.push((t, notes.items));
                }
                Ok(None) => {}
                Err(StoreError::File(f)) => take(vec![f]),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Shared {
            sla: BTreeMap::new(),
            settings,
            staff: staff.items,
            queues: queues.items,
            accounts: accounts
                .items
                .into_iter()
                .map(|a| (a.login.clone(), a))
                .collect(),
            resellers: resellers
                .items
                .into_iter()
                .map(|r| (r.login.clone(), r))
                .collect(),
            tasks,
            kb: kb.items,
            inbox: Vec::new(),
            problems,
            shared_key: input.shared_key()?,
        })
    }

    pub fn staff(&self, login: &str) -> Option<&Staff> {
        self.staff.iter().find(|s| s.login.as_str() == login)
    }

    pub fn queue(&self, slug: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.slug.as_str() == slug)
    }

    /// The reseller a ticket's owner account belongs to.
    pub fn reseller_of(&self, t: &Ticket) -> Option<&Reseller> {
        let account = self.accounts.get(t.account.as_ref()?)?;
        self.resellers.get(account.reseller.as_ref()?)
    }
}

/// One ticket with its thread, as read for its page.
pub struct LoadedTicket {
    pub ticket: Ticket,
    pub messages: Vec<(MessageKey, Message)>,
    pub problems: Vec<FileError>,
}

/// Reads one ticket; a broken `ticket.yaml` is returned as the problem.
pub fn load_ticket(
    src: &(impl Source + ?Sized),
    id: TicketId,
) -> Result<std::result::Result<LoadedTicket, FileError>> {
    let ticket = match src.ticket(id) {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Ok(Err(FileError {
                path: layout::ticket_file(id),
                line: None,
                column: None,
                message: "missing (the ticket directory has no ticket.yaml)".into(),
            }))
        }
        Err(StoreError::File(f)) => return Ok(Err(f)),
        Err(e) => return Err(e.into()),
    };
    let messages = src.messages(id)?;
    Ok(Ok(LoadedTicket {
        ticket,
        messages: messages.items,
        problems: messages.problems,
    }))
}
