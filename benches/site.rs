//! The static site's benchmark (issue 7 item 7): a full build, a rebuild with nothing
//! changed, and a rebuild after one answer, each timed as a whole `git desk` process, and
//! the size of the site on disk. Run on a large generated desk:
//!
//! ```text
//! python3 benches/site-gendesk.py /tmp/desk100k 100000 --pickups
//! cargo bench --bench site -- /tmp/desk100k [TICKET]
//! ```
//!
//! It answers TICKET (default: the highest id) as its assignee (or the main admin with
//! `--pickup`), so the desk
//! gains one commit per run. The site goes to `<desk>.site` and is rebuilt from scratch
//! (`--full`) first.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const GIT_DESK: &str = env!("CARGO_BIN_EXE_git-desk");
const NOW: &str = "2026-12-31T12:00:00Z";

/// Runs `git desk -C desk ARGS`; the elapsed seconds and stdout.
fn run(desk: &Path, args: &[&str]) -> (f64, String) {
    let start = Instant::now();
    let out = Command::new(GIT_DESK)
        .arg("-C")
        .arg(desk)
        .args(args)
        .env("GIT_DESK_NOW", NOW)
        .output()
        .expect("git-desk runs");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "git desk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secs, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn build(desk: &Path, out: &Path, extra: &[&str]) -> (f64, serde_json::Value) {
    let mut args = vec!["--json", "site", "build", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (secs, stdout) = run(desk, &args);
    (
        secs,
        serde_json::from_str(&stdout).expect("the summary is JSON"),
    )
}

/// Files, bytes and bytes allocated on disk below `dir`.
fn size(dir: &Path) -> (u64, u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let (mut files, mut bytes, mut blocks) = (0, 0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                files += 1;
                bytes += m.len();
                blocks += m.blocks() * 512;
            }
        }
    }
    (files, bytes, blocks)
}

fn mib(b: u64) -> f64 {
    b as f64 / (1 << 20) as f64
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(desk) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench site -- DESK [TICKET]  (see benches/site.rs)");
        return;
    };
    let out = PathBuf::from(format!("{}.site", desk.display()));
    let (secs, s) = build(&desk, &out, &["--full"]);
    let pages = s["written"].as_u64().unwrap_or(0);
    let tickets = s["tickets"].as_u64().unwrap_or(0);
    println!(
        "full build: {secs:.2} s, {pages} pages ({tickets} tickets): {:.0} pages/s, {:.0} ticket pages/s",
        pages as f64 / secs,
        tickets as f64 / secs
    );
    let (secs, s) = build(&desk, &out, &[]);
    println!(
        "rebuild, nothing changed: {:.0} ms, {} written",
        secs * 1000.0,
        s["written"]
    );
    let ticket = match args.get(1) {
        Some(t) => t.clone(),
        None => {
            // The highest id, from the site's quick-search index.
            let js = std::fs::read_to_string(out.join("assets/search-index.js")).unwrap();
            let json = js.trim().trim_start_matches("window.GIT_DESK_INDEX = ");
            let v: serde_json::Value = serde_json::from_str(json.trim_end_matches(';')).unwrap();
            v["tickets"]
                .as_array()
                .and_then(|a| a.iter().filter_map(|t| t[0].as_u64()).max())
                .map(|id| id.to_string())
                .expect("a ticket to answer (pass TICKET)")
        }
    };
    // Answered by its assignee (or picked up and answered by the main admin).
    let (_, shown) = run(
        &desk,
        &["--as", "alice", "--json", "ticket", "show", &ticket],
    );
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap_or_default();
    let who = shown["ticket"]["assignee"]
        .as_str()
        .unwrap_or("alice")
        .to_owned();
    let mut answer = vec![
        "--as",
        &who,
        "ticket",
        "answer",
        &ticket,
        "-m",
        "A benchmark answer.",
    ];
    if shown["ticket"]["assignee"].is_null() {
        answer.push("--pickup");
    }
    let (secs, _) = run(&desk, &answer);
    println!("answer {ticket}: {:.0} ms", secs * 1000.0);
    let (secs, s) = build(&desk, &out, &[]);
    println!(
        "rebuild after one answer: {:.0} ms, {} written, {} unchanged",
        secs * 1000.0,
        s["written"],
        s["unchanged"]
    );
    let (files, bytes, blocks) = size(&out);
    println!(
        "size: {files} files, {:.0} MiB ({:.0} MiB on disk)",
        mib(bytes),
        mib(blocks)
    );
}
