//! Errors: every rejected call returns one, and a rejected input changes nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::action::Action;

/// The kind of an error; the JSON names are the contract's error kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The config is malformed or inconsistent.
    InvalidConfig,
    /// The input is malformed (bad value, missing field, over a limit).
    InvalidInput,
    /// The input names a line that does not exist.
    UnknownLine,
    /// The input names an operator that does not exist.
    UnknownOperator,
    /// The input names a dialog that was never opened.
    UnknownDialog,
    /// The input is well-formed but not allowed now (not the operator's dialog, closed dialog, ...).
    NotAllowed,
    /// The input's time is earlier than the engine's current time.
    TimeWentBackwards,
    /// A snapshot cannot be restored (wrong version or corrupt).
    SnapshotVersion,
}

impl ErrorKind {
    /// The contract's name of this kind, e.g. `"unknown_dialog"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::UnknownLine => "unknown_line",
            ErrorKind::UnknownOperator => "unknown_operator",
            ErrorKind::UnknownDialog => "unknown_dialog",
            ErrorKind::NotAllowed => "not_allowed",
            ErrorKind::TimeWentBackwards => "time_went_backwards",
            ErrorKind::SnapshotVersion => "snapshot_version",
        }
    }

    /// Every kind, in a stable order.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::InvalidConfig,
        ErrorKind::InvalidInput,
        ErrorKind::UnknownLine,
        ErrorKind::UnknownOperator,
        ErrorKind::UnknownDialog,
        ErrorKind::NotAllowed,
        ErrorKind::TimeWentBackwards,
        ErrorKind::SnapshotVersion,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a kind and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// What went wrong, as a stable kind.
    pub kind: ErrorKind,
    /// What went wrong, for a person: names the field or id.
    pub message: String,
    /// The actions of the timers that fired before a rejected input (filled by
    /// [`crate::Engine::handle`]; time is committed, so they must still be carried
    /// out). Empty for every other error.
    #[serde(skip)]
    pub actions: Vec<Action>,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            actions: Vec::new(),
        }
    }

    /// This error carrying the actions of the timers that fired before it.
    pub fn with_actions(mut self, actions: Vec<Action>) -> Self {
        self.actions = actions;
        self
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn not_allowed(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::NotAllowed, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

/// The text of a caught panic's payload, for the bindings that turn a panic (a bug)
/// into an error instead of letting it cross into C, Python or PHP.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

/// One problem found in a config, with the path of the field, e.g. `lines[0].queue.operators[2]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigIssue {
    /// The field path.
    pub path: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl ConfigIssue {
    /// Turn a list of issues into one `invalid_config` error listing them all.
    pub fn into_error(issues: &[ConfigIssue]) -> Error {
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        Error::new(ErrorKind::InvalidConfig, lines.join("; "))
    }
}
