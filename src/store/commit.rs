//! Commit messages and identities: the human subject plus the machine trailers that make
//! the history an audit log (`Desk-Op`, `Desk-Ticket`, `Desk-Actor`), and parsing them back.

use crate::model::{Op, RecordedOp, Staff, TicketId};

pub const TRAILER_OP: &str = "Desk-Op";
pub const TRAILER_TICKET: &str = "Desk-Ticket";
pub const TRAILER_TASK: &str = "Desk-Task";
pub const TRAILER_ACTOR: &str = "Desk-Actor";
/// Whom a commit assigned its ticket(s) to, when its op alone does not say.
pub const TRAILER_ASSIGNEE: &str = "Desk-Assignee";

/// Who a commit is made as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl Identity {
    /// A staff member's commit identity; an incomplete profile falls back to the login and
    /// a placeholder address, so even such a commit names its actor.
    pub fn of(staff: &Staff) -> Identity {
        Identity {
            name: staff.display_name().to_owned(),
            email: staff
                .email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_else(|| format!("{}@desk.invalid", staff.login)),
        }
    }
}

/// What one mutation says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMessage {
    pub subject: String,
    pub body: Option<String>,
    /// The `Desk-Op` trailer.
    pub op: Op,
    pub tickets: Vec<TicketId>,
    pub actor: String,
    /// Further trailers (`Desk-Task: 7`, …).
    pub trailers: Vec<(String, String)>,
}

impl CommitMessage {
    pub fn new(op: Op, actor: &str, subject: impl Into<String>) -> Self {
        CommitMessage {
            subject: subject.into(),
            body: None,
            op,
            tickets: Vec::new(),
            actor: actor.into(),
            trailers: Vec::new(),
        }
    }
    pub fn ticket(mut self, id: TicketId) -> Self {
        if !self.tickets.contains(&id) {
            self.tickets.push(id);
        }
        self
    }
    pub fn trailer(mut self, key: &str, value: impl Into<String>) -> Self {
        self.trailers.push((key.into(), value.into()));
        self
    }

    pub fn render(&self) -> String {
        let mut out = one_line(&self.subject, 200);
        out.push_str("\n\n");
        if let Some(body) = self.body.as_deref().filter(|b| !b.trim().is_empty()) {
            out.push_str(body.trim_end());
            out.push_str("\n\n");
        }
        out.push_str(&format!("{TRAILER_OP}: {}\n", self.op));
        for t in &self.tickets {
            out.push_str(&format!("{TRAILER_TICKET}: {t}\n"));
        }
        for (k, v) in &self.trailers {
            out.push_str(&format!("{k}: {}\n", one_line(v, 200)));
        }
        out.push_str(&format!("{TRAILER_ACTOR}: {}\n", self.actor));
        out
    }
}

/// Text made safe for a one-line subject or trailer: control characters become spaces,
/// runs of blanks collapse, and it is cut at `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end().to_owned();
    if out.chars().count() > max {
        out.chars().take(max - 1).collect::<String>() + "…"
    } else {
        out
    }
}

/// The `Desk-Op` among a commit's trailers; none for a commit made by hand.
pub fn desk_op(trailers: &[(String, String)]) -> Option<RecordedOp> {
    trailers
        .iter()
        .find(|(k, _)| k == TRAILER_OP)
        .map(|(_, v)| RecordedOp::from(v.as_str()))
}

/// The trailers of a commit message: the key/value lines of its last paragraph.
pub fn parse_trailers(message: &str) -> Vec<(String, String)> {
    let last = message.trim_end().rsplit("\n\n").next().unwrap_or("");
    let lines: Vec<(String, String)> = last
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(": ")?;
            let ok = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            ok.then(|| (k.to_owned(), v.trim().to_owned()))
        })
        .collect();
    if lines.len() == last.lines().count() {
        lines
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_with_trailers_round_trips() {
        let m = CommitMessage::new(Op::TicketAssign, "alice", "ticket 1043: assign to bob")
            .ticket(TicketId::new(1043).unwrap());
        let text = m.render();
        assert_eq!(text, "ticket 1043: assign to bob\n\nDesk-Op: ticket.assign\nDesk-Ticket: 1043\nDesk-Actor: alice\n");
        let t = parse_trailers(&text);
        assert_eq!(t[0], ("Desk-Op".into(), "ticket.assign".into()));
        assert_eq!(t[2], ("Desk-Actor".into(), "alice".into()));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        assert_eq!(one_line("a\nb\r\n\tc", 100), "a b c");
        let m = CommitMessage::new(Op::TicketNote, "a", "evil\n\nDesk-Actor: root");
        assert!(m.render().starts_with("evil Desk-Actor: root\n\n"));
        assert!(parse_trailers("no trailers here").is_empty());
    }
}
