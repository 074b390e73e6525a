//! Who is acting: `--as`, else `GIT_DESK_ACTOR`, else the staff member whose e-mail is git's
//! `user.email`; and the checks every operation makes of them (active, permission held,
//! profile complete, ticket visible).

use crate::model::{Login, Permission, Settings, Staff, Ticket};
use crate::store::{DeskRead, Source};

use super::error::{OpError, Result};

/// Where the actor's identity may come from, in order of precedence.
#[derive(Debug, Clone, Default)]
pub struct ActorSpec {
    /// `--as LOGIN`
    pub flag: Option<String>,
    /// `GIT_DESK_ACTOR`
    pub env: Option<String>,
    /// git's `user.email`
    pub git_email: Option<String>,
}

impl ActorSpec {
    /// The login to act as, resolved against the staff of `src`.
    pub fn resolve(&self, src: &(impl Source + ?Sized)) -> Result<Staff> {
        let explicit = self
            .flag
            .as_deref()
            .map(|v| ("--as", v))
            .or(self.env.as_deref().map(|v| (crate::context::ENV_ACTOR, v)));
        if let Some((from, value)) = explicit.filter(|(_, v)| !v.trim().is_empty()) {
            let login: Login = value
                .trim()
                .parse()
                .map_err(|e| OpError::from_value(from, e))?;
            let staff = src
                .staff(&login)?
                .ok_or_else(|| OpError::NoActor(format!("{from}: no staff member `{login}`")))?;
            return check_active(staff);
        }
        if let Some(email) = self.git_email.as_deref().filter(|e| !e.trim().is_empty()) {
            // Every staff file is read (a desk has tens, not thousands): an address two
            // staff files claim must not silently pick one of them.
            let all = src.all_staff()?;
            let mut matching = all
                .items
                .into_iter()
                .filter(|s| s.email.as_ref().is_some_and(|e| e.same_as(email.trim())));
            let found = matching.next();
            if let (Some(a), Some(b)) = (&found, matching.next()) {
                return Err(OpError::NoActor(format!(
                    "git's user.email <{email}> is the e-mail of both {} and {}; use --as LOGIN or set {}",
                    a.login,
                    b.login,
                    crate::context::ENV_ACTOR
                )));
            }
            return match found {
                Some(s) => check_active(s),
                None => Err(OpError::NoActor(format!(
                    "git's user.email <{email}> is not the e-mail of any staff member; use --as LOGIN or set {}",
                    crate::context::ENV_ACTOR
                ))),
            };
        }
        Err(OpError::NoActor(format!(
            "use --as LOGIN, set {}, or set git's user.email to a staff e-mail",
            crate::context::ENV_ACTOR
        )))
    }
}

fn check_active(s: Staff) -> Result<Staff> {
    if s.active {
        Ok(s)
    } else {
        Err(OpError::NoActor(format!(
            "staff member `{}` is not active",
            s.login
        )))
    }
}

/// Refuses unless `actor` holds `p`.
pub fn require(actor: &Staff, p: Permission, action: &str) -> Result<()> {
    if actor.has(p) {
        Ok(())
    } else {
        Err(OpError::Denied {
            actor: actor.login.clone(),
            permission: p,
            action: action.into(),
        })
    }
}

/// Refuses unless `actor` has filled in name and e-mail ("Tech Support Admin Info").
pub fn require_profile(actor: &Staff, action: &str) -> Result<()> {
    if actor.profile_complete() {
        Ok(())
    } else {
        Err(OpError::ProfileIncomplete {
            login: actor.login.clone(),
            action: action.into(),
        })
    }
}

/// The visibility rule of the guide: a technician sees tickets in the queues they are
/// entitled to, in the default queue, and any ticket assigned to them.
pub fn can_see(actor: &Staff, ticket: &Ticket, settings: &Settings) -> bool {
    actor.entitled_to(&ticket.queue, &settings.default_queue) || ticket.is_assigned_to(&actor.login)
}

/// The actor re-read inside a transaction (HEAD, not the possibly edited work tree), so
/// permissions are those committed.
pub fn reload(src: &(impl Source + ?Sized), actor: &Staff) -> Result<Staff> {
    let s = src.staff(&actor.login)?.ok_or_else(|| {
        OpError::NoActor(format!("staff member `{}` is not committed", actor.login))
    })?;
    check_active(s)
}
