//! The M/M/c day: the workload `python/bench.py` compares the Python binding with a
//! hand-written Python router on, driven here against the core alone, so the README can
//! set the binding's figures beside the core's own cost on the same traffic.
//!
//! One line, `operators` operators with `capacity` dialogs each, `least_busy`; clients
//! arrive as a Poisson process at 0.9 of the total capacity, every offer is accepted at
//! once by its operator, and each dialog is closed by its operator after an exponential
//! service time (mean 10 minutes). Only the time inside `handle_into` is counted.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{Action, ClientMessage, Config, Engine, Input};
use openlines_sim::Rng;
use serde_json::json;

/// Mean service time of a dialog, in seconds (as in `python/bench.py`).
const MEAN_SERVICE_SECS: f64 = 600.0;

/// What one M/M/c run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct MmcRun {
    /// Calls made (client messages, accepts and closes).
    pub calls: u64,
    /// Actions the engine returned.
    pub actions: u64,
    /// Nanoseconds spent inside the calls, per call.
    pub ns_per_call: f64,
}

/// The config of the M/M/c line (the same as `python/bench.py`'s `mmc_config`).
pub fn config(operators: usize, capacity: u32) -> Result<Config, String> {
    let ids: Vec<String> = (0..operators).map(|i| format!("op{i}")).collect();
    let value = json!({
        "operators": ids.iter().map(|id| json!({"id": id, "max_dialogs": capacity})).collect::<Vec<_>>(),
        "lines": [{"id": "sales", "queue": {"operators": ids, "distribution": "least_busy"}}],
    });
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A close due at a time (seconds from the start): the dialog and its operator.
type Close = Reverse<(u64, u64, String)>;

/// Drive the core through the M/M/c day; every input must be accepted.
pub fn run(dialogs: usize, operators: usize, capacity: u32, seed: u64) -> Result<MmcRun, String> {
    let mut engine = Engine::new(config(operators, capacity)?).map_err(|e| e.to_string())?;
    let mut rng = Rng::new(seed);
    let rate = 0.9 * operators as f64 * f64::from(capacity) / MEAN_SERVICE_SECS;
    let start = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .ok_or("start time")?;
    // Times in whole microseconds, as Python's datetimes have them.
    let at = |micros: u64| start + Duration::microseconds(micros as i64);
    let mut closes: BinaryHeap<Close> = BinaryHeap::new();
    let mut buf: Vec<Action> = Vec::with_capacity(16);
    let mut pending: Vec<Input> = Vec::with_capacity(4);
    let (mut spent, mut calls, mut actions) = (0u128, 0u64, 0u64);
    let (mut arrival, mut arrived) = (0u64, 0usize);

    let mut step = |now: u64, input: Input, rng: &mut Rng, closes: &mut BinaryHeap<Close>| {
        let when: DateTime<Utc> = at(now);
        pending.push(input);
        while let Some(input) = pending.pop() {
            buf.clear();
            let begin = Instant::now();
            let result = engine.handle_into(when, input, &mut buf);
            spent += begin.elapsed().as_nanos();
            calls += 1;
            result.map_err(|e| format!("call {calls}: {e}"))?;
            actions += buf.len() as u64;
            for action in buf.drain(..) {
                match action {
                    Action::Offer {
                        dialog,
                        mut operators,
                        ..
                    } => {
                        let operator = operators.swap_remove(0);
                        pending.push(Input::Accept { dialog, operator });
                    }
                    Action::Assigned {
                        dialog, operator, ..
                    } => {
                        let service = (rng.exp(MEAN_SERVICE_SECS) * 1e6) as u64;
                        closes.push(Reverse((now + service.max(1), dialog, operator)));
                    }
                    _ => {}
                }
            }
        }
        Ok::<(), String>(())
    };

    while arrived < dialogs || !closes.is_empty() {
        let next_close = closes.peek().map(|Reverse((t, ..))| *t);
        if arrived < dialogs && next_close.is_none_or(|t| arrival <= t) {
            let client = Input::ClientMessage(ClientMessage::new("sales", format!("tg:{arrived}")));
            step(arrival, client, &mut rng, &mut closes)?;
            arrived += 1;
            arrival += (rng.exp(1.0 / rate) * 1e6) as u64 + 1;
        } else if let Some(Reverse((t, dialog, operator))) = closes.pop() {
            step(t, Input::Close { dialog, operator }, &mut rng, &mut closes)?;
        }
    }
    Ok(MmcRun {
        calls,
        actions,
        ns_per_call: spent as f64 / calls.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialog_is_opened_assigned_and_closed() {
        let run = run(500, 3, 2, 1).expect("the M/M/c day runs");
        // A client message, an accept and a close per dialog.
        assert_eq!(run.calls, 1_500);
        // Opened, offered, assigned and closed; some wait first (queued).
        assert!(run.actions >= 2_000, "{run:?}");
    }
}
