//! Errors of the store: reading files, parsing them, and committing. Every variant names
//! the file, path or ref at fault so the user knows where to look.

use std::fmt;
use std::path::PathBuf;

/// A file that could not be read as what it should be, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Desk-relative path (`tickets/001/1043/ticket.yaml`).
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.path, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.path, l, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for FileError {}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Transparent: the file error is the whole message (`{0}` with `#[from]` would make it
    /// its own source, and error chains would print it twice).
    #[error(transparent)]
    File(#[from] FileError),
    /// `error` is deliberately not a `source`: the message already says it, and error
    /// chains would print it twice.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("git: {context}: {message}")]
    Git { context: String, message: String },
    #[error("{0} is not a desk (no desk.yaml there); run `git desk init` to make one")]
    NotADesk(PathBuf),
    #[error("{0} is not a git repository, so it is read-only; `git desk init NEWDIR --from {0}` makes a desk you can change")]
    ReadOnly(PathBuf),
    #[error("refusing to overwrite uncommitted changes to {0}; commit or stash them first")]
    Dirty(String),
    #[error(
        "another git-desk command is changing the desk (waited {waited}s for {path}); try again"
    )]
    Busy { path: PathBuf, waited: u64 },
    #[error("{path} exists (made {age} ago): a git command is using the repository (an editor still open for `git commit`?) or one died; finish or quit it and try again, and if no git command is running, delete {path}")]
    GitLocked { path: PathBuf, age: String },
    #[error("{0}")]
    Branch(String),
    #[error("the branch moved while this change was being committed (expected {expected}); nothing was written, try again")]
    Moved { expected: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl StoreError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            error: source,
        }
    }
    pub fn git(context: impl Into<String>, e: impl fmt::Display) -> Self {
        StoreError::Git {
            context: context.into(),
            message: e.to_string(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
