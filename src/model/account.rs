//! Customers: accounts (the owners of tickets, "Change User") and the resellers some of them
//! belong to, with a reseller's custom support price.

use serde::{Deserialize, Serialize};

use super::{Email, Extra, Login, Money, Pricing, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub login: Login,
    pub name: String,
    pub email: Email,
    /// The reseller this account is an end user of; none for a direct customer.
    #[serde(default)]
    pub reseller: Option<Login>,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    #[serde(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reseller {
    pub login: Login,
    pub name: String,
    #[serde(default)]
    pub email: Option<Email>,
    /// Overrides the desk's pricing for this reseller.
    #[serde(default)]
    pub custom_price: Option<CustomPrice>,
    #[serde(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomPrice {
    pub unit: Pricing,
    pub price: Money,
}
