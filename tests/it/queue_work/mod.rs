//! Working a queue, second half of issue 17: custom fields, snooze and split, each against
//! a copy of example-repo (staff alice main, bob in general+billing, carol in sales).

mod fields;
mod snooze;
mod split;

use crate::support::*;

/// The declarations the field tests use: a required choice for the general queue, a
/// number, a date and a text for every queue.
pub const FIELDS: &str = "fields:
- name: product
  label: Product
  type: choice
  choices: [router, modem, hosting]
  required: true
  queues: [general]
- name: size
  type: number
- name: contract-end
  label: Contract end
  type: date
- name: serial
  type: text
";

/// `git` as the person with `email` (the author `verify` and the hook judge).
pub fn git_as(home: &std::path::Path, cwd: &std::path::Path, email: &str, args: &[&str]) {
    let name = email.split('@').next().unwrap();
    let o = isolated("git", home, cwd)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Adds [`FIELDS`] to desk.yaml in `dir`, committed by alice (settings.admin).
pub fn declare_fields(home: &std::path::Path, dir: &std::path::Path) {
    let p = dir.join("desk.yaml");
    let s = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{s}{FIELDS}")).unwrap();
    git_as(
        home,
        dir,
        "alice@example.com",
        &["commit", "-qam", "declare fields"],
    );
}

/// A new ticket in the general queue made by bob; returns its id.
pub fn new_ticket(d: &TestDesk, title: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--as",
        "bob",
        "--json",
        "ticket",
        "new",
        "-t",
        title,
        "--email",
        "c@cust.example",
        "-m",
        "The first question.",
    ];
    args.extend_from_slice(extra);
    json(&d.ok(&args))["id"].as_u64().unwrap().to_string()
}

/// `tickets/<bucket>/<id>/ticket.yaml` of ticket `id`.
pub fn ticket_path(id: &str) -> String {
    let n: u64 = id.parse().unwrap();
    format!("tickets/{:03}/{id}/ticket.yaml", n / 1000)
}
