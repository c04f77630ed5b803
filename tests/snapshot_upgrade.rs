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
            restored.snapshot(),
            straight.snapshot(),
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
