//! "Reseller Support Stats": for each reseller, the support its end users received in the
//! range. A ticket belongs to the reseller of its owner account (the account's reseller
//! now); tickets without an account, or whose account is a direct customer, belong to
//! none. Deleted tickets are left out (as in billing).
//! - tickets: created in the range; customers: distinct accounts among them;
//! - customer messages, answers: dated in the range, on any ticket of the reseller's users;
//! - accounts: all the reseller's accounts created before the end of the range (or with no
//!   creation date) — the "total customer count" per-customer billing charges for.
//!
//! Rows: every reseller file and any reseller login named by accounts but without a file,
//! sorted by login.

use std::collections::{BTreeMap, BTreeSet};

use super::{Dataset, MessageKind, Range, ResellerStats};
use crate::model::Login;

pub fn compute(data: &Dataset, range: Range) -> Vec<ResellerStats> {
    let dir = &data.directory;
    let mut rows: BTreeMap<Login, ResellerStats> = BTreeMap::new();
    let mut customers: BTreeMap<Login, BTreeSet<&Login>> = BTreeMap::new();
    fn row<'a>(rows: &'a mut BTreeMap<Login, ResellerStats>, r: &Login) -> &'a mut ResellerStats {
        rows.entry(r.clone()).or_insert_with(|| ResellerStats {
            login: r.to_string(),
            name: None,
            tickets: 0,
            customers: 0,
            customer_messages: 0,
            answers: 0,
            accounts: 0,
            minutes: 0,
            billable_minutes: 0,
        })
    }
    for r in &dir.resellers {
        row(&mut rows, &r.login).name = Some(r.name.clone());
    }
    for a in dir.accounts.values() {
        let Some(r) = &a.reseller else { continue };
        let existed = a.created_at.is_none_or(|at| at < range.end());
        row(&mut rows, r).accounts += existed as u64;
    }
    for t in data.tickets.iter().filter(|t| !t.is_deleted()) {
        if t.start() >= range.end() {
            continue;
        }
        let Some(r) = dir.reseller_of(t.account.as_ref()) else {
            continue;
        };
        let res = row(&mut rows, r);
        if range.contains(t.created_at) {
            res.tickets += 1;
            if let Some(a) = &t.account {
                customers.entry(r.clone()).or_default().insert(a);
            }
        }
        for m in t.messages.iter().filter(|m| range.contains(m.at)) {
            match m.kind {
                MessageKind::Customer => res.customer_messages += 1,
                MessageKind::Answer => res.answers += 1,
                _ => {}
            }
            if let Some(e) = &m.time {
                res.minutes += u64::from(e.minutes);
                if e.billable {
                    res.billable_minutes += u64::from(e.minutes);
                }
            }
        }
    }
    for (r, set) in customers {
        row(&mut rows, &r).customers = set.len() as u64;
    }
    rows.into_values().collect()
}
