#!/usr/bin/env bash
# Build the npm package's WebAssembly module and its JS glue into pkg/ (release build
# of the crate for wasm32-unknown-unknown, then wasm-bindgen --target web; js/index.js
# loads it in Node and in browsers). Needs the wasm32-unknown-unknown target and
# wasm-bindgen-cli at the crate's version (run-tests.sh installs both).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
cargo build --locked --release -p openlines-wasm --target wasm32-unknown-unknown --manifest-path "$root/Cargo.toml"
rm -rf "$here/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$here/pkg" \
  "$target_dir/wasm32-unknown-unknown/release/openlines_wasm.wasm"
ls -l "$here/pkg"
