//! Runs every scenario file under tests/scenarios/ (and the demo) with its expectations,
//! from the core crate's own tests, through the same replay as `openlines replay --check`.

use std::path::PathBuf;

use openlines_cli::scenario::Scenario;

fn scenario_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/scenarios"))
        .expect("tests/scenarios exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.push(root.join("examples/demo.json"));
    files
}

#[test]
fn every_scenario_matches_its_expectations() {
    let files = scenario_files();
    assert!(files.len() >= 2, "no scenarios found");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable scenario");
        let scenario = match Scenario::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let has_expectations = scenario
            .steps
            .iter()
            .any(|s| s.expect.is_some() || s.expect_error.is_some());
        if !has_expectations {
            failures.push(format!("{}: no step has expectations", file.display()));
        }
        match scenario.run() {
            Ok(results) => {
                for p in scenario.check(&results) {
                    failures.push(format!("{}: {p}", file.display()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    println!("checked {} scenario files", files.len());
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
