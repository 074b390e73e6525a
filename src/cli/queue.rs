//! `git desk queue new|list|show|edit|delete`: ticket queues ("Queue Administration").

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

use super::output::{cell, report_commit, safe_text, table};
use super::Env;
use crate::model::{Email, Slug};
use crate::ops::{self, queue as q};

#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// Make a queue (needs queues.admin).
    New(NewArgs),
    /// List the queues.
    List,
    /// Show a queue with its auto-responses.
    Show(SlugArgs),
    /// Change a queue (needs queues.admin); an empty value clears an optional field.
    Edit(EditArgs),
    /// Delete a queue, moving its tickets (--move-to) or deleting them (--delete-tickets,
    /// which also needs tickets.delete). The last queue and the default queue cannot be
    /// deleted. Needs queues.admin.
    Delete(DeleteArgs),
}

#[derive(Debug, clap::Args)]
pub struct SlugArgs {
    /// The queue's slug.
    pub slug: Slug,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct FieldArgs {
    /// The queue's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Its e-mail address (an alias of the main support address); "" clears.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// A Maildir polled for this queue, relative to the desk; "" clears.
    #[arg(long, value_name = "PATH")]
    pub mailbox: Option<String>,
    /// The auto-response to a new ticket; "" clears.
    #[arg(long, value_name = "TEXT", conflicts_with = "new_ticket_response_file")]
    pub new_ticket_response: Option<String>,
    /// Read the new-ticket auto-response from FILE.
    #[arg(long, value_name = "FILE")]
    pub new_ticket_response_file: Option<PathBuf>,
    /// The auto-response when a ticket is resolved or closed; "" clears.
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "closed_ticket_response_file"
    )]
    pub closed_ticket_response: Option<String>,
    /// Read the resolved/closed auto-response from FILE.
    #[arg(long, value_name = "FILE")]
    pub closed_ticket_response_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The slug (lower-case letters, digits, `-`).
    pub slug: Slug,
    #[command(flatten)]
    pub fields: FieldArgs,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The queue's slug.
    pub slug: Slug,
    #[command(flatten)]
    pub fields: FieldArgs,
}

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// The queue's slug.
    pub slug: Slug,
    /// Move its tickets to this queue.
    #[arg(
        long,
        value_name = "QUEUE",
        required_unless_present = "delete_tickets",
        conflicts_with = "delete_tickets"
    )]
    pub move_to: Option<Slug>,
    /// Delete its tickets.
    #[arg(long)]
    pub delete_tickets: bool,
}

fn text(v: Option<String>, file: Option<PathBuf>, flag: &str) -> Result<Option<Option<String>>> {
    let v = match (v, file) {
        (Some(t), _) => Some(t),
        (None, Some(f)) => Some(
            std::fs::read_to_string(&f).with_context(|| format!("{flag}-file {}", f.display()))?,
        ),
        (None, None) => None,
    };
    Ok(v.map(|t| Some(t).filter(|t| !t.trim().is_empty())))
}

impl FieldArgs {
    fn resolve(self) -> Result<q::QueueFields> {
        let email = match self.email {
            Some(e) if e.trim().is_empty() => Some(None),
            Some(e) => Some(Some(
                e.parse::<Email>()
                    .map_err(|err| anyhow::anyhow!("--email: {err}"))?,
            )),
            None => None,
        };
        Ok(q::QueueFields {
            name: self.name,
            email,
            mailbox: self
                .mailbox
                .map(|m| Some(m).filter(|m| !m.trim().is_empty())),
            new_ticket_response: text(
                self.new_ticket_response,
                self.new_ticket_response_file,
                "--new-ticket-response",
            )?,
            closed_ticket_response: text(
                self.closed_ticket_response,
                self.closed_ticket_response_file,
                "--closed-ticket-response",
            )?,
        })
    }
}

pub fn run(env: &Env, cmd: QueueCommand, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    match cmd {
        QueueCommand::List => {
            let reader = desk.reader()?;
            let loaded = q::list(reader.as_ref())?;
            for p in &loaded.problems {
                let _ = writeln!(std::io::stderr(), "warning: {p}");
            }
            if env.printer.json {
                env.printer.json(out, &loaded.items)?;
                return Ok(0);
            }
            let default = crate::store::DeskRead::settings(reader.as_ref())?.default_queue;
            let mut rows = vec![vec![
                "SLUG".to_string(),
                "NAME".into(),
                "E-MAIL".into(),
                "AUTO-RESPONSES".into(),
            ]];
            for qu in &loaded.items {
                let mut autos = Vec::new();
                if qu.new_ticket_response.is_some() {
                    autos.push("new");
                }
                if qu.closed_ticket_response.is_some() {
                    autos.push("closed");
                }
                let slug = if qu.slug == default {
                    format!("{} (default)", qu.slug)
                } else {
                    qu.slug.to_string()
                };
                rows.push(vec![
                    slug,
                    cell(&qu.name, 40),
                    qu.email.as_ref().map_or("-".into(), |e| e.to_string()),
                    if autos.is_empty() {
                        "-".into()
                    } else {
                        autos.join(", ")
                    },
                ]);
            }
            table(out, &rows)?;
        }
        QueueCommand::Show(a) => {
            let reader = desk.reader()?;
            let qu = q::show(reader.as_ref(), &a.slug)?;
            if env.printer.json {
                env.printer.json(out, &qu)?;
                return Ok(0);
            }
            table(
                out,
                &[
                    vec!["Slug".into(), qu.slug.to_string()],
                    vec!["Name".into(), cell(&qu.name, 100)],
                    vec![
                        "E-mail".into(),
                        qu.email.as_ref().map_or("-".into(), |e| e.to_string()),
                    ],
                    vec![
                        "Mailbox".into(),
                        qu.mailbox.as_deref().map_or("-".into(), |m| cell(m, 200)),
                    ],
                ],
            )?;
            for (title, t) in [
                ("New ticket auto-response", &qu.new_ticket_response),
                ("Resolved/closed auto-response", &qu.closed_ticket_response),
            ] {
                writeln!(out, "\n{title}:")?;
                writeln!(
                    out,
                    "{}",
                    t.as_deref()
                        .map_or("(none)".into(), |t| safe_text(t.trim_end()))
                )?;
            }
        }
        QueueCommand::New(a) => {
            let me = env.actor(&desk)?;
            let fields = a.fields.resolve()?;
            let slug = a.slug.clone();
            let (_, commit) =
                ops::mutate(&desk, &env.ctx, &me, |tx, me| q::new(tx, me, slug, fields))?;
            report_commit(
                &env.printer,
                out,
                &format!("queue {} created", a.slug),
                commit,
            )?;
        }
        QueueCommand::Edit(a) => {
            let me = env.actor(&desk)?;
            let fields = a.fields.resolve()?;
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                q::edit(tx, me, &a.slug, fields)
            })?;
            report_commit(
                &env.printer,
                out,
                &format!("queue {} changed", a.slug),
                commit,
            )?;
        }
        QueueCommand::Delete(a) => {
            let me = env.actor(&desk)?;
            let disposal = match (a.move_to, a.delete_tickets) {
                (Some(to), false) => q::Disposal::MoveTo(to),
                (None, true) => q::Disposal::DeleteTickets,
                _ => bail!("give either --move-to QUEUE or --delete-tickets"),
            };
            let (subject, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                let ((), msg) = q::delete(tx, me, &a.slug, disposal)?;
                Ok((msg.subject.clone(), msg))
            })?;
            report_commit(&env.printer, out, &subject, commit)?;
        }
    }
    Ok(0)
}
