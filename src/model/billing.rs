//! Reseller end-user support billing ("Supporting Reseller End Users"): when the desk offers
//! support to resellers' end users, each reseller is charged per unit — per ticket, or per
//! customer ("per total customer count") — at the desk's default price, or at the
//! reseller's own custom unit and price. Pure: the usage comes from the statistics'
//! [`ResellerStats`].
//!
//! - per_ticket: the tickets the reseller's customers opened in the range (deleted tickets
//!   are not billed; a merged-away ticket is part of the one it was merged into);
//! - per_customer: all the reseller's accounts that existed by the end of the range, with
//!   tickets or not — the guide bills "per total customer count". (How many of them had
//!   tickets is shown alongside.)
//! - per_hour: the billable time logged in the range on the reseller's customers' tickets
//!   (`time:` entries marked billable, see [`super::timelog`]); `count` is then minutes and
//!   the amount price × minutes / 60, exact before the one rounding to cents.
//!
//! Amounts are exact decimals: each line is price × count rounded to cents (halves away
//! from zero), and the total is the sum of the lines. When support is not offered nothing
//! is billed.

use serde::Serialize;

use super::stats::ResellerStats;
use super::{Date, Money, Pricing, Reseller, ResellerSupport};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingLine {
    pub reseller: String,
    /// None for a reseller named by accounts but without a reseller file.
    pub name: Option<String>,
    pub unit: Pricing,
    /// Whether the reseller's custom price applies (instead of the default).
    pub custom: bool,
    /// Units billed: tickets, customers or (per_hour) billable minutes, after `unit`.
    pub count: u64,
    pub unit_price: Money,
    pub amount: Money,
    /// Tickets opened in the range by the reseller's customers.
    pub tickets: u64,
    /// Customers with tickets in the range.
    pub customers_with_tickets: u64,
    /// All the reseller's accounts by the end of the range.
    pub accounts: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingReport {
    pub from: Date,
    pub to: Date,
    /// `reseller_support.offered`: when false nothing is billed and there are no lines.
    pub offered: bool,
    pub currency: String,
    /// The default pricing structure and price per unit.
    pub pricing: Pricing,
    pub default_price: Money,
    pub lines: Vec<BillingLine>,
    pub total: Money,
}

/// The bill for the range whose reseller figures are `usage`.
pub fn bill(
    support: &ResellerSupport,
    resellers: &[Reseller],
    usage: &[ResellerStats],
    from: Date,
    to: Date,
) -> BillingReport {
    let mut lines = Vec::new();
    if support.offered {
        for u in usage {
            let custom = resellers
                .iter()
                .find(|r| r.login.as_str() == u.login)
                .and_then(|r| r.custom_price.as_ref());
            let (unit, unit_price) = match custom {
                Some(c) => (c.unit, c.price),
                None => (support.pricing, support.default_price),
            };
            let count = match unit {
                Pricing::PerTicket => u.tickets,
                Pricing::PerCustomer => u.accounts,
                Pricing::PerHour => u.billable_minutes,
            };
            let amount = match unit {
                Pricing::PerHour => unit_price.per_hour_for(count),
                _ => unit_price.times(count),
            };
            lines.push(BillingLine {
                reseller: u.login.clone(),
                name: u.name.clone(),
                unit,
                custom: custom.is_some(),
                count,
                unit_price,
                amount: amount.round_cents(),
                tickets: u.tickets,
                customers_with_tickets: u.customers,
                accounts: u.accounts,
            });
        }
    }
    let total = lines
        .iter()
        .fold(Money::zero(), |sum, l| sum + l.amount)
        .round_cents();
    BillingReport {
        from,
        to,
        offered: support.offered,
        currency: support.currency.clone(),
        pricing: support.pricing,
        default_price: support.default_price,
        lines,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CustomPrice;

    fn usage(login: &str, tickets: u64, customers: u64, accounts: u64) -> ResellerStats {
        ResellerStats {
            login: login.into(),
            name: Some(login.to_uppercase()),
            tickets,
            customers,
            customer_messages: 0,
            answers: 0,
            accounts,
            minutes: 0,
            billable_minutes: 0,
        }
    }

    fn reseller(login: &str, custom: Option<(Pricing, &str)>) -> Reseller {
        Reseller {
            login: login.parse().unwrap(),
            name: login.to_uppercase(),
            email: None,
            custom_price: custom.map(|(unit, p)| CustomPrice {
                unit,
                price: p.parse().unwrap(),
            }),
            extra: Default::default(),
        }
    }

    fn support(offered: bool, pricing: Pricing, price: &str) -> ResellerSupport {
        ResellerSupport {
            offered,
            pricing,
            default_price: price.parse().unwrap(),
            currency: "EUR".into(),
        }
    }

    #[test]
    fn default_and_custom_prices() {
        let day: Date = "2026-11-01".parse().unwrap();
        let rs = [
            reseller("acme", Some((Pricing::PerCustomer, "12.50"))),
            reseller("web", None),
            reseller("cheap", Some((Pricing::PerTicket, "0.333"))),
        ];
        let u = [
            usage("acme", 4, 2, 3),
            usage("cheap", 5, 1, 9),
            usage("web", 7, 3, 10),
        ];
        let b = bill(
            &support(true, Pricing::PerTicket, "5.00"),
            &rs,
            &u,
            day,
            day,
        );
        let got: Vec<(&str, Pricing, bool, u64, String, String)> = b
            .lines
            .iter()
            .map(|l| {
                let (price, amount) = (l.unit_price.to_string(), l.amount.to_string());
                (
                    l.reseller.as_str(),
                    l.unit,
                    l.custom,
                    l.count,
                    price,
                    amount,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "acme",
                    Pricing::PerCustomer,
                    true,
                    3,
                    "12.50".into(),
                    "37.50".into()
                ),
                (
                    "cheap",
                    Pricing::PerTicket,
                    true,
                    5,
                    "0.333".into(),
                    "1.67".into()
                ),
                (
                    "web",
                    Pricing::PerTicket,
                    false,
                    7,
                    "5.00".into(),
                    "35.00".into()
                ),
            ]
        );
        // 37.50 + 1.67 (1.665 rounded half away from zero) + 35.00
        assert_eq!(b.total.to_string(), "74.17");
        assert_eq!(b.currency, "EUR");
    }

    #[test]
    fn per_customer_default_counts_all_accounts() {
        let day: Date = "2026-11-01".parse().unwrap();
        let b = bill(
            &support(true, Pricing::PerCustomer, "2.10"),
            &[reseller("web", None)],
            &[usage("web", 7, 3, 10)],
            day,
            day,
        );
        assert_eq!(
            (b.lines[0].count, b.lines[0].amount.to_string()),
            (10, "21.00".into())
        );
    }

    #[test]
    fn per_hour_bills_billable_minutes_exactly() {
        let day: Date = "2026-11-01".parse().unwrap();
        let mut u = usage("web", 7, 3, 10);
        // 1h25m billable (and more time not billable, which is not counted).
        (u.minutes, u.billable_minutes) = (200, 85);
        let mut cheap = usage("cheap", 1, 1, 1);
        (cheap.minutes, cheap.billable_minutes) = (10, 10);
        let b = bill(
            &support(true, Pricing::PerHour, "60.00"),
            &[
                reseller("web", None),
                reseller("cheap", Some((Pricing::PerHour, "33.33"))),
            ],
            &[cheap, u],
            day,
            day,
        );
        // 33.33 × 10 / 60 = 5.555 → 5.56; 60.00 × 85 / 60 = 85.00.
        let got: Vec<(u64, String)> = b
            .lines
            .iter()
            .map(|l| (l.count, l.amount.to_string()))
            .collect();
        assert_eq!(got, [(10, "5.56".into()), (85, "85.00".into())]);
        assert_eq!(b.total.to_string(), "90.56");
        assert_eq!("per-hour".parse::<Pricing>().unwrap(), Pricing::PerHour);
    }

    #[test]
    fn nothing_is_billed_when_not_offered() {
        let day: Date = "2026-11-01".parse().unwrap();
        let b = bill(
            &support(false, Pricing::PerTicket, "5.00"),
            &[reseller("web", None)],
            &[usage("web", 7, 3, 10)],
            day,
            day,
        );
        assert!(!b.offered);
        assert!(b.lines.is_empty());
        assert_eq!(b.total.to_string(), "0.00");
    }
}
