//! Which parts of a text are prose worth spellchecking, and where each word is.
//!
//! Left out, because they are not prose a technician would correct: fenced code blocks
//! (```` ``` ```` or `~~~`), inline code spans (`` `like this` ``), quoted lines (`> …`, the
//! customer's words), URLs (`scheme://…`, `www.…`, `mailto:…`), e-mail addresses, file and host
//! names (`index.php`, `mail.example.com`, `e.g.`), anything with path or code punctuation
//! (`/etc/hosts`, `$HOME`, `max_size`), words with digits (`3rd`, `IPv6`), single letters and
//! all-capital abbreviations (`DNS`).
//!
//! Positions are a 1-based line and a 1-based column counted in characters, plus the byte
//! offset into the whole text (for replacing the word).

/// One word to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    /// Byte offset of the word in the whole text.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Characters that may join two parts of one word: `don't`, `don’t`, `e-mail`.
pub fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-')
}

/// Punctuation that marks a chunk as code, a path or markup rather than prose.
fn is_structural(c: char) -> bool {
    matches!(
        c,
        '/' | '\\'
            | '_'
            | '='
            | '<'
            | '>'
            | '{'
            | '}'
            | '|'
            | '$'
            | '%'
            | '^'
            | '&'
            | '*'
            | '+'
            | '~'
            | '@'
            | '#'
    )
}

/// The words of `text` worth checking, in order.
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if let Some((c, n)) = fence {
            if fence_marker(trimmed).is_some_and(|(c2, n2)| c2 == c && n2 >= n) {
                fence = None;
            }
            continue;
        }
        if let Some(f) = fence_marker(trimmed) {
            fence = Some(f);
            continue;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        line_words(line, start, i + 1, &mut out);
    }
    out
}

/// A code fence's character and length (```` ``` ```` or `~~~`, at least three).
fn fence_marker(s: &str) -> Option<(char, usize)> {
    let c = s.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = s.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

fn line_words<'a>(line: &'a str, line_start: usize, line_no: usize, out: &mut Vec<Word<'a>>) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut masked = vec![false; chars.len()];
    mask_code_spans(&chars, &mut masked);
    mask_urls(line, &chars, &mut masked);
    mask_emails(&chars, &mut masked);

    let mut i = 0;
    while i < chars.len() {
        if masked[i] || chars[i].1.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !masked[i] && !chars[i].1.is_whitespace() {
            i += 1;
        }
        chunk_words(line, &chars[start..i], start, line_start, line_no, out);
    }
}

/// Inline code: a run of N backticks up to the next run of exactly N on the same line.
fn mask_code_spans(chars: &[(usize, char)], masked: &mut [bool]) {
    let run_at = |i: usize| chars[i..].iter().take_while(|(_, c)| *c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1 != '`' {
            i += 1;
            continue;
        }
        let n = run_at(i);
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j].1 == '`' {
                let m = run_at(j);
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                masked[i..end].fill(true);
                i = end;
            }
            None => i += n,
        }
    }
}

/// `scheme://…`, `www.…` and `mailto:…`, up to white space or a bracket that ends them.
fn mask_urls(line: &str, chars: &[(usize, char)], masked: &mut [bool]) {
    for i in 0..chars.len() {
        if masked[i] || (i > 0 && chars[i - 1].1.is_alphanumeric()) {
            continue;
        }
        let rest = &line[chars[i].0..];
        let scheme = rest.find("://").is_some_and(|p| {
            p > 0
                && p <= 12
                && rest[..p]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        });
        let lower: String = rest
            .chars()
            .take(7)
            .collect::<String>()
            .to_ascii_lowercase();
        if scheme || lower.starts_with("www.") || lower.starts_with("mailto:") {
            let mut j = i;
            while j < chars.len() && !chars[j].1.is_whitespace() && !"<>\"`".contains(chars[j].1) {
                masked[j] = true;
                j += 1;
            }
        }
    }
}

/// `local@domain.tld`, wherever an `@` has an address around it.
fn mask_emails(chars: &[(usize, char)], masked: &mut [bool]) {
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    for at in 0..chars.len() {
        if chars[at].1 != '@' {
            continue;
        }
        let mut a = at;
        while a > 0 && local(chars[a - 1].1) {
            a -= 1;
        }
        let mut b = at + 1;
        while b < chars.len() && domain(chars[b].1) {
            b += 1;
        }
        let host: String = chars[at + 1..b].iter().map(|(_, c)| *c).collect();
        if a < at && host.trim_end_matches('.').contains('.') {
            masked[a..b].fill(true);
        }
    }
}

/// The words of one chunk of non-blank characters (`chunk` starts at character `first` of
/// the line).
fn chunk_words<'a>(
    line: &'a str,
    chunk: &[(usize, char)],
    first: usize,
    line_start: usize,
    line_no: usize,
    out: &mut Vec<Word<'a>>,
) {
    // Surrounding punctuation ("(see", "word,", "**bold**", "[link](") is not part of it;
    // a leading `$`, `/`, `~`, … is, and marks the chunk as code or a path.
    let keep = |c: char| c.is_alphanumeric() || "$@/\\~%#".contains(c);
    let Some(lo) = chunk.iter().position(|(_, c)| keep(*c)) else {
        return;
    };
    let hi = chunk.iter().rposition(|(_, c)| keep(*c)).unwrap_or(lo) + 1;
    let inner = &chunk[lo..hi];
    if inner.iter().any(|(_, c)| is_structural(*c)) {
        return;
    }
    let dotted = inner
        .windows(3)
        .any(|w| w[1].1 == '.' && w[0].1.is_alphanumeric() && w[2].1.is_alphanumeric());
    if dotted {
        return;
    }
    let mut i = 0;
    while i < inner.len() {
        if !inner[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        i += 1;
        while i < inner.len() {
            let c = inner[i].1;
            let joins = is_joiner(c) && inner.get(i + 1).is_some_and(|n| n.1.is_alphanumeric());
            if c.is_alphanumeric() || joins {
                i += 1;
            } else {
                break;
            }
        }
        let (b0, _) = inner[s];
        let b1 = inner.get(i).map_or(chunk_end(line, inner), |(b, _)| *b);
        let text = &line[b0..b1];
        if worth_checking(text) {
            out.push(Word {
                text,
                offset: line_start + b0,
                line: line_no,
                column: first + lo + s + 1,
            });
        }
    }
}

fn chunk_end(line: &str, chunk: &[(usize, char)]) -> usize {
    chunk.last().map_or(line.len(), |(b, c)| b + c.len_utf8())
}

/// Single letters, words with digits and all-capital abbreviations are not checked.
pub fn worth_checking(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || word.chars().any(|c| c.is_numeric()) {
        return false;
    }
    !word
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        words(s).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn plain_words_with_positions() {
        let w = words("Hello there,\n  we don’t recieve it.");
        let got: Vec<(&str, usize, usize)> = w.iter().map(|w| (w.text, w.line, w.column)).collect();
        assert_eq!(
            got,
            [
                ("Hello", 1, 1),
                ("there", 1, 7),
                ("we", 2, 3),
                ("don’t", 2, 6),
                ("recieve", 2, 12),
                ("it", 2, 20)
            ]
        );
        let text = "Hello there,\n  we don’t recieve it.";
        let r = &w[4];
        assert_eq!(&text[r.offset..r.offset + r.text.len()], "recieve");
    }

    #[test]
    fn code_urls_addresses_and_names_are_skipped() {
        let s = "Run `chmod 644 fliez` then see https://exmple.com/pth?q=zz or www.foo.bar/baz.\n\
                 Write to jdoe@exmple.com or <bob@dsk.example>; edit index.phpp and /etc/hostz,\n\
                 e.g. the DNSX record, $HOMEE, max_sizz, 3rd, IPv6 and a x.";
        assert_eq!(
            texts(s),
            [
                "Run", "then", "see", "or", "Write", "to", "or", "edit", "and", "the", "record",
                "and"
            ]
        );
    }

    #[test]
    fn fenced_blocks_and_quotes_are_skipped() {
        let s = "Befor\n```sh\nmispeled command\n```\n> the custmer wrote\nAftr";
        assert_eq!(texts(s), ["Befor", "Aftr"]);
        let s = "~~~~\nxx yy\n~~~\nstill code\n~~~~\nok now";
        assert_eq!(texts(s), ["ok", "now"]);
    }

    #[test]
    fn markup_around_words_is_not_part_of_them() {
        assert_eq!(
            texts("**bold** _it_ [link](https://x.example/a) (see) e-mail customers'"),
            ["bold", "it", "link", "see", "e-mail", "customers"]
        );
        // An unclosed backtick is just a character.
        assert_eq!(texts("a `stray tick"), ["stray", "tick"]);
    }
}
