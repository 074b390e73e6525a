//! `git desk man`: the manual pages, generated from the same clap types as `--help`.
//!
//! git answers `git desk --help` itself, by running `man git-desk` (git's convention for
//! every command, external ones included, as for git-lfs), so the page must be installed
//! where `man` looks. man-db and macOS's man look in `../share/man` beside every directory
//! of PATH, so `git desk man --dir ~/.cargo/share/man/man1` serves a `cargo install`.
//! `git desk help COMMAND` and `git desk COMMAND --help` reach git-desk and print the help.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use super::Cli;

/// Print the man page git-desk(1), or write every page into a directory with --dir.
///
/// `git desk --help` is answered by git with `man git-desk`: install the pages where man
/// finds them, e.g. `git desk man --dir ~/.cargo/share/man/man1` (man looks in
/// ../share/man beside each directory of PATH, unless MANPATH is set).
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write git-desk.1 and one page per command (git-desk-ticket-answer.1, …) into DIR,
    /// creating it, instead of printing git-desk.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: ManArgs, out: &mut dyn Write) -> Result<i32> {
    // `help` is not a page of its own (generate_to leaves it out too).
    let cmd = Cli::command().disable_help_subcommand(true);
    match args.dir {
        None => clap_mangen::Man::new(cmd).render(out)?,
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("writing the man pages to {}", dir.display()))?;
            let pages = std::fs::read_dir(&dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .filter_map(|e| e.ok())
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.starts_with("git-desk") && name.ends_with(".1")
                })
                .count();
            writeln!(out, "{pages} man pages in {}", dir.display())?;
        }
    }
    Ok(0)
}
