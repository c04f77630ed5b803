//! The queue position message end to end: the `#WAIT#` estimate is calibrated on an
//! M/M/c queue, and the messages survive a snapshot and restore.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{Action, ClientMessage, Config, Engine, Input, MessageKind};
use openlines_sim::erlang;
use openlines_sim::rng::Rng;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
}

/// One line, `servers` operators who each take one dialog at a time, and the queue
/// position message with `#WAIT#` alone as its text.
fn config(servers: usize) -> Config {
    let ops: Vec<String> = (0..servers).map(|i| format!("op{i}")).collect();
    let operators: Vec<String> = ops
        .iter()
        .map(|id| format!(r#"{{"id": "{id}", "max_dialogs": 1}}"#))
        .collect();
    let queue: Vec<String> = ops.iter().map(|id| format!(r#""{id}""#)).collect();
    Config::from_json(&format!(
        r##"{{"operators": [{}], "lines": [{{"id": "sales",
            "queue": {{"operators": [{}], "distribution": "least_busy", "forward_after_secs": 3600}},
            "queue_position": {{"text": "#WAIT#", "repeat_secs": 0}}}}]}}"##,
        operators.join(", "),
        queue.join(", ")
    ))
    .expect("valid config")
}

/// `#WAIT#` back in seconds; `None` for "a few minutes" (no rate measured yet).
fn wait_secs(text: &str) -> Option<f64> {
    if text == "a few minutes" {
        return None;
    }
    if text == "less than a minute" {
        return Some(30.0);
    }
    let mut secs = 0.0;
    let words: Vec<&str> = text.split(' ').collect();
    for pair in words.chunks(2) {
        let n: f64 = pair[0].parse().expect("a number");
        secs += match pair[1] {
            "h" => n * 3600.0,
            "min" => n * 60.0,
            other => panic!("unexpected unit {other:?} in {text:?}"),
        };
    }
    Some(secs)
}

/// What one simulated run measured, for the dialogs that got a numeric estimate.
struct Calibration {
    dialogs: usize,
    mean_estimate: f64,
    mean_wait: f64,
}

/// An M/M/c queue through the engine: Poisson arrivals, exponential handling times,
/// operators who accept every offer at once and close when done.
fn simulate(
    servers: usize,
    arrivals_per_hour: f64,
    handling_secs: f64,
    n: usize,
    seed: u64,
) -> Calibration {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Event {
        Arrive(usize),
        Close(u64, String),
    }
    let mut engine = Engine::new(config(servers)).unwrap();
    let mut rng = Rng::new(seed);
    let mut events: BinaryHeap<Reverse<(i64, u64, Event)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |events: &mut BinaryHeap<_>, at_ms: i64, e: Event| {
        seq += 1;
        events.push(Reverse((at_ms, seq, e)));
    };
    let gap_ms = |rng: &mut Rng, mean_secs: f64| (rng.exp(mean_secs) * 1000.0).round() as i64;
    let first = gap_ms(&mut rng, 3600.0 / arrivals_per_hour);
    push(&mut events, first, Event::Arrive(0));
    let mut queued_at: BTreeMap<u64, i64> = BTreeMap::new();
    let mut estimate: BTreeMap<u64, f64> = BTreeMap::new();
    let mut waits: Vec<(f64, f64)> = Vec::new();
    while let Some(Reverse((at_ms, _, event))) = events.pop() {
        let at = start() + Duration::milliseconds(at_ms);
        let input = match event {
            Event::Arrive(i) => {
                if i + 1 < n {
                    let next = at_ms + gap_ms(&mut rng, 3600.0 / arrivals_per_hour);
                    push(&mut events, next, Event::Arrive(i + 1));
                }
                Input::ClientMessage(ClientMessage::new("sales", format!("c{i}")))
            }
            Event::Close(dialog, operator) => Input::Close { dialog, operator },
        };
        let mut pending = engine.handle(at, input).expect("accepted input");
        while !pending.is_empty() {
            let mut next = Vec::new();
            for action in pending {
                match action {
                    Action::Queued { dialog, .. } => {
                        queued_at.entry(dialog).or_insert(at_ms);
                    }
                    Action::SendMessage {
                        dialog,
                        kind: MessageKind::QueuePosition,
                        text,
                    } => {
                        if let Some(secs) = wait_secs(&text) {
                            estimate.entry(dialog).or_insert(secs);
                        }
                    }
                    Action::Offer {
                        dialog, operators, ..
                    } => {
                        let operator = operators[0].clone();
                        next.extend(
                            engine
                                .handle(at, Input::Accept { dialog, operator })
                                .expect("accept an offer"),
                        );
                    }
                    Action::Assigned {
                        dialog, operator, ..
                    } => {
                        if let (Some(q), Some(e)) =
                            (queued_at.remove(&dialog), estimate.remove(&dialog))
                        {
                            waits.push((e, (at_ms - q) as f64 / 1000.0));
                        }
                        let done = at_ms + gap_ms(&mut rng, handling_secs);
                        push(&mut events, done, Event::Close(dialog, operator));
                    }
                    _ => {}
                }
            }
            pending = next;
        }
    }
    let count = waits.len() as f64;
    Calibration {
        dialogs: waits.len(),
        mean_estimate: waits.iter().map(|w| w.0).sum::<f64>() / count,
        mean_wait: waits.iter().map(|w| w.1).sum::<f64>() / count,
    }
}

/// On an M/M/c queue the mean `#WAIT#` of the dialogs that got a queue position
/// message is within 25% of their mean realised wait (queued until offered).
#[test]
fn wait_estimate_is_calibrated_on_an_mmc_queue() {
    // (operators, arrivals per hour, mean handling seconds, seed)
    for (servers, per_hour, handling, seed) in [
        (4, 25.5, 480.0, 1),
        (2, 10.0, 600.0, 2),
        (8, 54.0, 480.0, 3),
    ] {
        let c = simulate(servers, per_hour, handling, 6000, seed);
        let theory = erlang::mean_wait(servers as u32, per_hour / 3600.0, handling);
        println!(
            "M/M/{servers}, {per_hour}/h, {handling} s: {} waiting dialogs, mean estimate {:.0} s, \
             mean realised wait {:.0} s (Erlang C mean wait of all arrivals {theory:.0} s)",
            c.dialogs, c.mean_estimate, c.mean_wait
        );
        assert!(c.dialogs >= 500, "too few waiting dialogs: {}", c.dialogs);
        let error = (c.mean_estimate - c.mean_wait).abs() / c.mean_wait;
        assert!(
            error <= 0.25,
            "M/M/{servers}: mean estimate {:.0} s vs mean wait {:.0} s ({:.0}% off)",
            c.mean_estimate,
            c.mean_wait,
            error * 100.0
        );
    }
}

/// A restored engine sends the same queue position messages as the original: the
/// repeat timers, the rate and the positions survive `snapshot_bytes` / `restore_bytes`.
#[test]
fn queue_position_messages_survive_snapshot_and_restore() {
    let config = Config::from_json(
        r##"{"operators": [{"id": "ann", "max_dialogs": 1}],
             "lines": [{"id": "sales", "queue": {"operators": ["ann"], "forward_after_secs": 600},
                        "queue_position": {"text": "#POSITION# / #WAIT#", "repeat_secs": 90}}]}"##,
    )
    .unwrap();
    let mut engine = Engine::new(config).unwrap();
    let at = |secs: i64| start() + Duration::seconds(secs);
    let client = |c: &str| Input::ClientMessage(ClientMessage::new("sales", c));
    engine.handle(at(0), client("c1")).unwrap();
    engine
        .handle(
            at(1),
            Input::Accept {
                dialog: 1,
                operator: "ann".into(),
            },
        )
        .unwrap();
    for (i, c) in ["c2", "c3", "c4"].iter().enumerate() {
        engine.handle(at(10 + i as i64), client(c)).unwrap();
    }
    // Dialog 2 is served after 300 s of queue: the rate is measured.
    engine
        .handle(
            at(310),
            Input::Close {
                dialog: 1,
                operator: "ann".into(),
            },
        )
        .unwrap();
    engine
        .handle(
            at(311),
            Input::Accept {
                dialog: 2,
                operator: "ann".into(),
            },
        )
        .unwrap();
    let mut restored = Engine::restore_bytes(&engine.snapshot_bytes()).unwrap();
    assert_eq!(restored.next_deadline(), engine.next_deadline());
    let later = engine.advance(at(1000)).unwrap();
    assert_eq!(restored.advance(at(1000)).unwrap(), later);
    let texts: Vec<&str> = later
        .iter()
        .filter_map(|a| match a {
            Action::SendMessage {
                kind: MessageKind::QueuePosition,
                text,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    // Dialogs 3 and 4 repeat every 90 s: positions 1 and 2, at 300 s per departure.
    assert!(texts.contains(&"1 / 5 min"), "{texts:?}");
    assert!(texts.contains(&"2 / 10 min"), "{texts:?}");
}
