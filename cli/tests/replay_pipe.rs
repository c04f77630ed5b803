//! `openlines replay FILE | head -1`: the closed pipe ends the replay quietly, exit 0.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_replay_quietly_with_exit_0() {
    let path = common::scratch("pipe.json");
    // Far more output than a pipe buffers, so the writes meet the closed pipe.
    common::write_log(&path, 20_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_openlines"))
        .arg("replay")
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with(r#"{"step":0,"#), "{first}");
    // The reader is dropped here: the pipe is closed, like `head -1` exiting.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn check_still_reports_per_step_mismatches_and_exit_1() {
    let path = common::scratch("check.json");
    std::fs::write(
        &path,
        r#"{"config": {"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]},
            "steps": [{"at": "2026-11-23T09:00:00Z", "input": {"type": "client_message", "line": "sales", "client": "c"},
                       "expect": [{"type": "dialog_opened", "dialog": 1}, {"type": "queued"}]}]}"#,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_openlines"))
        .args(["replay", "--check"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1 step(s) do not match"), "{stderr}");
    assert!(
        stderr.contains("missing: {\"type\":\"queued\"}"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
    std::fs::remove_file(&path).ok();
}
