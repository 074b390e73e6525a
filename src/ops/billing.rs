//! `billing`: what each reseller owes for the support of its end users over a period
//! (needs `billing.view`). The usage comes from the statistics' reseller figures; the
//! prices from `desk.yaml` (`reseller_support`) and each reseller's `custom_price` — both
//! only read here. The rules are in [`crate::model::billing`].

use crate::model::billing::{self, BillingReport};
use crate::model::stats::{resellers, Dataset, Range};
use crate::model::{Date, Permission, Staff};
use crate::store::{Desk, DeskRead};

use super::actor;
use super::error::Result;
use super::stats::{load, Period};

/// The bill of `period` (needs `billing.view`).
pub fn report(desk: &Desk, me: &Staff, period: Period, today: Date) -> Result<BillingReport> {
    actor::require(me, Permission::BillingView, "view reseller billing")?;
    let data = load(desk)?;
    let range = period.range(today, &data)?;
    bill(desk, &data, range)
}

/// The bill of `range` from an already loaded dataset, without a permission check.
pub fn bill(desk: &Desk, data: &Dataset, range: Range) -> Result<BillingReport> {
    // The same state the dataset was read from: HEAD of a git desk, else the files.
    let settings = match desk.head_commit()? {
        Some(_) => desk.reader_at("HEAD")?.settings()?,
        None => desk.reader()?.settings()?,
    };
    let usage = resellers::compute(data, range);
    Ok(billing::bill(
        &settings.reseller_support,
        &data.directory.resellers,
        &usage,
        range.first(),
        range.last(),
    ))
}
