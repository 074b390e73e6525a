//! The domain: pure types and their rules. Nothing here touches the file system, git, the
//! clock, the environment or the terminal; the store reads and writes these types, the
//! operations change them.

pub mod account;
pub mod billing;
pub mod extra;
pub mod field;
pub mod id;
pub mod ids;
pub mod kb;
pub mod lifecycle;
pub mod macro_def;
pub mod message;
pub mod money;
pub mod op;
pub mod outbox;
pub mod pm;
pub mod queue;
pub mod reply;
pub mod setting;
pub mod settings;
pub mod sla;
pub mod staff;
pub mod stats;
pub mod task;
pub mod ticket;
pub mod time;
pub mod timelog;

pub use account::{Account, CustomPrice, Reseller};
pub use extra::{Document, Extra, Value};
pub use field::{FieldDef, FieldType};
pub use id::{
    author_tag, Email, InvalidValue, Login, MessageKey, Priority, Slug, Tag, TaskId, TicketId,
};
pub use ids::IdMarks;
pub use kb::{KbArticle, KbFront};
pub use lifecycle::{Action, Refusal};
pub use macro_def::{Macro, MacroAssignee, MacroDef};
pub use message::{sanitize_file_name, Attachment, Message, MessageKind};
pub use money::Money;
pub use op::{Op, RecordedOp, UnknownOp};
pub use outbox::{MailKind, OutMail};
pub use pm::{Content as PmContent, Letter, PrivateMessage};
pub use queue::Queue;
pub use reply::{ReplyFront, SavedReply};
pub use settings::{
    AutoClose, IgnoreRule, MailSettings, Pricing, ResellerSupport, Settings, SiteSettings, Smtp,
    Spelling, TlsMode,
};
pub use staff::{Permission, Role, Staff};
pub use task::{Task, TaskNote, TaskStatus};
pub use ticket::{NewTicket, SnoozeSpan, Status, TagChange, Ticket};
pub use time::{Date, Timestamp};
pub use timelog::TimeEntry;
