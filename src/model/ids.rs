//! The id high-water marks (`ids.yaml` at the desk root): the highest ticket and task ids
//! ever handed out. Ids are never reused, so a deleted or merged ticket's number keeps
//! naming that ticket in history, in `[#N]` subject tags and on the site; the next id is one
//! past the larger of the mark and the highest id present (so a ticket added by hand is not
//! overwritten either). The file changes in the same commit as every create, and reading it
//! costs one small blob, whatever the desk's size.

use serde::{Deserialize, Serialize};

use super::{Extra, TaskId, TicketId};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdMarks {
    /// The highest ticket id handed out (0: none yet).
    #[serde(default)]
    pub last_ticket: u64,
    /// The highest task id handed out (0: none yet).
    #[serde(default)]
    pub last_task: u64,
    #[serde(skip)]
    pub extra: Extra,
}

impl IdMarks {
    /// Hands out the next ticket id and records it. The caller first raises the marks to
    /// the highest ids present ([`IdMarks::max`]).
    pub fn take_ticket(&mut self) -> TicketId {
        let n = self.last_ticket + 1;
        self.last_ticket = n;
        TicketId::new(n).expect("one past a count is positive")
    }

    /// Hands out the next task id and records it.
    pub fn take_task(&mut self) -> TaskId {
        let n = self.last_task + 1;
        self.last_task = n;
        TaskId::new(n).expect("one past a count is positive")
    }

    /// The larger of both marks, field by field (two clones' marks after a sync).
    pub fn max(&self, other: &IdMarks) -> IdMarks {
        IdMarks {
            last_ticket: self.last_ticket.max(other.last_ticket),
            last_task: self.last_task.max(other.last_task),
            extra: self.extra.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(n: u64) -> TicketId {
        TicketId::new(n).unwrap()
    }

    #[test]
    fn a_deleted_newest_id_is_not_handed_out_again() {
        // 1041 was made, then deleted: only 1040 is present.
        let mut m = IdMarks {
            last_ticket: 1041,
            ..Default::default()
        };
        assert_eq!(m.take_ticket(), ticket(1042));
        assert_eq!(m.last_ticket, 1042);
        assert_eq!(m.take_ticket(), ticket(1043));
    }

    #[test]
    fn a_ticket_added_by_hand_above_the_mark_is_respected() {
        let marks = IdMarks {
            last_ticket: 5,
            last_task: 4,
            ..Default::default()
        };
        let present = IdMarks {
            last_ticket: 9,
            last_task: 2,
            ..Default::default()
        };
        let mut m = marks.max(&present);
        assert_eq!(m.take_ticket(), ticket(10));
        assert_eq!(m.take_task(), TaskId::new(5).unwrap());
    }

    #[test]
    fn a_new_desk_starts_at_one() {
        let mut m = IdMarks::default();
        assert_eq!(m.take_ticket(), ticket(1));
        assert_eq!(m.take_task(), TaskId::new(1).unwrap());
        assert_eq!((m.last_ticket, m.last_task), (1, 1));
    }

    #[test]
    fn max_is_field_by_field() {
        let a = IdMarks {
            last_ticket: 7,
            last_task: 2,
            ..Default::default()
        };
        let b = IdMarks {
            last_ticket: 3,
            last_task: 9,
            ..Default::default()
        };
        let m = a.max(&b);
        assert_eq!((m.last_ticket, m.last_task), (7, 9));
    }
}
