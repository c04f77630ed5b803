//! Actions the engine returns for the host to carry out (contract section 4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::stats::DialogStats;

/// One action, tagged by `"type"` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// A new dialog was opened.
    DialogOpened {
        /// The new dialog's id.
        dialog: DialogId,
        /// Its line.
        line: String,
        /// Its client.
        client: String,
    },
    /// Send a text to the client.
    SendMessage {
        /// The dialog.
        dialog: DialogId,
        /// Why it is sent.
        kind: MessageKind,
        /// The text.
        text: String,
    },
    /// Offer the dialog to operators; it expires at `expires_at`.
    Offer {
        /// The dialog.
        dialog: DialogId,
        /// The operators offered to (several in `all` mode).
        operators: Vec<String>,
        /// When the offer times out.
        expires_at: DateTime<Utc>,
    },
    /// An operator's offer is gone.
    OfferWithdrawn {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
        /// Why.
        reason: WithdrawReason,
    },
    /// The dialog now belongs to an operator.
    Assigned {
        /// The dialog.
        dialog: DialogId,
        /// The operator.
        operator: String,
        /// Why.
        reason: AssignReason,
    },
    /// The dialog waits in the line's queue.
    Queued {
        /// The dialog.
        dialog: DialogId,
        /// Why.
        reason: QueueReason,
    },
    /// Mark the dialog unanswered in the host's UI.
    MarkUnanswered {
        /// The dialog.
        dialog: DialogId,
    },
    /// A response-time target was missed.
    KpiOverdue {
        /// The dialog.
        dialog: DialogId,
        /// The operator responsible then, if any.
        operator: Option<String>,
        /// Which target.
        kpi: Kpi,
        /// Who to notify.
        notify: Vec<String>,
        /// The notice, template filled in.
        text: String,
    },
    /// The dialog starts with the line's bot.
    BotStarted {
        /// The dialog.
        dialog: DialogId,
        /// The bot id.
        bot: String,
    },
    /// The bot stage ended.
    BotStopped {
        /// The dialog.
        dialog: DialogId,
        /// Why.
        reason: BotStopReason,
    },
    /// Create a CRM lead for the client.
    CreateLead {
        /// The dialog.
        dialog: DialogId,
        /// The client.
        client: String,
        /// The channel.
        channel: String,
    },
    /// Send a form to the client.
    SendForm {
        /// The dialog.
        dialog: DialogId,
        /// The form id.
        form: String,
    },
    /// Make this operator the client's CRM responsible.
    CrmResponsibleChanged {
        /// The dialog.
        dialog: DialogId,
        /// The new responsible.
        operator: String,
    },
    /// The dialog is closed, with its statistics.
    DialogClosed {
        /// The dialog.
        dialog: DialogId,
        /// Why.
        reason: CloseReason,
        /// Response statistics.
        stats: DialogStats,
    },
}

impl Action {
    /// The contract's `type` tag of this action.
    pub fn type_name(&self) -> &'static str {
        match self {
            Action::DialogOpened { .. } => "dialog_opened",
            Action::SendMessage { .. } => "send_message",
            Action::Offer { .. } => "offer",
            Action::OfferWithdrawn { .. } => "offer_withdrawn",
            Action::Assigned { .. } => "assigned",
            Action::Queued { .. } => "queued",
            Action::MarkUnanswered { .. } => "mark_unanswered",
            Action::KpiOverdue { .. } => "kpi_overdue",
            Action::BotStarted { .. } => "bot_started",
            Action::BotStopped { .. } => "bot_stopped",
            Action::CreateLead { .. } => "create_lead",
            Action::SendForm { .. } => "send_form",
            Action::CrmResponsibleChanged { .. } => "crm_responsible_changed",
            Action::DialogClosed { .. } => "dialog_closed",
        }
    }

    /// The dialog this action is about.
    pub fn dialog(&self) -> DialogId {
        match self {
            Action::DialogOpened { dialog, .. }
            | Action::SendMessage { dialog, .. }
            | Action::Offer { dialog, .. }
            | Action::OfferWithdrawn { dialog, .. }
            | Action::Assigned { dialog, .. }
            | Action::Queued { dialog, .. }
            | Action::MarkUnanswered { dialog }
            | Action::KpiOverdue { dialog, .. }
            | Action::BotStarted { dialog, .. }
            | Action::BotStopped { dialog, .. }
            | Action::CreateLead { dialog, .. }
            | Action::SendForm { dialog, .. }
            | Action::CrmResponsibleChanged { dialog, .. }
            | Action::DialogClosed { dialog, .. } => *dialog,
        }
    }
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The contract's JSON name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }
    };
}

wire_enum!(
    /// Why a text is sent.
    MessageKind {
        /// Consent request.
        Consent => "consent",
        /// Greeting.
        Greeting => "greeting",
        /// Off-hours reply.
        OffHours => "off_hours",
        /// Nobody is available.
        NobodyAvailable => "nobody_available",
        /// The client's place in the queue and the estimated wait.
        QueuePosition => "queue_position",
        /// "Please wait" after the unanswered timer.
        Unanswered => "unanswered",
        /// No operator answered the offer cycle.
        NoAnswer => "no_answer",
        /// Closing message.
        Closing => "closing",
        /// Auto-close message.
        AutoClose => "auto_close",
        /// Rating request.
        RatingRequest => "rating_request",
    }
);

wire_enum!(
    /// Why an offer was withdrawn.
    WithdrawReason {
        /// Not accepted in time.
        Timeout => "timeout",
        /// The operator skipped it.
        Skipped => "skipped",
        /// Another operator took it.
        Taken => "taken",
        /// The operator became unavailable or left the queue.
        Unavailable => "unavailable",
    }
);

wire_enum!(
    /// Why a dialog was assigned.
    AssignReason {
        /// The operator accepted (or answered) the offer.
        Accepted => "accepted",
        /// The client's CRM responsible.
        CrmResponsible => "crm_responsible",
        /// The operator of the client's last dialog.
        PreviousOperator => "previous_operator",
        /// A manual transfer.
        Transfer => "transfer",
        /// Nobody was available and the line assigns anyway.
        AssignAnyway => "assign_anyway",
    }
);

wire_enum!(
    /// Why a dialog is queued.
    QueueReason {
        /// No eligible operator.
        NobodyAvailable => "nobody_available",
        /// The line is closed and holds dialogs until it opens.
        OffHours => "off_hours",
        /// Every candidate of a cycle declined; parked until a retry.
        NoAnswer => "no_answer",
    }
);

wire_enum!(
    /// Which response-time target.
    Kpi {
        /// The first operator reply.
        FirstResponse => "first_response",
        /// A later reply.
        NextResponse => "next_response",
    }
);

wire_enum!(
    /// Why the bot stage ended.
    BotStopReason {
        /// The bot asked for a human.
        Handoff => "handoff",
        /// The client wrote the handoff keyword.
        Keyword => "keyword",
        /// The handoff timer fired.
        Timeout => "timeout",
        /// The bot resolved the dialog.
        Resolved => "resolved",
    }
);

wire_enum!(
    /// Why a dialog was closed.
    CloseReason {
        /// The operator closed it.
        Operator => "operator",
        /// The client was silent too long.
        Inactivity => "inactivity",
        /// The client rated it.
        Rated => "rated",
        /// The rating window passed.
        RatingWindow => "rating_window",
        /// The bot resolved it.
        Bot => "bot",
    }
);
