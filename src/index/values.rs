//! The values of fields in the search language: `status:open,new`, `priority:>=50`,
//! `created:2026-11-01..2026-11-30`, `assignee:nobody`, checked and turned into [`Expr`]
//! filters. Shared by the query parser and the command-line flags. Pure.

use crate::model::{Date, Login, Slug, Status, TaskStatus, Timestamp};

use super::expr::{
    field_kind, DateField, Expr, FieldKind, KeywordField, Kind, NumberField, Span, TextTerm, NOBODY,
};

/// The filter `name:raw` (a field that is not free text), for command-line flags; the
/// error is the message alone.
pub fn field_expr(name: &str, raw: &str) -> Result<Expr, String> {
    match field_kind(name) {
        Some(FieldKind::Text(field)) => Ok(Expr::Text {
            field,
            term: TextTerm::Phrase {
                text: raw.to_owned(),
                slop: 0,
            },
            span: Span::new(0, raw.chars().count()),
        }),
        Some(kind) => value_expr(kind, name, raw),
        None => Err(format!("unknown field `{name}`")),
    }
}

pub(super) fn value_expr(kind: FieldKind, name: &str, raw: &str) -> Result<Expr, String> {
    match kind {
        FieldKind::Text(_) => unreachable!("text fields are parsed as words and phrases"),
        FieldKind::Keyword(f) => keyword(f, raw),
        FieldKind::Email => {
            let v = raw.trim().to_lowercase();
            if v.is_empty() {
                return Err(format!("`{name}:` needs part of an address"));
            }
            Ok(Expr::Email(v))
        }
        FieldKind::Number(f) => number(f, raw),
        FieldKind::Date(f) => date(f, raw),
        FieldKind::Sla => raw.parse().map(Expr::Sla),
        FieldKind::Sticky => match raw.to_lowercase().as_str() {
            "yes" | "true" | "1" => Ok(Expr::Sticky(true)),
            "no" | "false" | "0" => Ok(Expr::Sticky(false)),
            _ => Err(format!("`{raw}`: sticky is yes or no")),
        },
        FieldKind::Kind => {
            let mut kinds = Vec::new();
            for v in list(raw) {
                kinds.push(v.parse::<Kind>().map_err(|e| e.0)?);
            }
            if kinds.is_empty() {
                return Err("a kind is needed (ticket, task, kb)".into());
            }
            Ok(Expr::Kind(kinds))
        }
    }
}

/// `field.NAME:raw`: values (`router,modem`), or bounds on a number or a date field
/// (`>=5`, `2026-01-01..2026-01-31`).
pub fn custom_expr(name: &str, raw: &str) -> Result<Expr, String> {
    use crate::model::field::sort_key;
    use std::ops::Bound;
    let t = raw.trim();
    let ranged = t.starts_with('<') || t.starts_with('>') || t.contains("..");
    if !ranged {
        let values = list(raw);
        if values.is_empty() {
            return Err("a value is needed".into());
        }
        let ordered = values
            .iter()
            .filter_map(|v| sort_key(v))
            .map(|k| format!("{name}={k}"))
            .collect();
        return Ok(Expr::Custom {
            name: name.to_owned(),
            values: values.iter().map(|v| format!("{name}={v}")).collect(),
            ordered,
        });
    }
    let (lo, hi) = bounds(raw)?;
    let mut family = None;
    let mut key = |s: &str| -> Result<String, String> {
        let k = sort_key(s).ok_or_else(|| {
            format!("`{s}`: a range needs numbers (12, -3.5) or dates (2026-12-10)")
        })?;
        let f = k.chars().next().unwrap_or('n');
        if family.is_some_and(|x| x != f) {
            return Err("a range is of numbers or of dates, not both".into());
        }
        family = Some(f);
        Ok(format!("{name}={k}"))
    };
    let from = match lo {
        Some((s, true)) => Bound::Included(key(s)?),
        Some((s, false)) => Bound::Excluded(key(s)?),
        None => Bound::Unbounded,
    };
    let to = match hi {
        Some((s, true)) => Bound::Included(key(s)?),
        Some((s, false)) => Bound::Excluded(key(s)?),
        None => Bound::Unbounded,
    };
    // An open side stays within the family: `n…` keys sort before `o`, `d…` before `e`.
    let f = family.unwrap_or('n');
    let next = char::from(f as u8 + 1);
    let from = match from {
        Bound::Unbounded => Bound::Included(format!("{name}={f}")),
        b => b,
    };
    let to = match to {
        Bound::Unbounded => Bound::Excluded(format!("{name}={next}")),
        b => b,
    };
    Ok(Expr::CustomRange {
        name: name.to_owned(),
        from,
        to,
    })
}

/// Comma-separated values, trimmed, empty ones dropped.
fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

fn keyword(f: KeywordField, raw: &str) -> Result<Expr, String> {
    let values = list(raw);
    if values.is_empty() {
        return Err("a value is needed".into());
    }
    let mut out = Vec::new();
    for v in values {
        let v = match f {
            KeywordField::Status => {
                if v.parse::<Status>().is_err() && v.parse::<TaskStatus>().is_err() {
                    return Err(format!(
                        "`{v}` is not a status (new, open, answered, resolved, closed; tasks: open, done)"
                    ));
                }
                v
            }
            KeywordField::Queue => v.parse::<Slug>().map_err(|e| e.0)?.to_string(),
            KeywordField::Assignee if matches!(v.as_str(), "nobody" | "none" | NOBODY) => {
                NOBODY.to_owned()
            }
            KeywordField::Assignee | KeywordField::Account | KeywordField::Reseller => {
                v.parse::<Login>().map_err(|e| e.0)?.to_string()
            }
            KeywordField::Author | KeywordField::Tag | KeywordField::Category => v,
        };
        out.push(v);
    }
    Ok(Expr::Keyword {
        field: f,
        values: out,
    })
}

/// The bounds a value asks for: `x`, `>x`, `>=x`, `<x`, `<=x`, `a..b`, `a..`, `..b`. Each
/// side is the text and whether it is inclusive.
type Bounds<'a> = (Option<(&'a str, bool)>, Option<(&'a str, bool)>);

fn bounds(raw: &str) -> Result<Bounds<'_>, String> {
    let raw = raw.trim();
    let b = if let Some(v) = raw.strip_prefix(">=") {
        (Some((v, true)), None)
    } else if let Some(v) = raw.strip_prefix("<=") {
        (None, Some((v, true)))
    } else if let Some(v) = raw.strip_prefix('>') {
        (Some((v, false)), None)
    } else if let Some(v) = raw.strip_prefix('<') {
        (None, Some((v, false)))
    } else if let Some((a, b)) = raw.split_once("..") {
        let a = (!a.is_empty()).then_some((a, true));
        let b = (!b.is_empty()).then_some((b, true));
        if a.is_none() && b.is_none() {
            return Err("`..` needs a value on at least one side".into());
        }
        (a, b)
    } else {
        (Some((raw, true)), Some((raw, true)))
    };
    for (v, _) in [b.0, b.1].into_iter().flatten() {
        if v.is_empty() {
            return Err("a value is needed after the comparison".into());
        }
    }
    Ok(b)
}

fn number(f: NumberField, raw: &str) -> Result<Expr, String> {
    let (lo, hi) = bounds(raw)?;
    let what = match f {
        NumberField::Id => "an id",
        NumberField::Priority => "a priority",
    };
    let max = match f {
        NumberField::Id => u64::MAX,
        NumberField::Priority => 100,
    };
    let num = |s: &str| -> Result<u64, String> {
        s.parse::<u64>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| match f {
                NumberField::Id => format!("`{s}` is not {what} (a whole number)"),
                NumberField::Priority => format!("`{s}` is not {what} (0–100)"),
            })
    };
    let min = match lo {
        Some((s, true)) => Some(num(s)?),
        Some((s, false)) => Some(num(s)?.saturating_add(1)),
        None => None,
    };
    let maxv = match hi {
        Some((s, true)) => Some(num(s)?),
        Some((s, false)) => match num(s)?.checked_sub(1) {
            Some(n) => Some(n),
            None => return Err(format!("nothing is below {s}")),
        },
        None => None,
    };
    if let (Some(a), Some(b)) = (min, maxv) {
        if a > b {
            return Err("the range is empty (its start is after its end)".into());
        }
    }
    Ok(Expr::Number {
        field: f,
        min,
        max: maxv,
    })
}

/// A day (`2026-11-27`, the whole day) or an instant (`2026-11-27T10:00:00Z`).
enum When {
    Day(Date),
    At(Timestamp),
}

impl When {
    fn parse(s: &str) -> Result<When, String> {
        if s.contains('T') || s.contains('t') {
            s.parse()
                .map(When::At)
                .map_err(|e: crate::model::InvalidValue| e.0)
        } else {
            s.parse()
                .map(When::Day)
                .map_err(|e: crate::model::InvalidValue| e.0)
        }
    }
    fn start(&self) -> Timestamp {
        match self {
            When::Day(d) => d.start(),
            When::At(t) => *t,
        }
    }
    /// The first instant after it.
    fn end(&self) -> Timestamp {
        match self {
            When::Day(d) => d.end(),
            When::At(t) => t.plus_seconds(1),
        }
    }
}

fn date(f: DateField, raw: &str) -> Result<Expr, String> {
    let (lo, hi) = bounds(raw)?;
    let from = match lo {
        Some((s, true)) => Some(When::parse(s)?.start()),
        Some((s, false)) => Some(When::parse(s)?.end()),
        None => None,
    };
    let to = match hi {
        Some((s, true)) => Some(When::parse(s)?.end()),
        Some((s, false)) => Some(When::parse(s)?.start()),
        None => None,
    };
    if let (Some(a), Some(b)) = (from, to) {
        if a >= b {
            return Err("the range is empty (its start is after its end)".into());
        }
    }
    Ok(Expr::Date { field: f, from, to })
}
