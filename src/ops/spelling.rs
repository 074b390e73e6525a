//! The desk's own spelling words (`spelling.words` in desk.yaml), which the spellchecker
//! accepts besides its dictionary. Adding to them changes desk.yaml and so needs
//! `settings.admin`, as every change of desk.yaml does (and as `git desk verify` checks).

use crate::model::{Permission, Staff};
use crate::store::{layout, DeskRead, Transaction};

use super::actor;
use super::error::{OpError, Result};

/// The longest word accepted, in characters.
pub const MAX_WORD: usize = 64;

/// Whether `me` may add words to the desk's list.
pub fn may_add(me: &Staff) -> bool {
    me.has(Permission::SettingsAdmin)
}

/// Stages desk.yaml with `words` added to `spelling.words` (those already there, in any
/// case, are skipped). Returns the words added.
pub fn add_words(tx: &mut Transaction<'_>, me: &Staff, words: &[String]) -> Result<Vec<String>> {
    actor::require(
        me,
        Permission::SettingsAdmin,
        "add words to the desk's spelling list",
    )?;
    let mut settings = tx.settings()?;
    let mut added = Vec::new();
    for w in words {
        let w = w.trim();
        if w.is_empty() || w.chars().count() > MAX_WORD || w.chars().any(char::is_whitespace) {
            return Err(OpError::invalid(
                "spelling.words",
                format!("`{w}` is not one word of at most {MAX_WORD} characters"),
            ));
        }
        let known = settings
            .spelling
            .words
            .iter()
            .chain(&added)
            .any(|k| k.to_lowercase() == w.to_lowercase());
        if !known {
            added.push(w.to_owned());
        }
    }
    if !added.is_empty() {
        settings.spelling.words.extend(added.iter().cloned());
        tx.put_yaml(layout::DESK_FILE, &settings);
    }
    Ok(added)
}
