//! The static, read-only dashboard site (`git desk site build`): zola-style, [`Site::load`]
//! reads the desk and the templates, [`Site::build`] renders the pages into the output
//! directory.
//!
//! - Templates are minijinja files in `site-templates/` (embedded in the binary; a desk's
//!   own `site-templates/` folder overrides any of them by file name). Every value is
//!   HTML-escaped by the template engine; links are relative, so the site works from
//!   `file://` and from any web-server sub-path.
//! - Incremental: each ticket page is keyed by the git tree id of the ticket's directory
//!   (for a plain directory, a hash of its files), the shared inputs (staff, queues,
//!   accounts, resellers, settings, templates) and its audit history; other pages by a
//!   hash of their template and context. A manifest in the desk's cache directory records
//!   the keys; a page whose key did not change is neither rendered nor written, and pages
//!   of deleted tickets are removed. Every file is written atomically (temporary file and
//!   rename).
//! - A git desk is rendered from HEAD (the committed state); a plain directory from its
//!   files.
//! - The dashboard's lists say what needs work first (see [`dashboard`] for the waits and
//!   the urgency order); [`customers`] writes the customer status pages, apart from the
//!   staff site.

mod audit;
mod body;
pub mod customers;
pub mod dashboard;
mod data;
mod manifest;
mod markdown;
mod output;
mod pages;
mod render;
mod rows;
mod search;
mod search_store;
mod stats;
mod stats_keys;
mod templates;
mod ticket_page;

use std::path::PathBuf;
use std::time::Duration;

use crate::model::{Login, Timestamp};
use crate::store::{Desk, FileError, StoreError};

pub use render::BuildSummary;

/// Bumped when the generator's output changes in a way templates cannot see, so old
/// manifests are not trusted.
const GENERATOR_VERSION: &str = "git-desk-site-8";

/// What to build.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The output directory (absolute, or relative to the current directory).
    pub out: PathBuf,
    /// Build a technician's copy: their private-message inbox and their tickets marked.
    /// Only the technician themselves may ask for it (the CLI checks that it is the actor).
    pub for_login: Option<Login>,
    /// The `for_login` technician's inbox, already decrypted with their key (the site
    /// never decrypts anything itself); ignored without `for_login`.
    pub inbox: Vec<crate::ops::msg::Entry>,
    /// Ignore the manifest and render every page.
    pub full: bool,
    /// "Today" for due tasks and the last-30-days statistics.
    pub now: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Stats(#[from] crate::ops::OpError),
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to build the site into {path}: {reason}")]
    OutDir { path: PathBuf, reason: String },
    #[error("--for {0}: no such staff member")]
    UnknownLogin(Login),
    /// The Quick Search store in the cache folder is damaged: the build starts again as a
    /// full one (never shown: [`Site::build`] handles it).
    #[error("the Quick Search store in the cache folder is damaged")]
    SearchStale,
}

impl SiteError {
    fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SiteError::Io {
            path: path.into(),
            source,
        }
    }
    fn template(name: &str, e: minijinja::Error) -> Self {
        let mut message = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            message.push_str(&format!(": {s}"));
            src = s.source();
        }
        SiteError::Template {
            name: name.into(),
            message,
        }
    }
}

pub type Result<T, E = SiteError> = std::result::Result<T, E>;

/// Told about the progress of a build (the CLI draws a bar on a terminal).
pub trait Progress: Sync {
    /// The number of pages about to be rendered.
    fn start(&self, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// No progress display.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// A site ready to build: the desk's shared data and the templates, loaded.
pub struct Site<'d> {
    desk: &'d Desk,
    options: SiteOptions,
    input: data::Input,
    shared: data::Shared,
    templates: templates::Templates,
}

impl<'d> Site<'d> {
    /// Reads the settings, staff, queues, customers, tasks, KB (and the inbox for `--for`)
    /// and the templates. Tickets are read by [`Site::build`], only those that changed.
    pub fn load(desk: &'d Desk, options: SiteOptions) -> Result<Site<'d>> {
        let input = data::Input::of(desk)?;
        let src = input.source();
        let mut shared = data::Shared::load(src.as_ref(), &input)?;
        if options.for_login.is_some() {
            shared.inbox = options.inbox.clone();
        }
        shared.sla = data::sla_cells(desk, &shared.settings, options.now)?;
        if let Some(login) = &options.for_login {
            if !shared.staff.iter().any(|s| &s.login == login) {
                return Err(SiteError::UnknownLogin(login.clone()));
            }
        }
        let templates = templates::Templates::load(desk.reader()?.as_ref())?;
        Ok(Site {
            desk,
            options,
            input,
            shared,
            templates,
        })
    }

    /// Renders what changed since the last build into the output directory.
    pub fn build(&self, progress: &dyn Progress) -> Result<BuildSummary> {
        match render::build(self, self.options.full, progress) {
            Err(SiteError::SearchStale) => render::build(self, true, progress),
            other => other,
        }
    }

    /// Problems met while loading (broken files are reported, not fatal).
    pub fn problems(&self) -> &[FileError] {
        &self.shared.problems
    }
}

/// `1.2 s`, `340 ms`
pub fn human_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
