//! Engines and inputs shared by the benchmarks (the same set-ups as `openlines bench`).
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{Action, ClientMessage, Config, Engine, Input, PresenceStatus};
use serde_json::{Value, json};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

pub fn ms(n: u64) -> Duration {
    Duration::milliseconds(n as i64)
}

pub fn config(v: Value) -> Config {
    serde_json::from_value(v).expect("bench config")
}

/// `n` background dialogs waiting in line "bg" (operators offline, unanswered timer
/// armed), and a line "hot" with operator "hot1" (strict, no limit) plus "hot2" (not in
/// any queue, for presence changes). Returns the engine and the time after set-up.
pub fn background_engine(n: usize) -> (Engine, DateTime<Utc>) {
    let cfg = config(json!({
        "operators": [{"id": "hot1"}, {"id": "hot2"}, {"id": "bg1"}, {"id": "bg2"}],
        "lines": [
            {"id": "bg", "queue": {"operators": ["bg1", "bg2"]},
             "unanswered": {"after_secs": 864_000}},
            {"id": "hot", "queue": {"operators": ["hot1"], "distribution": "strict"},
             "greeting": {"when": "first_contact", "text": "Hello!"},
             "unanswered": {"after_secs": 300, "text": "Please wait"},
             "auto_close": {"after_secs": 1800},
             "kpi": {"first_response_secs": 120, "next_response_secs": 300},
             "closing": {"text": "Bye"},
             "rating": {"enabled": true, "text": "Rate us", "window_secs": 600, "close_on_rating": true}}
        ]
    }));
    let mut engine = Engine::new(cfg).unwrap();
    let start = t0();
    for op in ["bg1", "bg2"] {
        engine
            .handle(
                start,
                Input::Presence {
                    operator: op.into(),
                    status: PresenceStatus::Offline,
                },
            )
            .unwrap();
    }
    let mut buf = Vec::new();
    for i in 0..n {
        buf.clear();
        let mut m = ClientMessage::new("bg", format!("bg{i}"));
        m.channel = "web".into();
        engine
            .handle_into(start + ms(i as u64 + 1), Input::ClientMessage(m), &mut buf)
            .unwrap();
    }
    (engine, start + ms(n as u64 + 1))
}

/// The hot cycle's inputs for dialog `dialog`: 0 new client message (offer), 1 accept,
/// 2 operator message, 3 client message, 4 close (rating window), 5 rate (closes).
pub fn hot_cycle(dialog: u64, client: usize) -> [Input; 6] {
    let msg = || {
        let mut m = ClientMessage::new("hot", format!("hot{}", client % 256));
        m.channel = "web".into();
        m.text = "a question".into();
        Input::ClientMessage(m)
    };
    let op = || "hot1".to_owned();
    [
        msg(),
        Input::Accept {
            dialog,
            operator: op(),
        },
        Input::OperatorMessage {
            dialog,
            operator: op(),
            hidden: false,
        },
        msg(),
        Input::Close {
            dialog,
            operator: op(),
        },
        Input::Rate { dialog, score: 5 },
    ]
}

/// One line "q" with `queue` online operators, no limits, the given distribution.
pub fn queue_engine(mode: &str, queue: usize) -> Engine {
    let ids: Vec<String> = (0..queue).map(|i| format!("q{i:05}")).collect();
    let operators: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
    Engine::new(config(json!({
        "operators": operators,
        "lines": [{"id": "q", "queue": {"operators": ids, "distribution": mode}}]
    })))
    .unwrap()
}

/// A new client message on a queue engine (the routing decision; timed by the caller
/// through `timed`), then accept and close by the first offered operator.
pub fn queue_cycle(
    engine: &mut Engine,
    i: u64,
    at: DateTime<Utc>,
    buf: &mut Vec<Action>,
    timed: impl FnOnce(&mut dyn FnMut()),
) {
    buf.clear();
    let input = Input::ClientMessage(ClientMessage::new("q", format!("c{}", i % 64)));
    let mut input = Some(input);
    timed(&mut || {
        engine.handle_into(at, input.take().unwrap(), buf).unwrap();
    });
    let (dialog, operator) = buf
        .iter()
        .find_map(|a| match a {
            Action::Offer {
                dialog, operators, ..
            } => Some((*dialog, operators[0].clone())),
            _ => None,
        })
        .expect("an offer");
    buf.clear();
    engine
        .handle_into(
            at + ms(1),
            Input::Accept {
                dialog,
                operator: operator.clone(),
            },
            buf,
        )
        .unwrap();
    buf.clear();
    engine
        .handle_into(at + ms(2), Input::Close { dialog, operator }, buf)
        .unwrap();
}
