//! Issue 2's benchmark: the commit engine. For each desk size and kind (work tree, bare),
//! one `git desk ticket new` and one field edit as whole processes, each against git
//! making the same change on the same desk: `git add <files> && git commit` with a work
//! tree, `git fast-import` (git's index-free commit) on a bare desk. Runs alternate
//! between git-desk and git so both see the same desk size and cache state.
//!
//! The field edit is `git desk ticket edit ID --priority N` when the binary has it;
//! otherwise this bench binary runs the same mutation through the library
//! (`ops::mutate` rewriting ticket.yaml) as its own process, and the table says so.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _, Result};
use git_desk::model::TicketId;
use git_desk::store::{layout, Desk, DeskRead, Source};

use crate::generate::{DeskPair, Fixture};
use crate::measure::{load_average, size_label, timed, Cost, Sample, Timer, Tools};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Work,
    Bare,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Work => "work",
            Kind::Bare => "bare",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    NewTicket,
    FieldEdit,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::NewTicket => "ticket new",
            Change::FieldEdit => "field edit",
        }
    }
}

/// One line of results.
pub struct Row {
    pub tickets: u64,
    pub kind: Kind,
    pub change: Change,
    /// How git-desk made the change (the command, or the stand-in).
    pub via: String,
    pub desk: Sample,
    pub git: Sample,
    /// The load average when the measurement ended.
    pub load: String,
}

impl Row {
    pub fn ratio(&self) -> f64 {
        self.desk.median() / self.git.median()
    }
}

pub fn header(out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "{:<5} {:<4} {:<10} {:>16} {:>5} {:>17} {:>5} {:>5} {:>5}  git-desk command / git comparison",
        "size", "desk", "change", "git-desk med/p90", "cpu", "git med/p90", "cpu", "ratio", "load"
    )?;
    Ok(())
}

pub fn print_row(out: &mut impl Write, r: &Row) -> Result<()> {
    let git_how = match r.kind {
        Kind::Work => "git add && git commit",
        Kind::Bare => "git fast-import",
    };
    writeln!(
        out,
        "{:<5} {:<4} {:<10} {:>7.1} /{:>7.1} {:>5.1} {:>8.1} /{:>7.1} {:>5.1} {:>5.2} {:>5}  {} / {}",
        size_label(r.tickets),
        r.kind.name(),
        r.change.name(),
        r.desk.median(),
        r.desk.p90(),
        r.desk.cpu(),
        r.git.median(),
        r.git.p90(),
        r.git.cpu(),
        r.ratio(),
        r.load,
        r.via,
        git_how
    )?;
    Ok(())
}

/// Measures both changes on both desks of `pair`, `runs` times each after `warmup` runs.
pub fn run(
    tools: &Tools,
    fx: &Fixture,
    pair: &DeskPair,
    kinds: &[Kind],
    runs: usize,
    warmup: usize,
    out: &mut impl Write,
) -> Result<Vec<Row>> {
    let has_edit = tools.desk_has(&["ticket", "edit"], &["--priority"]);
    let mut rows = Vec::new();
    for &kind in kinds {
        let dir = match kind {
            Kind::Work => &pair.work,
            Kind::Bare => &pair.bare,
        };
        for change in [Change::NewTicket, Change::FieldEdit] {
            let mut bench = Bench {
                tools,
                fx,
                pair,
                dir,
                kind,
                has_edit,
            };
            let mut row = Row {
                tickets: pair.tickets,
                kind,
                change,
                via: bench.via(change),
                desk: Sample::default(),
                git: Sample::default(),
                load: String::new(),
            };
            for i in 0..warmup + runs {
                if gix::interrupt::is_triggered() {
                    bail!("interrupted");
                }
                let (d, g) = bench.once(change)?;
                if i >= warmup {
                    row.desk.push(d);
                    row.git.push(g);
                }
            }
            row.load = load_average();
            print_row(out, &row)?;
            out.flush()?;
            rows.push(row);
        }
        if kind == Kind::Work {
            let status = tools.git_out(dir, &["status", "--porcelain"])?;
            if !status.is_empty() {
                bail!("git status is not clean after the runs:\n{status}");
            }
        }
    }
    Ok(rows)
}

struct Bench<'a> {
    tools: &'a Tools,
    fx: &'a Fixture,
    pair: &'a DeskPair,
    dir: &'a Path,
    kind: Kind,
    has_edit: bool,
}

impl Bench<'_> {
    fn via(&self, change: Change) -> String {
        match change {
            Change::NewTicket => "git desk ticket new".into(),
            Change::FieldEdit if self.has_edit => "git desk ticket edit --priority".into(),
            Change::FieldEdit => "stand-in (no `ticket edit` yet)".into(),
        }
    }

    fn head(&self) -> Result<(Desk, git_desk::store::TreeSource)> {
        let desk = Desk::open(self.dir)?;
        let tree = desk.reader_at("HEAD")?;
        Ok((desk, tree))
    }

    /// One git-desk run and one git run of `change`: their wall times.
    fn once(&mut self, change: Change) -> Result<(Cost, Cost)> {
        let before = self.tools.git_out(self.dir, &["rev-parse", "HEAD"])?;
        let (mut cmd, files) = match change {
            Change::NewTicket => {
                let mut cmd = self.tools.desk(self.dir);
                cmd.args(["--as", "alice", "ticket", "new", "--title", "Bench ticket"])
                    .args([
                        "--email",
                        "customer@bench.invalid",
                        "-m",
                        "The printer is on fire.",
                    ]);
                (cmd, None)
            }
            Change::FieldEdit => {
                let mid = (self.pair.tickets / 2).max(1);
                let (ours, theirs) = (ticket(mid), ticket(mid + 1));
                let (_, head) = self.head()?;
                let p = other_priority(&head, ours)?;
                let cmd = if self.has_edit {
                    let mut c = self.tools.desk(self.dir);
                    c.args(["--as", "alice", "ticket", "edit", &ours.to_string()])
                        .args(["--priority", &p.to_string()]);
                    c
                } else {
                    let mut c = self.tools.me();
                    c.arg("--stand-in-edit")
                        .arg(self.dir)
                        .args([ours.to_string(), p.to_string()]);
                    c
                };
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
                (cmd, Some(vec![(path, edited.into_bytes())]))
            }
        };
        let (d, outs) = timed(std::slice::from_mut(&mut cmd))?;
        let after = self.tools.git_out(self.dir, &["rev-parse", "HEAD"])?;
        if after == before {
            bail!("{} made no commit", self.via(change));
        }
        let files = match files {
            Some(f) => f,
            None => {
                let stdout = String::from_utf8_lossy(&outs[0].stdout);
                let made: u64 = stdout
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .with_context(|| format!("unexpected output of ticket new: {stdout}"))?;
                // The same change by git: the next ticket and its first message.
                let mut f = self.fx.ticket_files(made + 1, made + 1);
                f.truncate(2);
                f
            }
        };
        let g = match self.kind {
            Kind::Work => self.git_commit(&files, change)?,
            Kind::Bare => self.git_fast_import(&files, change)?,
        };
        Ok((d, g))
    }

    fn git_commit(&self, files: &[(String, Vec<u8>)], change: Change) -> Result<Cost> {
        for (path, bytes) in files {
            let abs = self.dir.join(path);
            std::fs::create_dir_all(abs.parent().expect("a desk path has a parent"))?;
            std::fs::write(&abs, bytes)?;
        }
        let mut add = self.tools.git(self.dir);
        add.arg("add").args(files.iter().map(|(p, _)| p));
        let mut commit = self.tools.git(self.dir);
        commit.args(["commit", "-q", "-m", &format!("bench: {}", change.name())]);
        Ok(timed(&mut [add, commit])?.0)
    }

    fn git_fast_import(&self, files: &[(String, Vec<u8>)], change: Change) -> Result<Cost> {
        let branch = &self.pair.branch;
        let msg = format!("bench: {}\n", change.name());
        let mut stream = format!(
            "commit refs/heads/{branch}\ncommitter Bench Git <bench@desk.invalid> {} +0000\ndata {}\n{msg}from refs/heads/{branch}^0\n",
            crate::generate::END,
            msg.len()
        )
        .into_bytes();
        for (path, bytes) in files {
            stream.extend(format!("M 100644 inline {path}\ndata {}\n", bytes.len()).bytes());
            stream.extend(bytes);
            stream.push(b'\n');
        }
        stream.extend(b"done\n");
        let timer = Timer::start();
        let mut child = git_fast_import(self.tools.git(self.dir))?;
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(&stream)
            .context("feeding git fast-import")?;
        if !child.wait()?.success() {
            bail!("git fast-import failed");
        }
        Ok(timer.stop())
    }
}

fn git_fast_import(mut cmd: Command) -> Result<std::process::Child> {
    cmd.args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("starting git fast-import")
}

fn ticket(n: u64) -> TicketId {
    TicketId::new(n).expect("positive")
}

/// A priority different from the ticket's current one, so every run changes something.
fn other_priority(src: &impl Source, id: TicketId) -> Result<u8> {
    let t = src.ticket(id)?.with_context(|| format!("no ticket {id}"))?;
    Ok(if t.priority.get() == 60 { 61 } else { 60 })
}
