//! The names of the desk's operations: the value of a commit's `Desk-Op` trailer, as one
//! type. Every writer names its commit with an [`Op`]; every reader of the history (sync's
//! replay, statistics, `verify`, `log`, the site's audit page) matches on it instead of on
//! strings, so a new operation is added here once and the compiler points at each reader.
//!
//! The trailer text is part of the repository format (docs/format.md): a name, once
//! written, never changes meaning. A history may hold names this build does not know (a
//! newer git-desk, or a hand-written trailer); readers get [`UnknownOp`] for those and treat
//! the commit as a desk commit of no special kind.

use std::fmt;
use std::str::FromStr;

macro_rules! ops {
    ($($variant:ident = $name:literal,)*) => {
        /// One operation of the desk, as recorded in the `Desk-Op` trailer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op {
            $($variant,)*
        }

        impl Op {
            /// Every operation, in the order they are declared.
            pub const ALL: &'static [Op] = &[$(Op::$variant,)*];

            /// The trailer value: `ticket.assign`, `staff.add`, …
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Op::$variant => $name,)*
                }
            }
        }

        impl FromStr for Op {
            type Err = UnknownOp;
            fn from_str(s: &str) -> Result<Op, UnknownOp> {
                match s {
                    $($name => Ok(Op::$variant),)*
                    other => Err(UnknownOp(other.to_owned())),
                }
            }
        }
    };
}

ops! {
    DeskInit = "desk.init",
    SettingsSet = "settings.set",

    TicketNew = "ticket.new",
    TicketEdit = "ticket.edit",
    TicketAnswer = "ticket.answer",
    TicketNote = "ticket.note",
    TicketReply = "ticket.reply",
    TicketAssign = "ticket.assign",
    TicketPickup = "ticket.pickup",
    TicketRelease = "ticket.release",
    TicketClose = "ticket.close",
    TicketResolve = "ticket.resolve",
    TicketReopen = "ticket.reopen",
    TicketDelete = "ticket.delete",
    TicketMerge = "ticket.merge",
    TicketMass = "ticket.mass",
    TicketAutoclose = "ticket.autoclose",
    TicketTag = "ticket.tag",
    TicketMacro = "ticket.macro",
    TicketSnooze = "ticket.snooze",
    TicketWake = "ticket.wake",
    TicketSplit = "ticket.split",
    TicketTime = "ticket.time",
    TicketEscalate = "ticket.escalate",

    TaskNew = "task.new",
    TaskEdit = "task.edit",
    TaskNote = "task.note",
    TaskDone = "task.done",
    TaskReopen = "task.reopen",

    StaffAdd = "staff.add",
    StaffEdit = "staff.edit",
    StaffKey = "staff.key",
    StaffGrant = "staff.grant",
    StaffRevoke = "staff.revoke",

    MsgSend = "msg.send",
    MsgRead = "msg.read",
    MsgDelete = "msg.delete",
    MsgEncrypt = "msg.encrypt",

    KbNew = "kb.new",
    KbEdit = "kb.edit",
    KbDelete = "kb.delete",

    ReplyNew = "reply.new",
    ReplyEdit = "reply.edit",
    ReplyDelete = "reply.delete",
    MacroNew = "macro.new",
    MacroEdit = "macro.edit",
    MacroDelete = "macro.delete",

    QueueNew = "queue.new",
    QueueEdit = "queue.edit",
    QueueDelete = "queue.delete",

    AccountAdd = "account.add",
    AccountEdit = "account.edit",
    ResellerAdd = "reseller.add",
    ResellerEdit = "reseller.edit",
    ResellerPrice = "reseller.price",

    MailIngest = "mail.ingest",
    MailSend = "mail.send",
}

impl Op {
    /// Whether losing a race drops the whole commit in `sync`: these operations decide who
    /// owns a ticket, whether it is still open (assignee, status, queue) or which messages
    /// it holds (a split), so replaying
    /// one over a different upstream decision would overrule a colleague silently.
    pub fn is_exclusive(self) -> bool {
        matches!(
            self,
            Op::TicketPickup
                | Op::TicketAssign
                | Op::TicketRelease
                | Op::TicketClose
                | Op::TicketResolve
                | Op::TicketDelete
                | Op::TicketMerge
                | Op::TicketMass
                | Op::TicketAutoclose
                | Op::TicketMacro
                | Op::TicketSplit
                | Op::TicketEscalate
        )
    }

    /// Whether the operation may remove ticket directories (statistics look at the
    /// parent commit to tell a delete from a merge).
    pub fn removes_tickets(self) -> bool {
        matches!(
            self,
            Op::TicketDelete | Op::TicketMerge | Op::TicketMass | Op::QueueDelete
        )
    }

    /// How a person calls the act in a sentence ("your assignment was not applied"), for
    /// the operations sync can drop; others are named by their trailer text.
    pub fn describe(self) -> Option<&'static str> {
        Some(match self {
            Op::TicketPickup => "pick-up",
            Op::TicketAssign => "assignment",
            Op::TicketRelease => "release",
            Op::TicketClose => "close",
            Op::TicketResolve => "resolve",
            Op::TicketDelete => "delete",
            Op::TicketMerge => "merge",
            Op::TicketMass => "mass action",
            Op::TicketAutoclose => "auto-close",
            Op::TicketMacro => "macro",
            Op::TicketSplit => "split",
            Op::TicketEscalate => "SLA escalation",
            _ => return None,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `Desk-Op` value this build does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOp(pub String);

impl fmt::Display for UnknownOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown desk operation `{}`", self.0)
    }
}

impl std::error::Error for UnknownOp {}

/// A `Desk-Op` as read back from history: an operation this build knows, or another name
/// kept as written (shown, never matched on). Serialised as the trailer text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub enum RecordedOp {
    Known(Op),
    Unknown(String),
}

impl RecordedOp {
    /// The operation, when this build knows it.
    pub fn known(&self) -> Option<Op> {
        match self {
            RecordedOp::Known(op) => Some(*op),
            RecordedOp::Unknown(_) => None,
        }
    }

    /// The trailer text.
    pub fn as_str(&self) -> &str {
        match self {
            RecordedOp::Known(op) => op.as_str(),
            RecordedOp::Unknown(name) => name,
        }
    }

    /// Whether this is `op`.
    pub fn is(&self, op: Op) -> bool {
        self.known() == Some(op)
    }
}

impl From<Op> for RecordedOp {
    fn from(op: Op) -> RecordedOp {
        RecordedOp::Known(op)
    }
}

impl From<&str> for RecordedOp {
    fn from(s: &str) -> RecordedOp {
        s.parse().map_or_else(
            |UnknownOp(name)| RecordedOp::Unknown(name),
            RecordedOp::Known,
        )
    }
}

impl From<String> for RecordedOp {
    fn from(s: String) -> RecordedOp {
        RecordedOp::from(s.as_str())
    }
}

impl From<RecordedOp> for String {
    fn from(op: RecordedOp) -> String {
        op.to_string()
    }
}

impl fmt::Display for RecordedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for &op in Op::ALL {
            assert_eq!(op.to_string().parse::<Op>(), Ok(op));
            assert!(seen.insert(op.as_str()), "{op} named twice");
            let (family, verb) = op.as_str().split_once('.').expect("family.verb");
            assert!(!family.is_empty() && !verb.is_empty());
        }
    }

    #[test]
    fn the_format_reference_lists_every_name() {
        let doc = include_str!("../../docs/format.md");
        let start = doc
            .find("## Commits: the trailers")
            .expect("section in docs/format.md");
        let section = &doc[start..];
        for op in Op::ALL {
            assert!(
                section.contains(&format!("`{op}`")),
                "docs/format.md lacks `{op}`"
            );
        }
    }

    #[test]
    fn unknown_names_are_refused_by_name() {
        let err = "ticket.teleport".parse::<Op>().unwrap_err();
        assert_eq!(err.to_string(), "unknown desk operation `ticket.teleport`");
        assert!("".parse::<Op>().is_err());
        assert!("Ticket.Assign".parse::<Op>().is_err());
    }

    #[test]
    fn recorded_names_keep_unknown_text() {
        assert_eq!(
            RecordedOp::from("ticket.note"),
            RecordedOp::Known(Op::TicketNote)
        );
        let other = RecordedOp::from("ticket.levitate");
        assert_eq!(other.known(), None);
        assert_eq!(other.to_string(), "ticket.levitate");
        let json = serde_json::to_string(&RecordedOp::Known(Op::MailSend)).unwrap();
        assert_eq!(json, "\"mail.send\"");
        let back: RecordedOp = serde_json::from_str("\"kb.edit\"").unwrap();
        assert!(back.is(Op::KbEdit));
    }

    #[test]
    fn only_ownership_and_state_decisions_are_exclusive() {
        let exclusive: Vec<&str> = Op::ALL
            .iter()
            .filter(|o| o.is_exclusive())
            .map(|o| o.as_str())
            .collect();
        assert_eq!(
            exclusive,
            [
                "ticket.assign",
                "ticket.pickup",
                "ticket.release",
                "ticket.close",
                "ticket.resolve",
                "ticket.delete",
                "ticket.merge",
                "ticket.mass",
                "ticket.autoclose",
                "ticket.macro",
                "ticket.split",
                "ticket.escalate"
            ]
        );
        assert!(!Op::TicketNote.is_exclusive());
        assert!(!Op::TicketAnswer.is_exclusive());
    }
}
