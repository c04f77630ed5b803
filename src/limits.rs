//! Explicit size limits: every id, text and collection the engine keeps is bounded.

use serde::{Deserialize, Serialize};

/// Size limits, part of the config (`"limits": {...}`); all have safe defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Longest id (line, operator, client, skill, language, form, bot) in bytes.
    pub max_id_len: usize,
    /// Longest configured or input text in bytes.
    pub max_text_len: usize,
    /// Most operators in one engine.
    pub max_operators: usize,
    /// Most lines in one engine.
    pub max_lines: usize,
    /// Most open (not closed) dialogs in one engine.
    pub max_open_dialogs: usize,
    /// Most skills per operator or per client message.
    pub max_skills: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_id_len: 256,
            max_text_len: 16 * 1024,
            max_operators: 100_000,
            max_lines: 10_000,
            max_open_dialogs: 10_000_000,
            max_skills: 64,
        }
    }
}
