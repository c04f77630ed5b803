//! A generated replay log of any length: cycles of a client message, its acceptance,
//! its close and a tick, so the engine's state stays small however long the log.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a scenario file of `cycles` * 4 steps to `path`; returns its size in bytes.
pub fn write_log(path: &Path, cycles: usize) -> u64 {
    let file = std::fs::File::create(path).unwrap();
    let mut w = std::io::BufWriter::new(file);
    write!(
        w,
        r#"{{"description": "generated", "config": {{"operators": [{{"id": "ann"}}],
            "lines": [{{"id": "sales", "queue": {{"operators": ["ann"]}}, "closing": {{"text": "Bye"}}}}]}},
          "steps": ["#
    )
    .unwrap();
    let t0 = 1_795_424_400i64; // 2026-11-23T09:00:00Z
    for i in 0..cycles {
        let dialog = i + 1;
        let at = |k: i64| {
            chrono::DateTime::from_timestamp(t0 + (i as i64) * 10 + k, 0)
                .unwrap()
                .to_rfc3339()
        };
        if i > 0 {
            w.write_all(b",\n").unwrap();
        }
        write!(
            w,
            r#"{{"at": "{}", "input": {{"type": "client_message", "line": "sales", "client": "c{}", "text": "hello"}}}},
{{"at": "{}", "input": {{"type": "accept", "dialog": {dialog}, "operator": "ann"}}}},
{{"at": "{}", "input": {{"type": "close", "dialog": {dialog}, "operator": "ann"}}}},
{{"at": "{}"}}"#,
            at(0),
            i % 50,
            at(1),
            at(2),
            at(3)
        )
        .unwrap();
    }
    w.write_all(b"]}\n").unwrap();
    w.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// A scratch file path for this test process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openlines-replay-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
