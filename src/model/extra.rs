//! Keys a file holds that this version of git-desk does not know. They are collected when
//! a file is read (at any depth, with the path of mappings leading to them) and written back
//! after the known keys, so a desk edited by a newer version or by hand loses nothing when
//! this one rewrites the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Unknown keys of a document: the key path from the top (`["smtp", "x-proxy"]`) and the
/// value found there.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extra(pub Vec<(Vec<String>, Value)>);

impl Extra {
    pub fn new() -> Self {
        Extra(Vec::new())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Any YAML value without tags: enough to carry unknown keys through unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

/// A top-level file type: it carries the unknown keys of the file it was read from.
pub trait Document {
    fn extra(&self) -> &Extra;
    fn extra_mut(&mut self) -> &mut Extra;
}

macro_rules! documents {
    ($($t:ty),*) => {$(
        impl Document for $t {
            fn extra(&self) -> &Extra { &self.extra }
            fn extra_mut(&mut self) -> &mut Extra { &mut self.extra }
        }
    )*};
}

documents!(
    super::Settings,
    super::IdMarks,
    super::Staff,
    super::Queue,
    super::Account,
    super::Reseller,
    super::Ticket,
    super::Message,
    super::Task,
    super::TaskNote,
    super::PrivateMessage,
    super::KbFront,
    super::ReplyFront,
    super::MacroDef,
    super::OutMail
);
