//! Reading private messages: the inbox, the messages one sent, and one message found by
//! key, each decrypted with the reader's [`Keyring`] (clear-text messages from before
//! encryption are read as they are).

use serde::Serialize;

use crate::model::{Login, MessageKey, PrivateMessage, Staff, Timestamp};
use crate::seal::{self, Keyring, OpenError};
use crate::store::{layout, DeskRead, FileError, Loaded, Source};

use super::super::error::{OpError, Result};
use super::{require_use, resolve};

/// A message as listed and shown: routing fields and the opened letter.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub key: MessageKey,
    pub from: Login,
    pub to: Vec<Login>,
    pub at: Timestamp,
    pub read: bool,
    pub subject: String,
    pub body: String,
    /// Whether the message is stored encrypted (false: written before encryption, in clear).
    pub encrypted: bool,
}

/// Messages of a listing that the reader's key does not open (encrypted to an older key of
/// theirs, say), kept until the listing is complete.
#[derive(Default)]
struct Unopened(Vec<(String, OpenError)>);

/// Opens the messages `items` of `path_of`'s inbox: a damaged one becomes a problem (the
/// others are still listed); one not encrypted to the reader's key is kept in `unopened`;
/// a missing identity or a wrong passphrase fails the whole read.
fn open_all(
    items: Vec<(MessageKey, PrivateMessage)>,
    path_of: impl Fn(&MessageKey) -> String,
    keys: &Keyring,
    out: &mut Loaded<Entry>,
    unopened: &mut Unopened,
) -> Result<()> {
    for (key, m) in items {
        match seal::open(&key, &m, keys) {
            Ok(letter) => out.items.push(Entry {
                encrypted: m.is_sealed(),
                key,
                from: m.from,
                to: m.to,
                at: m.at,
                read: m.read,
                subject: letter.subject,
                body: letter.body,
            }),
            Err(OpenError::Damaged { reason, .. }) => out.problems.push(FileError {
                path: path_of(&key),
                line: None,
                column: None,
                message: reason,
            }),
            Err(e @ OpenError::NotForMe { .. }) => unopened.0.push((path_of(&key), e)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Ends a listing: when the key opened no encrypted message at all, it is the wrong key and
/// that is the error; otherwise the messages it could not open are reported as problems
/// beside the others (e.g. messages sent before the reader's key was replaced).
fn settle(out: &mut Loaded<Entry>, unopened: Unopened) -> Result<()> {
    let opened_any = out.items.iter().any(|e| e.encrypted);
    let mut rest = unopened.0.into_iter();
    if !opened_any {
        if let Some((_, e)) = rest.next() {
            return Err(e.into());
        }
    }
    for (path, e) in rest {
        out.problems.push(FileError {
            path,
            line: None,
            column: None,
            message: e.to_string(),
        });
    }
    Ok(())
}

/// "My Inbox": unread first, then newest first.
pub fn inbox(src: &(impl Source + ?Sized), me: &Staff, keys: &Keyring) -> Result<Loaded<Entry>> {
    require_use(me, "read private messages")?;
    let loaded = src.inbox(&me.login)?;
    let mut out = Loaded {
        items: Vec::new(),
        problems: loaded.problems,
    };
    let mut unopened = Unopened::default();
    open_all(
        loaded.items,
        |k| layout::inbox_message(&me.login, k),
        keys,
        &mut out,
        &mut unopened,
    )?;
    settle(&mut out, unopened)?;
    out.items.sort_by(|a, b| {
        (a.read, std::cmp::Reverse(&a.key)).cmp(&(b.read, std::cmp::Reverse(&b.key)))
    });
    Ok(out)
}

/// A message the actor sent (one entry per message, however many recipients; no read
/// receipts).
#[derive(Debug, Clone, Serialize)]
pub struct SentEntry {
    pub key: MessageKey,
    pub from: Login,
    pub to: Vec<Login>,
    pub at: Timestamp,
    pub subject: String,
    pub body: String,
    pub encrypted: bool,
}

impl From<Entry> for SentEntry {
    fn from(e: Entry) -> Self {
        SentEntry {
            key: e.key,
            from: e.from,
            to: e.to,
            at: e.at,
            subject: e.subject,
            body: e.body,
            encrypted: e.encrypted,
        }
    }
}

/// The messages the actor sent that are still in some recipient's inbox, newest first.
/// Whether a recipient has read or deleted their copy is not shown.
pub fn sent(src: &(impl Source + ?Sized), me: &Staff, keys: &Keyring) -> Result<Loaded<SentEntry>> {
    let all = sent_entries(src, me, keys)?;
    Ok(Loaded {
        items: all.items.into_iter().map(SentEntry::from).collect(),
        problems: all.problems,
    })
}

fn sent_entries(src: &(impl Source + ?Sized), me: &Staff, keys: &Keyring) -> Result<Loaded<Entry>> {
    require_use(me, "read private messages")?;
    let mut out: Loaded<Entry> = Loaded::default();
    let mut seen: Vec<MessageKey> = Vec::new();
    let mut unopened = Unopened::default();
    for owner in src.inbox_owners()? {
        let loaded = src.inbox(&owner)?;
        out.problems.extend(loaded.problems);
        let mine: Vec<(MessageKey, PrivateMessage)> = loaded
            .items
            .into_iter()
            .filter(|(k, m)| m.from == me.login && !seen.contains(k))
            .map(|(k, mut m)| {
                m.read = true;
                (k, m)
            })
            .collect();
        seen.extend(mine.iter().map(|(k, _)| k.clone()));
        let path = |k: &MessageKey| layout::inbox_message(&owner, k);
        open_all(mine, path, keys, &mut out, &mut unopened)?;
    }
    settle(&mut out, unopened)?;
    out.items.sort_by(|a, b| b.key.cmp(&a.key));
    Ok(out)
}

/// Where a message shown was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Copy {
    /// In the actor's own inbox.
    Inbox,
    /// A message the actor sent (found in a recipient's inbox; never marked read).
    Sent,
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub copy: Copy,
    #[serde(flatten)]
    pub entry: Entry,
}

/// Finds a message by key or unique prefix: in the actor's inbox first, else among the
/// messages the actor sent; only that one message is decrypted.
pub fn find(src: &(impl Source + ?Sized), me: &Staff, id: &str, keys: &Keyring) -> Result<Found> {
    require_use(me, "read private messages")?;
    let mine = src.inbox(&me.login)?.items;
    if let Some(key) = resolve(id, mine.iter().map(|(k, _)| k))?.cloned() {
        let one = mine.into_iter().filter(|(k, _)| *k == key).collect();
        return open_one(one, Copy::Inbox, &me.login, keys);
    }
    let mut sent: Vec<(MessageKey, PrivateMessage, Login)> = Vec::new();
    for owner in src.inbox_owners()? {
        for (k, m) in src.inbox(&owner)?.items {
            if m.from == me.login && !sent.iter().any(|(s, _, _)| *s == k) {
                sent.push((k, m, owner.clone()));
            }
        }
    }
    if let Some(key) = resolve(id, sent.iter().map(|(k, _, _)| k))?.cloned() {
        let (k, mut m, owner) = sent
            .into_iter()
            .find(|(k, _, _)| *k == key)
            .expect("resolved");
        m.read = true;
        return open_one(vec![(k, m)], Copy::Sent, &owner, keys);
    }
    Err(OpError::not_found("message in your inbox", id.trim()))
}

fn open_one(
    one: Vec<(MessageKey, PrivateMessage)>,
    copy: Copy,
    owner: &Login,
    keys: &Keyring,
) -> Result<Found> {
    let mut out = Loaded::default();
    let mut unopened = Unopened::default();
    open_all(
        one,
        |k| layout::inbox_message(owner, k),
        keys,
        &mut out,
        &mut unopened,
    )?;
    settle(&mut out, unopened)?;
    match (out.items.pop(), out.problems.pop()) {
        (Some(entry), _) => Ok(Found { copy, entry }),
        (None, Some(p)) => Err(OpError::State(p.to_string())),
        (None, None) => Err(OpError::State("the message vanished while read".into())),
    }
}
