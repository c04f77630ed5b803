//! The standard simulated day (3 lines, 200 operators, 200,000 dialogs, ticks at every
//! deadline) replayed from its recorded inputs through a fresh engine.
//! Set `OPENLINES_BENCH_DIALOGS` for a smaller day.

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use openlines::Engine;
use openlines_sim::{DayParams, simulate_day};

fn day(c: &mut Criterion) {
    let mut params = DayParams::standard();
    if let Some(n) = std::env::var("OPENLINES_BENCH_DIALOGS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        params.dialogs = n;
    }
    let day = simulate_day(&params).unwrap();
    let mut group = c.benchmark_group("day");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(day.inputs.len() as u64));
    group.bench_function(format!("standard_{}_dialogs", params.dialogs), |b| {
        b.iter_batched(
            || (Engine::new(day.config.clone()).unwrap(), day.inputs.clone()),
            |(mut engine, inputs)| {
                let mut buf = Vec::with_capacity(64);
                for (at, input) in inputs {
                    buf.clear();
                    let _ = engine.handle_into(at, input, &mut buf);
                }
                engine
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, day);
criterion_main!(benches);
