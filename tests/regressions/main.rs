//! Regressions found by the fuzzers (fuzz/). Each test names the target and the input
//! it came from.

use chrono::{Duration, TimeZone, Utc};
use openlines::engine::MAX_OFFER_EXPIRIES_PER_CATCH_UP;
use openlines::{
    Action, ClientMessage, Config, Engine, Input, PresenceStatus, QueueReason, WithdrawReason,
};

/// An engine on the config JSON `json`.
fn engine(json: &str) -> Engine {
    Engine::new(Config::from_json(json).unwrap()).unwrap()
}

fn one_operator_engine() -> Engine {
    engine(
        r#"{"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]}"#,
    )
}

/// scenario_replay timeout (kept as tests/regressions/fuzz-scenario-replay-year-gap.json):
/// an offer nobody answers expires every `forward_after_secs` and, with the default
/// `no_answer: requeue`, is offered again at once, so a call a year later replayed
/// ~525,600 offer cycles. Now one call replays at most
/// MAX_OFFER_EXPIRIES_PER_CATCH_UP expiries of a dialog and then routes it once at the
/// call's time.
#[test]
fn catch_up_after_a_long_gap_is_bounded() {
    let mut engine = one_operator_engine();
    let t0 = Utc.with_ymd_and_hms(2025, 11, 23, 9, 0, 0).unwrap();
    engine
        .handle(
            t0,
            Input::ClientMessage(ClientMessage::new("sales", "tg:1")),
        )
        .unwrap();
    let end = t0 + Duration::days(365);
    let actions = engine.advance(end).unwrap();
    let expiries = actions
        .iter()
        .filter(|a| {
            matches!(
                a,
                Action::OfferWithdrawn {
                    reason: WithdrawReason::Timeout,
                    ..
                }
            )
        })
        .count();
    assert_eq!(expiries as u32, MAX_OFFER_EXPIRIES_PER_CATCH_UP);
    // The last offer is made at the end of the gap, live for a full forward period.
    match actions.last() {
        Some(Action::Offer {
            operators,
            expires_at,
            ..
        }) => {
            assert_eq!(operators, &["ann"]);
            assert_eq!(*expires_at, end + Duration::seconds(60));
        }
        other => panic!("expected a final offer, got {other:?}"),
    }
    assert_eq!(engine.next_deadline(), Some(end + Duration::seconds(60)));
    engine.check_consistency().unwrap();
}

/// A short gap is replayed exactly, deadline by deadline.
#[test]
fn catch_up_of_a_short_gap_is_exact() {
    let mut engine = one_operator_engine();
    let t0 = Utc.with_ymd_and_hms(2025, 11, 23, 9, 0, 0).unwrap();
    engine
        .handle(
            t0,
            Input::ClientMessage(ClientMessage::new("sales", "tg:1")),
        )
        .unwrap();
    let actions = engine
        .advance(t0 + Duration::seconds(10 * 60 + 30))
        .unwrap();
    let offers: Vec<_> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Offer { expires_at, .. } => Some(*expires_at),
            _ => None,
        })
        .collect();
    let expected: Vec<_> = (2..=11).map(|k| t0 + Duration::seconds(60 * k)).collect();
    assert_eq!(
        offers, expected,
        "one re-offer per expired minute, each at its own deadline"
    );
}

/// scenario_replay timeout: a waiting dialog's queue-position message repeats every
/// `repeat_secs`, so a call 617 years later replayed hundreds of millions of repeats.
/// Now one call sends at most MAX_OFFER_EXPIRIES_PER_CATCH_UP repeats of a dialog
/// inside the gap and one more at the last instant of its grid before the call.
#[test]
fn queue_position_repeats_after_a_long_gap_are_bounded() {
    let mut engine = engine(
        r#"{"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]},
            "queue_position": {"text": "You are #POSITION#", "repeat_secs": 60}}]}"#,
    );
    let t0 = Utc.with_ymd_and_hms(2025, 11, 23, 9, 0, 0).unwrap();
    engine
        .handle(
            t0,
            Input::Presence {
                operator: "ann".into(),
                status: openlines::PresenceStatus::Away,
            },
        )
        .unwrap();
    engine
        .handle(
            t0,
            Input::ClientMessage(ClientMessage::new("sales", "tg:1")),
        )
        .unwrap();
    let end = t0 + Duration::days(365 * 600);
    let actions = engine.advance(end).unwrap();
    let repeats = actions
        .iter()
        .filter(|a| matches!(a, Action::SendMessage { .. }))
        .count();
    assert_eq!(repeats as u32, MAX_OFFER_EXPIRIES_PER_CATCH_UP + 1);
    // The next repeat is one period after the last grid instant before `end`.
    let next = engine.next_deadline().unwrap();
    assert!(next > end && next <= end + Duration::seconds(60), "{next}");
    assert_eq!(
        (next - t0).num_seconds() % 60,
        0,
        "still on the dialog's grid"
    );
    engine.check_consistency().unwrap();
    // A short gap is exact: a host ticking once a minute sees the same messages.
    let mut short = engine.clone();
    let later = short.advance(next + Duration::seconds(600)).unwrap();
    assert_eq!(later.len(), 11);
}

/// scenario_replay timeout (a 2,026-year tick): the repeat bound above counted to 32
/// once per call, so a dialog queued again inside the gap (here: offered at the weekly
/// opening of a `hold_until_open` line, unanswered, queued again) went back to one
/// message per `repeat_secs` (every second) for the rest of the gap: about 600,000
/// messages a week. (Here: bob never answers the offer made at the opening; it expires
/// after the line has closed, so the dialog waits for the next opening.) Now every repeat from the 32nd of the call on moves to the end of
/// the gap, so each queueing inside the gap adds its first message and at most one
/// repeat.
#[test]
fn queue_position_repeats_stay_bounded_when_a_dialog_is_queued_again_in_the_gap() {
    let mut engine = engine(
        r##"{"operators": [{"id": "bob"}],
            "lines": [{"id": "held", "queue": {"operators": ["bob"], "forward_after_secs": 600},
                       "schedule": {"timezone": "UTC", "weekly": {"mon": [["10:00", "10:05"]]},
                                    "hold_until_open": true},
                       "queue_position": {"text": "#POSITION#", "repeat_secs": 1}}]}"##,
    );
    // Monday 09:00:30, before the line opens at 10:00.
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 30).unwrap();
    engine
        .handle(t0, Input::ClientMessage(ClientMessage::new("held", "h1")))
        .unwrap();
    let actions = engine.advance(t0 + Duration::days(14)).unwrap();
    let queued = actions
        .iter()
        .filter(|a| matches!(a, Action::Queued { .. }))
        .count() as u32;
    let messages = actions
        .iter()
        .filter(|a| matches!(a, Action::SendMessage { .. }))
        .count() as u32;
    assert!(
        queued >= 2,
        "the dialog is queued again in the gap: {queued}"
    );
    // The first queueing's 32 repeats, then per queueing its message and one repeat.
    assert!(
        messages <= MAX_OFFER_EXPIRIES_PER_CATCH_UP + 2 * queued + 1,
        "{messages} messages for {queued} queueings"
    );
    engine.check_consistency().unwrap();
}

/// scenario_replay slow unit (an 1,872-year tick with no action): a `hold_until_open`
/// line re-armed its opening at every opening while a dialog waited there, so a dialog
/// that nobody could take fired the line's opening once a week for ever, ~97,000
/// empty firings in one call. Now the opening is armed only while the line is closed
/// and something may have moved its waiting dialogs (a dialog held there, an operator
/// freed, a new schedule): a dialog that waits while the line is open arms nothing, and
/// the opening that finds nobody does not arm the next one.
#[test]
fn a_hold_line_nobody_can_serve_arms_no_opening() {
    let mut engine = engine(
        r##"{"operators": [{"id": "ann", "presence": "offline"}],
             "lines": [{"id": "held", "queue": {"operators": ["ann"]},
                        "schedule": {"timezone": "UTC", "weekly": {"sun": [["10:00", "12:00"]]},
                                     "hold_until_open": true}}]}"##,
    );
    // Saturday: closed, so the dialog is held and the opening is armed.
    let saturday = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    engine
        .handle(
            saturday,
            Input::ClientMessage(ClientMessage::new("held", "h1")),
        )
        .unwrap();
    let opening = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap();
    assert_eq!(engine.next_deadline(), Some(opening));
    // Sunday's opening finds nobody: an ordinary wait, and no next opening.
    let actions = engine.advance(opening).unwrap();
    assert!(
        matches!(
            actions.as_slice(),
            [Action::Queued {
                reason: QueueReason::NobodyAvailable,
                ..
            }]
        ),
        "{actions:?}"
    );
    assert_eq!(engine.next_deadline(), None);
    // A client who writes while the line is open and nobody is there arms nothing.
    engine
        .handle(
            opening + Duration::minutes(5),
            Input::ClientMessage(ClientMessage::new("held", "h2")),
        )
        .unwrap();
    assert_eq!(engine.next_deadline(), None);
    // A thousand years of silence: nothing fires.
    let later = Utc.with_ymd_and_hms(3026, 12, 3, 11, 0, 0).unwrap();
    assert_eq!(engine.advance(later).unwrap(), Vec::new());
    // ann comes online while the line is closed: its next opening serves the first client.
    let monday = Utc.with_ymd_and_hms(3026, 12, 4, 8, 0, 0).unwrap();
    let actions = engine
        .handle(
            monday,
            Input::Presence {
                operator: "ann".into(),
                status: PresenceStatus::Online,
            },
        )
        .unwrap();
    assert_eq!(actions, Vec::new());
    let next_opening = Utc.with_ymd_and_hms(3026, 12, 10, 10, 0, 0).unwrap();
    assert_eq!(engine.next_deadline(), Some(next_opening));
    let actions = engine.advance(next_opening).unwrap();
    assert!(
        matches!(actions.first(), Some(Action::Offer { dialog: 1, .. })),
        "{actions:?}"
    );
    engine.check_consistency().unwrap();
}
