//! The one module that speaks YAML: parsing files into model types with errors that name
//! file, line and column, and writing the canonical form (keys in declaration order, unknown
//! keys after them, multi-line strings as block literals).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::FileError;
use crate::model::{Document, Extra, Value};

/// Files bigger than this are refused before parsing (a hostile file cannot make the parser
/// spend seconds or gigabytes).
pub const MAX_YAML_BYTES: usize = 8 * 1024 * 1024;

pub fn parse<T: DeserializeOwned + Serialize + Document>(
    path: &str,
    bytes: &[u8],
) -> Result<T, FileError> {
    parse_at(path, bytes, 0)
}

/// Reads only the fields `T` names, with no record of the others: for derived state
/// (statistics, caches) that needs a few fields of many files fast. Errors name the file
/// and line like [`parse`].
pub fn parse_fields<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, FileError> {
    if bytes.len() > MAX_YAML_BYTES {
        return Err(file_error(
            path,
            None,
            None,
            format!("file is larger than {MAX_YAML_BYTES} bytes"),
        ));
    }
    serde_yaml::from_slice(bytes).map_err(|e| yaml_error(path, e, 0))
}

/// Like [`parse_fields`] for the head fields of a message file (those before `body:`):
/// files in the canonical form are read only up to their top-level `body:` line, so the
/// text of the body is not scanned. A file where that does not give the fields (hand-made,
/// another key order) is read whole, with the same errors.
pub fn parse_head<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, FileError> {
    if bytes.len() > MAX_YAML_BYTES {
        return parse_fields(path, bytes);
    }
    let cut = bytes
        .windows(6)
        .position(|w| w == b"\nbody:")
        .map(|p| p + 1)
        .or_else(|| bytes.starts_with(b"body:").then_some(0));
    if let Some(cut) = cut {
        // Required fields missing from the prefix make it fail (then the whole file is
        // read); an optional `time` after the body (a hand edit) means reading it whole.
        let rest = &bytes[cut..];
        if !rest.windows(6).any(|w| w == b"\ntime:") {
            if let Ok(v) = serde_yaml::from_slice(&bytes[..cut]) {
                return Ok(v);
            }
        }
    }
    parse_fields(path, bytes)
}

fn file_error(
    path: &str,
    line: Option<usize>,
    column: Option<usize>,
    message: impl Into<String>,
) -> FileError {
    FileError {
        path: path.into(),
        line,
        column,
        message: message.into(),
    }
}

fn yaml_error(path: &str, e: serde_yaml::Error, line_offset: usize) -> FileError {
    let loc = e.location();
    let mut message = e.to_string();
    // serde_yaml appends " at line L column C"; the location is reported separately.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    file_error(
        path,
        loc.as_ref().map(|l| l.line() + line_offset),
        loc.as_ref().map(|l| l.column()),
        message,
    )
}

/// Like [`parse`], for YAML that starts `line_offset` lines into the file (front matter).
///
/// The text is parsed once into a generic tree; the typed value is made from that tree and,
/// only when that fails, the text is parsed again as the type to learn the line and column
/// of the fault. Keys the type does not know are kept in its [`Extra`].
fn parse_at<T: DeserializeOwned + Serialize + Document>(
    path: &str,
    bytes: &[u8],
    line_offset: usize,
) -> Result<T, FileError> {
    if bytes.len() > MAX_YAML_BYTES {
        return Err(file_error(
            path,
            None,
            None,
            format!("file is larger than {MAX_YAML_BYTES} bytes"),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
            + line_offset;
        file_error(path, Some(line), None, "not valid UTF-8")
    })?;
    let raw: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| yaml_error(path, e, line_offset))?;
    if !raw.is_mapping() {
        return Err(file_error(
            path,
            Some(1 + line_offset),
            None,
            "expected a mapping of `key: value` lines",
        ));
    }
    let mut value: T = match serde_yaml::from_value(raw.clone()) {
        Ok(v) => v,
        Err(_) => {
            let e = serde_yaml::from_str::<T>(text)
                .err()
                .expect("the typed parse fails as the tree conversion did");
            return Err(yaml_error(path, e, line_offset));
        }
    };
    let known = serde_yaml::to_value(&value).expect("model types serialise");
    let mut extra = Vec::new();
    collect_unknown(&raw, &known, &mut Vec::new(), &mut extra);
    *value.extra_mut() = Extra(extra);
    Ok(value)
}

fn key_text(k: &serde_yaml::Value) -> String {
    match k {
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

/// Keys of `raw` that the typed value did not produce, at any depth.
fn collect_unknown(
    raw: &serde_yaml::Value,
    known: &serde_yaml::Value,
    at: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value)>,
) {
    use serde_yaml::Value as Y;
    match (raw, known) {
        (Y::Mapping(r), Y::Mapping(k)) => {
            for (key, rv) in r {
                let name = key_text(key);
                match k.get(Y::String(name.clone())) {
                    Some(kv) => {
                        at.push(name);
                        collect_unknown(rv, kv, at, out);
                        at.pop();
                    }
                    None => {
                        if let Ok(v) = serde_yaml::from_value::<Value>(rv.clone()) {
                            let mut p = at.clone();
                            p.push(name);
                            out.push((p, v));
                        }
                    }
                }
            }
        }
        (Y::Sequence(r), Y::Sequence(k)) if r.len() == k.len() => {
            for (i, (rv, kv)) in r.iter().zip(k).enumerate() {
                at.push(format!("#{i}"));
                collect_unknown(rv, kv, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Puts the unknown keys back where they were found, after the known keys of their mapping.
fn restore_unknown(doc: &mut serde_yaml::Value, extra: &Extra) {
    for (path, value) in &extra.0 {
        let Some((last, parents)) = path.split_last() else {
            continue;
        };
        if let Some(serde_yaml::Value::Mapping(m)) = walk_mut(doc, parents) {
            if !m.contains_key(last.as_str()) {
                m.insert(
                    serde_yaml::Value::String(last.clone()),
                    serde_yaml::to_value(value).unwrap_or_default(),
                );
            }
        }
    }
}

fn walk_mut<'a>(
    node: &'a mut serde_yaml::Value,
    path: &[String],
) -> Option<&'a mut serde_yaml::Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(node);
    };
    let next = match (
        first
            .strip_prefix('#')
            .and_then(|i| i.parse::<usize>().ok()),
        node,
    ) {
        (Some(i), serde_yaml::Value::Sequence(s)) => s.get_mut(i)?,
        (None, serde_yaml::Value::Mapping(m)) => m.get_mut(first.as_str())?,
        _ => return None,
    };
    walk_mut(next, rest)
}

/// The canonical text of a document: known keys in declaration order, then unknown ones.
pub fn to_string<T: Serialize + Document>(value: &T) -> String {
    if value.extra().is_empty() {
        return serde_yaml::to_string(value).expect("model types always serialise to YAML");
    }
    let mut doc = serde_yaml::to_value(value).expect("model types always serialise to YAML");
    restore_unknown(&mut doc, value.extra());
    serde_yaml::to_string(&doc).expect("model types always serialise to YAML")
}

pub fn to_bytes<T: Serialize + Document>(value: &T) -> Vec<u8> {
    to_string(value).into_bytes()
}

/// Splits a Markdown file with YAML front matter (`---` … `---`) and parses the front matter.
pub fn parse_front_matter<T: DeserializeOwned + Serialize + Document>(
    path: &str,
    bytes: &[u8],
) -> Result<(T, String), FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError {
        path: path.into(),
        line: None,
        column: None,
        message: "not valid UTF-8".into(),
    })?;
    let missing = || FileError {
        path: path.into(),
        line: Some(1),
        column: None,
        message: "expected YAML front matter between `---` lines at the top".into(),
    };
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(missing)?;
    let end = rest
        .match_indices("\n---")
        .find(|(i, _)| {
            let after = &rest[i + 4..];
            after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n")
        })
        .map(|(i, _)| i)
        .ok_or_else(missing)?;
    let front = &rest[..end + 1];
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']).to_owned();
    let value = parse_at(path, front.as_bytes(), 1)?;
    Ok((value, body))
}

/// Writes front matter and body back into one Markdown file.
pub fn write_front_matter<T: Serialize + Document>(front: &T, body: &str) -> Vec<u8> {
    let mut out = String::from("---\n");
    out.push_str(&to_string(front));
    out.push_str("---\n");
    out.push_str(body);
    if !body.ends_with('\n') {
        out.push('\n');
    }
    out.into_bytes()
}

/// A value read only for its shape (used by `check` on files whose kind is unknown).
#[derive(Deserialize)]
pub struct AnyYaml(#[allow(dead_code)] serde_yaml::Value);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Status, Ticket};

    const TICKET: &str = "id: 1043
title: Printer on fire
email: john@doe.example
account: null
queue: general
status: open
priority: 50
assignee: null
sticky: false
created_at: 2026-11-01T10:00:00Z
updated_at: 2026-11-01T10:00:00Z
first_answered_at: null
answered_at: null
closed_at: null
closed_by: null
merged_from: []
x-custom: keep me
";

    #[test]
    fn canonical_round_trip_keeps_unknown_keys() {
        let t: Ticket = parse("t.yaml", TICKET.as_bytes()).unwrap();
        assert_eq!(t.status, Status::Open);
        assert_eq!(to_string(&t), TICKET);
    }

    #[test]
    fn nested_unknown_keys_survive() {
        let text = "name: D\nsupport_email: s@x.example\ndefault_queue: general\nsmtp:\n  host: h\n  x-proxy: socks\nfuture: [1, 2]\n";
        let s: crate::model::Settings = parse("desk.yaml", text.as_bytes()).unwrap();
        assert_eq!(s.smtp.host, "h");
        let out = to_string(&s);
        assert!(out.contains("  x-proxy: socks\n"), "{out}");
        assert!(out.ends_with("future:\n- 1\n- 2\n"), "{out}");
        let again: crate::model::Settings = parse("desk.yaml", out.as_bytes()).unwrap();
        assert_eq!(to_string(&again), out);
    }

    #[test]
    fn one_field_change_is_one_line() {
        let mut t: Ticket = parse("t.yaml", TICKET.as_bytes()).unwrap();
        t.assignee = Some("bob".parse().unwrap());
        let after = to_string(&t);
        let changed: Vec<_> = TICKET
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed, vec![("assignee: null", "assignee: bob")]);
    }

    #[test]
    fn errors_name_the_line() {
        let bad = TICKET.replace("priority: 50", "priority: 150");
        let e = parse::<Ticket>("tickets/001/1043/ticket.yaml", bad.as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(7), "{e}");
        assert!(
            e.to_string().starts_with("tickets/001/1043/ticket.yaml:7:"),
            "{e}"
        );
        assert!(e.message.contains("between 0 and 100"), "{e}");
        let bad = TICKET.replace("status: open", "status: pending");
        let e = parse::<Ticket>("t.yaml", bad.as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(6), "{e}");
        let e = parse::<Ticket>("t.yaml", b"id: [unclosed").unwrap_err();
        assert!(e.line.is_some());
    }

    #[test]
    fn front_matter() {
        let md = "---\ntitle: Hello\ncategory: Mail\n---\n# Body\ntext\n";
        let (f, body): (crate::model::KbFront, String) =
            parse_front_matter("kb/x.md", md.as_bytes()).unwrap();
        assert_eq!(f.title, "Hello");
        assert_eq!(body, "# Body\ntext\n");
        assert_eq!(String::from_utf8(write_front_matter(&f, &body)).unwrap(), "---\ntitle: Hello\ncategory: Mail\ntags: []\nauthor: null\nupdated: null\n---\n# Body\ntext\n");
        let e = parse_front_matter::<crate::model::KbFront>("kb/x.md", b"---\ntitle: [\n---\nx")
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }
}

/// The outcome of a field-by-field three-way merge of two versions of one YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMerge {
    /// The merged document (canonical key order of `theirs`, then keys only `ours` added).
    pub text: String,
    /// Top-level fields both sides changed to different values; `theirs` was kept.
    pub conflicts: Vec<FieldConflict>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    pub field: String,
    pub ours: String,
    pub theirs: String,
}

/// Merges `ours` and `theirs`, both changed from `base`, one top-level field at a time (and
/// a ticket's custom `fields:` one value at a time): a field changed on one side only takes
/// that side's value; changed on both to different values, `theirs` wins and the field is
/// reported. A ticket's `tags` are a set: what either side added is added and what either
/// side removed is removed (sorted; the key is left out when none remain). `None` when a
/// side is not a mapping.
pub fn merge_fields(base: &[u8], ours: &[u8], theirs: &[u8]) -> Option<FieldMerge> {
    use serde_yaml::{Mapping, Value as Y};
    let parse = |b: &[u8]| -> Option<Mapping> {
        match serde_yaml::from_slice::<Y>(b).ok()? {
            Y::Mapping(m) => Some(m),
            _ => None,
        }
    };
    let (b, o, t) = (parse(base)?, parse(ours)?, parse(theirs)?);
    let mut conflicts = Vec::new();
    let merged = merge_mapping(&b, &o, &t, "", &mut conflicts);
    let text = serde_yaml::to_string(&Y::Mapping(merged)).ok()?;
    Some(FieldMerge { text, conflicts })
}

/// One level of [`merge_fields`]; a ticket's custom `fields:` map merges value by value
/// (two technicians setting different fields at once both land), reported as
/// `fields.NAME`.
fn merge_mapping(
    b: &serde_yaml::Mapping,
    o: &serde_yaml::Mapping,
    t: &serde_yaml::Mapping,
    prefix: &str,
    conflicts: &mut Vec<FieldConflict>,
) -> serde_yaml::Mapping {
    use serde_yaml::{Mapping, Value as Y};
    let show = |v: Option<&Y>| {
        v.map_or_else(
            || "(absent)".to_owned(),
            |v| {
                serde_yaml::to_string(v)
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            },
        )
    };
    fn as_map<'a>(v: Option<&'a Y>, empty: &'a Mapping) -> Option<&'a Mapping> {
        match v {
            None | Some(Y::Null) => Some(empty),
            Some(Y::Mapping(m)) => Some(m),
            _ => None,
        }
    }
    let empty = Mapping::new();
    let mut merged = Mapping::new();
    let mut keys: Vec<Y> = t.keys().cloned().collect();
    keys.extend(o.keys().filter(|k| !t.contains_key(*k)).cloned());
    keys.extend(
        b.keys()
            .filter(|k| !t.contains_key(*k) && !o.contains_key(*k))
            .cloned(),
    );
    for k in keys {
        let (bv, ov, tv) = (b.get(&k), o.get(&k), t.get(&k));
        let name = format!("{prefix}{}", key_text(&k));
        if prefix.is_empty() && name == "tags" && ov != bv && tv != bv {
            if let Some(set) = merge_set(bv, ov, tv) {
                if !set.is_empty() {
                    merged.insert(k, Y::Sequence(set));
                }
                continue;
            }
        }
        let name = format!("{prefix}{}", key_text(&k));
        if prefix.is_empty() && name == "fields" && ov != tv {
            if let (Some(bm), Some(om), Some(tm)) =
                (as_map(bv, &empty), as_map(ov, &empty), as_map(tv, &empty))
            {
                let m = merge_mapping(bm, om, tm, "fields.", conflicts);
                if !m.is_empty() {
                    merged.insert(k, Y::Mapping(m));
                }
                continue;
            }
        }
        let pick = if ov == bv {
            tv
        } else if tv == bv || ov == tv {
            ov
        } else {
            conflicts.push(FieldConflict {
                field: name,
                ours: show(ov),
                theirs: show(tv),
            });
            tv
        };
        if let Some(v) = pick {
            merged.insert(k, v.clone());
        }
    }
    merged
}

/// The three-way merge of a set of strings: base, plus what either side added, minus what
/// either side removed; sorted. `None` when a value is not a list of strings.
fn merge_set(
    base: Option<&serde_yaml::Value>,
    ours: Option<&serde_yaml::Value>,
    theirs: Option<&serde_yaml::Value>,
) -> Option<Vec<serde_yaml::Value>> {
    use std::collections::BTreeSet;
    let set = |v: Option<&serde_yaml::Value>| -> Option<BTreeSet<String>> {
        match v {
            None | Some(serde_yaml::Value::Null) => Some(BTreeSet::new()),
            Some(serde_yaml::Value::Sequence(s)) => {
                s.iter().map(|x| x.as_str().map(str::to_owned)).collect()
            }
            Some(_) => None,
        }
    };
    let (b, o, t) = (set(base)?, set(ours)?, set(theirs)?);
    let added = o.difference(&b).chain(t.difference(&b)).cloned();
    let mut out: BTreeSet<String> = b
        .iter()
        .filter(|x| o.contains(*x) && t.contains(*x))
        .cloned()
        .collect();
    out.extend(added);
    Some(out.into_iter().map(serde_yaml::Value::String).collect())
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn fields_merge_one_by_one() {
        let base = b"id: 1\nstatus: open\nassignee: null\npriority: 50\n";
        let ours = b"id: 1\nstatus: open\nassignee: bob\npriority: 50\n";
        let theirs = b"id: 1\nstatus: open\nassignee: null\npriority: 80\n";
        let m = merge_fields(base, ours, theirs).unwrap();
        assert_eq!(m.text, "id: 1\nstatus: open\nassignee: bob\npriority: 80\n");
        assert!(m.conflicts.is_empty());
        let theirs = b"id: 1\nstatus: open\nassignee: carol\npriority: 80\n";
        let m = merge_fields(base, ours, theirs).unwrap();
        assert_eq!(
            m.text,
            "id: 1\nstatus: open\nassignee: carol\npriority: 80\n"
        );
        assert_eq!(
            m.conflicts,
            vec![FieldConflict {
                field: "assignee".into(),
                ours: "bob".into(),
                theirs: "carol".into()
            }]
        );
        assert!(merge_fields(b"[1]", ours, theirs).is_none());
    }

    #[test]
    fn tags_merge_as_sets() {
        let base = b"id: 1\ntags:\n- a\n- b\n";
        let ours = b"id: 1\ntags:\n- a\n- c\n";
        let theirs = b"id: 1\ntags:\n- b\n- d\n";
        let m = merge_fields(base, ours, theirs).unwrap();
        assert_eq!(m.text, "id: 1\ntags:\n- c\n- d\n");
        assert!(m.conflicts.is_empty());
        // Both removed everything: the key goes.
        let m = merge_fields(base, b"id: 1\n", b"id: 1\ntags: [a]\n").unwrap();
        assert_eq!(m.text, "id: 1\n");
    }

    #[test]
    fn custom_fields_merge_value_by_value() {
        let base = b"id: 1\nfields:\n  product: router\n";
        let ours = b"id: 1\nfields:\n  product: router\n  size: '3'\n";
        let theirs = b"id: 1\nfields:\n  product: modem\n";
        let m = merge_fields(base, ours, theirs).unwrap();
        assert_eq!(m.text, "id: 1\nfields:\n  product: modem\n  size: '3'\n");
        assert!(m.conflicts.is_empty());
        // Both set product differently: theirs wins, reported by its name.
        let ours = b"id: 1\nfields:\n  product: hosting\n";
        let m = merge_fields(base, ours, theirs).unwrap();
        assert_eq!(m.text, "id: 1\nfields:\n  product: modem\n");
        assert_eq!(m.conflicts[0].field, "fields.product");
        // One side adds the first value, the other clears the last: an empty map is left out.
        let m = merge_fields(b"id: 1\n", b"id: 1\nfields:\n  size: '3'\n", b"id: 1\n").unwrap();
        assert_eq!(m.text, "id: 1\nfields:\n  size: '3'\n");
        let m = merge_fields(
            base,
            b"id: 1\n",
            b"id: 1\nfields:\n  product: router\n  size: '1'\n",
        )
        .unwrap();
        assert_eq!(m.text, "id: 1\nfields:\n  size: '1'\n");
    }
}

#[cfg(test)]
mod head_tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Head {
        at: String,
        kind: String,
        #[serde(default)]
        time: Option<u32>,
    }

    #[test]
    fn the_head_is_read_up_to_the_body_or_whole_when_needed() {
        let head = |text: &str| parse_head::<Head>("m.yaml", text.as_bytes());
        // Canonical: fields before the body; a body that is not YAML at all is never read.
        let h = head("at: a\nkind: note\ntime: 5\nbody: |\n  x: [unclosed\n").unwrap();
        assert_eq!(
            h,
            Head {
                at: "a".into(),
                kind: "note".into(),
                time: Some(5)
            }
        );
        // Written by hand with the body first, or a field after it: read whole.
        let h = head("body: hi\nat: a\nkind: note\n").unwrap();
        assert_eq!(h.kind, "note");
        let h = head("at: a\nkind: note\nbody: hi\ntime: 7\n").unwrap();
        assert_eq!(h.time, Some(7));
        // Broken files still fail, naming the file and line.
        let e = head("at: a\nbody: hi\nkind: [\n").unwrap_err();
        assert_eq!(e.path, "m.yaml");
        assert!(e.line.is_some(), "{e:?}");
    }
}
