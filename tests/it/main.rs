//! Integration tests: one binary, one module per area.

mod support;

mod foundation;
mod lifecycle;
mod search;
mod search_index;
mod search_mass;
mod sync;
mod verify;
