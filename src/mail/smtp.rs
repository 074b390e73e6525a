//! Delivery over SMTP with lettre: the transport made from `desk.yaml`'s `smtp` section
//! (host, port, TLS mode `none` | `starttls` | `tls`) and credentials that only ever come
//! from the environment, and the classification of failures that the outbox's retry rules
//! need: a 5xx reply is permanent, a 4xx reply is worth retrying, and a server that cannot
//! be reached at all makes the rest of the run pointless.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::model::{Smtp, TlsMode};

/// How long to wait for the server at each step.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// A 5xx reply: this message will never be accepted.
    #[error("rejected: {0}")]
    Permanent(String),
    /// A 4xx reply: try again later.
    #[error("deferred: {0}")]
    Transient(String),
    /// The server could not be reached or talked to (refused, timeout, TLS).
    #[error("server unreachable: {0}")]
    Unreachable(String),
}

/// Something that delivers messages (the SMTP server; a fake in tests).
pub trait Deliver {
    fn deliver(&mut self, message: &Message) -> Result<(), DeliveryError>;
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

pub struct SmtpSender {
    transport: SmtpTransport,
}

impl SmtpSender {
    pub fn new(smtp: &Smtp, login: Option<SmtpLogin>) -> Result<SmtpSender, DeliveryError> {
        let unreachable =
            |e: lettre::transport::smtp::Error| DeliveryError::Unreachable(e.to_string());
        let builder = match smtp.tls {
            TlsMode::None => SmtpTransport::builder_dangerous(smtp.host.as_str()),
            TlsMode::Starttls => SmtpTransport::starttls_relay(&smtp.host).map_err(unreachable)?,
            TlsMode::Tls => SmtpTransport::relay(&smtp.host).map_err(unreachable)?,
        };
        let mut builder = builder.port(smtp.port).timeout(Some(TIMEOUT));
        if let Some(l) = login {
            builder = builder.credentials(Credentials::new(l.user, l.password));
        }
        Ok(SmtpSender {
            transport: builder.build(),
        })
    }
}

impl Deliver for SmtpSender {
    fn deliver(&mut self, message: &Message) -> Result<(), DeliveryError> {
        self.transport.send(message).map(|_| ()).map_err(classify)
    }
}

fn classify(e: lettre::transport::smtp::Error) -> DeliveryError {
    let text = error_text(&e);
    if e.is_permanent() {
        DeliveryError::Permanent(text)
    } else if e.is_transient() {
        DeliveryError::Transient(text)
    } else {
        DeliveryError::Unreachable(text)
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
