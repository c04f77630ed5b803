//! Target 3: arbitrary bytes through snapshot restore give an error, never a panic; a
//! restored engine is consistent, snapshot(restore(snapshot(e))) is identical, and the
//! restored engine keeps working under generated traffic with every invariant checked.
//!
//! Input: snapshot bytes, optionally followed by a 0x00 byte and bytes that drive the
//! restored engine (the step generator of the engine_steps target).

#![no_main]

use libfuzzer_sys::fuzz_target;
use openlines::Engine;
use openlines_fuzz::{Bytes, Tracker, drive};

fuzz_target!(|data: &[u8]| {
    let (snapshot, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(mut engine) = Engine::restore_bytes(snapshot) else {
        return;
    };
    engine
        .check_consistency()
        .unwrap_or_else(|p| panic!("restore accepted an inconsistent snapshot: {p}"));
    let bytes = engine.snapshot_bytes();
    let again = Engine::restore_bytes(&bytes)
        .unwrap_or_else(|e| panic!("a restored engine's snapshot does not restore: {e}"));
    assert_eq!(
        again.snapshot_bytes(),
        bytes,
        "snapshot(restore(snapshot)) differs"
    );
    assert!(again.snapshot() == engine.snapshot());
    // Read-only views must not panic either.
    for id in engine.open_dialogs().collect::<Vec<_>>() {
        let _ = engine.dialog(id);
        let _ = engine.explain(id);
    }
    for line in engine.line_ids().map(str::to_owned).collect::<Vec<_>>() {
        let _ = engine.queue(&line);
        let _ = engine.stats(&line);
    }
    for op in engine.operator_ids().map(str::to_owned).collect::<Vec<_>>() {
        let _ = engine.operator(&op);
    }
    // The restored engine must not break later.
    let mut tracker = Tracker::restored(&engine);
    let mut b = Bytes::new(rest);
    drive(&mut engine, &mut tracker, &mut b, 64);
});
