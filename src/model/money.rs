//! Exact decimal money. Stored as a quoted decimal string (`"3.00"`) so no YAML reader
//! turns it into a float; a bare number is accepted when read and converted exactly from
//! its written digits.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::id::{deserialize_by_parse, InvalidValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub Decimal);

impl Money {
    pub fn zero() -> Self {
        Money(Decimal::ZERO)
    }
    /// Rounded to cents for display and totals (banker's rounding is not what invoices use).
    pub fn round_cents(self) -> Money {
        Money(
            self.0
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        )
    }
    pub fn times(self, n: u64) -> Money {
        Money(self.0 * Decimal::from(n))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl FromStr for Money {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let d = Decimal::from_str(s.trim())
            .map_err(|_| InvalidValue(format!("`{s}` is not a decimal amount (like 3.00)")))?;
        if d.is_sign_negative() {
            return Err(InvalidValue(format!(
                "amount must not be negative, got {s}"
            )));
        }
        Ok(Money(d))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        if d.scale() < 2 {
            d.rescale(2);
        }
        write!(f, "{d}")
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

deserialize_by_parse!(Money, "a decimal amount");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact() {
        let a: Money = "0.10".parse().unwrap();
        let b: Money = "0.20".parse().unwrap();
        assert_eq!((a + b).to_string(), "0.30");
        assert_eq!(Money::from_str("3").unwrap().to_string(), "3.00");
        assert_eq!(
            Money::from_str("12.5").unwrap().times(3).to_string(),
            "37.50"
        );
        assert!(Money::from_str("-1").is_err());
        assert!(Money::from_str("ten").is_err());
    }
}
