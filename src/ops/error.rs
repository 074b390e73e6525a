//! Why an operation refused or failed. Each variant names the actor, permission, id, field
//! or state at fault; nothing was committed when one is returned.

use crate::model::{InvalidValue, Login, Permission, Refusal, TaskId, TicketId, Timestamp};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{actor} may not {action}: the permission `{permission}` is needed")]
    Denied {
        actor: Login,
        permission: Permission,
        action: String,
    },
    #[error("{actor} may not {action}")]
    Forbidden { actor: Login, action: String },
    #[error("no {kind} `{id}`")]
    NotFound { kind: &'static str, id: String },
    #[error("{kind} `{id}` already exists")]
    Exists { kind: &'static str, id: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    State(String),
    #[error("ticket {id} {reason}")]
    Refused { id: TicketId, reason: Refusal },
    #[error("{login} must fill in the profile first (name and e-mail: `git desk staff edit {login} --name … --email …`) to {action}")]
    ProfileIncomplete { login: Login, action: String },
    #[error("cannot tell who you are: {0}")]
    NoActor(String),
    #[error("task {id} was created at {created_at}, after the time given ({now}); check the system clock or GIT_DESK_NOW")]
    TaskBeforeCreation {
        id: TaskId,
        created_at: Timestamp,
        now: Timestamp,
    },
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    #[error(transparent)]
    Open(#[from] crate::seal::OpenError),
}

impl OpError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        OpError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
    pub fn from_value(field: &str, e: InvalidValue) -> Self {
        OpError::invalid(field, e.0)
    }
    pub fn not_found(kind: &'static str, id: impl ToString) -> Self {
        OpError::NotFound {
            kind,
            id: id.to_string(),
        }
    }
}

pub type Result<T, E = OpError> = std::result::Result<T, E>;
