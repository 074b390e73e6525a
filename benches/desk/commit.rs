//! The commit sections: for each desk size and kind (work tree, bare), each change (see
//! [`crate::changes`]) as a whole `git desk` process, against git making the same change
//! on the same desk: `git add <files> && git commit` with a work tree, `git fast-import`
//! (git's index-free commit) on a bare desk. Runs alternate between git-desk and git so
//! both see the same desk size and cache state. Issue 2 times `ticket new` and a field
//! edit; issue 3 times `ticket answer` and `ticket assign`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _, Result};

use crate::changes::{command, for_git, prepare, Abilities, Change};
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

/// Measures `changes` on the desks of every pair (those the binary under test can make),
/// `runs` times each after `warmup` runs. The sizes take turns run by run, so a change in
/// the machine's load weighs on all of them alike.
#[allow(clippy::too_many_arguments)]
pub fn run(
    tools: &Tools,
    fx: &Fixture,
    pairs: &[DeskPair],
    kinds: &[Kind],
    changes: &[Change],
    runs: usize,
    warmup: usize,
    out: &mut impl Write,
) -> Result<Vec<Row>> {
    let can = Abilities::probe(tools);
    let mut rows = Vec::new();
    for &kind in kinds {
        for &change in changes {
            if !can.has(change) {
                writeln!(out, "({}: not in this binary, skipped)", change.name())?;
                continue;
            }
            let benches: Vec<Bench<'_>> = pairs
                .iter()
                .map(|pair| {
                    Ok(Bench {
                        tools,
                        fx,
                        pair,
                        dir: match kind {
                            Kind::Work => pair.work()?,
                            Kind::Bare => &pair.bare,
                        },
                        kind,
                        can: &can,
                    })
                })
                .collect::<Result<_>>()?;
            let mut found: Vec<Row> = benches
                .iter()
                .map(|b| Row {
                    tickets: b.pair.tickets,
                    kind,
                    change,
                    via: can.via(change).into(),
                    desk: Sample::default(),
                    git: Sample::default(),
                    load: String::new(),
                })
                .collect();
            for b in &benches {
                prepare(tools, b.dir, change, b.pair.tickets)?;
            }
            for i in 0..warmup + runs {
                for (b, row) in benches.iter().zip(&mut found) {
                    if gix::interrupt::is_triggered() {
                        bail!("interrupted");
                    }
                    let (d, g) = b.once(change, i)?;
                    if i >= warmup {
                        row.desk.push(d);
                        row.git.push(g);
                    }
                }
            }
            for mut row in found {
                row.load = load_average();
                print_row(out, &row)?;
                rows.push(row);
            }
            out.flush()?;
        }
        if kind == Kind::Work {
            for pair in pairs {
                let status = tools.git_out(pair.work()?, &["status", "--porcelain"])?;
                if !status.is_empty() {
                    bail!("git status is not clean after the runs:\n{status}");
                }
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
    can: &'a Abilities,
}

impl Bench<'_> {
    /// Run `i` of `change` by git-desk, then by git: their costs.
    fn once(&self, change: Change, i: usize) -> Result<(Cost, Cost)> {
        let before = self.tools.git_out(self.dir, &["rev-parse", "HEAD"])?;
        let mut cmd = command(self.tools, self.can, self.dir, change, self.pair.tickets, i)?;
        let (d, outs) = timed(std::slice::from_mut(&mut cmd))?;
        let after = self.tools.git_out(self.dir, &["rev-parse", "HEAD"])?;
        if after == before {
            bail!("{} made no commit", self.can.via(change));
        }
        let stdout = String::from_utf8_lossy(&outs[0].stdout);
        let files = for_git(self.fx, self.dir, change, &stdout, self.pair.tickets)?;
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
