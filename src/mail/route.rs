//! Where an incoming mail belongs. Routing: the first recipient (X-Original-To,
//! Delivered-To, To, Cc, in that order) that is the address of a queue other than the
//! default one picks the queue — queue addresses are aliases of the main support address, so
//! the header that still names the alias decides; otherwise the default queue. (A mail read
//! from a queue's own mailbox goes to that queue; `ops::mail` decides that.) Threading: a
//! Message-ID the desk already holds (In-Reply-To first, then References from the newest),
//! one of the desk's own `<ticket-N.…@domain>` ids, or the `[#N]` tag in the subject.

use crate::model::{Queue, Slug, TicketId};

use super::IncomingMail;

/// What tied a mail to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadedBy {
    /// A Message-ID in In-Reply-To, References or (for a bounce) the returned original.
    Reference,
    /// The `[#N]` tag in the subject.
    SubjectTag,
}

impl ThreadedBy {
    pub fn name(self) -> &'static str {
        match self {
            ThreadedBy::Reference => "reference",
            ThreadedBy::SubjectTag => "subject tag",
        }
    }
}

/// The queue for a new ticket from `mail`: the first recipient that is the address of a
/// queue other than `default`, else `default`. The default queue's address is the main
/// support address, which every alias leads to (and which `Delivered-To` often names), so an
/// alias anywhere among the recipients is the better witness of where the mail was sent.
pub fn queue_for(mail: &IncomingMail, queues: &[Queue], default: &Slug) -> Slug {
    for r in &mail.recipients {
        if let Some(q) = queues.iter().find(|q| {
            &q.slug != default
                && q.email
                    .as_ref()
                    .is_some_and(|e| e.as_str().eq_ignore_ascii_case(r))
        }) {
            return q.slug.clone();
        }
    }
    default.clone()
}

/// The ticket numbers `mail` points at, most reliable first. `lookup` maps a Message-ID the
/// desk holds to its ticket; `domain` is the support address's domain, whose
/// `<ticket-N.…>` ids name their ticket. The caller takes the first that exists.
pub fn candidates(
    mail: &IncomingMail,
    lookup: impl Fn(&str) -> Option<TicketId>,
    domain: &str,
) -> Vec<(TicketId, ThreadedBy)> {
    let ids = mail
        .in_reply_to
        .iter()
        .chain(mail.references.iter().rev())
        .chain(mail.returned_ids.iter());
    let mut out: Vec<(TicketId, ThreadedBy)> = Vec::new();
    for id in ids {
        let found = lookup(id).or_else(|| own_message_ticket(id, domain));
        if let Some(t) = found {
            if !out.iter().any(|(x, _)| *x == t) {
                out.push((t, ThreadedBy::Reference));
            }
        }
    }
    if let Some(t) = subject_tag(&mail.subject) {
        if !out.iter().any(|(x, _)| *x == t) {
            out.push((t, ThreadedBy::SubjectTag));
        }
    }
    out
}

/// The ticket of a `[#1043]` tag in a subject (the first tag).
pub fn subject_tag(subject: &str) -> Option<TicketId> {
    let mut rest = subject;
    while let Some(i) = rest.find("[#") {
        let after = &rest[i + 2..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with(']') {
            if let Ok(id) = digits.parse::<TicketId>() {
                return Some(id);
            }
        }
        rest = after;
    }
    None
}

/// The ticket named by one of the desk's own Message-IDs, `<ticket-1043.KEY@domain>`.
pub fn own_message_ticket(id: &str, domain: &str) -> Option<TicketId> {
    let inner = id.strip_prefix('<')?.strip_suffix('>')?;
    let (local, dom) = inner.rsplit_once('@')?;
    if !dom.eq_ignore_ascii_case(domain) {
        return None;
    }
    let rest = local.strip_prefix("ticket-")?;
    let (num, _) = rest.split_once('.')?;
    num.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::parse;

    fn queue(slug: &str, email: Option<&str>) -> Queue {
        let mut q = Queue::new(slug.parse().unwrap(), slug.into());
        q.email = email.map(|e| e.parse().unwrap());
        q
    }

    #[test]
    fn tags_and_own_ids() {
        let t = |n| TicketId::new(n).unwrap();
        assert_eq!(subject_tag("Re: [#1043] Printer"), Some(t(1043)));
        assert_eq!(subject_tag("[#] x [#12a] y [#7]"), Some(t(7)));
        assert_eq!(subject_tag("no tag #5 [5]"), None);
        assert_eq!(subject_tag("[#0]"), None);
        assert_eq!(
            own_message_ticket(
                "<ticket-1009.20261020T132510Z-alice-e37f@Example.com>",
                "example.com"
            ),
            Some(t(1009))
        );
        assert_eq!(
            own_message_ticket("<ticket-1009.x@evil.test>", "example.com"),
            None
        );
        assert_eq!(
            own_message_ticket("<ticket-x.y@example.com>", "example.com"),
            None
        );
    }

    #[test]
    fn routing_prefers_the_alias() {
        let queues = vec![
            queue("general", Some("support@example.com")),
            queue("billing", Some("billing@example.com")),
            queue("sales", None),
        ];
        let general: Slug = "general".parse().unwrap();
        let route = |raw: &[u8]| queue_for(&parse(raw).unwrap(), &queues, &general).to_string();
        assert_eq!(route(b"From: a@b.example\nX-Original-To: Billing@Example.com\nDelivered-To: support@example.com\nTo: support@example.com\n\nhi\n"), "billing");
        // Delivered-To names the main address the alias led to; To still names the alias.
        assert_eq!(route(b"From: a@b.example\nDelivered-To: support@example.com\nTo: billing@example.com\n\nhi\n"), "billing");
        assert_eq!(
            route(b"From: a@b.example\nTo: someone@else.example\nCc: billing@example.com\n\nhi\n"),
            "billing"
        );
        assert_eq!(
            route(b"From: a@b.example\nTo: support@example.com\n\nhi\n"),
            "general"
        );
        assert_eq!(
            route(b"From: a@b.example\nTo: someone@else.example\n\nhi\n"),
            "general"
        );
    }

    #[test]
    fn threading_order() {
        let m = parse(
            b"From: a@b.example\nSubject: Re: [#5] x\nIn-Reply-To: <unknown@x>\nReferences: <known-1@x> <ticket-9.k@example.com>\n\nhi\n",
        )
        .unwrap();
        let lookup = |id: &str| (id == "<known-1@x>").then(|| TicketId::new(3).unwrap());
        let c = candidates(&m, lookup, "example.com");
        let got: Vec<(u64, ThreadedBy)> = c.into_iter().map(|(t, b)| (t.get(), b)).collect();
        assert_eq!(
            got,
            vec![
                (9, ThreadedBy::Reference),
                (3, ThreadedBy::Reference),
                (5, ThreadedBy::SubjectTag)
            ]
        );
    }
}
