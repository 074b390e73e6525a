//! Issue 14, "private means private, and every change provably signed": private messages
//! encrypted to real SSH keys (a clone without the key holds no plaintext, the recipient and
//! the sender read it, a wrong or missing key is a clear error), `msg encrypt`, no subject in
//! `log`, search, the site, stats or the notification; signed commits pass `verify
//! --require-signed` and the pre-receive hook, forged ones do not; a hostile attachment is
//! inert in the site; CSV cells cannot start a formula.

mod exports;
mod messages;
mod signing;

use std::path::{Path, PathBuf};

use crate::support::*;

/// An ed25519 key pair made by `ssh-keygen` in the test's home: the private key's path.
pub(super) fn ssh_key(d: &TestDesk, name: &str, passphrase: &str) -> PathBuf {
    let dir = d.home().join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let o = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    path
}

pub(super) fn pub_of(key: &Path) -> String {
    format!("{}.pub", key.display())
}

/// Runs git-desk as `login` with `identity` (and `passphrase`, if any) as the key.
pub(super) fn run_with(
    d: &TestDesk,
    identity: &Path,
    passphrase: Option<&str>,
    args: &[&str],
) -> Run {
    let mut c = d.cmd_in(&d.root);
    c.env("GIT_DESK_IDENTITY", identity);
    if let Some(p) = passphrase {
        c.env("GIT_DESK_PASSPHRASE", p);
    }
    let o = c.args(args).output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A fresh desk (alice, main admin) with bob and carol, each with their own SSH key
/// registered; bob's is passphrase-protected. Returns the private keys (alice, bob, carol).
pub(super) fn desk_with_keys(d: &TestDesk) -> [PathBuf; 3] {
    for who in ["bob", "carol"] {
        d.ok(&[
            "--as",
            "alice",
            "staff",
            "add",
            who,
            "--name",
            who,
            "--email",
            &format!("{who}@example.com"),
            "--perm",
            "messages.use",
        ]);
    }
    let keys = [
        ssh_key(d, "alice", ""),
        ssh_key(d, "bob", "bob's secret"),
        ssh_key(d, "carol", ""),
    ];
    for (who, key) in ["alice", "bob", "carol"].iter().zip(&keys) {
        d.ok(&["--as", "alice", "staff", "key", who, "--ssh", &pub_of(key)]);
    }
    keys
}

pub(super) const SUBJECT: &str = "Zanzibar salary review";
pub(super) const TEXT: &str = "Quixotic numbers attached";
