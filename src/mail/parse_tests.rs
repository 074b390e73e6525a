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

/// Every encoding of the WHATWG Encoding Standard (except UTF-8 and the replacement
/// encoding): text made in that encoding, in an RFC 2047 subject and in the body, comes
/// back as the same characters.
#[test]
fn every_whatwg_encoding_is_decoded_in_subject_and_body() {
    let multi_byte = [
        ("Shift_JIS", "請求書の金額が違います"),
        ("EUC-JP", "請求書の金額が違います"),
        ("ISO-2022-JP", "請求書の金額が違います"),
        ("GBK", "我无法登录我的邮箱"),
        ("gb18030", "我无法登录我的邮箱 𠀀"),
        ("Big5", "我的帳單金額不正確"),
        ("EUC-KR", "웹메일에 로그인이 안 됩니다"),
    ];
    let single_byte = [
        "IBM866",
        "ISO-8859-2",
        "ISO-8859-3",
        "ISO-8859-4",
        "ISO-8859-5",
        "ISO-8859-6",
        "ISO-8859-7",
        "ISO-8859-8",
        "ISO-8859-8-I",
        "ISO-8859-10",
        "ISO-8859-13",
        "ISO-8859-14",
        "ISO-8859-15",
        "ISO-8859-16",
        "KOI8-R",
        "KOI8-U",
        "macintosh",
        "windows-874",
        "windows-1250",
        "windows-1251",
        "windows-1252",
        "windows-1253",
        "windows-1254",
        "windows-1255",
        "windows-1256",
        "windows-1257",
        "windows-1258",
        "x-mac-cyrillic",
    ];
    let mut cases: Vec<(&str, String)> = multi_byte
        .iter()
        .map(|(l, t)| (*l, t.to_string()))
        .collect();
    for label in single_byte {
        // Every printable character of the upper half that the encoding defines.
        let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
        let upper: Vec<u8> = (0xa1..=0xffu8).collect();
        let (text, _) = enc.decode_without_bom_handling(&upper);
        let text: String = text
            .chars()
            .filter(|c| *c != '\u{fffd}' && !c.is_control() && !c.is_whitespace())
            .collect();
        assert!(text.chars().count() > 40, "{label}: {text}");
        cases.push((label, text));
    }
    for (label, text) in cases {
        let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
        let (bytes, _, unmappable) = enc.encode(&text);
        assert!(!unmappable, "{label}: the sample is not encodable");
        let b64 = |b: &[u8]| {
            // RFC 2047 B encoding of at most a few dozen bytes; written out to stay free of
            // a base64 crate in the tests.
            const T: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut s = String::new();
            for c in b.chunks(3) {
                let n = (c[0] as u32) << 16
                    | (*c.get(1).unwrap_or(&0) as u32) << 8
                    | *c.get(2).unwrap_or(&0) as u32;
                for i in 0..4 {
                    if i <= c.len() {
                        s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                    } else {
                        s.push('=');
                    }
                }
            }
            s
        };
        let mut raw = format!(
            "From: a@b.example\r\nSubject: =?{label}?B?{}?=\r\nContent-Type: text/plain; charset=\"{label}\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\nx ",
            b64(&bytes)
        )
        .into_bytes();
        raw.extend_from_slice(&bytes);
        raw.extend_from_slice(b" x\r\n");
        let m = parse(&raw).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(m.subject, one_line(&text), "{label}: subject");
        assert_eq!(m.body, format!("x {text} x\n"), "{label}: body");
    }
}

#[test]
fn cjk_fixtures_decode_subject_body_sender_and_file_names() {
    let cases = [
        (
            "cjk-shift_jis.eml",
            "請求書について",
            "請求書の金額が違います。",
            "請求書.txt",
            "山田太郎",
        ),
        (
            "cjk-iso-2022-jp.eml",
            "ログインできません",
            "ウェブメールにログインできません。",
            "画面.txt",
            "山田太郎",
        ),
        (
            "cjk-euc-jp.eml",
            "サーバーが遅い",
            "昨日からサーバーがとても遅いです。",
            "ログ.txt",
            "山田太郎",
        ),
        (
            "cjk-gb2312.eml",
            "无法登录邮箱",
            "我无法登录我的邮箱。",
            "截图.txt",
            "王小明",
        ),
        (
            "cjk-gbk.eml",
            "发票问题",
            "发票金额有误，请核实。",
            "发票.txt",
            "王小明",
        ),
        (
            "cjk-gb18030.eml",
            "网站打不开",
            "我的网站从今天早上开始打不开。𠀀",
            "错误.txt",
            "王小明",
        ),
        (
            "cjk-big5.eml",
            "帳單問題",
            "我的帳單金額不正確。",
            "帳單.txt",
            "陳大文",
        ),
        (
            "cjk-euc-kr.eml",
            "로그인이 안 됩니다",
            "웹메일에 로그인이 안 됩니다.",
            "화면.txt",
            "김민수",
        ),
    ];
    for (file, subject, body, name, sender) in cases {
        let m = ok(file);
        assert_eq!(m.subject, subject, "{file}");
        assert!(m.body.contains(body), "{file}: {}", m.body);
        assert!(!m.body.contains('\u{fffd}'), "{file}: {}", m.body);
        assert_eq!(m.from_name.as_deref(), Some(sender), "{file}");
        assert_eq!(m.attachments.len(), 1, "{file}");
        assert_eq!(m.attachments[0].name.as_deref(), Some(name), "{file}");
    }
}

#[test]
fn eight_bit_headers_decode_and_an_undecodable_address_is_not_used() {
    let m = ok("8bit-name.eml");
    assert_eq!(m.from.as_str(), "renee@doe.example");
    assert_eq!(m.from_name.as_deref(), Some("Renée François"));
    assert_eq!(m.subject, "Problème de facturation");
    assert_eq!(m.unusable_sender, None);

    let m = ok("8bit-address.eml");
    assert_eq!(m.from.as_str(), UNKNOWN_SENDER);
    assert_eq!(
        m.unusable_sender.as_deref(),
        Some("Tomé?@football.example.com")
    );
    assert!(!m.body.is_empty());
    // A replacement character from a broken encoded word is no address either.
    let m =
        parse(b"From: =?utf-8?Q?tom=FF?= <tom\xef\xbf\xbd@x.example>\nSubject: s\n\nb\n").unwrap();
    assert_eq!(m.from.as_str(), UNKNOWN_SENDER);
}

#[test]
fn subject_only_forwarded_only_mbox_and_odd_ids() {
    let m = ok("subject-only.eml");
    assert_eq!(m.subject, "Please call me back about order 4711");
    assert_eq!(m.body, "");

    let m = ok("forwarded-only.eml");
    assert!(
        m.body.starts_with(
            "---------- Forwarded message ----------\nFrom: Accounting <accounting@vendor.example>\nDate: "
        ),
        "{}",
        m.body
    );
    assert!(m.body.contains("Subject: Invoice 2026-118 overdue\nTo: office@doe.example\n\nDear customer,\n\ninvoice 2026-118 is 30 days overdue."), "{}", m.body);

    let m = ok("mbox-from.eml");
    assert_eq!(m.from.as_str(), "mboxuser@doe.example");
    assert_eq!(m.subject, "Saved from my mbox");
    assert_eq!(m.body, "This mail was saved from an mbox file.\n");

    let m = ok("alpha-id.eml");
    assert_eq!(m.message_id, "<alpha>");
}

#[test]
fn cc_addresses_and_filter_headers() {
    let m = ok("cc.eml");
    let cc: Vec<&str> = m.cc.iter().map(|e| e.as_str()).collect();
    assert_eq!(
        cc,
        [
            "ann@doe.example",
            "SUPPORT@example.com",
            "billing@doe.example"
        ]
    );
    let m = ok("spamassassin.eml");
    assert_eq!(
        m.filter_headers[0],
        ("x-spam-flag".to_owned(), "YES".to_owned())
    );
    assert!(m.filter_headers[2]
        .1
        .starts_with("Yes, score=14.2 required=5.0 tests=BAYES_99,HTML_MESSAGE, LOTS_OF_MONEY"));
}
