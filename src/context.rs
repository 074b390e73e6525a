//! The run's context: the clock and the source of randomness, fixed once at start-up so
//! nothing deeper reads the environment. `GIT_DESK_NOW` pins the clock (tests, reproducible
//! runs); `GIT_DESK_SEED` pins the random suffixes of keys.

use std::cell::RefCell;

use crate::model::{InvalidValue, MessageKey, Timestamp};

/// RFC 3339 time to use as "now".
pub const ENV_NOW: &str = "GIT_DESK_NOW";
/// Seed for random key suffixes.
pub const ENV_SEED: &str = "GIT_DESK_SEED";
/// The acting staff login when `--as` is not given.
pub const ENV_ACTOR: &str = "GIT_DESK_ACTOR";
/// Cache directory for desks that are not git repositories.
pub const ENV_CACHE_DIR: &str = "GIT_DESK_CACHE_DIR";
/// The SMTP login name for `mail send` (never stored in the desk).
pub const ENV_SMTP_USER: &str = "GIT_DESK_SMTP_USER";
/// The SMTP password for `mail send` (never stored in the desk).
pub const ENV_SMTP_PASSWORD: &str = "GIT_DESK_SMTP_PASSWORD";
/// The private key that decrypts private messages (before `git config desk.identity` and
/// `~/.ssh/id_ed25519`).
pub const ENV_IDENTITY: &str = "GIT_DESK_IDENTITY";
/// The passphrase of the private key that decrypts private messages (else it is asked for
/// on the terminal).
pub const ENV_PASSPHRASE: &str = "GIT_DESK_PASSPHRASE";

pub struct Context {
    now: Timestamp,
    rng: RefCell<fastrand::Rng>,
    /// The last suffix handed out per author: keys made by one process for one author in
    /// the same second sort in the order they were made (an answer before its note).
    last_suffix: RefCell<std::collections::HashMap<String, u16>>,
}

impl Context {
    pub fn new(now: Timestamp, seed: Option<u64>) -> Context {
        let rng = match seed {
            Some(s) => fastrand::Rng::with_seed(s),
            None => fastrand::Rng::new(),
        };
        Context {
            now,
            rng: RefCell::new(rng),
            last_suffix: RefCell::new(Default::default()),
        }
    }

    /// From `GIT_DESK_NOW` / `GIT_DESK_SEED`, else the system clock and entropy.
    pub fn from_env() -> Result<Context, InvalidValue> {
        let now = match std::env::var(ENV_NOW) {
            Ok(s) if !s.trim().is_empty() => s
                .parse()
                .map_err(|e: InvalidValue| InvalidValue(format!("{ENV_NOW}: {}", e.0)))?,
            _ => {
                let secs = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                Timestamp::from_unix(secs)?
            }
        };
        let seed =
            match std::env::var(ENV_SEED) {
                Ok(s) if !s.trim().is_empty() => Some(s.trim().parse().map_err(|_| {
                    InvalidValue(format!("{ENV_SEED} must be an integer, got `{s}`"))
                })?),
                _ => None,
            };
        Ok(Context::new(now, seed))
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn random_u16(&self) -> u16 {
        self.rng.borrow_mut().u16(..)
    }

    /// A fresh key for a file written by `author` now. Within one process, the keys of one
    /// author increase, so files made by one command keep their order.
    pub fn new_key(&self, author: &str) -> MessageKey {
        let mut last = self.last_suffix.borrow_mut();
        let suffix = match last.get(author) {
            // Room left above the previous one: step up by a small random amount.
            Some(&prev) if prev < 0xfff0 => prev + 1 + self.rng.borrow_mut().u16(..8),
            // Out of room (thousands of files in one second): order is given up.
            Some(_) => self.rng.borrow_mut().u16(..),
            // Leave room below the top for later keys of the same second.
            None => self.rng.borrow_mut().u16(..0xc000),
        };
        last.insert(author.to_owned(), suffix);
        MessageKey::generate(self.now, author, suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_one_author_increase_within_a_process() {
        let ctx = Context::new("2026-11-27T12:00:00Z".parse().unwrap(), Some(7));
        let keys: Vec<String> = (0..50).map(|_| ctx.new_key("bob").to_string()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted);
        // Another author starts afresh.
        assert!(ctx.new_key("alice").to_string().contains("-alice-"));
    }
}
