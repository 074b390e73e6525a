//! An outbox file made into a MIME message. Every header value that came from a ticket or
//! a customer is checked or cleaned here, so no value can add a header: addresses must
//! parse as one mailbox without control characters, Message-IDs must be one `<…>` token,
//! and the subject is put on one line. The Message-ID is the outbox file's own, so sending
//! the same file twice (after a crash) yields the same, recognisable message.

use std::time::{Duration, SystemTime};

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::model::{MailKind, OutMail, Timestamp};

/// The domain of [`crate::mail::UNKNOWN_SENDER`].
const UNKNOWN_DOMAIN: &str = "address.invalid";

/// A file to attach: its name, bytes and MIME type.
#[derive(Debug, Clone)]
pub struct OutAttachment {
    pub name: String,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// Why an outbox file cannot become a message; such a mail can never be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("{field}: `{value}` is not a valid mailbox")]
    Address { field: &'static str, value: String },
    #[error("{field}: `{value}` is not a Message-ID (<local@domain>)")]
    MessageId { field: &'static str, value: String },
    #[error("the mail has no recipient")]
    NoRecipient,
    #[error("the customer's address is unknown (it could not be decoded); set it with `git desk ticket edit ID --email ADDRESS`")]
    UnknownAddress,
    #[error("building the message: {0}")]
    Build(String),
}

fn mailbox(field: &'static str, value: &str) -> Result<Mailbox, ComposeError> {
    let bad = || ComposeError::Address {
        field,
        value: crate::mail::parse::one_line(value),
    };
    if value.chars().any(char::is_control) {
        return Err(bad());
    }
    value.trim().parse::<Mailbox>().map_err(|_| bad())
}

/// A thread id as received: `Ok(None)` for one that is a clean token but not of the form
/// `<local@domain>` (some mailers send `<alpha>`): the desk threads by it, but it is left
/// out of the headers it sends, which must stay valid. Anything with blanks or control
/// characters is refused, as it could add a header.
fn thread_id(field: &'static str, value: &str) -> Result<Option<String>, ComposeError> {
    match message_id(field, value) {
        Ok(id) => Ok(Some(id)),
        Err(e) => {
            let v = value.trim();
            let clean = v.starts_with('<')
                && v.ends_with('>')
                && !v[1..v.len() - 1]
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
            if clean {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

/// `<local@domain>`: no blanks, controls or extra angle brackets.
fn message_id(field: &'static str, value: &str) -> Result<String, ComposeError> {
    let v = value.trim();
    let inner = v.strip_prefix('<').and_then(|s| s.strip_suffix('>'));
    let ok = inner.is_some_and(|s| {
        !s.is_empty()
            && s.len() <= 250
            && s.contains('@')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(ComposeError::MessageId {
            field,
            value: crate::mail::parse::one_line(value),
        })
    }
}

/// The message for `out`. `default_from` is used when the file's own From is empty.
pub fn compose(
    out: &OutMail,
    default_from: &str,
    attachments: Vec<OutAttachment>,
    date: Timestamp,
) -> Result<Message, ComposeError> {
    let from_text = if out.from.trim().is_empty() {
        default_from
    } else {
        out.from.as_str()
    };
    let mut b = Message::builder()
        .from(mailbox("from", from_text)?)
        .subject(crate::mail::parse::one_line(&out.subject))
        .message_id(Some(message_id("message_id", &out.message_id)?))
        .date(SystemTime::UNIX_EPOCH + Duration::from_secs(date.unix().max(0) as u64));
    if out.to.is_empty() {
        return Err(ComposeError::NoRecipient);
    }
    for to in &out.to {
        let m = mailbox("to", to)?;
        if m.email.domain().eq_ignore_ascii_case(UNKNOWN_DOMAIN) {
            return Err(ComposeError::UnknownAddress);
        }
        b = b.to(m);
    }
    for cc in &out.cc {
        b = b.cc(mailbox("cc", cc)?);
    }
    if let Some(irt) = &out.in_reply_to {
        if let Some(id) = thread_id("in_reply_to", irt)? {
            b = b.in_reply_to(id);
        }
    }
    let mut refs = Vec::new();
    for r in &out.references {
        refs.extend(thread_id("references", r)?);
    }
    if !refs.is_empty() {
        b = b.references(refs.join(" "));
    }
    let auto = match out.kind {
        MailKind::Answer => None,
        MailKind::Autoresponse => Some("auto-replied"),
        MailKind::Notification => Some("auto-generated"),
    };
    if let Some(v) = auto {
        // RFC 3834: tells other robots not to answer this one.
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            v.into(),
        ));
    }
    let text = SinglePart::plain(out.body.replace("\r\n", "\n"));
    let built = if attachments.is_empty() {
        b.singlepart(text)
    } else {
        let mut mixed = MultiPart::mixed().singlepart(text);
        for a in attachments {
            let ct = a
                .content_type
                .as_deref()
                .and_then(|c| ContentType::parse(c).ok())
                .unwrap_or_else(|| {
                    ContentType::parse("application/octet-stream").expect("a valid MIME type")
                });
            let name = crate::model::sanitize_file_name(&a.name);
            mixed = mixed.singlepart(Attachment::new(name).body(a.bytes, ct));
        }
        b.multipart(mixed)
    };
    built.map_err(|e| ComposeError::Build(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out() -> OutMail {
        OutMail {
            message_id: "<ticket-1043.20261127T174501Z-alice-3f2a@example.com>".into(),
            kind: MailKind::Answer,
            ticket: Some(crate::model::TicketId::new(1043).unwrap()),
            from: "Example Support <support@example.com>".into(),
            to: vec!["John Doe <john@doe.example>".into()],
            cc: vec![],
            subject: "[#1043] Re: Printer on fire — ü".into(),
            in_reply_to: Some("<abc@doe.example>".into()),
            references: vec!["<abc@doe.example>".into()],
            body: "It is out.\n".into(),
            attachments: vec![],
            created_at: "2026-11-27T17:45:01Z".parse().unwrap(),
            attempts: 0,
            next_try_at: None,
            last_error: None,
            extra: Default::default(),
        }
    }

    fn text(m: &Message) -> String {
        String::from_utf8(m.formatted()).unwrap()
    }

    #[test]
    fn headers_of_an_answer() {
        let now = "2026-11-27T18:00:00Z".parse().unwrap();
        let m = compose(&out(), "x@example.com", vec![], now).unwrap();
        let t = text(&m);
        assert!(
            t.contains("Message-ID: <ticket-1043.20261127T174501Z-alice-3f2a@example.com>\r\n"),
            "{t}"
        );
        assert!(t.contains("In-Reply-To: <abc@doe.example>\r\n"));
        assert!(t.contains("References: <abc@doe.example>\r\n"));
        assert!(
            t.contains("Date: Fri, 27 Nov 2026 18:00:00 +0000\r\n"),
            "{t}"
        );
        assert!(!t.contains("Auto-Submitted"));
        let mut a = out();
        a.kind = MailKind::Autoresponse;
        assert!(text(&compose(&a, "x@example.com", vec![], now).unwrap())
            .contains("Auto-Submitted: auto-replied\r\n"));
    }

    #[test]
    fn no_header_injection() {
        let now = "2026-11-27T18:00:00Z".parse().unwrap();
        let mut o = out();
        o.subject = "Hi\r\nBcc: victim@evil.example\r\n\r\nbody".into();
        let t = text(&compose(&o, "x@example.com", vec![], now).unwrap());
        assert!(!t.contains("\r\nBcc:"), "{t}");
        assert!(
            t.contains("Subject: Hi Bcc: victim@evil.example body\r\n"),
            "{t}"
        );

        let mut o = out();
        o.to = vec!["john@doe.example\r\nBcc: victim@evil.example".into()];
        assert!(matches!(
            compose(&o, "x@example.com", vec![], now),
            Err(ComposeError::Address { field: "to", .. })
        ));
        let mut o = out();
        o.in_reply_to = Some("<a@b>\r\nBcc: victim@evil.example".into());
        assert!(matches!(
            compose(&o, "x@example.com", vec![], now),
            Err(ComposeError::MessageId { .. })
        ));
        let mut o = out();
        o.references = vec!["<a@b> <c@d>".into()];
        assert!(compose(&o, "x@example.com", vec![], now).is_err());
        let mut o = out();
        o.to.clear();
        assert_eq!(
            compose(&o, "x@example.com", vec![], now).unwrap_err(),
            ComposeError::NoRecipient
        );
    }

    #[test]
    fn cc_is_copied_and_odd_thread_ids_are_left_out() {
        let now = "2026-11-27T18:00:00Z".parse().unwrap();
        let mut o = out();
        o.cc = vec!["ann@doe.example".into()];
        o.in_reply_to = Some("<alpha>".into());
        o.references = vec!["<alpha>".into(), "<abc@doe.example>".into()];
        let m = compose(&o, "x@example.com", vec![], now).unwrap();
        let t = text(&m);
        assert!(t.contains("Cc: ann@doe.example\r\n"), "{t}");
        assert!(!t.contains("In-Reply-To"), "{t}");
        assert!(t.contains("References: <abc@doe.example>\r\n"), "{t}");
        let rcpt: Vec<String> = m.envelope().to().iter().map(|a| a.to_string()).collect();
        assert_eq!(rcpt, ["john@doe.example", "ann@doe.example"]);

        let mut o = out();
        o.to = vec![crate::mail::UNKNOWN_SENDER.into()];
        assert_eq!(
            compose(&o, "x@example.com", vec![], now).unwrap_err(),
            ComposeError::UnknownAddress
        );
    }

    #[test]
    fn attachments_make_a_mixed_message() {
        let now = "2026-11-27T18:00:00Z".parse().unwrap();
        let files = vec![OutAttachment {
            name: "../report.pdf".into(),
            bytes: b"%PDF-1.4".to_vec(),
            content_type: Some("application/pdf".into()),
        }];
        let t = text(&compose(&out(), "x@example.com", files, now).unwrap());
        assert!(t.contains("multipart/mixed"));
        assert!(t.contains("filename=\"report.pdf\""), "{t}");
        assert!(t.contains("Content-Type: application/pdf"));
    }
}
