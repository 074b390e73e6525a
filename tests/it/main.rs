//! Integration tests: one binary, one module per area.

mod support;

mod cdp;
mod foundation;
mod site;
