//! `git desk staff …`: technicians and admins, their permissions and queues.

use std::io::Write;

use anyhow::Result;

use super::output::{cell, table};
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
    #[arg(long)]
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
        StaffCommand::List => {
            let reader = desk.reader()?;
            let loaded = s::list(reader.as_ref())?;
            for p in &loaded.problems {
                eprintln_warning(p);
            }
            if env.printer.json {
                env.printer.json(out, &loaded.items)?;
                return Ok(0);
            }
            let mut rows = vec![vec![
                "LOGIN".to_string(),
                "ROLE".into(),
                "NAME".into(),
                "E-MAIL".into(),
                "QUEUES".into(),
            ]];
            for st in &loaded.items {
                rows.push(vec![
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
                ]);
            }
            table(out, &rows)?;
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

fn eprintln_warning(p: &crate::store::FileError) {
    eprintln!("warning: {p}");
}
