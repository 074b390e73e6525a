//! The README's transcripts, run as tests, so the README cannot drift from the program.
//!
//! Each `## ` section of README.md with ```console blocks runs in a session of its own: a
//! fresh temporary directory holding a copy of `example-repo/` (as in a checkout of the
//! project), an empty HOME with its own git config, `GIT_DESK_NOW` pinned to the time the
//! README states, and the directory of the built `git-desk` first on PATH, so `git desk …`
//! works as written. Each `$` line runs in its own `sh` with standard error joined to
//! standard output; the working directory and exported variables carry over to the next
//! line (`cd`, `export`), nothing else does.
//!
//! A failure names the README line of the command and shows the expected and actual output.
//! `GIT_DESK_README=overwrite cargo test --test it readme` writes the actual output of the
//! failing commands into README.md instead (then put `[..]`/`...` back where output varies);
//! `GIT_DESK_README_SECTION=WORDS` runs only the sections whose title contains WORDS.

mod matching;
mod transcript;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{example_repo, BIN};
use transcript::{Command, Section};

/// The time every transcript runs at, as the README says where the tour starts.
pub const README_NOW: &str = "2026-11-27T12:00:00Z";

/// Longest a single transcript command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

fn readme_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A section's shell session: its directories and the state carried from line to line.
struct Session {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    cwd: PathBuf,
    env_file: PathBuf,
    cwd_file: PathBuf,
    out_file: PathBuf,
}

impl Session {
    fn new() -> Session {
        let tmp = tempfile::tempdir().expect("temp dir");
        let home = tmp.path().join("home");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&home).unwrap();
        copy_dir(&example_repo(), &work.join("example-repo"));
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = A Reader\n\temail = reader@example.net\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        let state = tmp.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        let env_file = state.join("env");
        std::fs::write(&env_file, "").unwrap();
        Session {
            cwd_file: state.join("cwd"),
            out_file: state.join("out"),
            env_file,
            home,
            cwd: work,
            _tmp: tmp,
        }
    }

    /// Runs one command; returns its exit code and output.
    fn run(&mut self, text: &str) -> (i32, String) {
        let q = |p: &Path| format!("'{}'", p.display());
        let script = format!(
            ". {env}\ncd {cwd} || exit 97\nexec 2>&1\n{text}\nrc=$?\npwd > {cwdf}\nexport -p > {env}\nexit $rc\n",
            env = q(&self.env_file),
            cwd = q(&self.cwd),
            cwdf = q(&self.cwd_file),
        );
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![bin_dir.to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        let out = std::fs::File::create(&self.out_file).unwrap();
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .env_clear()
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("LANG", "C.UTF-8")
            .env("TERM", "dumb")
            .env("GIT_DESK_NOW", README_NOW)
            .stdin(Stdio::null())
            .stdout(out);
        let mut child = cmd.spawn().expect("run sh");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > COMMAND_TIMEOUT {
                let _ = child.kill();
                child.wait().unwrap();
                return (-1, format!("(killed after {COMMAND_TIMEOUT:?})"));
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if let Ok(dir) = std::fs::read_to_string(&self.cwd_file) {
            self.cwd = PathBuf::from(dir.trim_end_matches('\n'));
        }
        let output = std::fs::read(&self.out_file).unwrap();
        (
            status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output).into_owned(),
        )
    }
}

/// One command whose output or exit code differs from the README's.
struct Failure {
    command: Command,
    section: String,
    section_line: usize,
    code: i32,
    output: String,
}

impl Failure {
    fn describe(&self) -> String {
        let actual = matching::lines(&self.output);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "README.md:{}: `{}` (section \"{}\" at line {})",
            self.command.line,
            self.command.text.lines().next().unwrap_or(""),
            self.section,
            self.section_line
        );
        let _ = writeln!(s, "  expected (exit {}):", self.command.exit);
        for l in &self.command.expected {
            let _ = writeln!(s, "    | {l}");
        }
        let _ = writeln!(s, "  actual (exit {}):", self.code);
        for l in &actual {
            let _ = writeln!(s, "    | {l}");
        }
        let diff = if self.code != self.command.exit
            && matching::matches(&self.command.expected, &actual)
        {
            format!("exit code {} instead of {}", self.code, self.command.exit)
        } else {
            matching::first_difference(&self.command.expected, &actual)
        };
        let _ = writeln!(s, "  first difference: {diff}");
        s
    }
}

fn run_section(section: &Section) -> Vec<Failure> {
    let mut session = Session::new();
    let mut failures = vec![];
    for command in &section.commands {
        let (code, output) = session.run(&command.text);
        let ok =
            code == command.exit && matching::matches(&command.expected, &matching::lines(&output));
        if !ok {
            failures.push(Failure {
                command: command.clone(),
                section: section.title.clone(),
                section_line: section.line,
                code,
                output,
            });
        }
    }
    failures
}

/// Replaces the expected output of each failing command with what it printed.
fn overwrite(text: &str, failures: &[Failure]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut sorted: Vec<&Failure> = failures.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.command.line));
    for f in sorted {
        let (start, end) = f.command.output_lines;
        let mut new: Vec<String> = matching::lines(&f.output)
            .iter()
            .map(|l| l.trim_end().to_owned())
            .collect();
        if f.code != 0 {
            new.push(format!("[exit {}]", f.code));
        }
        lines.splice(start - 1..end - 1, new);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Every ```console block of README.md prints what the README says it prints.
#[test]
fn readme_transcripts() {
    let text = std::fs::read_to_string(readme_path()).unwrap();
    let readme = transcript::parse(&text);
    let only = std::env::var("GIT_DESK_README_SECTION").ok();
    let failures: Vec<Failure> = readme
        .sections
        .iter()
        .filter(|s| only.as_ref().is_none_or(|w| s.title.contains(w.as_str())))
        .flat_map(run_section)
        .collect();
    if failures.is_empty() {
        return;
    }
    if std::env::var("GIT_DESK_README").as_deref() == Ok("overwrite") {
        std::fs::write(readme_path(), overwrite(&text, &failures)).unwrap();
        eprintln!(
            "README.md: wrote the actual output of {} command(s)",
            failures.len()
        );
        return;
    }
    let report: Vec<String> = failures.iter().map(Failure::describe).collect();
    panic!(
        "{} README command(s) differ (GIT_DESK_README=overwrite writes the actual output):\n\n{}",
        failures.len(),
        report.join("\n")
    );
}

/// Every shell block of README.md is either a checked transcript or says why it is not run.
#[test]
fn readme_shell_blocks_are_transcripts_or_marked_not_run() {
    let text = std::fs::read_to_string(readme_path()).unwrap();
    let readme = transcript::parse(&text);
    assert!(readme.problems.is_empty(), "{}", readme.problems.join("\n"));
    let commands: usize = readme.sections.iter().map(|s| s.commands.len()).sum();
    assert!(commands >= 20, "only {commands} checked README commands");
}

/// The harness itself: a wrong output and a wrong exit code are both reported, with the
/// README line of the command.
#[test]
fn a_transcript_that_differs_is_reported_with_its_line() {
    let text = "## S\n```console\n$ echo one\none\n$ cd example-repo && export X=2\n$ echo $X; ls desk.yaml\n2\ndesk.yaml\n$ echo two\nthree\n$ false\n```\n";
    let readme = transcript::parse(text);
    let failures = run_section(&readme.sections[0]);
    assert_eq!(failures.len(), 2);
    let first = failures[0].describe();
    assert!(first.starts_with("README.md:9: `echo two`"), "{first}");
    assert!(first.contains("expected `three`, got `two`"), "{first}");
    let second = failures[1].describe();
    assert!(second.contains("exit code 1 instead of 0"), "{second}");
    let fixed = overwrite(text, &failures);
    assert!(
        fixed.contains("$ echo two\ntwo\n$ false\n[exit 1]\n```"),
        "{fixed}"
    );
}

/// The README's list of fault-injection steps is the library's: a step added to
/// `src/failpoint.rs` is named there too (`tx.locked` was missing).
#[test]
fn readme_names_every_failpoint() {
    let text = std::fs::read_to_string(readme_path()).unwrap();
    let start = text
        .find("**Fault injection.**")
        .expect("README: Fault injection");
    let paragraph = &text[start..text[start..].find("\n- ").map_or(text.len(), |e| start + e)];
    for step in git_desk::failpoint::STEPS {
        assert!(
            paragraph.contains(&format!("`{step}`")),
            "README's Fault injection paragraph does not name `{step}`"
        );
    }
}
