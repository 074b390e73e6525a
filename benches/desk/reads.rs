//! Issue 13, "reads at scale": one figure per row of the table, at each size, as
//! whole processes of the release binary: `ticket list`, the default search, Quick Search,
//! `autoclose` with nothing due, `ticket note` + `sync --no-mail` to a local bare remote,
//! `stats --all` without its cache, `site build` (full, then incremental after one answer)
//! and a mutation on a work tree and a bare desk. Each line gives the median, the growth
//! against the first size measured (1k by default) and the 100k target met or not.
//!
//! The section changes the generated desks (an auto-close run, notes, answers): run it
//! after the others, or on desks of its own (`--desks`).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::Result;

use crate::figures::{self, Target};
use crate::generate::DeskPair;
use crate::measure::{checked, size_label, timed, Sample, Tools};
use crate::search::repeat;

/// Medians of the first size, per figure, for the growth column.
#[derive(Default)]
pub struct Growth(HashMap<String, (u64, f64)>);

impl Growth {
    fn line(
        &mut self,
        out: &mut impl Write,
        name: &str,
        n: u64,
        s: &Sample,
        target: Target,
    ) -> Result<()> {
        let base = *self.0.entry(name.to_owned()).or_insert((n, s.median()));
        let growth = if base.0 == n {
            String::new()
        } else {
            format!(", {:.1}× {}", s.median() / base.1, size_label(base.0))
        };
        // Targets are the figures at 100k: other sizes are reported only.
        let target = if n == 100_000 { target } else { Target::None };
        figures::times(out, &format!("{name}{growth}"), n, s, target)
    }
}

fn cmd(tools: &Tools, dir: &Path, args: &[&str]) -> Command {
    let mut c = tools.desk(dir);
    c.args(args);
    c
}

pub fn run(
    tools: &Tools,
    pair: &DeskPair,
    runs: usize,
    warmup: usize,
    growth: &mut Growth,
    out: &mut impl Write,
) -> Result<()> {
    let (work, bare, n) = (&pair.work, &pair.bare, pair.tickets);
    // Catalogs and index current before timing reads.
    checked(&mut cmd(tools, work, &["--as", "alice", "index"]))?;
    checked(&mut cmd(tools, bare, &["--as", "alice", "index"]))?;

    let list = repeat(runs, warmup, || {
        cmd(tools, work, &["--as", "bob", "ticket", "list"])
    })?;
    growth.line(
        out,
        "ticket list (bob's dashboard), work tree",
        n,
        &list,
        Target::AtMost(50.0),
    )?;
    let list = repeat(runs, warmup, || {
        cmd(tools, bare, &["--as", "bob", "ticket", "list"])
    })?;
    growth.line(out, "ticket list, bare", n, &list, Target::AtMost(50.0))?;

    let q = [
        "--as",
        "alice",
        "search",
        "queue:billing status:open invoice",
    ];
    let search = repeat(runs, warmup, || cmd(tools, work, &q))?;
    growth.line(
        out,
        "search \"queue:billing status:open invoice\"",
        n,
        &search,
        Target::AtMost(30.0),
    )?;
    let id = (n / 2).max(1).to_string();
    let quick = repeat(runs, warmup, || {
        cmd(tools, work, &["--as", "alice", "search", "--quick", &id])
    })?;
    growth.line(out, "search --quick <id>", n, &quick, Target::AtMost(30.0))?;

    // The first run closes what is due (the generated answers are old): untimed.
    checked(&mut cmd(tools, work, &["--as", "alice", "autoclose"]))?;
    let ac = repeat(runs, warmup, || {
        cmd(tools, work, &["--as", "alice", "autoclose"])
    })?;
    growth.line(out, "autoclose, nothing due", n, &ac, Target::AtMost(100.0))?;

    let note = |dir: &Path| {
        cmd(
            tools,
            dir,
            &["--as", "bob", "ticket", "note", "1", "-m", "Bench note."],
        )
    };
    let s = repeat(runs, warmup, || note(work))?;
    growth.line(out, "ticket note, work tree", n, &s, Target::AtMost(30.0))?;
    let s = repeat(runs, warmup, || note(bare))?;
    growth.line(out, "ticket note, bare", n, &s, Target::AtMost(15.0))?;

    // note + sync to a bare remote holding the same history
    let remote = work.parent().unwrap_or(work).join("reads-remote.git");
    if !remote.exists() {
        tools.git_ok(
            work,
            &[
                "clone",
                "-q",
                "--bare",
                ".",
                remote.to_str().unwrap_or_default(),
            ],
        )?;
        let _ = tools.git_ok(work, &["remote", "remove", "reads"]);
        tools.git_ok(
            work,
            &[
                "remote",
                "add",
                "reads",
                remote.to_str().unwrap_or_default(),
            ],
        )?;
    }
    tools.git_ok(work, &["push", "-q", "reads", "HEAD"])?;
    let mut sync = Sample::default();
    for i in 0..(runs.min(7) + 1) {
        let (cost, _) = timed(&mut [
            note(work),
            cmd(
                tools,
                work,
                &["--as", "alice", "sync", "--no-mail", "--remote", "reads"],
            ),
        ])?;
        if i > 0 {
            sync.push(cost);
        }
    }
    growth.line(
        out,
        "ticket note + sync --no-mail (local bare remote)",
        n,
        &sync,
        Target::AtMost(1000.0),
    )?;

    // stats --all without its cache (a few runs: it is long)
    let stats_cache = work.join(".git/desk/stats");
    let mut stats = Sample::default();
    for _ in 0..runs.clamp(1, 3) {
        let _ = std::fs::remove_dir_all(&stats_cache);
        let (cost, _) = timed(&mut [cmd(tools, work, &["--as", "alice", "stats", "--all"])])?;
        stats.push(cost);
    }
    growth.line(
        out,
        "stats --all, first run (no cache)",
        n,
        &stats,
        Target::AtMost(5000.0),
    )?;

    // the site: one full build (pages/s), then an answer and an incremental build
    let site = work.parent().unwrap_or(work).join("reads-site");
    let (full, outp) = timed(&mut [cmd(
        tools,
        work,
        &[
            "--as",
            "alice",
            "--json",
            "site",
            "build",
            "--full",
            "--out",
            site.to_str().unwrap_or_default(),
        ],
    )])?;
    let pages = serde_json::from_slice::<serde_json::Value>(&outp[0].stdout)
        .ok()
        .and_then(|v| v["written"].as_u64())
        .unwrap_or(0);
    let mut s = Sample::default();
    s.push(full);
    growth.line(
        out,
        &format!("site build --full ({pages} pages)"),
        n,
        &s,
        Target::None,
    )?;
    figures::line(
        out,
        "site build --full: pages/s",
        n,
        pages as f64 / (full.wall.as_secs_f64().max(1e-9)),
        None,
        "pages/s",
        if n == 100_000 {
            Target::AtLeast(3000.0)
        } else {
            Target::None
        },
    )?;
    let mut inc = Sample::default();
    for i in 0..(runs.min(5) + 1) {
        checked(&mut cmd(
            tools,
            work,
            &[
                "--as",
                "alice",
                "ticket",
                "answer",
                "2",
                "--pickup",
                "-m",
                "Bench answer.",
            ],
        ))?;
        let (cost, _) = timed(&mut [cmd(
            tools,
            work,
            &[
                "--as",
                "alice",
                "site",
                "build",
                "--out",
                site.to_str().unwrap_or_default(),
            ],
        )])?;
        if i > 0 {
            inc.push(cost);
        }
    }
    growth.line(
        out,
        "site build after one answer (incremental)",
        n,
        &inc,
        Target::AtMost(300.0),
    )?;
    Ok(())
}
