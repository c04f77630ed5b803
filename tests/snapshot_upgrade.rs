//! Users' stored state survives an upgrade: snapshots written by an earlier release
//! (`tests/fixtures/snapshot-v4/`, never regenerated) restore with the current engine
//! into the state it reaches itself on the same inputs, and the rest of each scenario
//! gives the same actions and errors from the restored engine as from a straight run.

use std::fs;
use std::path::Path;

use openlines::Engine;
use openlines_cli::scenario::{Scenario, StepResult, run_step};

/// A step's outcome in a comparable form: its actions and its error kind.
fn outcome(result: &StepResult) -> (Vec<openlines::Action>, Option<openlines::ErrorKind>) {
    (
        result.actions.clone(),
        result.error.as_ref().map(|e| e.kind),
    )
}

/// The engine's state as JSON without the lines' `#WAIT#` estimators: the earlier
/// release kept a short-memory mean in milliseconds, the current one a long-memory mean
/// with the number of gaps it averages, so a restored estimator holds the stored mean
/// as one gap (the same mean, a shorter memory) and its bits differ from a straight
/// run's. The estimates it gives are compared through the actions below.
fn without_wait_estimates(engine: &Engine) -> serde_json::Value {
    let mut state = serde_json::to_value(engine.snapshot()).unwrap();
    for line in state["state"]["lines"].as_array_mut().unwrap() {
        line.as_object_mut().unwrap().remove("wait");
    }
    state
}

#[test]
fn snapshots_of_the_previous_format_restore_into_the_same_state_and_future() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures/snapshot-v4");
    let mut checked = 0;
    for entry in fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bin") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = fs::read_to_string(root.join(format!("tests/scenarios/{name}.json"))).unwrap();
        let scenario = Scenario::parse(&text).unwrap();
        let half = scenario.steps.len() / 2;

        let mut straight = scenario.engine().unwrap();
        let mut before: Vec<StepResult> = Vec::new();
        for (i, step) in scenario.steps[..half].iter().enumerate() {
            before.push(run_step(&mut straight, i, step));
        }
        let mut restored = Engine::restore_bytes(&fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: the stored snapshot is refused: {e}"));
        assert_eq!(
            without_wait_estimates(&restored),
            without_wait_estimates(&straight),
            "{name}: the stored state is not the state the engine reaches"
        );
        assert_eq!(restored.next_deadline(), straight.next_deadline(), "{name}");
        for (i, step) in scenario.steps.iter().enumerate().skip(half) {
            let a = run_step(&mut straight, i, step);
            let b = run_step(&mut restored, i, step);
            assert_eq!(
                outcome(&a),
                outcome(&b),
                "{name}: step {i} differs after restore"
            );
        }
        assert_eq!(
            restored.snapshot_bytes(),
            straight.snapshot_bytes(),
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} stored snapshots found");
}
