//! Integration tests: one binary, one module per area.

mod support;

mod admin;
mod foundation;
mod kb;
mod lifecycle;
mod messages;
mod qa;
mod spell;
mod stats;
mod sync;
mod task_links;
mod tasks;
mod verify;
