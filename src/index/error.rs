//! Why searching or indexing failed.

use std::path::PathBuf;

use crate::store::StoreError;

use super::query::QueryError;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("search index: {context}: {source}")]
    Tantivy {
        context: &'static str,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("search index {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("search index {0}: another process is building it; try again in a moment")]
    Busy(PathBuf),
    #[error("search index {path}: {message}")]
    Broken { path: PathBuf, message: String },
    #[error("reading changes from git: {0}")]
    Git(String),
}

impl IndexError {
    /// A `map_err` adapter naming what was being done.
    pub fn tantivy(context: &'static str) -> impl Fn(tantivy::TantivyError) -> IndexError {
        move |source| IndexError::Tantivy { context, source }
    }

    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> IndexError {
        let path = path.into();
        move |source| IndexError::Io { path, source }
    }

    pub fn git(context: &str, e: impl std::fmt::Display) -> IndexError {
        IndexError::Git(format!("{context}: {e}"))
    }
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;
