//! `openlines replay` streams: replaying a 200,000-step log needs a small, fixed
//! amount of memory, not memory in proportion to the log (measured in-process with
//! the command's counting allocator; this file holds this one test, so nothing else
//! allocates meanwhile).

mod common;

use openlines_cli::bench::counting_with_peak;

#[test]
fn replaying_a_long_log_keeps_memory_flat() {
    let path = common::scratch("long.json");
    let size = common::write_log(&path, 50_000); // 200,000 steps
    assert!(size > 15_000_000, "{size}");
    let file = std::fs::File::open(&path).unwrap();
    let (outcome, _, peak) = counting_with_peak(|| {
        openlines_cli::replay::replay(file, &mut std::io::sink(), true).unwrap()
    });
    assert_eq!(outcome.steps, 200_000);
    assert!(outcome.problems.is_empty());
    // The whole-file replay held the text, every step and every result: more than the
    // file's size. Streaming holds one step, the engine (50 remembered clients) and a
    // read buffer.
    println!("peak {peak} bytes for a {size}-byte log");
    assert!(peak < 2_000_000, "peak {peak} bytes for a {size}-byte log");
    std::fs::remove_file(&path).ok();
}
