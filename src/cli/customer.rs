//! `git desk account …` and `git desk reseller …`: customer accounts (ticket owners) and
//! resellers with their custom support prices.

use std::io::Write;

use anyhow::{bail, Result};

use super::output::{cell, listing, report_commit, short_time, table};
use super::Env;
use crate::model::{Email, Login, Money, Pricing};
use crate::ops::{self, customer as c};

#[derive(Debug, clap::Subcommand)]
pub enum AccountCommand {
    /// Add a customer account (needs staff.admin).
    Add(AccountAddArgs),
    /// Change an account (needs staff.admin).
    Edit(AccountEditArgs),
    /// List the accounts.
    List,
    /// Show one account.
    Show(LoginArgs),
}

#[derive(Debug, clap::Subcommand)]
pub enum ResellerCommand {
    /// Add a reseller (needs staff.admin).
    Add(ResellerArgs),
    /// Change a reseller (needs staff.admin); --email "" clears the address.
    Edit(ResellerArgs),
    /// List the resellers with their prices.
    List,
    /// Show one reseller.
    Show(LoginArgs),
    /// Set a custom support price for a reseller, or --clear it (needs staff.admin).
    Price(PriceArgs),
}

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    pub login: Login,
}

#[derive(Debug, clap::Args)]
pub struct AccountAddArgs {
    /// The account's login.
    pub login: Login,
    /// The customer's name.
    #[arg(long)]
    pub name: String,
    /// The customer's e-mail address.
    #[arg(long)]
    pub email: Email,
    /// The reseller this account is an end user of.
    #[arg(long, value_name = "LOGIN")]
    pub reseller: Option<Login>,
}

#[derive(Debug, clap::Args)]
pub struct AccountEditArgs {
    pub login: Login,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<Email>,
    /// The reseller, or `none` for a direct customer.
    #[arg(long, value_name = "LOGIN|none")]
    pub reseller: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ResellerArgs {
    pub login: Login,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct PriceArgs {
    pub login: Login,
    /// Per ticket or per customer.
    #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
    pub unit: Option<Pricing>,
    /// The price per unit, e.g. 3.00.
    #[arg(long, required_unless_present = "clear")]
    pub price: Option<Money>,
    /// Back to the desk's default price.
    #[arg(long)]
    pub clear: bool,
}

fn opt_email(v: Option<String>) -> Result<Option<Option<Email>>> {
    Ok(match v {
        None => None,
        Some(e) if e.trim().is_empty() => Some(None),
        Some(e) => Some(Some(
            e.parse().map_err(|err| anyhow::anyhow!("--email: {err}"))?,
        )),
    })
}

pub fn run_account(env: &Env, cmd: AccountCommand, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    match cmd {
        AccountCommand::List => {
            let reader = desk.reader()?;
            let loaded = c::accounts(reader.as_ref())?;
            listing(
                &env.printer,
                out,
                &loaded,
                &["LOGIN", "NAME", "E-MAIL", "RESELLER"],
                |a| {
                    vec![
                        a.login.to_string(),
                        cell(&a.name, 40),
                        a.email.to_string(),
                        a.reseller.as_ref().map_or("-".into(), |r| r.to_string()),
                    ]
                },
            )?;
        }
        AccountCommand::Show(a) => {
            let reader = desk.reader()?;
            let acc = c::account(reader.as_ref(), &a.login)?;
            if env.printer.json {
                env.printer.json(out, &acc)?;
                return Ok(0);
            }
            table(
                out,
                &[
                    vec!["Login".into(), acc.login.to_string()],
                    vec!["Name".into(), cell(&acc.name, 100)],
                    vec!["E-mail".into(), acc.email.to_string()],
                    vec![
                        "Reseller".into(),
                        acc.reseller
                            .as_ref()
                            .map_or("- (direct customer)".into(), |r| r.to_string()),
                    ],
                    vec![
                        "Created".into(),
                        acc.created_at.map_or("-".into(), short_time),
                    ],
                ],
            )?;
        }
        AccountCommand::Add(a) => {
            let me = env.actor(&desk)?;
            let f = c::CustomerFields {
                name: Some(a.name),
                email: Some(Some(a.email)),
                reseller: Some(a.reseller),
            };
            let login = a.login.clone();
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                c::add_account(tx, me, login, f)
            })?;
            report_commit(
                &env.printer,
                out,
                &format!("account {} added", a.login),
                commit,
            )?;
        }
        AccountCommand::Edit(a) => {
            let me = env.actor(&desk)?;
            let reseller = match a.reseller {
                None => None,
                Some(r) if r == "none" => Some(None),
                Some(r) => Some(Some(
                    r.parse::<Login>()
                        .map_err(|e| anyhow::anyhow!("--reseller: {e}"))?,
                )),
            };
            let f = c::CustomerFields {
                name: a.name,
                email: a.email.map(Some),
                reseller,
            };
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                c::edit_account(tx, me, &a.login, f)
            })?;
            report_commit(
                &env.printer,
                out,
                &format!("account {} changed", a.login),
                commit,
            )?;
        }
    }
    Ok(0)
}

pub fn run_reseller(env: &Env, cmd: ResellerCommand, out: &mut dyn Write) -> Result<i32> {
    let desk = env.desk()?;
    let price_text = |r: &crate::model::Reseller| {
        r.custom_price
            .as_ref()
            .map_or("default".to_string(), |p| format!("{} {}", p.price, p.unit))
    };
    match cmd {
        ResellerCommand::List => {
            let reader = desk.reader()?;
            let loaded = c::resellers(reader.as_ref())?;
            listing(
                &env.printer,
                out,
                &loaded,
                &["LOGIN", "NAME", "E-MAIL", "PRICE"],
                |r| {
                    vec![
                        r.login.to_string(),
                        cell(&r.name, 40),
                        r.email.as_ref().map_or("-".into(), |e| e.to_string()),
                        price_text(r),
                    ]
                },
            )?;
        }
        ResellerCommand::Show(a) => {
            let reader = desk.reader()?;
            let r = c::reseller(reader.as_ref(), &a.login)?;
            if env.printer.json {
                env.printer.json(out, &r)?;
                return Ok(0);
            }
            table(
                out,
                &[
                    vec!["Login".into(), r.login.to_string()],
                    vec!["Name".into(), cell(&r.name, 100)],
                    vec![
                        "E-mail".into(),
                        r.email.as_ref().map_or("-".into(), |e| e.to_string()),
                    ],
                    vec!["Price".into(), price_text(&r)],
                ],
            )?;
        }
        ResellerCommand::Add(a) => {
            let me = env.actor(&desk)?;
            let f = c::CustomerFields {
                name: a.name,
                email: opt_email(a.email)?,
                reseller: None,
            };
            let login = a.login.clone();
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                c::add_reseller(tx, me, login, f)
            })?;
            report_commit(
                &env.printer,
                out,
                &format!("reseller {} added", a.login),
                commit,
            )?;
        }
        ResellerCommand::Edit(a) => {
            let me = env.actor(&desk)?;
            let f = c::CustomerFields {
                name: a.name,
                email: opt_email(a.email)?,
                reseller: None,
            };
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                c::edit_reseller(tx, me, &a.login, f)
            })?;
            report_commit(
                &env.printer,
                out,
                &format!("reseller {} changed", a.login),
                commit,
            )?;
        }
        ResellerCommand::Price(a) => {
            let me = env.actor(&desk)?;
            let price = match (a.clear, a.unit, a.price) {
                (true, _, _) => None,
                (false, Some(u), Some(p)) => Some((u, p)),
                _ => bail!("give --unit and --price, or --clear"),
            };
            let (_, commit) = ops::mutate(&desk, &env.ctx, &me, |tx, me| {
                c::set_price(tx, me, &a.login, price)
            })?;
            let text = match price {
                Some((u, p)) => format!("reseller {}: custom price {p} {u}", a.login),
                None => format!("reseller {}: default price", a.login),
            };
            report_commit(&env.printer, out, &text, commit)?;
        }
    }
    Ok(0)
}
