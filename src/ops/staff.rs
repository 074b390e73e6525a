//! Staff administration ("Administrator Security"): adding technicians and admins with
//! their permissions and queues, and reading them.

use crate::model::Op;
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

/// Refuses an e-mail address another staff member already has: the address names the
/// actor (git's `user.email`) and the author of each commit (`verify`), so two members
/// sharing one would let one act, and be audited, as the other.
pub(crate) fn check_email_free(
    src: &(impl Source + ?Sized),
    email: &Option<Email>,
    login: &Login,
) -> Result<()> {
    let Some(email) = email else { return Ok(()) };
    let taken =
        src.all_staff()?.items.into_iter().find(|s| {
            &s.login != login && s.email.as_ref().is_some_and(|e| e.same_as(email.as_str()))
        });
    match taken {
        Some(other) => Err(OpError::invalid(
            "--email",
            format!(
                "<{email}> is already the e-mail of staff member {}",
                other.login
            ),
        )),
        None => Ok(()),
    }
}

/// Logins a staff member cannot have: `nobody`/`none` mean no assignee on the command line
/// and in search, `autoclose` is the `closed_by` of automatic closes, `mail` and `init` the
/// `Desk-Actor` of mail and init commits.
pub const RESERVED_LOGINS: &[&str] = &[
    "nobody",
    "none",
    crate::model::lifecycle::AUTOCLOSE,
    super::mail::MAIL_ACTOR,
    "init",
];

pub fn add(tx: &mut Transaction<'_>, me: &Staff, new: NewStaff) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "add staff")?;
    if new.role == Role::Main && !me.is_main() {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: "make a main admin (only main admins can)".into(),
        });
    }
    if RESERVED_LOGINS.contains(&new.login.as_str()) {
        return Err(OpError::invalid(
            "LOGIN",
            format!(
                "`{}` is reserved (it means something else in assignments, `closed_by` or commit trailers); choose another login",
                new.login
            ),
        ));
    }
    if tx.staff(&new.login)?.is_some() {
        return Err(OpError::Exists {
            kind: "staff member",
            id: new.login.to_string(),
        });
    }
    check_name(&new.name)?;
    check_email_free(tx, &new.email, &new.login)?;
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
        Op::StaffAdd,
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

/// Changes to a staff member. Name, e-mail, signature and signing key are the member's own
/// profile ("My Profile": anyone may edit their own); the rest needs `staff.admin`.
#[derive(Debug, Clone, Default)]
pub struct StaffEdit {
    pub name: Option<String>,
    pub email: Option<Email>,
    /// `Some(None)` clears it.
    pub signature: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub signing_key: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub age_key: Option<Option<String>>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub add_queues: BTreeSet<Slug>,
    pub remove_queues: BTreeSet<Slug>,
}

impl StaffEdit {
    fn admin_only(&self) -> bool {
        self.role.is_some()
            || self.active.is_some()
            || !self.add_queues.is_empty()
            || !self.remove_queues.is_empty()
    }
}

pub fn edit(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: &Login,
    e: StaffEdit,
) -> Result<((), CommitMessage)> {
    let before = show(tx, login)?;
    if e.admin_only() {
        let what = format!("change the role, activity or queues of {login}");
        actor::require(me, Permission::StaffAdmin, &what)?;
    } else if login != &me.login {
        actor::require(
            me,
            Permission::StaffAdmin,
            &format!("edit staff member {login}"),
        )?;
    }
    guard_main(me, &before, e.role == Some(Role::Main))?;
    check_name(&e.name)?;
    check_email_free(tx, &e.email, login)?;
    check_queues(tx, &e.add_queues, "--queue")?;
    if let Some(Some(k)) = &e.signing_key {
        if k.chars().any(char::is_control) || !k.starts_with("ssh-") {
            return Err(OpError::invalid(
                "--signing-key",
                "an SSH public key on one line (ssh-ed25519 AAAA…)",
            ));
        }
    }
    if let Some(Some(k)) = &e.age_key {
        if k.parse::<age::x25519::Recipient>().is_err() {
            return Err(OpError::invalid("--age", "an age public key (age1…)"));
        }
    }
    let mut s = before.clone();
    if let Some(k) = e.age_key {
        s.age_key = k.filter(|t| !t.trim().is_empty());
    }
    if let Some(n) = e.name {
        s.name = Some(n.trim().to_owned());
    }
    if let Some(m) = e.email {
        s.email = Some(m);
    }
    if let Some(sig) = e.signature {
        s.signature = sig.filter(|t| !t.trim().is_empty());
    }
    if let Some(k) = e.signing_key {
        s.signing_key = k.filter(|t| !t.trim().is_empty());
    }
    if let Some(r) = e.role {
        s.role = r;
    }
    if let Some(a) = e.active {
        s.active = a;
    }
    s.queues.extend(e.add_queues);
    s.queues.retain(|q| !e.remove_queues.contains(q));
    if before.is_main() && !(s.is_main() && s.active) {
        keep_a_main_admin(tx, login)?;
    }
    finish(tx, me, before, s, Op::StaffEdit, "edit")
}

/// A public key for `staff key`.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// The line of an OpenSSH `.pub` file: signs commits, and private messages are
    /// encrypted to it.
    Ssh(String),
    /// An age recipient (`age1…`): private messages are encrypted to it.
    Age(String),
}

/// `staff key`: registers a member's public key (their own, or anyone's with
/// `staff.admin`). An SSH key must be one age can encrypt to (ed25519, or RSA of 2048 bits
/// or more); it is stored as `type base64`, without the comment.
pub fn set_key(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: &Login,
    key: PublicKey,
) -> Result<((), CommitMessage)> {
    let e = match key {
        PublicKey::Ssh(line) => StaffEdit {
            signing_key: Some(Some(ssh_key_line(&line)?)),
            ..Default::default()
        },
        PublicKey::Age(k) => StaffEdit {
            age_key: Some(Some(k.trim().to_owned())),
            ..Default::default()
        },
    };
    edit(tx, me, login, e)?;
    let msg = CommitMessage::new(
        Op::StaffKey,
        me.login.as_str(),
        format!("staff: register a public key for {login}"),
    );
    Ok(((), msg))
}

/// The `type base64` of an OpenSSH public key line, refused unless age can encrypt to it
/// (ed25519, or RSA of 2048 bits or more).
pub fn ssh_key_line(line: &str) -> Result<String> {
    let mut words = line.split_whitespace();
    let (Some(kind), Some(data)) = (words.next(), words.next()) else {
        return Err(OpError::invalid(
            "--ssh",
            "an SSH public key file holds one line `ssh-ed25519 AAAA… comment`",
        ));
    };
    let key = format!("{kind} {data}");
    if let Err(e) = key.parse::<age::ssh::Recipient>() {
        let why = match e {
            age::ssh::ParseRecipientKeyError::Unsupported(t) => {
                format!("{t} keys cannot be encrypted to; use an ed25519 key")
            }
            _ => "not an SSH public key age can encrypt to (use ssh-ed25519)".into(),
        };
        return Err(OpError::invalid("--ssh", why));
    }
    Ok(key)
}

/// Grants (`grant = true`) or revokes permissions.
pub fn set_permissions(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: &Login,
    permissions: &BTreeSet<Permission>,
    grant: bool,
) -> Result<((), CommitMessage)> {
    let verb = if grant { "grant" } else { "revoke" };
    actor::require(me, Permission::StaffAdmin, &format!("{verb} permissions"))?;
    let before = show(tx, login)?;
    if before.is_main() {
        return Err(OpError::State(format!(
            "{login} is a main admin and holds every permission whatever the list says; change the role first"
        )));
    }
    if permissions.is_empty() {
        return Err(OpError::invalid(verb, "name at least one permission"));
    }
    let mut s = before.clone();
    for p in permissions {
        if grant {
            s.permissions.insert(*p);
        } else {
            s.permissions.remove(p);
        }
    }
    let names: Vec<&str> = permissions.iter().map(|p| p.name()).collect();
    let op = if grant {
        Op::StaffGrant
    } else {
        Op::StaffRevoke
    };
    finish(
        tx,
        me,
        before,
        s,
        op,
        &format!("{verb} {}", names.join(", ")),
    )
}

/// Only a main admin may make a main admin, or change one.
fn guard_main(me: &Staff, target: &Staff, making_main: bool) -> Result<()> {
    if (target.is_main() || making_main) && !me.is_main() && target.login != me.login {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: format!(
                "change main admin settings of {} (only main admins can)",
                target.login
            ),
        });
    }
    if making_main && !me.is_main() {
        return Err(OpError::Forbidden {
            actor: me.login.clone(),
            action: "make a main admin (only main admins can)".into(),
        });
    }
    Ok(())
}

/// Refuses to demote or deactivate the last active main admin.
fn keep_a_main_admin(src: &(impl Source + ?Sized), leaving: &Login) -> Result<()> {
    let others = src
        .all_staff()?
        .items
        .into_iter()
        .any(|s| &s.login != leaving && s.is_main() && s.active);
    if others {
        Ok(())
    } else {
        Err(OpError::State(format!(
            "{leaving} is the last active main admin; make another main admin first"
        )))
    }
}

fn finish(
    tx: &mut Transaction<'_>,
    me: &Staff,
    before: Staff,
    after: Staff,
    op: Op,
    what: &str,
) -> Result<((), CommitMessage)> {
    if after == before {
        return Err(OpError::State(format!(
            "staff member {} would not change",
            before.login
        )));
    }
    tx.put_yaml(layout::staff(&after.login), &after);
    let subject = format!("staff: {what} {}", after.login);
    Ok(((), CommitMessage::new(op, me.login.as_str(), subject)))
}
