//! Making large desks quickly: the sample desk's staff, queues, accounts and KB through a
//! real `git desk init --from example-repo`, then one `git fast-import` commit that replaces
//! its tickets with N generated ones (a ticket.yaml and three messages each), written as the
//! store writes them (`yaml::to_bytes`), so `git desk check` passes. The same stream feeds a
//! work-tree desk (then checked out with `git reset --hard`, so files and index are real)
//! and a bare one. Nothing runs the CLI per ticket.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use git_desk::model::{
    Email, Login, Message, MessageKey, MessageKind, NewTicket, Priority, Slug, Status, Ticket,
    TicketId, Timestamp,
};
use git_desk::store::{layout, yaml, DeskRead, FsSource};

use crate::measure::Tools;

/// From this size on only the bare desk is generated: a checked-out work tree of a million
/// tickets is 4 million files (~28 GB), and the 1M targets are for a bare desk.
pub const BARE_ONLY_FROM: u64 = 1_000_000;

/// One generated size: a work-tree desk and a bare desk with the same content (the bare
/// desk alone from [`BARE_ONLY_FROM`] tickets on).
pub struct DeskPair {
    pub tickets: u64,
    pub work: Option<PathBuf>,
    pub bare: PathBuf,
    pub branch: String,
}

impl DeskPair {
    /// The work-tree desk, for sections that need one.
    pub fn work(&self) -> Result<&Path> {
        match &self.work {
            Some(w) => Ok(w),
            None => bail!(
                "desks of {} tickets and more are generated bare only; the `reads` section measures them",
                BARE_ONLY_FROM
            ),
        }
    }
    /// The work-tree desk when there is one, else the bare desk.
    pub fn main(&self) -> &Path {
        self.work.as_deref().unwrap_or(&self.bare)
    }
}

/// What generated tickets are made of: the sample desk's accounts, staff and queues.
pub struct Fixture {
    accounts: Vec<(Login, Email)>,
    staff: Vec<Login>,
    queues: Vec<Slug>,
}

const TITLES: &[&str] = &[
    "Website shows 500 error",
    "Cannot send mail from Outlook",
    "Invoice amount looks wrong",
    "Please raise my disk quota",
    "SSL certificate expired",
    "FTP login refused",
    "DNS change not visible",
    "Database backup missing",
    "Upgrade to the business plan",
    "Spam filter blocks our newsletter",
];
const BODIES: &[&str] = &[
    "Hello,\n\nsince this morning our site only shows an error page. Nothing was changed on our side.\nCould you have a look, please?\n\nThanks\n",
    "Hi,\n\nI keep getting a password prompt when sending mail, although receiving works.\nThe settings are the ones from your knowledge base.\n",
    "Dear support,\n\nthe last invoice is higher than the month before, but our plan is the same.\nPlease explain the difference.\n",
];
/// The time the generated history ends (the sample's "now").
pub const END: i64 = 1_795_780_800; // 2026-11-27T12:00:00Z

impl Fixture {
    pub fn from_sample(sample: &Path) -> Result<Fixture> {
        let src = FsSource::new(sample);
        let accounts: Vec<_> = src
            .all_accounts()?
            .items
            .into_iter()
            .map(|a| (a.login, a.email))
            .collect();
        let staff: Vec<Login> = ["bob", "carol", "dave"]
            .iter()
            .map(|s| s.parse().expect("valid login"))
            .collect();
        let queues: Vec<Slug> = src
            .all_queues()?
            .items
            .into_iter()
            .map(|q| q.slug)
            .collect();
        if accounts.is_empty() || queues.is_empty() {
            bail!("{} has no accounts or queues", sample.display());
        }
        Ok(Fixture {
            accounts,
            staff,
            queues,
        })
    }

    /// The files of ticket `n` (of a desk of `total`): ticket.yaml and three messages.
    pub fn ticket_files(&self, n: u64, total: u64) -> Vec<(String, Vec<u8>)> {
        let id = TicketId::new(n).expect("ids start at 1");
        let (login, email) = &self.accounts[n as usize % self.accounts.len()];
        let staff = &self.staff[n as usize % self.staff.len()];
        // Two years of history, oldest first; the newest tenth is still being worked on.
        let span = 2 * 365 * 86_400;
        let created = END - span + (span * n as i64 / total.max(1) as i64) - 86_400;
        let at = |secs: i64| Timestamp::from_unix(created + secs).expect("valid time");
        let mut ticket = Ticket::new(
            id,
            NewTicket {
                title: format!("{} (#{n})", TITLES[n as usize % TITLES.len()]),
                email: email.clone(),
                account: Some(login.clone()),
                queue: self.queues[n as usize % self.queues.len()].clone(),
                priority: Priority::new((n * 37 % 101) as i64).expect("0..=100"),
                assignee: None,
                sticky: n.is_multiple_of(7),
            },
            at(0),
        );
        let done = n * 10 < total * 9;
        ticket.status = if done { Status::Closed } else { Status::Open };
        ticket.assignee = (!done).then(|| staff.clone());
        ticket.first_answered_at = Some(at(7_200));
        ticket.answered_at = Some(at(7_200));
        ticket.updated_at = at(90_000);
        if done {
            ticket.closed_at = Some(at(90_000));
            ticket.closed_by = Some(staff.to_string());
        }
        let mut files = vec![(layout::ticket_file(id), yaml::to_bytes(&ticket))];
        let thread = [
            (0, email.to_string(), MessageKind::Customer),
            (7_200, staff.to_string(), MessageKind::Answer),
            (86_400, email.to_string(), MessageKind::Customer),
        ];
        for (i, (secs, author, kind)) in thread.into_iter().enumerate() {
            let key = MessageKey::generate(at(secs), &author, (n * 3 + i as u64) as u16);
            let body = match kind {
                MessageKind::Answer => format!(
                    "Hello,\n\nthank you for your message about ticket {n}. We have fixed it; please check again.\n\nRegards,\n{staff}\n"
                ),
                _ => BODIES[(n as usize + i) % BODIES.len()].to_owned(),
            };
            let m = Message {
                at: at(secs),
                author,
                kind,
                message_id: Some(format!("<{n}.{i}@bench.desk.invalid>")),
                body,
                attachments: vec![],
                time: None,
                extra: Default::default(),
            };
            files.push((layout::message(id, &key), yaml::to_bytes(&m)));
        }
        files
    }
}

/// The desks of `tickets` tickets under `dir`, generated unless a previous run left them
/// complete there.
pub fn ensure(dir: &Path, tickets: u64, tools: &Tools, fx: &Fixture) -> Result<DeskPair> {
    let with_work = tickets < BARE_ONLY_FROM;
    let work = dir.join("work");
    let bare = dir.join("bare.git");
    let ready = dir.join("ready");
    if ready.exists() {
        let branch = tools.git_out(&bare, &["symbolic-ref", "--short", "HEAD"])?;
        return Ok(DeskPair {
            tickets,
            work: with_work.then_some(work),
            bare,
            branch,
        });
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let started = Instant::now();
    let sample = tools.sample.display().to_string();
    if with_work {
        tools.desk_ok(dir, &["init", "work", "--from", &sample])?;
    }
    tools.desk_ok(dir, &["init", "bare.git", "--bare", "--from", &sample])?;
    let branch = tools.git_out(&bare, &["symbolic-ref", "--short", "HEAD"])?;
    let initialised = started.elapsed();

    let mut importers = Vec::new();
    let repos = if with_work {
        vec![&work, &bare]
    } else {
        vec![&bare]
    };
    for repo in repos {
        let child = tools
            .git(repo)
            .args(["fast-import", "--quiet", "--done"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .context("starting git fast-import")?;
        importers.push(child);
    }
    {
        let mut sinks: Vec<_> = importers
            .iter_mut()
            .map(|c| std::io::BufWriter::with_capacity(1 << 20, c.stdin.take().expect("piped")))
            .collect();
        let mut emit = |bytes: &[u8]| -> Result<()> {
            for s in sinks.iter_mut() {
                s.write_all(bytes)?;
            }
            Ok(())
        };
        let msg = format!(
            "bench: {tickets} generated tickets\n\nDesk-Op: bench.generate\nDesk-Actor: alice\n"
        );
        emit(
            format!(
                "commit refs/heads/{branch}\ncommitter Desk Bench <bench@desk.invalid> {END} +0000\ndata {}\n{msg}from refs/heads/{branch}^0\nD tickets\n",
                msg.len()
            )
            .as_bytes(),
        )?;
        for n in 1..=tickets {
            for (path, bytes) in fx.ticket_files(n, tickets) {
                emit(format!("M 100644 inline {path}\ndata {}\n", bytes.len()).as_bytes())?;
                emit(&bytes)?;
                emit(b"\n")?;
            }
        }
        emit(b"\ndone\n")?;
        for s in sinks.iter_mut() {
            s.flush()?;
        }
    }
    for mut c in importers {
        if !c.wait()?.success() {
            bail!("git fast-import failed");
        }
    }
    let imported = started.elapsed();
    if with_work {
        // Check the work tree out so that files and index are real.
        tools.git_ok(
            &work,
            &["-c", "checkout.workers=2", "reset", "-q", "--hard"],
        )?;
        let status = tools.git_out(&work, &["status", "--porcelain"])?;
        if !status.is_empty() {
            bail!("the generated work tree is not clean:\n{status}");
        }
    }
    std::fs::write(&ready, b"")?;
    eprintln!(
        "generated {tickets} tickets ({} files each desk{}) in {:.1} s (init {:.1} s, objects {:.1} s, checkout {:.1} s)",
        tickets * 4,
        if with_work { "" } else { ", bare only" },
        started.elapsed().as_secs_f64(),
        initialised.as_secs_f64(),
        (imported - initialised).as_secs_f64(),
        (started.elapsed() - imported).as_secs_f64()
    );
    Ok(DeskPair {
        tickets,
        work: with_work.then_some(work),
        bare,
        branch,
    })
}
