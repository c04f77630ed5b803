//! Opens N waiting dialogs (the background of `openlines bench`) and exits: a workload
//! for heap profilers. `scripts/profile.sh memory` runs it under valgrind's DHAT and
//! groups the blocks still live at the end by the engine subsystem that allocated them.
//!
//!     cargo run --release -p openlines-cli --example open_dialogs -- 100000

use openlines_cli::bench::BackgroundEngine;

fn main() -> Result<(), String> {
    let n: usize = match std::env::args().nth(1) {
        Some(text) => text.parse().map_err(|_| format!("not a number: {text}"))?,
        None => 100_000,
    };
    let background = BackgroundEngine::build(n)?;
    println!(
        "{n} open dialogs: {:.1} bytes and {:.2} allocations per dialog",
        background.live_bytes as f64 / n as f64,
        background.live_allocations as f64 / n as f64
    );
    // Leak the engine, so that its blocks are still live when the profiler looks.
    std::mem::forget(background);
    Ok(())
}
