//! The command line: clap types, and rendering of results. The only module that prints.
//! Each family of subcommands has its own file with its `…Args` types and a `run` function;
//! this file holds the global options, the command enum and the dispatch.

mod body;
mod check;
mod init;
mod log;
mod output;
mod site;
mod staff;
mod ticket;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{CommandFactory, Parser, Subcommand};

use crate::context::{Context, ENV_ACTOR};
use crate::model::Staff;
use crate::ops::ActorSpec;
use crate::store::Desk;

pub use output::Printer;

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
    /// Validate every file of the desk; exit 1 when anything is wrong.
    Check(check::CheckArgs),
    /// Show the audit trail of the desk, or of one ticket.
    Log(log::LogArgs),
    /// Build the read-only dashboard site.
    #[command(subcommand)]
    Site(site::SiteCommand),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// What every command gets: where it runs, the context, how to print.
pub struct Env {
    pub cwd: PathBuf,
    pub actor_flag: Option<String>,
    pub ctx: Context,
    pub printer: Printer,
}

impl Env {
    /// The desk containing the working directory.
    pub fn desk(&self) -> Result<Desk> {
        Ok(Desk::discover(&self.cwd)?)
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
        Command::Check(a) => check::run(&env, a, out),
        Command::Log(a) => log::run(&env, a, out),
        Command::Site(c) => site::run(&env, c, out, err),
        Command::Completions(a) => {
            clap_complete::generate(a.shell, &mut Cli::command(), "git-desk", out);
            Ok(0)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command().name("git-desk")).render(out)?;
            Ok(0)
        }
    }
}
