//! Custom field values on the writes of a technician (`ticket new`, `ticket edit`): the
//! changes are checked against `desk.yaml`'s declarations, and a new ticket, or one whose
//! fields an edit changes, must have every field its queue requires (see `model::field`
//! for what "required" means). Other edits (priority, a mass action's queue move) only
//! need the values the ticket keeps to be valid.

use std::collections::BTreeMap;

use crate::model::field::{self, FieldDef};
use crate::model::{Slug, Ticket};

use super::super::error::{OpError, Result};

/// The flag every field error is reported against.
pub const FLAG: &str = "--field";

/// `current` with `changes` applied, for a ticket of `queue`.
pub fn apply(
    defs: &[FieldDef],
    queue: &Slug,
    current: &BTreeMap<Slug, String>,
    changes: &[(Slug, Option<String>)],
) -> Result<BTreeMap<Slug, String>> {
    field::apply_changes(defs, queue, current, changes).map_err(|e| OpError::from_value(FLAG, e))
}

/// Refuses a ticket whose values break the declarations (a value left from before a queue
/// move, or from before `desk.yaml` changed) or, with `required`, that lacks a required
/// field. `what` names the ticket in the error (`ticket 1043`, `the new ticket`).
pub fn require_complete(defs: &[FieldDef], t: &Ticket, what: &str, required: bool) -> Result<()> {
    if let Some(p) = field::check_ticket(defs, t).into_iter().next() {
        return Err(OpError::invalid(
            FLAG,
            format!(
                "ticket {}: {p} (set it with --field NAME=VALUE, or clear it with --field NAME=)",
                t.id
            ),
        ));
    }
    let missing = field::missing_required(defs, t);
    if required && !missing.is_empty() {
        let names: Vec<String> = missing
            .iter()
            .map(|d| format!("{} ({})", d.name, d.kind))
            .collect();
        return Err(OpError::invalid(
            FLAG,
            format!(
                "{what}: queue `{}` requires {}: give --field {}=VALUE",
                t.queue,
                names.join(", "),
                missing[0].name
            ),
        ));
    }
    Ok(())
}
