//! `openlines simulate` and `openlines staff` through the command's own parser and
//! functions, on the files of examples/simulation/.

use std::path::PathBuf;

use clap::Parser;
use openlines_cli::args::{Cli, Command, SimulateArgs, StaffArgs};
use serde_json::Value;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/simulation")
        .join(name)
        .display()
        .to_string()
}

fn simulate_args(args: &[&str]) -> SimulateArgs {
    let all = ["openlines", "simulate"]
        .into_iter()
        .chain(args.iter().copied());
    match Cli::try_parse_from(all).unwrap().command {
        Command::Simulate(a) => a,
        other => panic!("{other:?}"),
    }
}

fn staff_args(args: &[&str]) -> StaffArgs {
    let all = ["openlines", "staff"]
        .into_iter()
        .chain(args.iter().copied());
    match Cli::try_parse_from(all).unwrap().command {
        Command::Staff(a) => a,
        other => panic!("{other:?}"),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openlines-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn the_built_in_day_prints_its_summary() {
    let out = openlines_cli::simulate::run(&simulate_args(&[])).unwrap();
    assert!(out.starts_with("openlines simulate: one working day (Mon 2026-11-23), 8 operators"));
    for section in [
        "a typical one: its wait for an operator",
        "\nDialogs\n  opened                      400",
        "Wait for an operator",
        "First response",
        "Per operator",
        "Engine: ",
    ] {
        assert!(out.contains(section), "missing {section:?}");
    }
}

/// The trace lines of a simulate text: `  HH:MM:SS+HH:MM  input` and `-> action`.
fn trace_lines(out: &str) -> Vec<&str> {
    out.lines()
        .skip_while(|l| !l.starts_with("Input by input") && !l.contains("input by input ("))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_trace_shows_a_typical_dialog_and_says_why() {
    let out = openlines_cli::simulate::run(&simulate_args(&[])).unwrap();
    let day = openlines_sim::simulate_day(&openlines_sim::DayParams::default()).unwrap();
    let (id, wait) = openlines_cli::simulate::typical_dialog(&day).unwrap();
    // The median wait: as many assigned dialogs waited less as waited more (give or
    // take the ties and the middle one).
    let mut waits = day.summary.waits.clone();
    waits.sort_unstable();
    assert_eq!(wait, waits[(waits.len() - 1) / 2]);
    assert!(
        out.contains(&format!(
            "Dialog {id}, a typical one: its wait for an operator"
        )),
        "{out}"
    );
    let trace = trace_lines(&out);
    assert!(
        trace[0].contains(&format!("-> dialog_opened dialog={id} "))
            || trace[1].contains(&format!("dialog_opened dialog={id} ")),
        "{trace:#?}"
    );
    // Every dialog id in the trace is the traced one.
    for line in &trace {
        if let Some(rest) = line.split("dialog=").nth(1) {
            assert!(
                rest.starts_with(&format!("{id} ")) || rest == id.to_string(),
                "{line}"
            );
        }
    }
}

#[test]
fn every_trace_line_is_in_one_zone_with_its_offset() {
    let out = openlines_cli::simulate::run(&simulate_args(&["--trace-dialog", "1"])).unwrap();
    assert!(
        out.contains("Dialog 1 (chosen with --trace-dialog 1)"),
        "{out}"
    );
    assert!(
        out.contains("times in Europe/Warsaw, UTC offset shown"),
        "{out}"
    );
    let trace = trace_lines(&out);
    assert!(trace.len() > 3, "{out}");
    for line in trace {
        // No UTC `Z` time beside local ones: every time carries the zone's offset
        // (November in Warsaw: +01:00).
        assert!(!line.contains("Z "), "{line}");
        assert!(!line.trim_end().ends_with('Z'), "{line}");
        if let Some(at) = line.split("expires_at=").nth(1) {
            assert!(
                at.starts_with(|c: char| c.is_ascii_digit()) && at.contains("+01:00"),
                "{line}"
            );
        }
        if !line.trim_start().starts_with("->") {
            assert_eq!(&line[10..16], "+01:00", "{line}");
        }
    }
    let none = openlines_cli::simulate::run(&simulate_args(&["--trace-dialog", "0"])).unwrap();
    assert!(!none.contains("input by input"), "{none}");
    let missing =
        openlines_cli::simulate::run(&simulate_args(&["--trace-dialog", "100000"])).unwrap();
    assert!(
        missing.contains(
            "Dialog 100000 (--trace-dialog 100000) was not opened: the day opened 400 dialogs"
        ),
        "{missing}"
    );
}

#[test]
fn text_and_report_name_undelivered_dialogs_alike_and_wall_time_as_such() {
    let text = openlines_cli::simulate::run(&simulate_args(&[])).unwrap();
    let json: Value =
        serde_json::from_str(&openlines_cli::simulate::run(&simulate_args(&["--json"])).unwrap())
            .unwrap();
    let never = json["runs"][0]["summary"]["never_assigned"]
        .as_u64()
        .unwrap();
    assert!(
        text.contains(&format!("  never assigned         {never:>8}")),
        "{text}"
    );
    assert!(!text.contains("midnight"), "{text}");
    assert!(text.contains("Wall-clock time of this run: "), "{text}");
    assert!(!text.contains("simulated host time"), "{text}");
}

#[test]
fn operator_model_flags_are_refused_for_the_built_in_day() {
    let e = openlines_cli::simulate::run(&simulate_args(&["--handling-secs", "60"])).unwrap_err();
    assert!(e.contains("apply to --arrivals"), "{e}");
}

#[test]
fn the_built_in_day_as_json_matches_its_text() {
    let text = openlines_cli::simulate::run(&simulate_args(&[])).unwrap();
    let json: Value =
        serde_json::from_str(&openlines_cli::simulate::run(&simulate_args(&["--json"])).unwrap())
            .unwrap();
    let run = &json["runs"][0];
    assert_eq!(run["name"], "built-in day");
    assert_eq!(run["summary"]["dialogs"], 400);
    // The text's wait count is the JSON's assigned count.
    let assigned = 400 - run["summary"]["never_assigned"].as_u64().unwrap();
    assert!(
        text.contains(&format!("(opening to assignment, {assigned} dialogs)")),
        "{assigned}"
    );
    assert_eq!(run["summary"]["operators"].as_array().unwrap().len(), 8);
}

#[test]
fn history_with_compare_runs_the_same_arrivals_through_both() {
    let args = [
        "--config",
        &example("support.json"),
        "--compare",
        &example("least-busy-3.json"),
        "--arrivals",
        &example("arrivals.csv"),
        "--json",
    ];
    let json: Value =
        serde_json::from_str(&openlines_cli::simulate::run(&simulate_args(&args)).unwrap())
            .unwrap();
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["name"], "support.json");
    assert_eq!(runs[1]["name"], "least-busy-3.json");
    for r in runs {
        let opened = r["summary"]["dialogs"].as_u64().unwrap();
        let joined = r["joined"].as_u64().unwrap();
        assert_eq!(opened + joined, 930, "every CSV row arrives once");
    }
    // Three dialogs per operator instead of two, least busy first: shorter waits.
    let p90 = |r: &Value| r["summary"]["wait"]["p90"].as_f64().unwrap();
    assert!(
        p90(&runs[1]) < p90(&runs[0]) / 2.0,
        "{} vs {}",
        p90(&runs[1]),
        p90(&runs[0])
    );
    // The text shows both side by side.
    let text = openlines_cli::simulate::run(&simulate_args(&args[..6])).unwrap();
    assert!(text.contains("support.json") && text.contains("least-busy-3.json"));
    assert!(text.contains("wait p50 / p90 / max"));
}

#[test]
fn a_bad_csv_row_stops_before_simulating() {
    let csv = scratch("bad.csv");
    std::fs::write(
        &csv,
        "time,line,handling_secs\n2026-11-23 09:00,support,60\n2026-11-23 09:01,support,ten\n",
    )
    .unwrap();
    let report = scratch("never.html");
    let _ = std::fs::remove_file(&report);
    let args = simulate_args(&[
        "--config",
        &example("support.json"),
        "--arrivals",
        csv.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let e = openlines_cli::simulate::run(&args).unwrap_err();
    assert!(e.contains("row 3, column handling_secs"), "{e}");
    assert!(!report.exists(), "nothing is simulated or written");
    // A line the second config lacks is a bad row too.
    std::fs::write(&csv, "time,line\n2026-11-23 09:00,support\n").unwrap();
    let other = scratch("other.json");
    std::fs::write(
        &other,
        r#"{"operators": [{"id": "a"}], "lines": [{"id": "sales", "queue": {"operators": ["a"]}}]}"#,
    )
    .unwrap();
    let args = simulate_args(&[
        "--config",
        &example("support.json"),
        "--compare",
        other.to_str().unwrap(),
        "--arrivals",
        csv.to_str().unwrap(),
    ]);
    let e = openlines_cli::simulate::run(&args).unwrap_err();
    assert!(e.contains("row 2, column line"), "{e}");
}

#[test]
fn rows_out_of_time_order_are_sorted_with_a_warning() {
    let csv = scratch("unsorted.csv");
    std::fs::write(
        &csv,
        "time,line\n2026-11-23 09:10,support\n2026-11-23 09:00,support\n2026-11-23 09:20,support\n",
    )
    .unwrap();
    let args = simulate_args(&[
        "--config",
        &example("support.json"),
        "--arrivals",
        csv.to_str().unwrap(),
        "--json",
    ]);
    let json: Value = serde_json::from_str(&openlines_cli::simulate::run(&args).unwrap()).unwrap();
    let warning = json["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("first: row 3") && warning.contains("sorted by time"),
        "{warning}"
    );
    assert_eq!(json["runs"][0]["summary"]["dialogs"], 3);
}

#[test]
fn staff_per_hour_answers_every_hour_and_reports() {
    let report = scratch("staff.html");
    let args = staff_args(&[
        "--config",
        &example("support.json"),
        "--per-hour",
        "0,30,60",
        "--start-hour",
        "9",
        "--target",
        "p90_wait<=60s",
        "--seeds",
        "2",
        "--warmup-hours",
        "1",
        "--json",
        "--report",
        report.to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_str(&openlines_cli::staff::run(&args).unwrap()).unwrap();
    let hours = json["plan"]["hours"].as_array().unwrap();
    let labels: Vec<&str> = hours.iter().map(|h| h["hour"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        ["2026-11-23 09:00", "2026-11-23 10:00", "2026-11-23 11:00"]
    );
    let needed: Vec<u64> = hours
        .iter()
        .map(|h| h["operators"].as_u64().unwrap())
        .collect();
    assert_eq!(needed[0], 0);
    assert!(needed[1] >= 1 && needed[2] > needed[1], "{needed:?}");
    for h in &hours[1..] {
        let curve = h["curve"].as_array().unwrap();
        let at = curve
            .iter()
            .find(|c| c["operators"] == h["operators"])
            .unwrap();
        assert_eq!(at["met"], true);
        assert!(at["value"].as_f64().unwrap() <= 60.0);
    }
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Operators needed per hour") && html.contains("Hourly staffing"));
    assert!(html.contains("<td>2026-11-23 11:00</td>"));
    // Then the whole day with the plan as its roster: operators online follow the plan.
    assert!(html.contains("The day staffed as planned"));
    assert!(html.contains("Queue length and operators online over the day"));
    let timeline = json["planned_day"]["summary"]["timeline"]
        .as_array()
        .unwrap();
    let most = timeline
        .iter()
        .map(|p| p["online"].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(most, needed[2]);
    let served = json["planned_day"]["summary"]["dialogs"].as_u64().unwrap()
        - json["planned_day"]["summary"]["never_assigned"]
            .as_u64()
            .unwrap();
    assert!(served > 0);
}

#[test]
fn the_simulate_report_is_one_self_contained_page() {
    let report = scratch("simulate.html");
    let args = simulate_args(&[
        "--config",
        &example("support.json"),
        "--compare",
        &example("least-busy-3.json"),
        "--arrivals",
        &example("arrivals.csv"),
        "--report",
        report.to_str().unwrap(),
    ]);
    openlines_cli::simulate::run(&args).unwrap();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for absent in ["<script", " src=", " href=", "url("] {
        assert!(!html.contains(absent), "{absent}");
    }
    // Queue/online, waits by hour, first response by hour, two per-operator charts.
    assert_eq!(html.matches("<svg").count(), 5);
    for title in [
        "Key figures",
        "Queue length and operators online over the day",
        "Wait for an operator by hour",
        "First response by hour",
        "Per-operator load",
    ] {
        assert!(html.contains(title), "{title}");
    }
    // Both configs on the same axes.
    assert!(html.contains("p90: support.json (first)"));
    assert!(html.contains("p90: least-busy-3.json (second)"));
}
