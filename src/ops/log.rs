//! `log [TICKET]`: the audit trail, read back from the commits. Desk commits are described
//! by their trailers; hand-made commits (no `Desk-Op`) are shown too, and for one ticket a
//! commit counts when it names the ticket or changes its directory. Private messages'
//! subjects never appear (see [`public_subject`]).

use crate::model::RecordedOp;
use gix::ObjectId;
use serde::Serialize;

use crate::model::{TicketId, Timestamp};
use crate::store::{commit, layout, parse_trailers, Desk, StoreError};

use super::error::{OpError, Result};

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub commit: String,
    pub at: Timestamp,
    pub author: String,
    pub email: String,
    /// The `Desk-Op` trailer; none for a hand-made commit.
    pub op: Option<RecordedOp>,
    pub actor: Option<String>,
    pub tickets: Vec<u64>,
    pub subject: String,
}

pub fn log(desk: &Desk, ticket: Option<TicketId>, limit: Option<usize>) -> Result<Vec<LogEntry>> {
    let repo = desk
        .repo()
        .ok_or_else(|| StoreError::ReadOnly(desk.root().to_path_buf()))?;
    let Some(head) = desk.head_commit()? else {
        return Ok(vec![]);
    };
    let walk = repo
        .rev_walk([head])
        .first_parent_only()
        .all()
        .map_err(|e| StoreError::git("walking history", e))?;
    let dir = ticket.map(layout::ticket_dir);
    let mut out = Vec::new();
    for info in walk {
        let info = info.map_err(|e| StoreError::git("walking history", e))?;
        let c = repo
            .find_commit(info.id)
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let message = c.message_raw_sloppy().to_string();
        let trailers = parse_trailers(&message);
        let named: Vec<u64> = trailers
            .iter()
            .filter(|(k, _)| k == commit::TRAILER_TICKET)
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        if let (Some(id), Some(dir)) = (ticket, &dir) {
            let touched = || -> Result<bool> {
                let here = entry_at(repo, info.id, dir)?;
                let before = match info.parent_ids.first() {
                    Some(p) => entry_at(repo, *p, dir)?,
                    None => None,
                };
                Ok(here != before)
            };
            if !named.contains(&id.get()) && !touched()? {
                continue;
            }
        }
        let author = c
            .author()
            .map_err(|e| StoreError::git("reading a commit", e))?;
        let seconds = author.time().map(|t| t.seconds).unwrap_or(0);
        let get = |k: &str| {
            trailers
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let op = commit::desk_op(&trailers);
        out.push(LogEntry {
            commit: info.id.to_string(),
            at: Timestamp::from_unix(seconds).map_err(|e| OpError::State(e.0))?,
            author: author.name.to_string(),
            email: author.email.to_string(),
            subject: public_subject(op.as_ref(), message.lines().next().unwrap_or("")),
            op,
            actor: get(commit::TRAILER_ACTOR),
            tickets: named,
        });
        if limit.is_some_and(|n| out.len() >= n) {
            break;
        }
    }
    Ok(out)
}

/// A commit's subject as shown to everyone. Private-message commits made before encryption
/// quoted the message's subject (`msg: alice to bob: "Coffee"`); that part is cut, so
/// `log` and `verify` never show it. Today's commits carry only the routing.
pub fn public_subject(op: Option<&RecordedOp>, subject: &str) -> String {
    if op.is_some_and(|o| o.as_str().starts_with("msg.")) {
        if let Some(i) = subject.find(": \"") {
            return format!("{} (subject hidden)", &subject[..i]);
        }
    }
    subject.to_owned()
}

fn entry_at(repo: &gix::Repository, commit: ObjectId, path: &str) -> Result<Option<ObjectId>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| StoreError::git("reading a tree", e))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| StoreError::git("reading a tree", e))?;
    Ok(entry.map(|e| e.object_id()))
}

#[cfg(test)]
mod tests {
    use super::public_subject;
    use crate::model::{Op, RecordedOp};

    #[test]
    fn old_private_message_commits_lose_their_subject() {
        assert_eq!(
            public_subject(
                Some(&RecordedOp::Known(Op::MsgSend)),
                "msg: alice to bob, carol: \"Pay rise: yes\""
            ),
            "msg: alice to bob, carol (subject hidden)"
        );
        assert_eq!(
            public_subject(Some(&Op::MsgSend.into()), "msg: alice to bob"),
            "msg: alice to bob"
        );
        assert_eq!(
            public_subject(Some(&"ticket.close".into()), "ticket 5: close \"x\""),
            "ticket 5: close \"x\""
        );
    }
}
