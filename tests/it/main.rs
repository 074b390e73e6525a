//! Integration tests: one binary, one module per area.

mod support;

mod foundation;
mod lifecycle;
mod mail;
mod sync;
mod verify;
