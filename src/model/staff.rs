//! Technicians and administrators (`staff/<login>.yaml`) and the permission set of
//! "Configuring Administrator Security". A main admin holds every permission.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Email, Extra, InvalidValue, Login, Slug};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The main admin: every permission, whatever the list says.
    Main,
    Support,
}

impl FromStr for Role {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        match s {
            "main" => Ok(Role::Main),
            "support" => Ok(Role::Support),
            _ => Err(InvalidValue(format!(
                "`{s}` is not a role (main or support)"
            ))),
        }
    }
}
impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Main => "main",
            Role::Support => "support",
        })
    }
}

macro_rules! permissions {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// What a technician may do beyond working the tickets they can see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Permission {
            $(#[doc = $doc] #[serde(rename = $name)] $variant,)*
        }
        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }
            pub fn describe(self) -> &'static str {
                match self { $(Permission::$variant => $doc,)* }
            }
        }
        impl FromStr for Permission {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, InvalidValue> {
                match s {
                    $($name => Ok(Permission::$variant),)*
                    _ => Err(InvalidValue(format!(
                        "`{s}` is not a permission (one of: {})",
                        [$($name),*].join(", ")
                    ))),
                }
            }
        }
    };
}

permissions! {
    TicketsAssignOthers => "tickets.assign_others": "assign tickets to other technicians",
    TicketsDelete => "tickets.delete": "delete tickets",
    TicketsMerge => "tickets.merge": "merge tickets",
    TicketsMass => "tickets.mass": "mass actions on search results",
    TasksUse => "tasks.use": "use the task system (own tasks)",
    TasksAdmin => "tasks.admin": "administer tasks (assign to others, see all)",
    MessagesUse => "messages.use": "send and read private messages",
    KbUse => "kb.use": "read the knowledge base",
    KbAdmin => "kb.admin": "write the knowledge base",
    QueuesAdmin => "queues.admin": "create, edit and delete queues",
    StaffAdmin => "staff.admin": "manage staff, accounts, resellers and permissions",
    SettingsAdmin => "settings.admin": "change desk settings",
    StatsView => "stats.view": "view ticket statistics",
    BillingView => "billing.view": "view reseller billing",
    RepliesAdmin => "replies.admin": "write saved replies and macros",
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    pub login: Login,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<Email>,
    pub role: Role,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub permissions: BTreeSet<Permission>,
    #[serde(default)]
    pub queues: BTreeSet<Slug>,
    #[serde(default)]
    pub signature: Option<String>,
    /// The SSH public key (`ssh-ed25519 AAAA…`) the member signs commits with; private
    /// messages are encrypted to it too.
    #[serde(default)]
    pub signing_key: Option<String>,
    /// An age public key (`age1…`) private messages are also encrypted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_key: Option<String>,
    #[serde(skip)]
    pub extra: Extra,
}

fn yes() -> bool {
    true
}

impl Staff {
    pub fn new(login: Login, role: Role) -> Staff {
        Staff {
            login,
            name: None,
            email: None,
            role,
            active: true,
            permissions: BTreeSet::new(),
            queues: BTreeSet::new(),
            signature: None,
            signing_key: None,
            age_key: None,
            extra: Extra::new(),
        }
    }

    pub fn is_main(&self) -> bool {
        self.role == Role::Main
    }

    /// Whether this staff member holds `p`; an inactive account holds nothing.
    pub fn has(&self, p: Permission) -> bool {
        self.active && (self.is_main() || self.permissions.contains(&p))
    }

    /// "Tech Support Admin Info": a name and an e-mail are needed to answer and assign.
    pub fn profile_complete(&self) -> bool {
        self.name.as_deref().is_some_and(|n| !n.trim().is_empty()) && self.email.is_some()
    }

    /// The name to show: the full name, else the login.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(self.login.as_str())
    }

    /// Whether tickets of `queue` are visible to this technician (the default queue is
    /// visible to all; main admins see everything).
    pub fn entitled_to(&self, queue: &Slug, default_queue: &Slug) -> bool {
        self.is_main() || queue == default_queue || self.queues.contains(queue)
    }

    /// Every permission in force, main admins' included.
    pub fn effective_permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.has(*p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_admin_holds_everything() {
        let mut s = Staff::new("alice".parse().unwrap(), Role::Main);
        assert!(Permission::ALL.iter().all(|p| s.has(*p)));
        s.active = false;
        assert!(!s.has(Permission::KbUse));
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(p.name().parse::<Permission>().unwrap(), *p);
        }
        let err = "tickets.fly".parse::<Permission>().unwrap_err();
        assert!(err.0.contains("tickets.assign_others"));
    }

    #[test]
    fn visibility_of_queues() {
        let mut s = Staff::new("bob".parse().unwrap(), Role::Support);
        s.queues.insert("billing".parse().unwrap());
        let general: Slug = "general".parse().unwrap();
        assert!(s.entitled_to(&"billing".parse().unwrap(), &general));
        assert!(s.entitled_to(&general, &general));
        assert!(!s.entitled_to(&"sales".parse().unwrap(), &general));
    }
}
