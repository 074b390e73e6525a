//! Answering a ticket (an e-mail to the customer, queued in the same commit) and writing
//! internal notes. Answering needs a complete profile ("Tech Support Admin Info") and the
//! ticket assigned to the actor, or picked up in the same command; the auto-close policy
//! decides the status afterwards. An answer may cite knowledge-base articles: their text
//! is appended before the signature (citing needs `kb.use`).

use crate::context::Context;
use crate::model::{
    outbox, Action, Message, MessageKind, Slug, Staff, Status, TicketId, TimeEntry,
};
use crate::store::{layout, DeskRead, Transaction};

use super::super::actor;
use super::super::error::Result;
use super::attach::{self, NewAttachment};
use super::{check_body, fresh_key, load_visible, mail, step, Done};

#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    /// The answer's text; the actor's signature is appended.
    pub body: String,
    pub attachments: Vec<NewAttachment>,
    /// An internal note written alongside.
    pub note: Option<String>,
    /// Pick the ticket up first (when it is nobody's).
    pub pickup: bool,
    /// Knowledge-base articles to cite, in order.
    pub kb: Vec<Slug>,
    /// A saved reply whose filled-in text follows `body` (which may then be empty).
    pub reply: Option<Slug>,
    /// Time spent, recorded on the answer.
    pub time: Option<TimeEntry>,
}

pub fn answer(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    input: AnswerInput,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    actor::require_profile(me, "answer tickets")?;
    let mut input = input;
    if let Some(slug) = &input.reply {
        let text = super::super::reply::for_ticket(tx, &settings, me, slug, &before)?;
        input.body = if input.body.trim().is_empty() {
            text
        } else {
            format!("{}\n\n{text}", input.body.trim_end())
        };
    }
    check_body(&input.body, "answer")?;
    if let Some(n) = &input.note {
        check_body(n, "note")?;
    }
    let mut actions = Vec::new();
    let pickup = input.pickup && !before.is_assigned_to(&me.login);
    if pickup {
        actions.push(Action::Pickup(me.login.clone()));
    }
    actions.push(Action::Answer {
        by: me.login.clone(),
        auto_close: settings.auto_close_days,
    });
    let after = step(&before, &actions, tx.now())?;

    let me_tag = me.login.to_string();
    let key = fresh_key(tx, ctx, &me_tag, |k| {
        vec![layout::message(id, k), layout::outbox(k)]
    })?;
    let attachments = attach::store(tx, &settings, id, &key, input.attachments)?;
    let input_reply = input.reply.clone();
    let mut text = input.body;
    for slug in &input.kb {
        let article = super::super::kb::show(tx, me, slug)?;
        text = super::super::kb::cite(&text, &article, &settings);
    }
    let body = outbox::with_signature(&text, me.signature.as_deref());
    let text = mail::AnswerText {
        body,
        attachments,
        time: input.time,
    };
    mail::queue_answer(tx, &settings, &after, &me_tag, &key, text)?;
    if let Some(text) = input.note {
        write_note(tx, ctx, me, id, text, vec![], None)?;
    }
    tx.put_yaml(layout::ticket_file(id), &after);

    let mut summary = String::new();
    if pickup {
        summary.push_str("pick up and ");
    }
    summary.push_str("answer");
    if let Some(slug) = &input_reply {
        summary.push_str(&format!(" with reply {slug}"));
    }
    if let Some(t) = input.time {
        summary.push_str(&time_summary(t));
    }
    if after.status == Status::Closed {
        summary.push_str(" (closed)");
    }
    Ok(Done {
        key: Some(key),
        assigned: pickup.then(|| me.login.clone()),
        ..Done::new(id, summary)
    })
}

/// An internal note: never mailed, leaves the status alone. It may record time spent.
pub fn note(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    body: String,
    attachments: Vec<NewAttachment>,
    time: Option<TimeEntry>,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    check_body(&body, "note")?;
    let after = step(&before, &[Action::Note], tx.now())?;
    let key = write_note(tx, ctx, me, id, body, attachments, time)?;
    tx.put_yaml(layout::ticket_file(id), &after);
    let mut summary = "note".to_owned();
    if let Some(t) = time {
        summary.push_str(&time_summary(t));
    }
    Ok(Done {
        key: Some(key),
        ..Done::new(id, summary)
    })
}

/// `ticket time`: time spent on a ticket without other text — a note whose body says so
/// (or the technician's own words), carrying the time entry.
pub fn log_time(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    time: TimeEntry,
    body: Option<String>,
) -> Result<Done> {
    let body = body.unwrap_or_else(|| {
        let kind = if time.billable {
            "billable"
        } else {
            "not billable"
        };
        format!(
            "Time spent: {} ({kind}).",
            crate::model::timelog::show_minutes(u64::from(time.minutes))
        )
    });
    let mut done = note(tx, ctx, me, id, body, vec![], Some(time))?;
    done.summary = format!("log time{}", time_summary(time));
    Ok(done)
}

/// ` (25m billable)` for commit subjects.
fn time_summary(t: TimeEntry) -> String {
    format!(
        " ({}{})",
        crate::model::timelog::show_minutes(u64::from(t.minutes)),
        if t.billable { " billable" } else { "" }
    )
}

/// Writes an internal note on ticket `id` (the caller updates `ticket.yaml` as its
/// operation requires).
pub(crate) fn write_note(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    body: String,
    attachments: Vec<NewAttachment>,
    time: Option<TimeEntry>,
) -> Result<crate::model::MessageKey> {
    let settings = &tx.settings()?;
    let key = fresh_key(tx, ctx, me.login.as_str(), |k| vec![layout::message(id, k)])?;
    let attachments = attach::store(tx, settings, id, &key, attachments)?;
    let message = Message {
        at: tx.now(),
        author: me.login.to_string(),
        kind: MessageKind::Note,
        message_id: None,
        body,
        attachments,
        time,
        extra: Default::default(),
    };
    tx.put_yaml(layout::message(id, &key), &message);
    Ok(key)
}
