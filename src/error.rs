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
    /// Every problem found, each with its field path and kind: the whole list for an
    /// `invalid_config` error, the one problem for an `invalid_input` error that a JSON
    /// input could not be read for. Empty for every other error.
    #[serde(skip)]
    pub issues: Vec<ConfigIssue>,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            actions: Vec::new(),
            issues: Vec::new(),
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

/// What kind of problem a [`ConfigIssue`] is: a stable name for programs (the
/// `type` of Python's `ConfigError.errors()`, `openlines_config_issue_kind` in C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The text is not JSON (the message gives the line and column).
    Syntax,
    /// A field that does not exist here (a typo, or a field of another section).
    UnknownField,
    /// A required field is absent.
    MissingField,
    /// A value of the wrong JSON type (a string where a number goes, ...).
    InvalidType,
    /// A value of the right type that is not allowed (an unknown choice, a bad time, ...).
    #[default]
    InvalidValue,
    /// A number, length or count outside its allowed range or limit.
    OutOfRange,
    /// The same id twice where ids must be unique.
    Duplicate,
    /// An id that names nothing (an operator in a queue that is not in `operators`).
    UnknownReference,
}

impl IssueKind {
    /// The stable snake_case name of this kind, e.g. `"unknown_field"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Syntax => "syntax",
            IssueKind::UnknownField => "unknown_field",
            IssueKind::MissingField => "missing_field",
            IssueKind::InvalidType => "invalid_type",
            IssueKind::InvalidValue => "invalid_value",
            IssueKind::OutOfRange => "out_of_range",
            IssueKind::Duplicate => "duplicate",
            IssueKind::UnknownReference => "unknown_reference",
        }
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// What kind of problem this is.
    #[serde(default)]
    pub kind: IssueKind,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl ConfigIssue {
    /// A new issue.
    pub fn new(kind: IssueKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigIssue {
            path: path.into(),
            message: message.into(),
            kind,
        }
    }

    /// Turn a list of issues into one `invalid_config` error listing them all (joined
    /// by `"; "` in the message, one by one in [`Error::issues`]).
    pub fn into_error(issues: &[ConfigIssue]) -> Error {
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        let mut error = Error::new(ErrorKind::InvalidConfig, lines.join("; "));
        error.issues = issues.to_vec();
        error
    }

    /// The path as a list of field names and list positions:
    /// `lines[0].queue.operators[2]` is `lines`, 0, `queue`, `operators`, 2 (Python's
    /// `loc`). The root, `(root)`, is the empty list.
    pub fn path_parts(&self) -> Vec<PathPart> {
        parse_path(&self.path)
    }
}

/// One step of a [`ConfigIssue`] path: a field name or a position in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// A field (or map key).
    Key(String),
    /// A position in a list, from 0.
    Index(usize),
}

/// Split a path such as `lines[0].schedule.weekly.mon[1]` into its parts.
pub(crate) fn parse_path(path: &str) -> Vec<PathPart> {
    let mut parts = Vec::new();
    if path == "(root)" || path.is_empty() {
        return parts;
    }
    for segment in path.split('.') {
        let (key, mut rest) = match segment.find('[') {
            Some(pos) => segment.split_at(pos),
            None => (segment, ""),
        };
        if !key.is_empty() {
            parts.push(PathPart::Key(key.to_owned()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            match inner[..end].parse() {
                Ok(i) => parts.push(PathPart::Index(i)),
                Err(_) => parts.push(PathPart::Key(inner[..end].to_owned())),
            }
            rest = &inner[end + 1..];
        }
    }
    parts
}

/// Write parts back as a path (`lines[0].queue`; `(root)` when empty).
pub(crate) fn format_path(parts: &[PathPart]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            PathPart::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathPart::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    if out.is_empty() {
        "(root)".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_positions() {
        let issue = ConfigIssue::new(
            IssueKind::InvalidValue,
            "lines[0].schedule.weekly.mon[1][0]",
            "x",
        );
        let parts = issue.path_parts();
        assert_eq!(
            parts,
            [
                PathPart::Key("lines".into()),
                PathPart::Index(0),
                PathPart::Key("schedule".into()),
                PathPart::Key("weekly".into()),
                PathPart::Key("mon".into()),
                PathPart::Index(1),
                PathPart::Index(0),
            ]
        );
        assert_eq!(format_path(&parts), issue.path);
        assert!(parse_path("(root)").is_empty());
        assert_eq!(format_path(&[]), "(root)");
    }

    #[test]
    fn a_config_error_carries_its_issues() {
        let issues = [
            ConfigIssue::new(IssueKind::Duplicate, "operators[1].id", "duplicate"),
            ConfigIssue::new(IssueKind::UnknownField, "x", "unknown field \"x\""),
        ];
        let error = ConfigIssue::into_error(&issues);
        assert_eq!(
            error.message,
            "operators[1].id: duplicate; x: unknown field \"x\""
        );
        assert_eq!(error.issues, issues);
        assert_eq!(IssueKind::UnknownField.as_str(), "unknown_field");
    }
}
