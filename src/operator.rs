//! Operators: configuration plus live presence, load and idle time.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::OperatorConfig;
use crate::dialog::LineIdx;
use crate::input::PresenceStatus;

/// Live state of one operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Operator {
    pub config: OperatorConfig,
    pub presence: PresenceStatus,
    /// Counted dialogs (offered or assigned, less each line's `load_excludes`) across all lines.
    pub load: u32,
    /// Counted dialogs per line (lines with a non-zero count only).
    pub line_load: BTreeMap<LineIdx, u32>,
    /// When the operator last got a dialog assigned (for `longest_idle`).
    #[serde(with = "crate::timestamp::option")]
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl Operator {
    /// A new operator, idle, with the presence their config gives.
    pub fn new(config: OperatorConfig) -> Self {
        Operator {
            presence: config.presence,
            config,
            load: 0,
            line_load: BTreeMap::new(),
            last_assigned_at: None,
        }
    }

    /// Counted dialogs in one line.
    pub fn load_in(&self, line: LineIdx) -> u32 {
        self.line_load.get(&line).copied().unwrap_or(0)
    }

    /// Count one more dialog in `line`.
    pub fn add_load(&mut self, line: LineIdx) {
        self.load = self.load.saturating_add(1);
        *self.line_load.entry(line).or_insert(0) += 1;
    }

    /// Count one dialog less in `line`.
    pub fn remove_load(&mut self, line: LineIdx) {
        self.load = self.load.saturating_sub(1);
        if let Some(count) = self.line_load.get_mut(&line) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.line_load.remove(&line);
            }
        }
    }

    /// Whether the operator holds every skill and speaks the language.
    pub fn qualifies(&self, skills: &[String], language: &str) -> Result<(), Verdict> {
        if !skills.iter().all(|s| self.config.skills.contains(s)) {
            return Err(Verdict::LacksSkill);
        }
        if !language.is_empty()
            && !self.config.languages.is_empty()
            && !self.config.languages.iter().any(|l| l == language)
        {
            return Err(Verdict::LacksLanguage);
        }
        Ok(())
    }
}

/// Why an operator was or was not chosen by a routing decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Got the dialog (offer or assignment).
    Chosen,
    /// Eligible, but the mode picked someone else (rotation, load, idle time).
    NotNextInRotation,
    /// Presence is not `online` and the line checks availability.
    Unavailable,
    /// Dismissed operators never get dialogs.
    Dismissed,
    /// At their global `max_dialogs`.
    AtCapacity,
    /// At the line's `max_dialogs`.
    AtLineCapacity,
    /// Declined or timed out earlier in this offer cycle.
    SkippedThisCycle,
    /// Lacks a skill the dialog requires.
    LacksSkill,
    /// Does not speak the dialog's language.
    LacksLanguage,
    /// The decision did not look at the queue (CRM responsible, previous operator, bot, off hours).
    NotConsidered,
}
