//! Customer accounts (the owners of tickets) and resellers, with a reseller's custom
//! support price ("Custom Reseller Support Prices"). Reading is open to all staff; adding
//! and changing needs `staff.admin`.

use crate::model::Op;
use crate::model::{
    Account, CustomPrice, Email, Login, Money, Permission, Pricing, Reseller, Staff,
};
use crate::store::{layout, CommitMessage, DeskRead, Loaded, Source, Transaction};

use super::actor;
use super::error::{OpError, Result};
use super::staff::check_name;

/// An account's or reseller's fields; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct CustomerFields {
    pub name: Option<String>,
    pub email: Option<Option<Email>>,
    /// Accounts only: the reseller they are an end user of.
    pub reseller: Option<Option<Login>>,
}

pub fn accounts(src: &(impl Source + ?Sized)) -> Result<Loaded<Account>> {
    Ok(src.all_accounts()?)
}

pub fn account(src: &(impl Source + ?Sized), login: &Login) -> Result<Account> {
    src.account(login)?
        .ok_or_else(|| OpError::not_found("account", login))
}

pub fn resellers(src: &(impl Source + ?Sized)) -> Result<Loaded<Reseller>> {
    Ok(src.all_resellers()?)
}

pub fn reseller(src: &(impl Source + ?Sized), login: &Login) -> Result<Reseller> {
    src.reseller(login)?
        .ok_or_else(|| OpError::not_found("reseller", login))
}

fn check_reseller(src: &(impl Source + ?Sized), r: &Option<Option<Login>>) -> Result<()> {
    if let Some(Some(login)) = r {
        reseller(src, login)?;
    }
    Ok(())
}

pub fn add_account(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: Login,
    f: CustomerFields,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "add accounts")?;
    if tx.account(&login)?.is_some() {
        return Err(OpError::Exists {
            kind: "account",
            id: login.to_string(),
        });
    }
    let name = f
        .name
        .clone()
        .ok_or_else(|| OpError::invalid("--name", "an account needs a name"))?;
    let email = f
        .email
        .clone()
        .flatten()
        .ok_or_else(|| OpError::invalid("--email", "an account needs an e-mail address"))?;
    check_reseller(tx, &f.reseller)?;
    let mut a = Account {
        login: login.clone(),
        name,
        email,
        reseller: None,
        created_at: Some(tx.now()),
        extra: Default::default(),
    };
    apply_account(&mut a, f)?;
    tx.put_yaml(layout::account(&login), &a);
    let subject = format!("account: add {login} ({})", a.email);
    Ok((
        (),
        CommitMessage::new(Op::AccountAdd, me.login.as_str(), subject),
    ))
}

pub fn edit_account(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: &Login,
    f: CustomerFields,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "edit accounts")?;
    let before = account(tx, login)?;
    check_reseller(tx, &f.reseller)?;
    let mut a = before.clone();
    apply_account(&mut a, f)?;
    if a == before {
        return Err(OpError::State(format!("account {login} would not change")));
    }
    tx.put_yaml(layout::account(login), &a);
    let subject = format!("account: edit {login}");
    Ok((
        (),
        CommitMessage::new(Op::AccountEdit, me.login.as_str(), subject),
    ))
}

fn apply_account(a: &mut Account, f: CustomerFields) -> Result<()> {
    if let Some(n) = f.name {
        check_name(&Some(n.clone()))?;
        a.name = n.trim().to_owned();
    }
    match f.email {
        Some(Some(e)) => a.email = e,
        Some(None) => {
            return Err(OpError::invalid(
                "--email",
                "an account needs an e-mail address",
            ))
        }
        None => {}
    }
    if let Some(r) = f.reseller {
        a.reseller = r;
    }
    Ok(())
}

pub fn add_reseller(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: Login,
    f: CustomerFields,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "add resellers")?;
    if tx.reseller(&login)?.is_some() {
        return Err(OpError::Exists {
            kind: "reseller",
            id: login.to_string(),
        });
    }
    let name = f
        .name
        .clone()
        .ok_or_else(|| OpError::invalid("--name", "a reseller needs a name"))?;
    let mut r = Reseller {
        login: login.clone(),
        name,
        email: None,
        custom_price: None,
        extra: Default::default(),
    };
    apply_reseller(&mut r, f)?;
    tx.put_yaml(layout::reseller(&login), &r);
    let subject = format!("reseller: add {login}");
    Ok((
        (),
        CommitMessage::new(Op::ResellerAdd, me.login.as_str(), subject),
    ))
}

pub fn edit_reseller(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: &Login,
    f: CustomerFields,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "edit resellers")?;
    let before = reseller(tx, login)?;
    let mut r = before.clone();
    apply_reseller(&mut r, f)?;
    if r == before {
        return Err(OpError::State(format!("reseller {login} would not change")));
    }
    tx.put_yaml(layout::reseller(login), &r);
    let subject = format!("reseller: edit {login}");
    Ok((
        (),
        CommitMessage::new(Op::ResellerEdit, me.login.as_str(), subject),
    ))
}

fn apply_reseller(r: &mut Reseller, f: CustomerFields) -> Result<()> {
    if f.reseller.is_some() {
        return Err(OpError::invalid(
            "--reseller",
            "a reseller does not belong to a reseller",
        ));
    }
    if let Some(n) = f.name {
        check_name(&Some(n.clone()))?;
        r.name = n.trim().to_owned();
    }
    if let Some(e) = f.email {
        r.email = e;
    }
    Ok(())
}

/// Sets (or with `None` clears) a reseller's custom support price.
pub fn set_price(
    tx: &mut Transaction<'_>,
    me: &Staff,
    login: &Login,
    price: Option<(Pricing, Money)>,
) -> Result<((), CommitMessage)> {
    actor::require(me, Permission::StaffAdmin, "set reseller prices")?;
    let before = reseller(tx, login)?;
    let mut r = before.clone();
    r.custom_price = price.map(|(unit, price)| CustomPrice { unit, price });
    if r == before {
        return Err(OpError::State(format!(
            "reseller {login}'s price would not change"
        )));
    }
    tx.put_yaml(layout::reseller(login), &r);
    let what = match &r.custom_price {
        Some(p) => format!("custom price {} {}", p.price, p.unit),
        None => "default price".into(),
    };
    let subject = format!("reseller: {login} {what}");
    Ok((
        (),
        CommitMessage::new(Op::ResellerPrice, me.login.as_str(), subject),
    ))
}
