//! `billing`: what each reseller owes for the support of its end users over a period
//! (needs `billing.view`). The usage comes from the statistics' reseller figures; the
//! prices from `desk.yaml` (`reseller_support`) and each reseller's `custom_price` — both
//! only read here. The rules are in [`crate::model::billing`].

use crate::model::billing::{self, BillingReport};
use crate::model::stats::resellers;
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
    let settings = match desk.head_commit()? {
        Some(_) => desk.reader_at("HEAD")?.settings()?,
        None => desk.reader()?.settings()?,
    };
    let usage = resellers::compute(&data, range);
    Ok(billing::bill(
        &settings.reseller_support,
        &data.directory.resellers,
        &usage,
        range.first(),
        range.last(),
    ))
}
