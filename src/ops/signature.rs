//! `verify --require-signed`: a commit must carry an SSH signature (git's
//! `gpg.format = ssh`) made with its actor's `signing_key`. The signature is checked by
//! OpenSSH's `ssh-keygen -Y verify` against an allowed-signers list holding only that key.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::model::Staff;

/// `Ok` when `commit` is signed by the key of any active member of `staff`: for commits
/// made in the desk's own name (mail intake), signed by whichever technician ran it.
pub fn check_any(commit: &gix::Commit<'_>, staff: &[Staff]) -> Result<(), String> {
    match commit.signature() {
        Ok(Some(_)) => {}
        Ok(None) => return Err("the commit is not signed".into()),
        Err(e) => return Err(format!("the commit's signature cannot be read: {e}")),
    }
    let signers = staff.iter().filter(|s| {
        s.active
            && s.signing_key
                .as_deref()
                .is_some_and(|k| !k.trim().is_empty())
    });
    for s in signers {
        if check(commit, s).is_ok() {
            return Ok(());
        }
    }
    Err("the commit is not signed by the key of any active staff member".into())
}

/// `Ok` when `commit` is signed by `actor`'s key; otherwise the reason.
pub fn check(commit: &gix::Commit<'_>, actor: &Staff) -> Result<(), String> {
    let key = actor
        .signing_key
        .as_deref()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| {
            format!(
                "the commit must be signed, but {} has no signing_key in staff/{}.yaml",
                actor.login, actor.login
            )
        })?;
    let (sig, signed) = match commit.signature() {
        Ok(Some(s)) => s,
        Ok(None) => return Err("the commit is not signed".into()),
        Err(e) => return Err(format!("the commit's signature cannot be read: {e}")),
    };
    let sig = sig.to_string();
    if !sig.contains("BEGIN SSH SIGNATURE") {
        return Err("the commit's signature is not an SSH signature".into());
    }
    let payload = signed.to_bstring();
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let principal = actor.login.as_str();
    let allowed = dir.path().join("allowed_signers");
    let sig_path = dir.path().join("commit.sig");
    std::fs::write(
        &allowed,
        format!("{principal} namespaces=\"git\" {}\n", key.trim()),
    )
    .and_then(|_| std::fs::write(&sig_path, &sig))
    .map_err(|e| format!("writing the signature check files: {e}"))?;
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "git", "-I", principal, "-f"])
        .arg(&allowed)
        .arg("-s")
        .arg(&sig_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running ssh-keygen to check the signature: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(&payload)
        .map_err(|e| format!("ssh-keygen: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("ssh-keygen: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the signature is not {}'s key: {}",
            actor.login,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
