//! Section `mail` (issue 8 item 5): 10,000 mails written as .eml files into a Maildir (half
//! new tickets from unknown senders, half replies to existing tickets by the `[#ID]` subject
//! tag), taken in by one `git desk mail ingest` on a bare clone of the generated desk (after
//! a one-mail run, timed apart, that builds the Message-ID cache); then
//! 1,000 outbox mails (added with `git fast-import`) delivered by `git desk mail send` to a
//! local SMTP server on 127.0.0.1 (the tests' std-only server, `tests/it/mail/smtp_server.rs`,
//! run in this process), against issue 15's target of 200 mails/s.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Result};
use git_desk::model::{Email, Login, MailKind, MessageKey, OutMail, TicketId, Timestamp};
use git_desk::store::{layout, yaml, DeskRead, FsSource};

use crate::figures::{self, Target};
use crate::generate::{DeskPair, END};
use crate::measure::{checked, timed, Tools};
use crate::sync::{fast_import, Change};

const MAILS: u64 = 10_000;
const OUTBOX: u64 = 1_000;

#[path = "../../tests/it/mail/smtp_server.rs"]
mod smtp_server;

pub fn run(tools: &Tools, pair: &DeskPair, out: &mut impl Write) -> Result<()> {
    let n = pair.tickets;
    let tmp = tempfile::Builder::new()
        .prefix("desk-bench-mail-")
        .tempdir()?;
    let accounts: Vec<(Login, Email)> = FsSource::new(&tools.sample)
        .all_accounts()?
        .items
        .into_iter()
        .map(|a| (a.login, a.email))
        .collect();

    // Ingest.
    let desk = tmp.path().join("ingest.git");
    clone_bare(tools, pair, &desk)?;
    // A first run of one mail builds the derived Message-ID cache
    // (`message-index`), timed on its own.
    let empty = tmp.path().join("First");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(empty.join(sub))?;
    }
    std::fs::write(
        empty.join("new/1.M0.first"),
        "From: first@mail.bench.invalid\r\nTo: support@example.com\r\nSubject: first\r\n\
         Message-ID: <first@mail.bench.invalid>\r\nDate: Fri, 27 Nov 2026 11:00:00 +0000\r\n\r\nHello\r\n",
    )?;
    let (cold, _) = timed(&mut [{
        let mut c = tools.desk(&desk);
        c.args(["--as", "alice", "mail", "ingest"]).arg(&empty);
        c
    }])?;
    figures::line(
        out,
        "mail ingest of 1 mail (builds message-index)",
        n,
        cold.wall.as_secs_f64(),
        Some(cold.cpu.as_secs_f64()),
        "s",
        Target::None,
    )?;
    let maildir = tmp.path().join("Maildir");
    write_maildir(&maildir, n, &accounts)?;
    let (cost, outs) = timed(&mut [{
        let mut c = tools.desk(&desk);
        c.args(["--as", "alice", "mail", "ingest"]).arg(&maildir);
        c
    }])?;
    let summary = last_line(&outs[0].stderr);
    let left = std::fs::read_dir(maildir.join("new"))?.count();
    if left != 0 {
        bail!("mail ingest left {left} mails unseen: {summary}");
    }
    eprintln!("mail ingest: {summary}");
    let secs = cost.wall.as_secs_f64();
    figures::line(
        out,
        &format!("mail ingest {MAILS} mails: mails/s"),
        n,
        MAILS as f64 / secs,
        None,
        "mail/s",
        Target::AtLeast(500.0),
    )?;
    figures::line(
        out,
        "  (wall; cpu user+sys in the p90 column)",
        n,
        secs,
        Some(cost.cpu.as_secs_f64()),
        "s",
        Target::None,
    )?;

    // Send.
    let desk = tmp.path().join("send.git");
    clone_bare(tools, pair, &desk)?;
    let server = smtp_server::SmtpServer::start(smtp_server::Options::default());
    queue_outbox(tools, &desk, &pair.branch, n, server.port, &accounts)?;
    let (cost, outs) = timed(&mut [{
        let mut c = tools.desk(&desk);
        c.args(["--as", "alice", "mail", "send"]);
        c
    }])?;
    let received = server.received().len();
    drop(server);
    if received as u64 != OUTBOX {
        bail!("the SMTP server received {received} of {OUTBOX} mails");
    }
    let summary = last_line(&outs[0].stderr);
    if !summary.starts_with(&format!("{OUTBOX} sent")) {
        bail!("mail send did not send every mail: {summary}");
    }
    let secs = cost.wall.as_secs_f64();
    figures::line(
        out,
        &format!("mail send {OUTBOX} mails to a local SMTP server: mails/s"),
        n,
        OUTBOX as f64 / secs,
        None,
        "mail/s",
        Target::AtLeast(200.0),
    )?;
    figures::line(
        out,
        "  (wall; cpu user+sys in the p90 column)",
        n,
        secs,
        Some(cost.cpu.as_secs_f64()),
        "s",
        Target::None,
    )?;
    drop(tmp);
    Ok(())
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .last()
        .unwrap_or("")
        .to_owned()
}

fn clone_bare(tools: &Tools, pair: &DeskPair, to: &Path) -> Result<()> {
    let parent = to.parent().expect("inside the temporary directory");
    checked(
        tools
            .git(parent)
            .args(["clone", "-q", "--bare"])
            .arg(&pair.bare)
            .arg(to),
    )?;
    Ok(())
}

/// MAILS .eml files in `dir/new`: even ones open tickets, odd ones answer ticket `[#ID]`.
fn write_maildir(dir: &Path, tickets: u64, accounts: &[(Login, Email)]) -> Result<()> {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    for i in 0..MAILS {
        let (from, subject, refs) = if i % 2 == 0 {
            (
                format!("Customer {i} <customer{i}@mail.bench.invalid>"),
                format!("Question {i}: my website is slow"),
                String::new(),
            )
        } else {
            let id = 1 + (i * 7919) % tickets;
            let email = &accounts[id as usize % accounts.len()].1;
            (
                email.to_string(),
                format!("Re: [#{id}] about my ticket"),
                String::new(),
            )
        };
        let eml = format!(
            "Return-Path: <bench@mail.bench.invalid>\r\nFrom: {from}\r\nTo: support@example.com\r\n\
             Subject: {subject}\r\nDate: Fri, 27 Nov 2026 12:{:02}:{:02} +0000\r\n\
             Message-ID: <bench-{i}@mail.bench.invalid>\r\n{refs}MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
             Hello,\r\n\r\nthis is mail {i} of the benchmark. The site takes a minute to load since\r\n\
             yesterday evening; nothing changed on our side. Could you look, please?\r\n\r\nThanks\r\n",
            i / 60 % 60,
            i % 60
        );
        std::fs::write(
            dir.join("new")
                .join(format!("{}.M{i}.bench", END + i as i64)),
            eml,
        )?;
    }
    Ok(())
}

/// One commit adding OUTBOX answers to the outbox and pointing desk.yaml's smtp at `port`.
fn queue_outbox(
    tools: &Tools,
    desk: &Path,
    branch: &str,
    tickets: u64,
    port: u16,
    accounts: &[(Login, Email)],
) -> Result<()> {
    let settings = tools.git_out(desk, &["show", "HEAD:desk.yaml"])?;
    let moved = settings.replace("  port: 25\n", &format!("  port: {port}\n"));
    if moved == settings {
        bail!("desk.yaml has no `  port: 25` line to point at the bench's SMTP server");
    }
    let at = Timestamp::from_unix(END).expect("valid time");
    let mut files = vec![("desk.yaml".to_owned(), format!("{moved}\n").into_bytes())];
    for i in 0..OUTBOX {
        let id = 1 + (i * 7919) % tickets;
        let mail = OutMail {
            message_id: format!("<ticket-{id}.bench-{i}@example.com>"),
            kind: MailKind::Answer,
            ticket: Some(TicketId::new(id).expect("ids start at 1")),
            from: "Example Hosting Support <support@example.com>".into(),
            to: vec![accounts[id as usize % accounts.len()].1.to_string()],
            cc: vec![],
            subject: format!("[#{id}] Re: your ticket"),
            in_reply_to: Some(format!("<{id}.0@bench.desk.invalid>")),
            references: vec![format!("<{id}.0@bench.desk.invalid>")],
            body: format!(
                "Hello,\n\nwe have looked at ticket {id} and fixed it.\n\nRegards,\nbob\n"
            ),
            attachments: vec![],
            created_at: at,
            attempts: 0,
            next_try_at: None,
            last_error: None,
            extra: Default::default(),
        };
        let key = MessageKey::generate(at, "bob", i as u16);
        files.push((layout::outbox(&key), yaml::to_bytes(&mail)));
    }
    let change = Change {
        message: format!(
            "bench: {OUTBOX} queued answers\n\nDesk-Op: bench.outbox\nDesk-Actor: alice\n"
        ),
        author: "Desk Bench <bench@desk.invalid>".into(),
        at: END + 1,
        files,
    };
    fast_import(tools, desk, branch, std::iter::once(change))
}
