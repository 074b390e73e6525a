#![allow(dead_code)]
//! The test fixture: a desk in a temporary directory, driven through the real binary with
//! an isolated environment (HOME, git config, clock, randomness and actor pinned), and the
//! `git` CLI as an independent oracle.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_git-desk");
pub const NOW: &str = "2026-11-27T12:00:00Z";

/// Set by `.ci/run`: a test that needs an outside program fails instead of skipping.
pub const ENV_REQUIRE: &str = "GIT_DESK_REQUIRE_EXTERNAL";

pub fn example_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo")
}

/// True when `program` can be run; otherwise prints SKIPPED (or fails when CI requires the
/// program). libtest hides that line and counts the test as passed: a test that needs an
/// outside program belongs in `tests/external/` instead, whose harness reports it as
/// ignored, with the reason, when the program is missing.
pub fn have_program(program: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        if std::env::var_os(ENV_REQUIRE).is_some() {
            panic!("{test}: `{program}` is required ({ENV_REQUIRE} is set) but not installed");
        }
        eprintln!("SKIPPED {test}: `{program}` is not installed");
    }
    found
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub struct TestDesk {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub now: String,
}

/// A command with the isolated environment, run in `cwd`.
pub fn isolated(program: &str, home: &Path, cwd: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(cwd)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_AUTHOR_NAME", "Hand Editor")
        .env("GIT_AUTHOR_EMAIL", "hand@example.com")
        .env("GIT_COMMITTER_NAME", "Hand Editor")
        .env("GIT_COMMITTER_EMAIL", "hand@example.com")
        .env("GIT_DESK_CACHE_DIR", home.join("cache"))
        .env_remove("GIT_DESK_ACTOR")
        .env_remove("GIT_DESK_NOW")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("EDITOR")
        .env_remove("VISUAL")
        .env_remove("GIT_EDITOR")
        .stdin(Stdio::null());
    c
}

impl TestDesk {
    /// An empty temporary home, no desk yet.
    pub fn empty() -> TestDesk {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("desk");
        std::fs::create_dir_all(tmp.path().join("home")).unwrap();
        TestDesk {
            tmp,
            root,
            now: NOW.into(),
        }
    }

    /// A fresh desk with main admin `alice`.
    pub fn new() -> TestDesk {
        let d = TestDesk::empty();
        d.ok_in(
            d.tmp.path(),
            &[
                "init",
                "desk",
                "--admin",
                "alice",
                "--admin-name",
                "Alice Anders",
                "--admin-email",
                "alice@example.com",
                "--support-email",
                "support@example.com",
            ],
        );
        d
    }

    /// A copy of example-repo as a git desk.
    pub fn example() -> TestDesk {
        let d = TestDesk::empty();
        let from = example_repo();
        d.ok_in(
            d.tmp.path(),
            &["init", "desk", "--from", from.to_str().unwrap()],
        );
        d
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn cmd_in(&self, cwd: &Path) -> Command {
        let mut c = isolated(BIN, &self.home(), cwd);
        c.env("GIT_DESK_NOW", &self.now).env("GIT_DESK_SEED", "42");
        c
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        Run::from(self.cmd_in(cwd).args(args).output().expect("run git-desk"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args)
    }

    /// Runs with `stdin` as standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .cmd_in(&self.root)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    fn ok_in(&self, cwd: &Path, args: &[&str]) -> String {
        let r = self.run_in(cwd, args);
        assert_eq!(
            r.code, 0,
            "git-desk {args:?} failed:\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_in(&self.root, args)
    }

    /// Runs and asserts exit code `code`; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "git-desk {args:?} should exit {code}:\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        r.stderr
    }

    /// The `git` CLI in the desk; asserts success; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let o = isolated("git", &self.home(), &self.root)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            o.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    }

    /// The full message of the last commit.
    pub fn last_message(&self) -> String {
        self.git(&["log", "-1", "--format=%B"])
    }

    /// Paths changed by the last commit.
    pub fn last_paths(&self) -> Vec<String> {
        self.git(&["show", "--name-only", "--format=", "HEAD"])
            .lines()
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// `git status --porcelain` (empty = clean).
    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain"])
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Parses JSON output.
pub fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}
