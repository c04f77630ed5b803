//! The native side of the wasm package's tests (bindings/wasm/tests): the same core
//! engine built for the host, so the tests can compare it with the WebAssembly one.
//!
//! - `native snapshot FILE...`: replays each scenario file (as `openlines replay` does)
//!   and prints one JSON line per file: `{"file", "snapshot": hex}`.
//! - `native restore`: reads such lines on stdin (written by the wasm engine), restores
//!   each snapshot natively and prints `{"file", "snapshot": hex of a new snapshot,
//!   "next_deadline"}`.
//! - `native shapes`: prints the serde JSON of example values of every config field,
//!   input and view, for the TypeScript declarations' check.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use openlines::{Engine, Input};
use serde_json::{Value, json};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn replay(path: &str) -> Engine {
    let text = std::fs::read_to_string(path).expect("scenario file");
    let scenario: Value = serde_json::from_str(&text).expect("scenario JSON");
    let config = openlines_wasm::config_from_json(&scenario["config"].to_string()).expect("config");
    let mut engine = Engine::new(config).expect("engine");
    let mut out = Vec::new();
    for step in scenario["steps"].as_array().expect("steps") {
        let at: DateTime<Utc> = serde_json::from_value(step["at"].clone()).expect("at");
        let input = match step.get("input") {
            None => Ok(Input::Tick),
            Some(value) => openlines::json::input_from_str(&value.to_string()),
        };
        out.clear();
        let _ = engine
            .advance_into(at, &mut out)
            .and(input)
            .and_then(|input| engine.handle_into(at, input, &mut out));
    }
    engine
}

fn shapes() -> Value {
    let mut config = openlines::Config::default();
    config.operators.push(openlines::OperatorConfig::default());
    let mut line = openlines::LineConfig::new("sales");
    let mut schedule = openlines::config::ScheduleConfig::default();
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        schedule.weekly.insert(
            day.to_owned(),
            vec![["09:00".to_owned(), "18:00".to_owned()]],
        );
    }
    line.schedule = Some(schedule);
    line.queue.load_excludes = vec![openlines::config::LoadExclude::Answered];
    config.lines.push(line);
    let client = Input::ClientMessage(openlines::ClientMessage {
        crm: Some(openlines::CrmLookup {
            found: true,
            responsible: Some("ann".into()),
        }),
        ..Default::default()
    });
    json!({"config": config, "client_message": client})
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.first().map(String::as_str) {
        Some("snapshot") => {
            for path in &args[1..] {
                let engine = replay(path);
                let line = json!({"file": path, "snapshot": hex(&engine.snapshot_bytes())});
                writeln!(out, "{line}").expect("stdout");
            }
        }
        Some("restore") => {
            for line in std::io::stdin().lock().lines() {
                let row: Value = serde_json::from_str(&line.expect("stdin")).expect("JSON line");
                let bytes = unhex(row["snapshot"].as_str().expect("snapshot"));
                let reply = match Engine::restore_bytes(&bytes) {
                    Ok(engine) => {
                        json!({"file": row["file"], "snapshot": hex(&engine.snapshot_bytes()),
                                         "next_deadline": engine.next_deadline()})
                    }
                    Err(e) => json!({"file": row["file"], "error": e.to_string()}),
                };
                writeln!(out, "{reply}").expect("stdout");
            }
        }
        Some("shapes") => writeln!(out, "{}", shapes()).expect("stdout"),
        _ => {
            eprintln!("usage: native snapshot FILE... | native restore < lines | native shapes");
            std::process::exit(2);
        }
    }
}
