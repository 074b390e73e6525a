//! The changes the commit sections time: for each, the `git desk` command (or, for a
//! command the binary under test lacks, the in-process stand-in) and the same change made
//! by git on another ticket of the same desk.
//!
//! git's version of a change is derived from the commit git-desk just made: every file it
//! added is added again (same bytes) under the other ticket or beside the original with a
//! `-git` suffix, and a modified `ticket.yaml` becomes a one-line priority change of the
//! other ticket's `ticket.yaml` — as many files, of the same sizes, as git-desk wrote.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context as _, Result};
use git_desk::model::TicketId;
use git_desk::store::{layout, Desk, DeskRead, Source, TreeSource};

use crate::generate::Fixture;
use crate::measure::Tools;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Issue 2: `ticket new`.
    NewTicket,
    /// Issue 2: one field of ticket.yaml (`ticket edit ID --priority N`).
    FieldEdit,
    /// Issue 3: `ticket answer` (message, outbox mail, ticket.yaml).
    Answer,
    /// Issue 3: `ticket assign` (ticket.yaml).
    Assign,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::NewTicket => "ticket new",
            Change::FieldEdit => "field edit",
            Change::Answer => "answer",
            Change::Assign => "assign",
        }
    }
}

/// The tickets a desk of `tickets` tickets changes: git-desk's, and git's other one. Both
/// are among the newest tenth, which is open and assigned (see `generate`).
pub fn targets(tickets: u64) -> (TicketId, TicketId) {
    let a = (tickets - tickets / 20).max(1);
    (ticket(a), ticket(a + 1))
}

fn ticket(n: u64) -> TicketId {
    TicketId::new(n).expect("positive")
}

/// What the binary under test offers.
pub struct Abilities {
    pub edit: bool,
    pub answer: bool,
    pub assign: bool,
}

impl Abilities {
    pub fn probe(tools: &Tools) -> Abilities {
        Abilities {
            edit: tools.desk_has(&["ticket", "edit"], &["--priority"]),
            answer: tools.desk_has(&["ticket", "answer"], &["--body"]),
            assign: tools.desk_has(&["ticket", "assign"], &["nobody"]),
        }
    }

    pub fn has(&self, change: Change) -> bool {
        match change {
            Change::NewTicket | Change::FieldEdit => true,
            Change::Answer => self.answer,
            Change::Assign => self.assign,
        }
    }

    /// How git-desk makes `change`.
    pub fn via(&self, change: Change) -> &'static str {
        match change {
            Change::NewTicket => "git desk ticket new",
            Change::FieldEdit if self.edit => "git desk ticket edit --priority",
            Change::FieldEdit => "stand-in (no `ticket edit` yet)",
            Change::Answer => "git desk ticket answer",
            Change::Assign => "git desk ticket assign",
        }
    }
}

/// The git-desk command for run `i` of `change` on the desk at `dir`.
pub fn command(
    tools: &Tools,
    can: &Abilities,
    dir: &Path,
    change: Change,
    tickets: u64,
    i: usize,
) -> Result<Command> {
    let (ours, _) = targets(tickets);
    let id = ours.to_string();
    let head = || -> Result<TreeSource> { Ok(Desk::open(dir)?.reader_at("HEAD")?) };
    let mut cmd = tools.desk(dir);
    cmd.args(["--as", "alice", "ticket"]);
    match change {
        Change::NewTicket => {
            cmd.args([
                "new",
                "--title",
                "Bench ticket",
                "--email",
                "customer@bench.invalid",
            ])
            .args(["-m", "The printer is on fire."]);
        }
        Change::FieldEdit => {
            let p = other_priority(&head()?, ours)?.to_string();
            if can.edit {
                cmd.args(["edit", &id, "--priority", &p]);
            } else {
                cmd = tools.me();
                cmd.arg("--stand-in-edit").arg(dir).args([&id, &p]);
            }
        }
        Change::Answer => {
            cmd.args([
                "answer",
                &id,
                "--body",
                &format!("Answer {i}: please try again now."),
            ]);
        }
        Change::Assign => {
            let t = head()?.ticket(ours)?.context("no such ticket")?;
            let to = if t.assignee.as_ref().is_some_and(|l| l.as_str() == "bob") {
                "nobody"
            } else {
                "bob"
            };
            cmd.args(["assign", &id, to]);
        }
    }
    Ok(cmd)
}

/// Untimed preparation before the runs of `change` (an answer needs the ticket assigned
/// to the one answering).
pub fn prepare(tools: &Tools, dir: &Path, change: Change, tickets: u64) -> Result<()> {
    if change == Change::Answer {
        let (ours, _) = targets(tickets);
        let t = Desk::open(dir)?.reader_at("HEAD")?.ticket(ours)?;
        let mine = t.is_some_and(|t| t.assignee.is_some_and(|l| l.as_str() == "alice"));
        if !mine {
            tools.desk_ok(
                dir,
                &[
                    "--as",
                    "alice",
                    "ticket",
                    "assign",
                    &ours.to_string(),
                    "alice",
                ],
            )?;
        }
    }
    Ok(())
}

/// git's version of the change git-desk just committed on the desk at `dir` (files to
/// write, with their bytes), made on the other ticket.
pub fn for_git(
    fx: &Fixture,
    dir: &Path,
    change: Change,
    stdout: &str,
    tickets: u64,
) -> Result<Vec<(String, Vec<u8>)>> {
    if change == Change::NewTicket {
        let made: u64 = stdout
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("unexpected output of ticket new: {stdout}"))?;
        // The next ticket and its first message.
        let mut f = fx.ticket_files(made + 1, made + 1);
        f.truncate(2);
        return Ok(f);
    }
    let (ours, theirs) = targets(tickets);
    let head = Desk::open(dir)?.reader_at("HEAD")?;
    let (our_dir, their_dir) = (layout::ticket_dir(ours), layout::ticket_dir(theirs));
    let mut out = Vec::new();
    for (status, path) in changed_paths(dir)? {
        match status.as_str() {
            "M" if path == layout::ticket_file(ours) => {
                let path = layout::ticket_file(theirs);
                let text = String::from_utf8(head.read(&path)?.context("no such ticket")?)?;
                let p = other_priority(&head, theirs)?;
                let edited: String = text
                    .lines()
                    .map(|l| match l.starts_with("priority: ") {
                        true => format!("priority: {p}\n"),
                        false => format!("{l}\n"),
                    })
                    .collect();
                out.push((path, edited.into_bytes()));
            }
            "A" => {
                let bytes = head.read(&path)?.context("an added file is in HEAD")?;
                let moved = match path.strip_prefix(&our_dir) {
                    Some(rest) => format!("{their_dir}{rest}"),
                    None => path.clone(),
                };
                out.push((other_key(&moved), bytes));
            }
            _ => bail!(
                "{} changed {path} ({status}), which git's version cannot mirror",
                change.name()
            ),
        }
    }
    Ok(out)
}

/// `…-3f2a.yaml` → `…-3f2b.yaml`: another valid message key, so git's copy of an added
/// file never lands on git-desk's own.
fn other_key(path: &str) -> String {
    let Some(stem) = path.strip_suffix(".yaml") else {
        return format!("{path}.git");
    };
    match stem.rsplit_once('-') {
        Some((head, hex)) if hex.len() == 4 => match u16::from_str_radix(hex, 16) {
            Ok(n) => format!("{head}-{:04x}.yaml", n.wrapping_add(1)),
            Err(_) => format!("{stem}-git.yaml"),
        },
        _ => format!("{stem}-git.yaml"),
    }
}

/// `git diff-tree` of HEAD: (status letter, path).
fn changed_paths(dir: &Path) -> Result<Vec<(String, String)>> {
    let out = crate::measure::checked(Command::new("git").arg("-C").arg(dir).args([
        "diff-tree",
        "-r",
        "--no-commit-id",
        "--name-status",
        "HEAD",
    ]))?;
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(s, p)| (s.to_owned(), p.to_owned()))
        .collect())
}

/// A priority different from the ticket's current one, so every run changes something.
fn other_priority(src: &impl Source, id: TicketId) -> Result<u8> {
    let t = src.ticket(id)?.with_context(|| format!("no ticket {id}"))?;
    Ok(if t.priority.get() == 60 { 61 } else { 60 })
}
