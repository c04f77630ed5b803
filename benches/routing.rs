//! One routing decision (a new client message that gets an offer) with 10, 100, 1,000
//! and 10,000 operators in the line's queue, for each distribution mode. The dialog is
//! then accepted and closed, untimed, so every decision sees the same engine.

mod common;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn routing(c: &mut Criterion) {
    let mut group = c.benchmark_group("routing_decision");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for mode in ["evenly", "strict", "least_busy", "longest_idle", "all"] {
        for queue in [10usize, 100, 1_000, 10_000] {
            let mut engine = common::queue_engine(mode, queue);
            let mut at = common::t0();
            let mut i = 0u64;
            let mut buf = Vec::with_capacity(queue * 2 + 16);
            group.bench_with_input(BenchmarkId::new(mode, queue), &queue, |b, _| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        common::queue_cycle(&mut engine, i, at, &mut buf, |f| {
                            let t = Instant::now();
                            f();
                            total += t.elapsed();
                        });
                        i += 1;
                        at += common::ms(3);
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, routing);
criterion_main!(benches);
