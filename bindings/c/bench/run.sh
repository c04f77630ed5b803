#!/usr/bin/env bash
# C bench of the struct path on the standard day, compared with the Rust core in the
# same run (goal: C >= 80% of the core's inputs/s).
#
#   bash bindings/c/bench/run.sh [DIALOGS]      (CARGO_TARGET_DIR honoured; default ./target)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
dialogs=${1:-200000}
cargo build --release --locked -p openlines-c -p openlines-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$target/release/openlines" bench --dump-day "$work/day.tsv" --format tsv --dialogs "$dialogs" > /dev/null
gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I include bindings/c/bench/bench.c \
    "$target/release/libopenlines.a" -lpthread -ldl -lm -o "$work/bench"
c=$("$work/bench" "$work/day.tsv")
rust=$("$target/release/openlines" bench --day-only --dialogs "$dialogs")
echo "C:    $c"
echo "Rust: $rust"
python3 - "$c" "$rust" <<'PY'
import json, sys
c, r = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for k in ("inputs", "actions", "rejected"):
    if c[k] != r[k]:
        sys.exit(f"C and Rust disagree on {k}: {c[k]} vs {r[k]}")
ratio = c["c_inputs_per_sec"] / r["core_inputs_per_sec"]
print(f"C struct path: {c['c_inputs_per_sec']:,.0f} inputs/s = {ratio:.0%} of the Rust core "
      f"({r['core_inputs_per_sec']:,.0f}); goal >= 80%: {'met' if ratio >= 0.8 else 'NOT met'}")
PY
