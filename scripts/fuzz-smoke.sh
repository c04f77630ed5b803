#!/usr/bin/env bash
# Fuzz smoke run: builds every cargo-fuzz target once (ASan, via RUSTC_BOOTSTRAP=1 on
# stable) and runs each for FUZZ_SECONDS (default 60) on a scratch copy of its
# committed seed corpus (fuzz/corpus/<target>/seed-*; the committed corpus never grows).
# Fails on any crash, leak, timeout or invariant violation; the reproducer is left in
# fuzz/artifacts/<target>/. Ends with one line: "fuzz: N passed, M failed".
#
#   bash scripts/fuzz-smoke.sh                    # every target, 60 s each
#   FUZZ_SECONDS=1800 bash scripts/fuzz-smoke.sh  # the long run (30 min per target)
#   bash scripts/fuzz-smoke.sh c_api              # some targets only
#
# Reproduce a crash:  cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET ARTIFACT
# Minimize it:        cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz tmin TARGET ARTIFACT
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# Keep the ASan setting identical across builds and runs (switching rebuilds).
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version 2>/dev/null | grep -q '0\.13\.2'; then
    cargo install --locked cargo-fuzz --version 0.13.2 || exit 1
fi

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cd fuzz && cargo fuzz list)
fi

# cargo fuzz has no --locked: check that fuzz/Cargo.lock is up to date first.
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null \
    || { echo "fuzz: fuzz/Cargo.lock is stale"; echo "fuzz: 0 passed, ${#TARGETS[@]} failed"; exit 1; }
(cd fuzz && cargo fuzz build) || { echo "fuzz: build failed"; echo "fuzz: 0 passed, ${#TARGETS[@]} failed"; exit 1; }

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

passed=0
failed=0
failures=()
for target in "${TARGETS[@]}"; do
    corpus="$SCRATCH/$target"
    mkdir -p "$corpus" "$ROOT/fuzz/artifacts/$target"
    cp "$ROOT"/fuzz/corpus/"$target"/seed-* "$corpus"/ 2>/dev/null || true
    log="$SCRATCH/$target.log"
    echo "== fuzz $target for ${FUZZ_SECONDS}s"
    (cd fuzz && cargo fuzz run "$target" "$corpus" -- \
        -max_total_time="$FUZZ_SECONDS" -jobs=1 -workers=1 -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1) >"$log" 2>&1
    status=$?
    # With -jobs, libFuzzer writes the fuzzing job's own output to fuzz-<N>.log.
    for job_log in "$ROOT"/fuzz/fuzz-*.log; do
        [ -f "$job_log" ] || continue
        cat "$job_log" >>"$log"
        rm -f "$job_log"
    done
    # One line of libFuzzer's final stats: how much ran.
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
    secs=$(grep -E '^Done [0-9]+ runs in' "$log" | tail -1 | awk '{print $5}')
    if [ "$status" -eq 0 ] && ! grep -qE '^(==[0-9]+==ERROR|SUMMARY: (Address|Leak|Undefined)Sanitizer|thread .* panicked)' "$log"; then
        echo "   ok: ${runs:-?} runs in ${secs:-?} s"
        passed=$((passed + 1))
    else
        echo "   FAILED (exit $status): ${runs:-?} runs; last lines of the log:"
        tail -40 "$log" | sed 's/^/   | /'
        ls -1 "$ROOT/fuzz/artifacts/$target" 2>/dev/null | sed 's/^/   artifact: fuzz\/artifacts\/'"$target"'\//'
        failed=$((failed + 1))
        failures+=("$target")
    fi
done

[ "$failed" -gt 0 ] && echo "failed targets: ${failures[*]}"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
