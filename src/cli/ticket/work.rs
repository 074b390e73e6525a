//! `git desk ticket answer|note|assign|pickup|release|reply`: working on a ticket.

use crate::model::Op;
use std::io::Write;

use anyhow::Result;

use super::super::attach::AttachArgs;
use super::super::body::BodyArgs;
use super::super::spell;
use super::super::Env;
use super::one;
use crate::model::{Email, Login, Priority, Status, TicketId};
use crate::ops::ticket as t;
use crate::store::DeskRead;

#[derive(Debug, clap::Args)]
pub struct IdArgs {
    /// The ticket id.
    pub id: TicketId,
}

/// Answer the customer (e-mailed); the ticket must be yours, or use --pickup.
///
/// The text, with your signature, is e-mailed to the customer: the mail is queued in
/// outbox/ in the same commit. The ticket must be assigned to you (or use --pickup) and
/// your profile complete. Afterwards the desk's auto_close_days decides: 0 closes the
/// ticket at once, N leaves it `answered` for `git desk autoclose`, -1 leaves it answered.
///
/// --spellcheck checks the text first: on a terminal it offers each misspelled word's
/// suggestions (or keep it, or add it to desk.yaml's spelling.words with settings.admin);
/// otherwise it refuses to send a text with misspellings unless --force.
#[derive(Debug, clap::Args)]
pub struct AnswerArgs {
    /// The ticket id.
    pub id: TicketId,
    #[command(flatten)]
    pub body: BodyArgs,
    #[command(flatten)]
    pub attach: AttachArgs,
    /// Also add this internal note, in the same commit.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Pick the ticket up first (when it is nobody's).
    #[arg(long)]
    pub pickup: bool,
    /// Cite this knowledge-base article: its text is appended (repeatable).
    #[arg(long = "kb", value_name = "SLUG")]
    pub kb: Vec<crate::model::Slug>,
    /// Send this saved reply (`replies/SLUG.md`) with its variables filled in; text given
    /// with -m/--body-file comes before it (--spellcheck checks only that text). Refused,
    /// with nothing sent, when the reply is for other queues or names an unknown variable.
    #[arg(long, value_name = "SLUG")]
    pub reply: Option<crate::model::Slug>,
    /// Check the spelling of the text before sending it.
    #[arg(long)]
    pub spellcheck: bool,
    /// With --spellcheck: send even with misspelled words (they are listed as warnings).
    #[arg(long, requires = "spellcheck")]
    pub force: bool,
    #[command(flatten)]
    pub time: super::time::TimeFlags,
}

/// Add an internal note (never e-mailed).
///
/// The note is kept in the thread for technicians; the status does not change.
#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// The ticket id.
    pub id: TicketId,
    #[command(flatten)]
    pub body: BodyArgs,
    #[command(flatten)]
    pub attach: AttachArgs,
    #[command(flatten)]
    pub time: super::time::TimeFlags,
}

/// Assign to a technician or to nobody, optionally with priority, status and sticky.
///
/// All in one commit. Assigning to somebody else (or taking a ticket from them) needs
/// tickets.assign_others; assigning needs a complete profile. A sticky ticket keeps its
/// assignee when the customer replies.
#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    /// The ticket id.
    pub id: TicketId,
    /// A staff login, or `nobody`.
    #[arg(value_parser = parse_assignee, value_name = "LOGIN|nobody")]
    pub to: Assignee,
    /// New priority, 0–100.
    #[arg(long, short = 'p')]
    pub priority: Option<Priority>,
    /// New status.
    #[arg(long, short = 's')]
    pub status: Option<Status>,
    /// Keep the assignee when the customer replies.
    #[arg(long, conflicts_with = "no_sticky")]
    pub sticky: bool,
    /// A customer reply unassigns the ticket (the default).
    #[arg(long)]
    pub no_sticky: bool,
}

/// A login or nobody.
#[derive(Debug, Clone)]
pub struct Assignee(pub Option<Login>);

fn parse_assignee(s: &str) -> Result<Assignee, String> {
    if s == "nobody" || s == "none" {
        return Ok(Assignee(None));
    }
    s.parse()
        .map(|l| Assignee(Some(l)))
        .map_err(|e: crate::model::InvalidValue| e.0)
}

/// Add or remove tags: `+name` (or `name`) adds, `-name` removes.
///
/// Tags are one lower-case word each (letters, digits, `-`, `_`; at most 32 characters) and
/// a ticket keeps at most 20, sorted. They show in lists, on the site and in `stats`, and
/// are searched with `tag:NAME`. One commit; refused when nothing would change.
#[derive(Debug, clap::Args)]
pub struct TagArgs {
    /// The ticket id.
    pub id: TicketId,
    /// Changes such as `+vip -needs-info`.
    #[arg(required = true, allow_hyphen_values = true, value_name = "+TAG|-TAG")]
    pub changes: Vec<t::TagChange>,
}

/// Apply a macro (`macros/SLUG.yaml`): all its steps in one commit, or none.
///
/// The steps run as assignee, tags, priority, saved reply (an answer, e-mailed), note,
/// then queue and status; each is checked as its own command would be, and any failure
/// (a missing permission, an unknown queue or reply variable, an answer to a ticket that
/// is not yours) refuses the whole macro with nothing written or sent.
#[derive(Debug, clap::Args)]
pub struct MacroArgs {
    /// The ticket id.
    pub id: TicketId,
    /// The macro.
    #[arg(value_name = "SLUG")]
    pub slug: crate::model::Slug,
}

/// Record a message from the customer (as mail intake does).
///
/// It reopens an answered, resolved or closed ticket and unassigns it unless the ticket is
/// sticky.
#[derive(Debug, clap::Args)]
pub struct ReplyArgs {
    /// The ticket id.
    pub id: TicketId,
    /// The customer's address (default: the ticket's e-mail).
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<Email>,
    /// The Message-ID of the customer's mail, if known; a second message with the same id
    /// is refused.
    #[arg(long, value_name = "ID")]
    pub message_id: Option<String>,
    #[command(flatten)]
    pub body: BodyArgs,
    #[command(flatten)]
    pub attach: AttachArgs,
}

pub fn answer(env: &Env, a: AnswerArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let time = a.time.entry()?;
    // With a saved reply, a text of one's own is optional: only what is given is read.
    let typed = a.body.body.is_some() || a.body.body_file.is_some();
    let body = if a.reply.is_some() && !typed {
        String::new()
    } else {
        a.body.read("answer")?
    };
    let desk = env.desk()?;
    let attachments = a.attach.read(&desk)?;
    let mut input = t::AnswerInput {
        body,
        attachments,
        note: a.note,
        pickup: a.pickup,
        kb: a.kb,
        reply: a.reply,
        time,
    };
    let mut add_words = Vec::new();
    if a.spellcheck {
        let me = env.actor(&desk)?;
        // Refuse now, not after the technician has gone through the words, when the answer
        // could not be made anyway: a trial run in a transaction that is dropped.
        {
            let mut tx = desk.begin(env.ctx.now())?;
            let me = crate::ops::actor::reload(&tx, &me)?;
            t::answer(&mut tx, &env.ctx, &me, a.id, input.clone())?;
        }
        let words = desk.reader()?.settings()?.spelling.words;
        let stdin = std::io::stdin();
        let on_terminal = std::io::IsTerminal::is_terminal(&stdin);
        let mut keys = stdin.lock();
        let terminal: Option<&mut dyn std::io::BufRead> = on_terminal.then_some(&mut keys);
        let can_add = crate::ops::spelling::may_add(&me);
        let review =
            spell::check_before_commit(&input.body, &words, a.force, can_add, terminal, err)?;
        input.body = review.text;
        add_words = review.add_words;
    }
    if add_words.is_empty() {
        return one(env, out, Op::TicketAnswer, |tx, me| {
            t::answer(tx, &env.ctx, me, a.id, input)
        });
    }
    // Words the technician added go to desk.yaml in the answer's commit.
    let me = env.actor(&desk)?;
    let (done, commit) = crate::ops::mutate(&desk, &env.ctx, &me, |tx, me| {
        let done = t::answer(tx, &env.ctx, me, a.id, input)?;
        let added = crate::ops::spelling::add_words(tx, me, &add_words)?;
        let mut msg = done.message(Op::TicketAnswer, &me.login);
        if !added.is_empty() {
            msg.body = Some(format!(
                "Added to the desk's spelling words: {}",
                added.join(", ")
            ));
        }
        Ok((done, msg))
    })?;
    super::report(env, out, &[done], commit)
}

pub fn note(env: &Env, a: NoteArgs, out: &mut dyn Write) -> Result<i32> {
    let time = a.time.entry()?;
    let body = a.body.read("note")?;
    let attachments = a.attach.read(&env.desk()?)?;
    one(env, out, Op::TicketNote, |tx, me| {
        t::note(tx, &env.ctx, me, a.id, body, attachments, time)
    })
}

pub fn assign(env: &Env, a: AssignArgs, out: &mut dyn Write) -> Result<i32> {
    let input = t::AssignInput {
        to: a.to.0,
        priority: a.priority,
        status: a.status,
        sticky: match (a.sticky, a.no_sticky) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    one(env, out, Op::TicketAssign, |tx, me| {
        t::assign(tx, me, a.id, input)
    })
}

pub fn tag(env: &Env, a: TagArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketTag, |tx, me| {
        t::tag(tx, me, a.id, &a.changes)
    })
}

pub fn apply_macro(env: &Env, a: MacroArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketMacro, |tx, me| {
        crate::ops::macros::apply(tx, &env.ctx, me, a.id, &a.slug)
    })
}

pub fn pickup(env: &Env, a: IdArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketPickup, |tx, me| t::pickup(tx, me, a.id))
}

pub fn release(env: &Env, a: IdArgs, out: &mut dyn Write) -> Result<i32> {
    one(env, out, Op::TicketRelease, |tx, me| {
        t::release(tx, me, a.id)
    })
}

pub fn reply(env: &Env, a: ReplyArgs, out: &mut dyn Write) -> Result<i32> {
    let body = a.body.read("customer's message")?;
    let attachments = a.attach.read(&env.desk()?)?;
    one(env, out, Op::TicketReply, |tx, me| {
        let from = match a.from {
            Some(f) => f,
            None => t::load(tx, a.id)?.email,
        };
        let msg = t::IncomingCustomerMessage {
            from,
            body,
            message_id: a.message_id,
            at: None,
            attachments,
        };
        t::reply(tx, &env.ctx, me, a.id, msg)
    })
}
