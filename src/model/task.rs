//! Tasks of the Task System (`tasks/<bucket>/<id>/task.yaml`) and their notes
//! (`notes/<key>.yaml`, one file each so notes from two clones never conflict).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Date, Extra, InvalidValue, Login, TaskId, TicketId, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Open,
    Done,
}

impl FromStr for TaskStatus {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        match s {
            "open" => Ok(Self::Open),
            "done" => Ok(Self::Done),
            _ => Err(InvalidValue(format!(
                "`{s}` is not a task status (open or done)"
            ))),
        }
    }
}
impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    #[serde(default)]
    pub details: Option<String>,
    pub assignee: Login,
    pub created_by: Login,
    pub status: TaskStatus,
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default)]
    pub tickets: Vec<TicketId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub done_at: Option<Timestamp>,
    #[serde(skip)]
    pub extra: Extra,
}

impl Task {
    /// Open and due before `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status == TaskStatus::Open && self.due.is_some_and(|d| d < today)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskNote {
    pub at: Timestamp,
    pub author: Login,
    pub body: String,
    #[serde(skip)]
    pub extra: Extra,
}
