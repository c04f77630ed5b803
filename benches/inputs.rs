//! One input of each common kind on a warm engine (10,000 open background dialogs).
//!
//! Each measured input runs inside a realistic cycle (client message -> offer, accept,
//! operator message, client message, close -> rating window, rate -> closed); only the
//! named step is timed, the others run untimed to keep the engine steady.

mod common;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use openlines::{Input, PresenceStatus};

const STEPS: [&str; 6] = [
    "client_message_new_dialog",
    "accept",
    "operator_message",
    "client_message_open_dialog",
    "close",
    "rate",
];

fn inputs(c: &mut Criterion) {
    let (base, start) = common::background_engine(10_000);
    let mut group = c.benchmark_group("input");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    for (step, name) in STEPS.iter().enumerate() {
        let mut engine = base.clone();
        let mut now = start;
        let mut dialog = 10_001u64;
        let mut client = 0usize;
        let mut buf = Vec::with_capacity(32);
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    for (i, input) in common::hot_cycle(dialog, client).into_iter().enumerate() {
                        now += common::ms(1);
                        buf.clear();
                        if i == step {
                            let t = Instant::now();
                            engine.handle_into(now, input, &mut buf).unwrap();
                            total += t.elapsed();
                        } else {
                            engine.handle_into(now, input, &mut buf).unwrap();
                        }
                    }
                    dialog += 1;
                    client += 1;
                }
                total
            })
        });
    }
    // Presence of an operator outside every queue, alternating away / online.
    let mut engine = base.clone();
    let mut now = start;
    let mut online = true;
    let mut buf = Vec::with_capacity(32);
    group.bench_function("presence", |b| {
        b.iter(|| {
            now += common::ms(1);
            online = !online;
            let status = if online {
                PresenceStatus::Online
            } else {
                PresenceStatus::Away
            };
            buf.clear();
            engine
                .handle_into(
                    now,
                    Input::Presence {
                        operator: "hot2".into(),
                        status,
                    },
                    &mut buf,
                )
                .unwrap();
        })
    });
    // A clock tick with nothing due (the host's spurious wake-up).
    let mut engine = base.clone();
    let mut now = start;
    group.bench_function("tick_nothing_due", |b| {
        b.iter(|| {
            now += common::ms(1);
            buf.clear();
            engine.advance_into(now, &mut buf).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, inputs);
criterion_main!(benches);
