//! `verify [RANGE]` and the pre-receive hook: replays history and checks every commit
//! against the permissions in force at its parent.
//!
//! The actor of a commit is its author, mapped by e-mail to a staff member of the parent's
//! tree (a `Desk-Actor` trailer that names someone else is itself a violation). What each
//! path needs:
//! - `desk.yaml`, `site-templates/…`: `settings.admin`;
//! - `staff/…`: `staff.admin` (and only a main admin makes or edits a main admin), except a
//!   technician editing their own profile fields (name, e-mail, signature, signing key);
//! - `queues/…`: `queues.admin`; `accounts/…`: `staff.admin`; `resellers/…`:
//!   `staff.admin` or `settings.admin` (prices); `kb/…`: `kb.admin`; `replies/…` and
//!   `macros/…`: `replies.admin`;
//! - `tasks/…`: `tasks.admin`, or `tasks.use` for one's own tasks and notes;
//! - `inbox/<owner>/…`: a new message needs `messages.use` and `from` = the actor; changing
//!   (marking read) or deleting one is for the owner only, except sealing a clear-text
//!   message in place with its routing unchanged (`msg encrypt --all`), which `staff.admin`
//!   may do;
//! - `tickets/<id>/…`: the actor must see the ticket (queue entitlement or assignment, as
//!   of the parent); message files are immutable and answers/notes must be written as the
//!   actor; removing a ticket needs `tickets.delete` (or `tickets.merge`); assigning to
//!   someone else needs `tickets.assign_others`; a `ticket.mass` commit needs `tickets.mass`.
//!
//! The root commit (the desk's creation) and merge commits are not checked themselves; the
//! commits a merge brings in are. Outbox files and other paths are free. Commits of the mail
//! system (authored by the support address) follow their own rules, in `ops::mail::verify`.

use std::collections::BTreeSet;

use gix::ObjectId;
use serde::Serialize;

use crate::model::{
    IdMarks, Message, MessageKind, Op, Permission, PrivateMessage, Staff, Task, Ticket,
};
use crate::store::diff::{changes, tree_of, PathChange};
use crate::store::{commit, layout, parse_trailers, yaml, Desk, DeskRead, StoreError, TreeSource};

use super::error::Result;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Violation {
    pub commit: String,
    pub actor: String,
    pub subject: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct VerifyReport {
    pub commits: usize,
    pub violations: Vec<Violation>,
}

#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Every commit must carry an SSH signature made with its actor's `signing_key`.
    pub require_signed: bool,
}

/// Checks the commits of `range`: `A..B` (reachable from B, not from A), or a single
/// revision (everything reachable from it). Default: HEAD.
pub fn verify(desk: &Desk, range: Option<&str>, opts: &VerifyOptions) -> Result<VerifyReport> {
    let repo = desk
        .repo()
        .ok_or_else(|| StoreError::ReadOnly(desk.root().to_path_buf()))?;
    let range = range.unwrap_or("HEAD");
    let (hidden, tip) = match range.split_once("..") {
        Some((a, b)) => (
            Some(resolve(repo, a)?),
            resolve(repo, if b.is_empty() { "HEAD" } else { b })?,
        ),
        None => (None, resolve(repo, range)?),
    };
    verify_commits(repo, tip, hidden.into_iter().collect(), opts)
}

fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId> {
    Ok(repo
        .rev_parse_single(rev)
        .map_err(|e| StoreError::git(format!("resolving `{rev}`"), e))?
        .detach())
}

/// Checks every commit reachable from `tip` and not from `hidden`, oldest first.
pub fn verify_commits(
    repo: &gix::Repository,
    tip: ObjectId,
    hidden: Vec<ObjectId>,
    opts: &VerifyOptions,
) -> Result<VerifyReport> {
    let walk = repo
        .rev_walk([tip])
        .with_hidden(hidden)
        .all()
        .map_err(|e| StoreError::git("walking history", e))?;
    let mut ids = Vec::new();
    for info in walk {
        let info = info.map_err(|e| StoreError::git("walking history", e))?;
        ids.push((info.id, info.parent_ids.to_vec()));
    }
    ids.reverse();
    let mut report = VerifyReport::default();
    for (id, parents) in ids {
        report.commits += 1;
        if parents.len() != 1 {
            continue;
        }
        report
            .violations
            .extend(check_commit(repo, id, parents[0], opts)?);
    }
    Ok(report)
}

struct CommitCheck<'a> {
    id: ObjectId,
    op: Option<Op>,
    /// The custom fields declared in the commit's own `desk.yaml`.
    fields: Vec<crate::model::FieldDef>,
    /// Blobs the commit adds under `tickets/`: a message or attachment removed from one
    /// ticket and added unchanged to another was moved (`ticket split`), not rewritten.
    moved_in: BTreeSet<ObjectId>,
    subject: String,
    actor_name: String,
    out: &'a mut Vec<Violation>,
}

impl CommitCheck<'_> {
    fn flag(&mut self, reason: impl Into<String>) {
        self.out.push(Violation {
            commit: self.id.to_string(),
            actor: self.actor_name.clone(),
            subject: self.subject.clone(),
            reason: reason.into(),
        });
    }
    fn need(&mut self, me: &Staff, p: Permission, what: &str) {
        if !me.has(p) {
            self.flag(format!(
                "{what} needs `{p}`, which {} does not hold",
                me.login
            ));
        }
    }
}

fn check_commit(
    repo: &gix::Repository,
    id: ObjectId,
    parent: ObjectId,
    opts: &VerifyOptions,
) -> Result<Vec<Violation>> {
    let c = repo
        .find_commit(id)
        .map_err(|e| StoreError::git("reading a commit", e))?;
    let message = c.message_raw_sloppy().to_string();
    let author = c
        .author()
        .map_err(|e| StoreError::git("reading a commit", e))?;
    let email = author.email.to_string();
    let trailers = parse_trailers(&message);
    let op = commit::desk_op(&trailers);
    let claimed = trailers
        .iter()
        .find(|(k, _)| k == commit::TRAILER_ACTOR)
        .map(|(_, v)| v.clone());
    let before = TreeSource::new(repo.clone(), tree_of(repo, parent)?);
    let after = TreeSource::new(repo.clone(), tree_of(repo, id)?);

    let mut out = Vec::new();
    let staff = before.all_staff()?.items;
    // A staff member with no e-mail yet commits as `<login>@desk.invalid` (see
    // `Identity::of`), e.g. when filling in their own profile.
    let placeholder = email.strip_suffix("@desk.invalid");
    let me = staff
        .iter()
        .find(|s| s.email.as_ref().is_some_and(|e| e.same_as(&email)))
        .or_else(|| {
            staff
                .iter()
                .find(|s| s.email.is_none() && Some(s.login.as_str()) == placeholder)
        })
        .cloned();
    let mut ck = CommitCheck {
        id,
        op: op.as_ref().and_then(|o| o.known()),
        fields: after.settings().map(|s| s.fields).unwrap_or_default(),
        moved_in: BTreeSet::new(),
        subject: super::log::public_subject(op.as_ref(), message.lines().next().unwrap_or("")),
        actor_name: me
            .as_ref()
            .map_or_else(|| format!("<{email}>"), |s| s.login.to_string()),
        out: &mut out,
    };
    let Some(me) = me else {
        let settings = before.settings().ok();
        if super::mail::verify::is_mail_commit(
            settings.as_ref(),
            &email,
            claimed.as_deref(),
            op.as_ref(),
        ) {
            if opts.require_signed {
                if let Err(reason) = super::signature::check_any(&c, &staff) {
                    ck.flag(reason);
                }
            }
            for ch in changes(repo, before.tree_id(), after.tree_id())? {
                if let Some(why) = super::mail::verify::violation(repo, &ch) {
                    ck.flag(why);
                }
            }
            return Ok(out);
        }
        ck.flag(format!("the author <{email}> is not a staff member"));
        return Ok(out);
    };
    if let Some(other) = staff
        .iter()
        .find(|s| s.login != me.login && s.email.as_ref().is_some_and(|e| e.same_as(&email)))
    {
        ck.flag(format!(
            "the author <{email}> is the e-mail of both {} and {}; the actor cannot be told",
            me.login, other.login
        ));
        return Ok(out);
    }
    if !me.active {
        ck.flag(format!("{} is not an active staff member", me.login));
    }
    if let Some(claimed) = claimed.filter(|c| c != me.login.as_str()) {
        ck.flag(format!(
            "the commit says Desk-Actor: {claimed}, but its author is {}",
            me.login
        ));
    }
    if opts.require_signed {
        if let Err(reason) = super::signature::check(&c, &me) {
            ck.flag(reason);
        }
    }
    if op.as_ref().is_some_and(|o| o.is(Op::TicketMass)) {
        ck.need(&me, Permission::TicketsMass, "a mass action");
    }
    let list = changes(repo, before.tree_id(), after.tree_id())?;
    ck.moved_in = list
        .iter()
        .filter(|c| c.old.is_none() && c.path.starts_with("tickets/"))
        .filter_map(|c| c.new)
        .collect();
    let settings = before.settings().ok();
    let removed_tickets: BTreeSet<u64> = list
        .iter()
        .filter(|c| c.new.is_none() && c.path.ends_with("/ticket.yaml"))
        .filter_map(|c| layout::ticket_of_path(&c.path).map(|t| t.get()))
        .collect();
    // A merge moves message files between tickets unchanged: such a file is not newly
    // written by this author.
    let moved_messages: BTreeSet<ObjectId> = list
        .iter()
        .filter(|c| c.new.is_none() && c.path.contains("/messages/"))
        .filter_map(|c| c.old)
        .collect();
    // Tickets given a customer message in this commit: a reply unassigns a ticket that is
    // not sticky, whoever records it (`ticket reply`).
    let replied: BTreeSet<u64> = list
        .iter()
        .filter(|c| c.old.is_none() && c.path.contains("/messages/"))
        .filter(|c| {
            blob::<Message>(repo, &c.path, c.new).is_some_and(|m| m.kind == MessageKind::Customer)
        })
        .filter_map(|c| layout::ticket_of_path(&c.path).map(|t| t.get()))
        .collect();
    let mut seen_tickets = BTreeSet::new();
    for ch in &list {
        if ch.old.is_none() && ch.new.is_some_and(|n| moved_messages.contains(&n)) {
            continue;
        }
        check_path(
            &mut ck,
            repo,
            &me,
            &before,
            settings.as_ref(),
            ch,
            &removed_tickets,
            &replied,
            &mut seen_tickets,
        )?;
    }
    Ok(out)
}

fn blob<T: serde::de::DeserializeOwned + serde::Serialize + crate::model::Document>(
    repo: &gix::Repository,
    path: &str,
    id: Option<ObjectId>,
) -> Option<T> {
    let id = id?;
    let data = repo.find_blob(id).ok()?.detach().data;
    yaml::parse(path, &data).ok()
}

/// A ticket file as written by a commit, or why it is not a valid one (a malformed file,
/// a bad tag): every commit must leave tickets that `check` accepts.
fn ticket_blob(
    repo: &gix::Repository,
    path: &str,
    id: Option<ObjectId>,
) -> std::result::Result<Ticket, String> {
    let data = id
        .and_then(|id| repo.find_blob(id).ok())
        .map(|b| b.detach().data)
        .ok_or_else(|| format!("{path}: cannot be read"))?;
    yaml::parse(path, &data).map_err(|e| e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn check_path(
    ck: &mut CommitCheck<'_>,
    repo: &gix::Repository,
    me: &Staff,
    before: &TreeSource,
    settings: Option<&crate::model::Settings>,
    ch: &PathChange,
    removed_tickets: &BTreeSet<u64>,
    replied: &BTreeSet<u64>,
    seen_tickets: &mut BTreeSet<u64>,
) -> Result<()> {
    let path = ch.path.as_str();
    let top = path.split('/').next().unwrap_or("");
    match top {
        "desk.yaml" | "site-templates" => {
            ck.need(me, Permission::SettingsAdmin, &format!("changing {path}"))
        }
        layout::QUEUES_DIR => ck.need(me, Permission::QueuesAdmin, &format!("changing {path}")),
        layout::ACCOUNTS_DIR => ck.need(me, Permission::StaffAdmin, &format!("changing {path}")),
        layout::RESELLERS_DIR
            if !me.has(Permission::StaffAdmin) && !me.has(Permission::SettingsAdmin) =>
        {
            ck.flag(format!("changing {path} needs `staff.admin` or `settings.admin`, which {} holds neither of", me.login));
        }
        layout::KB_DIR => ck.need(me, Permission::KbAdmin, &format!("changing {path}")),
        layout::REPLIES_DIR | layout::MACROS_DIR => {
            ck.need(me, Permission::RepliesAdmin, &format!("changing {path}"))
        }
        layout::STAFF_DIR => check_staff(ck, repo, me, ch),
        layout::TASKS_DIR => {
            let old: Option<Task> = if path.ends_with("/task.yaml") {
                blob(repo, path, ch.old)
            } else {
                None
            };
            let new: Option<Task> = if path.ends_with("/task.yaml") {
                blob(repo, path, ch.new)
            } else {
                None
            };
            let own = [&old, &new]
                .iter()
                .all(|t| t.as_ref().is_none_or(|t| t.assignee == me.login));
            if path.ends_with("/task.yaml") && own && ch.new.is_some() {
                ck.need(
                    me,
                    Permission::TasksUse,
                    &format!("changing own task {path}"),
                );
            } else if path.contains("/notes/") && ch.old.is_none() {
                if !me.has(Permission::TasksUse) && !me.has(Permission::TasksAdmin) {
                    ck.flag(format!(
                        "adding a task note needs `tasks.use`, which {} does not hold",
                        me.login
                    ));
                }
            } else {
                ck.need(me, Permission::TasksAdmin, &format!("changing {path}"));
            }
        }
        layout::INBOX_DIR => {
            let owner = path.split('/').nth(1).unwrap_or("");
            if ch.old.is_none() {
                ck.need(me, Permission::MessagesUse, "sending a private message");
                let pm: Option<PrivateMessage> = blob(repo, path, ch.new);
                if pm.is_some_and(|m| m.from != me.login) {
                    ck.flag(format!(
                        "{path} claims to be from someone other than {}",
                        me.login
                    ));
                }
            } else if owner != me.login.as_str() {
                let old: Option<PrivateMessage> = blob(repo, path, ch.old);
                let new: Option<PrivateMessage> = blob(repo, path, ch.new);
                if sealed_in_place(old.as_ref(), new.as_ref()) {
                    // `msg encrypt --all`: the ciphertext cannot be checked against the
                    // clear text it replaces, so only staff admins may do it.
                    ck.need(
                        me,
                        Permission::StaffAdmin,
                        &format!("encrypting {path} in {owner}'s inbox"),
                    );
                } else {
                    ck.flag(format!(
                        "{} changed or deleted {path} in {owner}'s inbox",
                        me.login
                    ));
                }
            }
        }
        layout::TICKETS_DIR => {
            let Some(tid) = layout::ticket_of_path(path) else {
                return Ok(());
            };
            let old_ticket = before.ticket(tid).ok().flatten();
            if seen_tickets.insert(tid.get()) {
                if let (Some(t), Some(s)) = (&old_ticket, settings) {
                    if !super::actor::can_see(me, t, s) {
                        ck.flag(format!("ticket {tid} is in queue `{}`, which {} is not entitled to, and not assigned to them", t.queue, me.login));
                    }
                }
            }
            let removing = removed_tickets.contains(&tid.get())
                || (ch.new.is_none() && ch.old.is_some_and(|o| ck.moved_in.contains(&o)));
            if path.ends_with("/ticket.yaml") {
                match (ch.old, ch.new) {
                    (Some(_), None)
                        if !me.has(Permission::TicketsDelete)
                            && !me.has(Permission::TicketsMerge) =>
                    {
                        ck.flag(format!("removing ticket {tid} needs `tickets.delete` (or `tickets.merge`), which {} does not hold", me.login));
                    }
                    (_, Some(_)) => {
                        let new = match ticket_blob(repo, path, ch.new) {
                            Ok(t) => t,
                            Err(problem) => {
                                ck.flag(problem);
                                return Ok(());
                            }
                        };
                        if let Some(problem) = new.tag_problem() {
                            ck.flag(format!("{path}: {problem}"));
                        }
                        let old_assignee = old_ticket.as_ref().and_then(|t| t.assignee.clone());
                        let writes_fields = match ck.op {
                            Some(Op::TicketNew) => true,
                            Some(Op::TicketEdit) => {
                                old_ticket.as_ref().is_none_or(|o| o.fields != new.fields)
                            }
                            _ => false,
                        };
                        for p in crate::model::field::commit_problems(
                            &ck.fields,
                            old_ticket.as_ref(),
                            &new,
                            writes_fields,
                        ) {
                            ck.flag(format!("ticket {tid}: {p}"));
                        }
                        match (old_assignee, new.assignee) {
                            (o, n) if o == n => {}
                            (_, Some(a)) if a != me.login => ck.need(
                                me,
                                Permission::TicketsAssignOthers,
                                &format!("assigning ticket {tid} to {a}"),
                            ),
                            // Taking a colleague's ticket, or releasing it, like the CLI
                            // (a customer reply unassigns it without that).
                            (Some(o), n)
                                if o != me.login
                                    && !(n.is_none() && replied.contains(&tid.get())) =>
                            {
                                ck.need(
                                    me,
                                    Permission::TicketsAssignOthers,
                                    &format!("taking ticket {tid} from {o}"),
                                )
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            } else if path.contains("/messages/") {
                if ch.old.is_some() && !removing {
                    ck.flag(format!(
                        "{path} was changed or removed: message files are immutable"
                    ));
                }
                if ch.old.is_none() {
                    let m: Option<Message> = blob(repo, path, ch.new);
                    if let Some(m) = m {
                        if matches!(m.kind, MessageKind::Answer | MessageKind::Note)
                            && m.author != me.login.as_str()
                        {
                            ck.flag(format!(
                                "{path} is a {} written as `{}` by {}",
                                m.kind, m.author, me.login
                            ));
                        }
                    }
                }
            } else if path.contains("/files/") && ch.old.is_some() && !removing {
                ck.flag(format!(
                    "{path} was changed or removed: attachments are immutable"
                ));
            }
        }
        // Creating a ticket or task raises the marks; lowering them would hand ids out twice.
        layout::IDS_FILE => {
            let old: Option<IdMarks> = blob(repo, path, ch.old);
            let new: Option<IdMarks> = blob(repo, path, ch.new);
            let lowered = match (&old, &new) {
                (Some(o), Some(n)) => n.last_ticket < o.last_ticket || n.last_task < o.last_task,
                (Some(_), None) => true,
                _ => false,
            };
            if lowered {
                ck.need(
                    me,
                    Permission::SettingsAdmin,
                    &format!("lowering the id marks in {path}"),
                );
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_staff(ck: &mut CommitCheck<'_>, repo: &gix::Repository, me: &Staff, ch: &PathChange) {
    let path = ch.path.as_str();
    let old: Option<Staff> = blob(repo, path, ch.old);
    let new: Option<Staff> = blob(repo, path, ch.new);
    let makes_main =
        new.as_ref().is_some_and(|s| s.is_main()) || old.as_ref().is_some_and(|s| s.is_main());
    if makes_main && !me.is_main() {
        ck.flag(format!(
            "{} changed the main admin {path}; only main admins can",
            me.login
        ));
        return;
    }
    // "My Profile": one's own name, e-mail, signature and signing key.
    if let (Some(o), Some(n)) = (&old, &new) {
        if o.login == me.login
            && n.login == o.login
            && n.role == o.role
            && n.active == o.active
            && n.permissions == o.permissions
            && n.queues == o.queues
        {
            return;
        }
    }
    ck.need(me, Permission::StaffAdmin, &format!("changing {path}"));
}

/// A clear-text private message replaced by a sealed one with the same routing and read flag
/// (what `msg encrypt` writes).
fn sealed_in_place(old: Option<&PrivateMessage>, new: Option<&PrivateMessage>) -> bool {
    use crate::model::PmContent;
    let (Some(o), Some(n)) = (old, new) else {
        return false;
    };
    matches!(o.content(), PmContent::Clear { .. })
        && matches!(n.content(), PmContent::Sealed(_))
        && (&o.from, &o.to, o.at, o.read) == (&n.from, &n.to, n.at, n.read)
}
