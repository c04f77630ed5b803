//! Read-only views returned by `Engine::dialog`, `Engine::operator` and `Engine::queue`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::action::QueueReason;
use crate::input::PresenceStatus;
use crate::stats::DialogStats;

/// One open dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DialogView {
    /// Its id.
    pub dialog: DialogId,
    /// Its line.
    pub line: String,
    /// Its client.
    pub client: String,
    /// `bot`, `queued`, `offered`, `assigned` or `closing`.
    pub status: String,
    /// For `assigned`: `awaiting_operator` or `answered`; for `queued`: the reason.
    pub substatus: Option<String>,
    /// The assigned operator (also during `closing`).
    pub operator: Option<String>,
    /// Operators it is offered to.
    pub offered_to: Vec<String>,
    /// When the current offer expires.
    pub offer_expires_at: Option<DateTime<Utc>>,
    /// Operators who declined or timed out in the current offer cycle.
    pub tried: Vec<String>,
    /// Queue priority.
    pub priority: i32,
    /// Pinned dialogs are not auto-closed.
    pub pinned: bool,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Response statistics so far.
    pub stats: DialogStats,
}

/// One operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorView {
    /// Its id.
    pub operator: String,
    /// Presence.
    pub presence: PresenceStatus,
    /// Counted dialogs across lines.
    pub load: u32,
    /// Global limit (0 = none).
    pub max_dialogs: u32,
    /// Counted dialogs per line.
    pub line_load: BTreeMap<String, u32>,
    /// Dialogs assigned to (or closing with) this operator.
    pub dialogs: Vec<DialogId>,
    /// When they last got a dialog.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

/// A line's waiting queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    /// The line.
    pub line: String,
    /// Waiting dialogs in dispatch order (priority, then age).
    pub waiting: Vec<QueueEntry>,
    /// The queue's operators in order.
    pub operators: Vec<String>,
}

/// One waiting dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The dialog.
    pub dialog: DialogId,
    /// Its client.
    pub client: String,
    /// Its priority.
    pub priority: i32,
    /// Why it waits.
    pub reason: QueueReason,
    /// When it was opened.
    pub since: DateTime<Utc>,
}
