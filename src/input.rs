//! Inputs the host feeds to the engine (contract section 3), tagged by `"type"`.

use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::config::{LineConfig, OperatorConfig};

/// One input. Its JSON form is the contract's, e.g.
/// `{"type": "accept", "dialog": 7, "operator": "ann"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Input {
    /// A client wrote to a line.
    ClientMessage(ClientMessage),
    /// An operator wrote in a dialog (a hidden message is an internal note, not a reply).
    OperatorMessage {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
        /// An internal note the client does not see.
        #[serde(default)]
        hidden: bool,
    },
    /// An operator accepts an offered dialog.
    Accept {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
    },
    /// An operator skips an offered (or their assigned) dialog: it goes to the next candidate.
    Skip {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
    },
    /// The assigned operator hands the dialog to another operator or line.
    Transfer {
        /// The dialog.
        dialog: DialogId,
        /// The operator doing the transfer.
        operator: String,
        /// Target operator (exactly one of `to_operator` and `to_line`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_operator: Option<String>,
        /// Target line.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_line: Option<String>,
    },
    /// The assigned operator closes the dialog.
    Close {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
    },
    /// The assigned operator pins or unpins the dialog (pinned dialogs are not auto-closed).
    Pin {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
        /// Pin (true) or unpin (false).
        #[serde(default = "default_true")]
        pinned: bool,
    },
    /// The client rates the dialog, 1 to 5.
    Rate {
        /// The dialog.
        dialog: DialogId,
        /// The score, 1..=5.
        #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 5)))]
        score: u8,
    },
    /// An operator's presence changed.
    Presence {
        /// The operator.
        operator: String,
        /// The new status.
        status: PresenceStatus,
    },
    /// The host's bot asks for a human.
    BotHandoff {
        /// The dialog.
        dialog: DialogId,
    },
    /// The bot finished the dialog itself.
    BotResolved {
        /// The dialog.
        dialog: DialogId,
    },
    /// Add or replace a line at run time.
    SetLine {
        /// The line's full config.
        line: Box<LineConfig>,
    },
    /// Add or replace an operator at run time.
    SetOperator {
        /// The operator's full config.
        operator: OperatorConfig,
    },
    /// Erase what the engine keeps about a client (history, previous operator).
    ForgetClient {
        /// The client id.
        client: String,
    },
    /// A clock tick: only fires due timers (same as `advance`).
    Tick,
}

fn default_true() -> bool {
    true
}

/// A client's message to a line.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ClientMessage {
    /// The line written to.
    pub line: String,
    /// The client's id (stable per person and channel, e.g. `tg:42`).
    pub client: String,
    /// The message text (used for the bot's handoff keyword; not stored).
    pub text: String,
    /// The channel (`telegram`, `web`, ...), passed to `create_lead`.
    pub channel: String,
    /// Whether the channel can reply to the client (leads are auto-created only then).
    #[serde(default = "default_true")]
    pub can_reply: bool,
    /// The host's CRM lookup; absent = no lookup was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crm: Option<CrmLookup>,
    /// Higher goes first in the waiting queue.
    pub priority: i32,
    /// Required operator language (empty = any).
    pub language: String,
    /// Required operator skills.
    pub skills: Vec<String>,
}

impl ClientMessage {
    /// A message from `client` to `line` with every other field at its default.
    pub fn new(line: impl Into<String>, client: impl Into<String>) -> Self {
        ClientMessage {
            line: line.into(),
            client: client.into(),
            can_reply: true,
            ..ClientMessage::default()
        }
    }
}

/// The host's CRM lookup for a client message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CrmLookup {
    /// Whether the client is known in the CRM.
    pub found: bool,
    /// The responsible operator's id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
}

/// Operator presence (the default, `online`, is an operator's presence when the
/// config does not say).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    /// Working and available.
    #[default]
    Online,
    /// Away from the desk.
    Away,
    /// On a break.
    Break,
    /// Not working.
    Offline,
    /// On vacation.
    Vacation,
    /// No longer works here: their dialogs are re-routed.
    Dismissed,
}

impl PresenceStatus {
    /// The contract's name of this status.
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceStatus::Online => "online",
            PresenceStatus::Away => "away",
            PresenceStatus::Break => "break",
            PresenceStatus::Offline => "offline",
            PresenceStatus::Vacation => "vacation",
            PresenceStatus::Dismissed => "dismissed",
        }
    }
}

impl Input {
    /// The contract's `type` tag of this input.
    pub fn type_name(&self) -> &'static str {
        match self {
            Input::ClientMessage(_) => "client_message",
            Input::OperatorMessage { .. } => "operator_message",
            Input::Accept { .. } => "accept",
            Input::Skip { .. } => "skip",
            Input::Transfer { .. } => "transfer",
            Input::Close { .. } => "close",
            Input::Pin { .. } => "pin",
            Input::Rate { .. } => "rate",
            Input::Presence { .. } => "presence",
            Input::BotHandoff { .. } => "bot_handoff",
            Input::BotResolved { .. } => "bot_resolved",
            Input::SetLine { .. } => "set_line",
            Input::SetOperator { .. } => "set_operator",
            Input::ForgetClient { .. } => "forget_client",
            Input::Tick => "tick",
        }
    }
}
