//! `git desk site build`: the static, read-only dashboard site.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::Env;
use crate::model::Login;
use crate::site::{human_duration, Progress, Site, SiteOptions};

#[derive(Debug, clap::Subcommand)]
pub enum SiteCommand {
    Build(BuildArgs),
    RotateSecret(RotateArgs),
}

/// Replace the secret that customer status page addresses are made from: every customer
/// link changes, and the next `site build --customers` removes the pages at the old
/// addresses. The secret lives in the desk's cache directory (`.git/desk/customer-secret`),
/// never in the repository.
#[derive(Debug, clap::Args)]
pub struct RotateArgs {}

/// Render the read-only dashboard site: dashboard, a page per ticket, queue, technician,
/// task and KB article, closed tickets by month, statistics with charts, and Quick Search.
///
/// Only pages whose inputs changed since the last build into the same directory are
/// rendered again; pages of deleted tickets are removed. A git desk is rendered from HEAD.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Output directory. A relative path is taken from the directory git-desk was started
    /// in (not the one given with -C). Default: the desk's `site.output` setting (relative
    /// to the desk), else `site` in the current directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build your own personal copy: adds your private-message inbox (decrypted with your
    /// key) and marks your tickets. Only your own login is accepted. Never publish it.
    #[arg(long = "for", value_name = "LOGIN")]
    pub for_login: Option<Login>,
    /// Render every page, ignoring what the last build recorded.
    #[arg(long)]
    pub full: bool,
    /// Also write a status page for every ticket, for its customer, into DIR (a folder of
    /// its own, apart from the staff site): `DIR/<token>.html`, where the token is a keyed
    /// hash of the ticket id and a secret kept outside the repository, so no address can
    /// be guessed from an id. Shows the ticket's title, status and the messages between
    /// the customer and the desk — never notes. Default: the `site.customers` setting
    /// (relative to the desk); none when unset.
    #[arg(long, value_name = "DIR")]
    pub customers: Option<PathBuf>,
}

pub fn run(env: &Env, cmd: SiteCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        SiteCommand::Build(a) => build(env, a, out, err),
        SiteCommand::RotateSecret(_) => {
            let desk = env.desk()?;
            let path = crate::site::customers::rotate_secret(&desk)?;
            writeln!(
                err,
                "site: new customer-page secret in {}; every customer link changes with the next `site build --customers`",
                path.display()
            )?;
            Ok(0)
        }
    }
}

/// A progress bar on standard error when it is a terminal.
struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
        }
    }
    fn advance(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn build(env: &Env, a: BuildArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let started_in = std::env::current_dir().context("reading the current directory")?;
    let dir = match a.out {
        Some(p) => started_in.join(p),
        None => {
            let settings = crate::store::DeskRead::settings(desk.reader()?.as_ref())?;
            match settings.site.output {
                Some(o) if !o.trim().is_empty() => desk.root().join(o),
                _ => started_in.join("site"),
            }
        }
    };
    let inbox = match &a.for_login {
        Some(login) => personal_inbox(env, &desk, login, err)?,
        None => Vec::new(),
    };
    let settings = crate::store::DeskRead::settings(desk.reader()?.as_ref())?;
    let customers_dir = match a.customers {
        Some(p) => Some(started_in.join(p)),
        None => settings
            .site
            .customers
            .filter(|c| !c.trim().is_empty())
            .map(|c| desk.root().join(c)),
    };
    let site_dir = dir.clone();
    let site = Site::load(
        &desk,
        SiteOptions {
            out: dir,
            for_login: a.for_login,
            inbox,
            full: a.full,
            now: env.ctx.now(),
        },
    )?;
    let bar = Bar(std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b.set_message("rendering");
        b
    }));
    let summary = site.build(&bar)?;
    let customers = match &customers_dir {
        Some(c) => Some(crate::site::customers::build(
            &desk,
            c,
            Some(&site_dir),
            env.ctx.now(),
        )?),
        None => None,
    };
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({
                "out": summary.out, "written": summary.written, "unchanged": summary.unchanged,
                "removed": summary.removed, "tickets": summary.tickets, "full": summary.full,
                "millis": summary.elapsed.as_millis() as u64,
                "problems": summary.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                "customers": customers,
            }),
        )?;
    } else {
        for p in &summary.problems {
            writeln!(err, "warning: {}", super::output::cell(&p.to_string(), 300))?;
        }
        writeln!(
            err,
            "site: {} pages written, {} unchanged, {} files removed in {}{} -> {}",
            summary.written,
            summary.unchanged,
            summary.removed,
            human_duration(summary.elapsed),
            if summary.full { " (full build)" } else { "" },
            summary.out.join("index.html").display()
        )?;
        if let Some(c) = &customers {
            writeln!(
                err,
                "customer pages: {} written, {} old removed -> {}",
                c.written,
                c.removed,
                c.dir.display()
            )?;
        }
    }
    Ok(0)
}

/// `--for LOGIN`: only the caller's own login, and their inbox decrypted with their key.
fn personal_inbox(
    env: &Env,
    desk: &crate::store::Desk,
    login: &Login,
    err: &mut dyn Write,
) -> Result<Vec<crate::ops::msg::Entry>> {
    let me = env.actor(desk)?;
    if &me.login != login {
        anyhow::bail!(
            "--for {login}: a personal site holds private messages, so it is built only for \
             yourself (you are {}); use --for {} or no --for",
            me.login,
            me.login
        );
    }
    if !me.has(crate::model::Permission::MessagesUse) {
        return Ok(Vec::new());
    }
    let reader = desk.reader()?;
    let loaded = crate::ops::msg::inbox(reader.as_ref(), &me, &env.keyring(desk))?;
    for p in &loaded.problems {
        writeln!(err, "warning: {p}")?;
    }
    Ok(loaded.items)
}
