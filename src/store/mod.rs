//! The store: the only code that knows paths ([`layout`]), YAML ([`yaml`]) and git
//! ([`desk`], [`source`], [`tx`]). Reads go through a [`Source`] with the typed
//! [`DeskRead`] methods; every mutation is a [`Transaction`] that becomes one commit.

pub mod advance;
pub mod branch;
pub mod catalog;
pub mod commit;
pub mod desk;
pub mod diff;
pub mod error;
pub mod history;
mod index;
pub mod journal;
pub mod layout;
pub mod lock;
pub mod message_index;
pub mod read;
pub mod scan;
pub mod sign;
pub mod source;
pub mod tx;
mod worktree;
pub mod yaml;

pub use commit::{parse_trailers, CommitMessage, Identity};
pub use desk::{reopen, Desk, DeskKind};
pub use error::{FileError, Result, StoreError};
pub use read::{DeskRead, Loaded};
pub use source::{DirEntry, FsSource, Source, TreeSource};
pub use tx::Transaction;
