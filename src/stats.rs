//! Statistics: per closed dialog (in `dialog_closed`) and per line (`Engine::stats`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::action::QueueReason;
use crate::dialog::{DialogState, OperatorIdx};

/// Response statistics of one dialog, carried by `dialog_closed`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DialogStats {
    /// Seconds from the first client message to the first operator reply (null if none).
    pub first_response_secs: Option<u64>,
    /// Average seconds from a client message (first of a run) to the operator's reply.
    pub avg_response_secs: Option<u64>,
    /// Longest such wait.
    pub max_response_secs: Option<u64>,
    /// Client messages in the dialog.
    pub client_messages: u32,
    /// Operator replies (hidden notes not counted).
    pub operator_messages: u32,
    /// The client's rating, 1..5.
    pub rating: Option<u8>,
    /// Whether the dialog got the unanswered mark.
    pub unanswered: bool,
}

/// Running totals of a line's closed dialogs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineTotals {
    /// Dialogs closed.
    pub closed: u64,
    /// Closed dialogs that had an operator reply.
    pub responded: u64,
    /// Sum of first-response seconds.
    pub first_response_sum_secs: u64,
    /// Longest first response.
    pub first_response_max_secs: u64,
    /// Ratings received.
    pub ratings: u64,
    /// Sum of ratings.
    pub rating_sum: u64,
    /// Closed dialogs that got the unanswered mark.
    pub unanswered: u64,
}

impl LineTotals {
    /// Add one closed dialog.
    pub fn add(&mut self, stats: &DialogStats) {
        // Saturating: totals come from snapshots too, and a total at its ceiling must
        // not wrap or panic (no real line gets near it).
        self.closed = self.closed.saturating_add(1);
        if let Some(first) = stats.first_response_secs {
            self.responded = self.responded.saturating_add(1);
            self.first_response_sum_secs = self.first_response_sum_secs.saturating_add(first);
            self.first_response_max_secs = self.first_response_max_secs.max(first);
        }
        if let Some(rating) = stats.rating {
            self.ratings = self.ratings.saturating_add(1);
            self.rating_sum = self.rating_sum.saturating_add(u64::from(rating));
        }
        if stats.unanswered {
            self.unanswered = self.unanswered.saturating_add(1);
        }
    }
}

/// Live counts and totals of one line (`Engine::stats`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineStats {
    /// The line.
    pub line: String,
    /// Open dialogs (any state but closed).
    pub open: u64,
    /// Dialogs with the bot.
    pub bot: u64,
    /// Dialogs waiting in the queue.
    pub queued: u64,
    /// Dialogs offered to operators.
    pub offered: u64,
    /// Dialogs assigned to an operator.
    pub assigned: u64,
    /// Dialogs in their rating window.
    pub closing: u64,
    /// Counted load per operator in this line (operators with load only).
    pub operator_load: BTreeMap<String, u32>,
    /// Dialogs closed so far.
    pub closed: u64,
    /// Average first response of closed dialogs, seconds (null before any).
    pub avg_first_response_secs: Option<f64>,
    /// Longest first response of closed dialogs, seconds.
    pub max_first_response_secs: Option<u64>,
    /// Ratings received.
    pub ratings: u64,
    /// Average rating (null before any).
    pub avg_rating: Option<f64>,
    /// Share of closed dialogs that got the unanswered mark (0..1; null before any).
    pub unanswered_share: Option<f64>,
}

/// Live counts of one line's open dialogs (derived from the dialogs, never persisted):
/// kept up to date on every state change, so `Engine::stats` reads them instead of
/// scanning the open dialogs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LiveCounts {
    /// Open dialogs.
    pub open: u64,
    /// Per state: bot, queued (or being routed), offered, assigned, closing.
    pub by_state: [u64; 5],
    /// Counted load per operator in this line (operators with load only).
    pub operator_load: BTreeMap<OperatorIdx, u32>,
    /// Per operator, the dialogs of this line they are offered or own (holders only).
    pub holders: BTreeMap<OperatorIdx, u32>,
    /// Dialogs held until the line opens (queued with reason `off_hours`).
    pub held: u64,
}

impl LiveCounts {
    /// Dialogs waiting in the line's queue (or being routed).
    pub fn waiting(&self) -> u64 {
        self.by_state[1]
    }

    /// The `by_state` slot of a state (the transient routing state counts as queued).
    fn slot(state: &DialogState) -> usize {
        match state {
            DialogState::Bot => 0,
            DialogState::Routing | DialogState::Queued { .. } => 1,
            DialogState::Offered { .. } => 2,
            DialogState::Assigned { .. } => 3,
            DialogState::Closing { .. } => 4,
        }
    }

    fn is_held(state: &DialogState) -> bool {
        matches!(
            state,
            DialogState::Queued {
                reason: QueueReason::OffHours
            }
        )
    }

    /// A dialog in `state` opened in (or moved into) this line.
    pub fn enter(&mut self, state: &DialogState) {
        self.open += 1;
        self.by_state[Self::slot(state)] += 1;
        self.held += u64::from(Self::is_held(state));
    }

    /// A dialog in `state` closed in (or moved out of) this line.
    pub fn leave(&mut self, state: &DialogState) {
        self.open -= 1;
        self.by_state[Self::slot(state)] -= 1;
        self.held -= u64::from(Self::is_held(state));
    }

    /// A dialog of this line changed state.
    pub fn change(&mut self, old: &DialogState, new: &DialogState) {
        self.by_state[Self::slot(old)] -= 1;
        self.by_state[Self::slot(new)] += 1;
        self.held -= u64::from(Self::is_held(old));
        self.held += u64::from(Self::is_held(new));
    }

    /// `op` is now offered or owns one more dialog of this line.
    pub fn add_holder(&mut self, op: OperatorIdx) {
        *self.holders.entry(op).or_insert(0) += 1;
    }

    /// `op` is offered or owns one dialog of this line less.
    pub fn remove_holder(&mut self, op: OperatorIdx) {
        if let Some(n) = self.holders.get_mut(&op) {
            *n -= 1;
            if *n == 0 {
                self.holders.remove(&op);
            }
        }
    }

    /// One more counted dialog of `op` in this line.
    pub fn add_load(&mut self, op: OperatorIdx) {
        *self.operator_load.entry(op).or_insert(0) += 1;
    }

    /// One counted dialog of `op` in this line less.
    pub fn remove_load(&mut self, op: OperatorIdx) {
        if let Some(n) = self.operator_load.get_mut(&op) {
            *n -= 1;
            if *n == 0 {
                self.operator_load.remove(&op);
            }
        }
    }
}
