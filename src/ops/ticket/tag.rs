//! Tagging a ticket (`ticket tag ID +a -b`): anyone who may see the ticket adds and removes
//! tags; the ticket keeps them sorted and unique. Tags are labels for working lists, search
//! (`tag:NAME`), the site and statistics; they never reach the customer.

use crate::model::{lifecycle, Action, Staff, Tag, TicketId};
use crate::store::{layout, DeskRead, Transaction};

use super::super::error::Result;
use super::{load_visible, step_changes, Done};

/// One change of a ticket's tags: `+name` (or a bare `name`) adds, `-name` removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagChange {
    Add(Tag),
    Remove(Tag),
}

impl std::str::FromStr for TagChange {
    type Err = crate::model::InvalidValue;
    /// `+vip`, `vip` or `-vip`; letters are taken in lower case.
    fn from_str(s: &str) -> std::result::Result<TagChange, Self::Err> {
        let s = s.trim();
        let (remove, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let tag: Tag = name.to_lowercase().parse()?;
        Ok(if remove {
            TagChange::Remove(tag)
        } else {
            TagChange::Add(tag)
        })
    }
}

impl std::fmt::Display for TagChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TagChange::Add(t) => write!(f, "+{t}"),
            TagChange::Remove(t) => write!(f, "-{t}"),
        }
    }
}

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
