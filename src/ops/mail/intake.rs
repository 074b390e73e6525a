//! One ingest run's work on the transaction: for each parsed mail, skip it (its Message-ID
//! is in the desk), thread it (a customer's reply through `ops::ticket::customer_message`;
//! a bounce or automatic reply as a note; one naming a ticket merged away goes to the ticket
//! it was merged into), or open a ticket in the routed queue (its id from `ops::ids`, never
//! one used before) and queue the queue's new-ticket auto-response unless the loop rules or
//! the hourly limit forbid. Nothing here touches the Maildir or commits; `ingest` does, in
//! that order.

use crate::model::Op;
use std::collections::{HashMap, HashSet};

use crate::context::Context;
use crate::mail::loops::{self, NoAutoResponse};
use crate::mail::route;
use crate::mail::IncomingMail;
use crate::model::outbox::Reply;
use crate::model::{
    Email, Login, Message, MessageKind, NewTicket, Priority, Queue, Settings, Slug, Ticket,
    TicketId,
};
use crate::store::message_index::MessageIndex;
use crate::store::{layout, CommitMessage, Desk, DeskRead, StoreError, Transaction};

use super::super::error::{OpError, Result};
use super::super::ids;
use super::super::ticket::{
    self as tickets, attach, fresh_key, IncomingCustomerMessage, NewAttachment,
};
use super::ingest::{IngestReport, Outcome};
use super::notes::system_note;
use super::{own_addresses, MAIL_ACTOR};

/// The run's state while mails are staged.
pub(super) struct Run<'a> {
    ctx: &'a Context,
    pub(super) settings: Settings,
    queues: Vec<Queue>,
    accounts: HashMap<String, Login>,
    own: Vec<Email>,
    pub(super) index: MessageIndex,
    /// Auto-responses per (lower-cased) recipient within the last hour.
    responses: HashMap<String, u32>,
    /// The tickets touched, in order (and as a set, for large runs).
    tickets: Vec<TicketId>,
    touched: HashSet<TicketId>,
    /// Merged-away ticket → the ticket it was merged into (see `merged_into`).
    merged: Option<HashMap<TicketId, TicketId>>,
}

impl<'a> Run<'a> {
    pub(super) fn start(desk: &Desk, tx: &Transaction<'_>, ctx: &'a Context) -> Result<Run<'a>> {
        let settings = tx.settings()?;
        let queues = tx.all_queues()?.items;
        let accounts = tx
            .all_accounts()?
            .items
            .into_iter()
            .map(|a| (a.email.as_str().to_ascii_lowercase(), a.login))
            .collect();
        let own = own_addresses(&settings, &queues);
        let index = match tx.parent() {
            Some(commit) => {
                let tree = desk
                    .repo()
                    .and_then(|r| r.find_commit(commit).ok())
                    .and_then(|c| c.tree_id().ok())
                    .ok_or_else(|| StoreError::git("reading HEAD's tree", "not found"))?;
                MessageIndex::load(desk, tree.detach())?
            }
            None => MessageIndex::default(),
        };
        let mut responses: HashMap<String, u32> = HashMap::new();
        for t in index.autoresponses_since(ctx.now().plus_seconds(-3600)) {
            if let Some(ticket) = tx.ticket(t).ok().flatten() {
                *responses
                    .entry(ticket.email.as_str().to_ascii_lowercase())
                    .or_default() += 1;
            }
        }
        Ok(Run {
            ctx,
            settings,
            queues,
            accounts,
            own,
            index,
            responses,
            tickets: Vec::new(),
            touched: HashSet::new(),
            merged: None,
        })
    }

    /// Stages one parsed mail and says what became of it.
    pub(super) fn take(
        &mut self,
        tx: &mut Transaction<'_>,
        mail: &IncomingMail,
        mailbox_queue: Option<&Slug>,
    ) -> Result<Outcome> {
        if let Some(t) = self.index.ticket_of(&mail.message_id) {
            return Ok(Outcome::Duplicate { ticket: Some(t) });
        }
        let domain = self.settings.support_email.domain();
        let mut target = None;
        let candidates = route::candidates(mail, |id| self.index.ticket_of(id), &domain);
        for &(t, by) in &candidates {
            if tx.ticket(t)?.is_some() {
                target = Some((t, by));
                break;
            }
        }
        // A ticket merged away lives on in its target (ids are never reused).
        if target.is_none() {
            for &(t, by) in &candidates {
                if let Some(into) = self.merged_into(tx, t)? {
                    target = Some((into, by));
                    break;
                }
            }
        }
        let outcome = match target {
            Some((t, _)) if mail.bounce || mail.auto_submitted.is_some() => {
                let (heading, reason) = if mail.bounce {
                    (
                        format!("Delivery failure reported by {}:", mail.from),
                        "bounce",
                    )
                } else {
                    (
                        format!(
                            "Automatic reply from {} (the ticket was left as it was):",
                            mail.from
                        ),
                        "automatic reply",
                    )
                };
                let key = system_note(
                    tx,
                    self.ctx,
                    t,
                    mail.from.as_str(),
                    Some(mail.message_id.clone()),
                    format!("{heading}\n\n{}", mail.body),
                )?;
                self.index
                    .add(t, key, MessageKind::Note, Some(mail.message_id.clone()));
                Outcome::Note {
                    ticket: t,
                    reason: reason.into(),
                }
            }
            Some((t, by)) => {
                let was_done = tx.ticket(t)?.is_some_and(|x| x.status.is_done());
                let done = match tickets::customer_message(
                    tx,
                    self.ctx,
                    t,
                    IncomingCustomerMessage {
                        from: mail.from.clone(),
                        body: self.body_with_limits(mail),
                        message_id: Some(mail.message_id.clone()),
                        at: None,
                        attachments: self.attachments(mail),
                    },
                ) {
                    Ok(done) => done,
                    // The thread already holds this Message-ID.
                    Err(OpError::Exists {
                        kind: "message", ..
                    }) => return Ok(Outcome::Duplicate { ticket: Some(t) }),
                    Err(e) => return Err(e),
                };
                if let Some(key) = done.key {
                    self.index
                        .add(t, key, MessageKind::Customer, Some(mail.message_id.clone()));
                }
                // Only a mail that quotes the thread's Message-IDs came from someone who got
                // the thread; a `[#ID]` in a subject anyone can type.
                if by == route::ThreadedBy::Reference {
                    self.widen_cc(tx, t, mail)?;
                }
                Outcome::Reply {
                    ticket: t,
                    threaded_by: by.name(),
                    reopened: was_done,
                }
            }
            None => {
                // A queue's own mailbox feeds that queue; the main one routes by recipient.
                let queue = match mailbox_queue {
                    Some(q) => q.clone(),
                    None => route::queue_for(mail, &self.queues, &self.settings.default_queue),
                };
                self.new_ticket(tx, mail, queue)?
            }
        };
        let t = match &outcome {
            Outcome::NewTicket { ticket, .. }
            | Outcome::Reply { ticket, .. }
            | Outcome::Note { ticket, .. } => *ticket,
            _ => return Ok(outcome),
        };
        if self.touched.insert(t) {
            self.tickets.push(t);
        }
        Ok(outcome)
    }

    /// The ticket `id` was merged into (its `merged_from` names it), if any. The map is
    /// built on first need, once per run: only mails naming a missing ticket pay for it.
    fn merged_into(&mut self, tx: &Transaction<'_>, id: TicketId) -> Result<Option<TicketId>> {
        if self.merged.is_none() {
            let mut map = HashMap::new();
            for t in tx.ticket_ids()?.items {
                if let Ok(Some(ticket)) = tx.ticket(t) {
                    for from in ticket.merged_from {
                        map.insert(from, t);
                    }
                }
            }
            self.merged = Some(map);
        }
        Ok(self.merged.as_ref().and_then(|m| m.get(&id)).copied())
    }

    fn new_ticket(
        &mut self,
        tx: &mut Transaction<'_>,
        mail: &IncomingMail,
        queue: Slug,
    ) -> Result<Outcome> {
        let body = self.body_with_limits(mail);
        let files = self.attachments(mail);
        if body.trim().is_empty() && files.is_empty() && mail.subject.trim().is_empty() {
            return Err(OpError::invalid(
                "body",
                "the mail has no subject, no text and no attachments",
            ));
        }
        let id = ids::peek_ticket(tx)?;
        let now = self.ctx.now();
        // Replies go to Reply-To unless that is one of our own addresses.
        let email = mail
            .reply_to
            .clone()
            .filter(|r| {
                !self
                    .own
                    .iter()
                    .any(|o| o.as_str().eq_ignore_ascii_case(r.as_str()))
            })
            .unwrap_or_else(|| mail.from.clone());
        let account = self
            .accounts
            .get(&mail.from.as_str().to_ascii_lowercase())
            .or_else(|| self.accounts.get(&email.as_str().to_ascii_lowercase()))
            .cloned();
        let mut ticket = Ticket::new(
            id,
            NewTicket {
                title: ticket_title(&mail.subject),
                email,
                account,
                queue: queue.clone(),
                priority: Priority::default(),
                assignee: None,
                sticky: false,
            },
            now,
        );
        for c in &mail.cc {
            if !self.is_own(c) && !ticket.involves(c.as_str()) {
                ticket.cc.push(c.clone());
            }
        }
        let author = mail.from.to_string();
        let key = fresh_key(tx, self.ctx, &author, |k| vec![layout::message(id, k)])?;
        // Checks every attachment before staging any: a refusal leaves nothing behind.
        let attachments = attach::store(tx, &self.settings, id, &key, files)?;
        let message = Message {
            at: now,
            author,
            kind: MessageKind::Customer,
            message_id: Some(mail.message_id.clone()),
            body,
            attachments,
            time: None,
            extra: Default::default(),
        };
        ids::record_ticket(tx, id)?;
        tx.put_yaml(layout::ticket_file(id), &ticket);
        tx.put_yaml(layout::message(id, &key), &message);
        self.index.add(
            id,
            key,
            MessageKind::Customer,
            Some(mail.message_id.clone()),
        );

        let no_autoresponse = match &mail.unusable_sender {
            Some(raw) => {
                self.unusable_sender_note(tx, id, raw)?;
                Some(NoAutoResponse::UnusableAddress(raw.clone()).to_string())
            }
            None => self
                .autoresponse(tx, mail, &ticket, &message)?
                .map(|why| why.to_string()),
        };
        Ok(Outcome::NewTicket {
            ticket: id,
            queue,
            no_autoresponse,
        })
    }

    fn is_own(&self, addr: &Email) -> bool {
        self.own
            .iter()
            .any(|o| o.as_str().eq_ignore_ascii_case(addr.as_str()))
            || addr
                .as_str()
                .eq_ignore_ascii_case(crate::mail::UNKNOWN_SENDER)
    }

    /// A reply threaded by reference brings its sender and its Cc addresses into the
    /// ticket's `cc` (the customer stays the customer; the desk's own addresses are never
    /// added).
    fn widen_cc(&self, tx: &mut Transaction<'_>, id: TicketId, mail: &IncomingMail) -> Result<()> {
        let Some(mut ticket) = tx.ticket(id)? else {
            return Ok(());
        };
        let before = ticket.cc.len();
        for c in std::iter::once(&mail.from).chain(&mail.cc) {
            if !self.is_own(c) && !ticket.involves(c.as_str()) {
                ticket.cc.push(c.clone());
            }
        }
        if ticket.cc.len() != before {
            tx.put_yaml(layout::ticket_file(id), &ticket);
        }
        Ok(())
    }

    /// Says on ticket `id` that its sender's address could not be read.
    fn unusable_sender_note(
        &mut self,
        tx: &mut Transaction<'_>,
        id: TicketId,
        raw: &str,
    ) -> Result<()> {
        let body = format!(
            "The sender's address `{raw}` could not be decoded (it holds bytes of no known \
             character set), so it was not used: no auto-response was sent, and answers go \
             to {} until the customer's address is set with `git desk ticket edit {id} \
             --email ADDRESS`.",
            tx.ticket(id)?
                .map(|t| t.email.to_string())
                .unwrap_or_default()
        );
        let author = self.settings.support_email.to_string();
        let key = system_note(tx, self.ctx, id, &author, None, body)?;
        self.index.add(id, key, MessageKind::Note, None);
        Ok(())
    }

    /// Queues the queue's new-ticket response for `ticket`, or says why not.
    fn autoresponse(
        &mut self,
        tx: &mut Transaction<'_>,
        mail: &IncomingMail,
        ticket: &Ticket,
        first: &Message,
    ) -> Result<Option<NoAutoResponse>> {
        if let Some(why) = loops::automated(mail, &self.own) {
            return Ok(Some(why));
        }
        let text = self
            .queues
            .iter()
            .find(|q| q.slug == ticket.queue)
            .and_then(|q| q.new_ticket_response.clone())
            .filter(|t| !t.trim().is_empty());
        let Some(text) = text else {
            return Ok(Some(NoAutoResponse::NoneConfigured));
        };
        let limit = self.settings.autoresponse_limit_per_hour;
        let count = self
            .responses
            .entry(ticket.email.as_str().to_ascii_lowercase())
            .or_default();
        if *count >= limit {
            return Ok(Some(NoAutoResponse::RateLimited { limit }));
        }
        *count += 1;

        let id = ticket.id;
        let author = self.settings.support_email.to_string();
        let key = fresh_key(tx, self.ctx, &author, |k| {
            vec![layout::message(id, k), layout::outbox(k)]
        })?;
        let out = Reply {
            settings: &self.settings,
            ticket,
            key: &key,
            thread: std::slice::from_ref(first),
            body: text.clone(),
            attachments: vec![],
            now: self.ctx.now(),
        }
        .autoresponse();
        let message = Message {
            at: self.ctx.now(),
            author,
            kind: MessageKind::Autoresponse,
            message_id: Some(out.message_id.clone()),
            body: text,
            attachments: vec![],
            time: None,
            extra: Default::default(),
        };
        tx.put_yaml(layout::outbox(&key), &out);
        tx.put_yaml(layout::message(id, &key), &message);
        self.index
            .add(id, key, MessageKind::Autoresponse, Some(out.message_id));
        Ok(None)
    }

    /// The attachments within the size limit.
    fn attachments(&self, mail: &IncomingMail) -> Vec<NewAttachment> {
        let max = self.settings.attachment_max_bytes;
        mail.attachments
            .iter()
            .filter(|a| a.bytes.len() as u64 <= max)
            .map(|a| NewAttachment {
                name: a
                    .name
                    .clone()
                    .unwrap_or_else(|| default_name(a.content_type.as_deref())),
                bytes: a.bytes.clone(),
                content_type: a.content_type.clone(),
            })
            .collect()
    }

    /// The body, with a line for every attachment too big to keep.
    fn body_with_limits(&self, mail: &IncomingMail) -> String {
        let max = self.settings.attachment_max_bytes;
        let mut body = mail.body.clone();
        for a in mail
            .attachments
            .iter()
            .filter(|a| a.bytes.len() as u64 > max)
        {
            let name = a.name.as_deref().unwrap_or("attachment");
            body.push_str(&format!(
                "\n[attachment \"{}\" ({} bytes) was not kept: larger than the limit of {max} bytes]\n",
                crate::mail::parse::one_line(name),
                a.bytes.len()
            ));
        }
        body
    }

    pub(super) fn commit_message(&self, report: &IngestReport) -> CommitMessage {
        let n = |f: fn(&Outcome) -> bool| report.count(f);
        let new = n(|o| matches!(o, Outcome::NewTicket { .. }));
        let replies = n(|o| matches!(o, Outcome::Reply { .. }));
        let notes = n(|o| matches!(o, Outcome::Note { .. }));
        let mut parts = vec![];
        if new > 0 {
            parts.push(plural(new, "new ticket"));
        }
        if replies > 0 {
            parts.push(plural(replies, "reply"));
        }
        if notes > 0 {
            parts.push(plural(notes, "note"));
        }
        let subject = format!("mail: ingest {}", parts.join(", "));
        let mut msg = CommitMessage::new(Op::MailIngest, MAIL_ACTOR, subject);
        for t in &self.tickets {
            msg = msg.ticket(*t);
        }
        msg
    }
}

fn plural(n: usize, what: &str) -> String {
    match (n, what) {
        (1, _) => format!("1 {what}"),
        (_, "reply") => format!("{n} replies"),
        _ => format!("{n} {what}s"),
    }
}

/// A ticket title from a subject: one line, at most the title limit, never empty.
fn ticket_title(subject: &str) -> String {
    let s = crate::mail::parse::one_line(subject);
    let s: String = s.chars().take(crate::model::ticket::MAX_TITLE).collect();
    if s.trim().is_empty() {
        "(no subject)".into()
    } else {
        s.trim().to_owned()
    }
}

/// A file name for an attachment that has none.
fn default_name(content_type: Option<&str>) -> String {
    let ext = match content_type.unwrap_or("") {
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "message/rfc822" => "eml",
        _ => "bin",
    };
    format!("attachment.{ext}")
}
