//! E-mail in and out. Intake: a Maildir is scanned ([`maildir`]), each mail is parsed
//! ([`parse`]), checked for automation and loops ([`loops`]) and routed to a queue or
//! threaded to a ticket ([`route`]). Outgoing: an outbox file becomes a MIME message with
//! safe headers ([`outgoing`]) that [`smtp`] delivers. The use cases that commit the
//! results are in `ops::mail`.

mod address;
pub mod loops;
pub mod maildir;
pub mod outgoing;
pub mod parse;
pub mod raw;
pub mod route;
pub mod screen;
pub mod smtp;

pub use parse::{parse, IncomingMail, MailAttachment, MailError, UNKNOWN_SENDER};
