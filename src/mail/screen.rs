//! Which mails intake does not take into the desk at all: those from an address on the
//! desk's ignore list (`mail.ignore`, globs) and those a spam filter upstream judged to be
//! spam — SpamAssassin's `X-Spam-Flag: YES` / `X-Spam-Status: Yes`, rspamd's
//! `X-Rspamd-Action` (add header, rewrite subject, reject) or `X-Spam: Yes`, and a failed
//! DMARC check in `Authentication-Results`. Each filter can be turned off in `desk.yaml`.
//! Pure: the mail and the settings in, a verdict out.

use super::IncomingMail;
use crate::model::{IgnoreRule, MailSettings};

/// What happens to a mail instead of intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// To the Maildir's `spam/` folder, with the reason.
    Spam(String),
    /// The sender matches an ignore rule.
    Ignore(IgnoreRule),
}

pub fn screen(mail: &IncomingMail, settings: &MailSettings) -> Option<Verdict> {
    if let Some(rule) = ignored(mail, &settings.ignore) {
        return Some(Verdict::Ignore(rule.clone()));
    }
    spam(mail, settings).map(Verdict::Spam)
}

/// The first ignore rule whose glob matches the sender's address (case ignored).
pub fn ignored<'a>(mail: &IncomingMail, rules: &'a [IgnoreRule]) -> Option<&'a IgnoreRule> {
    let from = mail.from.as_str().to_ascii_lowercase();
    rules.iter().find(|r| {
        let pattern = r.address.trim().to_ascii_lowercase();
        !pattern.is_empty()
            && gix::glob::wildmatch(
                pattern.as_bytes().into(),
                from.as_bytes().into(),
                gix::glob::wildmatch::Mode::IGNORE_CASE,
            )
    })
}

/// Why the filters upstream call this mail spam, if they do.
pub fn spam(mail: &IncomingMail, s: &MailSettings) -> Option<String> {
    let yes = |v: &str| {
        v.trim()
            .split([',', ' ', ';'])
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("yes"))
    };
    for (name, value) in &mail.filter_headers {
        let v = value.trim();
        let hit = match name.as_str() {
            "x-spam-flag" | "x-spam-status" if s.spamassassin => yes(v),
            "x-spam" if s.rspamd => yes(v),
            "x-rspamd-action" if s.rspamd => {
                let a = v.to_ascii_lowercase();
                matches!(a.as_str(), "add header" | "rewrite subject" | "reject")
            }
            "authentication-results" if s.dmarc_fail => v
                .to_ascii_lowercase()
                .split([';', ' ', '\t'])
                .any(|w| w == "dmarc=fail"),
            _ => false,
        };
        if hit {
            let header = match name.as_str() {
                "x-spam-flag" => "X-Spam-Flag",
                "x-spam-status" => "X-Spam-Status",
                "x-spam" => "X-Spam",
                "x-rspamd-action" => "X-Rspamd-Action",
                _ => "Authentication-Results",
            };
            // The verdict itself, not the whole header (DMARC comes after DKIM and SPF).
            let shown = match v.to_ascii_lowercase().find("dmarc=fail") {
                Some(at) if header == "Authentication-Results" => {
                    v[at..].split(';').next().unwrap_or("").trim().to_owned()
                }
                _ => v.to_owned(),
            };
            let shown: String = shown.chars().take(120).collect();
            return Some(format!("{header}: {shown}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str) -> IncomingMail {
        let raw = format!("From: Sales <Deals@Promo.example>\nSubject: x\n{headers}\nhello\n");
        crate::mail::parse(raw.as_bytes()).unwrap()
    }

    #[test]
    fn spam_headers_each_with_a_switch() {
        let on = MailSettings::default();
        let sa = mail("X-Spam-Flag: YES\nX-Spam-Status: Yes, score=9.1 required=5.0\n");
        assert_eq!(spam(&sa, &on).as_deref(), Some("X-Spam-Flag: YES"));
        let sa = mail("X-Spam-Status: Yes, score=9.1\n  required=5.0\n");
        assert!(spam(&sa, &on)
            .unwrap()
            .starts_with("X-Spam-Status: Yes, score=9.1"));
        assert_eq!(spam(&mail("X-Spam-Status: No, score=0.1\n"), &on), None);
        assert_eq!(spam(&mail("X-Spam-Flag: NO\n"), &on), None);
        let rs = mail("X-Rspamd-Action: add header\nX-Rspamd-Score: 8.2\n");
        assert_eq!(
            spam(&rs, &on).as_deref(),
            Some("X-Rspamd-Action: add header")
        );
        assert_eq!(spam(&mail("X-Rspamd-Action: no action\n"), &on), None);
        let dm = mail("Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=promo.example;\n dmarc=fail (p=REJECT) header.from=promo.example\n");
        assert!(spam(&dm, &on)
            .unwrap()
            .starts_with("Authentication-Results:"));
        assert_eq!(
            spam(&mail("Authentication-Results: mx; dmarc=pass\n"), &on),
            None
        );
        let off = MailSettings {
            spamassassin: false,
            rspamd: false,
            dmarc_fail: false,
            ignore: vec![],
        };
        for m in [sa, rs, dm] {
            assert_eq!(spam(&m, &off), None);
        }
    }

    #[test]
    fn ignore_globs_ignore_case() {
        let rules = vec![
            IgnoreRule {
                address: "*@newsletter.example".into(),
                keep: true,
            },
            IgnoreRule {
                address: "deals@promo.*".into(),
                keep: false,
            },
        ];
        let m = mail("");
        assert_eq!(ignored(&m, &rules), Some(&rules[1]));
        let s = MailSettings {
            ignore: rules.clone(),
            ..MailSettings::default()
        };
        assert_eq!(screen(&m, &s), Some(Verdict::Ignore(rules[1].clone())));
        assert_eq!(ignored(&m, &rules[..1]), None);
    }
}
