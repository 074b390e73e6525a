//! A message body (plain e-mail text) cut into blocks the pages can show well on any
//! screen: prose (set in a proportional font, hard-wrapped lines joined again so a phone
//! re-wraps them cleanly), code (indented by four spaces or a tab, or fenced with three
//! backticks) and quoted text (`> …`), the last two kept monospace with their line breaks.
//! The text stays text: the templates escape it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    Text,
    Code,
    Quote,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

/// A line at least this long was most likely wrapped by the sender's mail program.
const WRAPPED: usize = 60;

fn is_code(line: &str) -> bool {
    line.starts_with("    ") || line.starts_with('\t')
}

fn is_quote(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// `line`'s kind when it starts or continues a block.
fn kind_of(line: &str) -> BlockKind {
    if is_quote(line) {
        BlockKind::Quote
    } else if is_code(line) {
        BlockKind::Code
    } else {
        BlockKind::Text
    }
}

/// Prose lines joined where the sender's program wrapped them; short lines (greetings,
/// signatures, list items) keep their break.
fn join_prose(lines: &[&str]) -> String {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            let prev = lines[i - 1];
            let list_item = l.trim_start().starts_with(['-', '*', '•'])
                || l.trim_start().split_once(['.', ')']).is_some_and(|(n, _)| {
                    !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit())
                });
            if prev.chars().count() >= WRAPPED && !list_item {
                out.push(' ');
            } else {
                out.push('\n');
            }
        }
        out.push_str(l.trim_end());
    }
    out
}

fn push(blocks: &mut Vec<Block>, kind: BlockKind, lines: &mut Vec<&str>) {
    // Trailing blank lines belong to no block.
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return;
    }
    let text = match kind {
        BlockKind::Text => join_prose(lines),
        BlockKind::Code => {
            let strip = |l: &&str| -> String {
                l.strip_prefix("    ")
                    .or_else(|| l.strip_prefix('\t'))
                    .unwrap_or(l)
                    .to_owned()
            };
            lines.iter().map(strip).collect::<Vec<_>>().join("\n")
        }
        BlockKind::Quote => lines.join("\n"),
    };
    blocks.push(Block { kind, text });
    lines.clear();
}

/// The blocks of `body`.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut kind = BlockKind::Text;
    let mut fenced = false;
    for line in body.lines() {
        if fenced {
            if line.trim_start().starts_with("```") {
                push(&mut blocks, BlockKind::Code, &mut cur);
                fenced = false;
            } else {
                cur.push(line);
            }
            continue;
        }
        if line.trim_start().starts_with("```") {
            push(&mut blocks, kind, &mut cur);
            fenced = true;
            continue;
        }
        if line.trim().is_empty() {
            // A blank line ends prose and quotes; code may hold blank lines.
            if kind == BlockKind::Code {
                cur.push(line);
            } else {
                push(&mut blocks, kind, &mut cur);
            }
            continue;
        }
        let k = kind_of(line);
        // An indented line inside prose continues it (a wrapped list item), unless a
        // blank line came before.
        let k = if k == BlockKind::Code && kind == BlockKind::Text && !cur.is_empty() {
            BlockKind::Text
        } else {
            k
        };
        if k != kind {
            push(&mut blocks, kind, &mut cur);
            kind = k;
        }
        cur.push(line);
    }
    push(
        &mut blocks,
        if fenced { BlockKind::Code } else { kind },
        &mut cur,
    );
    blocks
}

/// The first line of a message with something in it, cut to `max` characters, for
/// lists (quoted text, blank lines and a greeting skipped).
pub fn first_line(body: &str, max: usize) -> String {
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('>'))
        .collect();
    // "Hello,", "Dear Ms Martins," say nothing: the line after a greeting does.
    let greeting = |l: &str| l.ends_with([',', ':']) && l.split_whitespace().count() <= 4;
    let line = lines
        .iter()
        .find(|l| !greeting(l))
        .or(lines.first())
        .copied()
        .unwrap_or("");
    if line.chars().count() > max {
        line.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(b: &[Block]) -> Vec<BlockKind> {
        b.iter().map(|b| b.kind).collect()
    }

    #[test]
    fn prose_code_and_quotes_are_told_apart() {
        let body = "Dear Ms Martins,\n\nThe error comes from two lines in public_html/.htaccess that are long:\n\n    php_value upload_max_filesize 32M\n    php_value memory_limit 256M\n\nWith the new PHP 8.2 handler these settings are no longer allowed in\n.htaccess and make the web server refuse the whole file.\n\n> On Monday you wrote:\n> it is broken\n\nKind regards,\nBob\n";
        let b = blocks(body);
        use BlockKind::*;
        assert_eq!(kinds(&b), vec![Text, Text, Code, Text, Quote, Text]);
        assert_eq!(
            b[2].text,
            "php_value upload_max_filesize 32M\nphp_value memory_limit 256M"
        );
        assert_eq!(
            b[3].text,
            "With the new PHP 8.2 handler these settings are no longer allowed in .htaccess and make the web server refuse the whole file."
        );
        assert_eq!(b[4].text, "> On Monday you wrote:\n> it is broken");
        assert_eq!(b[5].text, "Kind regards,\nBob");
    }

    #[test]
    fn fences_keep_blank_lines_and_an_open_fence_ends_the_body() {
        let b = blocks("Run:\n```\na\n\nb\n```\nthen\n```\nx");
        use BlockKind::*;
        assert_eq!(kinds(&b), vec![Text, Code, Text, Code]);
        assert_eq!(b[1].text, "a\n\nb");
        assert_eq!(b[3].text, "x");
    }

    #[test]
    fn the_first_line_skips_quotes_and_is_cut() {
        assert_eq!(
            first_line("\n> old\n  Hello there  \nmore", 80),
            "Hello there"
        );
        assert_eq!(first_line("abcdef", 4), "abc…");
        assert_eq!(
            first_line("Dear Ms Martins,\n\nThe site is down.", 80),
            "The site is down."
        );
        assert_eq!(first_line("Hello,", 80), "Hello,");
        assert_eq!(first_line("", 4), "");
    }
}
