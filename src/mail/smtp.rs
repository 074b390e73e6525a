//! Delivery over SMTP: one session for the whole run, made from `desk.yaml`'s `smtp`
//! section (host, port, TLS mode `none` | `starttls` | `tls`) and credentials that only
//! ever come from the environment, and the classification of each mail's failure that the
//! outbox's retry rules need.
//!
//! The protocol (greeting, EHLO, STARTTLS, AUTH, reply parsing) is lettre's
//! `SmtpConnection`; this module drives the mail transaction itself so that:
//! - a reply about one mail is that mail's outcome only: a 5xx to its MAIL FROM, a 5xx to
//!   every recipient, or a 5xx after its data makes it permanent, a 4xx makes it
//!   temporary; the session goes on with RSET for the next mail;
//! - a recipient refused while others are accepted does not stop the mail: it goes to the
//!   others and the refusal is reported;
//! - only a session that cannot be opened or is lost makes the server "unreachable", which
//!   defers the rest of the run;
//! - the data and its terminating `.` go out in ONE write. lettre writes them in two and
//!   sets no TCP_NODELAY, so Nagle's algorithm holds the five-byte terminator until the
//!   server's delayed ACK (40 ms on Linux): 22 mails/s instead of hundreds.

use std::fmt;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::Message;

use crate::model::{Smtp, TlsMode};

/// How long to wait for the server at each step.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// A 5xx reply, or a mail this server can never take: this message will never be
    /// accepted.
    #[error("rejected: {0}")]
    Permanent(String),
    /// A 4xx reply: try again later.
    #[error("deferred: {0}")]
    Transient(String),
    /// The server could not be reached or talked to (refused, timeout, TLS, connection
    /// lost).
    #[error("server unreachable: {0}")]
    Unreachable(String),
}

/// A message handed over; `refused` are the recipients the server refused for good (each
/// with the reply), while it took the message for the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    pub refused: Vec<String>,
}

/// Something that delivers messages (the SMTP server; a fake in tests).
pub trait Deliver {
    fn deliver(&mut self, message: &Message) -> Result<Accepted, DeliveryError>;
}

/// SMTP login, from `GIT_DESK_SMTP_USER` / `GIT_DESK_SMTP_PASSWORD` only.
#[derive(Clone)]
pub struct SmtpLogin {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for SmtpLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SmtpLogin {{ user: {:?}, password: <hidden> }}",
            self.user
        )
    }
}

/// One SMTP session, opened at the first mail and kept for the run.
pub struct SmtpSender {
    smtp: Smtp,
    login: Option<SmtpLogin>,
    tls: Option<TlsParameters>,
    conn: Option<SmtpConnection>,
}

impl SmtpSender {
    pub fn new(smtp: &Smtp, login: Option<SmtpLogin>) -> Result<SmtpSender, DeliveryError> {
        let tls = match smtp.tls {
            TlsMode::None => None,
            TlsMode::Starttls | TlsMode::Tls => Some(
                TlsParameters::new(smtp.host.clone())
                    .map_err(|e| DeliveryError::Unreachable(error_text(&e)))?,
            ),
        };
        Ok(SmtpSender {
            smtp: smtp.clone(),
            login,
            tls,
            conn: None,
        })
    }

    fn connect(&self) -> Result<SmtpConnection, DeliveryError> {
        let unreachable = |e: lettre::transport::smtp::Error| {
            DeliveryError::Unreachable(format!(
                "{}:{}: {}",
                self.smtp.host,
                self.smtp.port,
                error_text(&e)
            ))
        };
        let hello = ClientId::default();
        let implicit = match self.smtp.tls {
            TlsMode::Tls => self.tls.as_ref(),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.smtp.host.as_str(), self.smtp.port),
            Some(TIMEOUT),
            &hello,
            implicit,
            None,
        )
        .map_err(unreachable)?;
        if let (TlsMode::Starttls, Some(tls)) = (self.smtp.tls, &self.tls) {
            conn.starttls(tls, &hello).map_err(unreachable)?;
        }
        if let Some(l) = &self.login {
            let creds = Credentials::new(l.user.clone(), l.password.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds)
                .map_err(unreachable)?;
        }
        Ok(conn)
    }

    /// The mail transaction for one message on the open session.
    fn transaction(
        conn: &mut SmtpConnection,
        envelope: &Envelope,
        data: &[u8],
    ) -> Result<Accepted, Failure> {
        let mut params = Vec::new();
        let non_ascii = envelope.from().is_some_and(|a| !a.to_string().is_ascii())
            || envelope.to().iter().any(|a| !a.to_string().is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(Failure::Mail(DeliveryError::Permanent(
                    "an address is not plain ASCII and the server does not offer SMTPUTF8".into(),
                )));
            }
            params.push(MailParameter::SmtpUtfEight);
        }
        if !data.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(Failure::Mail(DeliveryError::Permanent(
                    "the message is 8-bit and the server does not offer 8BITMIME".into(),
                )));
            }
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        conn.command(Mail::new(envelope.from().cloned(), params))
            .map_err(Failure::classify)?;
        let mut refused = Vec::new();
        let mut deferred = Vec::new();
        let mut accepted = 0;
        for to in envelope.to() {
            match conn.command(Rcpt::new(to.clone(), vec![])) {
                Ok(_) => accepted += 1,
                Err(e) if e.is_permanent() => refused.push(format!("{to}: {}", error_text(&e))),
                Err(e) if e.is_transient() => deferred.push(format!("{to}: {}", error_text(&e))),
                Err(e) => return Err(Failure::Session(e)),
            }
        }
        if accepted == 0 {
            return Err(Failure::Mail(if deferred.is_empty() {
                DeliveryError::Permanent(refused.join("; "))
            } else {
                DeliveryError::Transient(
                    deferred
                        .into_iter()
                        .chain(refused)
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }));
        }
        // A recipient the server only deferred is tried again with the mail's next attempt
        // only if nobody got it; once the others have it, it is reported as refused.
        refused.extend(deferred);
        conn.command(Data).map_err(Failure::classify)?;
        let reply = match std::str::from_utf8(data) {
            Ok(text) => conn.command(DotStuffed(text)),
            Err(_) => conn.message(data),
        };
        reply.map_err(Failure::classify)?;
        Ok(Accepted { refused })
    }
}

/// How a transaction failed: the mail (the session goes on) or the session.
enum Failure {
    Mail(DeliveryError),
    Session(lettre::transport::smtp::Error),
}

impl Failure {
    fn classify(e: lettre::transport::smtp::Error) -> Failure {
        if e.is_permanent() {
            Failure::Mail(DeliveryError::Permanent(error_text(&e)))
        } else if e.is_transient() {
            Failure::Mail(DeliveryError::Transient(error_text(&e)))
        } else {
            Failure::Session(e)
        }
    }
}

/// The message data with dot-stuffing (RFC 5321 4.5.2) and the terminating `.` line, to be
/// written at once.
struct DotStuffed<'a>(&'a str);

impl fmt::Display for DotStuffed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.0.split_inclusive('\n') {
            if line.starts_with('.') {
                f.write_str(".")?;
            }
            f.write_str(line)?;
        }
        if !self.0.is_empty() && !self.0.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

impl Deliver for SmtpSender {
    fn deliver(&mut self, message: &Message) -> Result<Accepted, DeliveryError> {
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => self.connect()?,
        };
        let data = message.formatted();
        match Self::transaction(&mut conn, message.envelope(), &data) {
            Ok(a) => {
                self.conn = Some(conn);
                Ok(a)
            }
            Err(Failure::Mail(e)) => {
                // The session goes on: the server forgets this transaction.
                if conn.command(Rset).is_ok() {
                    self.conn = Some(conn);
                } else {
                    conn.abort();
                }
                Err(e)
            }
            Err(Failure::Session(e)) => {
                conn.abort();
                Err(DeliveryError::Unreachable(format!(
                    "{}:{}: connection lost: {}",
                    self.smtp.host,
                    self.smtp.port,
                    error_text(&e)
                )))
            }
        }
    }
}

impl Drop for SmtpSender {
    fn drop(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.quit();
        }
    }
}

/// The error with its sources, on one line.
fn error_text(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    crate::mail::parse::one_line(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_and_one_terminator() {
        assert_eq!(
            DotStuffed("a\r\n.b\r\n..\r\n").to_string(),
            "a\r\n..b\r\n...\r\n.\r\n"
        );
        assert_eq!(DotStuffed(".x").to_string(), "..x\r\n.\r\n");
    }
}
