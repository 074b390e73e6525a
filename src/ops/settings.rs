//! Desk settings ("Settings -> Tech Support", "Reseller Client Support"): reading them, and
//! changing any number of keys in one commit, which needs `settings.admin`.

use crate::model::Op;
use crate::model::{setting, Permission, Settings, Staff};
use crate::store::{layout, CommitMessage, DeskRead, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

pub fn show(src: &(impl Source + ?Sized)) -> Result<Settings> {
    Ok(src.settings()?)
}

/// Sets each `(key, value)` in order; refuses an unknown key, a bad value, a default queue
/// that does not exist, or a change that changes nothing.
pub fn set(
    tx: &mut Transaction<'_>,
    me: &Staff,
    pairs: &[(String, String)],
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::SettingsAdmin, "change settings")?;
    if pairs.is_empty() {
        return Err(OpError::invalid("settings set", "give KEY VALUE"));
    }
    let before = tx.settings()?;
    let mut s = before.clone();
    let mut changed = Vec::new();
    for (key, value) in pairs {
        setting::set(&mut s, key, value).map_err(|e| OpError::from_value(key, e))?;
        if key == "default_queue" && tx.queue(&s.default_queue)?.is_none() {
            return Err(OpError::invalid(
                key,
                format!("no queue `{}`", s.default_queue),
            ));
        }
        let shown = setting::get(&s, key).map_err(|e| OpError::from_value(key, e))?;
        changed.push(format!("{key} {shown}"));
    }
    if s == before {
        return Err(OpError::State("the settings would not change".into()));
    }
    tx.put_yaml(layout::DESK_FILE, &s);
    let subject = format!("settings: {}", changed.join(", "));
    Ok((
        (),
        CommitMessage::new(Op::SettingsSet, me.login.as_str(), subject),
    ))
}
