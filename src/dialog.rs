//! Dialogs: the lifecycle state of one client conversation and its counters.

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::action::QueueReason;
use crate::routing::Explanation;
use crate::stats::DialogStats;

/// Index of an operator in the engine's operator table (operators are never removed,
/// so an index stays valid). A type of its own, so it cannot be mixed up with a line's
/// index or a count; serialized as the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct OperatorIdx(pub u32);

/// Index of a line in the engine's line table (lines are never removed). A type of its
/// own, like [`OperatorIdx`]; serialized as the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct LineIdx(pub u32);

impl OperatorIdx {
    /// The position in the operator table.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The index of the operator at table position `i`.
    pub fn at(i: usize) -> OperatorIdx {
        OperatorIdx(i as u32)
    }
}

impl std::fmt::Display for OperatorIdx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for LineIdx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl LineIdx {
    /// The position in the line table.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The index of the line at table position `i`.
    pub fn at(i: usize) -> LineIdx {
        LineIdx(i as u32)
    }
}

/// A value derived from the rest of the state (an index into another table), kept
/// beside the data for speed. It is not part of the state's identity: two states that
/// differ only in derived values are equal (a restored engine numbers its tables
/// afresh), so `PartialEq` ignores it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Derived<T>(pub T);

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::ops::Deref for Derived<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Where a dialog is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DialogState {
    /// Transient, inside one routing step only (never observable between inputs).
    Routing,
    /// With the line's bot.
    Bot,
    /// Waiting in the line's queue.
    Queued { reason: QueueReason },
    /// Offered to operators until `expires_at`.
    Offered {
        operators: Vec<OperatorIdx>,
        #[serde(with = "crate::timestamp")]
        expires_at: DateTime<Utc>,
    },
    /// Assigned; `answered` = the operator wrote last.
    Assigned {
        operator: OperatorIdx,
        answered: bool,
    },
    /// Closed by the operator, waiting for the client's rating.
    Closing { operator: OperatorIdx },
}

impl DialogState {
    /// The contract's status name.
    pub fn name(&self) -> &'static str {
        match self {
            DialogState::Routing => "routing",
            DialogState::Bot => "bot",
            DialogState::Queued { .. } => "queued",
            DialogState::Offered { .. } => "offered",
            DialogState::Assigned { .. } => "assigned",
            DialogState::Closing { .. } => "closing",
        }
    }

    /// The operator who owns the dialog (assigned or closing).
    pub fn owner(&self) -> Option<OperatorIdx> {
        match self {
            DialogState::Assigned { operator, .. } | DialogState::Closing { operator } => {
                Some(*operator)
            }
            _ => None,
        }
    }
}

/// One open dialog. Strings and lists that never change after opening are boxed
/// slices (16 bytes inline, not 24): a million open dialogs are a million of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Dialog {
    pub id: DialogId,
    pub line: LineIdx,
    /// Short strings (up to 24 bytes: client ids, channels, languages as hosts use
    /// them) are stored inline, so an open dialog costs no allocation for them.
    pub client: CompactString,
    /// The client's handle in the engine's client history (not persisted: restore
    /// resolves it from the client's record that names this dialog as open).
    #[serde(skip)]
    pub client_handle: Derived<crate::engine::ClientHandle>,
    pub channel: CompactString,
    pub can_reply: bool,
    pub crm_found: bool,
    /// This dialog asked the host to create a CRM lead (`create_lead`): the client's CRM
    /// record comes from this chat, so a transfer may change its responsible.
    pub lead_created: bool,
    pub responsible: Option<CompactString>,
    pub priority: i32,
    pub language: CompactString,
    pub skills: Box<[String]>,
    pub state: DialogState,
    /// Operators who declined or timed out in the current offer cycle.
    pub tried: Vec<OperatorIdx>,
    pub pinned: bool,
    /// Assigned without the capacity/availability checks (assign_anyway, unchecked CRM responsible).
    pub forced: bool,
    #[serde(with = "crate::timestamp")]
    pub opened_at: DateTime<Utc>,
    /// The client wrote and no operator replied since: when that wait began.
    #[serde(with = "crate::timestamp::option")]
    pub awaiting_since: Option<DateTime<Utc>>,
    /// The operator's last reply.
    #[serde(with = "crate::timestamp::option")]
    pub last_operator_message_at: Option<DateTime<Utc>>,
    pub client_messages: u32,
    pub operator_messages: u32,
    pub first_response_secs: Option<u64>,
    pub response_sum_secs: u64,
    pub responses: u32,
    pub max_response_secs: u64,
    pub rating: Option<u8>,
    pub unanswered: bool,
    pub nobody_available_sent: bool,
    /// The end (next opening) of the closed period for which the off-hours reply was sent.
    #[serde(with = "crate::timestamp::option")]
    pub off_hours_sent_for: Option<DateTime<Utc>>,
    /// Why the last routing decision went as it did.
    pub explanation: Option<Explanation>,
}

impl Dialog {
    /// The statistics carried by `dialog_closed`.
    pub fn stats(&self) -> DialogStats {
        DialogStats {
            first_response_secs: self.first_response_secs,
            avg_response_secs: (self.responses > 0)
                .then(|| self.response_sum_secs / u64::from(self.responses)),
            max_response_secs: (self.responses > 0).then_some(self.max_response_secs),
            client_messages: self.client_messages,
            operator_messages: self.operator_messages,
            rating: self.rating,
            unanswered: self.unanswered,
        }
    }

    /// Record an operator reply at `at`: closes the current client wait.
    pub fn record_reply(&mut self, at: DateTime<Utc>) {
        self.operator_messages = self.operator_messages.saturating_add(1);
        self.last_operator_message_at = Some(at);
        if let Some(since) = self.awaiting_since.take() {
            let secs = u64::try_from((at - since).num_seconds()).unwrap_or(0);
            if self.first_response_secs.is_none() {
                self.first_response_secs = Some(secs);
            }
            self.response_sum_secs = self.response_sum_secs.saturating_add(secs);
            self.responses = self.responses.saturating_add(1);
            self.max_response_secs = self.max_response_secs.max(secs);
        }
    }

    /// Whether `op` was declined/timed out in this cycle.
    pub fn was_tried(&self, op: OperatorIdx) -> bool {
        self.tried.contains(&op)
    }
}
