//! `msg encrypt`: sealing the clear-text messages written before encryption, in place.

use crate::model::Op;
use serde::Serialize;

use crate::model::{Letter, MessageKey, Permission, PmContent, Staff};
use crate::seal;
use crate::store::{layout, CommitMessage, DeskRead, Transaction};

use super::super::actor;
use super::super::error::{OpError, Result};
use super::{keys_of, require_use};

/// What `encrypt` did.
#[derive(Debug, Clone, Serialize)]
pub struct Encrypted {
    /// The inbox files rewritten.
    pub files: Vec<String>,
}

/// Seals the clear-text messages (written before encryption) in place, in one commit: the
/// actor's own inbox, or with `all` every inbox (needs `staff.admin`). Each message is
/// encrypted to its sender and recipients as a new one would be; anyone of them without a
/// key stops the whole run (nothing is half-done). Old clear-text copies stay in history.
pub fn encrypt(
    tx: &mut Transaction<'_>,
    me: &Staff,
    all: bool,
) -> Result<(Encrypted, CommitMessage)> {
    require_use(me, "encrypt private messages")?;
    if all {
        actor::require(me, Permission::StaffAdmin, "encrypt every inbox")?;
    }
    let owners = if all {
        tx.inbox_owners()?
    } else {
        vec![me.login.clone()]
    };
    // One ciphertext per message, shared by all its copies (as `send` writes them).
    let mut sealed: std::collections::BTreeMap<MessageKey, String> = Default::default();
    let mut files = Vec::new();
    for owner in owners {
        let loaded = tx.inbox(&owner)?;
        for (key, m) in loaded.items {
            let PmContent::Clear { subject, body } = m.content() else {
                continue;
            };
            let text = match sealed.get(&key) {
                Some(t) => t.clone(),
                None => {
                    let sender = tx
                        .staff(&m.from)?
                        .ok_or_else(|| OpError::not_found("staff member (the sender)", &m.from))?;
                    let mut staff = Vec::new();
                    for login in &m.to {
                        staff.push(
                            tx.staff(login)?
                                .ok_or_else(|| OpError::not_found("staff member", login))?,
                        );
                    }
                    let letter = Letter {
                        subject: subject.to_owned(),
                        body: body.to_owned(),
                    };
                    let t = seal::seal(&letter, &keys_of(&sender, &staff)?)?;
                    sealed.insert(key.clone(), t.clone());
                    t
                }
            };
            let path = layout::inbox_message(&owner, &key);
            tx.put_yaml(path.clone(), &m.into_sealed(text));
            files.push(path);
        }
    }
    let msg = CommitMessage::new(
        Op::MsgEncrypt,
        me.login.as_str(),
        format!(
            "msg: {} encrypt {} clear-text message file(s)",
            me.login,
            files.len()
        ),
    );
    Ok((Encrypted { files }, msg))
}
