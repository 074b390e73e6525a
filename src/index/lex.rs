//! Tokens of the search language, with their character spans: words, `"phrases"` (with an
//! optional `~N`), `name:value` pairs, parentheses, `-` and the capitalised operators
//! `AND`, `OR`, `NOT`. The grammar is in [`super::query`].

use super::expr::Span;
use super::query::QueryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    LParen,
    RParen,
    /// `NOT`, or `-` in front of a term.
    Not,
    And,
    Or,
    Word(String),
    Phrase {
        text: String,
        slop: u32,
    },
    /// `name:value`; the value is a `Word` or a `Phrase` with its span, or none (`name:`
    /// followed by a space or the end).
    Field {
        name: String,
        value: Option<(Box<Tok>, Span)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

pub fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '-' if chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != ')') =>
            {
                i += 1;
                Tok::Not
            }
            '"' => {
                let (tok, end) = phrase(query, &chars, i)?;
                i = end;
                tok
            }
            _ => {
                while i < chars.len() && !ends_word(chars[i]) && chars[i] != ':' {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let is_name = (!word.is_empty()
                    && word.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                    || word
                        .strip_prefix(super::expr::CUSTOM_PREFIX)
                        .is_some_and(|n| {
                            !n.is_empty()
                                && n.chars().all(|c| {
                                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
                                })
                        });
                if chars.get(i) == Some(&':') && is_name {
                    i += 1;
                    let value = match chars.get(i) {
                        Some('"') => {
                            let vstart = i;
                            let (tok, end) = phrase(query, &chars, i)?;
                            i = end;
                            Some((Box::new(tok), Span::new(vstart, end)))
                        }
                        Some(c) if !c.is_whitespace() && *c != ')' && *c != '(' => {
                            let vstart = i;
                            while i < chars.len() && !ends_word(chars[i]) {
                                i += 1;
                            }
                            let v: String = chars[vstart..i].iter().collect();
                            Some((Box::new(Tok::Word(v)), Span::new(vstart, i)))
                        }
                        _ => None,
                    };
                    Tok::Field { name: word, value }
                } else {
                    // A colon that does not follow a field name is part of the word.
                    while i < chars.len() && !ends_word(chars[i]) {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    match word.as_str() {
                        "AND" => Tok::And,
                        "OR" => Tok::Or,
                        "NOT" => Tok::Not,
                        "-" => {
                            return Err(QueryError::new(
                                query,
                                Span::new(start, i),
                                "`-` needs a search term right after it",
                            ))
                        }
                        _ => Tok::Word(word),
                    }
                }
            }
        };
        out.push(Token {
            tok,
            span: Span::new(start, i),
        });
    }
    Ok(out)
}

/// A phrase starting at the quote `chars[at]`: its token and the index after it.
fn phrase(query: &str, chars: &[char], at: usize) -> Result<(Tok, usize), QueryError> {
    let Some(close) = (at + 1..chars.len()).find(|&j| chars[j] == '"') else {
        return Err(QueryError::new(
            query,
            Span::new(at, at + 1),
            "unclosed quote",
        ));
    };
    let text: String = chars[at + 1..close].iter().collect();
    let mut i = close + 1;
    let mut slop = 0;
    if chars.get(i) == Some(&'~') {
        let dstart = i + 1;
        i = dstart;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[dstart..i].iter().collect();
        slop = if digits.is_empty() {
            1
        } else {
            digits.parse().ok().filter(|n| *n <= 100).ok_or_else(|| {
                QueryError::new(
                    query,
                    Span::new(close + 1, i),
                    "a phrase's `~N` is at most 100",
                )
            })?
        };
    }
    if chars.get(i).is_some_and(|c| !ends_word(*c)) {
        let mut end = i;
        while end < chars.len() && !ends_word(chars[end]) {
            end += 1;
        }
        return Err(QueryError::new(
            query,
            Span::new(i, end),
            "put a space after a closing quote",
        ));
    }
    if text.trim().is_empty() {
        return Err(QueryError::new(
            query,
            Span::new(at, close + 1),
            "empty phrase",
        ));
    }
    Ok((Tok::Phrase { text, slop }, i))
}
