//! One-line readable descriptions of inputs and actions for traces.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use openlines::{Action, Input};
use serde_json::Value;

/// `type key=value ...` for any tagged JSON object (empty values left out).
pub fn value(v: &Value) -> String {
    let mut parts = vec![
        v.get("type")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
    ];
    if let Some(map) = v.as_object() {
        let shown = |k: &str, v: &Value| {
            k != "type"
                && !matches!(v, Value::Null)
                && v.as_str().is_none_or(|s| !s.is_empty())
                && v.as_array().is_none_or(|a| !a.is_empty())
        };
        for (k, v) in map.iter().filter(|(k, v)| shown(k, v)) {
            parts.push(format!("{k}={}", short(v)));
        }
    }
    parts.join(" ")
}

/// An input, e.g. `accept dialog=1 operator=ann`.
pub fn input(input: &Input) -> String {
    value(&serde_json::to_value(input).unwrap_or(Value::Null))
}

/// An action, e.g. `offer dialog=1 operators=["ann"] expires_at=...`.
pub fn action(action: &Action) -> String {
    value(&serde_json::to_value(action).unwrap_or(Value::Null))
}

/// An action with its times in `tz` (`expires_at=09:01:00+01:00`), for a trace whose
/// lines are all in one zone.
pub fn action_in(action: &Action, tz: Tz) -> String {
    let mut v = serde_json::to_value(action).unwrap_or(Value::Null);
    if let (Action::Offer { expires_at, .. }, Some(map)) = (action, v.as_object_mut()) {
        map.insert(
            "expires_at".to_owned(),
            Value::String(clock(*expires_at, tz)),
        );
    }
    value(&v)
}

/// A time of day in `tz` with its UTC offset, e.g. `09:01:00+01:00`.
pub fn clock(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M:%S%:z").to_string()
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
