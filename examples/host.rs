//! A small Rust host: the loop a helpdesk runs around the engine.
//!
//! It takes timed events (client and operator messages, presence), gives each to the
//! engine, "sends" the actions (prints them), and between events sleeps until
//! `next_deadline()` on a simulated clock, ticking the engine there. It keeps the
//! input log and a snapshot taken half-way, then shows that restoring the snapshot and
//! replaying the rest of the log ends in exactly the same state: the checkpoint pattern
//! of the contract's "Hosting at scale".
//!
//! Run: `cargo run --example host`

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{Action, Config, Engine, Input};

/// The host's events: (seconds after 09:00 UTC, input as JSON).
const EVENTS: &[(i64, &str)] = &[
    (
        0,
        r#"{"type": "client_message", "line": "sales", "client": "tg:42", "text": "hi", "channel": "telegram"}"#,
    ),
    (
        5,
        r#"{"type": "client_message", "line": "sales", "client": "web:7", "text": "hello", "channel": "web"}"#,
    ),
    (
        20,
        r#"{"type": "operator_message", "dialog": 2, "operator": "bob"}"#,
    ),
    (
        95,
        r#"{"type": "operator_message", "dialog": 1, "operator": "bob"}"#,
    ),
    (
        130,
        r#"{"type": "presence", "operator": "ann", "status": "break"}"#,
    ),
    (
        200,
        r#"{"type": "client_message", "line": "sales", "client": "tg:42", "text": "thanks"}"#,
    ),
    (260, r#"{"type": "close", "dialog": 1, "operator": "bob"}"#),
    (300, r#"{"type": "rate", "dialog": 1, "score": 5}"#),
];

const CONFIG: &str = r#"{
    "operators": [{"id": "ann", "max_dialogs": 2}, {"id": "bob", "max_dialogs": 2}],
    "lines": [{"id": "sales",
               "queue": {"operators": ["ann", "bob"], "forward_after_secs": 60},
               "greeting": {"text": "Hello! An operator will answer soon."},
               "closing": {"text": "Thank you!"},
               "auto_close": {"after_secs": 600, "text": "Closed after 10 minutes of silence."},
               "rating": {"enabled": true, "text": "Rate us 1-5", "window_secs": 300}}]
}"#;

/// "Send" an action: a real host would post a message, notify an operator, etc.
fn carry_out(at: DateTime<Utc>, action: &Action) {
    let json = serde_json::to_string(action).unwrap_or_default();
    println!("{}  {json}", at.format("%H:%M:%S"));
}

/// Run the events, ticking at every deadline before each, then (with `until`) at every
/// deadline up to `until`; returns the (time, input) log of everything given.
fn run(
    engine: &mut Engine,
    events: &[(i64, &str)],
    until: Option<DateTime<Utc>>,
    print: bool,
) -> Vec<(DateTime<Utc>, Input)> {
    let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let mut log = Vec::new();
    let mut buf = Vec::new();
    let mut give = |engine: &mut Engine, at: DateTime<Utc>, input: Input, log: &mut Vec<_>| {
        buf.clear();
        log.push((at, input.clone()));
        match engine.handle_into(at, input, &mut buf) {
            Ok(()) if print => buf.iter().for_each(|a| carry_out(at, a)),
            Ok(()) => {}
            Err(e) => eprintln!("{}  rejected: {e}", at.format("%H:%M:%S")),
        }
    };
    for (offset, json) in events {
        let at = start + Duration::seconds(*offset);
        // Sleep until the next deadline before the event, and tick there.
        while let Some(deadline) = engine.next_deadline().filter(|d| *d <= at) {
            give(engine, deadline, Input::Tick, &mut log);
        }
        let input = openlines::json::input_from_str(json).expect("the example's inputs are valid");
        give(engine, at, input, &mut log);
    }
    while let Some(deadline) = engine
        .next_deadline()
        .filter(|d| until.is_some_and(|u| *d <= u))
    {
        give(engine, deadline, Input::Tick, &mut log);
    }
    log
}

fn main() {
    let config = Config::from_json(CONFIG).expect("the example's config is valid");
    let end = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();

    // The live host, with a checkpoint after the first half of the events.
    let mut engine = Engine::new(config.clone()).expect("valid config");
    let (first, second) = EVENTS.split_at(EVENTS.len() / 2);
    let mut log = run(&mut engine, first, None, true);
    let checkpoint = engine.snapshot_bytes();
    let checkpoint_len = log.len();
    log.extend(run(&mut engine, second, Some(end), true));

    // A restart: restore the checkpoint and replay the log written after it.
    let mut restarted = Engine::restore_bytes(&checkpoint).expect("a snapshot restores");
    for (at, input) in &log[checkpoint_len..] {
        let _ = restarted.handle(*at, input.clone());
    }
    assert_eq!(
        restarted.snapshot(),
        engine.snapshot(),
        "restart must restore the exact state"
    );
    println!(
        "\nrestart from a {}-byte snapshot + {} logged inputs restores the exact state",
        checkpoint.len(),
        log.len() - checkpoint_len
    );
}
