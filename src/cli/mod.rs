//! The command line: clap types, and rendering of results. The only module that prints.
//! Each family of subcommands has its own file with its `…Args` types and a `run` function;
//! this file holds the global options, the command enum and the dispatch.

mod attach;
mod autoclose;
mod billing;
mod body;
mod check;
mod completions;
mod csv;
mod customer;
mod escalate;
mod index;
mod init;
mod kb;
mod log;
mod macros;
mod mail;
mod man;
mod msg;
mod output;
mod pipe;
mod queue;
mod reply;
mod search;
mod settings;
mod site;
pub mod spell;
mod staff;
mod stats;
mod sync;
mod task;
mod ticket;
mod verify;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

use crate::context::{Context, ENV_ACTOR};
use crate::model::Staff;
use crate::ops::ActorSpec;
use crate::store::Desk;

pub use output::Printer;
pub use pipe::PipeSafe;

/// A help desk whose database is a git repository of YAML files.
///
/// Every change is one commit; `git log` is the audit trail. Run it as `git desk …`.
#[derive(Debug, Parser)]
#[command(
    name = "git-desk",
    bin_name = "git desk",
    version,
    max_term_width = 100
)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR", id = "chdir")]
    pub chdir: Option<PathBuf>,
    /// Act as this staff login (else $GIT_DESK_ACTOR, else git's user.email).
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub actor: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a desk (runs git init where needed) and its first commit.
    Init(init::InitArgs),
    /// Work with trouble tickets.
    #[command(subcommand)]
    Ticket(ticket::TicketCommand),
    /// Manage technicians and admins.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// The Task System: tasks with assignees, due dates and notes.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Private messages between technicians.
    #[command(subcommand)]
    Msg(msg::MsgCommand),
    /// The knowledge base: Markdown articles.
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// Saved replies: answer texts with variables (`ticket answer ID --reply SLUG`).
    #[command(subcommand)]
    Reply(reply::ReplyCommand),
    /// Macros: steps applied to a ticket in one commit (`ticket macro ID SLUG`).
    #[command(subcommand, name = "macro")]
    Macro(macros::MacroCommand),
    /// Check the spelling of a text; exit 1 when a word is misspelled.
    Spell(spell::SpellArgs),
    /// Ticket queues ("Queue Administration").
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Customer accounts, the owners of tickets.
    #[command(subcommand)]
    Account(customer::AccountCommand),
    /// Resellers and their custom support prices.
    #[command(subcommand)]
    Reseller(customer::ResellerCommand),
    /// Show or change the desk's settings.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Validate every file of the desk; exit 1 when anything is wrong.
    Check(check::CheckArgs),
    /// Show the audit trail of the desk, or of one ticket.
    Log(log::LogArgs),
    /// Take mail in from Maildirs; send the outbox over SMTP.
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Search tickets, tasks and articles by any field, date range or text.
    #[command(after_long_help = search::LANGUAGE)]
    Search(search::SearchArgs),
    /// Bring the search index up to date, or rebuild it.
    Index(index::IndexArgs),
    /// Exchange the desk with the shared remote (fetch, replay, push).
    Sync(sync::SyncArgs),
    /// Check history against the permissions (who may have done what).
    Verify(verify::VerifyArgs),
    /// Git hooks for a server repository.
    #[command(subcommand)]
    Hook(verify::HookCommand),
    Autoclose(autoclose::AutocloseArgs),
    Escalate(escalate::EscalateArgs),
    /// Ticket statistics for a range of days.
    Stats(stats::StatsArgs),
    /// Reseller end-user support billing for a range of days.
    Billing(billing::BillingArgs),
    /// Build the read-only dashboard site.
    #[command(subcommand)]
    Site(site::SiteCommand),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

/// What every command gets: where it runs, the context, how to print.
pub struct Env {
    pub cwd: PathBuf,
    pub actor_flag: Option<String>,
    pub ctx: Context,
    pub printer: Printer,
}

impl Env {
    /// The desk containing the working directory, with whatever an interrupted git-desk
    /// command left finished first (said in one line on standard error).
    pub fn desk(&self) -> Result<Desk> {
        let desk = Desk::discover(&self.cwd)?;
        match desk.recover() {
            // Written, not `eprintln!`: a closed standard error must not panic (see `pipe`).
            Ok(r) if !r.is_empty() => {
                let _ = writeln!(std::io::stderr(), "git-desk: {}", r.summary());
            }
            Ok(_) => {}
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: an interrupted git-desk command left work that could not be finished yet: {e}"
                );
            }
        }
        Ok(desk)
    }

    /// The acting staff member, read from the desk as its users see it.
    pub fn actor(&self, desk: &Desk) -> Result<Staff> {
        let git_email = desk.repo().and_then(|r| {
            r.config_snapshot()
                .string("user.email")
                .map(|s| s.to_string())
        });
        let spec = ActorSpec {
            flag: self.actor_flag.clone(),
            env: std::env::var(ENV_ACTOR).ok(),
            git_email,
        };
        let reader = desk.reader()?;
        Ok(spec.resolve(reader.as_ref())?)
    }
}

impl Env {
    /// The caller's key for private messages: `GIT_DESK_IDENTITY`, else
    /// `git config desk.identity`, else `~/.ssh/id_ed25519`. A protected key's passphrase comes from `GIT_DESK_PASSPHRASE`,
    /// else from a prompt on the terminal (never when standard error is not one).
    pub fn keyring(&self, desk: &Desk) -> crate::seal::Keyring {
        use crate::seal::{IdentityFile, Keyring, Passphrase};
        use std::io::IsTerminal;
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        let configured = std::env::var(crate::context::ENV_IDENTITY)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(|p| self.cwd.join(p).display().to_string())
            .or_else(|| {
                desk.repo().and_then(|r| {
                    r.config_snapshot()
                        .string("desk.identity")
                        .map(|s| s.to_string())
                        .filter(|s| !s.trim().is_empty())
                })
            });
        let path = match configured {
            Some(p) => match p.strip_prefix("~/") {
                Some(rest) => home.join(rest),
                None => desk.root().join(p),
            },
            None => home.join(".ssh").join("id_ed25519"),
        };
        let passphrase = match std::env::var(crate::context::ENV_PASSPHRASE) {
            Ok(p) => Passphrase::Given(p),
            Err(_) => Passphrase::Ask(Box::new(|path: &std::path::Path| {
                if !std::io::stderr().is_terminal() {
                    return None;
                }
                rpassword::prompt_password(format!("Passphrase for {}: ", path.display())).ok()
            })),
        };
        Keyring::new(IdentityFile { path, passphrase })
    }
}

/// An edit's new list: empty when `clear` (`--no-tags`), unchanged (`None`) when no item
/// is given, else the items given.
pub(crate) fn replacement<T>(clear: bool, items: Vec<T>) -> Option<Vec<T>> {
    if clear {
        Some(Vec::new())
    } else if items.is_empty() {
        None
    } else {
        Some(items)
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let cwd = match &cli.chdir {
        Some(d) => std::env::current_dir()
            .context("reading the current directory")?
            .join(d),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    let ctx = Context::from_env()?;
    let env = Env {
        cwd,
        actor_flag: cli.actor.clone(),
        ctx,
        printer: Printer::new(cli.json),
    };
    match cli.command {
        Command::Init(a) => init::run(&env, a, out),
        Command::Ticket(c) => ticket::run(&env, c, out, err),
        Command::Staff(c) => staff::run(&env, c, out),
        Command::Task(c) => task::run(&env, c, out, err),
        Command::Msg(c) => msg::run(&env, c, out, err),
        Command::Kb(c) => kb::run(&env, c, out, err),
        Command::Reply(c) => reply::run(&env, c, out, err),
        Command::Macro(c) => macros::run(&env, c, out, err),
        Command::Spell(a) => spell::run(&env, a, out, err),
        Command::Queue(c) => queue::run(&env, c, out),
        Command::Account(c) => customer::run_account(&env, c, out),
        Command::Reseller(c) => customer::run_reseller(&env, c, out),
        Command::Settings(c) => settings::run(&env, c, out),
        Command::Check(a) => check::run(&env, a, out),
        Command::Log(a) => log::run(&env, a, out),
        Command::Mail(c) => mail::run(&env, c, out, err),
        Command::Search(a) => search::run(&env, a, out, err),
        Command::Index(a) => index::run(&env, a, out, err),
        Command::Sync(a) => sync::run(&env, a, out, err),
        Command::Verify(a) => verify::run_verify(&env, a, out),
        Command::Hook(c) => verify::run_hook(&env, c, err),
        Command::Autoclose(a) => autoclose::run(&env, a, out),
        Command::Escalate(a) => escalate::run(&env, a, out),
        Command::Stats(a) => stats::run(&env, a, out, err),
        Command::Billing(a) => billing::run(&env, a, out, err),
        Command::Site(c) => site::run(&env, c, out, err),
        Command::Completions(a) => completions::run(a, out),
        Command::Man(a) => man::run(a, out),
    }
}
