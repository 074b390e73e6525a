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
    /// `self × n`; at the (unreachable with bounded amounts) limit of the decimal type it
    /// saturates rather than panicking.
    pub fn times(self, n: u64) -> Money {
        Money(self.0.checked_mul(Decimal::from(n)).unwrap_or(Decimal::MAX))
    }
    /// `self × minutes / 60`: an hourly price for some minutes, exact (rounding is the
    /// caller's, once, on the line).
    pub fn per_hour_for(self, minutes: u64) -> Money {
        let m = self
            .0
            .checked_mul(Decimal::from(minutes))
            .unwrap_or(Decimal::MAX);
        Money(m.checked_div(Decimal::from(60)).unwrap_or(Decimal::MAX))
    }
}

/// The largest amount read or written: a trillion. Prices and totals stay far from the
/// decimal type's limit (about 7.9 × 10^28), so billing arithmetic cannot overflow.
pub const MONEY_MAX: i64 = 1_000_000_000_000;

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.checked_add(o.0).unwrap_or(Decimal::MAX))
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
        if d > Decimal::from(MONEY_MAX) {
            return Err(InvalidValue(format!(
                "amount must be at most {MONEY_MAX}, got {s}"
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
    fn huge_amounts_are_refused_and_arithmetic_does_not_panic() {
        // A price near the decimal limit made `billing` panic on overflow.
        assert!("39614081257132168796771975168".parse::<Money>().is_err());
        assert!("1000000000000.01".parse::<Money>().is_err());
        assert!("1000000000000".parse::<Money>().is_ok());
        let max = Money(Decimal::MAX);
        assert_eq!(max.times(3), max);
        assert_eq!(max + max, max);
    }

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
