#!/usr/bin/env bash
# Every check of the project, as CI runs it: formatting, lints, Rust tests (unit,
# scenario files, property tests, doc tests), the C library tests and the Python
# package tests. Builds once into one target dir; installs what it needs itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT

step() { printf '\n==> %s\n' "$*"; }

for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    step "installing $component"
    rustup component add "$component"
  fi
done

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, scenarios, property tests, doc tests)"
cargo test --workspace --locked 2>&1 | tee "$log_dir/rust.log"
rust_passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log_dir/rust.log" | awk '{s+=$4} END {print s+0}')

c_passed=0
if [ -f bindings/c/tests/run.sh ]; then
  step "C library tests (gcc, g++, static, dynamic, valgrind)"
  bash bindings/c/tests/run.sh 2>&1 | tee "$log_dir/c.log"
  c_passed=$(grep -Eo 'c tests: [0-9]+ passed' "$log_dir/c.log" | tail -1 | awk '{print $3}')
fi

py_passed=0
if [ -f python/run-tests.sh ]; then
  step "Python package tests (own virtualenv)"
  bash python/run-tests.sh 2>&1 | tee "$log_dir/py.log"
  py_passed=$(grep -Eo '[0-9]+ passed' "$log_dir/py.log" | tail -1 | awk '{print $1}')
fi

total=$((rust_passed + ${c_passed:-0} + ${py_passed:-0}))
printf '\nrust %s, c %s, python %s\n' "$rust_passed" "${c_passed:-0}" "${py_passed:-0}"
echo "all: $total passed, 0 failed"
