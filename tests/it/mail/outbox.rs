//! `mail send` against the real SMTP server of `smtp_server.rs` on 127.0.0.1: one mail the
//! server refuses (553) is given up alone while the others go out on the same session, a
//! refused Cc recipient does not stop the mail, a lost connection defers the rest,
//! `--retry-now` retries deferred mail at once, and a thousand mails go out fast (no
//! per-mail wait for a delayed ACK).

use std::time::Instant;

use super::smtp_server::{Options, SmtpServer};
use super::*;

/// Commits outbox files for tickets 1001, 1002, … with the given recipients
/// (`to`, `cc`) by hand, as a sync from another clone would bring them.
fn queue(d: &TestDesk, mails: &[(&str, &[&str])]) {
    for (i, (to, cc)) in mails.iter().enumerate() {
        let id = 1001 + i % 40;
        let key = format!("20261127T110000Z-bob-{i:04x}");
        let cc = if cc.is_empty() {
            String::new()
        } else {
            format!(
                "cc:\n{}",
                cc.iter().map(|c| format!("- {c}\n")).collect::<String>()
            )
        };
        d.write(
            &format!("outbox/{key}.yaml"),
            &format!(
                "message_id: <ticket-{id}.{key}@example.com>\nkind: answer\nticket: {id}\nfrom: Example Hosting Support <support@example.com>\nto:\n- {to}\n{cc}subject: '[#{id}] Re: your ticket'\nbody: |\n  Hello,\n  .this line starts with a dot.\n  Regards\ncreated_at: 2026-11-27T11:00:00Z\n"
            ),
        );
    }
    d.git(&["add", "outbox"]);
    d.git(&["commit", "-qm", "outbox by hand"]);
}

fn point_at(d: &TestDesk, port: u16) {
    edit_settings(d, |s| {
        s.lines()
            .map(|l| match l.strip_prefix("  port: ") {
                Some(_) => format!("  port: {port}\n"),
                None => format!("{l}\n"),
            })
            .collect()
    });
}

fn outcomes(r: &serde_json::Value) -> Vec<String> {
    r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["outcome"].as_str().unwrap().to_owned())
        .collect()
}

fn notes(d: &TestDesk, id: u64) -> Vec<String> {
    messages(d, id)
        .into_iter()
        .filter(|(_, m)| m["kind"] == "note")
        .map(|(_, m)| m["body"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_mail_fails_alone_and_the_session_goes_on() {
    let d = TestDesk::example();
    queue(
        &d,
        &[
            ("john@doe.example", &[]),
            ("refuse-me@doe.example", &[]),
            (
                "ann@doe.example",
                &["refuse-cc@doe.example", "cto@doe.example"],
            ),
            ("jörg@doe.example", &[]),
            ("busy-now@doe.example", &[]),
            ("zoe@doe.example", &[]),
        ],
    );
    let server = SmtpServer::start(Options::default());
    point_at(&d, server.port);
    let r = d.run(&["--json", "mail", "send"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = json(&r.stdout);
    assert_eq!(
        outcomes(&r),
        ["sent", "rejected", "sent", "rejected", "deferred", "sent"],
        "{r:#}"
    );
    let m = r["mails"].as_array().unwrap();
    assert!(
        m[1]["error"].as_str().unwrap().contains(
            "permanent error (553): 5.1.3 <refuse-me@doe.example>: mailbox name not allowed"
        ),
        "{}",
        m[1]
    );
    assert!(
        m[2]["refused"][0]
            .as_str()
            .unwrap()
            .starts_with("refuse-cc@doe.example: permanent error (553)"),
        "{}",
        m[2]
    );
    assert!(
        m[3]["error"].as_str().unwrap().contains("SMTPUTF8"),
        "{}",
        m[3]
    );
    assert!(
        m[4]["error"].as_str().unwrap().starts_with("deferred:"),
        "{}",
        m[4]
    );
    // One session for the whole run; the refusals did not end it.
    assert_eq!(server.connections(), 1);
    let got = server.received();
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].to, ["ann@doe.example", "cto@doe.example"]);
    // Dot-stuffing: the line that starts with a dot arrives as written.
    assert!(
        got[0]
            .data
            .contains("\r\n.this line starts with a dot.\r\n"),
        "{}",
        got[0].data
    );
    // The refusals are on the tickets; the deferred mail waits in the outbox.
    let has = |id, text: &str| notes(&d, id).iter().any(|n| n.contains(text));
    assert!(has(1002, "could not be delivered and was given up"));
    assert!(has(
        1003,
        "was sent, but the server refused it for:\nrefuse-cc@doe.example"
    ));
    let left = outbox(&d);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1["to"][0], "busy-now@doe.example");
    assert!(d
        .last_message()
        .starts_with("mail: send (3 sent, 1 deferred, 2 rejected)\n"));
    assert_eq!(d.status(), "");
}

#[test]
fn a_lost_connection_defers_the_rest_and_retry_now_sends_it_at_once() {
    let d = TestDesk::example();
    let to: Vec<(&str, &[&str])> = vec![("john@doe.example", &[]); 5];
    queue(&d, &to);
    let crashing = SmtpServer::start(Options {
        drop_after: Some(2),
        ..Options::default()
    });
    point_at(&d, crashing.port);
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(
        outcomes(&r),
        ["sent", "deferred", "deferred", "deferred", "deferred"],
        "{r:#}"
    );
    for m in &r["mails"].as_array().unwrap()[1..] {
        assert!(
            m["error"]
                .as_str()
                .unwrap()
                .starts_with("server unreachable:"),
            "{m}"
        );
    }
    assert_eq!(
        crashing.connections(),
        1,
        "no mail after the loss tried again"
    );
    drop(crashing);

    // A working server; the mails are not due for five minutes.
    let server = SmtpServer::start(Options::default());
    point_at(&d, server.port);
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(outcomes(&r), ["waiting"; 4]);
    assert!(server.received().is_empty());
    let r = json(&d.ok(&["--json", "mail", "send", "--retry-now"]));
    assert_eq!(outcomes(&r), ["sent"; 4], "{r:#}");
    assert_eq!(server.received().len(), 4);
    assert!(outbox(&d).is_empty());
}

#[test]
fn a_thousand_mails_go_out_fast_on_one_session() {
    let d = TestDesk::example();
    let to: Vec<(&str, &[&str])> = vec![("john@doe.example", &[]); 1000];
    queue(&d, &to);
    let server = SmtpServer::start(Options::default());
    point_at(&d, server.port);
    let started = Instant::now();
    let r = d.run(&["mail", "send"]);
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("1000 sent, 0 deferred"),
        "{}",
        r.stderr
    );
    assert_eq!(server.received().len(), 1000);
    assert_eq!(server.connections(), 1);
    let rate = 1000.0 / secs;
    eprintln!(
        "mail send: 1000 mails in {secs:.2} s = {rate:.0} mails/s (debug build, whole process)"
    );
    // With a 40 ms delayed-ACK stall per mail this takes 40 s or more.
    assert!(secs < 20.0, "{rate:.0} mails/s");
}
