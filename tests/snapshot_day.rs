//! Snapshot bytes of an engine in the middle of a simulated day: they restore to the
//! same state, the restored engine behaves the same for the rest of the day, and
//! damaged bytes are refused with a `snapshot_version` error, never a panic.
//! (Moved here from `src/codec.rs` with the workload model, now in `openlines-sim`.)

use openlines::codec::SNAPSHOT_MAGIC;
use openlines::{Engine, ErrorKind};
use openlines_sim::{DayParams, simulate_day};

#[test]
fn engine_snapshot_bytes_round_trip_mid_day() {
    let day = simulate_day(&DayParams {
        operators: 9,
        dialogs: 400,
        lines: 3,
        record: true,
        ..DayParams::default()
    })
    .unwrap();
    let half = day.inputs.len() / 2;
    let mut a = day.engine_after(half).unwrap();
    assert!(a.open_dialogs().count() > 0 && a.armed_timers() > 0);
    let bytes = a.snapshot_bytes();
    assert!(bytes.starts_with(SNAPSHOT_MAGIC));
    let mut b = Engine::restore_bytes(&bytes).unwrap();
    assert_eq!(b.snapshot(), a.snapshot());
    assert_eq!(b.snapshot_bytes(), bytes);
    let json = serde_json::to_vec(&a.snapshot()).unwrap();
    assert!(
        bytes.len() * 3 < json.len(),
        "{} vs {}",
        bytes.len(),
        json.len()
    );
    assert_eq!(
        Engine::restore_bytes(&json).unwrap().snapshot(),
        a.snapshot()
    );
    for (at, input) in &day.inputs[half..] {
        assert_eq!(a.handle(*at, input.clone()), b.handle(*at, input.clone()));
    }
    // Bad bytes: a snapshot_version error with a message, never a panic.
    for bad in [
        &b""[..],
        b"garbage",
        b"OLSN",
        b"OLSN\x02\x01",
        b"OLSN\x01\x63",
        &bytes[..bytes.len() / 2],
    ] {
        let e = Engine::restore_bytes(bad).unwrap_err();
        assert_eq!(e.kind, ErrorKind::SnapshotVersion);
        assert!(!e.message.is_empty());
    }
    let e = Engine::restore_bytes(b"OLSN\x01\x63").unwrap_err();
    assert!(e.message.contains("encoding 1"), "{}", e.message);
    // Another snapshot version (its checksum made to match) is named.
    let mut other = bytes.clone();
    other[5] = 0x63;
    openlines::codec::reseal_snapshot(&mut other);
    let e = Engine::restore_bytes(&other).unwrap_err();
    assert!(e.message.contains("99"), "{}", e.message);
    for cut in (0..bytes.len()).step_by(97) {
        assert!(Engine::restore_bytes(&bytes[..cut]).is_err());
    }
    let mut flipped = bytes.clone();
    for i in (8..flipped.len()).step_by(131) {
        flipped[i] ^= 0x5a;
        let _ = Engine::restore_bytes(&flipped);
        flipped[i] ^= 0x5a;
    }
}
