//! The search index: a tantivy index of tickets, tasks and knowledge-base articles, derived
//! from the desk and never committed. Every reader first brings it up to date (see
//! [`refresh`]), so it is always current without anyone thinking about it.
//!
//! - [`expr`], [`lex`], [`query`], [`values`]: the search language, pure (text → [`Expr`]).
//! - [`compile`]: [`Expr`] → tantivy query, and the visibility rules.
//! - [`schema`], [`build`], [`bulk`]: the fields, and documents read from the desk (a full
//!   build reads the tickets of a git desk in bulk).
//! - [`state`], [`refresh`], `rebuild`: what the index reflects, what changed, updating, and
//!   building it from scratch.
//! - [`search`]: advanced search and Quick Search.

pub mod build;
pub mod bulk;
pub mod compile;
pub mod error;
pub mod expr;
pub mod lex;
pub mod query;
mod rebuild;
pub mod refresh;
pub mod schema;
pub mod search;
pub mod state;
pub mod values;

#[cfg(test)]
#[path = "query_tests.rs"]
mod query_tests;

pub use error::{IndexError, Result};
pub use expr::{Expr, Kind};
pub use query::{parse, parse_text, QueryError};
pub use refresh::{index_dir, open, Observer, Options, Quiet, Report, SearchIndex};
pub use search::{quick, search, Hit, Request, Results, Sort};

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::store::Desk;

/// Opens the current index and runs `f` on it. If reading the index fails or panics (a
/// damaged file that opening did not notice), the index is rebuilt once and `f` runs again.
pub fn with_index<T>(
    desk: &Desk,
    opts: Options,
    obs: &dyn Observer,
    f: impl Fn(&SearchIndex) -> Result<T>,
) -> Result<(T, Report)> {
    let (si, report) = open(desk, opts, obs)?;
    let outcome = catch_unwind(AssertUnwindSafe(|| f(&si)));
    let why = match outcome {
        Ok(Ok(v)) => return Ok((v, report)),
        Ok(Err(e @ (IndexError::Tantivy { .. } | IndexError::Io { .. }))) => e.to_string(),
        Ok(Err(e)) => return Err(e),
        Err(panic) => {
            if report.rebuilt.is_some() {
                std::panic::resume_unwind(panic);
            }
            "reading it failed".to_owned()
        }
    };
    if report.rebuilt.is_some() {
        return Err(IndexError::Broken {
            path: index_dir(desk),
            message: why,
        });
    }
    drop(si);
    obs.notice(&format!(
        "the search index is damaged ({why}); rebuilding it"
    ));
    let (si, mut report) = open(
        desk,
        Options {
            rebuild: true,
            ..opts
        },
        obs,
    )?;
    report.rebuilt = Some(format!("it was damaged ({why})"));
    let v = f(&si)?;
    Ok((v, report))
}
