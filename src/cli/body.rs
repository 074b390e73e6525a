//! Where a message body comes from, like `git commit`: `--body TEXT`, `--body-file FILE`
//! (`-` = standard input), standard input when it is not a terminal, or else the editor
//! (`$GIT_EDITOR`, `$VISUAL`, `$EDITOR`, then `vi`) on a template whose `#` lines are dropped.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

/// The longest body accepted (1 MiB): a message, not a file.
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct BodyArgs {
    /// The text.
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub body: Option<String>,
    /// Read the text from FILE (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "body")]
    pub body_file: Option<PathBuf>,
}

impl BodyArgs {
    /// The body, from the first source that applies. `what` names it in the editor template.
    pub fn read(&self, what: &str) -> Result<String> {
        let text = if let Some(b) = &self.body {
            b.clone()
        } else if let Some(f) = &self.body_file {
            if f.as_os_str() == "-" {
                read_stdin()?
            } else {
                let meta =
                    std::fs::metadata(f).with_context(|| format!("--body-file {}", f.display()))?;
                if meta.len() as usize > MAX_BODY {
                    bail!(
                        "--body-file {}: larger than {} bytes",
                        f.display(),
                        MAX_BODY
                    );
                }
                std::fs::read_to_string(f).with_context(|| {
                    format!("--body-file {}: not readable as UTF-8 text", f.display())
                })?
            }
        } else if !std::io::stdin().is_terminal() {
            read_stdin()?
        } else {
            edit(what)?
        };
        if text.len() > MAX_BODY {
            bail!("the {what} is larger than {MAX_BODY} bytes");
        }
        if text.trim().is_empty() {
            bail!("the {what} is empty; give it with --body, --body-file or on standard input");
        }
        Ok(text)
    }
}

impl BodyArgs {
    /// The text of a new desk file (a KB article, a saved reply): typed (`--body`,
    /// `--body-file`, standard input), else written in the editor from an empty file named
    /// `file_name` — not the message template, whose `#` lines would be Markdown headings.
    pub fn read_or_edit(&self, what: &str, file_name: &str) -> Result<String> {
        let typed = self.body.is_some() || self.body_file.is_some();
        if typed || !std::io::stdin().is_terminal() {
            self.read(what)
        } else {
            edit_text("", file_name)
        }
    }

    /// The text when a flag gives one (`--body`, `--body-file`), for an edit that may
    /// leave the text as it is.
    pub fn given(&self, what: &str) -> Result<Option<String>> {
        if self.body.is_some() || self.body_file.is_some() {
            self.read(what).map(Some)
        } else {
            Ok(None)
        }
    }
}

fn read_stdin() -> Result<String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut buf)
        .context("reading standard input")?;
    String::from_utf8(buf).context("standard input is not UTF-8 text")
}

fn edit(what: &str) -> Result<String> {
    let text = edit_text(
        &format!("\n# Write the {what} above. Lines starting with '#' are ignored;\n# an empty {what} aborts.\n"),
        "DESK_EDITMSG",
    )?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
        + "\n")
}

/// Opens the editor on a temporary file `file_name` holding `initial` and returns what the
/// file holds afterwards, unchanged (no comment lines are dropped: Markdown uses `#`).
pub fn edit_text(initial: &str, file_name: &str) -> Result<String> {
    let editor = ["GIT_EDITOR", "VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "vi".into());
    let dir = tempfile::tempdir().context("making a temporary directory for the editor")?;
    let path = dir.path().join(file_name);
    std::fs::write(&path, initial)?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(&path)
        .status()
        .with_context(|| format!("starting the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` failed ({status}); nothing was changed");
    }
    std::fs::read_to_string(&path).context("reading back the edited text")
}
