#!/usr/bin/env bash
# Build the openlines wheel with maturin, install it into a fresh-or-reused virtualenv,
# check the .pyi stubs with mypy's stubtest, and run the pytest suite.
#
#   python/run-tests.sh            # from anywhere; works with CI=true and no stdin
#
# Environment: OPENLINES_VENV (default python/.venv), CARGO_TARGET_DIR (respected),
# PYTHON (interpreter for the venv, default python3), OPENLINES_CLI (replay binary;
# built here when unset).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="${OPENLINES_VENV:-$here/.venv}"
python="${PYTHON:-python3}"
target="${CARGO_TARGET_DIR:-$repo/target}"
export CARGO_TARGET_DIR="$target"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input -q)
"${pip[@]}" install "maturin==1.16.0" "pytest==9.2.0" "hypothesis==6.170.15" "mypy==2.4.1" "twine==7.0.0" "jsonschema==4.26.0" </dev/null

# The abi3 wheel (release build), installed like `pip install ./python` would, plus
# the `test-hooks` feature (a method that panics on purpose, for the panic-boundary
# test; a wheel built without the feature, as releases are, does not have it).
wheels="$target/wheels-python"
rm -rf "$wheels"
(cd "$here" && "$venv/bin/maturin" build --release --locked --features test-hooks --out "$wheels" </dev/null)
"${pip[@]}" install --force-reinstall --no-deps "$wheels"/openlines-*.whl </dev/null
# One abi3 wheel for CPython 3.9 and later, with metadata PyPI accepts.
echo "== wheel: abi3 for 3.9+, twine check"
ls "$wheels"/openlines-*-cp39-abi3-*.whl >/dev/null
"$venv/bin/python" -m twine check --strict "$wheels"/openlines-*.whl

# The JSON replay used by the cross-check tests.
if [ -z "${OPENLINES_CLI:-}" ]; then
    (cd "$repo" && cargo build --locked --quiet -p openlines-cli)
    export OPENLINES_CLI="$target/debug/openlines"
fi

# Run from outside the source tree so the installed wheel is what gets imported.
cd "$here/tests"
echo "== stubtest"
"$venv/bin/python" -m mypy.stubtest openlines --allowlist "$here/stubtest-allowlist.txt"
echo "== mypy (typed package and tests)"
"$venv/bin/python" -m mypy --config-file "$here/pyproject.toml" -p openlines
echo "== mypy --strict bench.py"
"$venv/bin/python" -m mypy --strict "$here/bench.py"

echo "== pytest"
set +e
"$venv/bin/python" -m pytest -p no:cacheprovider "$here/tests" -c "$here/pyproject.toml" --rootdir "$here" </dev/null
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "run-tests: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
