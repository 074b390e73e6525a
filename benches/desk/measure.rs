//! Running programs and timing them: the tools the bench drives (the release `git-desk`,
//! `git`, the bench binary itself for stand-ins), each started with an isolated git
//! configuration and home, and the statistics printed (median and p90 of wall times).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

/// The programs a bench run starts, and the environment they share.
pub struct Tools {
    /// The `git-desk` binary under test (built by `cargo bench` in release mode).
    pub desk: PathBuf,
    /// This bench binary, for in-process stand-ins of commands that do not exist yet.
    pub me: PathBuf,
    /// `example-repo/`.
    pub sample: PathBuf,
    /// An empty home directory, so no user or system git configuration leaks in.
    pub home: PathBuf,
}

impl Tools {
    fn isolate(&self, cmd: &mut Command) {
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Bench Git")
            .env("GIT_AUTHOR_EMAIL", "bench@desk.invalid")
            .env("GIT_COMMITTER_NAME", "Bench Git")
            .env("GIT_COMMITTER_EMAIL", "bench@desk.invalid")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_DESK_ACTOR")
            .env_remove("GIT_DESK_NOW")
            .env_remove("GIT_DESK_SEED");
    }

    /// `git -C repo …`
    pub fn git(&self, repo: &Path) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(repo);
        self.isolate(&mut cmd);
        cmd
    }

    /// `git-desk -C dir …`
    pub fn desk(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(&self.desk);
        cmd.arg("-C").arg(dir);
        self.isolate(&mut cmd);
        cmd
    }

    /// This bench binary in one of its stand-in modes.
    pub fn me(&self) -> Command {
        let mut cmd = Command::new(&self.me);
        self.isolate(&mut cmd);
        cmd
    }

    pub fn git_ok(&self, repo: &Path, args: &[&str]) -> Result<()> {
        checked(self.git(repo).args(args)).map(|_| ())
    }

    /// The trimmed standard output of a git command that must succeed.
    pub fn git_out(&self, repo: &Path, args: &[&str]) -> Result<String> {
        let out = checked(self.git(repo).args(args))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    pub fn desk_ok(&self, dir: &Path, args: &[&str]) -> Result<Output> {
        checked(self.desk(dir).args(args))
    }

    /// Whether `git desk <words> --help` names every one of `flags`.
    pub fn desk_has(&self, words: &[&str], flags: &[&str]) -> bool {
        let out = self.desk(Path::new(".")).args(words).arg("--help").output();
        match out {
            Ok(o) if o.status.success() => {
                let help = String::from_utf8_lossy(&o.stdout);
                flags.iter().all(|f| help.contains(f))
            }
            _ => false,
        }
    }
}

/// Runs `cmd` to completion; a failure is an error carrying its standard error.
pub fn checked(cmd: &mut Command) -> Result<Output> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("starting {:?}", cmd.get_program()))?;
    if !out.status.success() {
        bail!(
            "{} {} failed ({}): {}",
            cmd.get_program().to_string_lossy(),
            cmd.get_args()
                .map(OsStr::to_string_lossy)
                .collect::<Vec<_>>()
                .join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out)
}

/// Wall time and CPU time (user + system, of the child processes waited for) of one run.
/// On a shared machine wall time moves with the load; CPU time much less.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub wall: Duration,
    pub cpu: Duration,
}

/// A stopwatch for child processes.
pub struct Timer {
    wall: Instant,
    cpu: Duration,
}

impl Timer {
    pub fn start() -> Timer {
        Timer {
            cpu: children_cpu(),
            wall: Instant::now(),
        }
    }
    pub fn stop(self) -> Cost {
        let wall = self.wall.elapsed();
        Cost {
            wall,
            cpu: children_cpu().saturating_sub(self.cpu),
        }
    }
}

fn children_cpu() -> Duration {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage; RUSAGE_CHILDREN is a valid `who`.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Runs the commands one after another, timing them together as one change (the git
/// comparison is `git add` then `git commit`).
pub fn timed(cmds: &mut [Command]) -> Result<(Cost, Vec<Output>)> {
    let timer = Timer::start();
    let mut outs = Vec::with_capacity(cmds.len());
    for cmd in cmds.iter_mut() {
        outs.push(checked(cmd)?);
    }
    Ok((timer.stop(), outs))
}

/// Like [`timed`] for one command, run under `/usr/bin/time` for its maximum resident set
/// size (KiB).
pub fn timed_rss(inner: &Command) -> Result<(Cost, Output, u64)> {
    let rss = tempfile::NamedTempFile::new()?;
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%M").arg("-o").arg(rss.path());
    cmd.arg(inner.get_program()).args(inner.get_args());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let (cost, mut outs) = timed(&mut [cmd])?;
    let kb = std::fs::read_to_string(rss.path())?;
    let kb: u64 = kb
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .context("reading /usr/bin/time's maximum resident set size")?;
    Ok((cost, outs.remove(0), kb))
}

/// Costs of repeated runs.
#[derive(Debug, Default, Clone)]
pub struct Sample {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

impl Sample {
    pub fn push(&mut self, c: Cost) {
        self.wall.push(c.wall.as_secs_f64() * 1000.0);
        self.cpu.push(c.cpu.as_secs_f64() * 1000.0);
    }
    /// Median wall time, ms.
    pub fn median(&self) -> f64 {
        median(&self.wall)
    }
    /// p90 wall time, ms.
    pub fn p90(&self) -> f64 {
        p90(&self.wall)
    }
    /// Median CPU time, ms.
    pub fn cpu(&self) -> f64 {
        median(&self.cpu)
    }
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn median(v: &[f64]) -> f64 {
    let v = sorted(v);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The smallest value at least 90% of the runs did not exceed.
fn p90(v: &[f64]) -> f64 {
    let v = sorted(v);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((v.len() as f64) * 0.9).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// The 1-minute load average, to print beside wall times.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// "1k" → 1000, "100k" → 100000, "2500" → 2500.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(n) = s.strip_suffix('k') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 1_000_000)
    } else {
        (s.as_str(), 1)
    };
    match num.parse::<u64>() {
        Ok(n) if n * mult > 0 => Ok(n * mult),
        _ => Err(format!("`{s}` is not a desk size (like 1k, 10k, 100k, 1m)")),
    }
}

pub fn size_label(n: u64) -> String {
    if n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}
