//! Writes the committed seed corpora (fuzz/corpus/<target>/seed-*) from the scenario
//! files in tests/scenarios/. Deterministic: running it again gives the same files.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example gen_seeds
//!
//! Seeds are kept small (a handful per target, a few KiB each).

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use openlines::{Config, Engine, Input};
use openlines_cli::scenario::Scenario;
use serde_json::Value;

/// Scenarios that together touch most features (schedules and DST, bot, rating, KPI,
/// CRM, all-mode, load excludes, transfers, presence churn, config changes, queue
/// position messages).
const PICKS: [&str; 11] = [
    "auto-bot",
    "auto-closing-rating",
    "auto-dst-warsaw",
    "auto-kpi-business-hours",
    "routing-all-first-accept-wins",
    "routing-crm-responsible-ignores-availability",
    "routing-load-excludes-closing",
    "routing-set-line-adds-operator",
    "routing-transfer-to-same-line",
    "routing-availability-flapping",
    "auto-queue-position",
];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let corpus = root.join("fuzz/corpus");
    for target in [
        "engine_steps",
        "config_json",
        "snapshot_restore",
        "scenario_replay",
        "c_api",
    ] {
        let dir = corpus.join(target);
        fs::create_dir_all(&dir).expect("create corpus dir");
        for entry in fs::read_dir(&dir).expect("read corpus dir").flatten() {
            if entry.file_name().to_string_lossy().starts_with("seed-") {
                fs::remove_file(entry.path()).expect("remove old seed");
            }
        }
    }
    for name in PICKS {
        let path = root.join(format!("tests/scenarios/{name}.json"));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let scenario = Scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let value: Value = serde_json::from_str(&text).expect("scenario JSON");
        let config = serde_json::to_string(&value["config"]).expect("config JSON");

        // config_json: the config, minified.
        write(&corpus, "config_json", name, config.as_bytes());

        // scenario_replay: the scenario without its description, minified.
        let mut small = value.clone();
        if let Some(map) = small.as_object_mut() {
            map.remove("description");
        }
        write(
            &corpus,
            "scenario_replay",
            name,
            serde_json::to_string(&small).unwrap().as_bytes(),
        );

        // snapshot_restore: the engine's snapshot halfway through and at the end, then a
        // few driver bytes.
        let mut engine = scenario.engine().expect("engine");
        let half = scenario.steps.len() / 2;
        for (i, step) in scenario.steps.iter().enumerate() {
            if i == half && half > 0 {
                // The snapshot, driver bytes, their count (u16 LE).
                let mut bytes = engine.snapshot_bytes();
                bytes.extend_from_slice(b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c");
                bytes.extend_from_slice(&12u16.to_le_bytes());
                write(&corpus, "snapshot_restore", &format!("{name}-half"), &bytes);
            }
            let input = match &step.input {
                None => Input::Tick,
                Some(v) => match openlines::json::input_from_str(&v.to_string()) {
                    Ok(input) => input,
                    Err(_) => continue,
                },
            };
            let _ = engine.handle(step.at, input);
        }
        let mut bytes = engine.snapshot_bytes();
        bytes.extend_from_slice(&0u16.to_le_bytes());
        write(&corpus, "snapshot_restore", name, &bytes);

        // c_api: config line, restore line (empty), then one line per step: a time byte
        // (units of 0.997 s after the previous step) and the input JSON.
        let mut c = config.clone().into_bytes();
        c.push(b'\n');
        c.push(b'\n');
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let mut prev = start;
        for (i, step) in scenario.steps.iter().enumerate() {
            if i > 0 {
                c.push(b'\n');
            }
            let secs = (step.at - prev).num_milliseconds().max(0) as f64 / 997.0;
            // Never '\n' (the step separator).
            let code = secs.round().min(252.0) as u8;
            c.push(if code == b'\n' { code + 1 } else { code });
            prev = step.at;
            if let Some(input) = &step.input {
                c.extend_from_slice(serde_json::to_string(input).unwrap().as_bytes());
            }
        }
        write(&corpus, "c_api", name, &c);

        // engine_steps: a config prefix from the scenario's config shape, then per step
        // a delta class, a delta, "no snapshot", the input kind and parameter bytes.
        let config: Config = Config::from_json(&config).expect("valid config");
        let mut b = vec![config.operators.len().min(4) as u8, 1];
        b.extend((0..40u8).map(|i| i.wrapping_mul(37).wrapping_add(config.lines.len() as u8)));
        for step in &scenario.steps {
            let kind: u8 = match step.input.as_ref().and_then(|v| v["type"].as_str()) {
                Some("client_message") => 0,
                Some("operator_message") => 9,
                Some("accept") => 14,
                Some("skip") => 18,
                Some("close") => 20,
                Some("transfer") => 22,
                Some("pin") => 24,
                Some("rate") => 25,
                Some("presence") => 26,
                Some("bot_handoff") => 31,
                Some("bot_resolved") => 32,
                Some("set_operator") => 33,
                Some("set_line") => 34,
                Some("forget_client") => 35,
                _ => 36,
            };
            b.extend_from_slice(&[3, 30, 1, kind, 0, 1, 2, 1]);
        }
        write(&corpus, "engine_steps", name, &b);
    }
    // A fresh engine's snapshot and the smallest configs.
    let engine = Engine::new(Config::from_json(r#"{"lines":[{"id":"sales"}]}"#).unwrap()).unwrap();
    let mut bytes = engine.snapshot_bytes();
    bytes.extend_from_slice(&0u16.to_le_bytes());
    write(&corpus, "snapshot_restore", "fresh", &bytes);
    write(
        &corpus,
        "config_json",
        "minimal",
        br#"{"lines":[{"id":"sales"}]}"#,
    );
}

fn write(corpus: &Path, target: &str, name: &str, bytes: &[u8]) {
    let path = corpus.join(target).join(format!("seed-{name}"));
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
