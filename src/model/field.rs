//! Custom ticket fields: declared in `desk.yaml` (`fields:`), kept on a ticket as
//! `fields: {name: value}`. A declaration gives the field a type (text, number, date, or
//! one of a list of choices), a label, the queues it applies to (all when none) and whether
//! it is required there.
//!
//! Values are validated the same way everywhere ([`check_ticket`]): by the operations
//! that set values, by `check`, by `verify` and by the pre-receive hook. "Required" is a
//! rule for technicians: `ticket new`, and a `ticket edit` of the fields, refuse to leave a
//! required field of the ticket's queue empty ([`missing_required`]); tickets made by mail
//! or split off, and tickets from before the field was declared, may lack it — `check`
//! lists the open ones as notices.
//!
//! Pure: no I/O.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{Date, InvalidValue, Slug, Ticket};

/// The longest text value kept.
pub const MAX_TEXT: usize = 500;

/// What values a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// One line of text.
    Text,
    /// A decimal number (`12`, `-3.5`).
    Number,
    /// A calendar date (`2026-12-10`).
    Date,
    /// One of the declaration's `choices`.
    Choice,
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Choice => "choice",
        })
    }
}

/// One entry of `desk.yaml`'s `fields:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: Slug,
    /// How people see it (the name when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The allowed values of a `choice` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// A ticket of one of `queues` must have a value when a technician writes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The queues the field applies to; every queue when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<Slug>,
}

impl FieldDef {
    pub fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(self.name.as_str())
    }

    /// Whether tickets of `queue` have this field.
    pub fn applies_to(&self, queue: &Slug) -> bool {
        self.queues.is_empty() || self.queues.contains(queue)
    }

    /// The value as stored (trimmed; numbers and dates in their plain form), or why `raw`
    /// is not a value of this field.
    pub fn check_value(&self, raw: &str) -> Result<String, InvalidValue> {
        let v = raw.trim();
        let bad = |why: String| InvalidValue(format!("field `{}`: {why}", self.name));
        if v.is_empty() {
            return Err(bad("the value is empty".into()));
        }
        match self.kind {
            FieldType::Text => {
                if v.chars().any(|c| c.is_control() || is_bidi(c)) {
                    return Err(bad(
                        "the value must be one line without control or text-direction characters"
                            .into(),
                    ));
                }
                if v.chars().count() > MAX_TEXT {
                    return Err(bad(format!(
                        "the value is longer than {MAX_TEXT} characters"
                    )));
                }
                Ok(v.to_owned())
            }
            FieldType::Number => match parse_number(v) {
                Some(n) => Ok(format_number(n)),
                None => Err(bad(format!("`{v}` is not a number"))),
            },
            FieldType::Date => v
                .parse::<Date>()
                .map(|d| d.to_string())
                .map_err(|_| bad(format!("`{v}` is not a date (like 2026-12-10)"))),
            FieldType::Choice => self
                .choices
                .iter()
                .find(|c| c.as_str() == v)
                .cloned()
                .ok_or_else(|| {
                    bad(format!(
                        "`{v}` is not one of the choices ({})",
                        self.choices.join(", ")
                    ))
                }),
        }
    }
}

/// Characters that reorder how the text around them is shown (a value could make a
/// terminal or a page display something else than it holds).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A finite decimal number.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty()
        || s.chars()
            .any(|c| !(c.is_ascii_digit() || "+-.eE".contains(c)))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `12` rather than `12.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A key that sorts as the value does, for range searches: `n` and the bits of a number
/// made to sort in order, or `d` and a date. None for other text.
pub fn sort_key(value: &str) -> Option<String> {
    if let Some(n) = parse_number(value) {
        let n = if n == 0.0 { 0.0 } else { n };
        let bits = n.to_bits();
        let ordered = if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        };
        return Some(format!("n{ordered:016x}"));
    }
    value.trim().parse::<Date>().ok().map(|d| format!("d{d}"))
}

/// Checks the declarations themselves (`desk.yaml`): names unique, choice fields with
/// choices and only they.
pub fn check_defs(defs: &[FieldDef]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        if defs[..i].iter().any(|o| o.name == d.name) {
            out.push(format!("fields: `{}` is declared twice", d.name));
        }
        match d.kind {
            FieldType::Choice if d.choices.is_empty() => out.push(format!(
                "fields: `{}` is a choice field without choices",
                d.name
            )),
            FieldType::Choice => {}
            _ if !d.choices.is_empty() => out.push(format!(
                "fields: `{}` has choices but is of type {}",
                d.name, d.kind
            )),
            _ => {}
        }
    }
    out
}

/// What is wrong with a ticket's values: names not declared, values not of their type,
/// fields that do not apply to the ticket's queue. Each problem starts with `fields.NAME:`.
pub fn check_ticket(defs: &[FieldDef], t: &Ticket) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in &t.fields {
        let Some(def) = defs.iter().find(|d| &d.name == name) else {
            out.push(format!(
                "fields.{name}: no such field is declared in desk.yaml"
            ));
            continue;
        };
        if !def.applies_to(&t.queue) {
            out.push(format!(
                "fields.{name}: the field does not apply to queue `{}`",
                t.queue
            ));
            continue;
        }
        match def.check_value(value) {
            Ok(norm) if &norm == value => {}
            Ok(norm) => out.push(format!(
                "fields.{name}: `{value}` should be written `{norm}`"
            )),
            Err(e) => out.push(format!("fields.{name}: {}", e.0)),
        }
    }
    out
}

/// What a commit that writes ticket `new` (over `old`) does wrong with its custom fields,
/// for `verify` and the hook: values are checked when the values or the queue change (a
/// later change of `desk.yaml` must not make every old ticket unwritable), and with
/// `writes_fields` (`ticket new`, an edit of the fields) no required field may be left
/// empty, as those commands refuse to.
pub fn commit_problems(
    defs: &[FieldDef],
    old: Option<&Ticket>,
    new: &Ticket,
    writes_fields: bool,
) -> Vec<String> {
    let changed = old.is_none_or(|o| o.fields != new.fields || o.queue != new.queue);
    let mut out = if changed {
        check_ticket(defs, new)
    } else {
        Vec::new()
    };
    let missing: Vec<String> = missing_required(defs, new)
        .iter()
        .map(|d| d.name.to_string())
        .collect();
    if writes_fields && !missing.is_empty() {
        let one = missing.len() == 1;
        out.push(format!(
            "queue `{}` requires the field{} {} but the commit leaves {} empty",
            new.queue,
            if one { "" } else { "s" },
            missing.join(", "),
            if one { "it" } else { "them" }
        ));
    }
    out
}

/// The required fields of the ticket's queue that it has no value for.
pub fn missing_required<'a>(defs: &'a [FieldDef], t: &Ticket) -> Vec<&'a FieldDef> {
    defs.iter()
        .filter(|d| d.required && d.applies_to(&t.queue) && !t.fields.contains_key(&d.name))
        .collect()
}

/// Sets (`Some`) or clears (`None`) values, checked against their declarations and the
/// ticket's queue. The result is the new map; an unknown name is refused.
pub fn apply_changes(
    defs: &[FieldDef],
    queue: &Slug,
    current: &BTreeMap<Slug, String>,
    changes: &[(Slug, Option<String>)],
) -> Result<BTreeMap<Slug, String>, InvalidValue> {
    let mut out = current.clone();
    for (name, value) in changes {
        let def = defs.iter().find(|d| &d.name == name).ok_or_else(|| {
            InvalidValue(format!(
                "field `{name}` is not declared in desk.yaml (fields: {})",
                if defs.is_empty() {
                    "none".to_owned()
                } else {
                    defs.iter()
                        .map(|d| d.name.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ))
        })?;
        match value {
            None => {
                out.remove(name);
            }
            Some(raw) => {
                if !def.applies_to(queue) {
                    return Err(InvalidValue(format!(
                        "field `{name}` does not apply to queue `{queue}` (only to {})",
                        def.queues
                            .iter()
                            .map(Slug::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                out.insert(name.clone(), def.check_value(raw)?);
            }
        }
    }
    Ok(out)
}

/// Reads `fields:` values written as strings, numbers or booleans (a hand edit may write
/// `size: 10`); they are kept as text.
pub fn deserialize_values<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<Slug, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        S(String),
        I(i64),
        F(f64),
        B(bool),
    }
    let raw: BTreeMap<Slug, Scalar> = BTreeMap::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let s = match v {
                Scalar::S(s) => s,
                Scalar::I(i) => i.to_string(),
                Scalar::F(f) => format_number(f),
                Scalar::B(b) => b.to_string(),
            };
            (k, s)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str, kind: FieldType) -> FieldDef {
        FieldDef {
            name: name.parse().unwrap(),
            label: None,
            kind,
            choices: vec![],
            required: false,
            queues: vec![],
        }
    }

    #[test]
    fn values_are_checked_by_type() {
        let n = def("size", FieldType::Number);
        assert_eq!(n.check_value(" 12.0 ").unwrap(), "12");
        assert_eq!(n.check_value("-3.5").unwrap(), "-3.5");
        assert!(n
            .check_value("twelve")
            .unwrap_err()
            .0
            .contains("not a number"));
        assert!(n.check_value("inf").is_err());
        let d = def("due", FieldType::Date);
        assert_eq!(d.check_value("2026-12-10").unwrap(), "2026-12-10");
        assert!(d.check_value("2026-13-10").is_err());
        let mut c = def("product", FieldType::Choice);
        c.choices = vec!["router".into(), "modem".into()];
        assert_eq!(c.check_value("modem").unwrap(), "modem");
        let e = c.check_value("toaster").unwrap_err().0;
        assert!(e.contains("router, modem"), "{e}");
        let t = def("serial", FieldType::Text);
        assert!(t.check_value("a\nb").is_err());
        assert!(t.check_value("abc\u{202e}fed").is_err());
        assert_eq!(t.check_value("<b>bold</b>").unwrap(), "<b>bold</b>");
        assert!(t.check_value("  ").is_err());
    }

    #[test]
    fn changes_refuse_unknown_names_and_other_queues() {
        let mut c = def("product", FieldType::Choice);
        c.choices = vec!["router".into()];
        c.queues = vec!["sales".parse().unwrap()];
        let defs = vec![c];
        let q: Slug = "support".parse().unwrap();
        let e = apply_changes(
            &defs,
            &q,
            &BTreeMap::new(),
            &[("colour".parse().unwrap(), Some("red".into()))],
        )
        .unwrap_err();
        assert!(e.0.contains("`colour` is not declared"), "{}", e.0);
        let e = apply_changes(
            &defs,
            &q,
            &BTreeMap::new(),
            &[("product".parse().unwrap(), Some("router".into()))],
        )
        .unwrap_err();
        assert!(e.0.contains("does not apply to queue `support`"), "{}", e.0);
    }

    #[test]
    fn sort_keys_follow_the_values() {
        let k = |s: &str| sort_key(s).unwrap();
        assert!(k("-10") < k("-2.5"));
        assert!(k("-2.5") < k("0"));
        assert!(k("0") < k("3"));
        assert!(k("3") < k("12"));
        assert_eq!(k("12"), k("12.0"));
        assert!(k("2026-01-31") < k("2026-02-01"));
        assert_eq!(sort_key("router"), None);
    }

    #[test]
    fn commits_are_judged_on_what_they_change() {
        let mut product = def("product", FieldType::Choice);
        product.choices = vec!["router".into()];
        product.required = true;
        let size = def("size", FieldType::Number);
        let defs = vec![product, size];
        let mut old = Ticket::new(
            crate::model::TicketId::new(7).unwrap(),
            crate::model::NewTicket {
                title: "T".into(),
                email: "a@b.example".parse().unwrap(),
                account: None,
                queue: "general".parse().unwrap(),
                priority: Default::default(),
                assignee: None,
                sticky: false,
            },
            "2026-11-01T10:00:00Z".parse().unwrap(),
        );
        old.fields.insert("size".parse().unwrap(), "lots".into());
        // Unchanged values are not this commit's fault; a note writes no fields.
        let mut noted = old.clone();
        noted.title = "T2".into();
        assert!(commit_problems(&defs, Some(&old), &noted, false).is_empty());
        // Changed ones are judged, and an edit of the fields must fill product.
        let mut edited = old.clone();
        edited.fields.insert("size".parse().unwrap(), "many".into());
        let p = commit_problems(&defs, Some(&old), &edited, true);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("`many` is not a number"));
        assert_eq!(
            p[1],
            "queue `general` requires the field product but the commit leaves it empty"
        );
        // A new ticket is judged whole.
        assert_eq!(commit_problems(&defs, None, &old, false).len(), 1);
    }

    #[test]
    fn declarations_are_checked() {
        let mut c = def("product", FieldType::Choice);
        let t = def("product", FieldType::Text);
        assert_eq!(check_defs(&[c.clone(), t]).len(), 2);
        c.choices = vec!["a".into()];
        assert!(check_defs(&[c]).is_empty());
    }
}
