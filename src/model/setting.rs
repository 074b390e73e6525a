//! The settings a person changes one at a time (`git desk settings set KEY VALUE`): their
//! dotted names, reading each as text, and setting each from text with the same checks the
//! file format makes. Whether a named queue exists is the operation's to check.

use super::{AutoClose, Email, InvalidValue, Money, Pricing, Settings, Slug, TlsMode};

/// Every key `settings set` knows, in the order `settings show` prints them.
pub const KEYS: &[&str] = &[
    "name",
    "support_email",
    "default_queue",
    "auto_close_days",
    "attachment_max_bytes",
    "mail_max_bytes",
    "autoresponse_limit_per_hour",
    "maildir",
    "mail.spamassassin",
    "mail.rspamd",
    "mail.dmarc_fail",
    "reseller_support.offered",
    "reseller_support.pricing",
    "reseller_support.default_price",
    "reseller_support.currency",
    "smtp.host",
    "smtp.port",
    "smtp.tls",
    "smtp.from",
    "spelling.language",
    "spelling.words",
    "site.title",
    "site.output",
    "site.customers",
    "site.customer_url",
];

/// The largest attachment limit accepted (1 GiB): the files live in git.
pub const MAX_ATTACHMENT_LIMIT: u64 = 1 << 30;

fn unknown(key: &str) -> InvalidValue {
    InvalidValue(format!(
        "`{key}` is not a setting (one of: {})",
        KEYS.join(", ")
    ))
}

/// The value of `key` as text (`none` for an unset optional value).
pub fn get(s: &Settings, key: &str) -> Result<String, InvalidValue> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "none".into());
    Ok(match key {
        "name" => s.name.clone(),
        "support_email" => s.support_email.to_string(),
        "default_queue" => s.default_queue.to_string(),
        "auto_close_days" => s.auto_close_days.days().to_string(),
        "attachment_max_bytes" => s.attachment_max_bytes.to_string(),
        "mail_max_bytes" => s.mail_max_bytes.to_string(),
        "autoresponse_limit_per_hour" => s.autoresponse_limit_per_hour.to_string(),
        "maildir" => opt(&s.maildir),
        "mail.spamassassin" => s.mail.spamassassin.to_string(),
        "mail.rspamd" => s.mail.rspamd.to_string(),
        "mail.dmarc_fail" => s.mail.dmarc_fail.to_string(),
        "reseller_support.offered" => s.reseller_support.offered.to_string(),
        "reseller_support.pricing" => s.reseller_support.pricing.to_string(),
        "reseller_support.default_price" => s.reseller_support.default_price.to_string(),
        "reseller_support.currency" => s.reseller_support.currency.clone(),
        "smtp.host" => s.smtp.host.clone(),
        "smtp.port" => s.smtp.port.to_string(),
        "smtp.tls" => tls_name(s.smtp.tls).into(),
        "smtp.from" => opt(&s.smtp.from),
        "spelling.language" => s.spelling.language.clone(),
        "spelling.words" => s.spelling.words.join(","),
        "site.title" => opt(&s.site.title),
        "site.output" => opt(&s.site.output),
        "site.customers" => opt(&s.site.customers),
        "site.customer_url" => opt(&s.site.customer_url),
        _ => return Err(unknown(key)),
    })
}

/// Sets `key` from `value`; `none` (or an empty value) clears an optional setting.
pub fn set(s: &mut Settings, key: &str, value: &str) -> Result<(), InvalidValue> {
    let v = value.trim();
    match key {
        "name" => s.name = one_line(v, "name", 200)?,
        "support_email" => s.support_email = v.parse::<Email>()?,
        "default_queue" => s.default_queue = v.parse::<Slug>()?,
        "auto_close_days" => s.auto_close_days = v.parse::<AutoClose>()?,
        "attachment_max_bytes" => {
            let n: u64 = v
                .parse()
                .map_err(|_| InvalidValue(format!("`{v}` is not a number of bytes")))?;
            if n == 0 || n > MAX_ATTACHMENT_LIMIT {
                return Err(InvalidValue(format!(
                    "attachment_max_bytes must be between 1 and {MAX_ATTACHMENT_LIMIT}, got {n}"
                )));
            }
            s.attachment_max_bytes = n;
        }
        "autoresponse_limit_per_hour" => {
            s.autoresponse_limit_per_hour = v
                .parse()
                .map_err(|_| InvalidValue(format!("`{v}` is not a whole number")))?
        }
        "mail_max_bytes" => {
            let n: u64 = v
                .parse()
                .map_err(|_| InvalidValue(format!("`{v}` is not a number of bytes")))?;
            if !(1024..=MAX_ATTACHMENT_LIMIT).contains(&n) {
                return Err(InvalidValue(format!(
                    "mail_max_bytes must be between 1024 and {MAX_ATTACHMENT_LIMIT}, got {n}"
                )));
            }
            s.mail_max_bytes = n;
        }
        "maildir" => s.maildir = optional(v).map(|p| relative_path(&p)).transpose()?,
        "mail.spamassassin" => s.mail.spamassassin = boolean(v)?,
        "mail.rspamd" => s.mail.rspamd = boolean(v)?,
        "mail.dmarc_fail" => s.mail.dmarc_fail = boolean(v)?,
        "reseller_support.offered" => s.reseller_support.offered = boolean(v)?,
        "reseller_support.pricing" => s.reseller_support.pricing = v.parse::<Pricing>()?,
        "reseller_support.default_price" => {
            s.reseller_support.default_price = v.parse::<Money>()?
        }
        "reseller_support.currency" => {
            if v.len() != 3 || !v.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(InvalidValue(format!(
                    "`{v}` is not a currency code (three capital letters, like USD)"
                )));
            }
            s.reseller_support.currency = v.into();
        }
        "smtp.host" => s.smtp.host = one_line(v, "smtp.host", 253)?,
        "smtp.port" => {
            s.smtp.port = v
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| InvalidValue(format!("`{v}` is not a port (1–65535)")))?
        }
        "smtp.tls" => s.smtp.tls = tls(v)?,
        "smtp.from" => {
            s.smtp.from = optional(v)
                .map(|f| one_line(&f, "smtp.from", 200))
                .transpose()?
        }
        "spelling.language" => s.spelling.language = one_line(v, "spelling.language", 20)?,
        "spelling.words" => {
            s.spelling.words = v
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        }
        "site.title" => {
            s.site.title = optional(v)
                .map(|t| one_line(&t, "site.title", 200))
                .transpose()?
        }
        "site.output" => {
            s.site.output = optional(v)
                .map(|o| one_line(&o, "site.output", 500))
                .transpose()?
        }
        "site.customers" => {
            s.site.customers = optional(v)
                .map(|o| one_line(&o, "site.customers", 500))
                .transpose()?
        }
        "site.customer_url" => {
            s.site.customer_url = optional(v)
                .map(|o| one_line(&o, "site.customer_url", 500))
                .transpose()?
        }
        _ => return Err(unknown(key)),
    }
    Ok(())
}

fn optional(v: &str) -> Option<String> {
    (!v.is_empty() && v != "none").then(|| v.to_owned())
}

fn one_line(v: &str, what: &str, max: usize) -> Result<String, InvalidValue> {
    if v.is_empty() || v.chars().any(char::is_control) || v.chars().count() > max {
        return Err(InvalidValue(format!(
            "{what} must be one line of 1 to {max} characters"
        )));
    }
    Ok(v.to_owned())
}

fn boolean(v: &str) -> Result<bool, InvalidValue> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(InvalidValue(format!("`{v}` is not true or false"))),
    }
}

fn tls(v: &str) -> Result<TlsMode, InvalidValue> {
    match v {
        "none" => Ok(TlsMode::None),
        "starttls" => Ok(TlsMode::Starttls),
        "tls" => Ok(TlsMode::Tls),
        _ => Err(InvalidValue(format!(
            "`{v}` is not a TLS mode (none, starttls, tls)"
        ))),
    }
}

fn tls_name(t: TlsMode) -> &'static str {
    match t {
        TlsMode::None => "none",
        TlsMode::Starttls => "starttls",
        TlsMode::Tls => "tls",
    }
}

/// A path inside the desk: relative, without `..`, one line.
pub fn relative_path(p: &str) -> Result<String, InvalidValue> {
    let bad = p.starts_with('/')
        || p.starts_with('\\')
        || p.split(['/', '\\']).any(|c| c == "..")
        || p.chars().any(char::is_control);
    if bad {
        return Err(InvalidValue(format!(
            "`{p}` must be a path relative to the desk, without `..`"
        )));
    }
    Ok(p.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::new(
            "Desk".into(),
            "support@example.com".parse().unwrap(),
            "general".parse().unwrap(),
        )
    }

    #[test]
    fn every_key_round_trips_through_text() {
        let mut s = settings();
        for key in KEYS {
            let v = get(&s, key).unwrap();
            set(&mut s, key, &v).unwrap_or_else(|e| panic!("{key}={v}: {e}"));
            assert_eq!(get(&s, key).unwrap(), v, "{key}");
        }
        assert_eq!(s, settings());
    }

    #[test]
    fn values_are_checked() {
        let mut s = settings();
        set(&mut s, "auto_close_days", "-1").unwrap();
        assert!(s.auto_close_days.never());
        assert!(set(&mut s, "auto_close_days", "-2").is_err());
        assert!(set(&mut s, "support_email", "not an address").is_err());
        assert!(set(&mut s, "attachment_max_bytes", "0").is_err());
        assert!(set(&mut s, "reseller_support.currency", "usd").is_err());
        assert!(set(&mut s, "smtp.from", "a\r\nBcc: x").is_err());
        assert!(set(&mut s, "maildir", "../../etc").is_err());
        assert!(set(&mut s, "smtp.port", "0").is_err());
        let e = set(&mut s, "colour", "blue").unwrap_err();
        assert!(e.0.contains("auto_close_days"), "{e}");
        set(&mut s, "reseller_support.default_price", "3.5").unwrap();
        assert_eq!(get(&s, "reseller_support.default_price").unwrap(), "3.50");
        set(&mut s, "smtp.from", "none").unwrap();
        assert_eq!(s.smtp.from, None);
    }
}
