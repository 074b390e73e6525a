//! Unit tests of mail composition.

use super::*;
use crate::model::{NewTicket, Priority};

fn settings() -> Settings {
    Settings::new(
        "Desk".into(),
        "support@example.com".parse().unwrap(),
        "general".parse().unwrap(),
    )
}

fn ticket(title: &str) -> Ticket {
    Ticket::new(
        TicketId::new(1043).unwrap(),
        NewTicket {
            title: title.into(),
            email: "john@doe.example".parse().unwrap(),
            account: None,
            queue: "general".parse().unwrap(),
            priority: Priority::DEFAULT,
            assignee: None,
            sticky: false,
        },
        "2026-11-01T10:00:00Z".parse().unwrap(),
    )
}

fn msg(kind: MessageKind, id: Option<&str>) -> Message {
    Message {
        at: "2026-11-01T10:00:00Z".parse().unwrap(),
        author: "john@doe.example".into(),
        kind,
        message_id: id.map(Into::into),
        body: "x".into(),
        attachments: vec![],
        time: None,
        extra: Extra::new(),
    }
}

#[test]
fn subjects_have_one_tag_and_one_re() {
    let id = TicketId::new(1043).unwrap();
    assert_eq!(
        reply_subject(id, "Printer on fire"),
        "[#1043] Re: Printer on fire"
    );
    assert_eq!(
        reply_subject(id, "RE: re:Printer on fire"),
        "[#1043] Re: Printer on fire"
    );
    assert_eq!(
        reply_subject(id, "[#1043] Re: Printer"),
        "[#1043] Re: Printer"
    );
    assert_eq!(
        reply_subject(id, "Evil\r\nBcc: x@y.example"),
        "[#1043] Re: Evil Bcc: x@y.example"
    );
    assert_eq!(reply_subject(id, "Rebooting"), "[#1043] Re: Rebooting");
}

#[test]
fn an_answer_threads_into_the_conversation() {
    let s = settings();
    let t = ticket("Printer on fire");
    let key: MessageKey = "20261127T174501Z-alice-3f2a".parse().unwrap();
    let thread = [
        msg(MessageKind::Customer, Some("<a@doe.example>")),
        msg(MessageKind::Note, None),
        msg(MessageKind::Answer, Some("<ticket-1043.x@example.com>")),
        msg(MessageKind::Customer, Some("<b@doe.example>")),
        msg(MessageKind::Customer, Some("<a@doe.example>")),
        msg(MessageKind::Customer, None),
    ];
    let mail = Reply {
        settings: &s,
        ticket: &t,
        key: &key,
        thread: &thread,
        body: with_signature("Hello.\n\n", Some("--\nAlice\n")),
        attachments: vec![],
        now: "2026-11-27T17:45:01Z".parse().unwrap(),
    }
    .answer();
    assert_eq!(
        mail.message_id,
        "<ticket-1043.20261127T174501Z-alice-3f2a@example.com>"
    );
    assert_eq!(mail.kind, MailKind::Answer);
    assert_eq!(mail.from, "support@example.com");
    assert_eq!(mail.to, ["john@doe.example"]);
    assert_eq!(mail.subject, "[#1043] Re: Printer on fire");
    assert_eq!(mail.in_reply_to.as_deref(), Some("<a@doe.example>"));
    assert_eq!(
        mail.references,
        [
            "<a@doe.example>",
            "<ticket-1043.x@example.com>",
            "<b@doe.example>"
        ]
    );
    assert_eq!(mail.body, "Hello.\n\n--\nAlice\n");
}

#[test]
fn the_sender_is_smtp_from_when_set_and_headers_lose_line_breaks() {
    let mut s = settings();
    s.smtp.from = Some("Example Support <support@example.com>\r\nBcc: evil@x.example".into());
    assert_eq!(
        sender(&s),
        "Example Support <support@example.com> Bcc: evil@x.example"
    );
    let (irt, refs) = thread_headers(&[msg(MessageKind::Customer, Some("<a@b>\r\nX: y"))]);
    assert_eq!(irt.as_deref(), Some("<a@b> X: y"));
    assert_eq!(refs, ["<a@b> X: y"]);
    assert_eq!(with_signature("Hi", None), "Hi\n");
}

#[test]
fn closed_response_ignores_blank_texts() {
    let mut q = Queue::new("general".parse().unwrap(), "General".into());
    assert_eq!(closed_response(&q), None);
    q.closed_ticket_response = Some("  \n".into());
    assert_eq!(closed_response(&q), None);
    q.closed_ticket_response = Some("Closed.\n".into());
    assert_eq!(closed_response(&q), Some("Closed.\n"));
}
