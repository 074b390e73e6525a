//! Reading the facts statistics need: each ticket's summary from its files (only the
//! fields counted: `ticket.yaml`, and `at`/`kind`/`author` of each message), and the
//! directory of names (staff, queues, accounts with their reseller, resellers). A broken
//! file becomes a problem line and is left out; the rest is counted.

use serde::Deserialize;

use crate::model::message::MessageHead;
use crate::model::stats::{AccountFacts, Directory, MessageFact, TicketFacts};
use crate::model::{Login, Ticket, TicketId, Timestamp};
use crate::store::scan::TicketFiles;
use crate::store::{layout, yaml, DeskRead, Source};

use super::super::error::Result;

/// A ticket's facts, or why they could not be read; plus problems with single messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub facts: Option<TicketFacts>,
    pub problems: Vec<String>,
}

/// The facts of ticket `id` from the files of its directory.
pub fn parse_ticket(id: TicketId, files: &TicketFiles) -> Parsed {
    let path = layout::ticket_file(id);
    let mut problems = Vec::new();
    let ticket = match &files.ticket {
        None => Err(format!("{}: missing", path)),
        Some(bytes) => yaml::parse_fields::<Ticket>(&path, bytes).map_err(|e| e.to_string()),
    };
    let ticket = match ticket {
        Ok(t) if t.id == id => t,
        Ok(t) => {
            let msg = format!("{path}: id is `{}` but the directory says `{id}`", t.id);
            return Parsed {
                facts: None,
                problems: vec![msg],
            };
        }
        Err(e) => {
            return Parsed {
                facts: None,
                problems: vec![e],
            }
        }
    };
    let dir = layout::messages_dir(id);
    let mut messages = Vec::with_capacity(files.messages.len());
    for (name, bytes) in &files.messages {
        if !name.ends_with(".yaml") {
            continue;
        }
        let path = format!("{dir}/{name}");
        match yaml::parse_head::<MessageHead>(&path, bytes) {
            Ok(m) => messages.push(MessageFact::new(m.at, m.kind, &m.author).with_time(m.time)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    Parsed {
        facts: Some(TicketFacts::from_ticket(&ticket, messages)),
        problems,
    }
}

/// Every ticket of a desk read through a [`Source`] (a plain directory, or a work tree
/// before its first commit): no cache, full reads.
pub fn tickets_from_source(
    src: &(impl Source + ?Sized),
) -> Result<(Vec<TicketFacts>, Vec<String>)> {
    let ids = src.ticket_ids()?;
    let mut problems: Vec<String> = ids.problems.iter().map(|p| p.to_string()).collect();
    let mut out = Vec::with_capacity(ids.items.len());
    for id in ids.items {
        let ticket = match src.ticket(id) {
            Ok(Some(t)) => t,
            Ok(None) => {
                problems.push(format!("{}: missing", layout::ticket_file(id)));
                continue;
            }
            Err(crate::store::StoreError::File(e)) => {
                problems.push(e.to_string());
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let loaded = src.messages(id)?;
        problems.extend(loaded.problems.iter().map(|p| p.to_string()));
        let messages = loaded
            .items
            .iter()
            .map(|(_, m)| MessageFact::new(m.at, m.kind, &m.author))
            .collect();
        out.push(TicketFacts::from_ticket(&ticket, messages));
    }
    Ok((out, problems))
}

/// The fields of an account file that statistics read.
#[derive(Deserialize)]
struct AccountHead {
    #[serde(default)]
    reseller: Option<Login>,
    #[serde(default)]
    created_at: Option<Timestamp>,
}

/// Accounts from `(file name, bytes)` pairs of `accounts/`, keyed by the file's login.
pub fn parse_accounts(
    files: &[(String, Vec<u8>)],
    problems: &mut Vec<String>,
) -> Vec<(Login, AccountFacts)> {
    let mut out = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let Some(login) = name
            .strip_suffix(".yaml")
            .and_then(|s| s.parse::<Login>().ok())
        else {
            continue;
        };
        let path = format!("{}/{name}", layout::ACCOUNTS_DIR);
        match yaml::parse_fields::<AccountHead>(&path, bytes) {
            Ok(a) => out.push((
                login,
                AccountFacts {
                    reseller: a.reseller,
                    created_at: a.created_at,
                },
            )),
            Err(e) => problems.push(e.to_string()),
        }
    }
    out
}

/// Staff, queues and resellers (few files, read in full) — accounts are added by the
/// caller, from a cache or with [`accounts_from_source`].
pub fn directory(src: &(impl Source + ?Sized), problems: &mut Vec<String>) -> Result<Directory> {
    let staff = src.all_staff()?;
    let queues = src.all_queues()?;
    let resellers = src.all_resellers()?;
    for p in staff
        .problems
        .iter()
        .chain(&queues.problems)
        .chain(&resellers.problems)
    {
        problems.push(p.to_string());
    }
    Ok(Directory {
        staff: staff
            .items
            .iter()
            .map(|s| (s.login.to_string(), s.display_name().to_owned()))
            .collect(),
        queues: queues.items.into_iter().map(|q| (q.slug, q.name)).collect(),
        accounts: Default::default(),
        resellers: resellers.items,
    })
}

/// Every account of a [`Source`], read in full.
pub fn accounts_from_source(
    src: &(impl Source + ?Sized),
    problems: &mut Vec<String>,
) -> Result<Vec<(Login, AccountFacts)>> {
    let all = src.all_accounts()?;
    problems.extend(all.problems.iter().map(|p| p.to_string()));
    Ok(all
        .items
        .into_iter()
        .map(|a| {
            let facts = AccountFacts {
                reseller: a.reseller,
                created_at: a.created_at,
            };
            (a.login, facts)
        })
        .collect())
}
