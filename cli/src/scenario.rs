//! Scenario files: a config plus timed steps with expectations.
//!
//! ```json
//! {"config": {...}, "strict_order": false,
//!  "steps": [{"at": "2026-11-23T09:00:00Z", "input": {...}, "expect": [...], "expect_error": "unknown_dialog"}]}
//! ```
//! A step without `input` (or with `{"type": "tick"}`) is a clock tick. Beyond the
//! contract's fields a step may carry `"note"` and `"expect_absent"` (action types it
//! must not emit), and a scenario `"strict_order"` and `"description"`.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use openlines::{Action, Config, Engine, Error, Input};
use serde::Deserialize;
use serde_json::{Value, json};

/// A parsed scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The JSON Schema the file names for editors (`schema/scenario.schema.json`);
    /// ignored.
    #[serde(default, rename = "$schema")]
    pub schema: Option<String>,
    /// What the scenario shows (free text).
    #[serde(default)]
    pub description: String,
    /// The engine config (contract section 2).
    pub config: Value,
    /// Expected actions must appear in the listed order when true.
    #[serde(default)]
    pub strict_order: bool,
    /// The timed steps.
    pub steps: Vec<Step>,
}

/// One timed step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When the input happens.
    pub at: DateTime<Utc>,
    /// The input; absent = a clock tick.
    #[serde(default)]
    pub input: Option<Value>,
    /// Expected actions (each matches an action on the fields it lists).
    #[serde(default)]
    pub expect: Option<Vec<Value>>,
    /// Action types the step must not emit.
    #[serde(default)]
    pub expect_absent: Vec<String>,
    /// The error kind the input must be rejected with.
    #[serde(default)]
    pub expect_error: Option<String>,
    /// A note for readers.
    #[serde(default)]
    pub note: Option<String>,
}

/// What one step produced.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// Step index (0-based).
    pub step: usize,
    /// The step's time.
    pub at: DateTime<Utc>,
    /// Actions produced.
    pub actions: Vec<Action>,
    /// The rejection, if any.
    pub error: Option<Error>,
}

impl Scenario {
    /// Parse a scenario file's text (a UTF-8 byte order mark is accepted); on failure,
    /// every problem found, one per line, each with its path (`scenario: steps[2].at:
    /// ...`).
    pub fn parse(text: &str) -> Result<Scenario, String> {
        openlines::json::from_str_collecting(text).map_err(|issues| {
            let lines: Vec<String> = issues.iter().map(|i| format!("scenario: {i}")).collect();
            lines.join("\n")
        })
    }

    /// Build the engine from the scenario's config.
    pub fn engine(&self) -> Result<Engine, String> {
        engine_from_config(&self.config)
    }

    /// Run every step; a rejected input is recorded and the replay goes on.
    pub fn run(&self) -> Result<Vec<StepResult>, String> {
        let mut engine = self.engine()?;
        Ok(self
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| run_step(&mut engine, i, step))
            .collect())
    }

    /// Compare results with the steps' expectations; returns a readable report of
    /// every mismatch (empty when all match).
    pub fn check(&self, results: &[StepResult]) -> Vec<String> {
        self.steps
            .iter()
            .zip(results)
            .filter_map(|(step, result)| check_step(step, result, self.strict_order))
            .collect()
    }
}

/// Build an engine from a scenario's config (errors name the field as `config.PATH`).
pub fn engine_from_config(config: &Value) -> Result<Engine, String> {
    let text = config.to_string();
    let config = Config::from_json(&text).map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| format!("config.{i}")).collect();
        lines.join("\n")
    })?;
    Engine::new(config).map_err(|e| e.to_string())
}

/// Run one step: `advance(at)` then the input (an input that cannot be read is
/// refused after the tick, like any other: time is committed). A rejected input is
/// recorded in the result.
pub fn run_step(engine: &mut Engine, index: usize, step: &Step) -> StepResult {
    let input = match &step.input {
        None => Ok(Input::Tick),
        Some(value) => openlines::json::input_from_str(&value.to_string()),
    };
    let mut actions = Vec::new();
    let error = engine
        .advance_into(step.at, &mut actions)
        .and(input)
        .and_then(|input| engine.handle_into(step.at, input, &mut actions))
        .err();
    StepResult {
        step: index,
        at: step.at,
        actions,
        error,
    }
}

/// Compare one step's result with its expectations: a readable report of every
/// mismatch, or `None` when it matches.
pub fn check_step(step: &Step, result: &StepResult, strict_order: bool) -> Option<String> {
    let actual: Vec<Value> = result.actions.iter().map(to_value).collect();
    let mut report = String::new();
    match (&step.expect_error, &result.error) {
        (Some(kind), Some(err)) if err.kind.as_str() == kind => {}
        (Some(kind), Some(err)) => {
            let _ = writeln!(
                report,
                "  expected error {kind}, got {}: {}",
                err.kind, err.message
            );
        }
        (Some(kind), None) => {
            let _ = writeln!(
                report,
                "  expected error {kind}, but the input was accepted"
            );
        }
        (None, Some(err)) => {
            let _ = writeln!(report, "  unexpected error {}: {}", err.kind, err.message);
        }
        (None, None) => {}
    }
    if let Some(expect) = &step.expect {
        report.push_str(&match_actions(expect, &actual, strict_order));
    }
    for kind in &step.expect_absent {
        for a in actual.iter().filter(|a| type_of(a) == Some(kind.as_str())) {
            let _ = writeln!(report, "  must not emit {kind}, got: {a}");
        }
    }
    if report.is_empty() {
        return None;
    }
    let mut text = format!("step {} at {}", result.step, result.at.to_rfc3339());
    if let Some(input) = &step.input {
        let _ = write!(text, " input {input}");
    }
    if let Some(note) = &step.note {
        let _ = write!(text, " ({note})");
    }
    text.push('\n');
    text.push_str(&report);
    text.push_str("  actual actions:\n");
    if actual.is_empty() {
        text.push_str("    (none)\n");
    }
    for a in &actual {
        let _ = writeln!(text, "    {a}");
    }
    Some(text)
}

/// An action as its contract JSON.
pub fn to_value(action: &Action) -> Value {
    serde_json::to_value(action).unwrap_or(Value::Null)
}

/// The replay trace line of one action.
pub fn action_line(step: usize, at: DateTime<Utc>, action: &Action) -> Value {
    json!({"step": step, "at": at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), "action": to_value(action)})
}

/// The replay trace line of one rejected input.
pub fn error_line(step: usize, at: DateTime<Utc>, error: &Error) -> Value {
    json!({"step": step, "at": at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
           "error": {"kind": error.kind.as_str(), "message": error.message}})
}

/// Whether `actual` has every field of `expected` with an equal value (objects are
/// compared field by field, recursively; everything else exactly).
pub fn subset_matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| subset_matches(v, av))),
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

fn type_of(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}

/// Match expected objects to actions; returns a report of problems (empty = match).
///
/// Each expected object must match a distinct action (in order when `ordered`); for
/// every type that the expectations name, no other action of that type may appear.
/// An empty expectation list means the step emits no action at all.
pub fn match_actions(expected: &[Value], actual: &[Value], ordered: bool) -> String {
    let mut report = String::new();
    if expected.is_empty() {
        if !actual.is_empty() {
            let _ = writeln!(report, "  expected no actions, got {}", actual.len());
        }
        return report;
    }
    let mut used = vec![false; actual.len()];
    let mut cursor = 0;
    for e in expected {
        let found = if ordered {
            (cursor..actual.len()).find(|&i| !used[i] && subset_matches(e, &actual[i]))
        } else {
            (0..actual.len()).find(|&i| !used[i] && subset_matches(e, &actual[i]))
        };
        match found {
            Some(i) => {
                used[i] = true;
                cursor = i + 1;
            }
            None => {
                let _ = writeln!(report, "  missing: {e}");
                if let Some(t) = type_of(e) {
                    for a in actual.iter().filter(|a| type_of(a) == Some(t)) {
                        let diff = field_diff(e, a);
                        if !diff.is_empty() {
                            let _ = writeln!(report, "    closest {t}: {diff}");
                        }
                    }
                }
            }
        }
    }
    let listed: Vec<&str> = expected.iter().filter_map(type_of).collect();
    for (i, a) in actual.iter().enumerate() {
        if !used[i] && type_of(a).is_some_and(|t| listed.contains(&t)) {
            let _ = writeln!(report, "  unexpected: {a}");
        }
    }
    report
}

fn field_diff(expected: &Value, actual: &Value) -> String {
    let (Value::Object(e), Value::Object(a)) = (expected, actual) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for (k, v) in e {
        match a.get(k) {
            Some(av) if subset_matches(v, av) => {}
            Some(av) => parts.push(format!("{k}: expected {v}, got {av}")),
            None => parts.push(format!("{k}: expected {v}, missing")),
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_match_is_recursive_on_objects() {
        let a = json!({"type": "dialog_closed", "dialog": 1, "stats": {"rating": 5, "client_messages": 2}});
        assert!(subset_matches(
            &json!({"type": "dialog_closed", "stats": {"rating": 5}}),
            &a
        ));
        assert!(!subset_matches(&json!({"stats": {"rating": 4}}), &a));
        assert!(!subset_matches(&json!({"missing": 1}), &a));
    }

    #[test]
    fn unlisted_action_of_listed_type_is_a_mismatch() {
        let actual = vec![
            json!({"type": "offer", "dialog": 1}),
            json!({"type": "offer", "dialog": 2}),
        ];
        assert!(
            match_actions(&[json!({"type": "offer", "dialog": 1})], &actual, false)
                .contains("unexpected")
        );
        assert!(
            match_actions(
                &[json!({"type": "offer"}), json!({"type": "offer"})],
                &actual,
                false
            )
            .is_empty()
        );
        // Other types are not constrained.
        assert!(match_actions(&[json!({"type": "queued"})], &actual, false).contains("missing"));
    }

    #[test]
    fn ordered_matching_respects_order() {
        let actual = vec![json!({"type": "a"}), json!({"type": "b"})];
        assert!(
            match_actions(
                &[json!({"type": "b"}), json!({"type": "a"})],
                &actual,
                false
            )
            .is_empty()
        );
        assert!(
            !match_actions(&[json!({"type": "b"}), json!({"type": "a"})], &actual, true).is_empty()
        );
    }

    #[test]
    fn empty_expectation_means_no_actions() {
        assert!(match_actions(&[], &[], false).is_empty());
        assert!(!match_actions(&[], &[json!({"type": "a"})], false).is_empty());
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;

    const CONFIG: &str = r#"{"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]}"#;

    fn scenario(steps: &str) -> Scenario {
        Scenario::parse(&format!(r#"{{"config": {CONFIG}, "steps": {steps}}}"#)).unwrap()
    }

    #[test]
    fn scenario_file_problems_are_all_listed_in_the_contracts_words() {
        // before: `scenario: steps[0].at: premature end of input`, and only that one.
        let text = format!(
            "\u{feff}{{\"config\": {CONFIG}, \"steps\": [{{\"at\": \"2026-11-23T09:00:00\"}},
              {{\"at\": \"2026-11-23T09:00:00Z\", \"expect\": 3, \"notes\": \"x\"}}]}}"
        );
        let err = Scenario::parse(&text).unwrap_err();
        assert_eq!(
            err.lines().collect::<Vec<_>>(),
            [
                "scenario: steps[0].at: \"2026-11-23T09:00:00\" is not an RFC 3339 time with a zone, e.g. 2026-11-23T09:00:00Z",
                "scenario: steps[1].expect: 3 is not a list",
                "scenario: steps[1].notes: unknown field \"notes\", expected one of at, input, expect, expect_absent, expect_error, note",
            ]
        );
        let err = Scenario::parse("{\"steps\": []}").unwrap_err();
        assert_eq!(err, "scenario: config: is required");
    }

    #[test]
    fn expect_absent_flags_an_emitted_type() {
        let s = scenario(
            r#"[{"at": "2026-11-23T09:00:00Z", "input": {"type": "client_message", "line": "sales", "client": "c"},
                 "expect_absent": ["offer"]}]"#,
        );
        let problems = s.check(&s.run().unwrap());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("must not emit offer"),
            "{}",
            problems[0]
        );
        let s = scenario(
            r#"[{"at": "2026-11-23T09:00:00Z", "input": {"type": "client_message", "line": "sales", "client": "c"},
                 "expect_absent": ["create_lead"]}]"#,
        );
        assert!(s.check(&s.run().unwrap()).is_empty());
    }

    #[test]
    fn expected_error_and_unexpected_error_are_reported() {
        let s = scenario(
            r#"[{"at": "2026-11-23T09:00:00Z", "input": {"type": "accept", "dialog": 5, "operator": "ann"}, "expect_error": "not_allowed"},
                {"at": "2026-11-23T09:00:00Z", "input": {"type": "accept", "dialog": 5, "operator": "ann"}}]"#,
        );
        let problems = s.check(&s.run().unwrap());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("expected error not_allowed, got unknown_dialog"));
        assert!(problems[1].contains("unexpected error unknown_dialog"));
    }

    #[test]
    fn a_rejected_step_does_not_stop_the_replay() {
        let s = scenario(
            r#"[{"at": "2026-11-23T09:00:00Z", "input": {"type": "rate", "dialog": 1, "score": 9}, "expect_error": "invalid_input"},
                {"at": "2026-11-23T09:00:01Z", "input": {"type": "client_message", "line": "sales", "client": "c"},
                 "expect": [{"type": "dialog_opened", "dialog": 1}]}]"#,
        );
        assert!(s.check(&s.run().unwrap()).is_empty());
    }
}
