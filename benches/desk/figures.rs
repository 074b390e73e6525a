//! The figure lines the search, mail and sync sections print: one measured quantity at one
//! desk size, its median and p90 (or a single value), the target and whether it is
//! met, and the load average when it was taken; plus the small process helpers those
//! sections share (a free local port, a child that is always stopped, waiting on a condition).

use std::io::Write;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use crate::generate::Fixture;
use crate::measure::{load_average, size_label, Sample, Tools};
use crate::{Args, Section};

/// One of the search, mail and sync sections over every size: a heading, then figure lines.
pub fn section(
    section: Section,
    args: &Args,
    tools: &Tools,
    fx: &Fixture,
    desks_root: &std::path::Path,
    out: &mut impl Write,
) -> Result<()> {
    let title = match section {
        Section::Search => "search (issue 4)",
        Section::Mail => "mail (issue 8)",
        Section::Sync => "sync (issue 9)",
        Section::Reads => "reads at scale (issue 13)",
        Section::Commit | Section::Lifecycle => return Ok(()),
    };
    let mut growth = crate::reads::Growth::default();
    writeln!(
        out,
        "{title}: whole processes of the release binary; load = 1-min load average"
    )?;
    header(out)?;
    for &size in &args.sizes {
        let pair = crate::generate::ensure(&desks_root.join(size_label(size)), size, tools, fx)?;
        match section {
            Section::Search => crate::search::run(tools, &pair, args.runs, args.warmup, out)?,
            Section::Mail => crate::mail::run(tools, &pair, out)?,
            Section::Sync => crate::sync::run(tools, fx, &pair, args.runs, out)?,
            Section::Reads => {
                let runs = (args.runs, args.long_runs.clamp(1, args.runs.max(1)));
                let skip = |what: &str| args.skip.iter().any(|s| s == what);
                crate::reads::run(tools, &pair, runs, args.warmup, &skip, &mut growth, out)?
            }
            Section::Commit | Section::Lifecycle => {}
        }
    }
    Ok(())
}

/// How a figure compares with its target.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// At most this much (a time, a size).
    AtMost(f64),
    /// At least this much (a rate).
    AtLeast(f64),
    /// Reported only.
    None,
}

impl Target {
    fn verdict(self, value: f64) -> String {
        let how = |miss: f64| format!("MISSED by {:.0}%", miss * 100.0);
        match self {
            Target::AtMost(t) if value <= t => "met".into(),
            Target::AtMost(t) => how(value / t - 1.0),
            Target::AtLeast(t) if value >= t => "met".into(),
            Target::AtLeast(t) => how(1.0 - value / t),
            Target::None => String::new(),
        }
    }
    fn text(self, unit: &str) -> String {
        match self {
            Target::AtMost(t) => format!("≤ {t} {unit}"),
            Target::AtLeast(t) => format!("≥ {t} {unit}"),
            Target::None => "-".into(),
        }
    }
}

/// The column heads of [`line`].
pub fn header(out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "  {:<52} {:>5} {:>10} {:>10} {:>8} {:<14} {:<15} {:>5}",
        "figure", "size", "median", "p90", "unit", "target", "verdict", "load"
    )?;
    Ok(())
}

/// One figure: `p90` is `None` for a single measurement.
pub fn line(
    out: &mut impl Write,
    name: &str,
    tickets: u64,
    median: f64,
    p90: Option<f64>,
    unit: &str,
    target: Target,
) -> Result<()> {
    let p90 = p90.map_or_else(|| "-".to_owned(), |p| format!("{p:.1}"));
    writeln!(
        out,
        "  {:<52} {:>5} {:>10.1} {:>10} {:>8} {:<14} {:<15} {:>5}",
        name,
        size_label(tickets),
        median,
        p90,
        unit,
        target.text(unit),
        target.verdict(median),
        load_average()
    )?;
    out.flush()?;
    Ok(())
}

/// A line for a sample of wall times in ms, the median CPU time (user+sys) in brackets.
pub fn times(
    out: &mut impl Write,
    name: &str,
    tickets: u64,
    s: &Sample,
    target: Target,
) -> Result<()> {
    let name = if s.cpu() > 0.0 {
        format!("{name} [cpu {:.0}]", s.cpu())
    } else {
        name.to_owned()
    };
    line(out, &name, tickets, s.median(), Some(s.p90()), "ms", target)
}

/// A child process that is stopped (SIGTERM, then SIGKILL after a second) when dropped, so
/// servers and watchers never outlive the bench, also on errors.
pub struct Guard(pub Option<Child>);

impl Guard {
    pub fn stop(&mut self) {
        let Some(mut child) = self.0.take() else {
            return;
        };
        // SAFETY: kill(2) with a pid we started and have not yet waited for.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `ok` every `step` until it holds; the time it took, or an error after `limit`.
pub fn wait_for(
    what: &str,
    step: Duration,
    limit: Duration,
    mut ok: impl FnMut() -> Result<bool>,
) -> Result<Duration> {
    let start = Instant::now();
    loop {
        if ok()? {
            return Ok(start.elapsed());
        }
        if start.elapsed() > limit {
            bail!("gave up waiting {limit:?} for {what}");
        }
        std::thread::sleep(step);
    }
}

/// Bytes under `dir`, recursively.
pub fn disk_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => disk_bytes(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}
