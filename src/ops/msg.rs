//! Private messages between technicians ("Exchanging Private Messages"): send (a copy in
//! each recipient's inbox and an e-mail notification queued in the outbox, in one commit),
//! the inbox, the messages one has sent, showing one (which marks it read) and "Delete
//! Selected".
//!
//! Privacy: every operation reads only the actor's own inbox, except `sent`, which finds the
//! actor's own messages in the recipients' inboxes. Nobody reads, marks or deletes another
//! technician's inbox through these operations. All of them need `messages.use`.
//!
//! A message is named by its file key (`20261127T174501Z-alice-3f2a`), the same in every
//! recipient's inbox; commands accept the key or any prefix of it that is unique.

use serde::Serialize;

use crate::context::Context;
use crate::model::{
    Login, MailKind, MessageKey, OutMail, Permission, PrivateMessage, Staff, Timestamp,
};
use crate::store::{layout, CommitMessage, DeskRead, FileError, Loaded, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

/// The longest subject accepted, in characters.
pub const MAX_SUBJECT: usize = 200;

fn require_use(me: &Staff, action: &str) -> Result<()> {
    actor::require(me, Permission::MessagesUse, action)
}

fn check_subject(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(OpError::invalid(
            "--subject",
            "the subject must not be empty",
        ));
    }
    if s.chars().count() > MAX_SUBJECT || s.chars().any(char::is_control) {
        return Err(OpError::invalid(
            "--subject",
            format!("the subject is one line of at most {MAX_SUBJECT} characters"),
        ));
    }
    Ok(s.to_owned())
}

/// What `send` did.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub key: MessageKey,
    pub to: Vec<Login>,
    /// Recipients an e-mail notification was queued for.
    pub notified: Vec<Login>,
    /// Recipients with no e-mail address in their profile (no notification).
    pub not_notified: Vec<Login>,
    /// The queued notification (`outbox/<key>.yaml`), when any recipient has an address.
    pub outbox: Option<String>,
}

/// "Send a New Message": a copy in each recipient's inbox and one e-mail notification to
/// the recipients' addresses, in one commit.
pub fn send(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    to: Vec<Login>,
    subject: &str,
    body: String,
) -> Result<(Sent, CommitMessage)> {
    require_use(me, "send private messages")?;
    let subject = check_subject(subject)?;
    if body.trim().is_empty() {
        return Err(OpError::invalid("body", "the message must not be empty"));
    }
    let mut recipients: Vec<Login> = Vec::new();
    for login in to {
        if !recipients.contains(&login) {
            recipients.push(login);
        }
    }
    if recipients.is_empty() {
        return Err(OpError::invalid("--to", "name at least one recipient"));
    }
    let mut staff = Vec::new();
    for login in &recipients {
        let s = tx
            .staff(login)?
            .ok_or_else(|| OpError::not_found("staff member", login))?;
        if !s.active {
            return Err(OpError::State(format!(
                "staff member `{login}` is not active"
            )));
        }
        if !s.has(Permission::MessagesUse) {
            return Err(OpError::State(format!(
                "{login} cannot read private messages: they do not hold `messages.use`"
            )));
        }
        staff.push(s);
    }

    let now = ctx.now();
    let key = ctx.new_key(me.login.as_str());
    let message = PrivateMessage {
        from: me.login.clone(),
        to: recipients.clone(),
        subject: subject.clone(),
        at: now,
        read: false,
        body,
        extra: Default::default(),
    };
    for login in &recipients {
        tx.put_yaml(layout::inbox_message(login, &key), &message);
    }

    let (notified, not_notified): (Vec<&Staff>, Vec<&Staff>) =
        staff.iter().partition(|s| s.email.is_some());
    let outbox = if notified.is_empty() {
        None
    } else {
        let settings = tx.settings()?;
        let mail = notification(&settings, me, &key, &subject, &notified, now);
        let path = layout::outbox(&key);
        tx.put_yaml(path.clone(), &mail);
        Some(path)
    };
    let logins = |v: Vec<&Staff>| v.into_iter().map(|s| s.login.clone()).collect::<Vec<_>>();
    let names: Vec<&str> = recipients.iter().map(Login::as_str).collect();
    let msg = CommitMessage::new(
        "msg.send",
        me.login.as_str(),
        format!(
            "msg: {} to {}: \"{}\"",
            me.login,
            names.join(", "),
            crate::store::commit::one_line(&subject, 60)
        ),
    )
    .trailer("Desk-Message", key.to_string());
    let sent = Sent {
        key,
        to: recipients,
        notified: logins(notified),
        not_notified: logins(not_notified),
        outbox,
    };
    Ok((sent, msg))
}

/// The e-mail telling recipients a message is waiting. It names the sender and the subject
/// and says how to read it; the text itself stays in the desk.
fn notification(
    settings: &crate::model::Settings,
    me: &Staff,
    key: &MessageKey,
    subject: &str,
    to: &[&Staff],
    now: Timestamp,
) -> OutMail {
    let from = settings
        .smtp
        .from
        .clone()
        .unwrap_or_else(|| settings.support_email.to_string());
    let body = format!(
        "{name} ({login}) sent you a private message on {desk}:\n\n  Subject: {subject}\n\nRead it with:\n\n  git desk msg show {key}\n",
        name = me.display_name(),
        login = me.login,
        desk = settings.name,
    );
    OutMail {
        message_id: format!("<pm.{key}@{}>", settings.support_email.domain()),
        kind: MailKind::Notification,
        ticket: None,
        from,
        to: to
            .iter()
            .filter_map(|s| s.email.as_ref().map(|e| e.to_string()))
            .collect(),
        cc: vec![],
        subject: format!(
            "[{}] Private message from {}: {}",
            settings.name,
            me.display_name(),
            subject
        ),
        in_reply_to: None,
        references: vec![],
        body,
        attachments: vec![],
        created_at: now,
        attempts: 0,
        next_try_at: None,
        last_error: None,
        extra: Default::default(),
    }
}

/// A message as listed and shown.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub key: MessageKey,
    #[serde(flatten)]
    pub message: PrivateMessage,
}

/// "My Inbox": unread first, then newest first.
pub fn inbox(src: &(impl Source + ?Sized), me: &Staff) -> Result<Loaded<Entry>> {
    require_use(me, "read private messages")?;
    let loaded = src.inbox(&me.login)?;
    let mut items: Vec<Entry> = loaded
        .items
        .into_iter()
        .map(|(key, message)| Entry { key, message })
        .collect();
    items.sort_by(|a, b| {
        (a.message.read, std::cmp::Reverse(&a.key))
            .cmp(&(b.message.read, std::cmp::Reverse(&b.key)))
    });
    Ok(Loaded {
        items,
        problems: loaded.problems,
    })
}

/// A message the actor sent (one entry per message, however many recipients).
#[derive(Debug, Clone, Serialize)]
pub struct SentEntry {
    pub key: MessageKey,
    pub from: Login,
    pub to: Vec<Login>,
    pub subject: String,
    pub at: Timestamp,
    pub body: String,
}

impl From<Entry> for SentEntry {
    fn from(e: Entry) -> Self {
        SentEntry {
            key: e.key,
            from: e.message.from,
            to: e.message.to,
            subject: e.message.subject,
            at: e.message.at,
            body: e.message.body,
        }
    }
}

/// The messages the actor sent that are still in some recipient's inbox, newest first.
/// Whether a recipient has read or deleted their copy is not shown.
pub fn sent(src: &(impl Source + ?Sized), me: &Staff) -> Result<Loaded<SentEntry>> {
    require_use(me, "read private messages")?;
    let mut out: Loaded<SentEntry> = Loaded::default();
    for owner in src.inbox_owners()? {
        let loaded = src.inbox(&owner)?;
        out.problems.extend(loaded.problems);
        for (key, message) in loaded.items {
            if message.from == me.login && !out.items.iter().any(|e| e.key == key) {
                out.items.push(Entry { key, message }.into());
            }
        }
    }
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

/// The one key among `keys` equal to `id` or starting with it.
fn resolve<'k>(
    id: &str,
    keys: impl Iterator<Item = &'k MessageKey>,
) -> Result<Option<&'k MessageKey>> {
    let id = id.trim();
    if id.is_empty() {
        return Err(OpError::invalid(
            "message",
            "give a message key or a prefix of it",
        ));
    }
    let matches: Vec<&MessageKey> = keys.filter(|k| k.as_str().starts_with(id)).collect();
    if let Some(exact) = matches.iter().find(|k| k.as_str() == id) {
        return Ok(Some(exact));
    }
    match matches.len() {
        0 => Ok(None),
        1 => Ok(Some(matches[0])),
        _ => Err(OpError::invalid(
            "message",
            format!(
                "`{id}` is ambiguous: it starts {}",
                matches
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Finds a message by key or unique prefix: in the actor's inbox first, else among the
/// messages the actor sent.
pub fn find(src: &(impl Source + ?Sized), me: &Staff, id: &str) -> Result<Found> {
    require_use(me, "read private messages")?;
    let mine = src.inbox(&me.login)?.items;
    if let Some(key) = resolve(id, mine.iter().map(|(k, _)| k))?.cloned() {
        let (key, message) = mine.into_iter().find(|(k, _)| *k == key).expect("resolved");
        return Ok(Found {
            copy: Copy::Inbox,
            entry: Entry { key, message },
        });
    }
    let sent = sent(src, me)?.items;
    if let Some(key) = resolve(id, sent.iter().map(|e| &e.key))?.cloned() {
        let e = sent.into_iter().find(|e| e.key == key).expect("resolved");
        let message = PrivateMessage {
            from: e.from,
            to: e.to,
            subject: e.subject,
            at: e.at,
            read: true,
            body: e.body,
            extra: Default::default(),
        };
        return Ok(Found {
            copy: Copy::Sent,
            entry: Entry {
                key: e.key,
                message,
            },
        });
    }
    Err(OpError::not_found("message in your inbox", id.trim()))
}

/// Marks a message of the actor's inbox read; stages nothing when it already is.
pub fn mark_read(
    tx: &mut Transaction<'_>,
    me: &Staff,
    key: &MessageKey,
) -> Result<((), CommitMessage)> {
    require_use(me, "read private messages")?;
    let path = layout::inbox_message(&me.login, key);
    let mut m: PrivateMessage = tx
        .parse_file(&path)?
        .ok_or_else(|| OpError::not_found("message in your inbox", key))?;
    if !m.read {
        m.read = true;
        tx.put_yaml(path, &m);
    }
    let msg = CommitMessage::new(
        "msg.read",
        me.login.as_str(),
        format!("msg: {} read {key}", me.login),
    )
    .trailer("Desk-Message", key.to_string());
    Ok(((), msg))
}

/// "Delete Selected": removes messages from the actor's own inbox (other recipients keep
/// their copies).
pub fn delete(
    tx: &mut Transaction<'_>,
    me: &Staff,
    ids: &[String],
) -> Result<(Vec<MessageKey>, CommitMessage)> {
    require_use(me, "delete private messages")?;
    if ids.is_empty() {
        return Err(OpError::invalid(
            "message",
            "name at least one message to delete",
        ));
    }
    let loaded = tx.inbox(&me.login)?;
    let keys: Vec<MessageKey> = loaded
        .items
        .into_iter()
        .map(|(k, _)| k)
        .chain(loaded.problems.iter().filter_map(problem_key))
        .collect();
    let mut gone: Vec<MessageKey> = Vec::new();
    for id in ids {
        let key = resolve(id, keys.iter())?
            .ok_or_else(|| OpError::not_found("message in your inbox", id.trim()))?
            .clone();
        if !gone.contains(&key) {
            gone.push(key);
        }
    }
    for key in &gone {
        tx.remove(layout::inbox_message(&me.login, key));
    }
    let what = match gone.as_slice() {
        [one] => one.to_string(),
        many => format!("{} messages", many.len()),
    };
    let mut msg = CommitMessage::new(
        "msg.delete",
        me.login.as_str(),
        format!("msg: {} delete {what}", me.login),
    );
    for key in &gone {
        msg = msg.trailer("Desk-Message", key.to_string());
    }
    Ok((gone, msg))
}

/// A broken file of one's own inbox can still be deleted by its key.
fn problem_key(p: &FileError) -> Option<MessageKey> {
    p.path
        .rsplit('/')
        .next()?
        .strip_suffix(".yaml")?
        .parse()
        .ok()
}
