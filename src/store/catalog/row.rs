//! One row of the catalog: a ticket directory ([`Dir`]) with the fields lists filter on
//! ([`Key`]) and its [`Row`] — a ticket's summary or why it could not be read — kept
//! encoded until a reader asks for it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::file::Oid;
use super::summary::{Summary, Text};
use crate::model::Status;
use crate::store::FileError;

/// One `tickets/<bucket>/<id>` directory.
///
/// Its summary is kept encoded (a `Raw` byte string) behind a few fields every list filters on
/// ([`Key`]): a `ticket list` of 100k tickets decodes the keys and only the summaries of
/// the tickets it shows, instead of building 100k summaries (~50 MB of fresh memory,
/// most of its time in page faults and copies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dir<'a> {
    pub id: u64,
    #[serde(with = "super::file::oid_bytes")]
    pub tree: Oid,
    /// A fingerprint of the directory's files (paths and blob ids), comparable with one
    /// computed from git's index entries: how staged hand edits are found.
    pub files: u64,
    #[serde(borrow)]
    pub key: Key<'a>,
    #[serde(borrow)]
    row: Raw<'a>,
}

/// What readers filter on before decoding a row: copies of the summary's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key<'a> {
    /// None: the directory could not be read as a ticket ([`Row::Broken`]).
    pub status: Option<Status>,
    pub priority: u8,
    #[serde(borrow)]
    pub queue: Text<'a>,
    #[serde(borrow)]
    pub assignee: Option<Text<'a>>,
    pub snoozed_until: Option<i64>,
    pub answered_at: Option<i64>,
}

impl Key<'_> {
    fn of(row: &Row<'_>) -> Key<'static> {
        match row {
            Row::Ticket(s) => Key {
                status: Some(s.status),
                priority: s.priority,
                queue: s.queue.clone().into_owned(),
                assignee: s.assignee.clone().map(Text::into_owned),
                snoozed_until: s.snoozed_until,
                answered_at: s.answered_at,
            },
            Row::Broken(_) => Key {
                status: None,
                priority: 0,
                queue: Text::default(),
                assignee: None,
                snoozed_until: None,
                answered_at: None,
            },
        }
    }

    fn into_owned(self) -> Key<'static> {
        Key {
            status: self.status,
            priority: self.priority,
            queue: self.queue.into_owned(),
            assignee: self.assignee.map(Text::into_owned),
            snoozed_until: self.snoozed_until,
            answered_at: self.answered_at,
        }
    }

    pub fn is_assigned_to(&self, login: &str) -> bool {
        self.assignee.as_deref() == Some(login)
    }

    /// Whether the ticket is snoozed at `now` (seconds since the epoch).
    pub fn is_snoozed(&self, now: i64) -> bool {
        self.snoozed_until.is_some_and(|u| u > now)
    }

    /// Whether a list of the tickets being worked on must see this row: not done (new,
    /// open, answered), snoozed, or broken. [`super::file::Bucket::working`] counts them.
    pub fn is_working(&self) -> bool {
        self.status.is_none_or(|s| !s.is_done()) || self.snoozed_until.is_some()
    }

    /// The desk's visibility rule (`ops::actor::can_see`) on a catalog key: the actor is
    /// entitled to the ticket's queue, or it is assigned to them.
    pub fn visible_to(&self, me: &crate::model::Staff, settings: &crate::model::Settings) -> bool {
        me.is_main()
            || self.queue.as_str() == settings.default_queue.as_str()
            || me.queues.iter().any(|q| q.as_str() == self.queue.as_str())
            || self.is_assigned_to(me.login.as_str())
    }
}

/// Encoded bytes kept as they are (a [`Row`], a bucket's directories), borrowed from the
/// catalog file or owned.
#[derive(Clone, PartialEq, Eq)]
struct Raw<'a>(Cow<'a, [u8]>);

impl std::fmt::Debug for Raw<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.0.len())
    }
}

impl Serialize for Raw<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Raw<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an encoded catalog row")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> std::result::Result<Raw<'de>, E> {
                Ok(Raw(Cow::Borrowed(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> std::result::Result<Raw<'de>, E> {
                Ok(Raw(Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> std::result::Result<Raw<'de>, E> {
                Ok(Raw(Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(V)
    }
}

impl<'a> Dir<'a> {
    /// The directory `id` read from `tree`, with its files' fingerprint and its row.
    pub fn new(id: u64, tree: Oid, files: u64, row: &Row<'_>) -> Dir<'static> {
        Dir {
            id,
            tree,
            files,
            key: Key::of(row),
            row: Raw(Cow::Owned(
                postcard::to_stdvec(row).expect("encoding into memory cannot fail"),
            )),
        }
    }

    /// The row, decoded (text borrowed from the catalog's bytes); none when its bytes do
    /// not decode (a damaged catalog file).
    pub fn row(&self) -> Option<Row<'_>> {
        postcard::from_bytes(&self.row.0).ok()
    }

    /// A directory whose row bytes do not decode (tests of a damaged catalog file).
    #[cfg(test)]
    pub fn damaged(id: u64, key: Key<'static>) -> Dir<'static> {
        Dir {
            id,
            tree: [0; 20],
            files: 0,
            key,
            row: Raw(Cow::Owned(vec![0xff; 5])),
        }
    }

    pub fn into_owned(self) -> Dir<'static> {
        Dir {
            id: self.id,
            tree: self.tree,
            files: self.files,
            key: self.key.into_owned(),
            row: Raw(Cow::Owned(self.row.0.into_owned())),
        }
    }
}

/// Nearly every row is a ticket: boxing it (what clippy suggests for the size difference)
/// would only add an allocation per row decoded.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Row<'a> {
    #[serde(borrow)]
    Ticket(Summary<'a>),
    /// The directory could not be read as a ticket (`git desk check` says more).
    Broken(Problem),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl From<&FileError> for Problem {
    fn from(f: &FileError) -> Problem {
        Problem {
            path: f.path.clone(),
            line: f.line.map(|l| l as u64),
            column: f.column.map(|c| c as u64),
            message: f.message.clone(),
        }
    }
}

impl From<&Problem> for FileError {
    fn from(p: &Problem) -> FileError {
        FileError {
            path: p.path.clone(),
            line: p.line.map(|l| l as usize),
            column: p.column.map(|c| c as usize),
            message: p.message.clone(),
        }
    }
}
