//! Config items that used to be accepted silently are refused at validation, each
//! naming its field: a schedule without `weekly`, a `weekly` without any interval, and
//! form ids over the id length limit.

use openlines::Config;

fn issues(json: &str) -> Vec<String> {
    match Config::from_json(json) {
        Ok(_) => Vec::new(),
        Err(issues) => issues.iter().map(ToString::to_string).collect(),
    }
}

fn line(extra: &str) -> String {
    format!(
        r#"{{"operators": [{{"id": "ann"}}],
            "lines": [{{"id": "sales", "queue": {{"operators": ["ann"]}} {extra}}}]}}"#
    )
}

#[test]
fn a_schedule_without_weekly_is_refused_with_a_hint() {
    let found = issues(&line(r#", "schedule": {"timezone": "Europe/Warsaw"}"#));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(
            "lines[0].schedule.weekly: is required: the open hours per day, \
             e.g. {\"mon\": [[\"09:00\", \"18:00\"]]}; leave out \"schedule\" for a line that is always open"
        ),
        "{}",
        found[0]
    );
}

#[test]
fn a_weekly_without_any_interval_is_refused() {
    let found = issues(&line(r#", "schedule": {"weekly": {"mon": [], "sun": []}}"#));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("lines[0].schedule.weekly: has no open interval"),
        "{}",
        found[0]
    );
    assert!(found[0].contains("\"active\": false"), "{}", found[0]);
    // One interval anywhere is enough.
    assert!(
        issues(&line(
            r#", "schedule": {"weekly": {"mon": [], "sun": [["10:00", "12:00"]]}}"#
        ))
        .is_empty()
    );
}

#[test]
fn form_ids_obey_the_id_length_limit() {
    let long = "f".repeat(257);
    let found = issues(&line(&format!(
        r#", "schedule": {{"weekly": {{"mon": [["09:00", "18:00"]]}},
                           "off_hours": {{"action": "send_form", "form": "{long}"}}}}"#
    )));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("lines[0].schedule.off_hours.form: is 257 bytes long; the limit is 256 (limits.max_id_len)"),
        "{}",
        found[0]
    );
    let found = issues(&format!(
        r#"{{"operators": [{{"id": "ann"}}],
            "lines": [{{"id": "sales", "queue": {{"operators": ["ann"],
                        "no_answer": {{"action": "send_form", "form": "{long}"}}}}}}]}}"#
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("lines[0].queue.no_answer.form: is 257 bytes long"),
        "{}",
        found[0]
    );
    // At the limit, and an unused form left empty, are fine.
    let ok = "f".repeat(256);
    assert!(
        issues(&format!(
            r#"{{"operators": [{{"id": "ann"}}],
            "lines": [{{"id": "sales", "queue": {{"operators": ["ann"],
                        "no_answer": {{"action": "send_form", "form": "{ok}"}}}}}}]}}"#
        ))
        .is_empty()
    );
}

#[test]
fn set_line_and_set_operator_refusals_carry_every_issue_with_its_path() {
    use chrono::{TimeZone, Utc};
    use openlines::{Engine, ErrorKind, json::input_from_str};

    let mut engine = Engine::new(Config::from_json(&line("")).unwrap()).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let bad_line = input_from_str(
        r#"{"type": "set_line", "line": {"id": "support",
            "queue": {"operators": ["ann", "nobody"], "forward_after_secs": 0}}}"#,
    )
    .unwrap();
    let err = engine.handle(at, bad_line).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    let paths: Vec<&str> = err.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths.len(), 2, "{err:?}");
    assert!(paths.contains(&"line.queue.operators[1]"), "{paths:?}");
    assert!(
        paths.contains(&"line.queue.forward_after_secs"),
        "{paths:?}"
    );
    for issue in &err.issues {
        assert!(err.message.contains(&issue.to_string()), "{}", err.message);
    }

    let bad_operator =
        input_from_str(r#"{"type": "set_operator", "operator": {"id": "", "skills": [""]}}"#)
            .unwrap();
    let err = engine.handle(at, bad_operator).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.issues.len() >= 2, "{err:?}");
    assert!(
        err.issues.iter().all(|i| i.path.starts_with("operator")),
        "{err:?}"
    );
    assert!(
        engine.stats("support").is_none(),
        "the refused line was not added"
    );
}
