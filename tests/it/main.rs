//! Integration tests: one binary, one module per area.

mod support;

mod admin;
mod cli;
mod commit_engine;
mod foundation;
mod kb;
mod lifecycle;
mod mail;
mod messages;
mod qa;
mod search;
mod search_index;
mod search_mass;
mod site;
mod spell;
mod stats;
mod sync;
mod task_links;
mod tasks;
mod verify;
