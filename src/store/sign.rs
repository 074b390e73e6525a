//! Signing the commits git-desk makes, when git's configuration asks for it — the way
//! `git commit -S` does: `commit.gpgSign = true` turns it on; `gpg.format` (`ssh`, or
//! `openpgp`/`x509`) and `user.signingKey` say how. For SSH the commit (without the header)
//! is signed by `ssh-keygen -Y sign -n git` and the signature stored in its `gpgsig`
//! header, so `git verify-commit` and `git desk verify --require-signed` accept it.
//!
//! A desk whose config does not ask for signing gets unsigned commits, as with git. When
//! signing is asked for and fails, the commit is not made (git refuses likewise).

use super::error::{Result, StoreError};

/// `commit`, signed when `repo`'s configuration asks for signed commits.
pub fn sign_if_asked(
    repo: &gix::Repository,
    commit: gix::objs::Commit,
) -> Result<gix::objs::Commit> {
    let options = repo
        .commit_signing_options_if_enabled()
        .map_err(|e| StoreError::git("reading git's commit-signing settings", chain(&e)))?;
    match options {
        None => Ok(commit),
        Some(options) => commit
            .sign(options)
            .map_err(|e| StoreError::git("signing the commit (commit.gpgSign is on)", chain(&e))),
    }
}

/// An error with its causes, so the signer's own message (e.g. ssh-keygen's) is shown.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}
