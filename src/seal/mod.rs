//! Encryption of private messages with age: a message's [`Letter`] (subject and text) is
//! encrypted once to every recipient and to its sender, ASCII-armoured, and stored as the
//! `sealed` field of each inbox copy. Recipients come from staff profiles ([`recipients`]:
//! the SSH `signing_key` and the `age_key`); decryption needs the reader's private key, held
//! by a [`Keyring`] that loads it only when a sealed message is first opened.
//!
//! Nothing here touches the desk's files or prints: the CLI says where the identity is and
//! how to ask for a passphrase.

mod keys;

use std::io::{Read, Write};

pub use keys::{recipients, IdentityFile, Keyring, Passphrase};

use crate::model::{Letter, Login, MessageKey, PmContent, PrivateMessage};

/// The largest plaintext opened (a hostile ciphertext cannot make a reader allocate more).
const MAX_LETTER_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "{login} has no key to encrypt private messages to: staff/{login}.yaml has neither \
         `signing_key` (an SSH ed25519 public key) nor `age_key`; add one with \
         `git desk staff key {login} --ssh FILE.pub`"
    )]
    NoKey { login: Login },
    #[error(
        "staff/{login}.yaml: `{field}` is not a key private messages can be encrypted to: {reason}"
    )]
    BadKey {
        login: Login,
        field: &'static str,
        reason: String,
    },
    #[error("encrypting the message: {0}")]
    Encrypt(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error(
        "no identity to decrypt private messages: {path} does not exist; name your SSH \
         (ed25519) or age private key with `git config desk.identity PATH` (or \
         GIT_DESK_IDENTITY)"
    )]
    NoIdentity { path: String },
    #[error("the identity {path} cannot be used: {reason}")]
    BadIdentity { path: String, reason: String },
    #[error(
        "the identity {path} is protected by a passphrase: run on a terminal to be asked for \
         it, or set {env}"
    )]
    NeedPassphrase { path: String, env: &'static str },
    #[error("the identity {path}: wrong passphrase")]
    WrongPassphrase { path: String },
    #[error(
        "message {key} cannot be decrypted with {path}: it is not encrypted to that key (is \
         `desk.identity` the key registered in your staff profile?)"
    )]
    NotForMe { key: MessageKey, path: String },
    #[error("message {key}: {reason}")]
    Damaged { key: MessageKey, reason: String },
}

/// Encrypts `letter` to `to` (every recipient's keys and the sender's), armoured.
pub fn seal(letter: &Letter, to: &[Box<dyn age::Recipient + Send>]) -> Result<String, SealError> {
    let plain = serde_json::to_vec(letter).map_err(|e| SealError::Encrypt(e.to_string()))?;
    let encryptor = age::Encryptor::with_recipients(to.iter().map(|r| r.as_ref() as _))
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    let armor = age::armor::ArmoredWriter::wrap_output(Vec::new(), age::armor::Format::AsciiArmor)
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    let mut w = encryptor
        .wrap_output(armor)
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    let out = w
        .write_all(&plain)
        .and_then(|_| w.finish())
        .and_then(|armor| armor.finish())
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    String::from_utf8(out).map_err(|e| SealError::Encrypt(e.to_string()))
}

/// The letter of message `key`: decrypted with `keys` when sealed, read as it is when the
/// message is from before encryption.
pub fn open(key: &MessageKey, m: &PrivateMessage, keys: &Keyring) -> Result<Letter, OpenError> {
    let armored = match m.content() {
        PmContent::Clear { subject, body } => {
            return Ok(Letter {
                subject: subject.to_owned(),
                body: body.to_owned(),
            })
        }
        PmContent::Missing => {
            return Err(OpenError::Damaged {
                key: key.clone(),
                reason: "the file has neither `sealed` nor `subject` and `body`".into(),
            })
        }
        PmContent::Sealed(s) => s,
    };
    let damaged = |reason: String| OpenError::Damaged {
        key: key.clone(),
        reason: format!("the encrypted text is damaged: {reason}"),
    };
    let identities = keys.identities()?;
    let reader = age::armor::ArmoredReader::new(armored.as_bytes());
    let decryptor = age::Decryptor::new(reader).map_err(|e| damaged(e.to_string()))?;
    let stream = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => OpenError::NotForMe {
                key: key.clone(),
                path: keys.path_display(),
            },
            other => damaged(other.to_string()),
        })?;
    let mut plain = Vec::new();
    stream
        .take(MAX_LETTER_BYTES)
        .read_to_end(&mut plain)
        .map_err(|e| damaged(e.to_string()))?;
    serde_json::from_slice(&plain).map_err(|e| damaged(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn letter() -> Letter {
        Letter {
            subject: "Coffee".into(),
            body: "The machine is out of beans".into(),
        }
    }

    #[test]
    fn sealed_to_a_key_opens_with_it_and_not_with_another() {
        let mine = age::x25519::Identity::generate();
        let theirs = age::x25519::Identity::generate();
        let to: Vec<Box<dyn age::Recipient + Send>> = vec![Box::new(mine.to_public())];
        let armored = seal(&letter(), &to).unwrap();
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(!armored.contains("Coffee") && !armored.contains("beans"));
        let key = MessageKey::from_str("20261127T174501Z-alice-3f2a").unwrap();
        let m = PrivateMessage::sealed(
            "alice".parse().unwrap(),
            vec!["bob".parse().unwrap()],
            "2026-11-27T17:45:01Z".parse().unwrap(),
            armored,
        );
        let ok = Keyring::with_identities("mine", vec![Box::new(mine)]);
        assert_eq!(open(&key, &m, &ok).unwrap(), letter());
        let wrong = Keyring::with_identities("theirs", vec![Box::new(theirs)]);
        assert!(matches!(
            open(&key, &m, &wrong),
            Err(OpenError::NotForMe { .. })
        ));
    }
}
