//! Mail loops and abuse: which incoming mails must never get an auto-response. A mail that
//! an automaton sent (RFC 3834 `Auto-Submitted`, the common `X-Autoreply`), a bounce, a
//! list or bulk mail, or one from the desk's own addresses is taken in like any other but
//! answered by no robot; on top of that, no sender gets more than
//! `autoresponse_limit_per_hour` auto-responses in an hour (see `ops::mail`).

use std::fmt;

use super::IncomingMail;
use crate::model::Email;

/// Why a mail gets no auto-response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAutoResponse {
    /// `Auto-Submitted: auto-replied` and the like.
    AutoSubmitted(String),
    Bounce,
    /// `Precedence: bulk|list|junk`, or a `List-Id`.
    List(String),
    /// From one of the desk's own addresses.
    OwnAddress(String),
    /// The sender already had the hourly limit of auto-responses.
    RateLimited {
        limit: u32,
    },
    /// The queue has no new-ticket response.
    NoneConfigured,
    /// The sender's address could not be decoded (it is given as it came).
    UnusableAddress(String),
}

impl fmt::Display for NoAutoResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoAutoResponse::AutoSubmitted(v) => write!(f, "sent by an automaton ({v})"),
            NoAutoResponse::Bounce => f.write_str("a bounce"),
            NoAutoResponse::List(why) => write!(f, "a list or bulk mail ({why})"),
            NoAutoResponse::OwnAddress(a) => write!(f, "from the desk's own address {a}"),
            NoAutoResponse::RateLimited { limit } => {
                write!(f, "the sender had {limit} auto-responses in the last hour")
            }
            NoAutoResponse::NoneConfigured => f.write_str("the queue has no new-ticket response"),
            NoAutoResponse::UnusableAddress(a) => {
                write!(f, "the sender's address `{a}` could not be decoded")
            }
        }
    }
}

/// The first reason the mail's content gives for not auto-responding to it, if any.
/// `own` are the desk's addresses (support address, queue addresses, the From of outgoing
/// mail).
pub fn automated(mail: &IncomingMail, own: &[Email]) -> Option<NoAutoResponse> {
    if mail.bounce {
        return Some(NoAutoResponse::Bounce);
    }
    if let Some(v) = &mail.auto_submitted {
        return Some(NoAutoResponse::AutoSubmitted(v.clone()));
    }
    if let Some(p) = mail
        .precedence
        .as_deref()
        .filter(|p| matches!(*p, "bulk" | "list" | "junk"))
    {
        return Some(NoAutoResponse::List(format!("Precedence: {p}")));
    }
    if let Some(id) = &mail.list_id {
        return Some(NoAutoResponse::List(format!("List-Id: {id}")));
    }
    let senders = std::iter::once(&mail.from).chain(mail.reply_to.as_ref());
    for s in senders {
        if let Some(o) = own
            .iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s.as_str()))
        {
            return Some(NoAutoResponse::OwnAddress(o.to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::parse;

    fn mail(headers: &str) -> IncomingMail {
        let raw =
            format!("From: a@b.example\nTo: support@example.com\nSubject: x\n{headers}\nhello\n");
        parse(raw.as_bytes()).unwrap()
    }

    #[test]
    fn automated_mail_is_recognised() {
        let own: Vec<Email> = vec!["support@example.com".parse().unwrap()];
        assert_eq!(automated(&mail(""), &own), None);
        assert_eq!(automated(&mail("Auto-Submitted: no\n"), &own), None);
        assert_eq!(
            automated(&mail("Auto-Submitted: auto-generated\n"), &own),
            Some(NoAutoResponse::AutoSubmitted("auto-generated".into()))
        );
        assert!(matches!(
            automated(&mail("X-Autoreply: yes\n"), &own),
            Some(NoAutoResponse::AutoSubmitted(_))
        ));
        assert!(matches!(
            automated(&mail("Precedence: Bulk\n"), &own),
            Some(NoAutoResponse::List(_))
        ));
        assert_eq!(automated(&mail("Precedence: first-class\n"), &own), None);
        assert!(matches!(
            automated(&mail("List-Id: <x.lists.example>\n"), &own),
            Some(NoAutoResponse::List(_))
        ));
        assert_eq!(
            automated(&mail("Return-Path: <>\n"), &own),
            Some(NoAutoResponse::Bounce)
        );
        assert_eq!(
            automated(&mail("Reply-To: SUPPORT@Example.com\n"), &own),
            Some(NoAutoResponse::OwnAddress("support@example.com".into()))
        );
        let ours = parse(b"From: Support <support@EXAMPLE.com>\nSubject: x\n\nhi\n").unwrap();
        assert_eq!(
            automated(&ours, &own),
            Some(NoAutoResponse::OwnAddress("support@example.com".into()))
        );
    }
}
