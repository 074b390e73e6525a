//! `git desk index`: bring the search index up to date (or rebuild it), compact and verify
//! it, and say what it holds. Also the terminal observer every index reader uses: notices
//! on stderr, a progress bar for a full build when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use super::Env;
use crate::index::{self, refresh, Observer, Options};

/// Bring the search index up to date, or build it from scratch.
///
/// Every command that searches updates the index by itself (only what changed since the
/// commit it records, plus uncommitted edits in the work tree), so this is rarely needed.
/// It also verifies the index's checksums (a damaged index is rebuilt) and merges the
/// segments that updates left into one (a fresh build's few segments are kept as they are).
/// The index lives under `.git/desk/search/` and is never committed.
#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    /// Throw the index away and build it again from the desk.
    #[arg(long)]
    pub rebuild: bool,
    /// Also take in hand edits of a work tree that are not staged yet (`git add` makes
    /// them followed by every search; this looks at every file's stat once).
    #[arg(long)]
    pub worktree: bool,
}

/// Notices on stderr; a progress bar on a terminal.
pub struct Progress {
    bar: Mutex<Option<indicatif::ProgressBar>>,
    tty: bool,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            bar: Mutex::new(None),
            tty: std::io::stderr().is_terminal(),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn notice(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "git-desk: {message}");
    }
    fn progress(&self, done: u64, total: u64) {
        if !self.tty {
            return;
        }
        if let Ok(mut b) = self.bar.lock() {
            let bar = b.get_or_insert_with(|| {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "indexing {bar:40} {pos}/{len} ({per_sec}, {eta} left)",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar
            });
            bar.set_position(done);
        }
    }
}

#[derive(Serialize)]
struct Summary {
    path: String,
    commit: Option<String>,
    documents: u64,
    tickets: usize,
    tasks: usize,
    kb: usize,
    rebuilt: Option<String>,
    reindexed: usize,
    seconds: f64,
}

pub fn run(env: &Env, a: IndexArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let started = Instant::now();
    let obs = Progress::new();
    let opts = Options {
        rebuild: a.rebuild,
        wait: Duration::from_secs(120),
        worktree: a.worktree,
    };
    let (si, mut report) = index::open(&desk, opts, &obs)?;
    obs.finish();
    let damaged = refresh::compact_and_verify(&si, opts.wait, report.rebuilt.is_some())?;
    let si = if damaged.is_empty() {
        si
    } else {
        drop(si);
        let why = format!("damaged files: {}", damaged.join(", "));
        obs.notice(&format!(
            "the search index is damaged ({why}); rebuilding it"
        ));
        let (si, r) = index::open(
            &desk,
            Options {
                rebuild: true,
                ..opts
            },
            &obs,
        )?;
        obs.finish();
        report = r;
        report.rebuilt = Some(why);
        si
    };
    for p in &report.problems {
        writeln!(err, "warning: {p}")?;
    }
    let counts = index::search::counts(&si)?;
    let s = Summary {
        path: index::index_dir(&desk).display().to_string(),
        commit: si.commit().map(str::to_owned),
        documents: si.num_docs(),
        tickets: counts.0,
        tasks: counts.1,
        kb: counts.2,
        rebuilt: report.rebuilt.clone(),
        reindexed: report.reindexed,
        seconds: started.elapsed().as_secs_f64(),
    };
    if env.printer.json {
        env.printer.json(out, &s)?;
        return Ok(0);
    }
    let what = match (&s.rebuilt, s.reindexed) {
        (Some(why), _) => format!("rebuilt ({why})"),
        (None, 0) => "up to date".to_owned(),
        (None, n) => format!("updated {n} item{}", if n == 1 { "" } else { "s" }),
    };
    writeln!(
        out,
        "search index {what} in {:.2} s: {} tickets, {} tasks, {} articles{}",
        s.seconds,
        s.tickets,
        s.tasks,
        s.kb,
        s.commit
            .as_deref()
            .map(|c| format!(" at {}", &c[..c.len().min(12)]))
            .unwrap_or_default()
    )?;
    writeln!(out, "{}", s.path)?;
    Ok(0)
}
