//! Reading README.md into sections, blocks and commands: the parser of the transcript
//! convention described in the README's "Development" section.
//!
//! - A fenced block whose info string is `console` is a transcript: `$ COMMAND` lines, each
//!   followed by the output it prints (standard output and error, interleaved as on a
//!   terminal). A command line ending in `\` or inside quotes goes on on the next line, and a here-document
//!   (`<<'EOF'` … `EOF`) is part of its command. `[exit N]` as the last output line says the
//!   command exits with N (otherwise it must exit 0). Blank lines at the end of an output
//!   are for the reader and not compared.
//! - Every `## ` heading starts a new section: the blocks of one section run in order in
//!   one session (a fresh directory), those of the next in another.
//! - A block fenced as `sh`, `shell` or `bash` is not run; its first line must say so with a
//!   comment starting `# not run` (and why). A block of any other kind must not hold
//!   `$ ` lines: a transcript is always `console`, so none escapes the test unnoticed —
//!   except a `markdown` block, which shows Markdown source (such as a transcript's).
//!   A fence of four or more backticks holds fences of three.

/// One `$` command of a transcript and the output expected from it.
#[derive(Debug, Clone)]
pub struct Command {
    /// 1-based README line of the `$`.
    pub line: usize,
    /// The shell text after `$ ` (continuation lines and here-documents included).
    pub text: String,
    /// Expected output lines, patterns included (`...`, `[..]`).
    pub expected: Vec<String>,
    /// Expected exit code.
    pub exit: i32,
    /// README lines (1-based, end exclusive) holding the expected output, `[exit N]` included.
    pub output_lines: (usize, usize),
}

/// The commands of one `## ` section, in order.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub line: usize,
    pub commands: Vec<Command>,
}

/// What the README holds: the sections with transcripts, and the convention's violations.
#[derive(Debug, Default)]
pub struct Readme {
    pub sections: Vec<Section>,
    pub problems: Vec<String>,
}

/// The marker a `sh` block opens with when it is shown but not run.
pub const NOT_RUN: &str = "# not run";

const SHELL_FENCES: [&str; 3] = ["sh", "shell", "bash"];
const MARKDOWN_FENCES: [&str; 2] = ["markdown", "md"];

fn exit_marker(line: &str) -> Option<i32> {
    line.trim()
        .strip_prefix("[exit ")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The terminator of a here-document started on `line`, if any (`<<EOF`, `<<'EOF'`,
/// `<<"EOF"`, `<<-EOF`).
fn heredoc_end(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-').trim_start();
    let word: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Whether `text` ends inside a quoted string (a `-m "…` that goes on on the next line).
fn open_quote(text: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    let mut word_start = true;
    while let Some(c) = chars.next() {
        let at_word_start = word_start;
        word_start = c.is_whitespace();
        match (quote, c) {
            (None, '#') if at_word_start => {
                // A comment: its apostrophes quote nothing.
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                word_start = true;
            }
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => {
                chars.next();
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some('"'), '"') => quote = None,
            _ => {}
        }
    }
    quote.is_some()
}

/// Parses the `console` block whose lines (after the opening fence at `fence_line`) are
/// `body`; appends its commands to `out`.
fn parse_console(
    fence_line: usize,
    body: &[&str],
    out: &mut Vec<Command>,
    problems: &mut Vec<String>,
) {
    let mut i = 0;
    while i < body.len() {
        let line_no = fence_line + 1 + i;
        let Some(first) = body[i].strip_prefix("$ ") else {
            problems.push(format!(
                "README.md:{line_no}: output before any `$ ` command in a console block"
            ));
            i += 1;
            continue;
        };
        let mut text = first.to_owned();
        i += 1;
        let mut end = heredoc_end(first);
        let mut heredoc = end.is_some();
        while text.ends_with('\\') || end.is_some() || (!heredoc && open_quote(&text)) {
            let Some(next) = body.get(i) else { break };
            text.push('\n');
            text.push_str(next);
            i += 1;
            if end.as_deref() == Some(next.trim()) {
                end = None;
            } else if end.is_none() {
                end = heredoc_end(next);
                heredoc |= end.is_some();
            }
        }
        let start = i;
        while i < body.len() && !body[i].starts_with("$ ") {
            i += 1;
        }
        let mut expected: Vec<String> = body[start..i].iter().map(|s| s.to_string()).collect();
        while expected.last().is_some_and(|l| l.trim().is_empty()) {
            expected.pop();
        }
        let mut exit = 0;
        if let Some(code) = expected.last().and_then(|l| exit_marker(l)) {
            exit = code;
            expected.pop();
        }
        out.push(Command {
            line: line_no,
            text,
            expected,
            exit,
            output_lines: (fence_line + 1 + start, fence_line + 1 + i),
        });
    }
}

/// Reads the README's text.
pub fn parse(text: &str) -> Readme {
    let lines: Vec<&str> = text.lines().collect();
    let mut readme = Readme::default();
    let mut section = Section {
        title: "(top)".into(),
        line: 1,
        commands: vec![],
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(title) = line.strip_prefix("## ") {
            let done = std::mem::replace(
                &mut section,
                Section {
                    title: title.trim().to_owned(),
                    line: i + 1,
                    commands: vec![],
                },
            );
            readme.sections.push(done);
        } else if line.starts_with("```") {
            let ticks = line.chars().take_while(|&c| c == '`').count();
            let info = line[ticks..].trim().to_owned();
            let fence_line = i + 1;
            let closes = |l: &&str| {
                let l = l.trim_end();
                l.len() >= ticks && l.chars().all(|c| c == '`')
            };
            let close = lines[i + 1..].iter().position(closes).map(|p| i + 1 + p);
            let Some(close) = close else {
                readme.problems.push(format!(
                    "README.md:{fence_line}: a code block is never closed"
                ));
                break;
            };
            let body = &lines[i + 1..close];
            if info == "console" {
                parse_console(
                    fence_line,
                    body,
                    &mut section.commands,
                    &mut readme.problems,
                );
            } else if SHELL_FENCES.contains(&info.as_str()) {
                if !body.first().is_some_and(|l| l.starts_with(NOT_RUN)) {
                    readme.problems.push(format!(
                        "README.md:{fence_line}: a ```{info} block is not run: make it a ```console \
                         transcript, or begin it with `{NOT_RUN} …: why`"
                    ));
                }
            } else if MARKDOWN_FENCES.contains(&info.as_str()) {
                // Markdown source shown as such (the convention's own example).
            } else if let Some(p) = body.iter().position(|l| l.starts_with("$ ")) {
                readme.problems.push(format!(
                    "README.md:{}: a `$ ` command in a ```{info} block: transcripts are ```console blocks",
                    fence_line + 1 + p
                ));
            }
            i = close;
        }
        i += 1;
    }
    readme.sections.push(section);
    readme.sections.retain(|s| !s.commands.is_empty());
    readme
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_outputs_exit_codes_continuations_and_heredocs() {
        let text = "# t\n## One\n```console\n$ echo a \\\n  b\na b\n$ false\n[exit 1]\n$ cat <<'X'\n$ inside\nX\ndone\n```\n## Two\n```sh\n# not run: needs a server\nrm -rf /\n```\n";
        let r = parse(text);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.sections.len(), 1);
        let c = &r.sections[0].commands;
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].line, c[0].text.as_str()), (4, "echo a \\\n  b"));
        assert_eq!(c[0].expected, vec!["a b"]);
        assert_eq!((c[1].exit, c[1].expected.len()), (1, 0));
        assert_eq!(c[1].output_lines, (8, 9));
        assert_eq!(c[2].text, "cat <<'X'\n$ inside\nX");
        assert_eq!(c[2].expected, vec!["done"]);
        let r = parse("```console\n$ echo \"a\nb's\" 'c\"'\na\n```\n");
        assert_eq!(r.sections[0].commands[0].text, "echo \"a\nb's\" 'c\"'");
        assert_eq!(r.sections[0].commands[0].expected, vec!["a"]);
        let r = parse(
            "````markdown\n```console\n$ x\n```\n````\n```console\n$ echo a#b # bob's\na#b\n```\n",
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.sections[0].commands[0].expected, vec!["a#b"]);
    }

    #[test]
    fn unmarked_shell_blocks_and_stray_prompts_are_problems() {
        let r = parse("```sh\ngit desk ticket list\n```\n```\n$ git desk check\nok\n```\n```console\nno prompt\n```\n```console\n$ x\n");
        assert_eq!(r.problems.len(), 4, "{:?}", r.problems);
        assert!(
            r.problems[0].starts_with("README.md:1:"),
            "{}",
            r.problems[0]
        );
        assert!(
            r.problems[1].starts_with("README.md:5:"),
            "{}",
            r.problems[1]
        );
        assert!(r.problems[2].contains("output before"), "{}", r.problems[2]);
        assert!(r.problems[3].contains("never closed"), "{}", r.problems[3]);
    }
}
