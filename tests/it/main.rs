//! Integration tests: one binary, one module per area.

mod support;

mod foundation;
mod commit_engine;
