//! Engine configuration: operators and open lines (contract section 2).
//!
//! Every field but the ids has a default, so `{"lines": [{"id": "sales"}]}` is a
//! complete config. [`Config::validate`] checks everything the types cannot and
//! reports each problem with the exact field path, e.g.
//! `lines[0].queue.forward_after_secs: must be at least 1 (got 0)`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{ConfigIssue, IssueKind};
use crate::input::PresenceStatus;
use crate::limits::Limits;
use crate::schedule::Schedule;

/// The whole engine configuration for one tenant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Operators (agents) who can take dialogs.
    pub operators: Vec<OperatorConfig>,
    /// Open lines (channels of the company that clients write to).
    pub lines: Vec<LineConfig>,
    /// Size limits enforced on inputs and state.
    pub limits: Limits,
    /// Forget what the engine keeps about a client after this many days without a dialog
    /// (0 = keep until `forget_client`).
    pub forget_clients_after_days: u32,
}

/// One operator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OperatorConfig {
    /// Unique operator id.
    pub id: String,
    /// Most dialogs at once across all lines (0 = no limit).
    pub max_dialogs: u32,
    /// Skills this operator has (a dialog that requires skills goes only to operators with all of them).
    pub skills: Vec<String>,
    /// Languages the operator speaks; empty means no restriction.
    pub languages: Vec<String>,
    /// Presence when the engine is created, or when `set_operator` adds this operator
    /// at run time (default `online`). For an operator the engine already has,
    /// `set_operator` keeps the live presence: `presence` inputs govern it.
    pub presence: PresenceStatus,
}

/// One open line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct LineConfig {
    /// Unique line id.
    pub id: String,
    /// An inactive line accepts no new dialogs.
    pub active: bool,
    /// Who gets dialogs and how.
    pub queue: QueueConfig,
    /// CRM integration.
    pub crm: CrmConfig,
    /// Working hours; absent = always open.
    pub schedule: Option<ScheduleConfig>,
    /// Greeting sent on a new dialog.
    pub greeting: GreetingConfig,
    /// Consent text sent first in every new dialog.
    pub consent: TextConfig,
    /// Unanswered mark and text.
    pub unanswered: TimedTextConfig,
    /// Sent once when a dialog waits because no operator is available.
    pub nobody_available_text: String,
    /// Tells a waiting client their place in the queue and the estimated wait.
    pub queue_position: QueuePositionConfig,
    /// Automatic close after the client's silence.
    pub auto_close: TimedTextConfig,
    /// Closing message.
    pub closing: TextConfig,
    /// Rating request.
    pub rating: RatingConfig,
    /// Chat bot stage before the queue.
    pub bot: BotConfig,
    /// Response-time targets.
    pub kpi: KpiConfig,
}

/// How a line's queue distributes dialogs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Queue operators; order matters for `strict`, `evenly` and ties.
    pub operators: Vec<String>,
    /// Distribution mode.
    pub distribution: Distribution,
    /// Offer timeout before the next operator.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = MAX_SECS)))]
    pub forward_after_secs: u64,
    /// Only operators whose presence is `online` get dialogs.
    pub check_availability: bool,
    /// What happens when no operator is eligible.
    pub when_nobody_available: WhenNobodyAvailable,
    /// Most dialogs per operator in this line (0 = no limit).
    pub max_dialogs: u32,
    /// Dialog statuses not counted in an operator's load.
    pub load_excludes: Vec<LoadExclude>,
    /// A returning client goes to the operator of their last dialog in this line.
    pub prefer_previous_operator: bool,
    /// What happens when every candidate of a cycle declined or timed out.
    pub no_answer: NoAnswerConfig,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            operators: Vec::new(),
            distribution: Distribution::Evenly,
            forward_after_secs: 60,
            check_availability: true,
            when_nobody_available: WhenNobodyAvailable::Wait,
            max_dialogs: 0,
            load_excludes: Vec::new(),
            prefer_previous_operator: false,
            no_answer: NoAnswerConfig::default(),
        }
    }
}

/// Distribution modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Round robin in queue order.
    Evenly,
    /// Always the first eligible operator in queue order.
    Strict,
    /// Offered to every eligible operator at once.
    All,
    /// The fewest counted dialogs, ties by queue order.
    LeastBusy,
    /// The longest since their last assignment, ties by queue order.
    LongestIdle,
}

/// What to do when nobody is eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WhenNobodyAvailable {
    /// Keep the dialog queued until an operator becomes eligible.
    Wait,
    /// Assign to the next operator in order, available or not.
    AssignAnyway,
}

/// Statuses that may be left out of an operator's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoadExclude {
    /// Assigned dialogs where the operator wrote last.
    Answered,
    /// Dialogs in their rating window.
    Closing,
}

/// The no-answer policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NoAnswerConfig {
    /// The action.
    pub action: NoAnswerAction,
    /// Text for `send_text`.
    pub text: String,
    /// Form for `send_form`.
    pub form: String,
    /// A parked dialog starts a new cycle after this long.
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub retry_after_secs: u64,
}

impl Default for NoAnswerConfig {
    fn default() -> Self {
        NoAnswerConfig {
            action: NoAnswerAction::Requeue,
            text: String::new(),
            form: String::new(),
            retry_after_secs: 120,
        }
    }
}

/// No-answer actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoAnswerAction {
    /// Start a new cycle at once.
    Requeue,
    /// Send `text` and park the dialog.
    SendText,
    /// Send `form` and park the dialog.
    SendForm,
    /// Park the dialog silently.
    Nothing,
}

/// CRM integration of a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CrmConfig {
    /// A client known in the CRM goes to their responsible operator.
    pub route_to_responsible: bool,
    /// false: the responsible gets the dialog even when offline or over capacity.
    pub responsible_checks_availability: bool,
    /// When to ask the host to create a lead.
    pub create_lead: CreateLead,
    /// A manual transfer to an operator makes them the CRM responsible of a lead created
    /// from this chat (the dialog emitted `create_lead`); a client the CRM already knew
    /// keeps their responsible.
    pub change_responsible_on_transfer: bool,
}

impl Default for CrmConfig {
    fn default() -> Self {
        CrmConfig {
            route_to_responsible: true,
            responsible_checks_availability: true,
            create_lead: CreateLead::Never,
            change_responsible_on_transfer: false,
        }
    }
}

/// Lead creation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreateLead {
    /// Ask for a lead when the CRM did not find the client and the channel can reply.
    Auto,
    /// Operators create leads by hand: the engine never asks.
    Manual,
    /// Never.
    Never,
}

/// Working hours of a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// IANA time zone name.
    pub timezone: String,
    /// Open intervals per weekday (`mon` .. `sun`), each `["HH:MM", "HH:MM"]`.
    pub weekly: BTreeMap<String, Vec<[String; 2]>>,
    /// Closed dates: `DD.MM` every year or `YYYY-MM-DD`.
    pub holidays: Vec<String>,
    /// What a new dialog gets while the line is closed.
    pub off_hours: OffHoursConfig,
    /// Do not offer dialogs while closed; dispatch them at the opening.
    pub hold_until_open: bool,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            timezone: "UTC".to_owned(),
            weekly: BTreeMap::new(),
            holidays: Vec::new(),
            off_hours: OffHoursConfig::default(),
            hold_until_open: false,
        }
    }
}

/// Off-hours reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OffHoursConfig {
    /// The action.
    pub action: OffHoursAction,
    /// Text for `send_text`.
    pub text: String,
    /// Form for `send_form`.
    pub form: String,
}

impl Default for OffHoursConfig {
    fn default() -> Self {
        OffHoursConfig {
            action: OffHoursAction::SendText,
            text: String::new(),
            form: String::new(),
        }
    }
}

/// Off-hours actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OffHoursAction {
    /// Send `text`.
    SendText,
    /// Send `form`.
    SendForm,
    /// Nothing.
    Nothing,
}

/// Greeting policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct GreetingConfig {
    /// When to greet.
    pub when: GreetingWhen,
    /// The text.
    pub text: String,
}

impl Default for GreetingConfig {
    fn default() -> Self {
        GreetingConfig {
            when: GreetingWhen::EveryDialog,
            text: String::new(),
        }
    }
}

/// When a greeting (or a bot) applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GreetingWhen {
    /// Only a client's first dialog in the line.
    FirstContact,
    /// Every new dialog.
    EveryDialog,
    /// Never.
    Never,
}

/// The queue position message sent to a waiting client (`send_message` kind
/// `queue_position`): when the dialog is queued (for any reason: nobody available,
/// parked after no answer, held until the opening), then every `repeat_secs` while it
/// still waits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct QueuePositionConfig {
    /// Template (empty = off): `#POSITION#` is the 1-based place in dispatch order among
    /// the line's waiting dialogs, `#WAIT#` the estimated wait in words ("3 min").
    pub text: String,
    /// Send it again this often while the dialog waits (0 = only on queueing).
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub repeat_secs: u64,
}

/// A plain text setting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TextConfig {
    /// The text (empty = not sent).
    pub text: String,
}

/// A timer with an optional text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TimedTextConfig {
    /// Delay in seconds (0 = off).
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub after_secs: u64,
    /// Text sent when the timer fires (empty = none).
    pub text: String,
}

/// Rating request policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RatingConfig {
    /// Ask for a rating when the operator closes the dialog.
    pub enabled: bool,
    /// The request text.
    pub text: String,
    /// How long the dialog stays in `closing` waiting for a rating (0 = close at once).
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub window_secs: u64,
    /// A rating in the window closes the dialog at once.
    pub close_on_rating: bool,
    /// The client may rate while the dialog is still open.
    pub during_dialog: bool,
}

impl Default for RatingConfig {
    fn default() -> Self {
        RatingConfig {
            enabled: false,
            text: String::new(),
            window_secs: 0,
            close_on_rating: true,
            during_dialog: false,
        }
    }
}

/// Chat bot stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    /// Bot id; empty = no bot.
    pub id: String,
    /// Which dialogs start with the bot (`first_contact` | `every_dialog` | `never`).
    pub when: GreetingWhen,
    /// Hand the dialog to a human after this long (0 = never by time).
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub handoff_after_secs: u64,
    /// A client message equal to this (trimmed, case-insensitive) hands off.
    pub handoff_keyword: String,
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            id: String::new(),
            when: GreetingWhen::FirstContact,
            handoff_after_secs: 0,
            handoff_keyword: "0".to_owned(),
        }
    }
}

/// Response-time targets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct KpiConfig {
    /// First-response target (0 = off).
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub first_response_secs: u64,
    /// Next-response target (0 = off).
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = MAX_SECS)))]
    pub next_response_secs: u64,
    /// Who is notified (passed through to the host).
    pub notify: Vec<String>,
    /// Notice template: `#OPERATOR#` becomes the responsible operator's id, or
    /// "nobody (unassigned)" while nobody is assigned; `#DIALOG#` the dialog id.
    pub text: String,
    /// Count KPI and unanswered time only while the line is open.
    pub business_hours_only: bool,
}

impl Default for LineConfig {
    fn default() -> Self {
        LineConfig {
            id: String::new(),
            active: true,
            queue: QueueConfig::default(),
            crm: CrmConfig::default(),
            schedule: None,
            greeting: GreetingConfig::default(),
            consent: TextConfig::default(),
            unanswered: TimedTextConfig::default(),
            nobody_available_text: String::new(),
            queue_position: QueuePositionConfig::default(),
            auto_close: TimedTextConfig::default(),
            closing: TextConfig::default(),
            rating: RatingConfig::default(),
            bot: BotConfig::default(),
            kpi: KpiConfig::default(),
        }
    }
}

impl LineConfig {
    /// A line with this id and every other field at its default.
    pub fn new(id: impl Into<String>) -> Self {
        LineConfig {
            id: id.into(),
            ..LineConfig::default()
        }
    }

    /// Whether the line keeps new dialogs queued while its schedule says closed
    /// (`schedule.hold_until_open`).
    pub fn holds_until_open(&self) -> bool {
        self.schedule.as_ref().is_some_and(|s| s.hold_until_open)
    }
}

/// Longest allowed duration in any `*_secs` field: ten years.
pub const MAX_SECS: u64 = 10 * 366 * 24 * 3600;

struct Checker<'a> {
    limits: &'a Limits,
    issues: Vec<ConfigIssue>,
}

impl Checker<'_> {
    fn issue(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issue_of(IssueKind::InvalidValue, path, message);
    }

    fn issue_of(&mut self, kind: IssueKind, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(ConfigIssue::new(kind, path, message));
    }

    fn id(&mut self, path: &str, value: &str) {
        if value.is_empty() {
            self.issue_of(IssueKind::MissingField, path, "must not be empty");
        } else if value.len() > self.limits.max_id_len {
            self.issue_of(
                IssueKind::OutOfRange,
                path,
                format!(
                    "is {} bytes long; the limit is {} (limits.max_id_len)",
                    value.len(),
                    self.limits.max_id_len
                ),
            );
        }
    }

    fn text(&mut self, path: &str, value: &str) {
        if value.len() > self.limits.max_text_len {
            self.issue_of(
                IssueKind::OutOfRange,
                path,
                format!(
                    "is {} bytes long; the limit is {} (limits.max_text_len)",
                    value.len(),
                    self.limits.max_text_len
                ),
            );
        }
    }

    fn secs(&mut self, path: &str, value: u64, min: u64) {
        if value < min {
            self.issue_of(
                IssueKind::OutOfRange,
                path,
                format!("must be at least {min} (got {value})"),
            );
        } else if value > MAX_SECS {
            self.issue_of(
                IssueKind::OutOfRange,
                path,
                format!("must be at most {MAX_SECS} (ten years; got {value})"),
            );
        }
    }

    /// A form id: empty means "no form" (checked against the action elsewhere); a set
    /// one obeys the id length limit like every other id.
    fn form_id(&mut self, path: &str, value: &str) {
        if !value.is_empty() {
            self.id(path, value);
        }
    }

    /// A schedule's open hours: at least one interval (a schedule that never opens
    /// is not a schedule; `active: false` says "takes no dialogs").
    fn weekly(&mut self, path: &str, weekly: &BTreeMap<String, Vec<[String; 2]>>) {
        if weekly.is_empty() {
            self.issue_of(
                IssueKind::MissingField,
                path,
                "is required: the open hours per day, e.g. \
                 {\"mon\": [[\"09:00\", \"18:00\"]]}; leave out \"schedule\" for a line that is \
                 always open",
            );
        } else if weekly.values().all(Vec::is_empty) {
            self.issue(
                path,
                "has no open interval, so the line would never open: give at least one \
                 interval, e.g. {\"mon\": [[\"09:00\", \"18:00\"]]}; \"active\": false is how a \
                 line takes no new dialogs",
            );
        }
    }

    fn ids(&mut self, path: &str, values: &[String], max: usize, what: &str) {
        if values.len() > max {
            self.issue_of(
                IssueKind::OutOfRange,
                path,
                format!(
                    "has {} {what}; the limit is {max} (limits.max_skills)",
                    values.len()
                ),
            );
        }
        let mut seen = BTreeSet::new();
        for (i, v) in values.iter().enumerate() {
            let item = format!("{path}[{i}]");
            self.id(&item, v);
            if !seen.insert(v.as_str()) {
                self.issue_of(
                    IssueKind::Duplicate,
                    item,
                    format!("duplicate {what} \"{v}\""),
                );
            }
        }
    }

    fn operator(&mut self, path: &str, op: &OperatorConfig) {
        self.id(&format!("{path}.id"), &op.id);
        self.ids(
            &format!("{path}.skills"),
            &op.skills,
            self.limits.max_skills,
            "skills",
        );
        self.ids(
            &format!("{path}.languages"),
            &op.languages,
            self.limits.max_skills,
            "languages",
        );
    }

    fn line(&mut self, path: &str, line: &LineConfig, operator_exists: &dyn Fn(&str) -> bool) {
        self.id(&format!("{path}.id"), &line.id);
        let queue = &line.queue;
        let mut seen = BTreeSet::new();
        for (i, op) in queue.operators.iter().enumerate() {
            let item = format!("{path}.queue.operators[{i}]");
            if !operator_exists(op) {
                self.issue_of(
                    IssueKind::UnknownReference,
                    item,
                    format!("unknown operator \"{op}\" (not in operators)"),
                );
            } else if !seen.insert(op.as_str()) {
                self.issue_of(
                    IssueKind::Duplicate,
                    item,
                    format!("operator \"{op}\" is in the queue twice"),
                );
            }
        }
        self.secs(
            &format!("{path}.queue.forward_after_secs"),
            queue.forward_after_secs,
            1,
        );
        self.secs(
            &format!("{path}.queue.no_answer.retry_after_secs"),
            queue.no_answer.retry_after_secs,
            0,
        );
        self.text(
            &format!("{path}.queue.no_answer.text"),
            &queue.no_answer.text,
        );
        if queue.no_answer.action == NoAnswerAction::SendForm && queue.no_answer.form.is_empty() {
            self.issue(
                format!("{path}.queue.no_answer.form"),
                "must name a form when action is send_form",
            );
        }
        self.form_id(
            &format!("{path}.queue.no_answer.form"),
            &queue.no_answer.form,
        );
        if let Some(schedule) = &line.schedule {
            let spath = format!("{path}.schedule");
            if let Err(errors) =
                Schedule::parse(&schedule.timezone, &schedule.weekly, &schedule.holidays)
            {
                for e in errors {
                    self.issue(format!("{spath}.{}", e.path), e.message);
                }
            }
            self.weekly(&format!("{spath}.weekly"), &schedule.weekly);
            self.text(&format!("{spath}.off_hours.text"), &schedule.off_hours.text);
            if schedule.off_hours.action == OffHoursAction::SendForm
                && schedule.off_hours.form.is_empty()
            {
                self.issue(
                    format!("{spath}.off_hours.form"),
                    "must name a form when action is send_form",
                );
            }
            self.form_id(&format!("{spath}.off_hours.form"), &schedule.off_hours.form);
        }
        for (field, text) in [
            ("greeting.text", &line.greeting.text),
            ("consent.text", &line.consent.text),
            ("unanswered.text", &line.unanswered.text),
            ("nobody_available_text", &line.nobody_available_text),
            ("queue_position.text", &line.queue_position.text),
            ("auto_close.text", &line.auto_close.text),
            ("closing.text", &line.closing.text),
            ("rating.text", &line.rating.text),
            ("kpi.text", &line.kpi.text),
        ] {
            self.text(&format!("{path}.{field}"), text);
        }
        for (field, secs) in [
            ("unanswered.after_secs", line.unanswered.after_secs),
            ("auto_close.after_secs", line.auto_close.after_secs),
            ("rating.window_secs", line.rating.window_secs),
            ("bot.handoff_after_secs", line.bot.handoff_after_secs),
            ("kpi.first_response_secs", line.kpi.first_response_secs),
            ("kpi.next_response_secs", line.kpi.next_response_secs),
            (
                "queue_position.repeat_secs",
                line.queue_position.repeat_secs,
            ),
        ] {
            self.secs(&format!("{path}.{field}"), secs, 0);
        }
        if line.bot.id.len() > self.limits.max_id_len {
            self.id(&format!("{path}.bot.id"), &line.bot.id);
        }
        self.text(
            &format!("{path}.bot.handoff_keyword"),
            &line.bot.handoff_keyword,
        );
        self.ids(
            &format!("{path}.kpi.notify"),
            &line.kpi.notify,
            usize::MAX,
            "recipients",
        );
    }
}

impl Config {
    /// Check everything the types cannot: ids, references, ranges, schedules.
    /// Returns every problem found, each with its field path.
    pub fn validate(&self) -> Result<(), Vec<ConfigIssue>> {
        let mut c = Checker {
            limits: &self.limits,
            issues: Vec::new(),
        };
        if self.operators.len() > self.limits.max_operators {
            c.issue_of(
                IssueKind::OutOfRange,
                "operators",
                format!(
                    "has {} operators; the limit is {} (limits.max_operators)",
                    self.operators.len(),
                    self.limits.max_operators
                ),
            );
        }
        if self.lines.len() > self.limits.max_lines {
            c.issue_of(
                IssueKind::OutOfRange,
                "lines",
                format!(
                    "has {} lines; the limit is {} (limits.max_lines)",
                    self.lines.len(),
                    self.limits.max_lines
                ),
            );
        }
        let mut operator_ids = BTreeSet::new();
        for (i, op) in self.operators.iter().enumerate() {
            c.operator(&format!("operators[{i}]"), op);
            if !operator_ids.insert(op.id.as_str()) {
                c.issue_of(
                    IssueKind::Duplicate,
                    format!("operators[{i}].id"),
                    format!("duplicate operator id \"{}\"", op.id),
                );
            }
        }
        let mut line_ids = BTreeSet::new();
        for (i, line) in self.lines.iter().enumerate() {
            c.line(&format!("lines[{i}]"), line, &|id| {
                operator_ids.contains(id)
            });
            if !line_ids.insert(line.id.as_str()) {
                c.issue_of(
                    IssueKind::Duplicate,
                    format!("lines[{i}].id"),
                    format!("duplicate line id \"{}\"", line.id),
                );
            }
        }
        if c.issues.is_empty() {
            Ok(())
        } else {
            Err(c.issues)
        }
    }
}

/// Validate one operator config against the limits (for `set_operator`).
pub(crate) fn validate_operator(
    op: &OperatorConfig,
    limits: &Limits,
) -> Result<(), Vec<ConfigIssue>> {
    let mut c = Checker {
        limits,
        issues: Vec::new(),
    };
    c.operator("operator", op);
    if c.issues.is_empty() {
        Ok(())
    } else {
        Err(c.issues)
    }
}

/// Validate one line config (for `set_line`).
pub(crate) fn validate_line(
    line: &LineConfig,
    limits: &Limits,
    operator_exists: &dyn Fn(&str) -> bool,
) -> Result<(), Vec<ConfigIssue>> {
    let mut c = Checker {
        limits,
        issues: Vec::new(),
    };
    c.line("line", line, operator_exists);
    if c.issues.is_empty() {
        Ok(())
    } else {
        Err(c.issues)
    }
}

#[cfg(feature = "json")]
impl Config {
    /// Parse a config from JSON and validate it, reporting every problem found in one
    /// pass, each with its field path, the bad value and what is expected
    /// (`lines[0].queue.distribution: "evenlyy" is not one of evenly, strict, all,
    /// least_busy, longest_idle`): the fields that do not fit are taken out (their
    /// defaults apply) so that the rest, and then the checks of [`Config::validate`],
    /// still run. A UTF-8 byte order mark before the text is accepted, and so is a
    /// top-level `"$schema"` string (the JSON Schema an editor validates the file
    /// with, e.g. `"schema/config.schema.json"`), which is ignored.
    pub fn from_json(text: &str) -> Result<Config, Vec<ConfigIssue>> {
        let (mut value, twice) = crate::json::parse_value(text).map_err(|issue| vec![issue])?;
        let Some(root) = value.as_object_mut() else {
            return Err(vec![ConfigIssue::new(
                IssueKind::InvalidType,
                "(root)",
                "a config is a JSON object: {\"operators\": [...], \"lines\": [...]}",
            )]);
        };
        if root
            .get("$schema")
            .is_some_and(serde_json::Value::is_string)
        {
            root.shift_remove("$schema");
        }
        let collected = crate::json::collect::<Config>(value);
        let mut issues = twice;
        issues.extend(collected.issues.iter().cloned());
        if let Some(config) = &collected.value {
            for mut issue in config.validate().err().unwrap_or_default() {
                issue.path = collected.original_path(&issue.path);
                // Already reported there, or at a field inside it (taking that field out
                // may be what left its container looking empty).
                if !issues
                    .iter()
                    .any(|s| covers(&s.path, &issue.path) || covers(&issue.path, &s.path))
                {
                    issues.push(issue);
                }
            }
        }
        match collected.value {
            Some(config) if issues.is_empty() => Ok(config),
            _ => Err(issues),
        }
    }
}

/// Whether a problem at `outer` already accounts for one at `path` (the same field or
/// one inside it): a field taken out for a type error is not reported again at its
/// default.
#[cfg(feature = "json")]
fn covers(outer: &str, path: &str) -> bool {
    path.strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}
