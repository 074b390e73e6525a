//! Use cases. Each checks the actor's permissions, applies the model's rules, stages files
//! in a [`Transaction`] and describes the commit. The CLI, mail intake and sync call these,
//! never the CLI.

pub mod actor;
pub mod billing;
pub mod check;
pub mod customer;
pub mod error;
pub mod hook;
pub mod ids;
pub mod init;
pub mod kb;
pub mod log;
pub mod macros;
pub mod mail;
pub mod mass;
pub mod msg;
pub mod periodic;
pub mod queue;
pub mod reply;
pub mod search;
pub mod settings;
pub mod signature;
pub mod sla;
pub mod slug_file;
pub mod spelling;
pub mod staff;
pub mod stats;
pub mod task;
pub mod ticket;
pub mod verify;

pub use actor::ActorSpec;
pub use error::{OpError, Result};

use gix::ObjectId;

use crate::context::Context;
use crate::model::Staff;
use crate::store::{CommitMessage, Desk, Identity, Transaction};

/// Runs one mutation as `actor`: begins a transaction (taking the lock), re-reads the actor
/// from HEAD, lets `f` stage its changes and describe them, and commits. Returns `f`'s
/// value and the new commit (none when nothing changed). On any error nothing is written.
pub fn mutate<T>(
    desk: &Desk,
    ctx: &Context,
    actor: &Staff,
    f: impl FnOnce(&mut Transaction<'_>, &Staff) -> Result<(T, CommitMessage)>,
) -> Result<(T, Option<ObjectId>)> {
    let mut tx = desk.begin(ctx.now())?;
    let me = actor::reload(&tx, actor)?;
    let (value, msg) = f(&mut tx, &me)?;
    let commit = tx.commit(&Identity::of(&me), &msg)?;
    Ok((value, commit))
}
