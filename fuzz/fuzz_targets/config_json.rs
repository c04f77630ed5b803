//! Target 2: config JSON parsing and validation never panic; a valid config builds an
//! engine, round-trips through JSON unchanged, and runs a short generated input
//! stream without panic and with every invariant kept, starting at a time drawn from
//! the edges of the accepted range (so the longest timers the config allows run past
//! the last accepted time). The stream's bytes are the input's own bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openlines::{Config, Engine};
use openlines_fuzz::{Bytes, Tracker, drive_from, edge_start};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_json(text) {
        Err(issues) => {
            assert!(!issues.is_empty(), "an invalid config gave no issue");
            for issue in &issues {
                assert!(
                    !issue.message.is_empty(),
                    "an issue without a message: {issue:?}"
                );
            }
        }
        Ok(config) => {
            // Round trip: serialize, parse and validate again, same config.
            let json = serde_json::to_string(&config).expect("config serializes");
            let again = Config::from_json(&json).unwrap_or_else(|issues| {
                panic!("a valid config does not re-parse: {issues:?}\n{json}")
            });
            assert_eq!(again, config, "config changed through JSON: {json}");
            assert_eq!(
                serde_json::to_string(&again).expect("config serializes"),
                json,
                "config JSON is not stable"
            );
            // A valid config builds an engine, and a fresh engine round-trips.
            let engine = Engine::new(config)
                .unwrap_or_else(|e| panic!("a validated config was refused: {e}"));
            engine
                .check_consistency()
                .expect("fresh engine is consistent");
            let bytes = engine.snapshot_bytes();
            let restored = Engine::restore_bytes(&bytes).expect("fresh snapshot restores");
            assert_eq!(restored.snapshot_bytes(), bytes);
            let mut engine = restored;
            let mut tracker = Tracker::new(&again);
            let mut b = Bytes::new(data);
            let first = edge_start(&mut b);
            drive_from(&mut engine, &mut tracker, &mut b, 48, first);
        }
    }
});
