//! Storing attachments under a ticket's `files/`: every file is checked against the desk's
//! `attachment_max_bytes` before anything is staged, its name is sanitised (no path, no
//! control characters), and it is stored as `files/<key>-<name>` where `<key>` is the key of
//! the message it belongs to; two attachments of one message with the same name are kept
//! apart as `<key>-<stem>-2.<ext>`, `-3`, ….

use std::collections::BTreeSet;

use crate::model::{
    outbox::header_value, sanitize_file_name, Attachment, MessageKey, Settings, TicketId,
};
use crate::store::{layout, Source, Transaction};

use super::super::error::{OpError, Result};

/// The most attachments one message may carry.
pub const MAX_ATTACHMENTS: usize = 50;

/// An attachment as it arrives (a file given with `--attach`, a MIME part of a mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The name as given; sanitised when stored.
    pub name: String,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// Stages the attachments of the message `key` of ticket `id` and returns their records
/// for the message file. Refuses (staging nothing) when one is too large or there are too
/// many.
pub fn store(
    tx: &mut Transaction<'_>,
    settings: &Settings,
    id: TicketId,
    key: &MessageKey,
    files: Vec<NewAttachment>,
) -> Result<Vec<Attachment>> {
    if files.len() > MAX_ATTACHMENTS {
        return Err(OpError::invalid(
            "attachments",
            format!(
                "{} attachments; at most {MAX_ATTACHMENTS} per message",
                files.len()
            ),
        ));
    }
    let max = settings.attachment_max_bytes;
    for f in &files {
        if f.bytes.len() as u64 > max {
            return Err(OpError::invalid(
                format!("attachment `{}`", sanitize_file_name(&f.name)),
                format!(
                    "{} bytes is larger than the desk's limit of {max} bytes (attachment_max_bytes)",
                    f.bytes.len()
                ),
            ));
        }
    }
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let name = sanitize_file_name(&f.name);
        let file = free_name(tx, id, key, &name, &mut used)?;
        let content_type = f
            .content_type
            .as_deref()
            .and_then(clean_content_type)
            .or_else(|| guess_content_type(&name).map(str::to_owned));
        let size = f.bytes.len() as u64;
        tx.put(layout::attachment(id, &file), f.bytes);
        out.push(Attachment {
            name,
            file,
            size,
            content_type,
        });
    }
    Ok(out)
}

/// `<key>-<name>`, or with `-2`, `-3`, … before the extension when that is taken.
fn free_name(
    tx: &Transaction<'_>,
    id: TicketId,
    key: &MessageKey,
    name: &str,
    used: &mut BTreeSet<String>,
) -> Result<String> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    for n in 1.. {
        let file = if n == 1 {
            format!("{key}-{name}")
        } else {
            format!("{key}-{stem}-{n}{ext}")
        };
        if !used.contains(&file) && tx.read(&layout::attachment(id, &file))?.is_none() {
            used.insert(file.clone());
            return Ok(file);
        }
    }
    unreachable!("an unbounded counter finds a free name")
}

/// A MIME type as given, if it looks like one (`type/subtype`, no header syntax).
fn clean_content_type(ct: &str) -> Option<String> {
    let ct = header_value(ct);
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ok = essence.len() <= 100
        && essence.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && essence
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"/.+-_".contains(&c))
        });
    ok.then_some(essence)
}

/// The MIME type of common file kinds, from the extension.
pub fn guess_content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "json" => "application/json",
        "xml" => "application/xml",
        "eml" => "message/rfc822",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(guess_content_type("a.PNG"), Some("image/png"));
        assert_eq!(guess_content_type("noext"), None);
        assert_eq!(
            clean_content_type("Text/Plain; charset=utf-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(clean_content_type("text/plain\r\nBcc: x"), None);
        assert_eq!(clean_content_type("nonsense"), None);
    }
}
