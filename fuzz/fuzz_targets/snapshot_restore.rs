//! Target 3: arbitrary bytes through snapshot restore give an error, never a panic; a
//! restored engine is consistent, snapshot(restore(snapshot(e))) is identical, and the
//! restored engine keeps working under generated traffic with every invariant checked.
//!
//! Input: snapshot bytes, then bytes that drive the restored engine (the step generator
//! of the engine_steps target), then the number of driver bytes as a little-endian
//! u16 (a snapshot holds 0x00 bytes, so no separator byte can end it; without a
//! fitting count the whole input is the snapshot). Binary snapshot
//! bytes are restored as they are (the checksum must refuse every change) and then
//! with their checksum made to match (`codec::reseal_snapshot`), so mutations reach
//! the decoder and the restore checks behind the checksum.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openlines::{Engine, codec};
use openlines_fuzz::{Bytes, Tracker, drive};

/// (snapshot bytes, driver bytes): see the module docs.
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    let Some((body, count)) = data.split_last_chunk::<2>() else {
        return (data, &[]);
    };
    let n = usize::from(u16::from_le_bytes(*count));
    match body.len().checked_sub(n) {
        Some(at) => body.split_at(at),
        None => (data, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let (snapshot, rest) = split(data);
    let as_is = Engine::restore_bytes(snapshot);
    let mut sealed = snapshot.to_vec();
    if sealed.starts_with(codec::SNAPSHOT_MAGIC) {
        codec::reseal_snapshot(&mut sealed);
        if sealed != snapshot {
            assert!(as_is.is_err(), "bytes with a wrong checksum were restored");
        }
    }
    let Ok(mut engine) = Engine::restore_bytes(&sealed) else {
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
