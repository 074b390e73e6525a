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
//!
//! Confidentiality: the subject and text are encrypted (`crate::seal`) to every recipient's
//! keys and the sender's, so only they can read them, whoever holds a clone. Nothing of them
//! goes into the commit message, the e-mail notification or any derived file. Reading
//! (`read`) decrypts with the caller's [`Keyring`](crate::seal::Keyring); deleting needs no
//! key. Messages from before encryption are read as they are and can be sealed in place
//! with [`encrypt`].

use crate::model::Op;
use serde::Serialize;

use crate::context::Context;
use crate::model::{
    Letter, Login, MailKind, MessageKey, OutMail, Permission, PrivateMessage, Staff, Timestamp,
};
use crate::seal;
use crate::store::{layout, CommitMessage, DeskRead, FileError, Transaction};

use super::actor;
use super::error::{OpError, Result};

mod encrypt;
mod read;

pub use encrypt::{encrypt, Encrypted};
pub use read::{find, inbox, sent, Copy, Entry, Found, SentEntry};

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

/// The keys a message from `me` to `staff` is encrypted to: every recipient's and the
/// sender's own (so the sender can read what they sent). Anyone without a key is refused.
fn keys_of<'s>(
    me: &'s Staff,
    staff: impl IntoIterator<Item = &'s Staff>,
) -> Result<Vec<Box<dyn age::Recipient + Send>>> {
    let mut keys = seal::recipients(me)?;
    for s in staff {
        if s.login != me.login {
            keys.extend(seal::recipients(s)?);
        }
    }
    Ok(keys)
}

/// "Send a New Message": a copy in each recipient's inbox and one e-mail notification to
/// the recipients' addresses, in one commit. The subject and text are encrypted.
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
    let keys = keys_of(me, &staff)?;
    let sealed = seal::seal(&Letter { subject, body }, &keys)?;

    let now = ctx.now();
    let key = ctx.new_key(me.login.as_str());
    let message = PrivateMessage::sealed(me.login.clone(), recipients.clone(), now, sealed);
    for login in &recipients {
        tx.put_yaml(layout::inbox_message(login, &key), &message);
    }

    let (notified, not_notified): (Vec<&Staff>, Vec<&Staff>) =
        staff.iter().partition(|s| s.email.is_some());
    let outbox = if notified.is_empty() {
        None
    } else {
        let settings = tx.settings()?;
        let mail = notification(&settings, me, &key, &notified, now);
        let path = layout::outbox(&key);
        tx.put_yaml(path.clone(), &mail);
        Some(path)
    };
    let logins = |v: Vec<&Staff>| v.into_iter().map(|s| s.login.clone()).collect::<Vec<_>>();
    let names: Vec<&str> = recipients.iter().map(Login::as_str).collect();
    let msg = CommitMessage::new(
        Op::MsgSend,
        me.login.as_str(),
        format!("msg: {} to {}", me.login, names.join(", ")),
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

/// The e-mail telling recipients a message is waiting. It names the sender and says how
/// to read it; the subject and text stay encrypted in the desk.
fn notification(
    settings: &crate::model::Settings,
    me: &Staff,
    key: &MessageKey,
    to: &[&Staff],
    now: Timestamp,
) -> OutMail {
    let from = settings
        .smtp
        .from
        .clone()
        .unwrap_or_else(|| settings.support_email.to_string());
    let body = format!(
        "{name} ({login}) sent you a private message on {desk}.\n\nIt is encrypted to your key; read it with:\n\n  git desk msg show {key}\n",
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
            "[{}] Private message from {}",
            settings.name,
            me.display_name(),
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
        Op::MsgRead,
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
        Op::MsgDelete,
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
