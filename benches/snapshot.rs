//! Snapshot and restore of engines with 10,000 and 100,000 open dialogs: the binary
//! `snapshot_bytes` / `restore_bytes`, their parts (state copy, encoding, decoding,
//! rebuilding the indices) and, for comparison, JSON. `openlines bench` measures 1M.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use openlines::{Engine, Snapshot, codec};

fn snapshot(c: &mut Criterion) {
    let mut group = c.benchmark_group("snapshot");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    for n in [10_000usize, 100_000] {
        let (engine, _) = common::background_engine(n);
        let bytes = engine.snapshot_bytes();
        let snap = engine.snapshot();
        let body = codec::to_vec(&snap).unwrap();
        group.bench_with_input(BenchmarkId::new("snapshot_bytes", n), &n, |b, _| {
            b.iter(|| black_box(engine.snapshot_bytes()))
        });
        group.bench_with_input(BenchmarkId::new("restore_bytes", n), &n, |b, _| {
            b.iter(|| black_box(Engine::restore_bytes(&bytes).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("state_copy", n), &n, |b, _| {
            b.iter(|| black_box(engine.snapshot()))
        });
        group.bench_with_input(BenchmarkId::new("encode", n), &n, |b, _| {
            b.iter(|| black_box(codec::to_vec(&snap).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("decode", n), &n, |b, _| {
            b.iter(|| black_box(codec::from_slice::<Snapshot>(&body).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("restore_from_state", n), &n, |b, _| {
            b.iter_batched(
                || snap.clone(),
                |s| black_box(Engine::restore(s).unwrap()),
                criterion::BatchSize::LargeInput,
            )
        });
        if n <= 10_000 {
            let json = serde_json::to_vec(&snap).unwrap();
            group.bench_with_input(BenchmarkId::new("json_encode", n), &n, |b, _| {
                b.iter(|| black_box(serde_json::to_vec(&engine.snapshot()).unwrap()))
            });
            group.bench_with_input(BenchmarkId::new("json_restore", n), &n, |b, _| {
                b.iter(|| black_box(Engine::restore_bytes(&json).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
