//! Staff administration ("Administrator Security"): adding technicians and admins with
//! their permissions and queues, and reading them.

use std::collections::BTreeSet;

use crate::model::{Email, Login, Permission, Role, Slug, Staff};
use crate::store::{layout, CommitMessage, DeskRead, Loaded, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub login: Login,
    pub name: Option<String>,
    pub email: Option<Email>,
    pub role: Role,
    pub permissions: BTreeSet<Permission>,
    pub queues: BTreeSet<Slug>,
    pub signature: Option<String>,
}

/// Checks that every queue named exists.
pub(crate) fn check_queues(
    src: &(impl Source + ?Sized),
    queues: &BTreeSet<Slug>,
    flag: &str,
) -> Result<()> {
    for q in queues {
        if src.queue(q)?.is_none() {
            return Err(OpError::invalid(flag, format!("no queue `{q}`")));
        }
    }
    Ok(())
}

pub(crate) fn check_name(name: &Option<String>) -> Result<()> {
    if let Some(n) = name {
        if n.trim().is_empty() || n.chars().any(char::is_control) || n.chars().count() > 100 {
            return Err(OpError::invalid(
                "--name",
                "a name is one line of at most 100 characters",
            ));
        }
    }
    Ok(())
}

pub fn add(tx: &mut Transaction<'_>, me: &Staff, new: NewStaff) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "add staff")?;
    if new.role == Role::Main && !me.is_main() {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: "make a main admin (only main admins can)".into(),
        });
    }
    if tx.staff(&new.login)?.is_some() {
        return Err(OpError::Exists {
            kind: "staff member",
            id: new.login.to_string(),
        });
    }
    check_name(&new.name)?;
    check_queues(tx, &new.queues, "--queue")?;
    let login = new.login.clone();
    let mut s = Staff::new(new.login, new.role);
    s.name = new.name.map(|n| n.trim().to_owned());
    s.email = new.email;
    s.permissions = new.permissions;
    s.queues = new.queues;
    s.signature = new.signature;
    tx.put_yaml(layout::staff(&login), &s);
    let msg = CommitMessage::new(
        "staff.add",
        me.login.as_str(),
        format!("staff: add {login} ({})", s.role),
    );
    Ok(((), msg))
}

pub fn list(src: &(impl Source + ?Sized)) -> Result<Loaded<Staff>> {
    Ok(src.all_staff()?)
}

pub fn show(src: &(impl Source + ?Sized), login: &Login) -> Result<Staff> {
    src.staff(login)?
        .ok_or_else(|| OpError::not_found("staff member", login))
}
