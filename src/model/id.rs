//! Identifiers and validated scalar values: ticket and task ids, logins, slugs, e-mail
//! addresses, priorities and message keys. Each is checked once, where it enters the
//! program (clap value parsers and serde), so code that holds one can trust it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Why a scalar value was refused; the caller adds the file, line or flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

/// Deserialises a scalar through its `FromStr`, so that the validation error is raised while
/// the YAML reader is on that scalar and carries its line and column.
pub(crate) struct ParseVisitor<T>(std::marker::PhantomData<T>, &'static str);

impl<T> ParseVisitor<T> {
    pub(crate) fn new(expecting: &'static str) -> Self {
        ParseVisitor(std::marker::PhantomData, expecting)
    }
}

impl<T: FromStr<Err = InvalidValue>> serde::de::Visitor<'_> for ParseVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(|e: InvalidValue| E::custom(e.0))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
}

/// `impl Deserialize` through [`ParseVisitor`].
macro_rules! deserialize_by_parse {
    ($t:ty, $expecting:expr) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any($crate::model::id::ParseVisitor::new($expecting))
            }
        }
    };
}
pub(crate) use deserialize_by_parse;

macro_rules! numeric_id {
    ($name:ident, $what:literal) => {
        #[doc = concat!("A ", $what, " id: a positive integer, sequential per kind.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(into = "u64")]
        pub struct $name(u64);
        deserialize_by_parse!($name, concat!("a ", $what, " id"));

        impl $name {
            pub fn new(n: u64) -> Result<Self, InvalidValue> {
                if n == 0 {
                    Err(InvalidValue(format!(
                        "{} id must be a positive integer, got 0",
                        $what
                    )))
                } else {
                    Ok(Self(n))
                }
            }
            pub fn get(self) -> u64 {
                self.0
            }
            /// The shard directory of this id: `id / 1000`, zero-padded to 3 digits.
            pub fn bucket(self) -> String {
                format!("{:03}", self.0 / 1000)
            }
            pub fn next(self) -> Self {
                Self(self.0 + 1)
            }
        }
        impl TryFrom<u64> for $name {
            type Error = InvalidValue;
            fn try_from(n: u64) -> Result<Self, InvalidValue> {
                Self::new(n)
            }
        }
        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }
        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, InvalidValue> {
                let t = s.trim().trim_start_matches('#');
                let n: u64 = t.parse().map_err(|_| {
                    InvalidValue(format!("`{s}` is not a {} id (a positive integer)", $what))
                })?;
                Self::new(n)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(TicketId, "ticket");
numeric_id!(TaskId, "task");

macro_rules! string_newtype {
    ($name:ident, $check:path, $expecting:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(into = "String")]
        pub struct $name(String);
        deserialize_by_parse!($name, $expecting);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, InvalidValue> {
                $check(&s)?;
                Ok(Self(s))
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, InvalidValue> {
                Self::try_from(s.to_owned())
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

string_newtype!(Login, check_login, "a login");
string_newtype!(Slug, check_slug, "a slug");
string_newtype!(Email, check_email, "an e-mail address");
string_newtype!(MessageKey, check_key, "a key");
string_newtype!(Tag, check_tag, "a tag");

/// The longest tag kept.
pub const MAX_TAG: usize = 32;

/// A ticket tag: one lower-case word (letters, digits, `-`, `_`), at most [`MAX_TAG`].
fn check_tag(s: &str) -> Result<(), InvalidValue> {
    let ok = !s.is_empty()
        && s.len() <= MAX_TAG
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InvalidValue(format!(
            "`{s}` is not a valid tag (one lower-case word: letters, digits, `-`, `_`; at most {MAX_TAG})"
        )))
    }
}

fn check_login(s: &str) -> Result<(), InvalidValue> {
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InvalidValue(format!(
            "`{s}` is not a valid login (lower-case letters, digits, `.`, `_`, `-`; at most 40; starting with a letter or digit)"
        )))
    }
}

fn check_slug(s: &str) -> Result<(), InvalidValue> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(InvalidValue(format!(
            "`{s}` is not a valid slug (lower-case letters, digits and `-`, at most 64)"
        )))
    }
}

/// A deliberately plain check of `local@domain`: what matters here is that the value is one
/// address with no spaces, control characters or header syntax in it.
fn check_email(s: &str) -> Result<(), InvalidValue> {
    let bad = || InvalidValue(format!("`{s}` is not a valid e-mail address"));
    if s.len() > 254 || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || local.contains(['<', '>', '(', ')', ',', ';', ':', '"', '[', ']', '\\'])
    {
        return Err(bad());
    }
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if domain.is_empty() || !labels_ok {
        return Err(bad());
    }
    Ok(())
}

fn check_key(s: &str) -> Result<(), InvalidValue> {
    let bad = || {
        InvalidValue(format!(
            "`{s}` is not a valid key (YYYYMMDDTHHMMSSZ-author-hex, e.g. 20261127T174501Z-alice-3f2a)"
        ))
    };
    let b = s.as_bytes();
    if b.len() < 16 + 1 + 1 + 1 + 4 || b.len() > 100 {
        return Err(bad());
    }
    let stamp_ok = b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
        && b[16] == b'-';
    let (author, suffix) = s[17..].rsplit_once('-').ok_or_else(bad)?;
    let author_ok = !author.is_empty()
        && author
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(&c));
    let suffix_ok = suffix.len() >= 4
        && suffix
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
    if stamp_ok && author_ok && suffix_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

impl MessageKey {
    /// A new key: the UTC time, the author's tag and `random` as 4 hex digits.
    pub fn generate(at: crate::model::Timestamp, author: &str, random: u16) -> MessageKey {
        let stamp = at.compact();
        MessageKey(format!("{stamp}-{}-{random:04x}", author_tag(author)))
    }

    /// The timestamp part of the key, `YYYYMMDDTHHMMSSZ`.
    pub fn stamp(&self) -> &str {
        &self.0[..16]
    }
}

/// The author part of a key: a login as it is, or the local part of an e-mail address
/// reduced to `[a-z0-9]` (at most 16 characters; `customer` when nothing is left).
pub fn author_tag(author: &str) -> String {
    if check_login(author).is_ok() {
        return author.chars().take(24).collect();
    }
    let local = author.split('@').next().unwrap_or("");
    let tag: String = local
        .chars()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            (c.is_ascii_lowercase() || c.is_ascii_digit()).then_some(c)
        })
        .take(16)
        .collect();
    if tag.is_empty() {
        "customer".into()
    } else {
        tag
    }
}

impl Email {
    /// The domain part, lower-cased.
    pub fn domain(&self) -> String {
        self.0
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default()
    }
    /// True when both name the same mailbox (the domain compared case-insensitively).
    pub fn same_as(&self, other: &str) -> bool {
        match (self.0.rsplit_once('@'), other.rsplit_once('@')) {
            (Some((l1, d1)), Some((l2, d2))) => l1 == l2 && d1.eq_ignore_ascii_case(d2),
            _ => false,
        }
    }
}

/// Ticket priority, 0 to 100 (the guide's "from 0 to 100%").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "u8")]
pub struct Priority(u8);
deserialize_by_parse!(Priority, "a priority from 0 to 100");

impl Priority {
    pub const DEFAULT: Priority = Priority(50);
    pub fn new(n: i64) -> Result<Self, InvalidValue> {
        if (0..=100).contains(&n) {
            Ok(Priority(n as u8))
        } else {
            Err(InvalidValue(format!(
                "priority must be between 0 and 100, got {n}"
            )))
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
}
impl Default for Priority {
    fn default() -> Self {
        Self::DEFAULT
    }
}
impl TryFrom<i64> for Priority {
    type Error = InvalidValue;
    fn try_from(n: i64) -> Result<Self, InvalidValue> {
        Self::new(n)
    }
}
impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}
impl FromStr for Priority {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let n: i64 = s.trim().trim_end_matches('%').parse().map_err(|_| {
            InvalidValue(format!(
                "`{s}` is not a priority (an integer from 0 to 100)"
            ))
        })?;
        Self::new(n)
    }
}
impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_checked() {
        assert!("alice".parse::<Login>().is_ok());
        assert!("a.b-c_9".parse::<Login>().is_ok());
        assert!("Alice".parse::<Login>().is_err());
        assert!("../x".parse::<Login>().is_err());
        assert!("".parse::<Login>().is_err());
        assert!("-x".parse::<Login>().is_err());
    }

    #[test]
    fn emails_are_checked() {
        assert!("john@doe.example".parse::<Email>().is_ok());
        assert!("a.b+c@x-y.example".parse::<Email>().is_ok());
        for bad in [
            "john",
            "@x.example",
            "a@",
            "a b@x.example",
            "a@x..example",
            "a@x.example\r\nBcc: z@q",
            "<a@b.c>",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn priority_range() {
        assert_eq!("0".parse::<Priority>().unwrap().get(), 0);
        assert_eq!("100".parse::<Priority>().unwrap().get(), 100);
        assert!("101".parse::<Priority>().is_err());
        assert!("-1".parse::<Priority>().is_err());
        assert!("high".parse::<Priority>().is_err());
    }

    #[test]
    fn ids_and_buckets() {
        let id: TicketId = "#1043".parse().unwrap();
        assert_eq!(id.bucket(), "001");
        assert_eq!(TicketId::new(7).unwrap().bucket(), "000");
        assert_eq!(TicketId::new(123_456).unwrap().bucket(), "123");
        assert!("0".parse::<TicketId>().is_err());
        assert!("x1".parse::<TicketId>().is_err());
    }

    #[test]
    fn keys() {
        assert!("20261127T174501Z-alice-3f2a".parse::<MessageKey>().is_ok());
        assert!("20261127T174501Z-alice-3F2A".parse::<MessageKey>().is_err());
        assert!("2026-11-27-alice-3f2a".parse::<MessageKey>().is_err());
        assert_eq!(author_tag("John.Doe+x@doe.example"), "johndoex");
        assert_eq!(author_tag("+++@doe.example"), "customer");
        assert_eq!(author_tag("bob"), "bob");
    }
}
