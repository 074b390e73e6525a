//! Markdown as plain text that reads well in a terminal or a plain-text e-mail: headings
//! underlined (`===` for the first level, `---` for the second), list items with `-` or
//! their numbers, code blocks indented by four spaces, quotes with `> `, tables as aligned
//! columns, links as `text <url>`, emphasis and inline-code markers dropped. Line breaks of
//! the source are kept (articles are wrapped by their authors).

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// `markdown` rendered as plain text, ending with one newline (empty input gives "").
pub fn to_text(markdown: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut w = Writer::default();
    for event in Parser::new_ext(markdown, opts) {
        w.event(event);
    }
    w.finish()
}

#[derive(Default)]
struct Writer {
    out: String,
    line: String,
    /// The prefix of continuation lines (list indentation, quote markers).
    indent: String,
    /// The prefix of the next line only (a list item's marker).
    first: Option<String>,
    /// A blank line is due before the next block.
    blank: bool,
    /// Counters of the open lists (None = bulleted).
    lists: Vec<Option<u64>>,
    /// The indentation each open list item or quote added.
    added: Vec<usize>,
    code: bool,
    heading: Option<HeadingLevel>,
    links: Vec<String>,
    table: Option<Vec<Vec<String>>>,
}

impl Writer {
    fn text(&mut self, s: &str) {
        match &mut self.table {
            Some(rows) => {
                if let Some(cell) = rows.last_mut().and_then(|r| r.last_mut()) {
                    cell.push_str(s);
                }
            }
            None => self.line.push_str(s),
        }
    }

    /// Ends the current line (an empty one only when `force`).
    fn flush(&mut self, force: bool) {
        if self.line.is_empty() && !force {
            return;
        }
        let prefix = self.first.take().unwrap_or_else(|| self.indent.clone());
        let line = format!("{prefix}{}", std::mem::take(&mut self.line));
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }

    /// Starts a block: ends the line before it and leaves a blank line when one is due.
    fn block(&mut self) {
        self.flush(false);
        if self.blank && !self.out.is_empty() {
            self.out.push_str(self.indent.trim_end());
            self.out.push('\n');
        }
        self.blank = false;
    }

    fn push_indent(&mut self, s: &str) {
        self.indent.push_str(s);
        self.added.push(s.len());
    }

    fn pop_indent(&mut self) {
        let n = self.added.pop().unwrap_or(0);
        self.indent.truncate(self.indent.len().saturating_sub(n));
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) if self.code => {
                for l in t.split_inclusive('\n') {
                    self.line.push_str("    ");
                    self.line.push_str(l.trim_end_matches('\n'));
                    if l.ends_with('\n') {
                        self.flush(true);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t)
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let t = t.trim_end_matches('\n').to_owned();
                for (i, l) in t.split('\n').enumerate() {
                    if i > 0 {
                        self.flush(true);
                    }
                    self.text(l);
                }
            }
            Event::FootnoteReference(r) => self.text(&format!("[{r}]")),
            Event::SoftBreak | Event::HardBreak => {
                if self.table.is_some() {
                    self.text(" ");
                } else {
                    self.flush(true);
                }
            }
            Event::Rule => {
                self.block();
                self.line.push_str("----");
                self.flush(true);
                self.blank = true;
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.block(),
            Tag::Heading { level, .. } => {
                self.block();
                self.heading = Some(level);
            }
            Tag::BlockQuote(_) => {
                self.block();
                self.push_indent("> ");
            }
            Tag::CodeBlock(kind) => {
                self.block();
                self.code = true;
                // The language of a fenced block is not shown.
                let _: CodeBlockKind = kind;
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.block();
                } else {
                    self.flush(false);
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.block();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "- ".to_owned(),
                };
                self.first = Some(format!("{}{marker}", self.indent));
                let pad = " ".repeat(marker.len());
                self.push_indent(&pad);
            }
            Tag::Table(_) => {
                self.block();
                self.table = Some(Vec::new());
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(row) = self.table.as_mut().and_then(|r| r.last_mut()) {
                    row.push(String::new());
                }
            }
            Tag::Link { dest_url, .. } => self.links.push(dest_url.to_string()),
            Tag::Image { dest_url, .. } => {
                self.text("[image: ");
                self.links.push(dest_url.to_string());
            }
            Tag::FootnoteDefinition(label) => {
                self.block();
                self.text(&format!("[{label}]: "));
            }
            Tag::DefinitionListTitle | Tag::DefinitionListDefinition => self.block(),
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::DefinitionList
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock | TagEnd::FootnoteDefinition => {
                self.flush(false);
                self.blank = true;
            }
            TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => self.flush(false),
            TagEnd::Heading(level) => {
                let width = self.line.chars().count();
                self.flush(false);
                let under = match (self.heading.take(), level) {
                    (_, HeadingLevel::H1) => Some('='),
                    (_, HeadingLevel::H2) => Some('-'),
                    _ => None,
                };
                if let Some(c) = under {
                    self.line = c.to_string().repeat(width.max(3));
                    self.flush(true);
                }
                self.blank = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush(false);
                self.pop_indent();
                self.blank = true;
            }
            TagEnd::CodeBlock => {
                self.flush(false);
                self.code = false;
                self.blank = true;
            }
            TagEnd::List(_) => {
                self.flush(false);
                self.lists.pop();
                self.blank = true;
            }
            TagEnd::Item => {
                self.flush(false);
                self.first = None;
                self.pop_indent();
            }
            TagEnd::Table => {
                let rows = self.table.take().unwrap_or_default();
                self.table_rows(&rows);
                self.blank = true;
            }
            TagEnd::Link => {
                let url = self.links.pop().unwrap_or_default();
                let bare = url.strip_prefix("mailto:").unwrap_or(&url);
                let shown = self.line.ends_with(bare) || url.starts_with('#');
                if !url.is_empty() && !shown {
                    self.text(&format!(" <{url}>"));
                }
            }
            TagEnd::Image => {
                let url = self.links.pop().unwrap_or_default();
                self.text(&format!("] <{url}>"));
            }
            _ => {}
        }
    }

    fn table_rows(&mut self, rows: &[Vec<String>]) {
        let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0; cols];
        for r in rows {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.trim().chars().count());
            }
        }
        for (n, r) in rows.iter().enumerate() {
            let cells: Vec<String> = (0..cols)
                .map(|i| {
                    let c = r.get(i).map_or("", |c| c.trim());
                    format!("{c}{}", " ".repeat(widths[i] - c.chars().count()))
                })
                .collect();
            self.line = cells.join("  ");
            self.flush(true);
            if n == 0 && rows.len() > 1 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w.max(&1))).collect();
                self.line = rule.join("  ");
                self.flush(true);
            }
        }
    }

    fn finish(mut self) -> String {
        self.flush(false);
        let trimmed = self.out.trim_end().to_owned();
        if trimmed.is_empty() {
            trimmed
        } else {
            trimmed + "\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn headings_lists_code_and_links() {
        let md = "# Title\n\nSome *text* with `code` and [a link](https://x.example/a).\n\n\
                  ## Steps\n\n1. First\n2. Second\n   - nested\n\n```sh\nls -l\necho hi\n```\n\n> quoted\n> more\n";
        let want = "Title\n=====\n\nSome text with code and a link <https://x.example/a>.\n\n\
                    Steps\n-----\n\n1. First\n2. Second\n   - nested\n\n    ls -l\n    echo hi\n\n> quoted\n> more\n";
        assert_eq!(to_text(md), want);
    }

    #[test]
    fn tables_are_aligned() {
        let md = "| | Port |\n|---|---|\n| IMAP | 993 |\n| SMTP submission | 587 |\n";
        assert_eq!(to_text(md), "                 Port\n---------------  ----\nIMAP             993\nSMTP submission  587\n");
    }

    #[test]
    fn loose_lists_and_autolinks() {
        let md = "- one\n\n- two <https://a.example>\n\nafter";
        assert_eq!(to_text(md), "- one\n\n- two https://a.example\n\nafter\n");
        assert_eq!(to_text(""), "");
    }
}
