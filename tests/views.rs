//! The read-only views: `dialog`, `operator`, `queue`, `stats`, `explain`, and the
//! config errors people read.

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{
    ClientMessage, Config, Decision, Engine, ErrorKind, Input, PresenceStatus, QueueReason, Verdict,
};
use serde_json::json;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::seconds(secs)
}

fn engine(config: serde_json::Value) -> Engine {
    Engine::new(serde_json::from_value::<Config>(config).unwrap()).unwrap()
}

fn message(client: &str) -> Input {
    Input::ClientMessage(ClientMessage::new("sales", client))
}

fn op(kind: &str, dialog: u64, operator: &str) -> Input {
    openlines::json::input_from_str(
        &json!({"type": kind, "dialog": dialog, "operator": operator}).to_string(),
    )
    .unwrap()
}

fn presence(operator: &str, status: PresenceStatus) -> Input {
    Input::Presence {
        operator: operator.into(),
        status,
    }
}

fn verdicts(engine: &Engine, dialog: u64) -> Vec<(String, Verdict)> {
    engine
        .explain(dialog)
        .unwrap()
        .operators
        .into_iter()
        .map(|e| (e.operator, e.verdict))
        .collect()
}

#[test]
fn explain_names_each_queue_operator_and_why() {
    let mut e = engine(json!({
        "operators": [{"id": "ann", "max_dialogs": 1}, {"id": "bob", "skills": ["billing"]},
                      {"id": "cid", "skills": ["billing"]}, {"id": "dan", "skills": ["billing"]}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob", "cid", "dan"], "distribution": "evenly"}}]
    }));
    e.handle(t(0), message("c1")).unwrap(); // dialog 1 -> ann (now at capacity)
    e.handle(t(1), presence("cid", PresenceStatus::Break))
        .unwrap();
    let mut m = ClientMessage::new("sales", "c2");
    m.skills = vec!["billing".into()];
    e.handle(t(2), Input::ClientMessage(m)).unwrap(); // dialog 2 -> bob
    let explained = e.explain(2).unwrap();
    assert_eq!(explained.decision, Decision::Offer);
    assert_eq!(explained.line, "sales");
    assert_eq!(
        verdicts(&e, 2),
        vec![
            ("ann".into(), Verdict::AtCapacity),
            ("bob".into(), Verdict::Chosen),
            ("cid".into(), Verdict::Unavailable),
            ("dan".into(), Verdict::NotNextInRotation),
        ]
    );
    // bob skips: the next decision shows him as skipped this cycle.
    e.handle(t(3), op("skip", 2, "bob")).unwrap();
    assert_eq!(
        verdicts(&e, 2),
        vec![
            ("ann".into(), Verdict::AtCapacity),
            ("bob".into(), Verdict::SkippedThisCycle),
            ("cid".into(), Verdict::Unavailable),
            ("dan".into(), Verdict::Chosen),
        ]
    );
    // A dialog needing a skill nobody free has.
    let mut m = ClientMessage::new("sales", "c3");
    m.skills = vec!["legal".into()];
    e.handle(t(4), Input::ClientMessage(m)).unwrap();
    let explained = e.explain(3).unwrap();
    assert_eq!(explained.decision, Decision::NobodyAvailable);
    assert!(
        explained
            .operators
            .iter()
            .any(|x| x.operator == "bob" && x.verdict == Verdict::LacksSkill)
    );
    assert!(e.explain(99).is_none());
}

#[test]
fn explain_records_crm_and_previous_operator_decisions() {
    let mut e = engine(json!({
        "operators": [{"id": "ann"}, {"id": "bob"}, {"id": "boss"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"], "prefer_previous_operator": true}}]
    }));
    let mut m = ClientMessage::new("sales", "c1");
    m.crm = Some(openlines::CrmLookup {
        found: true,
        responsible: Some("boss".into()),
    });
    e.handle(t(0), Input::ClientMessage(m)).unwrap();
    let explained = e.explain(1).unwrap();
    assert_eq!(explained.decision, Decision::CrmResponsible);
    assert_eq!(explained.operators[0].operator, "boss");
    assert_eq!(explained.operators[0].verdict, Verdict::Chosen);
    assert!(
        explained.operators[1..]
            .iter()
            .all(|x| x.verdict == Verdict::NotConsidered)
    );
    e.handle(t(1), op("close", 1, "boss")).unwrap();
    e.handle(t(2), message("c1")).unwrap();
    assert_eq!(e.explain(2).unwrap().decision, Decision::PreviousOperator);
}

#[test]
fn stats_count_live_states_and_closed_totals() {
    let mut e = engine(json!({
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"]},
                   "unanswered": {"after_secs": 60},
                   "rating": {"enabled": true, "window_secs": 600}}]
    }));
    e.handle(t(0), message("c1")).unwrap(); // 1 offered to ann
    e.handle(t(1), message("c2")).unwrap(); // 2 offered to bob
    e.handle(t(2), op("operator_message", 1, "ann")).unwrap(); // ann answers after 2 s
    e.handle(t(3), presence("bob", PresenceStatus::Offline))
        .unwrap(); // 2 -> ann
    let s = e.stats("sales").unwrap();
    assert_eq!(
        (s.open, s.offered, s.assigned, s.queued, s.closed),
        (2, 1, 1, 0, 0)
    );
    assert_eq!(s.operator_load.get("ann"), Some(&2));
    assert_eq!(s.avg_first_response_secs, None);
    e.handle(t(10), op("close", 1, "ann")).unwrap(); // closing (rating window)
    e.handle(
        t(11),
        Input::Rate {
            dialog: 1,
            score: 4,
        },
    )
    .unwrap(); // closed, rated
    e.handle(t(100), op("operator_message", 2, "ann")).unwrap(); // 2 was unanswered at 61 s
    e.handle(t(101), op("close", 2, "ann")).unwrap();
    e.advance(t(101 + 600)).unwrap(); // rating window passes
    let s = e.stats("sales").unwrap();
    assert_eq!((s.open, s.closed, s.ratings), (0, 2, 1));
    assert_eq!(s.avg_rating, Some(4.0));
    assert_eq!(s.max_first_response_secs, Some(99));
    assert_eq!(s.avg_first_response_secs, Some((2.0 + 99.0) / 2.0));
    assert_eq!(s.unanswered_share, Some(0.5));
    assert!(e.stats("nowhere").is_none());
}

#[test]
fn dialog_operator_and_queue_views() {
    let mut e = engine(json!({
        "operators": [{"id": "ann", "max_dialogs": 1}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]
    }));
    e.handle(t(0), message("c1")).unwrap();
    e.handle(t(1), op("accept", 1, "ann")).unwrap();
    let mut vip = ClientMessage::new("sales", "c2");
    vip.priority = 5;
    e.handle(t(2), message("c3")).unwrap();
    e.handle(t(3), Input::ClientMessage(vip)).unwrap();
    let d = e.dialog(1).unwrap();
    assert_eq!(
        (
            d.status.as_str(),
            d.substatus.as_deref(),
            d.operator.as_deref()
        ),
        ("assigned", Some("awaiting_operator"), Some("ann"))
    );
    let o = e.operator("ann").unwrap();
    assert_eq!((o.load, o.dialogs.clone()), (1, vec![1]));
    let q = e.queue("sales").unwrap();
    let order: Vec<u64> = q.waiting.iter().map(|w| w.dialog).collect();
    assert_eq!(order, vec![3, 2], "higher priority first, then age");
    assert!(
        q.waiting
            .iter()
            .all(|w| w.reason == QueueReason::NobodyAvailable)
    );
    assert!(e.dialog(42).is_none() && e.operator("zed").is_none() && e.queue("nowhere").is_none());
}

#[test]
fn a_rejected_input_is_a_tick_and_keeps_its_timers_actions() {
    let config = json!({
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"], "forward_after_secs": 60}}]
    });
    let mut e = engine(config.clone());
    e.handle(t(0), message("c1")).unwrap();
    let mut ticked = Engine::restore(e.snapshot()).unwrap();
    // ann's offer expired at t(60): by t(65) the dialog is offered to bob, so ann may not accept.
    let err = e.handle(t(65), op("accept", 1, "ann")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAllowed);
    assert!(err.message.contains("offered to bob"), "{}", err.message);
    // Time is committed: the expiry fired and its actions travel inside the error;
    // the state is exactly what a tick to t(65) makes.
    let tick = ticked.advance(t(65)).unwrap();
    assert_eq!(err.actions, tick);
    assert_eq!(err.actions.len(), 2);
    assert_eq!(e.snapshot(), ticked.snapshot());
    assert_eq!(e.dialog(1).unwrap().offered_to, vec!["bob".to_string()]);
    assert!(e.advance(t(65)).unwrap().is_empty(), "nothing fires twice");
    // handle_into leaves them in the caller's buffer (after what it already held).
    let mut e = engine(config);
    e.handle(t(0), message("c1")).unwrap();
    let mut buf = vec![openlines::Action::MarkUnanswered { dialog: 99 }];
    let err = e
        .handle_into(t(65), op("accept", 1, "ann"), &mut buf)
        .unwrap_err();
    assert!(err.actions.is_empty(), "in the buffer, not in the error");
    assert_eq!(buf.len(), 3);
    assert_eq!(buf[1..], tick[..]);
}

#[test]
fn config_errors_name_every_field() {
    let issues = Config::from_json(
        r#"{"operators": [{"id": "ann"}, {"id": "ann"}],
            "lines": [{"id": "sales", "queue": {"operators": ["ann", "zed"], "forward_after_secs": 0},
                       "schedule": {"timezone": "Mars/Olympus", "weekly": {"mon": [["09:00", "25:00"]]}}}]}"#,
    )
    .unwrap_err();
    let text: Vec<String> = issues.iter().map(ToString::to_string).collect();
    for expected in [
        "operators[1].id: duplicate operator id \"ann\"",
        "lines[0].queue.operators[1]: unknown operator \"zed\"",
        "lines[0].queue.forward_after_secs: must be at least 1 (got 0)",
        "lines[0].schedule.timezone: unknown time zone \"Mars/Olympus\"",
        "lines[0].schedule.weekly.mon[0][1]",
    ] {
        assert!(
            text.iter().any(|t| t.starts_with(expected)),
            "missing {expected:?} in {text:#?}"
        );
    }
    let err = Engine::new(Config {
        lines: vec![openlines::LineConfig::new("")],
        ..Config::default()
    })
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidConfig);
    assert!(
        err.message.contains("lines[0].id: must not be empty"),
        "{}",
        err.message
    );
}
