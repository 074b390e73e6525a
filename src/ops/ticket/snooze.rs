//! Snooze: `ticket snooze ID --until DATE|DURATION` hides a ticket from the working lists
//! until then (`snoozed_until`); `--off` brings it back at once, and so does a message from
//! the customer (see `model::lifecycle`). The periodic pass ([`wake_due`], run by
//! `autoclose` and `sync`) clears the snooze of every ticket whose time has come, in one
//! commit (`ticket.wake`), and makes none when no ticket is due. Due tickets are found
//! from the catalog, which carries `snoozed_until`.

use std::fmt;
use std::str::FromStr;

use crate::model::{Action, InvalidValue, Login, Op, Staff, TicketId, Timestamp};
use crate::store::{layout, CommitMessage, DeskRead, StoreError, Transaction};

use super::super::error::Result;
use super::{load_visible, step, Done};

/// When a snooze ends, as a person gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnoozeUntil {
    /// A date (its first instant, UTC) or an RFC 3339 time.
    At(Timestamp),
    /// A duration from now, in seconds (`3d`, `4h`, `30m`, `2w`).
    For(i64),
}

impl SnoozeUntil {
    pub fn resolve(self, now: Timestamp) -> Timestamp {
        match self {
            SnoozeUntil::At(t) => t,
            SnoozeUntil::For(secs) => now.plus_seconds(secs),
        }
    }
}

impl FromStr for SnoozeUntil {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let v = s.trim();
        let bad = || {
            InvalidValue(format!(
                "`{s}` is not a date (2026-12-10), a time (2026-12-10T09:00:00Z) or a duration (30m, 4h, 3d, 2w)"
            ))
        };
        let duration = v
            .chars()
            .last()
            .filter(char::is_ascii_lowercase)
            .and_then(|unit| Some((unit, v[..v.len() - 1].parse::<i64>().ok()?)));
        if let Some((unit, n)) = duration {
            let secs = match unit {
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 7 * 86_400,
                _ => return Err(bad()),
            };
            // Up to ten years: a longer snooze is a typo, not a plan.
            if n <= 0 || n.saturating_mul(secs) > 3650 * 86_400 {
                return Err(InvalidValue(format!(
                    "`{s}`: a snooze lasts more than nothing and at most ten years"
                )));
            }
            return Ok(SnoozeUntil::For(n * secs));
        }
        if let Ok(d) = v.parse::<crate::model::Date>() {
            return Ok(SnoozeUntil::At(d.start()));
        }
        v.parse::<Timestamp>()
            .map(SnoozeUntil::At)
            .map_err(|_| bad())
    }
}

impl fmt::Display for SnoozeUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnoozeUntil::At(t) => write!(f, "{t}"),
            SnoozeUntil::For(secs) => write!(f, "{secs}s"),
        }
    }
}

/// Snoozes ticket `id` (`Some`) or wakes it now (`None`). The actor must see the ticket.
pub fn snooze(
    tx: &mut Transaction<'_>,
    me: &Staff,
    id: TicketId,
    until: Option<SnoozeUntil>,
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    let now = tx.now();
    let until = until.map(|u| u.resolve(now));
    let after = step(&before, &[Action::Snooze(until)], now)?;
    tx.put_yaml(layout::ticket_file(id), &after);
    Ok(Done::new(
        id,
        match until {
            Some(u) => format!("snooze until {u}"),
            None => "snooze off".to_owned(),
        },
    ))
}

/// Whether the catalog says `s`'s snooze has run out (the ticket file decides).
pub(crate) fn may_wake(s: &crate::store::catalog::Key<'_>, now: Timestamp) -> bool {
    s.snoozed_until.is_some_and(|u| u <= now.unix())
}

/// Wakes every ticket `me` may see whose snooze has run out. Broken ticket files are
/// skipped (`check` reports them).
pub fn wake_due(tx: &mut Transaction<'_>, me: &Staff) -> Result<Vec<Done>> {
    let settings = tx.settings()?;
    let now = tx.now();
    let (ids, _) = super::candidates(tx, super::Rows::Working, |s| may_wake(s, now))?;
    let mut done = Vec::new();
    for id in ids {
        let before = match tx.ticket(id) {
            Ok(Some(t)) => t,
            Ok(None) | Err(StoreError::File(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        let due = before.snoozed_until.is_some_and(|u| u <= now);
        if !due || !crate::ops::actor::can_see(me, &before, &settings) {
            continue;
        }
        let was = before
            .snoozed_until
            .map(|u| u.to_string())
            .unwrap_or_default();
        let after = step(&before, &[Action::Wake], now)?;
        tx.put_yaml(layout::ticket_file(id), &after);
        done.push(Done::new(id, format!("wake (snoozed until {was})")));
    }
    Ok(done)
}

/// The one commit of a wake pass.
pub fn wake_message(actor: &Login, done: &[Done]) -> CommitMessage {
    let n = done.len();
    let subject = format!("wake {n} snoozed ticket{}", if n == 1 { "" } else { "s" });
    super::batch_message(Op::TicketWake, actor, &subject, done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snooze_times_and_durations_parse() {
        let now: Timestamp = "2026-12-06T10:00:00Z".parse().unwrap();
        let r = |s: &str| s.parse::<SnoozeUntil>().map(|u| u.resolve(now).to_string());
        assert_eq!(r("2026-12-10").unwrap(), "2026-12-10T00:00:00Z");
        assert_eq!(r("2026-12-10T09:30:00Z").unwrap(), "2026-12-10T09:30:00Z");
        assert_eq!(r("4h").unwrap(), "2026-12-06T14:00:00Z");
        assert_eq!(r("3d").unwrap(), "2026-12-09T10:00:00Z");
        assert_eq!(r("2w").unwrap(), "2026-12-20T10:00:00Z");
        assert_eq!(r("30m").unwrap(), "2026-12-06T10:30:00Z");
        for bad in ["", "soon", "3y", "0d", "-2d", "99999w", "2026-02-30"] {
            assert!(r(bad).is_err(), "{bad} accepted");
        }
    }
}
