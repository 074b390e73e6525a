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

pub struct Context {
    now: Timestamp,
    rng: RefCell<fastrand::Rng>,
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

    /// A fresh key for a file written by `author` now.
    pub fn new_key(&self, author: &str) -> MessageKey {
        MessageKey::generate(self.now, author, self.random_u16())
    }
}
