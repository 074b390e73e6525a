//! "Make a New Ticket": a ticket with its opening message, made by a technician. The
//! opening text is recorded as the customer's message (the usual case: a request taken by
//! phone, or one question split off a customer's ticket) or, with `Opening::Note`, as an
//! internal note.

use crate::context::Context;
use crate::model::Op;
use crate::model::{
    Email, Login, Message, MessageKind, NewTicket, Permission, Priority, Slug, Staff, Ticket,
    TicketId,
};
use crate::store::{layout, CommitMessage, DeskRead, Transaction};

use super::super::actor;
use super::super::error::{OpError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Opening {
    #[default]
    Customer,
    Note,
}

#[derive(Debug, Clone, Default)]
pub struct NewTicketInput {
    pub title: String,
    pub email: Option<Email>,
    pub account: Option<Login>,
    pub queue: Option<Slug>,
    pub priority: Option<Priority>,
    pub assignee: Option<Login>,
    pub sticky: bool,
    pub body: String,
    pub opening: Opening,
    /// Custom field values (`--field NAME=VALUE`).
    pub fields: Vec<(Slug, Option<String>)>,
}

pub fn create(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    input: NewTicketInput,
) -> Result<(TicketId, CommitMessage)> {
    let settings = tx.settings()?;
    let title = Ticket::check_title(&input.title).map_err(|e| OpError::from_value("--title", e))?;
    if input.body.trim().is_empty() {
        return Err(OpError::invalid(
            "body",
            "the ticket's first message must not be empty",
        ));
    }

    let account = match &input.account {
        Some(login) => Some(
            tx.account(login)?
                .ok_or_else(|| OpError::not_found("account", login))?,
        ),
        None => None,
    };
    let email = match (&input.email, &account) {
        (Some(e), _) => e.clone(),
        (None, Some(a)) => a.email.clone(),
        (None, None) => {
            return Err(OpError::invalid(
                "--email",
                "give the customer's e-mail or --account",
            ))
        }
    };
    // The owner: as given, else the account whose address this is.
    let account = match account {
        Some(a) => Some(a.login),
        None => tx
            .all_accounts()?
            .items
            .into_iter()
            .find(|a| a.email.same_as(email.as_str()))
            .map(|a| a.login),
    };

    let queue = input
        .queue
        .clone()
        .unwrap_or_else(|| settings.default_queue.clone());
    if tx.queue(&queue)?.is_none() {
        return Err(OpError::not_found("queue", &queue));
    }

    if let Some(who) = &input.assignee {
        actor::require_profile(me, "assign tickets")?;
        if who != &me.login {
            actor::require(
                me,
                Permission::TicketsAssignOthers,
                "assign tickets to others",
            )?;
        }
        let staff = tx
            .staff(who)?
            .ok_or_else(|| OpError::not_found("staff member", who))?;
        if !staff.active {
            return Err(OpError::State(format!(
                "staff member `{who}` is not active"
            )));
        }
    }

    let values =
        super::fields::apply(&settings.fields, &queue, &Default::default(), &input.fields)?;

    let input_assignee = input.assignee.clone();
    let id = super::super::ids::next_ticket(tx)?;
    let now = ctx.now();
    let mut ticket = Ticket::new(
        id,
        NewTicket {
            title: title.clone(),
            email: email.clone(),
            account,
            queue,
            priority: input.priority.unwrap_or_default(),
            assignee: input.assignee.clone(),
            sticky: input.sticky,
        },
        now,
    );
    ticket.fields = values;
    super::fields::require_complete(&settings.fields, &ticket, "the new ticket", true)?;
    let (author, kind) = match input.opening {
        Opening::Customer => (email.to_string(), MessageKind::Customer),
        Opening::Note => (me.login.to_string(), MessageKind::Note),
    };
    let key = ctx.new_key(&author);
    let message = Message {
        at: now,
        author,
        kind,
        message_id: None,
        body: input.body,
        attachments: vec![],
        time: None,
        extra: Default::default(),
    };
    tx.put_yaml(layout::ticket_file(id), &ticket);
    tx.put_yaml(layout::message(id, &key), &message);

    let subject = format!(
        "ticket {id}: new \"{}\"",
        crate::store::commit::one_line(&title, 80)
    );
    let mut msg = CommitMessage::new(Op::TicketNew, me.login.as_str(), subject).ticket(id);
    if let Some(who) = &input_assignee {
        // Statistics count this as a pick-up or assignment.
        msg = msg.trailer(crate::store::commit::TRAILER_ASSIGNEE, who.as_str());
    }
    Ok((id, msg))
}
