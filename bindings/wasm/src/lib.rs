//! The openlines engine compiled to WebAssembly, behind the npm package `openlines`.
//!
//! This crate is the thin layer the JavaScript wrapper (`js/index.js`) calls through
//! wasm-bindgen. Everything crosses the boundary as JSON text or bytes: the config and
//! inputs are read by the core's own JSON readers ([`Config::from_json`],
//! [`openlines::json::input_from_str`]), so a JavaScript host gets exactly the errors
//! (kinds, field paths, messages) of the CLI, Python and C; actions and views are
//! serialized by the core's serde types, so they are the contract's JSON shapes.
//!
//! Times come in as milliseconds since the Unix epoch (a `Date` or a number in
//! JavaScript) or as RFC 3339 text (an ISO string, read with its full precision).
//!
//! A failed call returns `Err` with the JSON of the error: `{"kind", "message",
//! "issues": [{"path", "loc", "kind", "message"}], "actions": [...]}`; `actions` holds
//! the actions of the timers that fired before a rejected input (time is committed:
//! the host must still carry them out). The wrapper turns it into an `OpenLinesError`.

#![forbid(unsafe_code)]

use chrono::{DateTime, Utc};
use openlines::{Action, Config, ConfigIssue, Engine, Error, ErrorKind, PathPart};
use serde::Serialize;
use serde_json::{Value, json};
use wasm_bindgen::prelude::wasm_bindgen;

/// The version of the core crate inside this build, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    openlines::VERSION.to_owned()
}

/// An engine as the JavaScript wrapper sees it (the public class is `Engine` in
/// `js/index.js`).
#[wasm_bindgen]
pub struct RawEngine {
    engine: Engine,
    buf: Vec<Action>,
}

/// The JSON of an error, with the actions of the timers that fired before it.
pub fn error_json(error: &Error, actions: &[Action]) -> String {
    let issues: Vec<Value> = error.issues.iter().map(issue_value).collect();
    json!({
        "kind": error.kind.as_str(),
        "message": error.message,
        "issues": issues,
        "actions": actions,
    })
    .to_string()
}

fn issue_value(issue: &ConfigIssue) -> Value {
    let loc: Vec<Value> = issue
        .path_parts()
        .into_iter()
        .map(|part| match part {
            PathPart::Key(k) => Value::String(k),
            PathPart::Index(i) => Value::from(i),
        })
        .collect();
    json!({"path": issue.path, "loc": loc, "kind": issue.kind.as_str(), "message": issue.message})
}

fn invalid_input(message: String) -> Error {
    Error::new(ErrorKind::InvalidInput, message)
}

/// A time from milliseconds since the Unix epoch, or from RFC 3339 text when given.
/// `what` names the argument in the error (`at`, `steps[3].at`).
pub fn time_arg(ms: f64, text: Option<&str>, what: &str) -> Result<DateTime<Utc>, Error> {
    if let Some(text) = text {
        return DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                invalid_input(format!(
                    "{what}: {text:?} is not an ISO 8601 / RFC 3339 time with an offset \
                     (e.g. \"2026-11-23T09:00:00Z\"): {e}"
                ))
            });
    }
    if !ms.is_finite() {
        return Err(invalid_input(format!(
            "{what}: {ms} is not a time (expected a Date, an ISO string or milliseconds since the epoch)"
        )));
    }
    let secs = (ms / 1000.0).floor();
    let nanos = ((ms - secs * 1000.0) * 1_000_000.0).round();
    // Both are exact for every millisecond count a Date holds; the range check
    // keeps the casts inside i64 (the engine refuses far times itself after).
    let (secs, nanos) = if nanos >= 1e9 {
        (secs + 1.0, 0.0)
    } else {
        (secs, nanos)
    };
    if secs.abs() > 1e15 {
        return Err(invalid_input(format!("{what}: {ms} ms is out of range")));
    }
    DateTime::from_timestamp(secs as i64, nanos as u32)
        .ok_or_else(|| invalid_input(format!("{what}: {ms} ms is out of range")))
}

/// Milliseconds since the epoch, rounded up: `advance(nextDeadline())` always fires the
/// timer even when its deadline has a fraction of a millisecond.
pub fn ms_ceil(at: DateTime<Utc>) -> f64 {
    let ms = at.timestamp_millis();
    let extra = !at.timestamp_subsec_nanos().is_multiple_of(1_000_000);
    (ms + i64::from(extra)) as f64
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A config from its JSON text; every problem is listed, with its path.
pub fn config_from_json(text: &str) -> Result<Config, Error> {
    Config::from_json(text).map_err(|issues| ConfigIssue::into_error(&issues))
}

impl RawEngine {
    /// An engine from a config's JSON text (native side of the same call).
    pub fn from_config_json(config_json: &str) -> Result<RawEngine, Error> {
        let engine = Engine::new(config_from_json(config_json)?)?;
        Ok(RawEngine::wrap(engine))
    }

    fn wrap(engine: Engine) -> RawEngine {
        RawEngine {
            engine,
            buf: Vec::new(),
        }
    }

    /// The engine inside.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// One call: `advance(at)` then the input (read from JSON; `None` = a clock tick).
    /// An input that cannot be read is refused after the tick, like any other: time
    /// is committed. Returns the actions' JSON, or the error's (with the actions of
    /// the timers that fired before it).
    pub fn run(&mut self, at: DateTime<Utc>, input_json: Option<&str>) -> Result<String, String> {
        self.buf.clear();
        let result = match input_json.map(openlines::json::input_from_str) {
            None => self.engine.advance_into(at, &mut self.buf),
            Some(Ok(input)) => self.engine.handle_into(at, input, &mut self.buf),
            Some(Err(error)) => self.engine.advance_into(at, &mut self.buf).and(Err(error)),
        };
        match result {
            Ok(()) => Ok(to_json(&self.buf)),
            Err(error) => Err(error_json(&error, &self.buf)),
        }
    }

    fn timed(
        &mut self,
        at_ms: f64,
        at_text: Option<String>,
        input_json: Option<&str>,
    ) -> Result<String, String> {
        let at = time_arg(at_ms, at_text.as_deref(), "at").map_err(|e| error_json(&e, &[]))?;
        self.run(at, input_json)
    }
}

#[wasm_bindgen]
impl RawEngine {
    /// A new engine from the config's JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<RawEngine, String> {
        RawEngine::from_config_json(config_json).map_err(|e| error_json(&e, &[]))
    }

    /// Apply one input (JSON text) at a time (`at_ms`, or `at_text` when given); the
    /// actions as JSON text, or the error's JSON as the thrown value.
    pub fn handle(
        &mut self,
        at_ms: f64,
        at_text: Option<String>,
        input_json: &str,
    ) -> Result<String, String> {
        self.timed(at_ms, at_text, Some(input_json))
    }

    /// A clock tick.
    pub fn advance(&mut self, at_ms: f64, at_text: Option<String>) -> Result<String, String> {
        self.timed(at_ms, at_text, None)
    }

    /// The earliest armed timer in milliseconds since the epoch (rounded up), if any.
    #[wasm_bindgen(js_name = nextDeadlineMs)]
    pub fn next_deadline_ms(&self) -> Option<f64> {
        self.engine.next_deadline().map(ms_ceil)
    }

    /// The earliest armed timer as RFC 3339 text (full precision), if any.
    #[wasm_bindgen(js_name = nextDeadlineText)]
    pub fn next_deadline_text(&self) -> Option<String> {
        self.engine
            .next_deadline()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    /// The engine's current time (the last accepted input's) in milliseconds.
    #[wasm_bindgen(js_name = nowMs)]
    pub fn now_ms(&self) -> Option<f64> {
        self.engine.now().map(|t| t.timestamp_millis() as f64)
    }

    /// The full state as bytes (the same bytes as the native library's).
    pub fn snapshot(&self) -> Vec<u8> {
        self.engine.snapshot_bytes()
    }

    /// An engine from `snapshot()` bytes.
    pub fn restore(bytes: &[u8]) -> Result<RawEngine, String> {
        Engine::restore_bytes(bytes)
            .map(RawEngine::wrap)
            .map_err(|e| error_json(&e, &[]))
    }

    /// An open dialog's view as JSON text; `None` if unknown or closed.
    pub fn dialog(&self, id: f64) -> Option<String> {
        let id = dialog_id(id)?;
        self.engine.dialog(id).map(|v| to_json(&v))
    }

    /// An operator's view as JSON text; `None` if unknown.
    pub fn operator(&self, id: &str) -> Option<String> {
        self.engine.operator(id).map(|v| to_json(&v))
    }

    /// A line's waiting queue as JSON text; `None` if the line is unknown.
    pub fn queue(&self, line: &str) -> Option<String> {
        self.engine.queue(line).map(|v| to_json(&v))
    }

    /// A line's statistics as JSON text; `None` if the line is unknown.
    pub fn stats(&self, line: &str) -> Option<String> {
        self.engine.stats(line).map(|v| to_json(&v))
    }

    /// Why the last routing decision of a dialog went as it did, as JSON text.
    pub fn explain(&self, id: f64) -> Option<String> {
        let id = dialog_id(id)?;
        self.engine.explain(id).map(|v| to_json(&v))
    }

    /// Ids of the open dialogs, ascending, as JSON text.
    #[wasm_bindgen(js_name = openDialogs)]
    pub fn open_dialogs(&self) -> String {
        to_json(&self.engine.open_dialogs().collect::<Vec<_>>())
    }

    /// Ids of the operators, in config order, as JSON text.
    #[wasm_bindgen(js_name = operatorIds)]
    pub fn operator_ids(&self) -> String {
        to_json(&self.engine.operator_ids().collect::<Vec<_>>())
    }

    /// Ids of the lines, in config order, as JSON text.
    #[wasm_bindgen(js_name = lineIds)]
    pub fn line_ids(&self) -> String {
        to_json(&self.engine.line_ids().collect::<Vec<_>>())
    }
}

/// A dialog id from a JavaScript number: a whole number from 1 up; anything else names
/// no dialog.
fn dialog_id(id: f64) -> Option<u64> {
    (id.is_finite() && id >= 1.0 && id.fract() == 0.0 && id <= openlines::MAX_DIALOG_ID as f64)
        .then_some(id as u64)
}

/// Check a config without building an engine: `None` when it is valid, else the
/// error's JSON (every problem with its path). The playground and editors call it as
/// the text changes.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(config_json: &str) -> Option<String> {
    match config_from_json(config_json).and_then(Engine::new) {
        Ok(_) => None,
        Err(e) => Some(error_json(&e, &[])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]}"#;

    #[test]
    fn times_from_ms_and_text_agree() {
        let a = time_arg(1_795_424_400_000.0, None, "at").unwrap();
        let b = time_arg(0.0, Some("2026-11-23T09:00:00Z"), "at").unwrap();
        assert_eq!(a, b);
        let c = time_arg(1.5, None, "at").unwrap();
        assert_eq!(c.timestamp_subsec_nanos(), 1_500_000);
        assert_eq!(ms_ceil(c), 2.0);
        assert!(time_arg(f64::NAN, None, "at").is_err());
        let e = time_arg(0.0, Some("yesterday"), "steps[2].at").unwrap_err();
        assert!(e.message.starts_with("steps[2].at:"), "{}", e.message);
    }

    #[test]
    fn a_call_gives_actions_and_a_refusal_keeps_its_timers() {
        let mut engine = RawEngine::from_config_json(CONFIG).unwrap();
        let at = time_arg(0.0, Some("2026-11-23T09:00:00Z"), "at").unwrap();
        let out = engine
            .run(
                at,
                Some(r#"{"type": "client_message", "line": "sales", "client": "tg:1"}"#),
            )
            .unwrap();
        let actions: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(actions[0]["type"], "dialog_opened");
        assert_eq!(actions[1]["type"], "offer");
        // The offer expires at 09:01; an unreadable input at 09:02 still fires it.
        let later = time_arg(0.0, Some("2026-11-23T09:02:00Z"), "at").unwrap();
        let err = engine.run(later, Some(r#"{"type": "nope"}"#)).unwrap_err();
        let err: Value = serde_json::from_str(&err).unwrap();
        assert_eq!(err["kind"], "invalid_input");
        assert!(!err["actions"].as_array().unwrap().is_empty());
        assert_eq!(err["issues"][0]["path"], "type");
    }

    #[test]
    fn a_bad_config_lists_every_problem() {
        let bad = r#"{"operators": [{"id": "ann", "max_dialogs": -1}], "lines": [{"id": "sales", "queue": {"distribution": "evenlyy"}}]}"#;
        let err = check_config(bad).unwrap();
        let err: Value = serde_json::from_str(&err).unwrap();
        assert_eq!(err["kind"], "invalid_config");
        let paths: Vec<&str> = err["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap())
            .collect();
        assert!(paths.contains(&"lines[0].queue.distribution"), "{paths:?}");
        assert!(paths.contains(&"operators[0].max_dialogs"), "{paths:?}");
        assert!(check_config(CONFIG).is_none());
    }

    #[test]
    fn dialog_ids_are_whole_numbers() {
        assert_eq!(dialog_id(3.0), Some(3));
        assert_eq!(dialog_id(0.0), None);
        assert_eq!(dialog_id(1.5), None);
        assert_eq!(dialog_id(f64::INFINITY), None);
    }
}
