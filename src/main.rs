//! The `git-desk` binary: parse the command line, run it, map the outcome to an exit code
//! (0 ok, 1 error, 2 usage). A closed pipe (`git desk log | head`) is not an error: standard
//! output and error are [`PipeSafe`], so the command finishes and exits 0 without a panic.

use std::io::Write;

use clap::Parser;
use git_desk::cli::PipeSafe;

fn main() {
    let cli = git_desk::cli::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = PipeSafe::new(std::io::BufWriter::new(stdout.lock()));
    let mut err = PipeSafe::new(std::io::stderr());
    let code = match git_desk::cli::run(cli, &mut out, &mut err) {
        Ok(code) => code,
        Err(e) => {
            let _ = out.flush();
            let _ = writeln!(err, "error: {}", message(&e));
            1
        }
    };
    if let Err(e) = out.flush() {
        let _ = writeln!(err, "error: writing output: {e}");
        std::process::exit(1);
    }
    std::process::exit(code);
}

/// The error and its causes on one line, leaving out a cause the message before it already
/// quotes (library errors name their cause in their own text, as `path: cause`).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}
