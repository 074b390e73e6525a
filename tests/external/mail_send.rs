//! `mail send` against a real SMTP server: what arrives (headers and bodies), the outbox
//! after sending, a server that is down (mail stays queued with backoff), one that rejects
//! (a note on the ticket) or defers, and header injection from ticket data.

use crate::mail::smtpd::{free_port, header, Smtpd};
use crate::mail::*;
use crate::support::*;

/// Points the desk's SMTP settings at `port` on 127.0.0.1.
fn smtp_port(d: &TestDesk, port: u16) {
    edit_settings(d, |s| s.replace("port: 25\n", &format!("port: {port}\n")));
}

/// A desk with one new ticket from `sender` (and so one queued auto-response).
fn desk_with_autoresponse_to(sender: &str) -> (TestDesk, Maildir) {
    let (d, md) = desk_with_maildir();
    let mail = format!(
        "From: Customer <{sender}>\nTo: support@example.com\nSubject: Help with ümlauts\nMessage-ID: <first@{}>\n\nPlease help.\n",
        sender.split('@').nth(1).unwrap()
    );
    md.deliver("1.mx", mail.as_bytes());
    ingest(&d, &md.root);
    assert_eq!(outbox(&d).len(), 1);
    (d, md)
}

pub fn queued_mail_arrives_with_threading_headers_and_leaves_the_outbox() {
    let (d, _md) = desk_with_autoresponse_to("john@doe.example");
    let queued = outbox(&d).remove(0).1;
    let port = free_port();
    smtp_port(&d, port);
    let server = Smtpd::start(port, &d.tmp.path().join("received"));
    let before = d.commit_count();
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(r["mails"][0]["outcome"], "sent", "{r}");
    assert_eq!(d.commit_count(), before + 1);
    let msg = d.last_message();
    assert!(
        msg.starts_with("mail: send (1 sent)\n")
            && msg.contains("Desk-Op: mail.send\nDesk-Ticket: 1041\n"),
        "{msg}"
    );
    assert!(outbox(&d).is_empty());
    assert_eq!(d.status(), "");

    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(
        header(m, "Message-ID").as_deref(),
        queued["message_id"].as_str()
    );
    assert_eq!(
        header(m, "In-Reply-To").as_deref(),
        Some("<first@doe.example>")
    );
    assert_eq!(
        header(m, "References").as_deref(),
        Some("<first@doe.example>")
    );
    assert_eq!(header(m, "To").as_deref(), Some("john@doe.example"));
    assert_eq!(
        header(m, "From").as_deref(),
        Some("\"Example Hosting Support\" <support@example.com>")
    );
    assert_eq!(header(m, "Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(
        header(m, "Date").as_deref(),
        Some("Fri, 27 Nov 2026 12:00:00 +0000")
    );
    assert_eq!(header(m, "X-RcptTo").as_deref(), Some("john@doe.example"));
    // The subject carries the tag and survives encoding; the mail parser reads it back.
    let parsed = git_desk::mail::parse(m.as_bytes()).unwrap();
    assert_eq!(parsed.subject, "[#1041] Re: Help with ümlauts");
    assert!(parsed
        .body
        .starts_with("Thank you for contacting Example Hosting Support."));

    // Nothing left: no commit.
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert!(r["mails"].as_array().unwrap().is_empty());
    assert_eq!(d.commit_count(), before + 1);
}

pub fn a_server_that_is_down_leaves_the_mail_queued_with_backoff() {
    let (mut d, _md) = desk_with_autoresponse_to("john@doe.example");
    let port = free_port();
    smtp_port(&d, port);
    let r = d.run(&["mail", "send"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("deferred  #1041"), "{}", r.stdout);
    assert!(r.stderr.contains("0 sent, 1 deferred"), "{}", r.stderr);
    let (_, q) = outbox(&d).remove(0);
    assert_eq!(q["attempts"], 1);
    assert_eq!(q["next_try_at"], "2026-11-27T12:05:00Z");
    assert!(
        q["last_error"]
            .as_str()
            .unwrap()
            .starts_with("server unreachable:"),
        "{q}"
    );
    assert!(d.last_message().starts_with("mail: send (1 deferred)\n"));

    // Not due yet: nothing is tried, nothing committed.
    let commits = d.commit_count();
    d.now = "2026-11-27T12:04:00Z".into();
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(r["mails"][0]["outcome"], "waiting");
    assert_eq!(d.commit_count(), commits);
    // Due and still down: the second attempt waits twice as long.
    d.now = "2026-11-27T12:06:00Z".into();
    d.ok(&["mail", "send"]);
    let (_, q) = outbox(&d).remove(0);
    assert_eq!(
        (q["attempts"].as_u64(), q["next_try_at"].as_str()),
        (Some(2), Some("2026-11-27T12:16:00Z"))
    );

    // The server is back: the same mail, same Message-ID, goes out.
    d.now = "2026-11-27T12:20:00Z".into();
    let server = Smtpd::start(port, &d.tmp.path().join("received"));
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(r["mails"][0]["outcome"], "sent");
    assert_eq!(
        header(&server.received()[0], "Message-ID").as_deref(),
        q["message_id"].as_str()
    );
    assert!(outbox(&d).is_empty());
}

pub fn a_rejected_mail_is_noted_on_its_ticket_and_a_deferred_one_stays() {
    let (d, md) = desk_with_maildir();
    for (n, who) in [
        "reject.me@customer.test",
        "busy.bee@customer.test",
        "fine@customer.test",
    ]
    .iter()
    .enumerate()
    {
        let mail = format!("From: {who}\nTo: support@example.com\nSubject: Mail {n}\nMessage-ID: <m{n}@customer.test>\n\nHello.\n");
        md.deliver(&format!("{n}.mx"), mail.as_bytes());
    }
    ingest(&d, &md.root);
    let port = free_port();
    smtp_port(&d, port);
    let server = Smtpd::start(port, &d.tmp.path().join("received"));
    let r = json(&d.ok(&["--json", "mail", "send"]));
    let by_to = |to: &str| {
        r["mails"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["to"][0] == to)
            .unwrap()
            .clone()
    };
    let rejected = by_to("reject.me@customer.test");
    assert_eq!(rejected["outcome"], "rejected");
    assert_eq!(rejected["note"], true);
    assert!(
        rejected["error"].as_str().unwrap().contains("550"),
        "{rejected}"
    );
    assert_eq!(by_to("busy.bee@customer.test")["outcome"], "deferred");
    assert_eq!(by_to("fine@customer.test")["outcome"], "sent");
    assert_eq!(server.received().len(), 1);

    let msg = d.last_message();
    assert!(
        msg.starts_with("mail: send (1 sent, 1 deferred, 1 rejected)\n"),
        "{msg}"
    );
    let ob = outbox(&d);
    assert_eq!(ob.len(), 1);
    assert_eq!(ob[0].1["to"][0], "busy.bee@customer.test");
    assert!(
        ob[0].1["last_error"].as_str().unwrap().contains("451"),
        "{:?}",
        ob[0].1
    );

    let t = rejected["ticket"].as_u64().unwrap();
    let note = messages(&d, t)
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| v["kind"] == "note")
        .unwrap();
    let body = note["body"].as_str().unwrap();
    assert!(
        body.starts_with(&format!(
            "The e-mail \"[#{t}] Re: Mail 0\" to reject.me@customer.test could not be delivered"
        )),
        "{body}"
    );
    assert!(
        body.contains("(550): 5.1.1 <reject.me@customer.test>: Recipient address rejected"),
        "{body}"
    );
    assert_eq!(note["author"], "support@example.com");
    assert_eq!(d.status(), "");
    // Only the settings edited by hand (by someone who is not staff) are a violation.
    let v = d.run(&["verify"]).stdout;
    assert!(
        v.ends_with("1 violation(s) in 4 commits\n") && v.contains("(\"settings by hand\")"),
        "{v}"
    );
}

pub fn ticket_data_cannot_inject_headers() {
    let d = TestDesk::example();
    let port = free_port();
    smtp_port(&d, port);
    // Outbox files as a (careless or hostile) hand edit could leave them.
    d.write(
        "outbox/20261127T110000Z-alice-0001.yaml",
        "message_id: <ticket-1012.20261127T110000Z-alice-0001@example.com>\nkind: answer\nticket: 1012\nfrom: Example Support <support@example.com>\nto: [john@doe.example]\nsubject: \"Re: x\\r\\nBcc: victim@evil.example\\r\\n\\r\\nInjected body\"\nin_reply_to: null\nreferences: []\nbody: |\n  Real body.\nattachments: []\ncreated_at: 2026-11-27T11:00:00Z\n",
    );
    d.write(
        "outbox/20261127T110000Z-alice-0002.yaml",
        "message_id: <ticket-1012.20261127T110000Z-alice-0002@example.com>\nkind: answer\nticket: 1012\nfrom: Example Support <support@example.com>\nto: [\"john@doe.example\\r\\nBcc: victim@evil.example\"]\nsubject: Re x\nin_reply_to: null\nreferences: []\nbody: x\nattachments: []\ncreated_at: 2026-11-27T11:00:00Z\n",
    );
    d.git(&["add", "outbox"]);
    d.git(&["commit", "-qm", "hand-made outbox"]);
    let server = Smtpd::start(port, &d.tmp.path().join("received"));
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(r["mails"][0]["outcome"], "sent");
    assert_eq!(r["mails"][1]["outcome"], "rejected");
    assert!(
        r["mails"][1]["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot be composed: to:"),
        "{r}"
    );
    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(header(m, "Bcc"), None);
    assert_eq!(header(m, "X-RcptTo").as_deref(), Some("john@doe.example"));
    assert_eq!(
        header(m, "Subject").as_deref(),
        Some("Re: x Bcc: victim@evil.example Injected body")
    );
    assert!(m.contains("\n\nReal body.\n"), "{m}");
    // The refused one is recorded on ticket 1012.
    let notes: Vec<String> = messages(&d, 1012)
        .into_iter()
        .filter(|(_, v)| v["kind"] == "note" && v["at"] == "2026-11-27T12:00:00Z")
        .map(|(_, v)| v["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("is not a valid mailbox"), "{}", notes[0]);
}

pub fn an_answer_goes_out_with_its_attachment_and_the_reply_threads_back() {
    let (d, md) = desk_with_maildir();
    md.deliver("1.mx", &fixture("plain.eml"));
    ingest(&d, &md.root);
    std::fs::write(
        d.tmp.path().join("steps.txt"),
        "1. Clear cookies\n2. Log in again\n",
    )
    .unwrap();
    let steps = d.tmp.path().join("steps.txt");
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1041",
        "--pickup",
        "-m",
        "Your password was reset.",
        "--attach",
        steps.to_str().unwrap(),
    ]);
    let port = free_port();
    smtp_port(&d, port);
    let server = Smtpd::start(port, &d.tmp.path().join("received"));
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(r["mails"].as_array().unwrap().len(), 2);
    assert!(outbox(&d).is_empty());
    let got = server.received();
    let answer = got
        .iter()
        .find(|m| header(m, "Auto-Submitted").is_none())
        .expect("the answer arrived");
    assert_eq!(
        header(answer, "Subject").as_deref(),
        Some("[#1041] Re: Cannot log in to webmail")
    );
    assert_eq!(
        header(answer, "In-Reply-To").as_deref(),
        Some("<plain-1@doe.example>")
    );
    let answer_id = header(answer, "Message-ID").unwrap();
    assert!(
        answer_id.starts_with("<ticket-1041.20261127T120000Z-bob-"),
        "{answer_id}"
    );
    let parsed = git_desk::mail::parse(answer.as_bytes()).unwrap();
    assert!(
        parsed.body.starts_with("Your password was reset."),
        "{}",
        parsed.body
    );
    assert_eq!(parsed.attachments.len(), 1);
    assert_eq!(parsed.attachments[0].name.as_deref(), Some("steps.txt"));
    assert_eq!(
        parsed.attachments[0].bytes,
        b"1. Clear cookies\n2. Log in again\n"
    );

    // The customer answers the answer: the reply lands on 1041 and reopens it.
    let reply = format!(
        "From: John Doe <john@doe.example>\nTo: support@example.com\nSubject: Re: Cannot log in\nMessage-ID: <plain-2@doe.example>\nIn-Reply-To: {answer_id}\nReferences: <plain-1@doe.example> {answer_id}\n\nStill failing.\n"
    );
    md.deliver("2.mx", reply.as_bytes());
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "reply");
    assert_eq!(r["mails"][0]["ticket"], 1041);
    let t = ticket(&d, 1041);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("open"), None)
    );
}

pub fn a_private_message_notification_is_delivered_to_the_staff_member() {
    let d = crate::messages::keyed_example();
    d.ok(&[
        "--as",
        "alice",
        "msg",
        "send",
        "--to",
        "bob",
        "-s",
        "Coffee machine",
        "-m",
        "It is fixed.",
    ]);
    let port = free_port();
    smtp_port(&d, port);
    let server = Smtpd::start(port, &d.tmp.path().join("received"));
    let r = json(&d.ok(&["--json", "mail", "send"]));
    assert_eq!(r["mails"][0]["outcome"], "sent", "{r}");
    assert_eq!(r["mails"][0]["ticket"], serde_json::Value::Null);
    assert!(d.last_message().starts_with("mail: send (1 sent)\n"));
    let got = server.received();
    assert_eq!(got.len(), 1);
    let bob = yaml_to_json(&d.read("staff/bob.yaml"))["email"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(header(&got[0], "X-RcptTo"), Some(bob));
    assert_eq!(
        header(&got[0], "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let parsed = git_desk::mail::parse(got[0].as_bytes()).unwrap();
    assert!(
        parsed
            .subject
            .ends_with("Private message from Alice Anders"),
        "{}",
        parsed.subject
    );
    assert!(
        !parsed.body.contains("It is fixed.") && !got[0].contains("Coffee"),
        "subject and text stay encrypted in the desk"
    );
}
