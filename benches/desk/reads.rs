//! Issue 13, "reads at scale": one figure per row of the table, at each size, as
//! whole processes of the release binary: `ticket list`, the default search, Quick Search,
//! `autoclose` with nothing due, `ticket note` + `sync --no-mail` to a local bare remote,
//! `stats --all` without its cache, `index --rebuild` (rate and memory), `site build` (full
//! with its memory, then incremental after one answer) and a mutation on a work tree and a
//! bare desk; also the first `ticket list` after a commit and the catalog built from
//! nothing. Each line gives the median, the growth against the first size measured (1k by
//! default) and the target of the 100k or 1M column met or not. A 1M desk is bare
//! only (see [`crate::generate::BARE_ONLY_FROM`]): its figures are taken there.
//!
//! The section changes the generated desks (an auto-close run, notes, answers): run it
//! after the others, or on desks of its own (`--desks`).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::Result;

use crate::figures::{self, Target};
use crate::generate::{DeskPair, BARE_ONLY_FROM};
use crate::measure::{checked, size_label, timed, timed_rss, Sample, Tools};
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
        figures::times(out, &format!("{name}{growth}"), n, s, target)
    }
}

fn cmd(tools: &Tools, dir: &Path, args: &[&str]) -> Command {
    let mut c = tools.desk(dir);
    c.args(args);
    c
}

/// The target for a figure at this size: its 100k column, its 1M column (a bare
/// desk), none for other sizes (reported only).
fn target(n: u64, at_100k: Target, at_1m: Target) -> Target {
    match n {
        100_000 => at_100k,
        BARE_ONLY_FROM => at_1m,
        _ => Target::None,
    }
}

/// `runs`: (timed runs, timed runs of the long measurements).
pub fn run(
    tools: &Tools,
    pair: &DeskPair,
    (runs, long_runs): (usize, usize),
    warmup: usize,
    skip: &dyn Fn(&str) -> bool,
    growth: &mut Growth,
    out: &mut impl Write,
) -> Result<()> {
    // From 1M on there is no work tree: every figure is taken on the bare desk.
    let (bare, n) = (pair.bare.as_path(), pair.tickets);
    let desk = pair.main();
    let kind = if pair.work.is_some() {
        "work tree"
    } else {
        "bare"
    };
    // Catalogs and index current before timing reads.
    if let Some(work) = &pair.work {
        checked(&mut cmd(tools, work, &["--as", "alice", "index"]))?;
    }
    checked(&mut cmd(tools, bare, &["--as", "alice", "index"]))?;

    if let Some(work) = &pair.work {
        let list = repeat(runs, warmup, || {
            cmd(tools, work, &["--as", "bob", "ticket", "list"])
        })?;
        growth.line(
            out,
            "ticket list (bob's dashboard), work tree",
            n,
            &list,
            target(n, Target::AtMost(50.0), Target::None),
        )?;
    }
    let list = repeat(runs, warmup, || {
        cmd(tools, bare, &["--as", "bob", "ticket", "list"])
    })?;
    growth.line(
        out,
        "ticket list, bare",
        n,
        &list,
        target(n, Target::AtMost(50.0), Target::AtMost(100.0)),
    )?;

    let q = [
        "--as",
        "alice",
        "search",
        "queue:billing status:open invoice",
    ];
    let search = repeat(runs, warmup, || cmd(tools, desk, &q))?;
    growth.line(
        out,
        &format!("search \"queue:billing status:open invoice\", {kind}"),
        n,
        &search,
        target(n, Target::AtMost(30.0), Target::AtMost(60.0)),
    )?;
    let id = (n / 2).max(1).to_string();
    let quick = repeat(runs, warmup, || {
        cmd(tools, desk, &["--as", "alice", "search", "--quick", &id])
    })?;
    growth.line(
        out,
        &format!("search --quick <id>, {kind}"),
        n,
        &quick,
        target(n, Target::AtMost(30.0), Target::AtMost(60.0)),
    )?;

    // The first run closes what is due (the generated answers are old): untimed.
    checked(&mut cmd(tools, desk, &["--as", "alice", "autoclose"]))?;
    let ac = repeat(runs, warmup, || {
        cmd(tools, desk, &["--as", "alice", "autoclose"])
    })?;
    growth.line(
        out,
        &format!("autoclose, nothing due, {kind}"),
        n,
        &ac,
        target(n, Target::AtMost(100.0), Target::AtMost(200.0)),
    )?;

    let note = |dir: &Path| {
        cmd(
            tools,
            dir,
            &["--as", "bob", "ticket", "note", "1", "-m", "Bench note."],
        )
    };
    if let Some(work) = &pair.work {
        let s = repeat(runs, warmup, || note(work))?;
        growth.line(
            out,
            "ticket note, work tree",
            n,
            &s,
            target(n, Target::AtMost(30.0), Target::None),
        )?;
    }
    let s = repeat(runs, warmup, || note(bare))?;
    growth.line(
        out,
        "ticket note, bare",
        n,
        &s,
        target(n, Target::AtMost(15.0), Target::AtMost(15.0)),
    )?;

    // What a technician sees next: the first list after a commit (the catalog refreshed
    // by the commit's tree diff), timed alone.
    let mut first = Sample::default();
    for _ in 0..runs.min(7) {
        checked(&mut note(desk))?;
        let (cost, _) = timed(&mut [cmd(tools, desk, &["--as", "bob", "ticket", "list"])])?;
        first.push(cost);
    }
    growth.line(
        out,
        &format!("first ticket list after a note, {kind}"),
        n,
        &first,
        Target::None,
    )?;

    // note + sync to a bare remote holding the same history
    let remote = desk.parent().unwrap_or(desk).join("reads-remote.git");
    let remote_arg = remote.to_str().unwrap_or_default();
    if !remote.exists() {
        tools.git_ok(desk, &["clone", "-q", "--bare", ".", remote_arg])?;
        let _ = tools.git_ok(desk, &["remote", "remove", "reads"]);
        tools.git_ok(desk, &["remote", "add", "reads", remote_arg])?;
    }
    tools.git_ok(desk, &["push", "-q", "reads", "HEAD"])?;
    let mut sync = Sample::default();
    for i in 0..(runs.min(7) + 1) {
        let (cost, _) = timed(&mut [
            note(desk),
            cmd(
                tools,
                desk,
                &["--as", "alice", "sync", "--no-mail", "--remote", "reads"],
            ),
        ])?;
        if i > 0 {
            sync.push(cost);
        }
    }
    growth.line(
        out,
        &format!("ticket note + sync --no-mail (local bare remote), {kind}"),
        n,
        &sync,
        target(n, Target::AtMost(1000.0), Target::AtMost(2000.0)),
    )?;

    let cache = tools.git_out(desk, &["rev-parse", "--absolute-git-dir"])?;
    let cache = Path::new(&cache).join("desk");
    if !skip("catalog") {
        // The catalog built from nothing (its file deleted), as the first `ticket list`.
        let catalog = cache.join("catalog.bin");
        let _ = std::fs::remove_file(&catalog);
        let _ = std::fs::remove_dir_all(cache.join("catalog"));
        let (cost, _, kb) = timed_rss(&cmd(tools, desk, &["--as", "bob", "ticket", "list"]))?;
        let mut s = Sample::default();
        s.push(cost);
        growth.line(
            out,
            &format!("catalog built from nothing (ticket list), {kind}"),
            n,
            &s,
            Target::None,
        )?;
        figures::line(
            out,
            "catalog built from nothing: peak RSS",
            n,
            kb as f64 / 1024.0,
            None,
            "MB",
            Target::None,
        )?;
    }

    if !skip("index") {
        // index --rebuild: rate and memory (a few runs: it is long)
        let mut rebuild = Sample::default();
        let mut peak_kb = 0;
        for _ in 0..long_runs {
            let (cost, _, kb) =
                timed_rss(&cmd(tools, desk, &["--as", "alice", "index", "--rebuild"]))?;
            rebuild.push(cost);
            peak_kb = peak_kb.max(kb);
        }
        growth.line(
            out,
            &format!("index --rebuild, {kind}"),
            n,
            &rebuild,
            Target::None,
        )?;
        figures::line(
            out,
            "index --rebuild: tickets/s",
            n,
            n as f64 / (rebuild.median() / 1000.0),
            None,
            "tick/s",
            target(n, Target::AtLeast(20_000.0), Target::AtLeast(20_000.0)),
        )?;
        figures::line(
            out,
            "index --rebuild: peak RSS",
            n,
            peak_kb as f64 / 1024.0,
            None,
            "MB",
            target(n, Target::AtMost(300.0), Target::AtMost(1024.0)),
        )?;
    }

    if !skip("stats") {
        // stats --all without its cache (a few runs: it is long)
        let stats_cache = cache.join("stats");
        let mut stats = Sample::default();
        for _ in 0..long_runs {
            let _ = std::fs::remove_dir_all(&stats_cache);
            let (cost, _) = timed(&mut [cmd(tools, desk, &["--as", "alice", "stats", "--all"])])?;
            stats.push(cost);
        }
        growth.line(
            out,
            &format!("stats --all, first run (no cache), {kind}"),
            n,
            &stats,
            target(n, Target::AtMost(5000.0), Target::AtMost(30_000.0)),
        )?;
    }

    if !skip("site") {
        // the site: one full build (pages/s, memory), then an answer and an incremental build
        let site = desk.parent().unwrap_or(desk).join("reads-site");
        let site_arg = site.to_str().unwrap_or_default();
        let (full, outp, kb) = timed_rss(&cmd(
            tools,
            desk,
            &[
                "--as", "alice", "--json", "site", "build", "--full", "--out", site_arg,
            ],
        ))?;
        let pages = serde_json::from_slice::<serde_json::Value>(&outp.stdout)
            .ok()
            .and_then(|v| v["written"].as_u64())
            .unwrap_or(0);
        let mut s = Sample::default();
        s.push(full);
        growth.line(
            out,
            &format!("site build --full ({pages} pages), {kind}"),
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
            target(n, Target::AtLeast(3000.0), Target::None),
        )?;
        figures::line(
            out,
            "site build --full: peak RSS",
            n,
            kb as f64 / 1024.0,
            None,
            "MB",
            target(n, Target::AtMost(500.0), Target::AtMost(1536.0)),
        )?;
        let mut inc = Sample::default();
        let mut inc_kb = 0;
        for i in 0..(runs.min(5) + 1) {
            checked(&mut cmd(
                tools,
                desk,
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
            let (cost, _, kb) = timed_rss(&cmd(
                tools,
                desk,
                &["--as", "alice", "site", "build", "--out", site_arg],
            ))?;
            if i > 0 {
                inc.push(cost);
                inc_kb = inc_kb.max(kb);
            }
        }
        growth.line(
            out,
            &format!("site build after one answer (incremental), {kind}"),
            n,
            &inc,
            target(n, Target::AtMost(300.0), Target::AtMost(1000.0)),
        )?;
        figures::line(
            out,
            "site build after one answer: peak RSS",
            n,
            inc_kb as f64 / 1024.0,
            None,
            "MB",
            Target::None,
        )?;
    }

    Ok(())
}
