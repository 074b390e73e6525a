//! git-desk: a help desk whose database is a git repository of YAML files.
//!
//! The layers, from the bottom:
//! - [`model`]: pure domain types and rules (tickets, staff and permissions, queues, …).
//! - [`store`]: the only code that knows paths, YAML and git. Reads go through a `Source`
//!   (a work tree, a plain folder, or a git tree); every mutation is a `Transaction` that
//!   becomes exactly one commit.
//! - [`ops`]: the use cases. They check permissions, apply the model's rules, stage files
//!   and describe the commit. The CLI, mail intake and sync all call these.
//! - [`seal`]: age encryption of private messages (keys from staff profiles, the reader's
//!   identity); used by `ops::msg` and nothing below it.
//! - [`cli`]: clap types and rendering; the one place that prints.
//!
//! [`context::Context`] carries the clock and randomness so both can be pinned in tests.

pub mod cli;
pub mod context;
pub mod failpoint;
pub mod index;
pub mod mail;
pub mod model;
pub mod ops;
pub mod seal;
pub mod site;
pub mod spell;
pub mod store;
pub mod sync;
