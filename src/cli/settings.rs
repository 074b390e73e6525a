//! `git desk settings show|set`: the desk's settings.

use std::io::Write;

use anyhow::{bail, Result};

use super::output::{cell, report_commit, table};
use super::Env;
use crate::model::setting;
use crate::ops::{self, settings as s};

#[derive(Debug, clap::Subcommand)]
pub enum SettingsCommand {
    /// Show every setting.
    Show,
    /// Change settings in one commit (needs settings.admin): `set KEY VALUE [KEY VALUE …]`.
    ///
    /// Keys: name, support_email, default_queue, auto_close_days (0 = close when answered,
    /// N = N days after the answer, -1 = never), attachment_max_bytes,
    /// autoresponse_limit_per_hour, maildir, reseller_support.offered,
    /// reseller_support.pricing (per_ticket|per_customer), reseller_support.default_price,
    /// reseller_support.currency, smtp.host, smtp.port, smtp.tls (none|starttls|tls),
    /// smtp.from, spelling.language, spelling.words (comma-separated), site.title,
    /// site.output. `none` clears an optional value.
    Set(SetArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// KEY VALUE pairs.
    #[arg(required = true, num_args = 2.., value_name = "KEY VALUE", allow_hyphen_values = true)]
    pub pairs: Vec<String>,
}

pub fn run(env: &Env, cmd: SettingsCommand, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    match cmd {
        SettingsCommand::Show => {
            let reader = desk.reader()?;
            let st = s::show(reader.as_ref())?;
            if env.printer.json {
                env.printer.json(out, &st)?;
                return Ok(0);
            }
            let mut rows = Vec::new();
            for key in setting::KEYS {
                rows.push(vec![key.to_string(), cell(&setting::get(&st, key)?, 120)]);
            }
            table(out, &rows)?;
        }
        SettingsCommand::Set(a) => {
            if a.pairs.len() % 2 != 0 {
                bail!(
                    "settings set takes KEY VALUE pairs; `{}` has no value",
                    a.pairs.last().map(String::as_str).unwrap_or("")
                );
            }
            let pairs: Vec<(String, String)> = a
                .pairs
                .chunks(2)
                .map(|c| (c[0].clone(), c[1].clone()))
                .collect();
            let me = env.actor(&desk)?;
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| s::set(tx, me, &pairs))?;
            let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            report_commit(
                &env.printer,
                out,
                &format!("settings: {}", text.join(", ")),
                commit,
            )?;
        }
    }
    Ok(0)
}
