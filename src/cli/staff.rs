//! `git desk staff …`: technicians and admins, their permissions and queues.

use std::io::Write;

use anyhow::Result;

use super::output::{cell, listing, report_commit, table};
use super::Env;
use crate::model::{Email, Login, Permission, Role, Slug, Staff};
use crate::ops::{self, staff as s};

#[derive(Debug, clap::Subcommand)]
pub enum StaffCommand {
    /// Add a technician or admin (needs staff.admin).
    Add(AddArgs),
    /// List the staff.
    List,
    /// Show one staff member with their permissions.
    Show(ShowArgs),
    /// Change a staff member. Your own name, e-mail, signature and signing key are yours to
    /// change ("My Profile"); anything else, or anyone else, needs staff.admin.
    Edit(EditArgs),
    /// Register a public key: `--ssh FILE.pub` signs the member's commits and private
    /// messages are encrypted to it; `--age KEY` adds an age key messages are encrypted to.
    /// Your own key is yours to set; anyone else's needs staff.admin.
    Key(KeyArgs),
    /// Print git's allowed-signers list from the staff's signing keys (e-mail, then key), for
    /// `git config gpg.ssh.allowedSignersFile`, so `git verify-commit` and `git log
    /// --show-signature` check desk commits too.
    Signers,
    /// Grant permissions (needs staff.admin).
    Grant(PermArgs),
    /// Revoke permissions (needs staff.admin).
    Revoke(PermArgs),
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    pub login: Login,
    /// Full name.
    #[arg(long)]
    pub name: Option<String>,
    /// E-mail address.
    #[arg(long)]
    pub email: Option<Email>,
    /// The signature appended to answers ("" removes it).
    #[arg(long, allow_hyphen_values = true)]
    pub signature: Option<String>,
    /// An SSH public key for signed commits ("" removes it).
    #[arg(long, value_name = "KEY")]
    pub signing_key: Option<String>,
    /// `main` or `support` (only main admins make main admins).
    #[arg(long)]
    pub role: Option<Role>,
    /// Make the account active.
    #[arg(long, conflicts_with = "inactive")]
    pub active: bool,
    /// Make the account inactive (it can no longer act).
    #[arg(long)]
    pub inactive: bool,
    /// Entitle to a queue (repeatable).
    #[arg(long = "queue", value_name = "QUEUE")]
    pub add_queues: Vec<Slug>,
    /// Remove a queue entitlement (repeatable).
    #[arg(long = "remove-queue", value_name = "QUEUE")]
    pub remove_queues: Vec<Slug>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["ssh", "age"])))]
pub struct KeyArgs {
    pub login: Login,
    /// An OpenSSH public key file (`~/.ssh/id_ed25519.pub`).
    #[arg(long, value_name = "FILE.pub")]
    pub ssh: Option<std::path::PathBuf>,
    /// An age public key (`age1…`).
    #[arg(long, value_name = "KEY")]
    pub age: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct PermArgs {
    pub login: Login,
    /// The permissions.
    #[arg(required = true, value_name = "PERMISSION")]
    pub permissions: Vec<Permission>,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The login (lower-case letters, digits, `.`, `_`, `-`).
    pub login: Login,
    /// Full name ("Tech Support Admin Info"; needed to answer and assign).
    #[arg(long)]
    pub name: Option<String>,
    /// E-mail address (needed to answer and assign; notifications go there).
    #[arg(long)]
    pub email: Option<Email>,
    /// `main` (every permission) or `support`.
    #[arg(long, default_value = "support")]
    pub role: Role,
    /// A permission to grant (repeatable); see `git desk staff show`.
    #[arg(long = "perm", value_name = "PERMISSION")]
    pub permissions: Vec<Permission>,
    /// A queue the technician is entitled to (repeatable); the default queue always is.
    #[arg(long = "queue", value_name = "QUEUE")]
    pub queues: Vec<Slug>,
    /// The signature appended to answers.
    #[arg(long, allow_hyphen_values = true)]
    pub signature: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub login: Login,
}

pub fn run(env: &Env, cmd: StaffCommand, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    match cmd {
        StaffCommand::Add(a) => {
            let me = env.actor(&desk)?;
            let new = s::NewStaff {
                login: a.login.clone(),
                name: a.name,
                email: a.email,
                role: a.role,
                permissions: a.permissions.into_iter().collect(),
                queues: a.queues.into_iter().collect(),
                signature: a.signature,
            };
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| s::add(tx, me, new))?;
            if env.printer.json {
                env.printer.json(out, &serde_json::json!({ "login": a.login, "commit": commit.map(|c| c.to_string()) }))?;
            } else {
                writeln!(out, "staff member {} added", a.login)?;
            }
        }
        StaffCommand::Edit(a) => {
            let me = env.actor(&desk)?;
            let clearable = |v: Option<String>| v.map(|t| Some(t).filter(|t| !t.trim().is_empty()));
            let e = s::StaffEdit {
                name: a.name,
                email: a.email,
                signature: clearable(a.signature),
                signing_key: clearable(a.signing_key),
                age_key: None,
                role: a.role,
                active: if a.active {
                    Some(true)
                } else if a.inactive {
                    Some(false)
                } else {
                    None
                },
                add_queues: a.add_queues.into_iter().collect(),
                remove_queues: a.remove_queues.into_iter().collect(),
            };
            let (_, commit) =
                ops::mutate(&desk, &env.ctx, &me, |tx, me| s::edit(tx, me, &a.login, e))?;
            report_commit(
                &env.printer,
                out,
                &format!("staff member {} changed", a.login),
                commit,
            )?;
        }
        StaffCommand::Key(a) => {
            let me = env.actor(&desk)?;
            let key = match (a.ssh, a.age) {
                (Some(file), _) => {
                    let path = env.cwd.join(file);
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| anyhow::anyhow!("--ssh {}: {e}", path.display()))?;
                    if text.contains("PRIVATE KEY") {
                        anyhow::bail!(
                            "--ssh {}: this is a private key; give the public one (FILE.pub)",
                            path.display()
                        );
                    }
                    s::PublicKey::Ssh(text.trim().to_owned())
                }
                (None, Some(k)) => s::PublicKey::Age(k),
                (None, None) => anyhow::bail!("give --ssh FILE.pub or --age KEY"),
            };
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                s::set_key(tx, me, &a.login, key)
            })?;
            report_commit(
                &env.printer,
                out,
                &format!("key registered for {}", a.login),
                commit,
            )?;
        }
        StaffCommand::Signers => {
            let reader = desk.reader()?;
            let loaded = s::list(reader.as_ref())?;
            for st in loaded.items.iter().filter(|s| s.active) {
                if let (Some(email), Some(key)) = (&st.email, &st.signing_key) {
                    let key = key.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                    writeln!(out, "{email} namespaces=\"git\" {key}")?;
                }
            }
        }
        StaffCommand::Grant(a) => perms(env, &desk, out, a, true)?,
        StaffCommand::Revoke(a) => perms(env, &desk, out, a, false)?,
        StaffCommand::List => {
            let reader = desk.reader()?;
            let loaded = s::list(reader.as_ref())?;
            listing(
                &env.printer,
                out,
                &loaded,
                &["LOGIN", "ROLE", "NAME", "E-MAIL", "QUEUES"],
                |st| {
                    vec![
                        st.login.to_string(),
                        if st.active {
                            st.role.to_string()
                        } else {
                            format!("{} (inactive)", st.role)
                        },
                        cell(st.name.as_deref().unwrap_or("(no name)"), 40),
                        st.email
                            .as_ref()
                            .map_or("(no e-mail)".into(), |e| e.to_string()),
                        queues_text(st),
                    ]
                },
            )?;
        }
        StaffCommand::Show(a) => {
            let reader = desk.reader()?;
            let st = s::show(reader.as_ref(), &a.login)?;
            if env.printer.json {
                let mut v = serde_json::to_value(&st)?;
                v["effective_permissions"] = serde_json::to_value(st.effective_permissions())?;
                env.printer.json(out, &v)?;
                return Ok(0);
            }
            let rows = vec![
                vec!["Login".to_string(), st.login.to_string()],
                vec![
                    "Name".into(),
                    cell(st.name.as_deref().unwrap_or("(not set)"), 100),
                ],
                vec![
                    "E-mail".into(),
                    st.email
                        .as_ref()
                        .map_or("(not set)".into(), |e| e.to_string()),
                ],
                vec!["Role".into(), st.role.to_string()],
                vec![
                    "Active".into(),
                    if st.active { "yes".into() } else { "no".into() },
                ],
                vec![
                    "Profile".into(),
                    if st.profile_complete() {
                        "complete".into()
                    } else {
                        "incomplete: may not answer or assign".into()
                    },
                ],
                vec!["Queues".into(), queues_text(&st)],
                vec![
                    "Keys".into(),
                    match (&st.signing_key, &st.age_key) {
                        (None, None) => {
                            "none: cannot receive private messages (git desk staff key)".into()
                        }
                        (ssh, age) => [ssh.as_deref(), age.as_deref()]
                            .into_iter()
                            .flatten()
                            .map(|k| cell(k, 40))
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                ],
            ];
            table(out, &rows)?;
            writeln!(out, "Permissions:")?;
            for p in Permission::ALL {
                let mark = if st.has(*p) { "x" } else { " " };
                writeln!(out, "  [{mark}] {:<22} {}", p.name(), p.describe())?;
            }
        }
    }
    Ok(0)
}

fn perms(
    env: &Env,
    desk: &crate::store::Desk,
    out: &mut dyn Write,
    a: PermArgs,
    grant: bool,
) -> Result<()> {
    let me = env.actor(desk)?;
    let set = a.permissions.iter().copied().collect();
    let (_, commit) = ops::mutate(desk, &env.ctx, &me, |tx, me| {
        s::set_permissions(tx, me, &a.login, &set, grant)
    })?;
    let names: Vec<&str> = a.permissions.iter().map(|p| p.name()).collect();
    let verb = if grant { "granted to" } else { "revoked from" };
    report_commit(
        &env.printer,
        out,
        &format!("{} {verb} {}", names.join(", "), a.login),
        commit,
    )
}

fn queues_text(st: &Staff) -> String {
    if st.is_main() {
        "(all)".into()
    } else if st.queues.is_empty() {
        "(default only)".into()
    } else {
        st.queues
            .iter()
            .map(|q| q.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
