//! The parser against the .eml corpus in `tests/fixtures/mail/`.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn ok(name: &str) -> IncomingMail {
    parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn plain_text() {
    let m = ok("plain.eml");
    assert_eq!(m.message_id, "<plain-1@doe.example>");
    assert_eq!(m.from.as_str(), "john@doe.example");
    assert_eq!(m.from_name.as_deref(), Some("John Doe"));
    assert_eq!(m.recipients, ["support@example.com"]);
    assert_eq!(m.subject, "Cannot log in to webmail");
    assert!(m
        .body
        .starts_with("Hello,\n\nsince this morning webmail says \"invalid password\""));
    assert!(m.body.ends_with("John\n"));
    assert!(m.attachments.is_empty() && !m.bounce && m.auto_submitted.is_none());
}

#[test]
fn alternative_prefers_plain_text() {
    let m = ok("alternative.eml");
    assert!(m.body.contains("(€49.00 each)"), "{}", m.body);
    assert!(!m.body.contains("HTML VERSION"));
    assert_eq!(m.recipients, ["billing@example.com"]);
}

#[test]
fn html_only_becomes_text() {
    let m = ok("html-only.eml");
    assert!(
        m.body.contains("12 sites to the Business plan & keep"),
        "{}",
        m.body
    );
    assert!(!m.body.contains('<'), "{}", m.body);
    assert!(
        !m.body.contains("alert") && !m.body.contains("ignored title") && !m.body.contains("color")
    );
    assert!(m.body.contains("Best,\nNina"));
}

#[test]
fn charsets_are_decoded() {
    let m = ok("latin1.eml");
    assert_eq!(m.subject, "Problème de facturation à régler");
    assert_eq!(m.from_name.as_deref(), Some("Renée François"));
    assert!(m.body.contains("erronée : le montant dû est faux"));
    let m = ok("utf8-subject.eml");
    assert_eq!(m.subject, "Сервер не отвечает ✓");
    assert_eq!(m.body, "Здравствуйте, сервер не отвечает — помогите!\n");
}

#[test]
fn attachments_are_kept_with_their_names() {
    let m = ok("attachments.eml");
    assert_eq!(m.attachments.len(), 2);
    let png = &m.attachments[0];
    assert_eq!(png.name.as_deref(), Some("screen shot.png"));
    assert_eq!(png.content_type.as_deref(), Some("image/png"));
    assert!(png.bytes.starts_with(b"\x89PNG\r\n"));
    assert_eq!(
        m.attachments[1].name.as_deref(),
        Some("../../../.git/hooks/error.log")
    );
    assert!(m.attachments[1].bytes.starts_with(b"Nov 27 11:02:13 web1"));
    assert!(!m.body.contains("iVBOR"));
}

#[test]
fn threading_headers() {
    let m = ok("reply-in-reply-to.eml");
    assert_eq!(
        m.in_reply_to,
        ["<ticket-1009.20261020T132510Z-alice-e37f@example.com>"]
    );
    assert_eq!(m.references.len(), 2);
    assert_eq!(
        m.references[0],
        "<b84354a0-4021-33d0-b788-219eb65a783e@kimdesign.test>"
    );
}

#[test]
fn automated_mail_headers() {
    assert_eq!(
        ok("auto-reply.eml").auto_submitted.as_deref(),
        Some("auto-replied")
    );
    let l = ok("list.eml");
    assert_eq!(l.precedence.as_deref(), Some("bulk"));
    assert!(l
        .list_id
        .as_deref()
        .unwrap()
        .contains("news.lists.hostingnews.test"));
}

#[test]
fn bounce_reports_the_returned_message() {
    let m = ok("bounce.eml");
    assert!(m.bounce);
    assert_eq!(
        m.returned_ids,
        ["<ticket-1018.20261127T115000Z-bob-77aa@example.com>"]
    );
    assert!(m.body.contains("mailbox full"));
    assert!(m.body.contains("Status: 5.2.2"));
    assert!(m.attachments.is_empty());
}

#[test]
fn malformed_mail_is_refused_with_a_reason() {
    assert_eq!(
        parse(&fixture("malformed.eml")),
        Err(MailError::BadMime(
            "a multipart/mixed part declares no boundary".into()
        ))
    );
    assert_eq!(parse(&fixture("garbage.eml")), Err(MailError::NotMail));
    assert_eq!(parse(b"\n\n"), Err(MailError::Empty));
    assert_eq!(
        parse(b"Subject: hi\n\nno sender\n"),
        Err(MailError::NoSender)
    );
    assert!(matches!(
        parse(b"From: not an address\nSubject: hi\n\nx\n"),
        Err(MailError::NoSender | MailError::BadSender(_))
    ));
    let lost = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=zz\n\n--other\n\nx\n";
    assert!(matches!(parse(lost), Err(MailError::BadMime(m)) if m.contains("`zz`")));
}

#[test]
fn missing_message_id_is_made_stable() {
    let a = parse(b"Received: by x\nFrom: a@b.example\nSubject: s\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\nbody\n").unwrap();
    let b = parse(b"Received: by y\nDelivered-To: z@example.com\nFrom: a@b.example\nSubject: s\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\nbody\n").unwrap();
    assert_eq!(a.message_id, b.message_id);
    assert!(a.message_id.ends_with("@no-message-id.invalid>"));
    let c =
        parse(b"From: a@b.example\nSubject: s\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\nother\n")
            .unwrap();
    assert_ne!(a.message_id, c.message_id);
}

#[test]
fn header_values_stay_on_one_line() {
    let m = parse(b"From: a@b.example\nSubject: =?UTF-8?Q?evil=0D=0ABcc:_x@y?=\n\nx\n").unwrap();
    assert!(!m.subject.contains('\n') && !m.subject.contains('\r'));
    assert_eq!(m.subject, "evil Bcc: x@y");
}
