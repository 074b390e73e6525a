//! Integration tests: one binary, one module per area.

mod support;

mod admin;
mod catalog;
mod cli;
mod clock;
mod commit_engine;
mod crash;
mod foundation;
mod ids;
mod kb;
mod lifecycle;
mod macros;
mod mail;
mod messages;
mod privacy;
mod qa;
mod query_depth;
mod queue_work;
mod readme;
mod replies;
mod search;
mod search_index;
mod search_mass;
mod site;
mod site_customers;
mod site_dashboard;
mod sla;
mod spell;
mod stats;
mod sync;
mod tags;
mod task_links;
mod tasks;
mod time;
mod verify;
