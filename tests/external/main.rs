//! The tests that drive programs from outside the Rust toolchain — headless Chromium, an
//! SMTP server (Python's aiosmtpd), ssh-keygen, git's bash completion, zsh, fish, man — in a harness of their own
//! (libtest-mimic), so that a test whose program is missing shows in `cargo test`'s output
//! as `ignored (needs …)` and in a closing list of what was skipped and why, instead of
//! passing without having run. With GIT_DESK_REQUIRE_EXTERNAL set (`.ci/run` sets it) a
//! missing program fails the test instead.
//!
//! A test here is a plain `pub fn` listed in [`tests`] with what it needs. This binary has
//! no standard harness, so a `#[test]` function in `tests/external/` would be dropped
//! without a word: the check `external::no_test_attribute` fails the run if one appears.
//! The fixture (`support`), the mail helpers and sync's `Cluster` are the `it` binary's own
//! modules, compiled into this binary as well.

use std::process::{Command, Stdio};
use std::sync::Mutex;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

#[allow(dead_code, unused_imports)]
#[path = "../it/mail/mod.rs"]
mod mail;
#[allow(dead_code, unused_imports)]
#[path = "../it/messages.rs"]
mod messages;
#[path = "../it/support.rs"]
mod support;
#[allow(dead_code, unused_imports)]
#[path = "../it/sync.rs"]
mod sync;

mod browser;
mod cdp;
mod completion;
mod help;
mod mail_send;
mod privacy_exports;
mod privacy_keys;
mod privacy_signing;
mod sync_mail;

use support::ENV_REQUIRE;

/// Something from outside that a test needs.
#[derive(Clone, Copy, Debug)]
pub enum Need {
    /// A program on PATH.
    Program(&'static str),
    /// A module that `python3` can import (python3 itself is a separate need).
    PythonModule(&'static str),
    /// A file, such as a completion script another package installs.
    File(&'static str),
}

impl Need {
    /// Why the need is not met on this machine, or None.
    fn missing(self) -> Option<String> {
        match self {
            Need::Program(p) => {
                (!succeeds(Command::new("sh").args(["-c", &format!("command -v {p}")])))
                    .then(|| format!("needs `{p}`, which is not installed"))
            }
            Need::PythonModule(m) => {
                (!succeeds(Command::new("python3").args(["-c", &format!("import {m}")])))
                    .then(|| format!("needs the Python module {m} (pip install {m})"))
            }
            Need::File(f) => (!std::path::Path::new(f).exists())
                .then(|| format!("needs {f}, which is not there")),
        }
    }
}

fn succeeds(c: &mut Command) -> bool {
    c.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

const CHROMIUM: &[Need] = &[Need::Program("chromium")];
const CHROMIUM_AND_PYTHON: &[Need] = &[Need::Program("chromium"), Need::Program("python3")];
const AIOSMTPD: &[Need] = &[Need::Program("python3"), Need::PythonModule("aiosmtpd")];
const GIT_BASH_COMPLETION: &[Need] = &[
    Need::Program("bash"),
    Need::File(completion::GIT_BASH_COMPLETION),
];
const MAN: &[Need] = &[Need::Program("git"), Need::Program("man")];
const FISH: &[Need] = &[Need::Program("fish")];
const ZSH: &[Need] = &[Need::Program("zsh")];
const SSH_KEYGEN: &[Need] = &[Need::Program("ssh-keygen")];
const SSH_KEYGEN_AND_SCRIPT: &[Need] = &[Need::Program("ssh-keygen"), Need::Program("script")];
const NOTHING: &[Need] = &[];

/// A test: its name as `cargo test` shows and filters it, its needs, its body.
struct Test {
    name: &'static str,
    needs: &'static [Need],
    run: fn(),
}

macro_rules! tests {
    ($($needs:ident $module:ident :: $test:ident,)*) => {
        vec![$(Test {
            name: concat!(stringify!($module), "::", stringify!($test)),
            needs: $needs,
            run: $module::$test,
        },)*]
    };
}

fn tests() -> Vec<Test> {
    tests![
        NOTHING external::no_test_attribute,
        CHROMIUM browser::browser_quick_search_reaches_the_escaped_ticket_and_the_charts,
        CHROMIUM browser::browser_dashboard_order_phone_layout_and_customer_page,
        CHROMIUM browser::browser_quick_search_finds_customers_message_words_and_kb_titles_but_not_notes,
        CHROMIUM_AND_PYTHON privacy_exports::a_hostile_attachment_is_inert_in_the_browser,
        SSH_KEYGEN privacy_keys::only_the_recipients_and_the_sender_can_read_a_message,
        SSH_KEYGEN privacy_keys::a_recipient_without_a_key_is_refused_with_the_command_that_adds_one,
        SSH_KEYGEN_AND_SCRIPT privacy_keys::the_passphrase_is_asked_for_on_the_terminal,
        SSH_KEYGEN privacy_keys::after_a_key_is_replaced_the_messages_to_the_old_one_are_reported_not_fatal,
        SSH_KEYGEN privacy_signing::a_signed_desk_verifies_and_forged_commits_are_refused,
        SSH_KEYGEN privacy_signing::commits_replayed_by_sync_are_signed_again,
        AIOSMTPD mail_send::queued_mail_arrives_with_threading_headers_and_leaves_the_outbox,
        AIOSMTPD mail_send::a_server_that_is_down_leaves_the_mail_queued_with_backoff,
        AIOSMTPD mail_send::a_rejected_mail_is_noted_on_its_ticket_and_a_deferred_one_stays,
        AIOSMTPD mail_send::ticket_data_cannot_inject_headers,
        AIOSMTPD mail_send::an_answer_goes_out_with_its_attachment_and_the_reply_threads_back,
        AIOSMTPD mail_send::a_private_message_notification_is_delivered_to_the_staff_member,
        AIOSMTPD sync_mail::sync_takes_mail_in_and_sends_the_outbox_nothing_lost_or_doubled_when_killed,
        GIT_BASH_COMPLETION completion::git_desk_completes_through_gits_own_bash_completion,
        ZSH completion::zsh_completes_both_spellings,
        FISH completion::fish_completes_both_spellings,
        MAN help::git_desk_help_shows_the_installed_man_page,
    ]
}

/// Checks of this harness itself.
mod external {
    /// No `#[test]` in this binary's own files: it would never run (see the module docs).
    pub fn no_test_attribute() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/external");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                assert!(
                    line.trim() != "#[test]",
                    "{}:{}: a #[test] never runs in tests/external: make it a `pub fn` and list it in main.rs's `tests`",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}

/// The tests skipped on this machine, and why.
static SKIPPED: Mutex<Vec<(&str, String)>> = Mutex::new(Vec::new());

fn trial(t: Test) -> Trial {
    Trial::ignorable_test(t.name, move || {
        if let Some(reason) = t.needs.iter().find_map(|n| n.missing()) {
            if std::env::var_os(ENV_REQUIRE).is_some() {
                return Err(Failed::from(format!(
                    "{reason}, and {ENV_REQUIRE} is set: install it"
                )));
            }
            SKIPPED.lock().unwrap().push((t.name, reason.clone()));
            return Ok(Completion::ignored_with(reason));
        }
        (t.run)();
        Ok(Completion::Completed)
    })
}

fn main() {
    let args = Arguments::from_args();
    let conclusion = libtest_mimic::run(&args, tests().into_iter().map(trial).collect());
    let mut skipped = SKIPPED.lock().unwrap().clone();
    if !skipped.is_empty() {
        skipped.sort();
        println!(
            "SKIPPED on this machine, {} test(s) that need programs it lacks (.ci/run installs them):",
            skipped.len()
        );
        for (name, reason) in skipped {
            println!("    {name}: {reason}");
        }
        println!();
    }
    conclusion.exit();
}
