//! `git desk billing`: one line per reseller (unit, count, unit price, amount) and the
//! total, as a table, JSON or CSV.

use super::csv::field;
use std::io::Write;

use anyhow::Result;

use super::output::{cell, table};
use super::stats::PeriodArgs;
use super::Env;
use crate::model::billing::BillingReport;
use crate::ops::billing;

/// Reseller end-user support billing for a range of days (needs billing.view).
///
/// Per ticket: the tickets the reseller's customers opened in the range. Per customer: all
/// the reseller's accounts by the end of the range (the guide's "total customer count").
/// Per hour: the billable time logged on their customers' tickets in the range (`--time …
/// --billable`, `ticket time`), price × minutes / 60 (the count is in minutes).
/// A reseller's custom unit and price override the desk's default. Nothing is billed when
/// reseller support is not offered.
#[derive(Debug, clap::Args)]
pub struct BillingArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Print CSV (reseller,name,unit,count,unit_price,amount,currency; then a total line).
    #[arg(long)]
    pub csv: bool,
}

pub fn run(env: &Env, a: BillingArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    if a.csv && env.printer.json {
        writeln!(err, "error: --csv and --json cannot be used together")?;
        return Ok(2);
    }
    let desk = env.desk()?;
    let me = env.actor(&desk)?;
    let bill = super::output::with_spinner("reading tickets and history", || {
        billing::report(&desk, &me, a.period.period(), env.ctx.now().date())
    })?;
    if !bill.offered {
        writeln!(
            err,
            "note: reseller end-user support is not offered (reseller_support.offered is false): nothing is billed"
        )?;
    }
    if env.printer.json {
        env.printer.json(out, &bill)?;
    } else if a.csv {
        csv(&bill, out)?;
    } else {
        render(&bill, out)?;
    }
    Ok(0)
}

fn render(b: &BillingReport, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "Reseller support billing, {} to {} ({})",
        b.from,
        b.to,
        cell(&b.currency, 10)
    )?;
    if !b.offered {
        writeln!(
            out,
            "Reseller end-user support is not offered: nothing is billed."
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "default: {} at {} per unit",
        b.pricing, b.default_price
    )?;
    let mut rows = vec![[
        "reseller",
        "name",
        "unit",
        "count",
        "unit price",
        "amount",
        "",
    ]
    .map(String::from)
    .to_vec()];
    for l in &b.lines {
        rows.push(vec![
            cell(&l.reseller, 40),
            cell(l.name.as_deref().unwrap_or("(no reseller file)"), 30),
            l.unit.to_string(),
            match l.unit {
                crate::model::Pricing::PerHour => format!("{} min", l.count),
                _ => l.count.to_string(),
            },
            l.unit_price.to_string(),
            l.amount.to_string(),
            if l.custom {
                "custom price".into()
            } else {
                String::new()
            },
        ]);
    }
    let mut total = vec![String::new(); 7];
    total[0] = "total".into();
    total[5] = b.total.to_string();
    rows.push(total);
    table(out, &rows)
}

fn csv(b: &BillingReport, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "reseller,name,unit,count,unit_price,amount,currency")?;
    let currency = field(&b.currency);
    for l in &b.lines {
        writeln!(
            out,
            "{},{},{},{},{},{},{currency}",
            field(&l.reseller),
            field(l.name.as_deref().unwrap_or("")),
            l.unit,
            l.count,
            l.unit_price,
            l.amount
        )?;
    }
    writeln!(out, "total,,,,,{},{currency}", b.total)?;
    Ok(())
}
