//! `git desk init`: make a desk.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::Env;
use crate::model::{Email, Login};
use crate::ops::init::{init, InitOptions};

/// Make a desk: git init DIR where needed, then the first commit — a fresh desk (desk.yaml,
/// the `general` queue, you as the main admin) or a copy of a sample desk.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where (default: the current directory).
    pub dir: Option<PathBuf>,
    /// Copy this sample desk (e.g. example-repo).
    #[arg(long, value_name = "SAMPLE-DIR")]
    pub from: Option<PathBuf>,
    /// The desk's name.
    #[arg(long)]
    pub name: Option<String>,
    /// The main support address (default: support@ your domain).
    #[arg(long, value_name = "ADDRESS")]
    pub support_email: Option<Email>,
    /// Login of the first main admin (default: from git's user.email).
    #[arg(long, value_name = "LOGIN")]
    pub admin: Option<Login>,
    /// The admin's full name (default: git's user.name).
    #[arg(long)]
    pub admin_name: Option<String>,
    /// The admin's e-mail (default: git's user.email).
    #[arg(long, value_name = "ADDRESS")]
    pub admin_email: Option<Email>,
    /// The admin's SSH public key file (`~/.ssh/id_ed25519.pub`): signs their commits and
    /// private messages are encrypted to it (see `git desk staff key`).
    #[arg(long, value_name = "FILE.pub")]
    pub admin_ssh_key: Option<PathBuf>,
    /// Make a bare repository (a server's copy).
    #[arg(long)]
    pub bare: bool,
}

pub fn run(env: &Env, a: InitArgs, out: &mut dyn Write) -> Result<i32> {
    let dir = match a.dir {
        Some(d) => env.cwd.join(d),
        None => env.cwd.clone(),
    };
    let from = a.from.map(|f| env.cwd.join(f));
    let (git_name, git_email) = git_identity(&dir);
    let opts = InitOptions {
        dir,
        from,
        name: a.name,
        support_email: a.support_email,
        admin: a.admin,
        admin_name: a.admin_name,
        admin_email: a.admin_email,
        admin_key: match a.admin_ssh_key {
            Some(p) => {
                let p = env.cwd.join(p);
                Some(
                    std::fs::read_to_string(&p)
                        .map_err(|e| anyhow::anyhow!("--admin-ssh-key {}: {e}", p.display()))?,
                )
            }
            None => None,
        },
        bare: a.bare,
    };
    let done = init(&env.ctx, opts, git_name, git_email)?;
    if env.printer.json {
        env.printer.json(
            out,
            &serde_json::json!({ "desk": done.desk.root(), "files": done.files }),
        )?;
    } else {
        writeln!(
            out,
            "Initialised desk in {} ({} files committed)",
            done.desk.root().display(),
            done.files
        )?;
    }
    Ok(0)
}

/// git's user.name and user.email as they apply in `dir` (or globally).
fn git_identity(dir: &std::path::Path) -> (Option<String>, Option<String>) {
    let repo = gix::open(dir).ok().or_else(|| gix::discover(dir).ok());
    let snapshot = match &repo {
        Some(r) => r.config_snapshot().clone(),
        None => return global_identity(),
    };
    let name = snapshot.string("user.name").map(|s| s.to_string());
    let email = snapshot.string("user.email").map(|s| s.to_string());
    if name.is_none() && email.is_none() {
        return global_identity();
    }
    (name, email)
}

fn global_identity() -> (Option<String>, Option<String>) {
    let Ok(cfg) = gix::config::File::from_globals() else {
        return (None, None);
    };
    (
        cfg.string("user.name").map(|s| s.to_string()),
        cfg.string("user.email").map(|s| s.to_string()),
    )
}
