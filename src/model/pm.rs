//! Private messages between technicians (`inbox/<login>/<key>.yaml`): each recipient gets
//! a copy in their own inbox, which only they read and delete through the CLI.

use serde::{Deserialize, Serialize};

use super::{Extra, Login, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateMessage {
    pub from: Login,
    /// Every recipient of the message.
    pub to: Vec<Login>,
    pub subject: String,
    pub at: Timestamp,
    #[serde(default)]
    pub read: bool,
    pub body: String,
    #[serde(skip)]
    pub extra: Extra,
}
