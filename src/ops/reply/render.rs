//! Filling a saved reply's variables: the template is checked for variables that do not
//! exist (refused by name and line before anything is written or sent), then rendered with
//! minijinja in strict mode (an undefined value is an error, never an empty string) and no
//! HTML escaping (the result is a plain-text mail).

use serde::Serialize;

use crate::model::{reply, SavedReply, Settings, Staff, Ticket};
use crate::store::{layout, DeskRead, FileError, Source, StoreError};

use super::super::error::{OpError, Result};

/// The values a reply's variables take (see [`reply::VARIABLES`]).
#[derive(Debug, Clone, Serialize)]
pub struct Vars {
    pub customer: Customer,
    pub ticket: TicketVars,
    pub me: Me,
    pub desk: DeskVars,
}

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub name: String,
    pub email: String,
    pub account: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketVars {
    pub id: u64,
    pub title: String,
    pub queue: String,
    pub queue_name: String,
    pub priority: u8,
    pub status: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub login: String,
    pub name: String,
    pub email: String,
    pub signature: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeskVars {
    pub name: String,
    pub support_email: String,
}

impl Vars {
    /// The values for `ticket` answered by `me`, reading its account and queue.
    pub fn of(
        src: &(impl Source + ?Sized),
        settings: &Settings,
        me: &Staff,
        ticket: &Ticket,
    ) -> Result<Vars> {
        let account = match &ticket.account {
            Some(a) => src.account(a)?,
            None => None,
        };
        let queue = src.queue(&ticket.queue)?;
        Ok(Vars {
            customer: Customer {
                name: account
                    .as_ref()
                    .map(|a| a.name.clone())
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| ticket.email.to_string()),
                email: ticket.email.to_string(),
                account: ticket
                    .account
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
            },
            ticket: TicketVars {
                id: ticket.id.get(),
                title: ticket.title.clone(),
                queue: ticket.queue.to_string(),
                queue_name: queue.map_or_else(|| ticket.queue.to_string(), |q| q.name),
                priority: ticket.priority.get(),
                status: ticket.status.to_string(),
                tags: ticket.tags.iter().map(|t| t.to_string()).collect(),
            },
            me: Me {
                login: me.login.to_string(),
                name: me.name.clone().unwrap_or_else(|| me.login.to_string()),
                email: me.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                signature: me.signature.clone().unwrap_or_default(),
            },
            desk: DeskVars {
                name: settings.name.clone(),
                support_email: settings.support_email.to_string(),
            },
        })
    }
}

/// A problem with a reply's template, named by file and line.
fn template_problem(r: &SavedReply, line: Option<usize>, message: String) -> FileError {
    FileError {
        path: layout::reply(&r.slug),
        line: line.map(|l| r.body_line + l - 1),
        column: None,
        message,
    }
}

fn template_error(r: &SavedReply, line: Option<usize>, message: String) -> OpError {
    OpError::Store(StoreError::File(template_problem(r, line, message)))
}

/// The work one rendering may do (minijinja's fuel: about that many instructions, or
/// 64 bytes each of data). A saved reply of a few pages uses a few thousand; a file written
/// by hand with nested loops cannot hang or exhaust a technician's git-desk.
const FUEL: u64 = 100_000;

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// The first line of the body (1-based) that mentions `name`.
fn line_of(body: &str, name: &str) -> Option<usize> {
    body.lines().position(|l| l.contains(name)).map(|i| i + 1)
}

/// Checks a reply's template: it must parse, and use only the known variables.
pub fn check(r: &SavedReply) -> Result<()> {
    match problem(r) {
        Some(p) => Err(OpError::Store(StoreError::File(p))),
        None => Ok(()),
    }
}

/// What is wrong with a reply's template (`check` lists it), if anything.
pub fn problem(r: &SavedReply) -> Option<FileError> {
    let env = environment();
    let tmpl = match env.template_from_str(&r.body) {
        Ok(t) => t,
        Err(e) => return Some(template_problem(r, e.line(), describe(&e))),
    };
    let mut unknown: Vec<String> = tmpl
        .undeclared_variables(true)
        .into_iter()
        .filter(|v| !reply::is_variable(v))
        .collect();
    unknown.sort();
    let first = unknown.first()?;
    let known: Vec<&str> = reply::VARIABLES.iter().map(|(v, _)| *v).collect();
    Some(template_problem(
        r,
        line_of(&r.body, first),
        format!("unknown variable `{first}` (known: {})", known.join(", ")),
    ))
}

fn describe(e: &minijinja::Error) -> String {
    match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    }
}

/// The reply's text with its variables filled in.
pub fn render(r: &SavedReply, vars: &Vars) -> Result<String> {
    check(r)?;
    let env = environment();
    let tmpl = env
        .template_from_str(&r.body)
        .map_err(|e| template_error(r, e.line(), describe(&e)))?;
    tmpl.render(minijinja::value::Serde(vars))
        .map_err(|e| template_error(r, e.line(), describe(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> SavedReply {
        SavedReply {
            slug: "hello".parse().unwrap(),
            front: crate::model::ReplyFront {
                title: "Hello".into(),
                queues: vec![],
                tags: vec![],
                extra: Default::default(),
            },
            body: body.into(),
            body_line: 4,
        }
    }

    fn vars() -> Vars {
        Vars {
            customer: Customer {
                name: "Jane <Doe>".into(),
                email: "jane@x.example".into(),
                account: "jdoe".into(),
            },
            ticket: TicketVars {
                id: 1043,
                title: "Printer".into(),
                queue: "general".into(),
                queue_name: "General".into(),
                priority: 50,
                status: "open".into(),
                tags: vec!["vip".into()],
            },
            me: Me {
                login: "bob".into(),
                name: "Bob".into(),
                email: "bob@example.com".into(),
                signature: String::new(),
            },
            desk: DeskVars {
                name: "Example Support".into(),
                support_email: "support@example.com".into(),
            },
        }
    }

    #[test]
    fn variables_are_filled_without_escaping() {
        let r = reply("Dear {{ customer.name }},\nabout #{{ ticket.id }} ({{ ticket.tags|join(\", \") }})\n{{ me.name }} of {{ desk.name }}\n");
        assert_eq!(
            render(&r, &vars()).unwrap(),
            "Dear Jane <Doe>,\nabout #1043 (vip)\nBob of Example Support"
        );
    }

    #[test]
    fn unknown_variables_are_refused_by_file_and_line() {
        let r = reply("Hello,\n\nDear {{ customer.nmae }}\n");
        let e = render(&r, &vars()).unwrap_err().to_string();
        assert!(
            e.starts_with("replies/hello.md:6: unknown variable `customer.nmae`"),
            "{e}"
        );
        let e = check(&reply("{{ secret }}")).unwrap_err().to_string();
        assert!(e.contains("unknown variable `secret`"), "{e}");
        // A loop variable is declared by the template itself.
        assert!(check(&reply("{% for t in ticket.tags %}{{ t }}{% endfor %}")).is_ok());
        // An attribute of a known object that does not exist fails when rendering.
        let e = render(&reply("{{ ticket.id.x }}"), &vars()).unwrap_err();
        assert!(e.to_string().contains("replies/hello.md"), "{e}");
    }

    #[test]
    fn a_runaway_template_is_stopped_not_run() {
        // Eight nested loops over ten characters: 10^8 rounds without a budget.
        let bomb = format!(
            "{}{{{{ customer.name }}}}{}",
            "{% for c in \"0123456789\" %}".repeat(8),
            "{% endfor %}".repeat(8)
        );
        assert!(check(&reply(&bomb)).is_ok(), "the template itself is valid");
        let e = render(&reply(&bomb), &vars()).unwrap_err().to_string();
        assert!(e.starts_with("replies/hello.md"), "{e}");
        assert!(e.contains("fuel"), "{e}");
        // A long ordinary reply stays well within the budget.
        let long = "Dear {{ customer.name }},\n".repeat(500);
        assert!(render(&reply(&long), &vars()).is_ok());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = check(&reply("Hi\n{% if %}\n")).unwrap_err().to_string();
        assert!(e.starts_with("replies/hello.md:5: syntax error"), "{e}");
    }
}
