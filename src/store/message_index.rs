//! The Message-ID index: which ticket holds each e-mail Message-ID, and when the desk's
//! auto-responses were written. Mail intake needs both on every run (to skip a mail the desk
//! already holds, to thread a reply, to count auto-responses per sender), and scanning every
//! message file of a large desk each time would be far too slow.
//!
//! The index is derived state in `<cache dir>/message-index`, tagged with the tree it
//! describes. Loading it for another tree applies the tree diff (only the changed message
//! files are read); a missing or unreadable cache is rebuilt by a diff from the empty tree.
//! Deleting the file is always safe.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use gix::ObjectId;

use super::desk::Desk;
use super::error::{Result, StoreError};
use super::layout;
use super::yaml;
use crate::model::{Message, MessageKey, MessageKind, TicketId, Timestamp};

const FILE: &str = "message-index";
const HEADER: &str = "git-desk message-index 1";

/// What the index keeps of one message file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub kind: MessageKind,
    pub message_id: Option<String>,
}

#[derive(Debug, Default)]
pub struct MessageIndex {
    tree: Option<ObjectId>,
    /// (ticket, key) → the message; only messages with an id, and auto-responses.
    entries: HashMap<(TicketId, MessageKey), Indexed>,
    by_id: HashMap<String, TicketId>,
}

fn path(desk: &Desk) -> PathBuf {
    desk.cache_dir().join(FILE)
}

/// `tickets/<b>/<id>/messages/<key>.yaml` → (id, key).
fn message_path(p: &str) -> Option<(TicketId, MessageKey)> {
    let id = layout::ticket_of_path(p)?;
    let rest = p
        .strip_prefix(&layout::messages_dir(id))?
        .strip_prefix('/')?;
    let key = rest.strip_suffix(".yaml")?.parse().ok()?;
    Some((id, key))
}

/// Message-IDs are kept only when they fit on one line of the cache.
fn clean_id(id: Option<String>) -> Option<String> {
    id.filter(|s| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control()))
}

impl MessageIndex {
    /// The index for `tree`: from the cache, brought up to date with a tree diff, or built.
    /// The cache file is rewritten when it changed.
    pub fn load(desk: &Desk, tree: ObjectId) -> Result<MessageIndex> {
        let mut index = MessageIndex::read_cache(desk).unwrap_or_default();
        if index.tree != Some(tree) {
            if index.update(desk, tree).is_err() {
                index = MessageIndex::default();
                index.update(desk, tree)?;
            }
            // A cache that cannot be written only costs time on the next run.
            let _ = index.save(desk);
        }
        Ok(index)
    }

    fn read_cache(desk: &Desk) -> Option<MessageIndex> {
        let text = std::fs::read_to_string(path(desk)).ok()?;
        let mut lines = text.lines();
        let tree = lines.next()?.strip_prefix(HEADER)?.trim();
        let mut index = MessageIndex {
            tree: Some(ObjectId::from_hex(tree.as_bytes()).ok()?),
            ..Default::default()
        };
        for line in lines {
            let mut f = line.split('\t');
            let (Some(t), Some(k), Some(kind), Some(id)) = (f.next(), f.next(), f.next(), f.next())
            else {
                return None;
            };
            let id = (!id.is_empty()).then(|| id.to_owned());
            index.insert(t.parse().ok()?, k.parse().ok()?, kind.parse().ok()?, id);
        }
        Some(index)
    }

    /// Writes the cache (atomically: a temporary file renamed over the old one).
    pub fn save(&self, desk: &Desk) -> std::io::Result<()> {
        let Some(tree) = self.tree else { return Ok(()) };
        let dir = desk.cache_dir();
        std::fs::create_dir_all(&dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        {
            let mut w = std::io::BufWriter::new(tmp.as_file_mut());
            writeln!(w, "{HEADER} {tree}")?;
            for ((t, k), e) in &self.entries {
                let id = e.message_id.as_deref().unwrap_or("");
                writeln!(w, "{t}\t{k}\t{}\t{id}", e.kind)?;
            }
            w.flush()?;
        }
        tmp.persist(path(desk)).map_err(|e| e.error)?;
        Ok(())
    }

    fn insert(&mut self, t: TicketId, k: MessageKey, kind: MessageKind, id: Option<String>) {
        let id = clean_id(id);
        if id.is_none() && kind != MessageKind::Autoresponse {
            return;
        }
        if let Some(id) = &id {
            self.by_id.insert(id.clone(), t);
        }
        if let Some(old) = self.entries.insert(
            (t, k),
            Indexed {
                kind,
                message_id: id,
            },
        ) {
            self.forget_id(old.message_id, t);
        }
    }

    fn forget_id(&mut self, id: Option<String>, t: TicketId) {
        if let Some(id) = id {
            if self.by_id.get(&id) == Some(&t) {
                self.by_id.remove(&id);
            }
        }
    }

    fn remove(&mut self, t: TicketId, k: &MessageKey) {
        if let Some(old) = self.entries.remove(&(t, k.clone())) {
            self.forget_id(old.message_id, t);
        }
    }

    /// Applies the diff from the indexed tree to `tree`, reading the changed message files.
    fn update(&mut self, desk: &Desk, tree: ObjectId) -> Result<()> {
        let repo = desk
            .repo()
            .ok_or_else(|| StoreError::ReadOnly(desk.root().to_path_buf()))?;
        let old = self
            .tree
            .unwrap_or_else(|| ObjectId::empty_tree(repo.object_hash()));
        for ch in super::diff::changes(repo, old, tree)? {
            let Some((t, k)) = message_path(&ch.path) else {
                continue;
            };
            let Some(id) = ch.new else {
                self.remove(t, &k);
                continue;
            };
            let blob = repo
                .find_blob(id)
                .map_err(|e| StoreError::git(format!("reading {}", ch.path), e))?;
            // A broken message file is `check`'s business; it simply holds no id here.
            match yaml::parse::<Message>(&ch.path, &blob.data) {
                Ok(m) => self.insert(t, k, m.kind, m.message_id),
                Err(_) => self.remove(t, &k),
            }
        }
        self.tree = Some(tree);
        Ok(())
    }

    /// The ticket holding a message with this Message-ID.
    pub fn ticket_of(&self, message_id: &str) -> Option<TicketId> {
        self.by_id.get(message_id).copied()
    }

    /// Records a message written by the current run (before its commit exists).
    pub fn add(&mut self, t: TicketId, k: MessageKey, kind: MessageKind, id: Option<String>) {
        self.insert(t, k, kind, id);
    }

    /// Marks the index as describing `tree` (after the run's commit).
    pub fn set_tree(&mut self, tree: ObjectId) {
        self.tree = Some(tree);
    }

    /// Tickets that got an auto-response at or after `since`, one entry per response.
    pub fn autoresponses_since(&self, since: Timestamp) -> Vec<TicketId> {
        let since = since.compact();
        self.entries
            .iter()
            .filter(|((_, k), e)| {
                e.kind == MessageKind::Autoresponse && k.stamp() >= since.as_str()
            })
            .map(|((t, _), _)| *t)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use crate::ops::init::{init, InitOptions};
    use crate::store::{CommitMessage, Identity};

    #[test]
    fn built_from_scratch_and_kept_up_to_date_by_diffs() {
        let tmp = tempfile::tempdir().unwrap();
        let ctx = Context::new("2026-11-27T12:00:00Z".parse().unwrap(), Some(1));
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
        let opts = InitOptions {
            dir: tmp.path().join("desk"),
            from: Some(sample),
            name: None,
            support_email: None,
            admin: None,
            admin_name: None,
            admin_email: None,
            admin_key: None,
            bare: false,
        };
        let desk = init(&ctx, opts, Some("T".into()), Some("t@example.com".into()))
            .unwrap()
            .desk;
        let tree = desk.head_tree().unwrap().unwrap();
        let index = MessageIndex::load(&desk, tree).unwrap();
        let t1009 = TicketId::new(1009).unwrap();
        assert_eq!(
            index.ticket_of("<ticket-1009.20261020T132510Z-alice-e37f@example.com>"),
            Some(t1009)
        );
        assert_eq!(
            index.ticket_of("<b84354a0-4021-33d0-b788-219eb65a783e@kimdesign.test>"),
            Some(t1009)
        );
        assert!(index.len() > 20);

        // Delete ticket 1009, add a message to 1010: the next load follows the diff.
        let mut tx = desk.begin(ctx.now()).unwrap();
        tx.remove_dir(layout::ticket_dir(t1009));
        let t1010 = TicketId::new(1010).unwrap();
        let key: MessageKey = "20261127T120000Z-desk-0001".parse().unwrap();
        let msg = Message {
            at: ctx.now(),
            author: "support@example.com".into(),
            kind: MessageKind::Autoresponse,
            message_id: Some("<new-1@example.com>".into()),
            body: "auto".into(),
            attachments: vec![],
            time: None,
            extra: Default::default(),
        };
        tx.put_yaml(layout::message(t1010, &key), &msg);
        let who = Identity {
            name: "T".into(),
            email: "t@example.com".into(),
        };
        tx.commit(
            &who,
            &CommitMessage::new(crate::model::Op::TicketEdit, "t", "change"),
        )
        .unwrap();
        let tree2 = desk.head_tree().unwrap().unwrap();
        let updated = MessageIndex::load(&desk, tree2).unwrap();
        assert_eq!(
            updated.ticket_of("<b84354a0-4021-33d0-b788-219eb65a783e@kimdesign.test>"),
            None
        );
        assert_eq!(updated.ticket_of("<new-1@example.com>"), Some(t1010));
        assert_eq!(updated.autoresponses_since(ctx.now()), vec![t1010]);
        assert!(updated
            .autoresponses_since(ctx.now().plus_seconds(1))
            .is_empty());

        // The same as a fresh build.
        std::fs::remove_file(desk.cache_dir().join(FILE)).unwrap();
        let fresh = MessageIndex::load(&desk, tree2).unwrap();
        assert_eq!(fresh.entries, updated.entries);
        assert_eq!(fresh.by_id, updated.by_id);
    }
}
