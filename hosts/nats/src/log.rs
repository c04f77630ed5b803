//! Events for people and scripts: one JSON object per line on stderr, with the wall
//! clock in milliseconds (`ms`), e.g. `{"event":"acquired","partition":3,"ms":...}`.

use serde_json::{Value, json};

/// The wall clock (the engines never see it: only the ticker and the logs do).
pub fn wall_now() -> chrono::DateTime<chrono::Utc> {
    std::time::SystemTime::now().into()
}

/// Milliseconds since the Unix epoch, wall clock.
pub fn now_ms() -> i64 {
    wall_now().timestamp_millis()
}

/// Print an event with its fields (an object) and the time.
pub fn event(name: &str, fields: Value) {
    let mut line = json!({"event": name, "ms": now_ms()});
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    eprintln!("{line}");
}
