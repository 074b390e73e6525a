//! `git desk check`: validate the desk.

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::ops::check::check;

/// Validate every file and the references between them; list every problem with file and
/// line; exit 1 when there is any.
///
/// Notices (open tickets lacking a custom field their queue requires) are listed too but
/// do not fail the check.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {}

pub fn run(env: &Env, _a: CheckArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let reader = desk.reader()?;
    let report = check(reader.as_ref())?;
    match desk.repair_index() {
        Ok(0) => {}
        Ok(n) => {
            let _ = writeln!(
                std::io::stderr(),
                "git-desk: set {n} index entr{} again that a concurrent git command had put back",
                if n == 1 { "y" } else { "ies" }
            );
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "warning: the index could not be checked: {e}"
            );
        }
    }
    // git's lock files in the way of the next change (not problems of the files: a git
    // command may be running right now).
    for l in desk.foreign_locks() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} exists (made {} ago): changes wait for it; if no git command is running, delete it",
            l.path.display(),
            l.age
        );
    }
    if env.printer.json {
        let problems: Vec<_> = report
            .problems
            .iter()
            .map(|p| serde_json::json!({ "path": p.path, "line": p.line, "column": p.column, "message": p.message }))
            .collect();
        let notices: Vec<_> = report
            .notices
            .iter()
            .map(|p| serde_json::json!({ "path": p.path, "message": p.message }))
            .collect();
        env.printer.json(out, &serde_json::json!({ "ok": problems.is_empty(), "problems": problems, "notices": notices, "tickets": report.tickets, "messages": report.messages, "files": report.files }))?;
    } else {
        for p in &report.problems {
            writeln!(out, "{p}")?;
        }
        for n in &report.notices {
            writeln!(out, "notice: {n}")?;
        }
        if report.problems.is_empty() {
            writeln!(
                out,
                "ok: {} files, {} tickets, {} messages",
                report.files, report.tickets, report.messages
            )?;
        } else {
            writeln!(
                out,
                "{} problem(s) in {} files",
                report.problems.len(),
                report.files
            )?;
        }
    }
    Ok(if report.problems.is_empty() { 0 } else { 1 })
}
