//! Editing a ticket ("Ticket Info", "Edit Ticket Details", "Change User"): title, reply
//! address, Cc addresses, owner account (by login, or found by a search of logins, names and e-mails),
//! queue, priority, status and custom fields, all in one change (an edit of the custom
//! fields must leave every field the queue requires filled in). A status set to resolved or closed sends
//! the queue's auto-response like `ticket close` does.

use crate::context::Context;
use crate::model::{
    lifecycle, Account, Action, Email, Login, Priority, Slug, Staff, Status, Ticket, TicketId,
};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::{OpError, Result};
use super::{load_visible, mail, step_changes, Done};

/// The owner account to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChoice {
    Login(Login),
    /// The one account whose login, name or e-mail contains this text.
    Search(String),
    /// No owner.
    Clear,
}

#[derive(Debug, Clone, Default)]
pub struct TicketEdit {
    pub title: Option<String>,
    pub email: Option<Email>,
    /// Addresses to copy on answers, and to stop copying.
    pub add_cc: Vec<Email>,
    pub remove_cc: Vec<Email>,
    pub account: Option<AccountChoice>,
    pub queue: Option<Slug>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    /// Custom field values to set (`Some`) or clear (`None`).
    pub fields: Vec<(Slug, Option<String>)>,
}

pub fn edit(
    tx: &mut Transaction<'_>,
    ctx: &Context,
    me: &Staff,
    id: TicketId,
    e: TicketEdit,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    let mut actions = Vec::new();
    if let Some(title) = &e.title {
        let t = Ticket::check_title(title).map_err(|err| OpError::from_value("--title", err))?;
        actions.push(Action::Retitle(t));
    }
    if let Some(email) = e.email {
        actions.push(Action::SetEmail(email));
    }
    actions.extend(e.add_cc.into_iter().map(Action::AddCc));
    actions.extend(e.remove_cc.into_iter().map(Action::RemoveCc));
    if let Some(choice) = &e.account {
        let account = match choice {
            AccountChoice::Clear => None,
            AccountChoice::Login(l) => Some(
                tx.account(l)?
                    .ok_or_else(|| OpError::not_found("account", l))?
                    .login,
            ),
            AccountChoice::Search(text) => Some(find_account(tx, text)?.login),
        };
        actions.push(Action::SetAccount(account));
    }
    if let Some(q) = e.queue.clone() {
        if tx.queue(&q)?.is_none() {
            return Err(OpError::not_found("queue", &q));
        }
        actions.push(Action::MoveTo(q));
    }
    if let Some(p) = e.priority {
        actions.push(Action::SetPriority(p));
    }
    if let Some(s) = e.status {
        actions.push(Action::SetStatus {
            to: s,
            by: me.login.clone(),
        });
    }
    if !e.fields.is_empty() {
        let queue = e.queue.as_ref().unwrap_or(&before.queue);
        let values = super::fields::apply(&settings.fields, queue, &before.fields, &e.fields)?;
        actions.push(Action::SetFields(values));
    }
    if actions.is_empty() {
        return Err(OpError::invalid(
            "ticket edit",
            "nothing to change: give --title, --email, --cc, --remove-cc, --account, --queue, --priority, --status or --field",
        ));
    }
    let after = step_changes(&before, &actions, tx.now())?;
    let fields_changed = after.fields != before.fields;
    super::fields::require_complete(
        &settings.fields,
        &after,
        &format!("ticket {id}"),
        fields_changed,
    )?;
    tx.put_yaml(layout::ticket_file(id), &after);
    let sent = mail::closed_response(tx, ctx, &settings, &before, &after)?;
    let mut summary = format!(
        "edit {}",
        lifecycle::join_changes(&lifecycle::changes(&before, &after))
    );
    if sent {
        summary.push_str(" (auto-response queued)");
    }
    Ok(Done::new(id, summary))
}

/// "Change User" by search: the single account whose login, name or e-mail contains `text`
/// (case-insensitively); none or several is an error naming the candidates.
pub fn find_account(src: &(impl DeskRead + ?Sized), text: &str) -> Result<Account> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return Err(OpError::invalid(
            "--account-search",
            "the search text is empty",
        ));
    }
    let all = src.all_accounts()?.items;
    if let Some(exact) = all
        .iter()
        .find(|a| a.login.as_str() == needle || a.email.as_str().eq_ignore_ascii_case(&needle))
    {
        return Ok(exact.clone());
    }
    let found: Vec<Account> = all
        .into_iter()
        .filter(|a| {
            a.login.as_str().contains(&needle)
                || a.name.to_lowercase().contains(&needle)
                || a.email.as_str().to_lowercase().contains(&needle)
        })
        .collect();
    match found.len() {
        0 => Err(OpError::not_found("account matching", text.trim())),
        1 => Ok(found.into_iter().next().expect("one account")),
        n => Err(OpError::invalid(
            "--account-search",
            format!(
                "`{}` matches {n} accounts ({}); be more precise or give --account LOGIN",
                text.trim(),
                found
                    .iter()
                    .take(10)
                    .map(|a| a.login.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}
