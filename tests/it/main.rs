//! Integration tests: one binary, one module per area.

mod support;

mod admin;
mod foundation;
mod lifecycle;
mod sync;
mod verify;
