//! Target 4: scenario JSON through the replay path (parse, run, check, trace lines),
//! then the same steps again with every invariant checked after every step.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openlines::{Config, ErrorKind, Input};
use openlines_cli::scenario::{Scenario, action_line, error_line};
use openlines_fuzz::{Tracker, check, record};

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
        let before = engine.clone();
        // As the replay does it: the tick, then the input (even one that cannot be read).
        let mut actions = Vec::new();
        let outcome = engine
            .advance_into(step.at, &mut actions)
            .and(input)
            .and_then(|input| engine.handle_into(step.at, input, &mut actions));
        let same = actions == results[i].actions
            && match (&outcome, &results[i].error) {
                (Ok(()), None) => true,
                (Err(a), Some(b)) => a.kind == b.kind && a.message == b.message,
                _ => false,
            };
        assert!(same, "step {i}: a second run differs from the replay");
        record(&mut tracker, &actions, &format!("step {i}"));
        match outcome {
            Ok(()) => {
                if matches!(&step.input, Some(v) if v["type"] == "set_line" || v["type"] == "set_operator")
                {
                    tracker.config_changed();
                }
            }
            Err(e) => {
                // A refused input is exactly a tick to its time (nothing at all when the
                // time itself was refused: backwards, or outside the accepted range).
                let mut ticked = before;
                if e.kind != ErrorKind::TimeWentBackwards && openlines::timestamp::accepted(step.at)
                {
                    ticked
                        .advance(step.at)
                        .expect("a tick forward to an accepted time is never refused");
                }
                assert!(
                    engine.snapshot() == ticked.snapshot(),
                    "step {i}: rejected input ({}) changed more than a tick would",
                    e.kind
                );
            }
        }
        check(&tracker, &engine, &format!("step {i}"));
    }
});
