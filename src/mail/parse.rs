//! One raw e-mail as the desk needs it: the sender, the recipients that route it, the
//! headers that thread it and those that mark it as automated, a text body (text/plain
//! preferred, HTML converted to text, every charset decoded) and its attachments. Parsing
//! is done by mail-parser; this module decides what counts as malformed and refuses it with
//! a reason, so that the caller can quarantine the mail.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

use crate::model::Email;

/// An e-mail taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingMail {
    /// `<…>`; when the mail has none, a stable one made from its content.
    pub message_id: String,
    pub from: Email,
    pub from_name: Option<String>,
    /// The first Reply-To address, when it is a valid one.
    pub reply_to: Option<Email>,
    /// Recipient addresses in routing order: X-Original-To, Delivered-To, To, Cc.
    pub recipients: Vec<String>,
    /// Decoded, on one line; empty when there is none.
    pub subject: String,
    /// `<…>` ids.
    pub in_reply_to: Vec<String>,
    /// `<…>` ids, oldest first.
    pub references: Vec<String>,
    pub body: String,
    pub attachments: Vec<MailAttachment>,
    /// `Auto-Submitted` (other than `no`), `X-Autoreply`/`X-Autorespond` present.
    pub auto_submitted: Option<String>,
    /// `Precedence`, lower-cased.
    pub precedence: Option<String>,
    pub list_id: Option<String>,
    /// A delivery status notification: `multipart/report`, an empty Return-Path, or a
    /// mailer-daemon/postmaster sender.
    pub bounce: bool,
    /// For a bounce: the Message-IDs of the returned original.
    pub returned_ids: Vec<String>,
    /// Raw size in bytes.
    pub size: usize,
    /// The From address as it came, when it cannot be used: it held bytes that decode to
    /// no character set (raw 8-bit bytes, U+FFFD). `from` is then [`UNKNOWN_SENDER`]; the
    /// mail is taken in, but nobody is written to at that address.
    pub unusable_sender: Option<String>,
    /// The Cc addresses that are valid and decodable, each once, in order.
    pub cc: Vec<Email>,
    /// The headers spam filters add (`X-Spam-*`, `X-Rspamd-*`, `Authentication-Results`):
    /// lower-cased name and value on one line, in order.
    pub filter_headers: Vec<(String, String)>,
}

/// The sender recorded for a mail whose From address cannot be decoded: a reserved domain
/// (RFC 2606), so no mail is ever sent there.
pub const UNKNOWN_SENDER: &str = "unknown-sender@address.invalid";

#[derive(Debug, Clone, PartialEq)]
pub struct MailAttachment {
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Why a mail cannot be taken in; the mail goes to quarantine with this as the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the file is empty")]
    Empty,
    #[error("no header section could be read (not an e-mail)")]
    NotMail,
    #[error("there is no From address")]
    NoSender,
    #[error("the From address `{0}` is not a valid e-mail address")]
    BadSender(String),
    #[error("malformed MIME: {0}")]
    BadMime(String),
    #[error("the mail is {size} bytes, more than the limit of {max} (mail_max_bytes)")]
    TooLarge { size: u64, max: u64 },
}

/// Headers a mail must start with; a file whose first line is none of these and has no
/// `Name: value` shape is not a mail.
fn looks_like_header(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return line.starts_with(b"From ");
    };
    colon > 0
        && line[..colon]
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b':')
}

pub fn parse(raw: &[u8]) -> Result<IncomingMail, MailError> {
    let size = raw.len();
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    let prepared = super::raw::prepare(raw);
    let eight_bit = prepared.eight_bit_headers;
    let rewritten = super::raw::utf8_words(&prepared.bytes);
    let raw: &[u8] = rewritten.as_deref().unwrap_or(&prepared.bytes);
    let first = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    if !looks_like_header(first) {
        return Err(MailError::NotMail);
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(MailError::NotMail)?;
    if msg.headers().is_empty() {
        return Err(MailError::NotMail);
    }
    check_mime(&msg)?;

    let (from, from_name, unusable_sender) =
        super::address::sender(msg.from(), eight_bit.iter().any(|h| h == "from"))?;
    let reply_to = msg
        .reply_to()
        .and_then(Address::first)
        .and_then(|a| a.address())
        .filter(|a| super::address::usable(a, eight_bit.iter().any(|h| h == "reply-to")))
        .and_then(|a| a.trim().parse::<Email>().ok());
    let cc = super::address::cc_addresses(&msg, eight_bit.iter().any(|h| h == "cc"));
    let filter_headers = filter_headers(&msg);

    let mut recipients = Vec::new();
    for name in ["X-Original-To", "Delivered-To"] {
        for v in msg.header_values(name) {
            if let Some(t) = v.as_text() {
                recipients.push(bare_address(t));
            }
        }
    }
    for list in msg.all_to().chain(msg.all_cc()) {
        for a in list.iter() {
            if let Some(addr) = a.address() {
                recipients.push(bare_address(addr));
            }
        }
    }
    recipients.retain(|r| !r.is_empty());
    let mut seen = std::collections::HashSet::new();
    recipients.retain(|r| seen.insert(r.clone()));

    let subject = msg.subject().map(one_line).unwrap_or_default();
    let in_reply_to = ids(msg.in_reply_to());
    let references = ids(msg.references());
    let auto_submitted = text_header(&msg, "Auto-Submitted")
        .filter(|v| !v.eq_ignore_ascii_case("no"))
        .or_else(|| text_header(&msg, "X-Autoreply").map(|_| "x-autoreply".into()))
        .or_else(|| text_header(&msg, "X-Autorespond").map(|_| "x-autorespond".into()));
    let precedence = text_header(&msg, "Precedence").map(|p| p.to_ascii_lowercase());
    let list_id = text_header(&msg, "List-Id");

    let is_report = msg.root_part().content_type().is_some_and(|ct| {
        ct.c_type.eq_ignore_ascii_case("multipart")
            && ct
                .c_subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let empty_return_path = msg
        .header_raw("Return-Path")
        .is_some_and(|v| v.trim() == "<>");
    let local = from
        .as_str()
        .split('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let daemon = local == "mailer-daemon" || local == "postmaster";
    let bounce = is_report || empty_return_path || daemon;

    let mut body_parts = Vec::new();
    let mut attachments = Vec::new();
    let mut returned_ids = Vec::new();
    for (i, part) in msg.parts.iter().enumerate() {
        let i = i as u32;
        if msg.text_body.contains(&i) {
            let text = match &part.body {
                PartType::Text(t) => {
                    super::raw::whatwg_text(raw, part).unwrap_or_else(|| t.to_string())
                }
                PartType::Html(h) => {
                    html_text(&super::raw::whatwg_text(raw, part).unwrap_or_else(|| h.to_string()))
                }
                _ => continue,
            };
            body_parts.push(text);
        } else if msg.attachments.contains(&i) {
            if bounce && is_report_part(part) {
                // The delivery report and the returned headers belong in the text.
                returned_ids.extend(returned_message_ids(part));
                let text = match part.message() {
                    Some(inner) => header_block(inner.raw_message()),
                    None => part.text_contents().map(str::to_owned),
                };
                body_parts.extend(text);
                continue;
            }
            attachments.push(MailAttachment {
                name: part.attachment_name().map(str::to_owned),
                content_type: part.content_type().map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub).to_ascii_lowercase(),
                    None => ct.c_type.to_ascii_lowercase(),
                }),
                bytes: part.contents().to_vec(),
            });
        }
    }
    let body_parts: Vec<String> = body_parts
        .iter()
        .map(|p| clean_body(p))
        .filter(|p| !p.is_empty())
        .collect();
    let mut body = clean_body(&body_parts.join("\n"));
    if body.is_empty() && !bounce {
        // A mail that only forwards another one: the forwarded text is what it says.
        if let Some(text) = forwarded_text(&msg) {
            body = clean_body(&text);
        }
    }
    let message_id = match msg.message_id().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => format!("<{}>", id.trim_matches(['<', '>'])),
        None => synthetic_id(&from, msg.header_raw("Date"), &subject, &body),
    };

    Ok(IncomingMail {
        message_id,
        from,
        from_name,
        reply_to,
        recipients,
        subject,
        in_reply_to,
        references,
        body,
        attachments,
        auto_submitted,
        precedence,
        list_id,
        bounce,
        returned_ids,
        size,
        unusable_sender,
        cc,
        filter_headers,
    })
}

/// The headers spam filters add, in order.
fn filter_headers(msg: &mail_parser::Message<'_>) -> Vec<(String, String)> {
    let raw = msg.raw_message();
    msg.headers()
        .iter()
        .filter_map(|h| {
            let name = h.name.as_str().to_ascii_lowercase();
            let wanted = name.starts_with("x-spam")
                || name.starts_with("x-rspamd-")
                || name == "authentication-results";
            let value = raw.get(h.offset_start as usize..h.offset_end as usize)?;
            wanted.then(|| (name, one_line(&String::from_utf8_lossy(value))))
        })
        .collect()
}

/// The text of the first forwarded message (`message/rfc822`), introduced by its headers as
/// mail readers show a forwarded mail.
fn forwarded_text(msg: &mail_parser::Message<'_>) -> Option<String> {
    let inner = msg
        .attachments()
        .find_map(|p| p.message())
        .filter(|m| !m.headers().is_empty())?;
    let mut text = String::from("---------- Forwarded message ----------\n");
    if let Some(from) = inner.from().and_then(Address::first) {
        let addr = from.address().unwrap_or("");
        match from.name() {
            Some(n) => text.push_str(&format!("From: {} <{addr}>\n", one_line(n))),
            None => text.push_str(&format!("From: {addr}\n")),
        }
    }
    if let Some(d) = inner.date() {
        text.push_str(&format!("Date: {}\n", d.to_rfc822()));
    }
    if let Some(s) = inner.subject() {
        text.push_str(&format!("Subject: {}\n", one_line(s)));
    }
    let to: Vec<&str> = inner
        .to()
        .map(|l| l.iter().filter_map(|a| a.address()).collect())
        .unwrap_or_default();
    if !to.is_empty() {
        text.push_str(&format!("To: {}\n", to.join(", ")));
    }
    text.push('\n');
    let body = inner
        .body_text(0)
        .map(|t| t.into_owned())
        .or_else(|| inner.body_html(0).map(|h| html_text(&h)))
        .unwrap_or_default();
    text.push_str(&body);
    Some(text)
}

/// A multipart whose parts the parser could not find (no boundary, or a boundary that never
/// occurs) is malformed: taking it as text would store MIME syntax as the customer's words.
fn check_mime(msg: &mail_parser::Message<'_>) -> Result<(), MailError> {
    for part in &msg.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        if !ct.c_type.eq_ignore_ascii_case("multipart") {
            continue;
        }
        let sub = ct.c_subtype.as_deref().unwrap_or("?");
        match ct.attribute("boundary") {
            None => {
                return Err(MailError::BadMime(format!(
                    "a multipart/{sub} part declares no boundary"
                )))
            }
            Some(b) if !matches!(part.body, PartType::Multipart(ref p) if !p.is_empty()) => {
                return Err(MailError::BadMime(format!(
                    "the boundary `{}` of a multipart/{sub} part never occurs",
                    one_line(b)
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Text of an HTML part: tags, scripts and styles dropped, entities decoded, each line
/// trimmed (HTML collapses white space anyway).
fn html_text(html: &str) -> String {
    mail_parser::decoders::html::html_to_text(html)
        .replace('\u{a0}', " ")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The header section of a raw message, as text.
fn header_block(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let head = text.split("\n\n").next().unwrap_or("").trim();
    (!head.is_empty()).then(|| head.to_owned())
}

/// The parts of a delivery report that describe the failure.
fn is_report_part(part: &mail_parser::MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        let sub = ct.c_subtype.as_deref().unwrap_or("").to_ascii_lowercase();
        let ty = ct.c_type.to_ascii_lowercase();
        (ty == "message" && (sub == "delivery-status" || sub == "rfc822"))
            || (ty == "text" && sub == "rfc822-headers")
    })
}

/// The Message-IDs found in a bounce's returned original (`message/rfc822` or
/// `text/rfc822-headers`).
fn returned_message_ids(part: &mail_parser::MessagePart<'_>) -> Vec<String> {
    if let Some(inner) = part.message() {
        return inner
            .message_id()
            .map(|id| vec![format!("<{}>", id.trim_matches(['<', '>']))])
            .unwrap_or_default();
    }
    let headers_only = part.content_type().is_some_and(|ct| {
        ct.c_subtype
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers"))
    });
    if !headers_only {
        return Vec::new();
    }
    MessageParser::default()
        .parse_headers(part.contents())
        .and_then(|m| {
            m.message_id()
                .map(|id| format!("<{}>", id.trim_matches(['<', '>'])))
        })
        .into_iter()
        .collect()
}

fn text_header(msg: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    msg.header_raw(name).map(one_line).filter(|v| !v.is_empty())
}

/// `<a@b>` ids from a header value (a single id or a list).
fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match v {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|s| s.as_ref()).collect(),
        _ => vec![],
    };
    list.into_iter()
        .map(|s| s.trim().trim_matches(['<', '>']))
        .filter(|s| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control()))
        .map(|s| format!("<{s}>"))
        .collect()
}

/// `Name <a@b>` or `a@b` → `a@b`, lower-cased.
fn bare_address(s: &str) -> String {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    inner.trim().to_ascii_lowercase()
}

/// Text made into one line: control characters become spaces, blanks collapse.
pub fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Line ends made `\n`, control characters other than tab and newline dropped, trailing
/// blanks of lines and surrounding blank lines removed.
fn clean_body(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = unified
        .split('\n')
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect();
    let text = lines.join("\n");
    let text = text.trim_matches('\n');
    if text.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(text.len() + 1);
    let mut blank_run = 0;
    for line in text.split('\n') {
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A Message-ID for a mail without one: a hash of what stays the same when the same mail
/// is delivered twice (sender, date, subject, body), so a duplicate is still recognised.
fn synthetic_id(from: &Email, date: Option<&str>, subject: &str, body: &str) -> String {
    let material = format!("{from}\n{}\n{subject}\n{body}", date.unwrap_or("").trim());
    let hash = gix::objs::compute_hash(
        gix::hash::Kind::Sha1,
        gix::objs::Kind::Blob,
        material.as_bytes(),
    )
    .map(|h| h.to_hex_with_len(20).to_string())
    .unwrap_or_else(|_| "0".repeat(20));
    format!("<{hash}@no-message-id.invalid>")
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
