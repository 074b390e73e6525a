//! The build manifest: what the last build of one output directory wrote and from which
//! inputs (the commit, the key of every ticket page and of every other page), plus a short
//! summary of each ticket so list pages need not read unchanged tickets
//! again. It lives in the desk's cache directory, one per output directory, and is trusted
//! only while the output directory carries the same build id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::output::write_atomic;
use super::{Result, SiteError, GENERATOR_VERSION};
use crate::model::Ticket;
use crate::store::history::content_hash;
use crate::store::Desk;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketRecord {
    /// The content key of the ticket's directory.
    pub key: String,
    /// The key of its page: content, shared inputs and history together.
    pub page: String,
    /// The key of its audit history.
    pub audit: String,
    /// None when `ticket.yaml` could not be read (then `problem` says why).
    pub ticket: Option<Ticket>,
    pub problem: Option<String>,
    pub messages: u32,
    /// What the dashboard shows of the thread (who spoke last, since when the customer
    /// waits).
    #[serde(default)]
    pub thread: Option<super::dashboard::ThreadSummary>,
    /// The distinct words of its customer messages and answers, for Quick Search (never
    /// internal notes): only of tickets rendered in this build, and not kept in the
    /// manifest (the Quick Search store keeps them, see `search_store`).
    #[serde(skip)]
    pub words: Vec<String>,
    /// Site-relative files written for this ticket (its page and attachments).
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub build_id: String,
    /// The commit the last build rendered (git desks).
    pub head: Option<String>,
    pub tickets: BTreeMap<u64, TicketRecord>,
    /// Other pages and assets: site-relative path → key.
    pub pages: BTreeMap<String, String>,
    /// The token of the Quick Search store written with this build.
    #[serde(default)]
    pub search: Option<String>,
}

/// The cache folder for building into `out`.
pub fn cache_dir(desk: &Desk, out: &Path) -> PathBuf {
    let id = content_hash([out.to_string_lossy().as_bytes()]);
    desk.cache_dir().join("site").join(&id[..16])
}

impl Manifest {
    /// The manifest of the last build into this output directory, when it can be trusted
    /// (same generator, same build id as the directory's marker).
    pub fn load(cache: &Path, marker: Option<&str>) -> Option<Manifest> {
        let bytes = std::fs::read(cache.join("manifest.json")).ok()?;
        let m: Manifest = serde_json::from_slice(&bytes).ok()?;
        (m.version == GENERATOR_VERSION && Some(m.build_id.as_str()) == marker).then_some(m)
    }

    pub fn save(&self, cache: &Path) -> Result<()> {
        let bytes =
            serde_json::to_vec(self).map_err(|e| SiteError::io(cache, std::io::Error::other(e)))?;
        write_atomic(&cache.join("manifest.json"), &bytes)
    }
}
