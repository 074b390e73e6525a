//! Integration tests: one binary, one module per area.

mod support;

mod foundation;
mod search;
mod search_index;
mod lifecycle;
mod sync;
mod verify;
