//! The raw bytes of a mail made ready for the MIME parser. Two things real mailboxes hold
//! that the parser does not expect: a file that starts with an mbox `From ` separator line
//! (a mail saved from an mbox, or delivered by a local MDA that writes one), and header
//! lines with raw 8-bit bytes that are not UTF-8 (old mailers write Latin-1, Shift_JIS or
//! GB2312 into headers without RFC 2047 encoding). Such lines are decoded with the charset
//! the mail declares for its body (the usual guess of mail readers), else windows-1252 (the
//! WHATWG default for `iso-8859-1`), and re-encoded as UTF-8, which the parser reads as it
//! is. The names of the headers so decoded are kept: an address read from guessed bytes is
//! not trusted (see `parse`).
//!
//! Character sets are decoded by encoding_rs, the WHATWG Encoding Standard's tables: the
//! parser's own single-byte tables differ from them for a few charsets (ISO-8859-7 has no
//! `€`, ISO-8859-16, KOI8-U, macintosh, windows-1255 differ in places), so RFC 2047 words
//! in header sections are re-written as UTF-8 words ([`reencode_words`]) and text bodies
//! are decoded here too ([`decode_text`]).

use std::borrow::Cow;

use encoding_rs::{Encoding, WINDOWS_1252};
use mail_parser::MimeHeaders;

/// The mail without an mbox `From ` first line, its header section in UTF-8, and the
/// lower-cased names of the headers that held undecodable 8-bit bytes.
pub struct Prepared<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub eight_bit_headers: Vec<String>,
}

/// Strips a leading mbox `From ` line (`From sender@example.com Sat Jan  3 01:05:34 1996`).
fn strip_mbox_line(raw: &[u8]) -> &[u8] {
    if !raw.starts_with(b"From ") {
        return raw;
    }
    match raw.iter().position(|&b| b == b'\n') {
        Some(end) => &raw[end + 1..],
        None => &raw[raw.len()..],
    }
}

/// Where the header section ends (the index of the blank line's first byte), or the length.
fn header_end(raw: &[u8]) -> usize {
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        if rest.starts_with(b"\r\n") || rest.starts_with(b"\n") {
            return i;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(nl) => i += nl + 1,
            None => return raw.len(),
        }
    }
    raw.len()
}

/// The `charset` parameter of the top-level Content-Type header, if the header section
/// names one that the WHATWG encoding standard knows.
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut in_ct = false;
    let mut value = String::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if in_ct {
                value.push_str(line);
            }
            continue;
        }
        if in_ct {
            break;
        }
        if let Some(v) = line.strip_prefix("content-type:") {
            in_ct = true;
            value.push_str(v);
        }
    }
    let at = value.find("charset=")?;
    let v = value[at + "charset=".len()..].trim_start_matches(['"', '\'', ' ']);
    let label: String = v
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | ';' | ' ' | '\t' | '\r'))
        .collect();
    Encoding::for_label(label.as_bytes())
}

pub fn prepare(raw: &[u8]) -> Prepared<'_> {
    let raw = strip_mbox_line(raw);
    let end = header_end(raw);
    let head = &raw[..end];
    if std::str::from_utf8(head).is_ok() {
        return Prepared {
            bytes: Cow::Borrowed(raw),
            eight_bit_headers: Vec::new(),
        };
    }
    let enc = declared_charset(head)
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or(WINDOWS_1252);
    let mut out = Vec::with_capacity(raw.len() + 64);
    let mut names = Vec::new();
    let mut current = String::new();
    for line in head.split_inclusive(|&b| b == b'\n') {
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            current = line
                .iter()
                .position(|&b| b == b':')
                .map(|c| {
                    String::from_utf8_lossy(&line[..c])
                        .trim()
                        .to_ascii_lowercase()
                })
                .unwrap_or_default();
        }
        if std::str::from_utf8(line).is_ok() {
            out.extend_from_slice(line);
        } else {
            let (text, _, _) = enc.decode(line);
            out.extend_from_slice(text.as_bytes());
            if !names.contains(&current) {
                names.push(current.clone());
            }
        }
    }
    out.extend_from_slice(&raw[end..]);
    Prepared {
        bytes: Cow::Owned(out),
        eight_bit_headers: names,
    }
}

/// The RFC 2047 encoded words and RFC 2231 extended parameter values (`name*=cs'lang'%XX`,
/// not the numbered continuations) inside `ranges` (header sections) of `raw` whose charset
/// encoding_rs knows (other than UTF-8), re-written as UTF-8; `None` when there is none.
pub fn reencode_words(raw: &[u8], ranges: &[(usize, usize)]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    let mut copied = 0;
    let mut changed = false;
    for &(start, end) in ranges {
        let end = end.min(raw.len());
        if start < copied || start >= end {
            continue;
        }
        let mut i = start;
        while i + 1 < end {
            if raw[i] == b'=' && raw[i + 1] == b'?' {
                if let Some((len, text)) = encoded_word(&raw[i..end]) {
                    out.extend_from_slice(&raw[copied..i]);
                    out.extend_from_slice(utf8_word(&text).as_bytes());
                    i += len;
                    copied = i;
                    changed = true;
                    continue;
                }
            }
            if raw[i] == b'*' && raw[i + 1] == b'=' && i > 0 && raw[i - 1].is_ascii_alphabetic() {
                if let Some((len, text)) = extended_value(&raw[i + 2..end]) {
                    out.extend_from_slice(&raw[copied..i + 2]);
                    out.extend_from_slice(b"utf-8''");
                    for &b in text.as_bytes() {
                        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                            out.push(b);
                        } else {
                            out.extend_from_slice(format!("%{b:02X}").as_bytes());
                        }
                    }
                    i += 2 + len;
                    copied = i;
                    changed = true;
                    continue;
                }
            }
            i += 1;
        }
    }
    if !changed {
        return None;
    }
    out.extend_from_slice(&raw[copied..]);
    Some(out)
}

/// `=?charset?B|Q?data?=` at the start of `s`, when the charset is one encoding_rs decodes
/// and it is not UTF-8: its length and its text.
fn encoded_word(s: &[u8]) -> Option<(usize, String)> {
    let body = s.strip_prefix(b"=?")?;
    let q1 = body.iter().take(80).position(|&b| b == b'?')?;
    let label = &body[..q1];
    let label = label.split(|&b| b == b'*').next().unwrap_or(label); // RFC 2231 language
    let enc = Encoding::for_label(label)?;
    if enc == encoding_rs::UTF_8 || enc == encoding_rs::REPLACEMENT {
        return None;
    }
    let rest = &body[q1 + 1..];
    let (kind, rest) = (rest.first()?.to_ascii_uppercase(), rest.get(1..)?);
    let rest = rest.strip_prefix(b"?")?;
    let end = rest
        .windows(2)
        .position(|w| w == b"?=")
        .filter(|&e| !rest[..e].iter().any(|b| b.is_ascii_whitespace()))?;
    let data = &rest[..end];
    let bytes = match kind {
        b'B' => mail_parser::decoders::base64::base64_decode(data)?,
        b'Q' => q_decode(data)?,
        _ => return None,
    };
    let (text, _) = enc.decode_without_bom_handling(&bytes);
    let len = 2 + q1 + 1 + 2 + end + 2;
    Some((len, text.into_owned()))
}

/// `charset'lang'%XX…` (RFC 2231) at the start of `s`, when encoding_rs knows the charset
/// and it is not UTF-8: its length and its text.
fn extended_value(s: &[u8]) -> Option<(usize, String)> {
    let q1 = s.iter().take(40).position(|&b| b == b'\'')?;
    let enc = Encoding::for_label(&s[..q1])?;
    if enc == encoding_rs::UTF_8 || enc == encoding_rs::REPLACEMENT {
        return None;
    }
    let q2 = q1 + 1 + s[q1 + 1..].iter().take(40).position(|&b| b == b'\'')?;
    let value = &s[q2 + 1..];
    let len = value
        .iter()
        .position(|&b| b == b';' || b.is_ascii_whitespace())
        .unwrap_or(value.len());
    let mut bytes = Vec::with_capacity(len);
    let mut i = 0;
    while i < len {
        if value[i] == b'%' {
            let hex = std::str::from_utf8(value.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(value[i]);
            i += 1;
        }
    }
    let (text, _) = enc.decode_without_bom_handling(&bytes);
    Some((q2 + 1 + len, text.into_owned()))
}

/// RFC 2047 `Q` data: `_` is a space, `=XX` a byte.
fn q_decode(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(data.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// `text` as one UTF-8 `Q` word.
fn utf8_word(text: &str) -> String {
    let mut w = String::from("=?utf-8?Q?");
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/') {
            w.push(b as char);
        } else {
            w.push_str(&format!("={b:02X}"));
        }
    }
    w.push_str("?=");
    w
}

/// A text part's transfer-decoded bytes decoded from `charset` by encoding_rs; `None`
/// when encoding_rs does not know the label, or it is UTF-8 (the parser's own result is
/// then kept).
pub fn decode_text(
    raw_body: &[u8],
    transfer: mail_parser::Encoding,
    charset: &str,
) -> Option<String> {
    let enc = Encoding::for_label(charset.trim().as_bytes())?;
    if enc == encoding_rs::UTF_8 || enc == encoding_rs::REPLACEMENT {
        return None;
    }
    let bytes = match transfer {
        mail_parser::Encoding::None => raw_body.to_vec(),
        mail_parser::Encoding::Base64 => mail_parser::decoders::base64::base64_decode(raw_body)?,
        mail_parser::Encoding::QuotedPrintable => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(raw_body)?
        }
    };
    let (text, _) = enc.decode_without_bom_handling(&bytes);
    Some(text.into_owned())
}

/// The mail with its RFC 2047 words in other charsets than UTF-8 re-written as UTF-8
/// words, decoded by encoding_rs (see `raw`); `None` when there is nothing to re-write.
pub(super) fn utf8_words(raw: &[u8]) -> Option<Vec<u8>> {
    let foreign = raw.windows(2).enumerate().any(|(i, w)| {
        let end = match w {
            b"=?" => b'?',
            b"*=" => b'\'',
            _ => return false,
        };
        raw[i + 2..]
            .iter()
            .take(40)
            .position(|&b| b == end)
            .is_some_and(|q| {
                let label = &raw[i + 2..i + 2 + q];
                !label.eq_ignore_ascii_case(b"utf-8") && !label.eq_ignore_ascii_case(b"utf8")
            })
    });
    if !foreign {
        return None;
    }
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    let ranges: Vec<(usize, usize)> = msg
        .parts
        .iter()
        .map(|p| (p.offset_header as usize, p.offset_body as usize))
        .collect();
    reencode_words(raw, &ranges)
}

/// A text part decoded by encoding_rs from the charset it declares (the WHATWG tables);
/// `None` to keep the parser's own decoding (UTF-8, or a label encoding_rs does not know).
pub(super) fn whatwg_text(raw: &[u8], part: &mail_parser::MessagePart<'_>) -> Option<String> {
    let charset = part.content_type()?.attribute("charset")?;
    let body = raw.get(part.offset_body as usize..part.offset_end as usize)?;
    decode_text(body, part.encoding, charset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_line_is_dropped() {
        let p =
            prepare(b"From john@doe.example Sat Nov 28 10:00:00 2026\nFrom: a@b.example\n\nx\n");
        assert_eq!(&*p.bytes, b"From: a@b.example\n\nx\n");
        let p = prepare(b"From: a@b.example\n\nx\n");
        assert_eq!(&*p.bytes, b"From: a@b.example\n\nx\n");
    }

    #[test]
    fn eight_bit_headers_use_the_body_charset_else_windows_1252() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("件名です");
        let mut raw = b"From: a@b.example\r\nSubject: ".to_vec();
        raw.extend_from_slice(&sjis);
        raw.extend_from_slice(
            b"\r\nContent-Type: text/plain;\r\n charset=\"Shift_JIS\"\r\n\r\n\x82\xa0\r\n",
        );
        let p = prepare(&raw);
        let text = String::from_utf8_lossy(&p.bytes);
        assert!(text.contains("Subject: 件名です\r\n"), "{text}");
        assert!(
            p.bytes.ends_with(b"\r\n\r\n\x82\xa0\r\n"),
            "the body is left alone"
        );
        assert_eq!(p.eight_bit_headers, ["subject"]);

        let p = prepare(b"From: Tom\xe9?@football.example.com\n\nhi\n");
        assert_eq!(
            &*p.bytes,
            "From: Tomé?@football.example.com\n\nhi\n".as_bytes()
        );
        assert_eq!(p.eight_bit_headers, ["from"]);
    }

    #[test]
    fn foreign_words_and_parameters_become_utf8() {
        let raw = b"Subject: =?iso-8859-7?B?pKU=?= =?utf-8?Q?x?= =?x-unknown?Q?y?=\n\n=?iso-8859-7?Q?=A4?=\n";
        let head = raw.iter().position(|&b| b == b'\n').unwrap() + 1;
        let out = reencode_words(raw, &[(0, head)]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Subject: =?utf-8?Q?=E2=82=AC=E2=82=AF?= =?utf-8?Q?x?= =?x-unknown?Q?y?=\n\n=?iso-8859-7?Q?=A4?=\n",
            "only the header section is touched"
        );
        assert_eq!(reencode_words(b"Subject: plain\n\n", &[(0, 15)]), None);

        let raw = b"Content-Disposition: attachment; filename*=iso-8859-7'el'%A4%A5.txt\n\n";
        let out = reencode_words(raw, &[(0, raw.len())]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%E2%82%AF.txt\n\n"
        );
        // Numbered continuations are left to the parser.
        let raw = b"Content-Type: text/plain; name*0*=iso-8859-7''%A4\n\n";
        assert_eq!(reencode_words(raw, &[(0, raw.len())]), None);

        // Through the parser: the attachment's name in ISO-8859-7 as WHATWG reads it.
        let mail = b"From: a@b.example\nSubject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=iso-8859-7''%A4%A5.txt\n\nxx\n--b--\n";
        let m = crate::mail::parse(mail).unwrap();
        assert_eq!(m.attachments[0].name.as_deref(), Some("€₯.txt"));
    }
}
