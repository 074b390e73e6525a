//! `desk.yaml`: the desk-wide settings ("Settings -> Tech Support", "Reseller Client
//! Support", mail, spelling and site options).

use serde::{Deserialize, Serialize};

use super::{Email, Extra, FieldDef, InvalidValue, Money, Slug};

pub const FORMAT_VERSION: u32 = 1;
pub const DEFAULT_ATTACHMENT_MAX: u64 = 10 * 1024 * 1024;
/// The largest mail taken in by default: 10 MiB as it arrives, headers and encoding
/// included.
pub const DEFAULT_MAIL_MAX: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default = "format_version")]
    pub format: u32,
    pub name: String,
    pub support_email: Email,
    pub default_queue: Slug,
    #[serde(default)]
    pub auto_close_days: AutoClose,
    #[serde(default = "attachment_max")]
    pub attachment_max_bytes: u64,
    /// Larger mails are quarantined with the reason (not taken into the desk).
    #[serde(default = "mail_max", skip_serializing_if = "is_default_mail_max")]
    pub mail_max_bytes: u64,
    #[serde(default = "autoresponse_limit")]
    pub autoresponse_limit_per_hour: u32,
    #[serde(default)]
    pub maildir: Option<String>,
    /// Spam filters' verdicts and the ignore list of mail intake.
    #[serde(default, skip_serializing_if = "MailSettings::is_default")]
    pub mail: MailSettings,
    #[serde(default)]
    pub reseller_support: ResellerSupport,
    #[serde(default)]
    pub smtp: Smtp,
    #[serde(default)]
    pub spelling: Spelling,
    #[serde(default)]
    pub site: SiteSettings,
    /// Custom ticket fields (see [`super::field`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDef>,
    /// Service-level policies (see [`super::sla`]); the first that covers a ticket applies.
    #[serde(default, skip_serializing_if = "super::sla::Policies::is_empty")]
    pub sla: super::sla::Policies,
    #[serde(skip)]
    pub extra: Extra,
}

fn format_version() -> u32 {
    FORMAT_VERSION
}
fn attachment_max() -> u64 {
    DEFAULT_ATTACHMENT_MAX
}
fn autoresponse_limit() -> u32 {
    3
}
fn mail_max() -> u64 {
    DEFAULT_MAIL_MAX
}
fn is_default_mail_max(n: &u64) -> bool {
    *n == DEFAULT_MAIL_MAX
}
fn yes() -> bool {
    true
}

impl Settings {
    pub fn new(name: String, support_email: Email, default_queue: Slug) -> Settings {
        Settings {
            format: FORMAT_VERSION,
            name,
            support_email,
            default_queue,
            auto_close_days: AutoClose::default(),
            attachment_max_bytes: DEFAULT_ATTACHMENT_MAX,
            mail_max_bytes: DEFAULT_MAIL_MAX,
            autoresponse_limit_per_hour: autoresponse_limit(),
            maildir: None,
            mail: MailSettings::default(),
            reseller_support: ResellerSupport::default(),
            smtp: Smtp::default(),
            spelling: Spelling::default(),
            site: SiteSettings::default(),
            fields: Vec::new(),
            sla: Default::default(),
            extra: Extra::new(),
        }
    }
}

/// `desk.yaml`'s `mail` section: which spam filters' verdicts intake honours (each on by
/// default) and the addresses whose mail it ignores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailSettings {
    /// `X-Spam-Flag: YES` / `X-Spam-Status: Yes` (SpamAssassin) makes a mail spam.
    #[serde(default = "yes")]
    pub spamassassin: bool,
    /// `X-Rspamd-Action` other than `no action`/`greylist`, or `X-Spam: Yes` (rspamd).
    #[serde(default = "yes")]
    pub rspamd: bool,
    /// `Authentication-Results: … dmarc=fail` (the receiving server's DMARC check).
    #[serde(default = "yes")]
    pub dmarc_fail: bool,
    /// Senders whose mail is not taken in (first matching rule wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<IgnoreRule>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            spamassassin: true,
            rspamd: true,
            dmarc_fail: true,
            ignore: Vec::new(),
        }
    }
}

impl MailSettings {
    fn is_default(&self) -> bool {
        *self == MailSettings::default()
    }
}

/// Mail from `address` (a glob: `*` any text, `?` one character, `[a-z]` a class; case is
/// ignored) is not taken in: left in the Maildir marked seen when `keep`, else deleted
/// (django-helpdesk's IgnoreEmail with `keep_in_mailbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoreRule {
    pub address: String,
    #[serde(default)]
    pub keep: bool,
}

/// When answered tickets close: 0 = at once (the default), N = N days after the answer,
/// -1 = never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(into = "i64")]
pub struct AutoClose(i64);
super::id::deserialize_by_parse!(AutoClose, "a number of days (-1, 0 or more)");

impl std::str::FromStr for AutoClose {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let n: i64 = s
            .trim()
            .parse()
            .map_err(|_| InvalidValue(format!("`{s}` is not a number of days (-1, 0 or more)")))?;
        AutoClose::new(n)
    }
}

impl AutoClose {
    pub fn new(days: i64) -> Result<Self, InvalidValue> {
        if (-1..=3650).contains(&days) {
            Ok(AutoClose(days))
        } else {
            Err(InvalidValue(format!(
                "auto_close_days must be -1 (never), 0 (when answered) or a number of days up to 3650, got {days}"
            )))
        }
    }
    pub fn days(self) -> i64 {
        self.0
    }
    pub fn never(self) -> bool {
        self.0 < 0
    }
    pub fn immediately(self) -> bool {
        self.0 == 0
    }
}
impl TryFrom<i64> for AutoClose {
    type Error = InvalidValue;
    fn try_from(n: i64) -> Result<Self, InvalidValue> {
        Self::new(n)
    }
}
impl From<AutoClose> for i64 {
    fn from(a: AutoClose) -> i64 {
        a.0
    }
}

/// How resellers are billed for support of their end users.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Pricing {
    #[default]
    PerTicket,
    PerCustomer,
    /// Billable time logged on the reseller's customers' tickets, per hour (exact to the
    /// minute).
    PerHour,
}

impl std::str::FromStr for Pricing {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        match s.trim().replace('-', "_").as_str() {
            "per_ticket" => Ok(Pricing::PerTicket),
            "per_customer" => Ok(Pricing::PerCustomer),
            "per_hour" => Ok(Pricing::PerHour),
            _ => Err(InvalidValue(format!(
                "`{s}` is not a pricing unit (per_ticket, per_customer or per_hour)"
            ))),
        }
    }
}
impl std::fmt::Display for Pricing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Pricing::PerTicket => "per_ticket",
            Pricing::PerCustomer => "per_customer",
            Pricing::PerHour => "per_hour",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResellerSupport {
    #[serde(default)]
    pub offered: bool,
    #[serde(default)]
    pub pricing: Pricing,
    #[serde(default = "Money::zero")]
    pub default_price: Money,
    #[serde(default = "usd")]
    pub currency: String,
}
fn usd() -> String {
    "USD".into()
}
impl Default for ResellerSupport {
    fn default() -> Self {
        ResellerSupport {
            offered: false,
            pricing: Pricing::PerTicket,
            default_price: Money::zero(),
            currency: usd(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Smtp {
    #[serde(default = "localhost")]
    pub host: String,
    #[serde(default = "port25")]
    pub port: u16,
    #[serde(default)]
    pub tls: TlsMode,
    /// The From: of outgoing mail; `support_email` when unset.
    #[serde(default)]
    pub from: Option<String>,
}
fn localhost() -> String {
    "localhost".into()
}
fn port25() -> u16 {
    25
}
impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            host: localhost(),
            port: 25,
            tls: TlsMode::None,
            from: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spelling {
    #[serde(default = "en_us")]
    pub language: String,
    #[serde(default)]
    pub words: Vec<String>,
}
fn en_us() -> String {
    "en_US".into()
}
impl Default for Spelling {
    fn default() -> Self {
        Spelling {
            language: en_us(),
            words: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SiteSettings {
    #[serde(default)]
    pub title: Option<String>,
    /// Where `sync` rebuilds the site; no rebuild when unset.
    #[serde(default)]
    pub output: Option<String>,
    /// Where `site build` writes the customer status pages (relative to the desk); none
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<String>,
    /// Where the customer pages are published (`https://status.example.com/`): when set,
    /// every answer mailed carries the link to its ticket's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_url: Option<String>,
}
