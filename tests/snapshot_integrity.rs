//! Snapshot integrity: every damaged byte is caught by the checksum, and a crafted
//! snapshot (checksum made to match) that holds a state the engine could never reach
//! is refused with a message naming the field.

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::codec::{self, reseal_snapshot};
use openlines::json::input_from_str as input;
use openlines::{Config, Engine, ErrorKind, SNAPSHOT_VERSION, Snapshot};
use openlines_sim::{DayParams, simulate_day};
use serde_json::{Value, json};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A small engine with an offered, an assigned and a queued dialog and armed timers.
fn small_engine() -> Engine {
    let config = Config::from_json(
        r#"{"operators": [{"id": "ann", "max_dialogs": 1}, {"id": "bob", "max_dialogs": 1}],
            "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"]},
                       "unanswered": {"after_secs": 300}, "auto_close": {"after_secs": 600}}]}"#,
    )
    .unwrap();
    let mut engine = Engine::new(config).unwrap();
    for (secs, text) in [
        (
            0,
            r#"{"type": "client_message", "line": "sales", "client": "a"}"#,
        ),
        (
            1,
            r#"{"type": "operator_message", "dialog": 1, "operator": "ann"}"#,
        ),
        (
            2,
            r#"{"type": "client_message", "line": "sales", "client": "b"}"#,
        ),
        (
            3,
            r#"{"type": "client_message", "line": "sales", "client": "c"}"#,
        ),
    ] {
        engine
            .handle(t0() + Duration::seconds(secs), input(text).unwrap())
            .unwrap();
    }
    assert_eq!(engine.open_dialogs().count(), 3);
    engine
}

fn assert_refused(bytes: &[u8], what: &str) {
    match Engine::restore_bytes(bytes) {
        Ok(_) => panic!("{what}: restored"),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::SnapshotVersion, "{what}");
            assert!(!e.message.is_empty(), "{what}");
        }
    }
}

#[test]
fn every_bit_flip_of_a_small_snapshot_is_refused() {
    let bytes = small_engine().snapshot_bytes();
    assert!(Engine::restore_bytes(&bytes).is_ok());
    let mut flipped = bytes.clone();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            flipped[i] ^= 1 << bit;
            assert_refused(&flipped, &format!("byte {i} bit {bit}"));
            flipped[i] ^= 1 << bit;
        }
    }
    for cut in 0..bytes.len() {
        assert_refused(&bytes[..cut], &format!("cut at {cut}"));
    }
}

#[test]
fn sampled_bit_flips_of_a_large_snapshot_are_refused_naming_the_checksum() {
    let day = simulate_day(&DayParams {
        operators: 9,
        dialogs: 400,
        lines: 3,
        record: true,
        ..DayParams::default()
    })
    .unwrap();
    let engine = day.engine_after(day.inputs.len() / 2).unwrap();
    let bytes = engine.snapshot_bytes();
    assert!(bytes.len() > 5_000, "{}", bytes.len());
    let mut flipped = bytes.clone();
    // 4,000 positions spread over the whole snapshot (a fixed stride, so the test is
    // the same every run), every bit of each.
    let stride = (bytes.len() / 4000).max(1);
    for i in (0..bytes.len()).step_by(stride).chain([bytes.len() - 1]) {
        for bit in 0..8 {
            flipped[i] ^= 1 << bit;
            let e = Engine::restore_bytes(&flipped).expect_err("refused");
            assert_eq!(e.kind, ErrorKind::SnapshotVersion);
            if i >= 5 {
                assert!(e.message.contains("checksum"), "{i}: {}", e.message);
            }
            flipped[i] ^= 1 << bit;
        }
    }
}

/// Encode a snapshot edited as JSON (the binary form, checksum included, is then
/// well-formed: only the values are crafted).
fn crafted(edit: impl FnOnce(&mut Value)) -> Result<Engine, openlines::Error> {
    let engine = small_engine();
    let mut value = serde_json::to_value(engine.snapshot()).unwrap();
    edit(&mut value);
    let snapshot: Snapshot = serde_json::from_value(value).unwrap();
    let bytes = codec::encode_snapshot(SNAPSHOT_VERSION, &snapshot);
    Engine::restore_bytes(&bytes)
}

fn refused_naming(edit: impl FnOnce(&mut Value), field: &str) {
    let e = crafted(edit).expect_err("a crafted snapshot was restored");
    assert_eq!(e.kind, ErrorKind::SnapshotVersion);
    assert!(e.message.contains(field), "{field}: {}", e.message);
}

#[test]
fn an_unchanged_snapshot_restores_through_the_same_path() {
    assert!(crafted(|_| {}).is_ok());
}

#[test]
fn crafted_ids_are_refused() {
    refused_naming(
        |v| v["state"]["next_dialog"] = json!(u64::MAX),
        "next_dialog",
    );
    refused_naming(
        |v| v["state"]["next_dialog"] = json!(openlines::MAX_DIALOG_ID + 2),
        "next_dialog",
    );
    refused_naming(|v| v["state"]["next_dialog"] = json!(0), "next_dialog");
    // Dialog 3 is open: next_dialog 3 would hand out its id again.
    refused_naming(|v| v["state"]["next_dialog"] = json!(3), "next_dialog");
    refused_naming(
        |v| {
            let dialogs = v["state"]["dialogs"].as_object_mut().unwrap();
            let mut d = dialogs.remove("3").unwrap();
            d["id"] = json!(99);
            dialogs.insert("99".into(), d);
        },
        "dialogs[99].id",
    );
}

#[test]
fn crafted_times_are_refused() {
    refused_naming(
        |v| v["state"]["dialogs"]["1"]["opened_at"] = json!("2027-01-01T00:00:00Z"),
        "dialogs[1].opened_at",
    );
    refused_naming(|v| v["state"]["now"] = json!("9999-01-01T00:00:00Z"), "now");
    refused_naming(
        |v| {
            let timers = v["timers"].as_array_mut().unwrap();
            timers[0][1] = json!("2020-01-01T00:00:00Z");
        },
        "deadline",
    );
    refused_naming(
        |v| v["state"]["operators"][0]["last_assigned_at"] = json!("2030-01-01T00:00:00Z"),
        "operators[0].last_assigned_at",
    );
}

#[test]
fn crafted_references_and_counts_are_refused() {
    // An assigned dialog naming an operator that does not exist.
    refused_naming(
        |v| {
            v["state"]["dialogs"]["1"]["state"] =
                json!({"assigned": {"operator": 7, "answered": true}})
        },
        "dialog 1",
    );
    // A load count that disagrees with the dialogs.
    refused_naming(|v| v["state"]["operators"][0]["load"] = json!(5), "load");
    refused_naming(
        |v| v["state"]["dialogs"]["1"]["rating"] = json!(9),
        "rating",
    );
    // A timer of a dialog that does not exist yet.
    refused_naming(
        |v| {
            let timers = v["timers"].as_array_mut().unwrap();
            let mut t = timers[0].clone();
            t[0] = json!({"dialog": [50, "auto_close"]});
            timers.push(t);
        },
        "next_dialog",
    );
}

#[test]
fn a_crafted_snapshot_with_a_matching_checksum_reaches_the_value_checks() {
    let engine = small_engine();
    let mut bytes = engine.snapshot_bytes();
    // The snapshot version is the byte after the encoding; resealed, the version
    // itself is what the error names.
    bytes[5] = 99;
    let e = Engine::restore_bytes(&bytes).err().unwrap();
    assert!(e.message.contains("checksum"), "{}", e.message);
    reseal_snapshot(&mut bytes);
    let e = Engine::restore_bytes(&bytes).err().unwrap();
    assert!(e.message.contains("version 99"), "{}", e.message);
}

#[test]
fn dialog_ids_end_at_max_dialog_id_and_never_wrap() {
    // The engine of a snapshot whose last id is MAX_DIALOG_ID (reachable in principle:
    // a crafted snapshot may say so) refuses to open another dialog; its open dialogs
    // go on, and its own snapshot restores.
    let mut engine = crafted(|v| {
        v["state"]["next_dialog"] = json!(openlines::MAX_DIALOG_ID + 1);
    })
    .unwrap();
    let at = t0() + Duration::seconds(10);
    let e = engine
        .handle(
            at,
            input(r#"{"type": "client_message", "line": "sales", "client": "new"}"#).unwrap(),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAllowed);
    assert!(e.message.contains("MAX_DIALOG_ID"), "{}", e.message);
    engine
        .handle(
            at,
            input(r#"{"type": "close", "dialog": 1, "operator": "ann"}"#).unwrap(),
        )
        .unwrap();
    assert!(Engine::restore_bytes(&engine.snapshot_bytes()).is_ok());
}
