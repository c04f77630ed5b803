//! The staffing search against queueing theory: on configs that reduce to M/M/c
//! (one line, one dialog per operator, immediate accept, exponential handling, Poisson
//! arrivals) it finds the operator counts Erlang C gives; with `max_dialogs` k > 1
//! and independent chats, those of M/M/(c·k).

use chrono::{TimeZone, Utc};
use openlines::Config;
use openlines_sim::erlang;
use openlines_sim::staff::{StaffParams, Traffic, staff};
use openlines_sim::{OperatorModel, Target};

const HANDLING_SECS: f64 = 120.0;

/// One line, `max_dialogs` chats per operator, offers that never time out.
fn config(max_dialogs: u32) -> Config {
    Config::from_json(&format!(
        r#"{{"operators": [{{"id": "op"}}],
            "lines": [{{"id": "chat", "queue": {{"operators": ["op"], "distribution": "least_busy",
                        "max_dialogs": {max_dialogs}, "forward_after_secs": 1800}}}}]}}"#
    ))
    .unwrap()
}

/// Immediate accept, exponential handling, one operator message (at the close).
fn mmc_model() -> OperatorModel {
    OperatorModel {
        accept_secs: (0.0, 0.0),
        handling_secs: HANDLING_SECS,
        fixed_handling: false,
        reply_every_secs: 0.0,
    }
}

fn params(max_dialogs: u32, target: &str) -> StaffParams {
    StaffParams {
        config: config(max_dialogs),
        model: mmc_model(),
        target: target.parse().unwrap(),
        seeds: 6,
        seed: 11,
        warmup_hours: 3,
        max_operators: 60,
        tz: chrono_tz::UTC,
    }
}

/// Per hour: (simulated operators, Erlang's operators).
fn compare(max_dialogs: u32, target: &str, per_hour: &[f64]) -> Vec<(Option<u32>, Option<u32>)> {
    let p = params(max_dialogs, target);
    let traffic = Traffic::PerHour {
        start: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap(),
        counts: per_hour.to_vec(),
        line: "chat".to_owned(),
    };
    let plan = staff(&p, &traffic).unwrap();
    assert_eq!(plan.hours.len(), per_hour.len());
    plan.hours
        .iter()
        .zip(per_hour)
        .map(|(h, &rate)| {
            let expected = erlang::operators_needed(
                rate / 3600.0,
                HANDLING_SECS,
                max_dialogs,
                &p.target,
                p.max_operators,
            );
            // The plan's own Erlang column is the same computation on the drawn traffic.
            assert!(h.erlang_c.is_some());
            // The curve brackets the answer: one count fewer misses the target.
            if let Some(n) = h.operators.filter(|n| *n > 1) {
                let below = h.curve.iter().find(|c| c.operators == n - 1).unwrap();
                assert!(!below.met, "{h:?}");
            }
            (h.operators, expected)
        })
        .collect()
}

fn assert_agrees(got: Vec<(Option<u32>, Option<u32>)>) {
    for (sim, theory) in &got {
        assert!(theory.is_some());
        assert_eq!(sim, theory, "simulated vs Erlang C, per hour: {got:?}");
    }
}

#[test]
fn one_chat_per_operator_agrees_with_erlang_c() {
    // 150 and 300 chats an hour of 120 s: 5 and 10 Erlangs; p90 wait 60 s needs 8 and
    // 13 operators by Erlang C (one fewer: p90 71 s and 90 s; these: 21 s and 42 s).
    let got = compare(1, "p90_wait<=60s", &[150.0, 300.0]);
    assert_eq!(
        got.iter().map(|g| g.1).collect::<Vec<_>>(),
        [Some(8), Some(13)]
    );
    assert_agrees(got);
}

#[test]
fn mean_wait_target_agrees_with_erlang_c() {
    let got = compare(1, "mean_wait<=20s", &[300.0]);
    assert_eq!(got[0].1, Some(13));
    assert_agrees(got);
}

#[test]
fn simulated_mean_waits_follow_the_erlang_c_curve() {
    let p = params(1, "mean_wait<=20s");
    let traffic = Traffic::PerHour {
        start: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap(),
        counts: vec![300.0],
        line: "chat".to_owned(),
    };
    let plan = staff(&p, &traffic).unwrap();
    let stable: Vec<_> = plan.hours[0]
        .curve
        .iter()
        .filter(|c| c.operators >= 11)
        .collect();
    assert!(stable.len() >= 3, "{stable:?}");
    for point in stable {
        let theory = erlang::mean_wait(point.operators, 300.0 / 3600.0, HANDLING_SECS);
        let tolerance = (0.25 * theory).max(3.0);
        assert!(
            (point.value - theory).abs() <= tolerance,
            "{} operators: simulated mean wait {:.1} s, Erlang C {theory:.1} s",
            point.operators,
            point.value
        );
    }
}

#[test]
fn k_chats_per_operator_agree_with_erlang_c_on_c_times_k_servers() {
    // 300 an hour of 120 s needs 13 servers: 7 operators of 2 chats, 5 of 3.
    let two = compare(2, "p90_wait<=60s", &[300.0]);
    assert_eq!(two[0].1, Some(7));
    assert_agrees(two);
    let three = compare(3, "p90_wait<=60s", &[300.0]);
    assert_eq!(three[0].1, Some(5));
    assert_agrees(three);
}

#[test]
fn a_quiet_hour_needs_nobody_and_the_target_is_kept() {
    let p = params(1, "p90_wait<=60s");
    let traffic = Traffic::PerHour {
        start: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap(),
        counts: vec![0.0, 60.0],
        line: "chat".to_owned(),
    };
    let plan = staff(&p, &traffic).unwrap();
    assert_eq!(plan.hours[0].operators, Some(0));
    assert!(plan.hours[0].curve.is_empty());
    assert_eq!(plan.target, "p90_wait<=60s");
    let busy = &plan.hours[1];
    assert_eq!(busy.hour, "2026-11-23 09:00");
    // The curve falls as operators are added.
    let values: Vec<f64> = busy.curve.iter().map(|c| c.value).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    let _: Target = p.target;
}
