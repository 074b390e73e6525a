//! `sync` does the mail too: it takes mail in from the clone's Maildir and sends the outbox
//! to a real SMTP server (aiosmtpd), and a sync killed at any point loses and doubles
//! nothing. Uses `Cluster` of `tests/it/sync.rs`.

use crate::mail::smtpd::{free_port, header, Smtpd};
use crate::sync::Cluster;

pub fn sync_takes_mail_in_and_sends_the_outbox_nothing_lost_or_doubled_when_killed() {
    let c = Cluster::new(1);
    let port = free_port();
    let smtp = Smtpd::start(port, &c.d.tmp.path().join("received"));
    // The desk reads mail from `mail/` in the clone (kept out of git) and sends to the
    // local server.
    let clone = c.clone(0);
    std::fs::write(clone.join(".git/info/exclude"), "mail/\n").unwrap();
    let inbox = crate::mail::Maildir::new(clone.join("mail"));
    for f in ["plain.eml", "utf8-subject.eml", "html-only.eml"] {
        inbox.deliver_fixture(f);
    }
    for (k, v) in [
        ("maildir", "mail".to_string()),
        ("smtp.port", port.to_string()),
    ] {
        c.desk_ok(0, &["--as", "alice", "settings", "set", k, &v]);
    }
    c.desk_ok(
        0,
        &[
            "--as",
            "bob",
            "ticket",
            "answer",
            "1025",
            "-m",
            "Forwarding works again.",
        ],
    );
    let answer_id = {
        let out = c.git_ok(
            &clone,
            &["grep", "-h", "^message_id:", "HEAD", "--", "outbox"],
        );
        out.trim()
            .trim_start_matches("message_id:")
            .trim()
            .trim_matches('\'')
            .to_owned()
    };
    // Kill it at a few points, then let one run finish.
    for delay_ms in [2u64, 20, 60, 150] {
        let mut child =
            c.d.cmd_in(&clone)
                .args(["--as", "alice", "sync"])
                .spawn()
                .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    // Later runs finish the work (a day later, so a delivery a kill cut short and the
    // server deferred is due again).
    for _ in 0..2 {
        let o =
            c.d.cmd_in(&clone)
                .env("GIT_DESK_NOW", "2026-11-28T12:00:00Z")
                .args(["--as", "alice", "sync"])
                .output()
                .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Each mail became exactly one message of one new ticket, on the server.
    for f in ["plain.eml", "utf8-subject.eml", "html-only.eml"] {
        let text = String::from_utf8(crate::mail::fixture(f)).unwrap();
        let id = header(&text, "Message-ID").unwrap();
        let hits = c.git_ok(
            &c.server,
            &["grep", "-l", "-F", &id, "HEAD", "--", "tickets"],
        );
        assert_eq!(hits.lines().count(), 1, "{f} ({id}) is held by: {hits}");
    }
    let new_tickets = c
        .git_ok(
            &c.server,
            &["ls-tree", "--name-only", "HEAD", "tickets/001/"],
        )
        .lines()
        .count()
        - 40;
    assert_eq!(new_tickets, 3);
    // The answer went out (a resend after a kill carries the same Message-ID), and the
    // outbox is empty on the server.
    let got: Vec<String> = smtp
        .received()
        .into_iter()
        .filter(|m| header(m, "Message-ID").as_deref() == Some(answer_id.as_str()))
        .collect();
    assert!(!got.is_empty(), "the answer {answer_id} was not delivered");
    assert_eq!(
        c.git_ok(&c.server, &["ls-tree", "--name-only", "HEAD", "outbox/"])
            .trim(),
        ""
    );
    assert_eq!(c.status(0), "");
    assert_eq!(inbox.files("new").len(), 0);
}
