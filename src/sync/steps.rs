//! What a sync does besides moving commits, in the order DESIGN.md gives: mail intake and
//! auto-close before the push, sending the outbox once the remote has the commits that
//! queued it (so a customer never gets an answer the desk has not shared), and the site
//! rebuilt at the end when `desk.yaml` names an output directory.
//!
//! Mail intake and delivery are skipped with `--no-mail`, and delivery also without a push
//! (an unpushed clone must not send what another clone may send too). A failing step is a
//! note in the report, not a failed sync: the commits are what must move.

use crate::context::Context;
use crate::mail::smtp::{SmtpLogin, SmtpSender};
use crate::model::Staff;
use crate::ops::{self, mail as m, OpError};
use crate::site::{NoProgress, Site, SiteOptions};
use crate::store::{Desk, DeskRead};

use super::{SyncReport, SyncSteps};

pub struct DeskSteps<'a> {
    pub ctx: &'a Context,
    /// Who auto-closes (skipped without one).
    pub actor: Option<Staff>,
    /// Ingest and send mail.
    pub mail: bool,
    /// The SMTP login, from the environment.
    pub smtp_login: Option<SmtpLogin>,
}

impl SyncSteps for DeskSteps<'_> {
    fn between(&mut self, desk: &Desk, report: &mut SyncReport) -> Result<(), OpError> {
        if self.mail {
            let reader = desk.reader()?;
            let settings = reader.settings()?;
            let queues = reader.all_queues()?.items;
            let boxes = m::default_mailboxes(desk, &settings, &queues);
            if !boxes.is_empty() {
                match m::ingest(desk, self.ctx, &boxes) {
                    Ok(r) => {
                        report.mail_ingested += r
                            .mails
                            .iter()
                            .filter(|i| !matches!(i.outcome, m::Outcome::Duplicate { .. }))
                            .count();
                        report.notes.extend(r.warnings);
                    }
                    Err(e) => report.notes.push(format!("mail intake failed: {e}")),
                }
            }
        }
        let Some(me) = &self.actor else {
            report.notes.push("auto-close skipped: no acting staff member (use --as, GIT_DESK_ACTOR or git's user.email)".into());
            return Ok(());
        };
        let pass = ops::periodic::run(desk, self.ctx, me)?;
        report.woken += pass.woken.done.len();
        report.autoclosed += pass.closed.done.len();
        report.escalated += pass.escalated.done.len();
        Ok(())
    }

    fn after_push(&mut self, desk: &Desk, report: &mut SyncReport) -> Result<bool, OpError> {
        if !self.mail {
            return Ok(false);
        }
        let head = desk.reader_at("HEAD")?;
        if head.outbox()?.items.is_empty() {
            return Ok(false);
        }
        let settings = head.settings()?;
        let mut sender = match SmtpSender::new(&settings.smtp, self.smtp_login.clone()) {
            Ok(s) => s,
            Err(e) => {
                report.notes.push(format!("mail not sent: {e}"));
                return Ok(false);
            }
        };
        match m::send(desk, self.ctx, &mut sender) {
            Ok(r) => {
                report.mail_sent += r
                    .mails
                    .iter()
                    .filter(|s| matches!(s.outcome, m::SendOutcome::Sent))
                    .count();
                report.notes.extend(r.problems);
                report.notes.extend(unsent_notes(&r.mails));
                Ok(r.commit.is_some())
            }
            Err(e) => {
                report.notes.push(format!("mail not sent: {e}"));
                Ok(false)
            }
        }
    }

    fn finish(&mut self, desk: &Desk, report: &mut SyncReport) {
        let (output, customers) = match desk.reader().and_then(|r| r.settings()) {
            Ok(s) => (
                s.site.output.filter(|o| !o.trim().is_empty()),
                s.site.customers.filter(|o| !o.trim().is_empty()),
            ),
            Err(_) => (None, None),
        };
        let Some(output) = output else { return };
        let out = desk.root().join(output);
        let options = SiteOptions {
            out: out.clone(),
            for_login: None,
            inbox: Vec::new(),
            full: false,
            now: self.ctx.now(),
        };
        match Site::load(desk, options).and_then(|s| s.build(&NoProgress)) {
            Ok(summary) => report.site_pages = Some(summary.written),
            Err(e) => report.notes.push(format!("the site was not rebuilt: {e}")),
        }
        // The customer status pages, when the desk publishes them.
        if let Some(c) = customers {
            let dir = desk.root().join(c);
            if let Err(e) = crate::site::customers::build(desk, &dir, Some(&out), self.ctx.now()) {
                report
                    .notes
                    .push(format!("the customer pages were not rebuilt: {e}"));
            }
        }
    }
}

/// After a hand edit (no commit): the search index and the site, nothing else.
pub fn refresh_derived(desk: &Desk, steps: &mut DeskSteps<'_>) -> SyncReport {
    let mut r = SyncReport::default();
    super::refresh_index(desk, &mut r);
    steps.finish(desk, &mut r);
    r
}

/// What the report says about mails that did not go out this time: a deferred mail stays in
/// the outbox, so a sync that only said "pushed" hid a mail server that was down.
fn unsent_notes(mails: &[m::Sent]) -> Vec<String> {
    let mut deferred = mails.iter().filter_map(|s| match &s.outcome {
        m::SendOutcome::Deferred { error, .. } => Some(error.as_str()),
        _ => None,
    });
    let mut notes = Vec::new();
    if let Some(first) = deferred.next() {
        notes.push(format!(
            "{} mail(s) deferred, kept in the outbox for the next sync: {first}",
            1 + deferred.count()
        ));
    }
    for s in mails {
        if let m::SendOutcome::Rejected { error, .. } = &s.outcome {
            notes.push(format!("mail to {} given up: {error}", s.to.join(", ")));
        }
    }
    notes
}
