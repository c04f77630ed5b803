//! Property tests over random configs and random timed input streams.
//!
//! The invariants after every step are checked by `openlines::testing::Tracker`, the
//! checker the fuzzers share.
//! After every step: the state is consistent (each open dialog in exactly one state,
//! load counts match, queue membership matches), no dialog is lost (every opened
//! dialog is open or was closed), no queued dialog waits while an eligible operator
//! has room, capacity is never exceeded, no offer goes to an unavailable operator,
//! a rejected input changes nothing, next_deadline is in the future. Across runs: the
//! same inputs give the same actions, and snapshot + restore at any step gives the
//! same future.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::testing::Tracker;
use openlines::{Action, Config, Engine, WithdrawReason};
use proptest::prelude::*;
use serde_json::{Value, json};

const OPERATORS: [&str; 4] = ["ann", "bob", "cid", "dan"];
const CLIENTS: [&str; 5] = ["c1", "c2", "c3", "c4", "c5"];

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

fn line_strategy(
    id: &'static str,
    forward: std::ops::RangeInclusive<u64>,
) -> impl Strategy<Value = Value> {
    (
        (
            proptest::sample::subsequence(OPERATORS.to_vec(), 0..=4),
            prop_oneof![Just("evenly"), Just("strict"), Just("all"), Just("least_busy"), Just("longest_idle")],
            forward,
            any::<bool>(),
            prop_oneof![3 => Just("wait"), 1 => Just("assign_anyway")],
            0u32..=2,
            proptest::sample::subsequence(vec!["answered", "closing"], 0..=2),
            any::<bool>(),
        ),
        (
            prop_oneof![Just("requeue"), Just("send_text"), Just("send_form"), Just("nothing")],
            0u64..=120,
            any::<bool>(),
            any::<bool>(),
            prop_oneof![Just(0u64), 30u64..=200],
            prop_oneof![Just(0u64), 30u64..=200],
            (any::<bool>(), 0u64..=100, any::<bool>(), any::<bool>()),
            (prop_oneof![3 => Just(""), 1 => Just("faq")], 0u64..=100, any::<bool>()),
            prop_oneof![1 => Just(None), 1 => Just(Some(0u64)), 2 => (30u64..=150).prop_map(Some)],
        ),
    )
        .prop_map(move |(routing, auto)| {
            let (operators, distribution, forward, check, nobody, line_max, excludes, prefer) = routing;
            let (no_answer, retry, crm_route, crm_checks, unanswered, auto_close, rating, bot, position) = auto;
            let (rating_on, window, close_on_rating, during) = rating;
            let (bot_id, handoff, every) = bot;
            json!({
                "id": id,
                "queue": {
                    "operators": operators,
                    "distribution": distribution,
                    "forward_after_secs": forward,
                    "check_availability": check,
                    "when_nobody_available": nobody,
                    "max_dialogs": line_max,
                    "load_excludes": excludes,
                    "prefer_previous_operator": prefer,
                    "no_answer": {"action": no_answer, "text": "nobody answered", "form": "contact", "retry_after_secs": retry}
                },
                "crm": {"route_to_responsible": crm_route, "responsible_checks_availability": crm_checks, "create_lead": "auto"},
                "greeting": {"text": "hello"},
                "nobody_available_text": "busy",
                "queue_position": match position {
                    Some(repeat) => json!({"text": "#POSITION# in line, about #WAIT#", "repeat_secs": repeat}),
                    None => json!({}),
                },
                "unanswered": {"after_secs": unanswered, "text": "please wait"},
                "auto_close": {"after_secs": auto_close, "text": "bye"},
                "closing": {"text": "thanks"},
                "rating": {"enabled": rating_on, "text": "rate", "window_secs": window,
                           "close_on_rating": close_on_rating, "during_dialog": during},
                "bot": {"id": bot_id, "handoff_after_secs": handoff, "when": if every { "every_dialog" } else { "first_contact" }},
                "kpi": {"first_response_secs": 90, "next_response_secs": 60, "notify": ["boss"], "text": "#OPERATOR# late on #DIALOG#"}
            })
        })
}

/// Random configs whose offers time out after `forward` seconds.
fn config_strategy(forward: std::ops::RangeInclusive<u64>) -> impl Strategy<Value = Config> {
    (
        proptest::collection::vec(
            (
                0u32..=3,
                proptest::sample::subsequence(vec!["vip", "billing"], 0..=2),
                prop_oneof![4 => Just("online"), 1 => Just("offline"), 1 => Just("away")],
            ),
            4,
        ),
        line_strategy("sales", forward.clone()),
        line_strategy("support", forward),
        prop_oneof![3 => Just(0u32), 1 => Just(1u32)],
    )
        .prop_map(|(ops, sales, support, forget_days)| {
            let operators: Vec<Value> = ops
                .iter()
                .zip(OPERATORS)
                .map(|((max, skills, presence), id)| {
                    json!({"id": id, "max_dialogs": max, "skills": skills, "presence": presence})
                })
                .collect();
            serde_json::from_value(json!({"operators": operators, "lines": [sales, support],
                                          "forget_clients_after_days": forget_days}))
            .unwrap()
        })
}

/// One step: a time delta and an input (None = a tick at the engine's next deadline).
#[derive(Debug, Clone)]
struct Step {
    delta: i64,
    input: Option<Value>,
}

fn op_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![12 => proptest::sample::select(OPERATORS.to_vec()), 1 => Just("zed")]
}

fn dialog_id() -> impl Strategy<Value = u64> {
    prop_oneof![10 => 1u64..=8, 1 => Just(99u64)]
}

fn input_strategy() -> impl Strategy<Value = Option<Value>> {
    let client_message = (
        prop_oneof![8 => Just("sales"), 4 => Just("support"), 1 => Just("nowhere")],
        proptest::sample::select(CLIENTS.to_vec()),
        prop_oneof![4 => Just("hi"), 1 => Just("0")],
        0i32..=2,
        proptest::sample::subsequence(vec!["vip", "billing"], 0..=1),
        prop_oneof![3 => Just(None), 1 => Just(Some(false)), 1 => Just(Some(true))],
        op_name(),
    )
        .prop_map(|(line, client, text, priority, skills, crm, responsible)| {
            let mut m = json!({"type": "client_message", "line": line, "client": client, "text": text,
                               "channel": "telegram", "priority": priority, "skills": skills});
            if let Some(found) = crm {
                m["crm"] = json!({"found": found, "responsible": responsible});
            }
            m
        });
    let dialog_op = |kind: &'static str| {
        (dialog_id(), op_name())
            .prop_map(move |(d, o)| json!({"type": kind, "dialog": d, "operator": o}))
    };
    prop_oneof![
        6 => client_message.prop_map(Some),
        4 => (dialog_id(), op_name(), prop_oneof![5 => Just(false), 1 => Just(true)])
            .prop_map(|(d, o, hidden)| Some(json!({"type": "operator_message", "dialog": d, "operator": o, "hidden": hidden}))),
        4 => dialog_op("accept").prop_map(Some),
        2 => dialog_op("skip").prop_map(Some),
        2 => dialog_op("close").prop_map(Some),
        1 => (dialog_id(), op_name(), op_name())
            .prop_map(|(d, o, t)| Some(json!({"type": "transfer", "dialog": d, "operator": o, "to_operator": t}))),
        1 => (dialog_id(), op_name(), prop_oneof![Just("sales"), Just("support")])
            .prop_map(|(d, o, l)| Some(json!({"type": "transfer", "dialog": d, "operator": o, "to_line": l}))),
        1 => (dialog_id(), op_name(), any::<bool>())
            .prop_map(|(d, o, p)| Some(json!({"type": "pin", "dialog": d, "operator": o, "pinned": p}))),
        1 => (dialog_id(), 0u8..=6).prop_map(|(d, s)| Some(json!({"type": "rate", "dialog": d, "score": s}))),
        5 => (op_name(), prop_oneof![4 => Just("online"), 1 => Just("away"), 1 => Just("break"),
                                     2 => Just("offline"), 1 => Just("vacation"), 1 => Just("dismissed")])
            .prop_map(|(o, s)| Some(json!({"type": "presence", "operator": o, "status": s}))),
        1 => dialog_id().prop_map(|d| Some(json!({"type": "bot_handoff", "dialog": d}))),
        1 => dialog_id().prop_map(|d| Some(json!({"type": "bot_resolved", "dialog": d}))),
        1 => (op_name(), 0u32..=3).prop_map(|(o, m)| Some(json!({"type": "set_operator", "operator": {"id": o, "max_dialogs": m}}))),
        1 => (proptest::sample::subsequence(OPERATORS.to_vec(), 0..=4), prop_oneof![Just("evenly"), Just("all"), Just("least_busy")], 1u32..=2)
            .prop_map(|(ops, mode, max)| Some(json!({"type": "set_line", "line": {"id": "support",
                "queue": {"operators": ops, "distribution": mode, "max_dialogs": max, "forward_after_secs": 45}}}))),
        1 => proptest::sample::select(CLIENTS.to_vec()).prop_map(|c| Some(json!({"type": "forget_client", "client": c}))),
        6 => Just(None),
    ]
}

fn steps_strategy(max: usize) -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (
            prop_oneof![12 => 0i64..=5, 12 => 0i64..=90, 4 => -5i64..=0, 4 => 0i64..=4000, 1 => 40_000i64..=100_000],
            input_strategy(),
        )
            .prop_map(|(delta, input)| Step { delta, input }),
        1..max,
    )
}

/// Outcome of one step, comparable across runs. A rejected input still carries the
/// actions of the timers that fired before it.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Actions(Vec<Action>),
    Rejected(openlines::ErrorKind, Vec<Action>),
}

/// Apply one step to an engine; returns the time the engine committed to (`None` when
/// the engine never saw the step: a time before its clock, or an input that does not
/// parse) and the outcome.
fn apply(engine: &mut Engine, now: DateTime<Utc>, step: &Step) -> (Option<DateTime<Utc>>, Outcome) {
    match &step.input {
        None => {
            // A tick: jump to the next deadline when there is one (quinn-style drive).
            let at = engine
                .next_deadline()
                .unwrap_or(now + Duration::seconds(step.delta.max(0)));
            let at = at.max(now);
            match engine.advance(at) {
                Ok(actions) => (Some(at), Outcome::Actions(actions)),
                Err(e) => (None, Outcome::Rejected(e.kind, e.actions)),
            }
        }
        Some(value) => {
            let at = now + Duration::seconds(step.delta);
            let input = match openlines::json::input_from_str(&value.to_string()) {
                Ok(input) => input,
                Err(e) => return (None, Outcome::Rejected(e.kind, Vec::new())),
            };
            match engine.handle(at, input) {
                Ok(actions) => (Some(at), Outcome::Actions(actions)),
                // Time is committed even when the input is rejected, unless the time
                // itself was refused.
                Err(e) if e.kind == openlines::ErrorKind::TimeWentBackwards => {
                    (None, Outcome::Rejected(e.kind, e.actions))
                }
                Err(e) => (Some(at), Outcome::Rejected(e.kind, e.actions)),
            }
        }
    }
}

fn run(
    config: &Config,
    steps: &[Step],
    snapshot_at: Option<usize>,
) -> Result<Vec<Outcome>, TestCaseError> {
    let mut engine = Engine::new(config.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut now = start();
    let mut outcomes = Vec::with_capacity(steps.len());
    let mut tracker = Tracker::new(config);
    let mut offer_expiry: BTreeMap<u64, DateTime<Utc>> = BTreeMap::new();
    for (i, step) in steps.iter().enumerate() {
        if snapshot_at == Some(i) {
            let bytes = engine.snapshot_bytes();
            let restored =
                Engine::restore_bytes(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(
                restored.snapshot(),
                engine.snapshot(),
                "restore(snapshot) differs"
            );
            engine = restored;
        }
        if i % 5 == 0 {
            spurious_tick_does_nothing(&mut engine, now)?;
        }
        let before = engine.clone();
        let (committed, outcome) = apply(&mut engine, now, step);
        let actions = match &outcome {
            Outcome::Rejected(kind, timer_actions) => {
                // A rejected input is exactly a tick to its time: the timers' effects
                // and actions stand, the input itself changes nothing.
                let mut ticked = before.clone();
                let expected = match committed {
                    Some(at) => ticked
                        .advance(at)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?,
                    None => Vec::new(),
                };
                prop_assert_eq!(
                    &engine.snapshot(),
                    &ticked.snapshot(),
                    "rejected input ({:?}) changed more than a tick would: {:?}",
                    kind,
                    step
                );
                prop_assert_eq!(
                    timer_actions,
                    &expected,
                    "rejected input lost timer actions"
                );
                timer_actions
            }
            Outcome::Actions(actions) => {
                if let (Some(at), Some(value), 0) = (committed, &step.input, i % 3) {
                    // handle(at, x) is exactly advance(at) then handle(at, x).
                    let mut split = before.clone();
                    let mut both = split
                        .advance(at)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let input = openlines::json::input_from_str(&value.to_string())
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    both.extend(
                        split
                            .handle(at, input)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?,
                    );
                    prop_assert_eq!(&both, actions, "advance then handle differs from handle");
                    prop_assert_eq!(split.snapshot(), engine.snapshot());
                }
                actions
            }
        };
        if let Some(at) = committed {
            now = at;
        }
        if let (Outcome::Actions(_), Some(value)) = (&outcome, &step.input)
            && value["type"] == "client_message"
        {
            // No client message is ever dropped: it lives in an open dialog.
            let (line, client) = (value["line"].as_str(), value["client"].as_str());
            prop_assert!(
                engine.open_dialogs().any(|id| engine
                    .dialog(id)
                    .is_some_and(
                        |d| Some(d.line.as_str()) == line && Some(d.client.as_str()) == client
                    )),
                "accepted client message {:?} is in no open dialog",
                value
            );
        }
        let at = now;
        for a in actions {
            match a {
                Action::Offer {
                    dialog, expires_at, ..
                } => {
                    offer_expiry.insert(*dialog, *expires_at);
                }
                Action::OfferWithdrawn {
                    dialog,
                    reason: WithdrawReason::Timeout,
                    ..
                } => {
                    let due = offer_expiry.get(dialog).copied();
                    prop_assert!(
                        due.is_some_and(|due| due <= at),
                        "offer of dialog {} timed out at {} before its expiry {:?}",
                        dialog,
                        at,
                        due
                    );
                }
                _ => {}
            }
        }
        // Load counts can legitimately pass a limit without a routing decision: an
        // admin lowers max_dialogs, or a client writes in a dialog whose answered
        // status was excluded from the load. Routing decisions themselves are checked
        // at decision time by the engine's debug assertions.
        if matches!(&outcome, Outcome::Actions(_))
            && matches!(&step.input, Some(v) if v["type"] == "set_line" || v["type"] == "set_operator")
        {
            tracker.config_changed();
        }
        tracker
            .record(actions)
            .and_then(|()| tracker.check(&engine))
            .map_err(|problem| TestCaseError::fail(format!("after {step:?}: {problem}")))?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// A tick before the next deadline fires nothing and changes nothing but the clock.
fn spurious_tick_does_nothing(
    engine: &mut Engine,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    let Some(deadline) = engine.next_deadline() else {
        return Ok(());
    };
    let at = now + (deadline - now) / 2;
    if at <= now || at >= deadline {
        return Ok(());
    }
    let without_clock = |e: &Engine| {
        let mut v = serde_json::to_value(e.snapshot()).unwrap();
        v["state"]["now"] = Value::Null;
        v
    };
    let before = without_clock(engine);
    let actions = engine
        .advance(at)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(
        actions.is_empty(),
        "a tick before the next deadline acted: {:?}",
        actions
    );
    prop_assert_eq!(
        without_clock(engine),
        before,
        "a spurious tick changed the state"
    );
    prop_assert_eq!(engine.next_deadline(), Some(deadline));
    Ok(())
}

fn cases() -> u32 {
    std::env::var("OPENLINES_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_and_runs_are_deterministic(config in config_strategy(1..=90), steps in steps_strategy(60), cut in 0usize..60) {
        let first = run(&config, &steps, None)?;
        let again = run(&config, &steps, None)?;
        prop_assert_eq!(&first, &again, "same inputs gave different actions");
        let with_snapshot = run(&config, &steps, Some(cut % steps.len()))?;
        prop_assert_eq!(&first, &with_snapshot, "snapshot + restore changed the future");
    }
}

#[test]
fn snapshot_version_is_checked() {
    let engine =
        Engine::new(serde_json::from_value(json!({"lines": [{"id": "sales"}]})).unwrap()).unwrap();
    let mut snapshot: Value = serde_json::to_value(engine.snapshot()).unwrap();
    snapshot["version"] = json!(999);
    let err = Engine::restore_bytes(snapshot.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.kind, openlines::ErrorKind::SnapshotVersion);
    assert!(err.message.contains("999"), "{}", err.message);
    let err = Engine::restore_bytes(b"not a snapshot").unwrap_err();
    assert_eq!(err.kind, openlines::ErrorKind::SnapshotVersion);
}

#[test]
fn snapshots_with_dangling_references_are_refused() {
    let config = json!({"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]});
    let mut engine = Engine::new(serde_json::from_value(config).unwrap()).unwrap();
    let at = start();
    engine
        .handle(
            at,
            openlines::Input::ClientMessage(openlines::ClientMessage::new("sales", "c1")),
        )
        .unwrap();
    let good = serde_json::to_value(engine.snapshot()).unwrap();
    let restored: openlines::Snapshot = serde_json::from_value(good.clone()).unwrap();
    assert!(Engine::restore(restored).is_ok());
    let corruptions: [(&str, Value); 4] = [
        ("/state/dialogs/1/line", json!(7)),
        ("/state/dialogs/1/state/offered/operators/0", json!(9)),
        ("/state/operators/0/config/id", json!("")),
        ("/state/clients/c1/0/line", json!(3)),
    ];
    for (pointer, value) in corruptions {
        let mut bad = good.clone();
        *bad.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer} exists")) = value;
        let snapshot: openlines::Snapshot = serde_json::from_value(bad).unwrap();
        let err = Engine::restore(snapshot).unwrap_err();
        assert_eq!(err.kind, openlines::ErrorKind::SnapshotVersion, "{pointer}");
        assert!(
            err.message.starts_with("snapshot is inconsistent"),
            "{pointer}: {}",
            err.message
        );
    }
}

#[test]
fn snapshots_with_an_orphaned_dialog_are_refused() {
    // Two dialogs; the corrupt copy gives client c1 a second record for the same line
    // (pointing at dialog 1) and takes dialog 2 away from client c2: the number of
    // pointers still matches the number of dialogs, but dialog 2 belongs to no client.
    let config = json!({"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]});
    let mut engine = Engine::new(serde_json::from_value(config).unwrap()).unwrap();
    for client in ["c1", "c2"] {
        engine
            .handle(
                start(),
                openlines::Input::ClientMessage(openlines::ClientMessage::new("sales", client)),
            )
            .unwrap();
    }
    let mut bad = serde_json::to_value(engine.snapshot()).unwrap();
    let record = bad.pointer("/state/clients/c1/0").unwrap().clone();
    bad.pointer_mut("/state/clients/c1")
        .and_then(Value::as_array_mut)
        .unwrap()
        .push(record);
    *bad.pointer_mut("/state/clients/c2/0/open").unwrap() = Value::Null;
    let snapshot: openlines::Snapshot = serde_json::from_value(bad).unwrap();
    let err = Engine::restore(snapshot).unwrap_err();
    assert!(
        err.message.contains("two records for one line"),
        "{}",
        err.message
    );
}

/// How a host drives the clock between its inputs.
#[derive(Debug, Clone, Copy)]
enum Host {
    /// Ticks at every `next_deadline()` up to the next input's time.
    EveryDeadline,
    /// Ticks once a second, on the whole second, whatever is due.
    OnceASecond,
    /// Never ticks: inputs alone drive time.
    Never,
}

/// Everything a host sees, in order: each step's actions, or its error kind with the
/// actions of the timers that fired before it.
fn drive(
    host: Host,
    config: &Config,
    inputs: &[(i64, Value)],
) -> Result<Vec<Outcome>, TestCaseError> {
    let mut engine = Engine::new(config.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut at = start();
    let mut seen = Vec::new();
    let tick = |engine: &mut Engine, to: DateTime<Utc>, seen: &mut Vec<Outcome>| {
        seen.push(Outcome::Actions(
            engine.advance(to).expect("a tick forward is never refused"),
        ));
    };
    for (delta_ms, value) in inputs {
        let next = at + Duration::milliseconds(*delta_ms);
        match host {
            Host::EveryDeadline => {
                while let Some(deadline) = engine.next_deadline().filter(|d| *d <= next) {
                    tick(&mut engine, deadline, &mut seen);
                }
            }
            Host::OnceASecond => {
                let mut second = at.timestamp() + 1;
                while second <= next.timestamp() {
                    tick(
                        &mut engine,
                        DateTime::from_timestamp(second, 0).unwrap(),
                        &mut seen,
                    );
                    second += 1;
                }
            }
            Host::Never => {}
        }
        at = next;
        let input = openlines::json::input_from_str(&value.to_string())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        match engine.handle(at, input) {
            Ok(actions) => seen.push(Outcome::Actions(actions)),
            Err(e) => {
                if !e.actions.is_empty() {
                    seen.push(Outcome::Actions(e.actions));
                }
                seen.push(Outcome::Rejected(e.kind, Vec::new()));
            }
        }
    }
    // Flatten: hosts group timer actions into calls differently; what must agree is
    // the sequence of actions and rejections.
    Ok(flatten(seen))
}

fn flatten(seen: Vec<Outcome>) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = Vec::new();
    for outcome in seen {
        match (out.last_mut(), outcome) {
            (_, Outcome::Actions(more)) if more.is_empty() => {}
            (Some(Outcome::Actions(all)), Outcome::Actions(more)) => all.extend(more),
            (_, outcome) => out.push(outcome),
        }
    }
    out
}

fn input_steps() -> impl Strategy<Value = Vec<(i64, Value)>> {
    proptest::collection::vec(
        (
            prop_oneof![4 => 0i64..=2_500, 3 => 0i64..=90_000, 1 => 0i64..=900_000],
            input_strategy().prop_filter_map("an input, not a tick", |v| v),
        ),
        1..50,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 3, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// The same inputs at the same times give the same actions whether the host
    /// ticks at every deadline, once a second or never. (Gaps stay under the
    /// catch-up bound: 32 offer expiries or queue-position repeats of one dialog per
    /// call, so offers here time out and positions repeat after at least 30 s, and
    /// gaps are at most 15 min.)
    #[test]
    fn host_tick_patterns_give_the_same_actions(config in config_strategy(30..=90), inputs in input_steps()) {
        let every = drive(Host::EveryDeadline, &config, &inputs)?;
        let second = drive(Host::OnceASecond, &config, &inputs)?;
        let never = drive(Host::Never, &config, &inputs)?;
        prop_assert_eq!(&every, &second, "ticking once a second differs from ticking at every deadline");
        prop_assert_eq!(&every, &never, "never ticking differs from ticking at every deadline");
    }
}
