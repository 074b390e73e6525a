//! Keys for private messages: the public keys a message is encrypted to (from staff
//! profiles) and the reader's private key (an SSH ed25519/RSA key or an age identity file,
//! passphrase-protected SSH keys included), loaded once per run and only when needed.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::SecretString;

use super::{OpenError, SealError};
use crate::model::Staff;

/// Every key of `staff` a private message to (or from) them is encrypted to: the SSH
/// `signing_key` and the `age_key`. None at all is a refusal naming the fields.
pub fn recipients(staff: &Staff) -> Result<Vec<Box<dyn age::Recipient + Send>>, SealError> {
    let mut out: Vec<Box<dyn age::Recipient + Send>> = Vec::new();
    let bad = |field: &'static str, reason: String| SealError::BadKey {
        login: staff.login.clone(),
        field,
        reason,
    };
    if let Some(k) = staff
        .signing_key
        .as_deref()
        .filter(|k| !k.trim().is_empty())
    {
        let r = age::ssh::Recipient::from_str(k.trim()).map_err(|e| {
            use age::ssh::ParseRecipientKeyError as P;
            bad(
                "signing_key",
                match e {
                    P::Unsupported(t) => format!("{t} keys are not supported; use ssh-ed25519"),
                    P::RsaModulusTooSmall => "the RSA key is shorter than 2048 bits".into(),
                    P::RsaModulusTooLarge => "the RSA key is too large".into(),
                    P::Invalid(why) => why.into(),
                    _ => "not an SSH public key".into(),
                },
            )
        })?;
        out.push(Box::new(r));
    }
    if let Some(k) = staff.age_key.as_deref().filter(|k| !k.trim().is_empty()) {
        let r = age::x25519::Recipient::from_str(k.trim())
            .map_err(|e| bad("age_key", format!("not an age public key (age1…): {e}")))?;
        out.push(Box::new(r));
    }
    if out.is_empty() {
        return Err(SealError::NoKey {
            login: staff.login.clone(),
        });
    }
    Ok(out)
}

/// Asks for the passphrase of the key at the path; `None` when nobody can be asked.
pub type AskPassphrase = Box<dyn Fn(&Path) -> Option<String>>;

/// Where the passphrase of a protected key comes from.
pub enum Passphrase {
    /// Given up front (an environment variable).
    Given(String),
    /// Asked for when needed; `None` when nobody can be asked.
    Ask(AskPassphrase),
}

/// The reader's private key file.
pub struct IdentityFile {
    pub path: PathBuf,
    pub passphrase: Passphrase,
}

type Identities = Vec<Box<dyn age::Identity>>;

/// The reader's identities, loaded on first use (so a passphrase is asked for only when a
/// sealed message is opened, and once per run).
pub struct Keyring {
    name: String,
    file: Option<IdentityFile>,
    loaded: OnceCell<Result<Identities, OpenError>>,
}

impl Keyring {
    pub fn new(file: IdentityFile) -> Keyring {
        Keyring {
            name: file.path.display().to_string(),
            file: Some(file),
            loaded: OnceCell::new(),
        }
    }

    /// Identities already in memory (tests, and callers with keys of their own).
    pub fn with_identities(name: &str, ids: Identities) -> Keyring {
        let loaded = OnceCell::new();
        let _ = loaded.set(Ok(ids));
        Keyring {
            name: name.into(),
            file: None,
            loaded,
        }
    }

    /// The identity file's path, for messages.
    pub fn path_display(&self) -> String {
        self.name.clone()
    }

    pub(super) fn identities(&self) -> Result<&Identities, OpenError> {
        let loaded = self.loaded.get_or_init(|| match &self.file {
            Some(f) => load(f),
            None => Ok(Vec::new()),
        });
        loaded.as_ref().map_err(Clone::clone)
    }
}

fn load(f: &IdentityFile) -> Result<Identities, OpenError> {
    let path = f.path.display().to_string();
    let bad = |reason: String| OpenError::BadIdentity {
        path: path.clone(),
        reason,
    };
    let text = match std::fs::read_to_string(&f.path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(OpenError::NoIdentity { path })
        }
        Err(e) => return Err(bad(e.to_string())),
    };
    if !text.contains("PRIVATE KEY-----") {
        // An age identity file (AGE-SECRET-KEY-1…).
        let file = age::IdentityFile::from_buffer(text.as_bytes()).map_err(|e| {
            bad(format!(
                "neither an SSH private key nor an age identity: {e}"
            ))
        })?;
        let ids = file.into_identities().map_err(|e| bad(e.to_string()))?;
        if ids.is_empty() {
            return Err(bad("the file holds no age identity".into()));
        }
        return Ok(ids
            .into_iter()
            .map(|i| i as Box<dyn age::Identity>)
            .collect());
    }
    let id = age::ssh::Identity::from_buffer(text.as_bytes(), Some(path.clone()))
        .map_err(|e| bad(e.to_string()))?;
    let key = match id {
        age::ssh::Identity::Unencrypted(k) => k,
        age::ssh::Identity::Encrypted(enc) => {
            let pass = match &f.passphrase {
                Passphrase::Given(p) => Some(p.clone()),
                Passphrase::Ask(ask) => ask(&f.path),
            }
            .ok_or_else(|| OpenError::NeedPassphrase {
                path: path.clone(),
                env: crate::context::ENV_PASSPHRASE,
            })?;
            enc.decrypt(SecretString::from(pass))
                .map_err(|_| OpenError::WrongPassphrase { path: path.clone() })?
        }
        age::ssh::Identity::Unsupported(_) => {
            return Err(bad(
                "this kind of SSH key cannot decrypt; use an ed25519 (or RSA) key".into(),
            ))
        }
    };
    Ok(vec![Box::new(age::ssh::Identity::from(key))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn staff() -> Staff {
        Staff::new("dan".parse().unwrap(), Role::Support)
    }

    #[test]
    fn recipients_come_from_either_key_and_none_is_a_refusal_naming_the_fields() {
        let mut s = staff();
        assert_eq!(
            recipients(&s).err(),
            Some(SealError::NoKey {
                login: s.login.clone()
            })
        );
        s.age_key = Some(age::x25519::Identity::generate().to_public().to_string());
        assert_eq!(recipients(&s).unwrap().len(), 1);
        s.signing_key = Some("ecdsa-sha2-nistp256 AAAAE2VjZHNh".into());
        match recipients(&s).err() {
            Some(SealError::BadKey { field, .. }) => assert_eq!(field, "signing_key"),
            other => panic!("{other:?}"),
        }
        s.signing_key = None;
        s.age_key = Some("age1nope".into());
        assert!(matches!(
            recipients(&s).err(),
            Some(SealError::BadKey {
                field: "age_key",
                ..
            })
        ));
    }

    #[test]
    fn a_missing_identity_file_is_named() {
        let keys = Keyring::new(IdentityFile {
            path: "/nonexistent/id_ed25519".into(),
            passphrase: Passphrase::Ask(Box::new(|_| None)),
        });
        assert_eq!(
            keys.identities().err(),
            Some(OpenError::NoIdentity {
                path: "/nonexistent/id_ed25519".into()
            })
        );
    }
}
