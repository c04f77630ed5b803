//! Target 4: scenario JSON through the replay path (parse, run, check, trace lines),
//! then the same steps again with every invariant checked after every step.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openlines::{Config, Input};
use openlines_cli::scenario::{Scenario, action_line, error_line};
use openlines_fuzz::Tracker;

/// Long scenarios only slow the fuzzer down; the step generator covers long runs.
const MAX_STEPS: usize = 200;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = Scenario::parse(text) else {
        return;
    };
    if scenario.steps.len() > MAX_STEPS {
        return;
    }
    // The replay path of `openlines replay --check`.
    let Ok(results) = scenario.run() else {
        return;
    };
    assert_eq!(results.len(), scenario.steps.len(), "replay skipped steps");
    for r in &results {
        for a in &r.actions {
            let _ = action_line(r.step, r.at, a).to_string();
        }
        if let Some(e) = &r.error {
            assert!(!e.message.is_empty(), "error without a message: {e:?}");
            let _ = error_line(r.step, r.at, e).to_string();
        }
    }
    let _ = scenario.check(&results);

    // Again, step by step, with the invariants.
    let config =
        Config::from_json(&scenario.config.to_string()).expect("the replay accepted this config");
    let mut engine = scenario.engine().expect("the replay built this engine");
    let mut tracker = Tracker::new(&config);
    for (i, step) in scenario.steps.iter().enumerate() {
        let input = match &step.input {
            None => Ok(Input::Tick),
            Some(value) => openlines::json::input_from_str(&value.to_string()),
        };
        let before = engine.snapshot();
        let outcome = input.and_then(|input| engine.handle(step.at, input));
        let same = match (&outcome, &results[i].error) {
            (Ok(actions), None) => actions == &results[i].actions,
            (Err(a), Some(b)) => a.kind == b.kind && a.message == b.message,
            _ => false,
        };
        assert!(same, "step {i}: a second run differs from the replay");
        match outcome {
            Ok(actions) => {
                tracker.record(&actions);
                if matches!(&step.input, Some(v) if v["type"] == "set_line" || v["type"] == "set_operator")
                {
                    tracker.static_capacity = false;
                }
            }
            Err(e) => assert!(
                engine.snapshot() == before,
                "step {i}: rejected input ({}) changed the state",
                e.kind
            ),
        }
        tracker.check(&engine, &format!("step {i}"));
    }
});
