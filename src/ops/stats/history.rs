//! The events only the commit history holds, read from the trailers of every commit
//! reachable from HEAD (`Desk-Op`, one `Desk-Ticket` per ticket, `Desk-Actor`; the time is
//! the commit's author time):
//! - `ticket.pickup`: assigned to the actor; `ticket.release`: released by the actor;
//! - `ticket.assign`: assigned to the `Desk-Assignee` trailer's login when there is one,
//!   else to the assignee `ticket.yaml` has in that commit (none = released);
//! - any other op carrying `Desk-Assignee`: assigned to that login (`ticket answer
//!   --pickup`; a ticket made with `ticket new --assign` counts only if its commit carries
//!   it); a `ticket.answer` without it whose subject says `pick up and answer` was written
//!   before answers carried the trailer, and is read as assigned to the actor;
//! - `ticket.delete`, `ticket.merge`, `ticket.mass`, `queue.delete`: each named ticket whose
//!   directory is gone in that commit was deleted (merged, for `ticket.merge`); a deleted
//!   ticket's last state is read back from the parent commit for Per Admin Stats. A mass
//!   action's assignment or release is seen by comparing `assignee` with the parent.
//!
//! Commits without `Desk-Op` (hand edits) add no events.

use std::collections::HashMap;

use gix::ObjectId;
use serde::Deserialize;

use super::cache::History;
use super::facts::{parse_ticket, Parsed};
use crate::model::stats::{EventKind, HistoryEvent};
use crate::model::{Op, TicketId, Timestamp};
use crate::store::commit::{desk_op, TRAILER_ACTOR, TRAILER_ASSIGNEE, TRAILER_TICKET};
use crate::store::scan::{self, CommitInfo};
use crate::store::{layout, parse_trailers, yaml, Result as StoreResult};

use super::super::error::Result;

/// Brings `known` up to `head`: reads only the commits after its tip (or all of them when
/// the tip is not an ancestor of HEAD any more). `gone` holds facts of tickets known
/// before that are no longer in HEAD, keyed by tree, to spare re-reading deleted ones.
pub fn update(
    repo: &gix::Repository,
    head: ObjectId,
    known: History,
    gone: &HashMap<ObjectId, Parsed>,
) -> Result<(History, bool)> {
    if known.tip == Some(head) {
        return Ok((known, false));
    }
    let mut h = match known.tip {
        Some(tip) if scan::is_ancestor(repo, tip, head) => known,
        _ => History::default(),
    };
    let hidden = h.tip;
    scan::each_commit(repo, head, hidden, |c| read_commit(repo, &c, gone, &mut h))?;
    h.tip = Some(head);
    Ok((h, true))
}

/// Whether an answer's commit picked the ticket up too (`ticket 1043: pick up and
/// answer`).
/// An answer that picked its ticket up, in history written before `ticket.answer` carried
/// `Desk-Assignee`.
fn legacy_pickup(message: &str) -> bool {
    message
        .lines()
        .next()
        .is_some_and(|subject| subject.contains(": pick up and answer"))
}

#[derive(Deserialize)]
struct AssigneeOnly {
    #[serde(default)]
    assignee: Option<String>,
}

/// The assignee of ticket `id` in the desk tree `root`: `None` when the ticket is not
/// there, `Some(None)` when it is unassigned.
fn assignee(
    repo: &gix::Repository,
    root: ObjectId,
    id: TicketId,
) -> StoreResult<Option<Option<String>>> {
    let path = layout::ticket_file(id);
    let Some(bytes) = scan::file_at(repo, root, &path)? else {
        return Ok(None);
    };
    Ok(Some(
        yaml::parse_fields::<AssigneeOnly>(&path, &bytes)
            .ok()
            .and_then(|a| a.assignee),
    ))
}

fn read_commit(
    repo: &gix::Repository,
    c: &CommitInfo,
    gone: &HashMap<ObjectId, Parsed>,
    h: &mut History,
) -> StoreResult<()> {
    let trailers = parse_trailers(&c.message);
    let get = |k: &str| {
        trailers
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let Some(op) = desk_op(&trailers) else {
        return Ok(());
    };
    let op = op.known();
    let actor = get(TRAILER_ACTOR);
    let to = get(TRAILER_ASSIGNEE);
    let Ok(at) = Timestamp::from_unix(c.author_time) else {
        return Ok(());
    };
    let tickets: Vec<TicketId> = trailers
        .iter()
        .filter(|(k, _)| k == TRAILER_TICKET)
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut push = |ticket, kind| {
        h.events.push(HistoryEvent {
            at,
            ticket,
            actor: actor.clone(),
            kind,
        })
    };
    let deletes = op.is_some_and(Op::removes_tickets);
    let parent = match c.parents.first() {
        Some(p) if deletes => Some(scan::commit_tree(repo, *p)?),
        _ => None,
    };
    for &id in &tickets {
        match op {
            Some(Op::TicketPickup) => {
                if let Some(a) = &actor {
                    push(id, EventKind::Assigned { to: a.clone() });
                }
            }
            Some(Op::TicketRelease) => push(id, EventKind::Released),
            Some(Op::TicketAssign) => {
                let now = match &to {
                    Some(t) => Some(Some(t.clone())),
                    None => assignee(repo, c.tree, id)?,
                };
                match now {
                    Some(Some(t)) => push(id, EventKind::Assigned { to: t }),
                    Some(None) => push(id, EventKind::Released),
                    None => {}
                }
            }
            _ if deletes => {
                let Some(parent) = parent else { continue };
                let before = scan::ticket_dir(repo, parent, id)?;
                let after = scan::ticket_dir(repo, c.tree, id)?;
                match (before, after) {
                    (Some(_), None) if op == Some(Op::TicketMerge) => push(id, EventKind::Merged),
                    (Some(tree), None) => {
                        push(id, EventKind::Deleted);
                        let parsed = match gone.get(&tree) {
                            Some(p) => p.clone(),
                            None => parse_ticket(id, &scan::ticket_files(repo, tree)?),
                        };
                        if let Some(mut t) = parsed.facts {
                            t.deleted_at = Some(at);
                            h.deleted.push(t);
                        }
                    }
                    (Some(_), Some(_)) if op == Some(Op::TicketMass) => {
                        let was = assignee(repo, parent, id)?.flatten();
                        let now = assignee(repo, c.tree, id)?.flatten();
                        match now {
                            _ if now == was => {}
                            Some(t) => push(id, EventKind::Assigned { to: t }),
                            None => push(id, EventKind::Released),
                        }
                    }
                    _ => {}
                }
            }
            Some(Op::TicketAnswer) if to.is_none() && legacy_pickup(&c.message) => {
                if let Some(a) = &actor {
                    push(id, EventKind::Assigned { to: a.clone() });
                }
            }
            _ => {
                if let Some(t) = &to {
                    push(id, EventKind::Assigned { to: t.clone() });
                }
            }
        }
    }
    Ok(())
}
