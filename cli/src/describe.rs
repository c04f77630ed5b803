//! One-line readable descriptions of inputs and actions for traces.

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

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
