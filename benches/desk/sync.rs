//! Section `sync` (issue 9 item 5): a bare remote made from the generated bare desk, a clone
//! of it, 1,000 desk commits made on each side (with `git fast-import`, desk-style: one note
//! or one field edit per commit, with the Desk-Op/Desk-Actor/Desk-Ticket trailers), then one
//! timed `git desk sync --no-mail` in the clone (whose search index was built beforehand, as a
//! technician's clone has one); then `git desk sync --watch` running in the
//! clone and the time from a `ticket note` finishing to the remote holding its commit.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use git_desk::model::{Message, MessageKey, MessageKind, Priority, Ticket, TicketId, Timestamp};
use git_desk::store::{layout, yaml};

use crate::figures::{self, Guard, Target};
use crate::generate::{DeskPair, Fixture, END};
use crate::measure::{checked, timed, Cost, Sample, Tools};

/// Commits on each side.
const COMMITS: u64 = 1_000;

/// One commit for [`fast_import`].
pub struct Change {
    pub message: String,
    /// `Name <email>`.
    pub author: String,
    pub at: i64,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Appends `changes` as commits on `branch` of `repo` (bare or not; a work tree is left
/// behind its branch, to be reset by the caller).
pub fn fast_import(
    tools: &Tools,
    repo: &Path,
    branch: &str,
    changes: impl Iterator<Item = Change>,
) -> Result<()> {
    let mut child = tools
        .git(repo)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("starting git fast-import")?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, child.stdin.take().expect("piped"));
        for (i, c) in changes.enumerate() {
            let from = if i == 0 {
                format!("from refs/heads/{branch}^0\n")
            } else {
                String::new()
            };
            write!(
                w,
                "commit refs/heads/{branch}\nauthor {a} {t} +0000\ncommitter {a} {t} +0000\ndata {}\n{}\n{from}",
                c.message.len(),
                c.message,
                a = c.author,
                t = c.at
            )?;
            for (path, bytes) in c.files {
                write!(w, "M 100644 inline {path}\ndata {}\n", bytes.len())?;
                w.write_all(&bytes)?;
                w.write_all(b"\n")?;
            }
        }
        w.write_all(b"\ndone\n")?;
        w.flush()?;
    }
    if !child.wait()?.success() {
        bail!("git fast-import failed in {}", repo.display());
    }
    Ok(())
}

fn trailers(op: &str, actor: &str, id: u64, subject: &str) -> String {
    format!("{subject}\n\nDesk-Op: {op}\nDesk-Actor: {actor}\nDesk-Ticket: {id}\n")
}

/// An internal note by bob on ticket `id`, as its own commit.
fn note(id: u64, i: u64, at: i64, side: &str) -> Change {
    let ts = Timestamp::from_unix(at).expect("valid time");
    let key = MessageKey::generate(ts, "bob", (i % 65_536) as u16);
    let m = Message {
        at: ts,
        author: "bob".into(),
        kind: MessageKind::Note,
        message_id: None,
        body: format!("Bench note {i} from the {side} side.\n"),
        attachments: vec![],
        time: None,
        extra: Default::default(),
    };
    let tid = TicketId::new(id).expect("ids start at 1");
    Change {
        message: trailers("ticket.note", "bob", id, &format!("ticket {id}: note")),
        author: "Bob <bob@example.com>".into(),
        at,
        files: vec![(layout::message(tid, &key), yaml::to_bytes(&m))],
    }
}

/// A priority change of ticket `id` (rewritten from its generated state).
fn edit(fx: &Fixture, id: u64, total: u64, i: u64, at: i64) -> Result<Change> {
    let (path, bytes) = fx.ticket_files(id, total).swap_remove(0);
    let mut t: Ticket = serde_yaml::from_slice(&bytes)?;
    t.priority = Priority::new((i * 31 % 101) as i64).expect("0..=100");
    t.updated_at = Timestamp::from_unix(at).expect("valid time");
    Ok(Change {
        message: trailers(
            "ticket.edit",
            "alice",
            id,
            &format!("ticket {id}: priority {}", t.priority.get()),
        ),
        author: "Alice <alice@example.com>".into(),
        at,
        files: vec![(path, yaml::to_bytes(&t))],
    })
}

pub fn run(
    tools: &Tools,
    fx: &Fixture,
    pair: &DeskPair,
    runs: usize,
    out: &mut impl Write,
) -> Result<()> {
    let n = pair.tickets;
    let tmp = tempfile::Builder::new()
        .prefix("desk-bench-sync-")
        .tempdir()?;
    let remote = tmp.path().join("remote.git");
    let clone = tmp.path().join("clone");
    let started = Instant::now();
    checked(
        tools
            .git(tmp.path())
            .args(["clone", "-q", "--bare"])
            .arg(&pair.bare)
            .arg(&remote),
    )?;
    checked(
        tools
            .git(tmp.path())
            .args(["-c", "checkout.workers=2", "clone", "-q"])
            .arg(&remote)
            .arg(&clone),
    )?;
    let branch = &pair.branch;
    let base = tools.git_out(&clone, &["rev-parse", "HEAD"])?;
    // The remote moves by COMMITS notes on odd tickets; the clone makes COMMITS changes of
    // its own on even tickets, notes and priority edits in turn.
    let half = (n / 2).max(1);
    let odd = |i: u64| 2 * (i * 7 % half) + 1;
    let even = |i: u64| 2 * (i * 13 % half) + 2;
    fast_import(
        tools,
        &remote,
        branch,
        (0..COMMITS).map(|i| note(odd(i), i, END + 60 + i as i64, "remote")),
    )?;
    let mine: Vec<Change> = (0..COMMITS)
        .map(|i| {
            let id = even(i);
            let at = END + 30 + 2 * i as i64;
            if i % 2 == 0 {
                Ok(note(id, i + COMMITS, at, "local"))
            } else {
                edit(fx, id, n, i, at)
            }
        })
        .collect::<Result<_>>()?;
    fast_import(tools, &clone, branch, mine.into_iter())?;
    tools.git_ok(&clone, &["reset", "-q", "--hard"])?;
    eprintln!(
        "sync: remote and clone of {n} tickets with {COMMITS} commits each made in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // A technician's clone has its search index; sync brings it up to date at the end.
    let (built, _) = timed(&mut [{
        let mut c = tools.desk(&clone);
        c.args(["--as", "alice", "index"]);
        c
    }])?;
    figures::line(
        out,
        "search index of the clone, built before (untimed)",
        n,
        built.wall.as_secs_f64(),
        None,
        "s",
        Target::None,
    )?;
    let (cost, outs) = timed(&mut [{
        let mut c = tools.desk(&clone);
        c.args(["--as", "alice", "sync", "--no-mail"]);
        c
    }])?;
    let replayed = tools.git_out(&clone, &["rev-list", "--count", &format!("{base}..HEAD")])?;
    let theirs = tools.git_out(&remote, &["rev-parse", branch])?;
    let ours = tools.git_out(&clone, &["rev-parse", "HEAD"])?;
    if theirs != ours || replayed.parse::<u64>().ok() < Some(2 * COMMITS) {
        bail!(
            "sync did not integrate both sides ({replayed} commits over the base, remote {theirs}, clone {ours}): {}",
            String::from_utf8_lossy(&outs[0].stderr)
        );
    }
    eprintln!(
        "sync said: {} {}",
        String::from_utf8_lossy(&outs[0].stdout).trim_end(),
        String::from_utf8_lossy(&outs[0].stderr).trim_end()
    );
    figures::line(
        out,
        &format!("sync {COMMITS} local onto {COMMITS} remote"),
        n,
        cost.wall.as_secs_f64(),
        None,
        "s",
        Target::AtMost(10.0),
    )?;
    figures::line(
        out,
        "  (its cpu time, user+sys)",
        n,
        cost.cpu.as_secs_f64(),
        None,
        "s",
        Target::None,
    )?;

    watch(tools, &clone, &remote, branch, n, runs.clamp(1, 5), out)?;
    drop(tmp);
    Ok(())
}

/// `sync --watch` in `clone`: how long after a `ticket note` returns the remote has it.
fn watch(
    tools: &Tools,
    clone: &Path,
    remote: &Path,
    branch: &str,
    n: u64,
    runs: usize,
    out: &mut impl Write,
) -> Result<()> {
    let log = clone.join(".git/bench-watch.log");
    let mut cmd = tools.desk(clone);
    cmd.args([
        "--as",
        "alice",
        "sync",
        "--watch",
        "--interval",
        "3600",
        "--no-mail",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(&log)?);
    let started = Instant::now();
    let mut guard = Guard(Some(cmd.spawn().context("starting sync --watch")?));
    // Ready once it has logged its first line (its first sync).
    figures::wait_for(
        "sync --watch to start",
        Duration::from_millis(20),
        Duration::from_secs(120),
        || Ok(std::fs::metadata(&log)?.len() > 0),
    )?;
    let ready = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    if let Some(status) = guard.0.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
        // It gave up (e.g. the inotify watch limit on a large desk): say so, go on.
        let why = std::fs::read_to_string(&log).unwrap_or_default();
        writeln!(
            out,
            "  sync --watch exited ({status}) at {}: {}",
            crate::measure::size_label(n),
            why.trim_end()
        )?;
        return Ok(());
    }
    let mut reaction = Sample::default();
    for i in 0..runs {
        let id = (1 + i as u64 * 101 % n).to_string();
        let body = format!("watch bench {i}");
        tools.desk_ok(
            clone,
            &["--as", "alice", "ticket", "note", &id, "-m", &body],
        )?;
        let head = tools.git_out(clone, &["rev-parse", "HEAD"])?;
        let took = figures::wait_for(
            "the remote to get the note",
            Duration::from_millis(5),
            Duration::from_secs(60),
            || {
                if let Some(status) = guard.0.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                    bail!("sync --watch exited ({status})");
                }
                Ok(tools.git_out(remote, &["rev-parse", branch])? == head)
            },
        )?;
        reaction.push(Cost {
            wall: took,
            cpu: Duration::ZERO,
        });
        std::thread::sleep(Duration::from_millis(300));
    }
    guard.stop();
    figures::line(
        out,
        "sync --watch: start-up to first log line",
        n,
        ready.as_secs_f64() * 1000.0,
        None,
        "ms",
        Target::None,
    )?;
    figures::times(
        out,
        "sync --watch: commit → remote has it",
        n,
        &reaction,
        Target::AtMost(1000.0),
    )?;
    let lines = std::fs::read_to_string(&log).unwrap_or_default();
    eprintln!("sync --watch log:\n{}", lines.trim_end());
    Ok(())
}
