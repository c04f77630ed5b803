#!/usr/bin/env bash
# The npm package's tests, as CI runs them from a clean clone: installs what it needs
# (the wasm32-unknown-unknown target, wasm-bindgen-cli at the crate's version, the npm
# dev dependencies from the committed lockfile), builds the package once, builds the
# native CLI and the native example the comparisons need, runs the node:test suites
# (API, every scenario file against `openlines replay`, snapshot bytes both ways, the
# TypeScript declarations, the playground in headless chromium) and a short run of the
# M/M/c bench; prints
# "wasm tests: N passed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bindgen_version=0.2.130

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  # --locked first (reproducible); a registry mirror that lacks one of the CLI's locked
  # dependencies gets a fresh resolution of the same CLI version.
  cargo install --locked wasm-bindgen-cli --version "$bindgen_version" \
    || cargo install wasm-bindgen-cli --version "$bindgen_version"
fi
command -v node >/dev/null || { echo "node (>= 18) is required" >&2; exit 1; }
# The playground test drives Debian's chromium through puppeteer-core (no browser download).
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi

echo "==> building the wasm package"
bash "$here/build.sh"
echo "==> building the native CLI and the native example (for the comparisons)"
cargo build --locked -p openlines-cli --bin openlines
cargo build --locked -p openlines-wasm --example native
export OPENLINES_CLI="$target_dir/debug/openlines"
export OPENLINES_NATIVE="$target_dir/debug/examples/native"

cd "$here"
npm ci --no-audit --no-fund
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
node --test --test-reporter=spec tests/ 2>&1 | tee "$log"
passed=$(grep -Eo '^ℹ pass [0-9]+' "$log" | awk '{print $3}')
failed=$(grep -Eo '^ℹ fail [0-9]+' "$log" | awk '{print $3}')
if [ "${failed:-1}" != 0 ] || [ -z "$passed" ]; then
  echo "wasm tests: ${failed:-?} failed" >&2
  exit 1
fi
echo "==> M/M/c bench, short run (smoke: it must not rot)"
node bench/mmc.js --dialogs 2000 --rounds 1
echo "wasm tests: $passed passed"
