//! `openlines validate` as a person runs it: every problem of a config, one per line.

use std::process::Command;

#[test]
fn validate_prints_every_problem_with_its_path() {
    // Four problems of four kinds; before, only the first was printed.
    let dir = std::env::temp_dir().join(format!("openlines-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.json");
    std::fs::write(
        &file,
        "\u{feff}{\"operators\": [{\"id\": \"ann\", \"max_dialogs\": \"3\"}],
 \"lines\": [{\"id\": \"s\", \"queue\": {\"distribution\": \"evenlyy\"}, \"greting\": {},
   \"schedule\": {\"weekly\": {\"mon\": [[\"09:00\", \"12:00\", \"13:00\"]]}}}]}",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_openlines"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let name = file.display().to_string();
    let lines: Vec<&str> = stdout
        .lines()
        .map(|l| l.strip_prefix(&name).unwrap().strip_prefix(": ").unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "operators[0].max_dialogs: \"3\" is not a whole number (0 or more)",
            "lines[0].queue.distribution: \"evenlyy\" is not one of evenly, strict, all, least_busy, longest_idle",
            "lines[0].greting: unknown field \"greting\", expected one of id, active, queue, crm, schedule, greeting, consent, unanswered, nobody_available_text, queue_position, auto_close, closing, rating, bot, kpi",
            "lines[0].schedule.weekly.mon[0]: [\"09:00\",\"12:00\",\"13:00\"] is not an interval: two times of day, e.g. [\"09:00\", \"18:00\"]",
        ]
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .ends_with("4 problem(s)\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
