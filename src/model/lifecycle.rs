//! The life of a ticket as pure rules: an [`Action`] applied to a [`Ticket`] at a moment
//! gives the next ticket, or a [`Refusal`] saying why that step is not allowed (closing a
//! closed ticket, answering one assigned to somebody else, …). Permissions, visibility and
//! files are the operations' business; here is only what the ticket itself allows.
//!
//! Status rules:
//! - a customer message reopens an `answered`, `resolved` or `closed` ticket (`new` stays
//!   `new`) and unassigns it unless it is sticky;
//! - an answer sets `answered_at` (and `first_answered_at` once); with `auto_close_days` 0 it
//!   closes the ticket at once (closed by the answering technician), otherwise the ticket is
//!   `answered` (N days: [`autoclose_due`] closes it later; -1: never closed automatically);
//! - assigning somebody to a `new` ticket makes it `open`;
//! - closing and resolving record `closed_at`/`closed_by`; reopening clears them;
//! - a snoozed ticket (`snoozed_until`) wakes when the time has come or when the customer
//!   writes.

use std::collections::BTreeMap;
use std::fmt;

use super::{AutoClose, Email, Login, Priority, Slug, Status, Tag, Ticket, Timestamp};

/// One step in a ticket's life.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// "Edit Ticket Details": a new title (already checked with `Ticket::check_title`).
    Retitle(String),
    /// "Edit Ticket Details": a new reply address.
    SetEmail(Email),
    /// Copy this address on answers (`ticket edit --cc`); the customer's own address and
    /// one already there are refused.
    AddCc(Email),
    /// Stop copying this address (`ticket edit --remove-cc`).
    RemoveCc(Email),
    /// "Change User": a new owner account, or none.
    SetAccount(Option<Login>),
    /// Move to another queue.
    MoveTo(Slug),
    SetPriority(Priority),
    SetSticky(bool),
    /// Set the status directly (`ticket edit --status`, `ticket assign --status`); `by` is
    /// recorded when the ticket is closed or resolved this way.
    SetStatus {
        to: Status,
        by: Login,
    },
    /// Give the ticket to a technician, or to nobody.
    Assign(Option<Login>),
    /// Assign to oneself; refused when somebody else has it.
    Pickup(Login),
    /// Back to nobody ("New Unassigned").
    Release,
    /// An answer e-mailed to the customer by `by`, who must have the ticket.
    Answer {
        by: Login,
        auto_close: AutoClose,
    },
    /// An internal note.
    Note,
    /// A message from the customer.
    CustomerMessage,
    /// Close by a technician, or `autoclose`.
    Close {
        by: String,
    },
    Resolve {
        by: Login,
    },
    Reopen,
    /// Close by the auto-close policy, if the ticket is due.
    AutoClose {
        policy: AutoClose,
    },
    /// Merge: take over the provenance of another ticket whose messages move here.
    Absorb(Box<Ticket>),
    /// Add and remove tags (`ticket tag ID +a -b`); the result is sorted and unique.
    Tag {
        add: Vec<Tag>,
        remove: Vec<Tag>,
    },
    /// New custom field values (already checked against `desk.yaml`'s declarations).
    SetFields(BTreeMap<Slug, String>),
    /// Hide from the working lists until then (`None`: wake now). Snoozing a resolved or
    /// closed ticket, or to a time not after `now`, is refused.
    Snooze(Option<Timestamp>),
    /// The snooze ran out (`autoclose`'s pass): refused when the ticket is not due.
    Wake,
}

/// Why a step is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("is already {0}")]
    Already(Status),
    #[error("is closed; reopen it first")]
    Closed,
    #[error("is {0}; only an answered, resolved or closed ticket can be reopened")]
    NotReopenable(Status),
    #[error("is not assigned to {by} but to {}; pick it up or have it assigned first", who.as_ref().map_or("nobody", |w| w.as_str()))]
    NotAssignedTo { by: Login, who: Option<Login> },
    #[error("is already assigned to {0}; reassigning it needs `ticket assign`")]
    AssignedToOther(Login),
    #[error("is already assigned to {0}")]
    AlreadyAssignedTo(Login),
    #[error("is not assigned to anyone")]
    NotAssigned,
    #[error("has never been answered, so it cannot be `answered`")]
    NeverAnswered,
    #[error("has been answered, so it cannot be `new` again")]
    NotNew,
    #[error("would not change: nothing to do")]
    NothingToChange,
    #[error("does not copy {0} (it is not in the ticket's cc)")]
    NotCc(Email),
    #[error("cannot be merged into itself")]
    MergeSelf,
    #[error("would have {0} tags; at most {max} are kept", max = super::ticket::MAX_TAGS)]
    TooManyTags(usize),
    #[error("is not due for auto-close")]
    NotDue,
    #[error("is {0}; only a ticket still being worked can be snoozed")]
    SnoozeDone(Status),
    #[error("is not snoozed")]
    NotSnoozed,
    #[error("is snoozed until {0}, which is not yet")]
    NotDueToWake(Timestamp),
    #[error("cannot be snoozed until {until}: that is not after now ({now})")]
    SnoozeInPast { until: Timestamp, now: Timestamp },
    /// The clock (a skewed system clock, or `GIT_DESK_NOW`) is before the ticket's creation:
    /// stamping it would write a time `check` rejects.
    #[error("was created at {created_at}, after the time given ({now}); check the system clock or GIT_DESK_NOW")]
    BeforeCreation {
        created_at: Timestamp,
        now: Timestamp,
    },
}

/// Applies one action. The result has `updated_at = now` when anything changed.
pub fn apply(ticket: &Ticket, action: &Action, now: Timestamp) -> Result<Ticket, Refusal> {
    if now < ticket.created_at {
        return Err(Refusal::BeforeCreation {
            created_at: ticket.created_at,
            now,
        });
    }
    let mut t = ticket.clone();
    match action {
        Action::Retitle(title) => t.title = title.clone(),
        Action::SetEmail(e) => {
            t.email = e.clone();
            t.cc.retain(|c| !c.as_str().eq_ignore_ascii_case(e.as_str()));
        }
        Action::AddCc(e) => {
            if t.involves(e.as_str()) {
                return Err(Refusal::NothingToChange);
            }
            t.cc.push(e.clone());
        }
        Action::RemoveCc(e) => {
            let before = t.cc.len();
            t.cc.retain(|c| !c.as_str().eq_ignore_ascii_case(e.as_str()));
            if t.cc.len() == before {
                return Err(Refusal::NotCc(e.clone()));
            }
        }
        Action::SetAccount(a) => t.account = a.clone(),
        Action::MoveTo(q) => t.queue = q.clone(),
        Action::SetPriority(p) => t.priority = *p,
        Action::SetSticky(s) => t.sticky = *s,
        Action::SetStatus { to, by } => set_status(&mut t, *to, by.as_str(), now)?,
        Action::Assign(who) => {
            t.assignee = who.clone();
            if who.is_some() && t.status == Status::New {
                t.status = Status::Open;
            }
        }
        Action::Pickup(by) => match &t.assignee {
            Some(a) if a == by => return Err(Refusal::AlreadyAssignedTo(by.clone())),
            Some(a) => return Err(Refusal::AssignedToOther(a.clone())),
            None => {
                t.assignee = Some(by.clone());
                if t.status == Status::New {
                    t.status = Status::Open;
                }
            }
        },
        Action::Release => {
            if t.assignee.take().is_none() {
                return Err(Refusal::NotAssigned);
            }
        }
        Action::Answer { by, auto_close } => {
            if !t.is_assigned_to(by) {
                return Err(Refusal::NotAssignedTo {
                    by: by.clone(),
                    who: t.assignee.clone(),
                });
            }
            t.first_answered_at.get_or_insert(now);
            t.answered_at = Some(now);
            if auto_close.immediately() {
                finish(&mut t, Status::Closed, by.as_str(), now);
            } else {
                reopen(&mut t, Status::Answered);
            }
        }
        Action::Note => {}
        Action::CustomerMessage => {
            // The customer wrote: the ticket is back in the working lists.
            t.end_snooze(now);
            if matches!(
                t.status,
                Status::Answered | Status::Resolved | Status::Closed
            ) {
                reopen(&mut t, Status::Open);
            }
            if !t.sticky {
                t.assignee = None;
            }
        }
        Action::Close { by } => {
            if t.status == Status::Closed {
                return Err(Refusal::Already(Status::Closed));
            }
            finish(&mut t, Status::Closed, by, now);
        }
        Action::Resolve { by } => match t.status {
            Status::Resolved => return Err(Refusal::Already(Status::Resolved)),
            Status::Closed => return Err(Refusal::Closed),
            _ => finish(&mut t, Status::Resolved, by.as_str(), now),
        },
        Action::Reopen => match t.status {
            Status::Answered | Status::Resolved | Status::Closed => reopen(&mut t, Status::Open),
            s => return Err(Refusal::NotReopenable(s)),
        },
        Action::AutoClose { policy } => {
            if !autoclose_due(&t, *policy, now) {
                return Err(Refusal::NotDue);
            }
            finish(&mut t, Status::Closed, AUTOCLOSE, now);
        }
        Action::Tag { add, remove } => {
            t.tags.retain(|x| !remove.contains(x));
            t.tags.extend(add.iter().cloned());
            t.tags.sort();
            t.tags.dedup();
            if t.tags.len() > super::ticket::MAX_TAGS {
                return Err(Refusal::TooManyTags(t.tags.len()));
            }
        }
        Action::Absorb(from) => {
            if from.id == t.id {
                return Err(Refusal::MergeSelf);
            }
            for id in from.merged_from.iter().chain([&from.id]) {
                if !t.merged_from.contains(id) {
                    t.merged_from.push(*id);
                }
            }
            if t.first_answered_at.is_none() {
                t.first_answered_at = from.first_answered_at;
            }
            if t.answered_at.is_none() {
                t.answered_at = from.answered_at;
            }
            if t.status.is_done() && !from.status.is_done() {
                reopen(&mut t, Status::Open);
            }
            // The merge itself is a change even when no field moved.
            t.updated_at = now;
            return Ok(t);
        }
        Action::SetFields(values) => t.fields = values.clone(),
        Action::Snooze(until) => match until {
            None if t.snoozed_until.is_none() => return Err(Refusal::NotSnoozed),
            None => t.end_snooze(now),
            Some(_) if t.status.is_done() => return Err(Refusal::SnoozeDone(t.status)),
            Some(u) if *u <= now => {
                return Err(Refusal::SnoozeInPast { until: *u, now });
            }
            Some(u) => {
                // Snoozed again while snoozed: the pause still began the first time; a
                // snooze that already ran out (not yet woken) ended then.
                if t.snoozed_until.is_some_and(|old| old <= now) {
                    t.end_snooze(now);
                }
                if t.snoozed_until.is_none() {
                    t.snoozed_at = Some(now);
                }
                t.snoozed_until = Some(*u);
            }
        },
        Action::Wake => match t.snoozed_until {
            None => return Err(Refusal::NotSnoozed),
            Some(u) if u > now => return Err(Refusal::NotDueToWake(u)),
            Some(_) => t.end_snooze(now),
        },
    }
    if t != *ticket || matches!(action, Action::Note | Action::CustomerMessage) {
        t.updated_at = now;
    }
    Ok(t)
}

/// Applies several actions in order; refuses when together they change nothing.
pub fn apply_all(ticket: &Ticket, actions: &[Action], now: Timestamp) -> Result<Ticket, Refusal> {
    let mut t = ticket.clone();
    for a in actions {
        t = apply(&t, a, now)?;
    }
    if t == *ticket {
        return Err(Refusal::NothingToChange);
    }
    Ok(t)
}

/// The `closed_by` of tickets closed by the auto-close policy.
pub const AUTOCLOSE: &str = "autoclose";

/// Whether the auto-close policy closes this ticket now: it is `answered` (no customer
/// message since the answer) and the answer is more than `policy` days old. With policy 0
/// every answered ticket is due (answers close at once; this catches tickets answered while
/// the policy was longer); with -1 none is.
pub fn autoclose_due(t: &Ticket, policy: AutoClose, now: Timestamp) -> bool {
    if t.status != Status::Answered || policy.never() {
        return false;
    }
    match t.answered_at {
        Some(at) => policy.immediately() || now.seconds_since(at) > policy.days() * 86_400,
        None => false,
    }
}

fn finish(t: &mut Ticket, status: Status, by: &str, now: Timestamp) {
    t.status = status;
    t.closed_at = Some(now);
    t.closed_by = Some(by.to_owned());
}

fn reopen(t: &mut Ticket, status: Status) {
    t.status = status;
    t.closed_at = None;
    t.closed_by = None;
}

fn set_status(t: &mut Ticket, to: Status, by: &str, now: Timestamp) -> Result<(), Refusal> {
    if t.status == to {
        return Ok(());
    }
    match to {
        Status::New if t.first_answered_at.is_some() => return Err(Refusal::NotNew),
        Status::Answered if t.answered_at.is_none() => return Err(Refusal::NeverAnswered),
        Status::Resolved | Status::Closed => finish(t, to, by, now),
        _ => reopen(t, to),
    }
    Ok(())
}

/// One changed field, for commit subjects and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub value: String,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.value)
    }
}

/// The fields a person sets that differ between `before` and `after`, in a fixed order.
pub fn changes(before: &Ticket, after: &Ticket) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut push = |field, changed: bool, value: String| {
        if changed {
            out.push(FieldChange { field, value });
        }
    };
    let opt = |o: &Option<Login>, none: &str| o.as_ref().map_or(none.to_owned(), Login::to_string);
    push(
        "assignee",
        before.assignee != after.assignee,
        opt(&after.assignee, "nobody"),
    );
    push(
        "status",
        before.status != after.status,
        after.status.to_string(),
    );
    push(
        "priority",
        before.priority != after.priority,
        after.priority.to_string(),
    );
    push(
        "sticky",
        before.sticky != after.sticky,
        if after.sticky { "on" } else { "off" }.into(),
    );
    push(
        "queue",
        before.queue != after.queue,
        after.queue.to_string(),
    );
    push(
        "title",
        before.title != after.title,
        format!("\"{}\"", short_title(&after.title)),
    );
    push(
        "e-mail",
        before.email != after.email,
        after.email.to_string(),
    );
    push(
        "cc",
        before.cc != after.cc,
        if after.cc.is_empty() {
            "none".into()
        } else {
            after
                .cc
                .iter()
                .map(Email::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    push(
        "account",
        before.account != after.account,
        opt(&after.account, "none"),
    );
    push(
        "tags",
        before.tags != after.tags,
        tag_changes(before, after),
    );
    for (name, value) in &after.fields {
        if before.fields.get(name) != Some(value) {
            out.push(FieldChange {
                field: "field",
                value: format!("{name}={}", short_title(value)),
            });
        }
    }
    for name in before.fields.keys() {
        if !after.fields.contains_key(name) {
            out.push(FieldChange {
                field: "field",
                value: format!("{name} cleared"),
            });
        }
    }
    if before.snoozed_until != after.snoozed_until {
        out.push(FieldChange {
            field: "snoozed",
            value: after
                .snoozed_until
                .map_or("off".to_owned(), |u| format!("until {u}")),
        });
    }
    out
}

/// `+vip -billing` (what was added and removed), for commit subjects.
pub fn tag_changes(before: &Ticket, after: &Ticket) -> String {
    let added = after.tags.iter().filter(|t| !before.tags.contains(t));
    let removed = before.tags.iter().filter(|t| !after.tags.contains(t));
    added
        .map(|t| format!("+{t}"))
        .chain(removed.map(|t| format!("-{t}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn short_title(t: &str) -> String {
    if t.chars().count() > 60 {
        t.chars().take(59).collect::<String>() + "…"
    } else {
        t.to_owned()
    }
}

/// `assignee bob, priority 70` for commit subjects.
pub fn join_changes(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
