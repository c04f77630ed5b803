//! Input times are bounded so that every deadline, action time and view time is one
//! every binding can represent: a time outside FIRST_TIME..=LAST_TIME is refused
//! `invalid_input` naming `at`, and changes nothing.

use chrono::{Duration, TimeZone, Utc};
use openlines::json::input_from_str as input;
use openlines::timestamp::{FIRST_TIME, LAST_DEADLINE, LAST_TIME};
use openlines::{Config, Engine, ErrorKind, Input};

fn engine() -> Engine {
    Engine::new(
        Config::from_json(
            r#"{"operators": [{"id": "ann"}],
                "lines": [{"id": "sales", "queue": {"operators": ["ann"], "forward_after_secs": 315000000},
                           "auto_close": {"after_secs": 315000000}}]}"#,
        )
        .unwrap(),
    )
    .unwrap()
}

fn message() -> Input {
    input(r#"{"type": "client_message", "line": "sales", "client": "c"}"#).unwrap()
}

#[test]
fn times_past_the_last_one_are_refused_naming_at() {
    let mut e = engine();
    let before = e.snapshot();
    for at in [
        LAST_TIME + Duration::nanoseconds(1),
        Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(12000, 1, 1, 0, 0, 0).unwrap(),
        FIRST_TIME - Duration::nanoseconds(1),
    ] {
        let err = e.handle(at, message()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{at}");
        assert!(err.message.starts_with("at: "), "{}", err.message);
        assert!(err.message.contains("9979-12-31"), "{}", err.message);
        assert_eq!(e.advance(at).unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(e.snapshot(), before, "a refused time changes nothing");
    }
}

#[test]
fn the_last_time_is_accepted_and_its_longest_timers_stay_representable() {
    let mut e = engine();
    let actions = e.handle(LAST_TIME, message()).unwrap();
    assert!(!actions.is_empty());
    // The offer runs ten years from the last accepted time: still before year 10000.
    let deadline = e.next_deadline().unwrap();
    assert!(
        deadline > LAST_TIME && deadline <= LAST_DEADLINE,
        "{deadline}"
    );
    e.handle(
        LAST_TIME,
        input(r#"{"type": "operator_message", "dialog": 1, "operator": "ann"}"#).unwrap(),
    )
    .unwrap();
    assert!(e.next_deadline().unwrap() <= LAST_DEADLINE);
    // Its snapshot restores (its deadlines are within the range restore accepts).
    let bytes = e.snapshot_bytes();
    assert!(Engine::restore_bytes(&bytes).is_ok());
    // The first time is accepted too (a fresh engine).
    assert!(engine().handle(FIRST_TIME, message()).is_ok());
}
