//! Section `search` (issue 4 item 7): on the generated work-tree desk, a full index build
//! (`git desk index --rebuild`: tickets/s and peak memory, read with `/usr/bin/time`), the
//! index's size on disk, a field+text `git desk search` as a whole process (with the default
//! work-tree scan and with `desk.searchWorkTree false`), the refresh after one mutation
//! (`git desk index` after a `ticket edit`), and `git grep -l` of the same text as a ratio.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::Result;

use crate::figures::{self, Target};
use crate::generate::DeskPair;
use crate::measure::{checked, timed, timed_rss, Sample, Tools};

/// The query: two fields and a phrase that about one ticket in ten has in its title.
const QUERY: &[&str] = &["status:open", "queue:billing", "\"disk quota\""];
const TEXT: &str = "disk quota";

pub fn run(
    tools: &Tools,
    pair: &DeskPair,
    runs: usize,
    warmup: usize,
    out: &mut impl Write,
) -> Result<()> {
    let work = pair.work()?;
    let n = pair.tickets;

    // Full build: a few runs, it is long at 100k.
    let builds = runs.clamp(1, 3);
    let mut build = Sample::default();
    let mut peak_kb = 0u64;
    for _ in 0..builds {
        let mut cmd = tools.desk(work);
        cmd.args(["--as", "alice", "index", "--rebuild"]);
        let (cost, _, kb) = timed_rss(&cmd)?;
        build.push(cost);
        peak_kb = peak_kb.max(kb);
    }
    let secs = build.median() / 1000.0;
    figures::line(
        out,
        "index --rebuild: tickets/s",
        n,
        n as f64 / secs,
        None,
        "tick/s",
        Target::AtLeast(20_000.0),
    )?;
    figures::times(out, "index --rebuild: wall", n, &build, Target::None)?;
    figures::line(
        out,
        "index --rebuild: peak RSS",
        n,
        peak_kb as f64 / 1024.0,
        None,
        "MB",
        Target::AtMost(500.0),
    )?;
    let index_dir = work.join(".git/desk/search");
    figures::line(
        out,
        "index size on disk",
        n,
        figures::disk_bytes(&index_dir) as f64 / 1_048_576.0,
        None,
        "MB",
        Target::None,
    )?;

    // The query, as a whole process, the index being current.
    let search = |tools: &Tools| {
        let mut c = tools.desk(work);
        c.args(["--as", "alice", "search"]).args(QUERY);
        c
    };
    let found = checked(&mut search(tools))?;
    let hits = String::from_utf8_lossy(&found.stdout).lines().count();
    let default = repeat(runs, warmup, || search(tools))?;
    figures::times(
        out,
        &format!("search field+text ({hits} lines out)"),
        n,
        &default,
        Target::AtMost(30.0),
    )?;
    let with_scan = repeat(runs, warmup, || {
        let mut c = search(tools);
        c.arg("--worktree");
        c
    })?;
    figures::times(
        out,
        "search --worktree (lstat of every ticket)",
        n,
        &with_scan,
        Target::None,
    )?;

    // The same text with git grep, on the same work tree.
    let grep = repeat(runs.min(5), 1, || {
        let mut c = tools.git(work);
        c.args(["grep", "-l", "-F", "-e", TEXT]);
        c
    })?;
    figures::times(out, "git grep -l (same text)", n, &grep, Target::None)?;
    figures::line(
        out,
        "ratio git grep / search",
        n,
        grep.median() / default.median(),
        None,
        "×",
        Target::None,
    )?;

    // Refresh after one mutation: an edit (untimed), then `git desk index` (timed), with
    // and without the work-tree scan.
    refresh(tools, work, n, runs, warmup, "", out)?;
    tools.git_ok(work, &["config", "desk.searchWorkTree", "true"])?;
    let r = refresh(tools, work, n, runs, warmup, ", searchWorkTree true", out);
    tools.git_ok(work, &["config", "--unset", "desk.searchWorkTree"])?;
    r?;
    Ok(())
}

fn refresh(
    tools: &Tools,
    work: &Path,
    n: u64,
    runs: usize,
    warmup: usize,
    how: &str,
    out: &mut impl Write,
) -> Result<()> {
    let mut noop = Sample::default();
    let mut refresh = Sample::default();
    for i in 0..(runs + warmup) {
        let id = (1 + i as u64 * 7919 % n).to_string();
        // A priority the ticket does not have yet (an edit that changes nothing fails).
        let edited = (0..3).any(|k| {
            let priority = ((i + 37 * k + how.len()) % 101).to_string();
            tools
                .desk_ok(
                    work,
                    &[
                        "--as",
                        "alice",
                        "ticket",
                        "edit",
                        &id,
                        "--priority",
                        &priority,
                    ],
                )
                .is_ok()
        });
        if !edited {
            anyhow::bail!("could not edit ticket {id}'s priority");
        }
        let (after, _) = timed(&mut [index(tools, work)])?;
        let (current, _) = timed(&mut [index(tools, work)])?;
        if i >= warmup {
            refresh.push(after);
            noop.push(current);
        }
    }
    figures::times(
        out,
        &format!("index after one ticket edit{how}"),
        n,
        &refresh,
        Target::AtMost(50.0),
    )?;
    figures::times(
        out,
        &format!("index, already current{how}"),
        n,
        &noop,
        Target::None,
    )?;
    Ok(())
}

fn index(tools: &Tools, work: &Path) -> Command {
    let mut c = tools.desk(work);
    c.args(["--as", "alice", "index"]);
    c
}

/// `warmup` untimed runs, then `runs` timed ones, of the command `make` builds.
pub fn repeat(runs: usize, warmup: usize, mut make: impl FnMut() -> Command) -> Result<Sample> {
    let mut s = Sample::default();
    for i in 0..(runs + warmup) {
        let (cost, _) = timed(&mut [make()])?;
        if i >= warmup {
            s.push(cost);
        }
    }
    Ok(s)
}
