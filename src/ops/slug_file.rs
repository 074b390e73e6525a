//! Desk files named by a slug and edited whole — KB articles (`kb/<slug>.md`), saved
//! replies (`replies/<slug>.md`), macros (`macros/<slug>.yaml`): the steps their commands
//! share.

use super::error::{OpError, Result};
use crate::model::Slug;
use crate::store::{Source, Transaction};

/// The file at `path` as stored, for the editor; `kind` names it when it is missing.
pub fn text(
    src: &(impl Source + ?Sized),
    path: &str,
    kind: &'static str,
    slug: &Slug,
) -> Result<String> {
    let bytes = src
        .read(path)?
        .ok_or_else(|| OpError::not_found(kind, slug))?;
    String::from_utf8(bytes).map_err(|_| OpError::State(format!("{path} is not valid UTF-8")))
}

/// Removes the file at `path`; `kind` names it when it is missing.
pub fn remove(
    tx: &mut Transaction<'_>,
    path: String,
    kind: &'static str,
    slug: &Slug,
) -> Result<()> {
    if tx.read(&path)?.is_none() {
        return Err(OpError::not_found(kind, slug));
    }
    tx.remove(path);
    Ok(())
}
