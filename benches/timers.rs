//! The timer table with 1k, 10k, 100k and 1M armed timers: arm + cancel of a new
//! timer, re-arming (moving) an armed one, firing the earliest (and re-arming it later
//! to keep the size), and `next_deadline`.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use openlines::timers::{TimerKey, TimerKind, TimerTable};
use openlines_sim::Rng;

fn t(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).unwrap() + Duration::milliseconds(s)
}

fn table(n: u64, rng: &mut Rng) -> TimerTable {
    let mut table = TimerTable::default();
    for d in 1..=n {
        let at = rng.range(0, 86_400_000);
        table.arm(TimerKey::Dialog(d, TimerKind::Unanswered), t(at));
    }
    table
}

fn timers(c: &mut Criterion) {
    let mut group = c.benchmark_group("timers");
    group.sample_size(20);
    for n in [1_000u64, 10_000, 100_000, 1_000_000] {
        let mut rng = Rng::new(n);
        let mut tab = table(n, &mut rng);
        group.bench_with_input(BenchmarkId::new("arm_cancel", n), &n, |b, &n| {
            b.iter(|| {
                let key = TimerKey::Dialog(n + 1, TimerKind::OfferExpiry);
                tab.arm(key, t(rng.range(0, 86_400_000)));
                black_box(tab.cancel(key));
            })
        });
        group.bench_with_input(BenchmarkId::new("rearm", n), &n, |b, &n| {
            b.iter(|| {
                let d = 1 + rng.next_u64() % n;
                tab.arm(
                    TimerKey::Dialog(d, TimerKind::Unanswered),
                    t(rng.range(0, 86_400_000)),
                );
            })
        });
        let mut now = 0i64;
        group.bench_with_input(BenchmarkId::new("fire_and_rearm", n), &n, |b, _| {
            b.iter(|| {
                now += 1;
                if let Some((_, key)) = tab.pop_due(t(now + 86_400_000)) {
                    tab.arm(key, t(now + 86_400_000 + rng.range(0, 86_400_000)));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("next_deadline", n), &n, |b, _| {
            b.iter(|| black_box(black_box(&tab).next_deadline()))
        });
    }
    group.finish();
}

criterion_group!(benches, timers);
criterion_main!(benches);
