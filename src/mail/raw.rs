//! The raw bytes of a mail made ready for the MIME parser. Two things real mailboxes hold
//! that the parser does not expect: a file that starts with an mbox `From ` separator line
//! (a mail saved from an mbox, or delivered by a local MDA that writes one), and header
//! lines with raw 8-bit bytes that are not UTF-8 (old mailers write Latin-1, Shift_JIS or
//! GB2312 into headers without RFC 2047 encoding). Such lines are decoded with the charset
//! the mail declares for its body (the usual guess of mail readers), else windows-1252 (the
//! WHATWG default for `iso-8859-1`), and re-encoded as UTF-8, which the parser reads as it
//! is. The names of the headers so decoded are kept: an address read from guessed bytes is
//! not trusted (see `parse`).

use std::borrow::Cow;

use encoding_rs::{Encoding, WINDOWS_1252};

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
}
