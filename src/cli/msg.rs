//! `git desk msg …`: private messages between technicians ("Exchanging Private Messages").
//! Messages are named by their key (`20261127T174501Z-alice-3f2a`) or a unique prefix of it.
//! Subjects and texts are encrypted to the sender and recipients; reading decrypts them with
//! the caller's key (`git config desk.identity`, else `~/.ssh/id_ed25519`).

use std::io::Write;

use anyhow::Result;

use super::body::BodyArgs;
use super::output::{cell, safe_text, short_time, table};
use super::Env;
use crate::model::Login;
use crate::ops::{self, msg as m};

#[derive(Debug, clap::Subcommand)]
pub enum MsgCommand {
    /// Send a private message; each recipient also gets an e-mail notification.
    Send(SendArgs),
    /// Your inbox ("My Inbox"), unread first; `*` marks unread messages.
    Inbox,
    /// The messages you have sent.
    Sent,
    /// Show a message of your inbox (and mark it read), or one you sent.
    Show(ShowArgs),
    /// Delete messages from your inbox ("Delete Selected").
    Delete(DeleteArgs),
    /// Encrypt the clear-text messages written before encryption, in place, in one commit.
    Encrypt(EncryptArgs),
}

#[derive(Debug, clap::Args)]
pub struct EncryptArgs {
    /// Every inbox, not only yours (needs staff.admin).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The recipients: logins, comma-separated or repeated.
    #[arg(
        long,
        short = 't',
        value_name = "LOGIN",
        value_delimiter = ',',
        required = true
    )]
    pub to: Vec<Login>,
    /// The subject.
    #[arg(long, short = 's')]
    pub subject: String,
    #[command(flatten)]
    pub body: BodyArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The message key, or a prefix of it that only one message has.
    pub id: String,
}

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// Message keys (or unique prefixes) in your inbox.
    #[arg(required = true)]
    pub ids: Vec<String>,
}

pub fn run(env: &Env, cmd: MsgCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cmd {
        MsgCommand::Send(a) => send(env, a, out),
        MsgCommand::Inbox => inbox(env, out, err),
        MsgCommand::Sent => sent(env, out, err),
        MsgCommand::Show(a) => show(env, a, out, err),
        MsgCommand::Delete(a) => delete(env, a, out),
        MsgCommand::Encrypt(a) => encrypt(env, a, out),
    }
}

fn send(env: &Env, a: SendArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    // Refuse before asking for the text when the actor may not send at all.
    crate::ops::actor::require(
        &me,
        crate::model::Permission::MessagesUse,
        "send private messages",
    )?;
    let body = a.body.read("message")?;
    let (sent, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        m::send(tx, &env.ctx, me, a.to, &a.subject, body)
    })?;
    if env.printer.json {
        let commit = commit.map(|c| c.to_string());
        env.printer
            .json(out, &serde_json::json!({ "sent": sent, "commit": commit }))?;
        return Ok(0);
    }
    let to: Vec<&str> = sent.to.iter().map(Login::as_str).collect();
    writeln!(out, "message {} sent to {}", sent.key, to.join(", "))?;
    if !sent.not_notified.is_empty() {
        let names: Vec<&str> = sent.not_notified.iter().map(Login::as_str).collect();
        writeln!(
            out,
            "no e-mail notification for {} (no e-mail address in their profile)",
            names.join(", ")
        )?;
    }
    Ok(0)
}

fn inbox(env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let loaded = m::inbox(reader.as_ref(), &me, &env.keyring(&desk))?;
    for p in &loaded.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &loaded.items)?;
        return Ok(0);
    }
    let unread = loaded.items.iter().filter(|e| !e.read).count();
    writeln!(out, "My Inbox ({}, {unread} unread)", loaded.items.len())?;
    if loaded.items.is_empty() {
        writeln!(out, "  (none)")?;
        return Ok(0);
    }
    let mut rows = vec![vec![
        "".to_string(),
        "KEY".into(),
        "FROM".into(),
        "DATE".into(),
        "SUBJECT".into(),
    ]];
    for e in &loaded.items {
        rows.push(vec![
            if e.read { " " } else { "*" }.into(),
            e.key.to_string(),
            e.from.to_string(),
            short_time(e.at),
            cell(&e.subject, 60),
        ]);
    }
    table(out, &rows)?;
    Ok(0)
}

fn sent(env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let loaded = m::sent(reader.as_ref(), &me, &env.keyring(&desk))?;
    for p in &loaded.problems {
        writeln!(err, "warning: {p}")?;
    }
    if env.printer.json {
        env.printer.json(out, &loaded.items)?;
        return Ok(0);
    }
    writeln!(out, "Sent messages ({})", loaded.items.len())?;
    if loaded.items.is_empty() {
        writeln!(out, "  (none)")?;
        return Ok(0);
    }
    let mut rows = vec![vec![
        "KEY".to_string(),
        "TO".into(),
        "DATE".into(),
        "SUBJECT".into(),
    ]];
    for e in &loaded.items {
        let to: Vec<&str> = e.to.iter().map(Login::as_str).collect();
        rows.push(vec![
            e.key.to_string(),
            cell(&to.join(","), 30),
            short_time(e.at),
            cell(&e.subject, 60),
        ]);
    }
    table(out, &rows)?;
    Ok(0)
}

fn show(env: &Env, a: ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let reader = desk.reader()?;
    let mut found = m::find(reader.as_ref(), &me, &a.id, &env.keyring(&desk))?;
    if found.copy == m::Copy::Inbox && !found.entry.read {
        if desk.repo().is_none() {
            writeln!(err, "note: not marked read: this desk is read-only")?;
        } else {
            let key = found.entry.key.clone();
            match ops::mutate(&desk, &env.ctx, &me, |tx, me| m::mark_read(tx, me, &key)) {
                Ok(_) => found.entry.read = true,
                Err(e) => writeln!(err, "warning: could not mark it read: {e}")?,
            }
        }
    }
    if env.printer.json {
        env.printer.json(out, &found)?;
        return Ok(0);
    }
    let msg = &found.entry;
    let to: Vec<&str> = msg.to.iter().map(Login::as_str).collect();
    let rows = vec![
        vec!["From:".to_string(), msg.from.to_string()],
        vec!["To:".into(), to.join(", ")],
        vec!["Date:".into(), short_time(msg.at)],
        vec!["Subject:".into(), cell(&msg.subject, 200)],
        vec!["Key:".into(), found.entry.key.to_string()],
    ];
    table(out, &rows)?;
    writeln!(out)?;
    writeln!(out, "{}", safe_text(msg.body.trim_end()))?;
    Ok(0)
}

fn delete(env: &Env, a: DeleteArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (gone, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| m::delete(tx, me, &a.ids))?;
    if env.printer.json {
        let commit = commit.map(|c| c.to_string());
        env.printer.json(
            out,
            &serde_json::json!({ "deleted": gone, "commit": commit }),
        )?;
        return Ok(0);
    }
    for key in &gone {
        writeln!(out, "deleted {key}")?;
    }
    Ok(0)
}

fn encrypt(env: &Env, a: EncryptArgs, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let (done, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| m::encrypt(tx, me, a.all))?;
    if env.printer.json {
        let commit = commit.map(|c| c.to_string());
        env.printer.json(
            out,
            &serde_json::json!({ "encrypted": done.files, "commit": commit }),
        )?;
        return Ok(0);
    }
    if done.files.is_empty() {
        writeln!(out, "no clear-text messages to encrypt")?;
    } else {
        writeln!(out, "encrypted {} message file(s)", done.files.len())?;
        writeln!(
            out,
            "note: their clear text is still in the history of every clone"
        )?;
    }
    Ok(0)
}
