//! The addresses of an incoming mail that the desk may write to: the sender and the Cc
//! list, each checked as usable. An address read from raw 8-bit header bytes (guessed
//! charset) or holding a replacement character is not the customer's address but a
//! decoding accident; it is never used (see [`super::UNKNOWN_SENDER`]).

use mail_parser::Address;

use super::parse::{one_line, MailError, UNKNOWN_SENDER};
use crate::model::Email;

/// An address that came from a header is usable when it holds no replacement character
/// and, if the header had raw 8-bit bytes, is plain ASCII (else its bytes were guessed).
pub(super) fn usable(addr: &str, header_was_8bit: bool) -> bool {
    !addr.contains('\u{fffd}') && (!header_was_8bit || addr.is_ascii())
}

type Sender = (Email, Option<String>, Option<String>);

pub(super) fn sender(
    from: Option<&Address<'_>>,
    header_was_8bit: bool,
) -> Result<Sender, MailError> {
    let addr = from.and_then(Address::first).ok_or(MailError::NoSender)?;
    let raw = addr.address().map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err(MailError::NoSender);
    }
    let name = addr
        .name()
        .map(one_line)
        .filter(|n| !n.is_empty() && n != raw);
    if !usable(raw, header_was_8bit) {
        let unknown = UNKNOWN_SENDER.parse().expect("a valid address");
        return Ok((unknown, name, Some(one_line(raw))));
    }
    let email = raw
        .parse::<Email>()
        .map_err(|_| MailError::BadSender(one_line(raw)))?;
    Ok((email, name, None))
}

/// The usable Cc addresses, each once.
pub(super) fn cc_addresses(msg: &mail_parser::Message<'_>, header_was_8bit: bool) -> Vec<Email> {
    let mut out: Vec<Email> = Vec::new();
    for list in msg.all_cc() {
        for a in list.iter() {
            let Some(addr) = a.address().map(str::trim) else {
                continue;
            };
            if !usable(addr, header_was_8bit) {
                continue;
            }
            if let Ok(e) = addr.parse::<Email>() {
                if !out.iter().any(|o| o.same_as(e.as_str())) {
                    out.push(e);
                }
            }
        }
    }
    out
}
