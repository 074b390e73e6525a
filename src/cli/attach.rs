//! `--attach FILE` (repeatable): files read for an answer, a note or a customer message.
//! A file larger than the desk's `attachment_max_bytes` is refused before it is read, with
//! the same words the operation uses.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

use crate::ops::ticket::NewAttachment;
use crate::store::{Desk, DeskRead};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct AttachArgs {
    /// Attach FILE (repeatable); at most `attachment_max_bytes` each.
    #[arg(long = "attach", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl AttachArgs {
    /// Reads the files, refusing any larger than the desk allows.
    pub fn read(&self, desk: &Desk) -> Result<Vec<NewAttachment>> {
        if self.files.is_empty() {
            return Ok(vec![]);
        }
        let max = desk.reader()?.settings()?.attachment_max_bytes;
        let mut out = Vec::new();
        for path in &self.files {
            let shown = path.display();
            let meta = std::fs::metadata(path).with_context(|| format!("--attach {shown}"))?;
            if !meta.is_file() {
                bail!("--attach {shown}: not a regular file");
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let too_big = |n: u64| {
                anyhow::anyhow!(
                    "attachment `{}`: {n} bytes is larger than the desk's limit of {max} bytes (attachment_max_bytes)",
                    crate::model::sanitize_file_name(&name)
                )
            };
            if meta.len() > max {
                return Err(too_big(meta.len()));
            }
            let mut bytes = Vec::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
                .with_context(|| format!("--attach {shown}"))?;
            if bytes.len() as u64 > max {
                return Err(too_big(bytes.len() as u64));
            }
            out.push(NewAttachment {
                name,
                bytes,
                content_type: None,
            });
        }
        Ok(out)
    }
}
