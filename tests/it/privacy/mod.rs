//! Issue 14, "private means private, and every change provably signed": private messages
//! encrypted to real SSH keys (a clone without the key holds no plaintext, the recipient and
//! the sender read it, a wrong or missing key is a clear error), `msg encrypt`, no subject in
//! `log`, search, the site, stats or the notification; signed commits pass `verify
//! --require-signed` and the pre-receive hook, forged ones do not; a hostile attachment is
//! inert in the site; CSV cells cannot start a formula. The tests that need `ssh-keygen` (SSH
//! keys, signing) or Chromium are in `tests/external/privacy_*.rs`; the ones here use age keys.

mod exports;
mod messages;

pub(super) const SUBJECT: &str = "Zanzibar salary review";
pub(super) const TEXT: &str = "Quixotic numbers attached";
