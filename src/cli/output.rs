//! Rendering helpers: JSON or aligned text, and short forms of values for tables.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::model::Timestamp;

pub struct Printer {
    pub json: bool,
}

impl Printer {
    pub fn new(json: bool) -> Self {
        Printer { json }
    }

    /// Writes `value` as pretty JSON followed by a newline.
    pub fn json<T: Serialize + ?Sized>(&self, out: &mut dyn Write, value: &T) -> Result<()> {
        // As an `io::Error`, a closed pipe (`--json … | head`) is recognised as such.
        serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
        writeln!(out)?;
        Ok(())
    }
}

/// Text cut to `max` characters (with an ellipsis), control characters shown as spaces, so
/// hostile ticket text cannot move the cursor or clear the terminal.
pub fn cell(s: &str, max: usize) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > max {
        clean
            .chars()
            .take(max.saturating_sub(1))
            .collect::<String>()
            + "…"
    } else {
        clean
    }
}

/// Multi-line text with terminal control characters removed (newlines and tabs kept).
pub fn safe_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// `2026-11-27 17:45`
pub fn short_time(t: Timestamp) -> String {
    let s = t.to_string();
    format!("{} {}", &s[..10], &s[11..16])
}

/// Rows as aligned columns (the last column is not padded).
pub fn table(out: &mut dyn Write, rows: &[Vec<String>]) -> Result<()> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Reports a mutation: `text` on a terminal, `{"done": text, "commit": id}` as JSON.
pub fn report_commit(
    printer: &Printer,
    out: &mut dyn Write,
    text: &str,
    commit: Option<gix::ObjectId>,
) -> Result<()> {
    if printer.json {
        printer.json(
            out,
            &serde_json::json!({ "done": text, "commit": commit.map(|c| c.to_string()) }),
        )
    } else {
        writeln!(out, "{text}")?;
        Ok(())
    }
}

/// One line per ticket an operation changed: `ticket 1043: close`.
pub fn done_lines(out: &mut dyn Write, done: &[crate::ops::ticket::Done]) -> Result<()> {
    for d in done {
        writeln!(out, "ticket {}: {}", d.id, cell(&d.summary, 200))?;
    }
    Ok(())
}

/// Reports a change to a desk file named by its slug (a KB article, a saved reply, a
/// macro): `<noun> <slug> <text>` on a terminal, `{"slug", "commit"}` as JSON.
pub fn report_slug(
    printer: &Printer,
    out: &mut dyn Write,
    noun: &str,
    slug: &crate::model::Slug,
    commit: Option<gix::ObjectId>,
    text: &str,
) -> Result<i32> {
    if printer.json {
        let commit = commit.map(|c| c.to_string());
        printer.json(out, &serde_json::json!({ "slug": slug, "commit": commit }))?;
    } else {
        writeln!(out, "{noun} {slug} {text}")?;
    }
    Ok(0)
}

/// A listing as every `… list` command prints it: the files that could not be read as
/// warnings on stderr, then the items as JSON or as a table under `header`.
pub fn listing<T: Serialize>(
    printer: &Printer,
    out: &mut dyn Write,
    loaded: &crate::store::Loaded<T>,
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> Result<()> {
    for p in &loaded.problems {
        let _ = writeln!(std::io::stderr(), "warning: {p}");
    }
    if printer.json {
        return printer.json(out, &loaded.items);
    }
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    rows.extend(loaded.items.iter().map(row));
    table(out, &rows)
}

/// A `… list` of desk files named by slug (KB articles, saved replies, macros): the files
/// that could not be read as warnings on `err`, then the items as JSON (`json` of each) or
/// as `title (N)` over a table under `header` (`(none)` when empty).
pub fn slug_listing<T>(
    printer: &Printer,
    (out, err): (&mut dyn Write, &mut dyn Write),
    loaded: &crate::store::Loaded<T>,
    (title, header): (&str, &[&str]),
    json: impl Fn(&T) -> serde_json::Value,
    row: impl Fn(&T) -> Vec<String>,
) -> Result<()> {
    for p in &loaded.problems {
        writeln!(err, "warning: {p}")?;
    }
    if printer.json {
        let items: Vec<serde_json::Value> = loaded.items.iter().map(json).collect();
        return printer.json(out, &items);
    }
    writeln!(out, "{title} ({})", loaded.items.len())?;
    if loaded.items.is_empty() {
        writeln!(out, "  (none)")?;
        return Ok(());
    }
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    rows.extend(loaded.items.iter().map(row));
    table(out, &rows)
}

/// Runs `work` with a spinner and the elapsed time on a terminal's stderr (nothing when
/// stderr is not a terminal): for work whose length cannot be told in advance, such as the
/// first statistics run of a large desk, which reads every ticket and the history once.
pub fn with_spinner<T>(message: &str, work: impl FnOnce() -> T) -> T {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = work();
    bar.finish_and_clear();
    result
}
