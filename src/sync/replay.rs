//! Replaying local, unpushed commits onto the remote branch, one by one, so history stays
//! linear and each commit keeps its author, time and trailers.
//!
//! For a desk commit (one with a `Desk-Op` trailer) every file it changed is applied to the
//! new base: a file the remote did not touch takes the local change; new message files
//! never collide (one file each); a YAML file both sides changed is merged field by field.
//! When both changed the same field, an exclusive act (pick-up, assign, release, close,
//! resolve, delete, merge, mass action) lost the race and the whole commit is dropped and
//! reported; for other acts the field keeps the remote value and the report says so. A
//! local change to a ticket deleted upstream, or a local delete of a ticket changed
//! upstream, is dropped and reported too. A ticket created locally whose id was taken
//! upstream is renumbered, and so is a new task (its directory, its `id`, answers' Message-IDs, outbox mail,
//! task links and the commit's trailers and subject, in this and later commits). An id is
//! taken upstream when a ticket holds it there or the upstream `ids.yaml` mark reaches it
//! (it was handed out, then deleted or merged away). `ids.yaml` itself never conflicts: it
//! becomes the larger mark of both sides, field by field.
//!
//! A hand-made commit (no `Desk-Op`) is replayed as git's three-way merge; a true text
//! conflict stops the replay with an error, and nothing has been changed (the new commits
//! exist only as objects until the branch is moved).

use std::collections::BTreeMap;

use gix::objs::tree::EntryKind;
use gix::ObjectId;

use crate::model::{IdMarks, Op, OutMail, RecordedOp, Task, TaskId, Ticket, TicketId};
use crate::ops::OpError;
use crate::store::diff::{changes, tree_of, PathChange};
use crate::store::{commit, layout, parse_trailers, yaml, DeskRead, StoreError, TreeSource};

/// Fields an exclusive act decides.
const EXCLUSIVE_FIELDS: &[&str] = &["assignee", "status", "closed_at", "closed_by", "queue"];

#[derive(Debug)]
pub struct Replayed {
    /// The new tip (the remote's tip when nothing was left to replay).
    pub head: ObjectId,
    pub applied: usize,
    /// What did not go as written: dropped acts, fields that kept the remote value.
    pub notes: Vec<String>,
    pub dropped: usize,
    /// Tickets and tasks renumbered: (which, old, new).
    pub renumbered: Vec<(Renumbered, u64, u64)>,
}

struct Ctx<'r> {
    repo: &'r gix::Repository,
    remap: BTreeMap<u64, u64>,
    /// Tasks renumbered so far: old id → new id.
    task_remap: BTreeMap<u64, u64>,
}

/// Replays the commits reachable from `local` and not from `onto`, oldest first, onto `onto`.
pub fn replay(
    repo: &gix::Repository,
    local: ObjectId,
    onto: ObjectId,
) -> Result<Replayed, OpError> {
    let walk = repo
        .rev_walk([local])
        .with_hidden([onto])
        .all()
        .map_err(|e| StoreError::git("walking local history", e))?;
    let mut commits = Vec::new();
    for info in walk {
        let info = info.map_err(|e| StoreError::git("walking local history", e))?;
        commits.push((info.id, info.parent_ids.to_vec()));
    }
    commits.reverse();
    let mut out = Replayed {
        head: onto,
        applied: 0,
        notes: vec![],
        dropped: 0,
        renumbered: vec![],
    };
    let mut cx = Ctx {
        repo,
        remap: BTreeMap::new(),
        task_remap: BTreeMap::new(),
    };
    for (id, parents) in commits {
        let short = &id.to_string()[..10];
        if parents.len() != 1 {
            out.notes.push(format!(
                "merge commit {short} skipped: its changes are replayed from the commits it merged"
            ));
            continue;
        }
        let c = repo
            .find_commit(id)
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let message = c.message_raw_sloppy().to_string();
        let op = commit::desk_op(&parse_trailers(&message));
        let base_tree = tree_of(repo, out.head)?;
        let step = match &op {
            Some(op) => cx.apply_desk_commit(parents[0], id, base_tree, op)?,
            None => Step::Applied {
                tree: merge_by_hand(repo, parents[0], id, base_tree, short, &message)?,
                notes: vec![],
                renumbered: vec![],
            },
        };
        match step {
            Step::Dropped(reason) => {
                out.dropped += 1;
                out.notes.push(reason);
            }
            Step::Applied {
                tree,
                notes,
                renumbered,
            } => {
                out.notes.extend(notes);
                if tree == base_tree {
                    out.notes.push(format!(
                        "commit {short} (\"{}\") is already upstream",
                        message.lines().next().unwrap_or("")
                    ));
                    continue;
                }
                let message = cx.rewrite_message(&message, &renumbered);
                out.renumbered.extend(renumbered);
                out.head = write_commit(repo, &c, tree, out.head, &message)?;
                out.applied += 1;
            }
        }
    }
    Ok(out)
}

/// What kind of id was renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Renumbered {
    Ticket,
    Task,
}

enum Step {
    Applied {
        tree: ObjectId,
        notes: Vec<String>,
        renumbered: Vec<(Renumbered, u64, u64)>,
    },
    Dropped(String),
}

fn write_commit(
    repo: &gix::Repository,
    original: &gix::Commit<'_>,
    tree: ObjectId,
    parent: ObjectId,
    message: &str,
) -> Result<ObjectId, OpError> {
    let err = |e: gix::Error| StoreError::git("reading a commit", e);
    let author = original
        .author()
        .map_err(err)?
        .to_owned()
        .map_err(|e| StoreError::git("reading a commit", e))?;
    let committer = original
        .committer()
        .map_err(err)?
        .to_owned()
        .map_err(|e| StoreError::git("reading a commit", e))?;
    let commit = gix::objs::Commit {
        tree,
        parents: [parent].into_iter().collect(),
        author,
        committer,
        encoding: None,
        message: message.into(),
        extra_headers: vec![],
    };
    // Replayed commits are signed afresh, like `git rebase` with commit.gpgSign.
    let commit = crate::store::sign::sign_if_asked(repo, commit)?;
    Ok(repo
        .write_object(&commit)
        .map_err(|e| StoreError::git("writing a commit", e))?
        .detach())
}

fn merge_by_hand(
    repo: &gix::Repository,
    parent: ObjectId,
    id: ObjectId,
    base_tree: ObjectId,
    short: &str,
    message: &str,
) -> Result<ObjectId, OpError> {
    let labels = gix::merge::blob::builtin_driver::text::Labels {
        ancestor: Some("base".into()),
        current: Some("upstream".into()),
        other: Some("local".into()),
    };
    let opts = repo
        .tree_merge_options()
        .map_err(|e| StoreError::git("merge options", e))?;
    let mut outcome = repo
        .merge_trees(
            tree_of(repo, parent)?,
            base_tree,
            tree_of(repo, id)?,
            labels,
            opts,
        )
        .map_err(|e| StoreError::git("merging a hand-made commit", e))?;
    let how = gix::merge::tree::TreatAsUnresolved::git();
    if outcome.has_unresolved_conflicts(how) {
        let paths: Vec<String> = outcome
            .conflicts
            .iter()
            .filter(|c| c.is_unresolved(how))
            .map(|c| c.changes_in_resolution().0.location().to_string())
            .collect();
        return Err(OpError::State(format!(
            "your hand-made commit {short} (\"{}\") conflicts with changes made upstream to {}; nothing was changed. \
             Resolve it with git (`git pull --rebase`), then run `git desk sync` again",
            message.lines().next().unwrap_or(""),
            paths.join(", ")
        )));
    }
    Ok(outcome
        .tree
        .write()
        .map_err(|e| StoreError::git("writing a merged tree", e))?
        .detach())
}

impl Ctx<'_> {
    fn blob(&self, id: ObjectId) -> Result<Vec<u8>, OpError> {
        Ok(self
            .repo
            .find_blob(id)
            .map_err(|e| StoreError::git("reading a file", e))?
            .detach()
            .data)
    }

    fn map_path(&self, path: &str) -> String {
        if let Some(t) = layout::task_of_path(path) {
            return match self.task_remap.get(&t.get()) {
                Some(&new) => {
                    let new = TaskId::new(new).expect("renumbered ids are positive");
                    format!(
                        "{}{}",
                        layout::task_dir(new),
                        &path[layout::task_dir(t).len()..]
                    )
                }
                None => path.to_owned(),
            };
        }
        match layout::ticket_of_path(path) {
            Some(t) => match self.remap.get(&t.get()) {
                Some(&new) => {
                    let new = TicketId::new(new).expect("renumbered ids are positive");
                    let rest = &path[layout::ticket_dir(t).len()..];
                    format!("{}{rest}", layout::ticket_dir(new))
                }
                None => path.to_owned(),
            },
            None => path.to_owned(),
        }
    }

    fn apply_desk_commit(
        &mut self,
        parent: ObjectId,
        id: ObjectId,
        base_tree: ObjectId,
        op: &RecordedOp,
    ) -> Result<Step, OpError> {
        let repo = self.repo;
        let short = id.to_string()[..10].to_owned();
        let list = changes(repo, tree_of(repo, parent)?, tree_of(repo, id)?)?;
        let cur = TreeSource::new(repo.clone(), base_tree);
        let exclusive = op.known().is_some_and(Op::is_exclusive);

        // New tickets whose id is taken upstream (present, or handed out and since deleted
        // or merged: at most the upstream mark) get the next free one.
        let marks_up = cur.id_marks().ok().flatten();
        let up = marks_up.clone().unwrap_or_default();
        let mut renumbered = Vec::new();
        let mut next_free = cur
            .max_ticket_id()?
            .map_or(0, |t| t.get())
            .max(up.last_ticket)
            + 1;
        for ch in list
            .iter()
            .filter(|c| c.old.is_none() && c.path.ends_with("/ticket.yaml"))
        {
            let Some(t) = layout::ticket_of_path(&ch.path) else {
                continue;
            };
            if self.remap.contains_key(&t.get()) {
                continue;
            }
            if t.get() <= up.last_ticket || cur.entry(&layout::ticket_dir(t))?.is_some() {
                let new = next_free.max(t.get() + 1);
                next_free = new + 1;
                self.remap.insert(t.get(), new);
                renumbered.push((Renumbered::Ticket, t.get(), new));
            }
        }

        // Likewise new tasks.
        let mut next_task = cur.max_task_id()?.map_or(0, |t| t.get()).max(up.last_task) + 1;
        for ch in list
            .iter()
            .filter(|c| c.old.is_none() && c.path.ends_with("/task.yaml"))
        {
            let Some(t) = layout::task_of_path(&ch.path) else {
                continue;
            };
            if self.task_remap.contains_key(&t.get()) {
                continue;
            }
            if t.get() <= up.last_task || cur.entry(&layout::task_dir(t))?.is_some() {
                let new = next_task.max(t.get() + 1);
                next_task = new + 1;
                self.task_remap.insert(t.get(), new);
                renumbered.push((Renumbered::Task, t.get(), new));
            }
        }

        // A change to a ticket that no longer exists upstream cannot be applied.
        let removes_ticket = |t: TicketId| {
            list.iter()
                .any(|c| c.new.is_none() && c.path == layout::ticket_file(t))
        };
        let adds_ticket = |t: TicketId| {
            list.iter()
                .any(|c| c.old.is_none() && c.path == layout::ticket_file(t))
        };
        for ch in &list {
            let Some(t) = layout::ticket_of_path(&ch.path) else {
                continue;
            };
            let mapped = layout::ticket_of_path(&self.map_path(&ch.path)).unwrap_or(t);
            if !removes_ticket(t)
                && !adds_ticket(t)
                && cur.entry(&layout::ticket_file(mapped))?.is_none()
            {
                return Ok(Step::Dropped(format!("ticket {mapped} was deleted upstream; your {op} (commit {short}) was not applied")));
            }
        }

        let mut editor = repo
            .edit_tree(base_tree)
            .map_err(|e| StoreError::git("editing a tree", e))?;
        let mut notes = Vec::new();
        for ch in &list {
            if ch.path == layout::IDS_FILE {
                continue;
            }
            let path = self.map_path(&ch.path);
            let theirs = cur
                .entry(&path)?
                .filter(|(_, is_tree)| !is_tree)
                .map(|(id, _)| id);
            let ours_bytes = match ch.new {
                Some(n) => Some(self.rewrite(&path, self.blob(n)?)),
                None => None,
            };
            let ours = match &ours_bytes {
                Some(b) => Some(
                    repo.write_blob(b)
                        .map_err(|e| StoreError::git("writing a file", e))?
                        .detach(),
                ),
                None => None,
            };
            if theirs == ours {
                continue;
            }
            let what = layout::ticket_of_path(&path)
                .map_or_else(|| path.clone(), |t| format!("ticket {t}"));
            if theirs == ch.old {
                match ours {
                    Some(id) => editor
                        .upsert(path.as_str(), EntryKind::Blob, id)
                        .map(|_| ()),
                    None => editor.remove(path.as_str()).map(|_| ()),
                }
                .map_err(|e| StoreError::git(format!("applying {path}"), e))?;
                continue;
            }
            match (ch.old, ours_bytes, theirs) {
                (Some(base), Some(ob), Some(t)) if path.ends_with(".yaml") => {
                    let tb = self.blob(t)?;
                    let Some(m) = yaml::merge_fields(&self.blob(base)?, &ob, &tb) else {
                        return Ok(Step::Dropped(format!("{path} changed on both sides and cannot be merged; your {op} (commit {short}) was not applied")));
                    };
                    let lost: Vec<_> = m
                        .conflicts
                        .iter()
                        .filter(|c| EXCLUSIVE_FIELDS.contains(&c.field.as_str()))
                        .collect();
                    if exclusive && !lost.is_empty() {
                        let reason = match lost.iter().find(|c| c.field == "assignee") {
                            Some(c) if c.theirs != "null" => format!(
                                "{what} was taken by {} first; your {} was not applied",
                                c.theirs,
                                describe(op)
                            ),
                            _ => format!(
                                "{what} was changed upstream first ({}); your {} was not applied",
                                lost.iter()
                                    .map(|c| format!("{} is now `{}`", c.field, c.theirs))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                describe(op)
                            ),
                        };
                        return Ok(Step::Dropped(reason));
                    }
                    for c in &m.conflicts {
                        notes.push(format!(
                            "{what}: {} kept the remote value `{}` (yours was `{}`)",
                            c.field, c.theirs, c.ours
                        ));
                    }
                    let id = repo
                        .write_blob(m.text.as_bytes())
                        .map_err(|e| StoreError::git("writing a file", e))?
                        .detach();
                    editor
                        .upsert(path.as_str(), EntryKind::Blob, id)
                        .map_err(|e| StoreError::git(format!("applying {path}"), e))?;
                }
                (Some(_), None, Some(_)) => {
                    return Ok(Step::Dropped(format!("{what} was changed upstream since; your {} (commit {short}) was not applied", describe(op))));
                }
                (Some(_), Some(_), None) => {
                    return Ok(Step::Dropped(format!(
                        "{what} was removed upstream; your {} (commit {short}) was not applied",
                        describe(op)
                    )));
                }
                _ => notes.push(format!(
                    "{path}: both sides wrote it; the remote version was kept (commit {short})"
                )),
            }
        }
        let present = IdMarks {
            last_ticket: cur.max_ticket_id()?.map_or(0, |t| t.get()),
            last_task: cur.max_task_id()?.map_or(0, |t| t.get()),
            ..Default::default()
        };
        if let Some(marks) = self.merged_marks(&list, marks_up, &present)? {
            let id = repo
                .write_blob(yaml::to_bytes(&marks))
                .map_err(|e| StoreError::git("writing a file", e))?
                .detach();
            editor
                .upsert(layout::IDS_FILE, EntryKind::Blob, id)
                .map_err(|e| StoreError::git(format!("applying {}", layout::IDS_FILE), e))?;
        }
        let tree = editor
            .write()
            .map_err(|e| StoreError::git("writing a tree", e))?
            .detach();
        Ok(Step::Applied {
            tree,
            notes,
            renumbered,
        })
    }

    /// `ids.yaml` after a local commit: never a conflict, the larger mark of both sides
    /// field by field (the local one after renumbering), and at least every id the commit
    /// creates. None when the upstream file stays as it is.
    fn merged_marks(
        &self,
        list: &[PathChange],
        upstream: Option<IdMarks>,
        present: &IdMarks,
    ) -> Result<Option<IdMarks>, OpError> {
        let mut ours = IdMarks::default();
        let mut touched = false;
        for ch in list {
            if ch.path == layout::IDS_FILE {
                touched = true;
                if let Some(n) = ch.new {
                    if let Ok(m) = yaml::parse::<IdMarks>(&ch.path, &self.blob(n)?) {
                        let map = |remap: &BTreeMap<u64, u64>, n: u64| {
                            remap.get(&n).copied().unwrap_or(n)
                        };
                        ours.last_ticket = ours.last_ticket.max(map(&self.remap, m.last_ticket));
                        ours.last_task = ours.last_task.max(map(&self.task_remap, m.last_task));
                    }
                }
            } else if ch.old.is_none() {
                let path = self.map_path(&ch.path);
                if path.ends_with("/ticket.yaml") {
                    if let Some(t) = layout::ticket_of_path(&path) {
                        ours.last_ticket = ours.last_ticket.max(t.get());
                    }
                } else if path.ends_with("/task.yaml") {
                    if let Some(t) = layout::task_of_path(&path) {
                        ours.last_task = ours.last_task.max(t.get());
                    }
                }
            }
        }
        let creates = ours.last_ticket > 0 || ours.last_task > 0;
        match upstream {
            Some(up) => {
                let merged = up.max(&ours);
                Ok((merged != up).then_some(merged))
            }
            None if touched || creates => Ok(Some(ours.max(present))),
            None => Ok(None),
        }
    }

    /// Content changes that follow a renumbering.
    fn rewrite(&self, path: &str, bytes: Vec<u8>) -> Vec<u8> {
        if self.remap.is_empty() && self.task_remap.is_empty() {
            return bytes;
        }
        let swap_ids = |s: &str| -> String {
            let mut s = s.to_owned();
            for (old, new) in &self.remap {
                s = s
                    .replace(&format!("<ticket-{old}."), &format!("<ticket-{new}."))
                    .replace(&format!("[#{old}]"), &format!("[#{new}]"));
            }
            s
        };
        if path.ends_with("/ticket.yaml") {
            if let (Some(t), Ok(mut tk)) = (
                layout::ticket_of_path(path),
                yaml::parse::<Ticket>(path, &bytes),
            ) {
                if tk.id != t {
                    tk.id = t;
                    return yaml::to_bytes(&tk);
                }
            }
        } else if path.starts_with(layout::OUTBOX_DIR) {
            if let Ok(mut m) = yaml::parse::<OutMail>(path, &bytes) {
                if let Some(t) = m.ticket.and_then(|t| self.remap.get(&t.get()).copied()) {
                    m.ticket = TicketId::new(t).ok();
                    m.subject = swap_ids(&m.subject);
                    m.message_id = swap_ids(&m.message_id);
                    m.attachments = m.attachments.iter().map(|a| self.map_path(a)).collect();
                    return yaml::to_bytes(&m);
                }
            }
        } else if path.ends_with("/task.yaml") {
            if let Ok(mut task) = yaml::parse::<Task>(path, &bytes) {
                let before = (task.id, task.tickets.clone());
                if let Some(t) = layout::task_of_path(path) {
                    task.id = t;
                }
                task.tickets = task
                    .tickets
                    .iter()
                    .map(|t| {
                        self.remap
                            .get(&t.get())
                            .and_then(|n| TicketId::new(*n).ok())
                            .unwrap_or(*t)
                    })
                    .collect();
                if (task.id, task.tickets.clone()) != before {
                    return yaml::to_bytes(&task);
                }
            }
        } else if path.contains("/messages/") && layout::ticket_of_path(path).is_some() {
            let text = String::from_utf8_lossy(&bytes);
            let swapped = swap_ids(&text);
            if swapped != text {
                return swapped.into_bytes();
            }
        }
        bytes
    }

    fn rewrite_message(&self, message: &str, renumbered: &[(Renumbered, u64, u64)]) -> String {
        let mut out: Vec<String> = Vec::new();
        for line in message.lines() {
            let mut l = line.to_owned();
            if let Some(v) = l.strip_prefix(&format!("{}: ", commit::TRAILER_TASK)) {
                if let Some(new) = v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| self.task_remap.get(&n))
                {
                    l = format!("{}: {new}", commit::TRAILER_TASK);
                }
            } else if let Some(v) = l.strip_prefix(&format!("{}: ", commit::TRAILER_TICKET)) {
                if let Some(new) = v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| self.remap.get(&n))
                {
                    l = format!("{}: {new}", commit::TRAILER_TICKET);
                }
            } else if out.is_empty() {
                for (old, new) in &self.remap {
                    l = l.replace(&format!("ticket {old}:"), &format!("ticket {new}:"));
                }
                for (old, new) in &self.task_remap {
                    l = l.replace(&format!("task {old}:"), &format!("task {new}:"));
                }
            }
            out.push(l);
        }
        let mut text = out.join("\n");
        text.push('\n');
        for (kind, old, new) in renumbered {
            let what = match kind {
                Renumbered::Ticket => "",
                Renumbered::Task => "task ",
            };
            text.push_str(&format!("Desk-Renumbered: {what}{old} -> {new}\n"));
        }
        text
    }
}

/// The act a dropped commit did, as the note about it names it.
fn describe(op: &RecordedOp) -> String {
    op.known()
        .and_then(Op::describe)
        .map_or_else(|| format!("`{op}`"), str::to_owned)
}

/// Ticket reads on a tree, for callers that only have ids.
pub fn ticket_at(
    repo: &gix::Repository,
    tree: ObjectId,
    id: TicketId,
) -> Result<Option<Ticket>, OpError> {
    Ok(TreeSource::new(repo.clone(), tree).ticket(id)?)
}
