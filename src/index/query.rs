//! The search language: text → [`Expr`], with errors that point at the position.
//!
//! ```text
//! status:open queue:billing assignee:alice "disk quota"     fields AND text (implicit AND)
//! priority:>=50  created:2026-11-01..2026-11-30  id:1001..1010  updated:<2026-11-01
//! printr~  printr~2  print*  "disk quota"~2                  typo-tolerant only with `~`
//! status:open,new   (a OR b)   -status:closed   NOT queue:sales
//! ```
//! Precedence: `NOT`/`-` binds tightest, then AND (also implied by juxtaposition), then
//! `OR`. Field names are lower case; `AND`, `OR`, `NOT` are operators only in capitals. A
//! word with an unknown `name:` in front is an error (quote it to search for the text).
//! Pure: no index, no I/O. Values are checked in [`super::values`] (statuses, logins,
//! dates, 0–100).

use super::expr::{field_kind, Expr, FieldKind, Span, TextField, TextTerm, FIELD_NAMES};
use super::lex::{lex, Tok, Token};
use super::values::value_expr;

pub use super::values::field_expr;

/// A query that cannot be understood; `span` is where (char offsets into `query`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct QueryError {
    pub query: String,
    pub span: Span,
    pub message: String,
}

impl QueryError {
    pub fn new(query: &str, span: Span, message: impl Into<String>) -> QueryError {
        QueryError {
            query: query.to_owned(),
            span,
            message: message.into(),
        }
    }

    /// The 1-based column where the problem starts.
    pub fn column(&self) -> usize {
        self.span.start + 1
    }

    /// `bad query at column N: message`, then the query and a caret line under the span.
    pub fn render(&self) -> String {
        let shown: String = self
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let width = self.span.end.saturating_sub(self.span.start).max(1);
        format!(
            "bad query at column {}: {}\n  {}\n  {}{}",
            self.column(),
            self.message,
            shown,
            " ".repeat(self.span.start),
            "^".repeat(width)
        )
    }
}

/// Parses a whole query. The empty query is [`Expr::All`].
pub fn parse(query: &str) -> Result<Expr, QueryError> {
    let tokens = lex(query)?;
    let mut p = Parser {
        query,
        tokens,
        pos: 0,
        depth: 0,
    };
    let e = p.or_expr()?;
    if let Some(t) = p.peek() {
        let span = t.span;
        return Err(p.err(span, "unexpected `)` (no `(` opens it)"));
    }
    Ok(e.unwrap_or(Expr::All))
}

/// Parses text that is only words and phrases (the `--text` flag): no fields, no operators.
pub fn parse_text(text: &str) -> Result<Expr, QueryError> {
    let mut out = Expr::All;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let term = if chars[i] == '"' {
            let end = (i + 1..chars.len()).find(|&j| chars[j] == '"');
            let Some(end) = end else {
                return Err(QueryError::new(text, Span::new(i, i + 1), "unclosed quote"));
            };
            i = end + 1;
            TextTerm::Phrase {
                text: chars[start + 1..end].iter().collect(),
                slop: 0,
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
                i += 1;
            }
            TextTerm::Word {
                text: chars[start..i].iter().collect(),
                prefix: false,
                fuzzy: 0,
            }
        };
        out = out.and(Expr::Text {
            field: TextField::All,
            term,
            span: Span::new(start, i),
        });
    }
    Ok(out)
}

/// How deeply `NOT`, `-` and parentheses may nest. The parser (and every pass over the
/// tree after it) recurses once per level; a hostile query of thousands of levels would
/// otherwise overflow the stack. No real search comes near it.
pub const MAX_DEPTH: usize = 64;

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    pos: usize,
    /// `NOT`/`-`/`(` levels open at `pos`.
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, span: Span, message: impl Into<String>) -> QueryError {
        QueryError::new(self.query, span, message)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or_expr(&mut self) -> Result<Option<Expr>, QueryError> {
        let Some(first) = self.and_expr()? else {
            if let Some(t) = self.peek().filter(|t| t.tok == Tok::Or) {
                let span = t.span;
                return Err(self.err(span, "`OR` needs a search term before it"));
            }
            return Ok(None);
        };
        let mut alts = vec![first];
        while let Some(t) = self.peek().filter(|t| t.tok == Tok::Or) {
            let span = t.span;
            self.pos += 1;
            match self.and_expr()? {
                Some(e) => alts.push(e),
                None => return Err(self.err(span, "`OR` needs a search term after it")),
            }
        }
        Ok(Some(if alts.len() == 1 {
            alts.pop().expect("one alternative")
        } else {
            Expr::Or(alts)
        }))
    }

    fn and_expr(&mut self) -> Result<Option<Expr>, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek().map(|t| (t.tok.clone(), t.span)) {
                None | Some((Tok::Or | Tok::RParen, _)) => break,
                Some((Tok::And, span)) => {
                    self.pos += 1;
                    if parts.is_empty() {
                        return Err(self.err(span, "`AND` needs a search term before it"));
                    }
                    match self.unary()? {
                        Some(e) => parts.push(e),
                        None => return Err(self.err(span, "`AND` needs a search term after it")),
                    }
                }
                Some(_) => match self.unary()? {
                    Some(e) => parts.push(e),
                    None => break,
                },
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Expr::And(parts)),
        })
    }

    /// One level deeper for `f` (a `NOT`/`-` operand or a parenthesised group at `span`).
    fn nested<T>(
        &mut self,
        span: Span,
        f: impl FnOnce(&mut Self) -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(
                span,
                format!(
                    "query too deeply nested (more than {MAX_DEPTH} levels of `NOT`, `-` or parentheses)"
                ),
            ));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn unary(&mut self) -> Result<Option<Expr>, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Ok(None);
        };
        match t.tok {
            Tok::Not => self.nested(t.span, |p| {
                p.pos += 1;
                match p.unary()? {
                    Some(e) => Ok(Some(Expr::Not(Box::new(e)))),
                    None => Err(p.err(t.span, "`NOT` / `-` needs a search term after it")),
                }
            }),
            Tok::LParen => self.nested(t.span, |p| {
                p.pos += 1;
                let inner = p.or_expr()?;
                match p.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => p.pos += 1,
                    _ => return Err(p.err(t.span, "unclosed `(`")),
                }
                match inner {
                    Some(e) => Ok(Some(e)),
                    None => Err(p.err(t.span, "empty parentheses")),
                }
            }),
            Tok::Word(w) => {
                self.pos += 1;
                let term = self.word_term(&w, t.span)?;
                Ok(Some(Expr::Text {
                    field: TextField::All,
                    term,
                    span: t.span,
                }))
            }
            Tok::Phrase { text, slop } => {
                self.pos += 1;
                Ok(Some(Expr::Text {
                    field: TextField::All,
                    term: TextTerm::Phrase { text, slop },
                    span: t.span,
                }))
            }
            Tok::Field { name, value } => {
                self.pos += 1;
                self.field(&name, t.span, value).map(Some)
            }
            Tok::Or | Tok::And | Tok::RParen => Ok(None),
        }
    }

    /// `word`, `word*`, `word~`, `word~2`.
    fn word_term(&self, w: &str, span: Span) -> Result<TextTerm, QueryError> {
        let (text, fuzzy) = match w.rfind('~') {
            Some(i) => {
                let n = &w[i + 1..];
                let d = if n.is_empty() {
                    1
                } else {
                    match n.parse::<u8>() {
                        Ok(d @ 1..=2) => d,
                        _ => {
                            return Err(self.err(
                                span,
                                format!("`~{n}`: a typo distance is 1 or 2 (`word~` means 1)"),
                            ))
                        }
                    }
                };
                (&w[..i], d)
            }
            None => (w, 0),
        };
        let (text, prefix) = match text.strip_suffix('*') {
            Some(t) => (t, true),
            None => (text, false),
        };
        if text.contains('*') {
            return Err(self.err(span, "`*` is only allowed at the end of a word"));
        }
        if text.contains('~') {
            return Err(self.err(span, "`~` is only allowed at the end of a word"));
        }
        if prefix && fuzzy > 0 {
            return Err(self.err(span, "a word cannot be both a prefix (`*`) and fuzzy (`~`)"));
        }
        if text.is_empty() {
            return Err(self.err(span, "a word is needed before `*` or `~`"));
        }
        Ok(TextTerm::Word {
            text: text.to_owned(),
            prefix,
            fuzzy,
        })
    }

    fn field(
        &self,
        name: &str,
        span: Span,
        value: Option<(Box<Tok>, Span)>,
    ) -> Result<Expr, QueryError> {
        let name_span = Span::new(span.start, span.start + name.chars().count());
        if let Some(custom) = name.strip_prefix(super::expr::CUSTOM_PREFIX) {
            let Some((value, vspan)) = value else {
                return Err(self.err(span, format!("`{name}:` needs a value")));
            };
            let raw = match *value {
                Tok::Word(w) => w,
                Tok::Phrase { text, .. } => text,
                _ => unreachable!("the lexer gives a word or a phrase as a value"),
            };
            return super::values::custom_expr(custom, &raw).map_err(|msg| self.err(vspan, msg));
        }
        let Some(kind) = field_kind(name) else {
            return Err(self.err(
                name_span,
                format!(
                    "unknown field `{name}` (fields: {}); put text with a colon in quotes",
                    FIELD_NAMES.join(", ")
                ),
            ));
        };
        let Some((value, vspan)) = value else {
            return Err(self.err(span, format!("`{name}:` needs a value")));
        };
        if let FieldKind::Text(field) = kind {
            let term = match *value {
                Tok::Word(w) => self.word_term(&w, vspan)?,
                Tok::Phrase { text, slop } => TextTerm::Phrase { text, slop },
                _ => unreachable!("the lexer gives a word or a phrase as a value"),
            };
            return Ok(Expr::Text { field, term, span });
        }
        let raw = match *value {
            Tok::Word(w) => w,
            Tok::Phrase { text, slop: 0 } => text,
            Tok::Phrase { .. } => {
                return Err(self.err(vspan, format!("`~` does not apply to `{name}:`")))
            }
            _ => unreachable!("the lexer gives a word or a phrase as a value"),
        };
        value_expr(kind, name, &raw).map_err(|msg| self.err(vspan, msg))
    }
}
