//! Tagging a ticket (`ticket tag ID +a -b`): anyone who may see the ticket adds and removes
//! tags; the ticket keeps them sorted and unique. Tags are labels for working lists, search
//! (`tag:NAME`), the site and statistics; they never reach the customer.

pub use crate::model::TagChange;
use crate::model::{lifecycle, Action, Staff, TicketId};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::Result;
use super::{load_visible, step_changes, Done};

/// The model's action for a list of changes.
pub fn tag_action(changes: &[TagChange]) -> Action {
    let mut add = Vec::new();
    let mut remove = Vec::new();
    for c in changes {
        match c {
            TagChange::Add(t) => add.push(t.clone()),
            TagChange::Remove(t) => remove.push(t.clone()),
        }
    }
    Action::Tag { add, remove }
}

/// Adds and removes tags; refused when that changes nothing.
pub fn tag(
    tx: &mut Transaction<'_>,
    me: &Staff,
    id: TicketId,
    changes: &[TagChange],
) -> Result<Done> {
    let settings = tx.settings()?;
    let before = load_visible(tx, &settings, me, id)?;
    let after = step_changes(&before, &[tag_action(changes)], tx.now())?;
    tx.put_yaml(layout::ticket_file(id), &after);
    Ok(Done::new(
        id,
        format!("tag {}", lifecycle::tag_changes(&before, &after)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_parse_with_their_sign() {
        assert_eq!(
            "+VIP".parse::<TagChange>().unwrap(),
            TagChange::Add("vip".parse().unwrap())
        );
        assert_eq!(
            "billing".parse::<TagChange>().unwrap(),
            TagChange::Add("billing".parse().unwrap())
        );
        assert_eq!(
            "-needs-info".parse::<TagChange>().unwrap(),
            TagChange::Remove("needs-info".parse().unwrap())
        );
        for bad in ["+", "-", "two words", "<b>", &"x".repeat(33), "+-x"] {
            assert!(bad.parse::<TagChange>().is_err(), "{bad} parsed");
        }
    }
}
