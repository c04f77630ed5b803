#!/usr/bin/env bash
# Tests of the PHP package (php/) with Debian's php-cli and phpunit: installs them with
# apt-get when missing (as root, non-interactive), builds the C library (release) and the
# openlines CLI (for the replay equivalence test) once, runs phpunit, and ends with
# "php tests: N passed, M failed".
#
#   bash php/run-tests.sh        (CARGO_TARGET_DIR honoured; default ./target)
#
# Environment: OPENLINES_LIB (library to test; default the fresh build), OPENLINES_CLI
# (replay binary; default the fresh debug build), PHPUNIT_ARGS (extra phpunit arguments).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
export CARGO_TARGET_DIR=$target

missing=()
command -v php > /dev/null || missing+=(php-cli)
command -v phpunit > /dev/null || missing+=(phpunit)
# pdo_sqlite: the worker example's queue-table test (skipped without it).
if ! command -v php > /dev/null || ! php -r 'exit(in_array("sqlite", PDO::getAvailableDrivers(), true) ? 0 : 1);'; then
    missing+=(php-sqlite3)
fi
if ((${#missing[@]})) && [[ $(id -u) != 0 && ${missing[*]} == php-sqlite3 ]]; then
    missing=() # optional: not root, go on without it
fi
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        echo "installing ${missing[*]}"
        apt-get update -qq < /dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" < /dev/null > /dev/null
    else
        echo "run-tests.sh: needs ${missing[*]} (Debian: apt-get install php-cli phpunit)" >&2
        exit 1
    fi
fi
php -r 'exit(extension_loaded("ffi") ? 0 : 1);' || { echo "run-tests.sh: PHP has no FFI extension" >&2; exit 1; }

(cd "$repo" && cargo build --release --locked -p openlines-c)
if [[ -z ${OPENLINES_CLI:-} ]]; then
    (cd "$repo" && cargo build --locked --quiet -p openlines-cli)
    export OPENLINES_CLI=$target/debug/openlines
fi
export OPENLINES_LIB=${OPENLINES_LIB:-$target/release/libopenlines.so}

cd "$here"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# shellcheck disable=SC2086 # PHPUNIT_ARGS is a list of words
phpunit --configuration "$here/phpunit.xml.dist" --log-junit "$log" ${PHPUNIT_ARGS:-} < /dev/null
status=$?
set -e
read -r tests failures errors skipped < <(php -r '
    $x = simplexml_load_file($argv[1]);
    $s = $x->testsuite;
    echo (int) $s["tests"], " ", (int) $s["failures"], " ", (int) $s["errors"], " ", (int) $s["skipped"], "\n";
' "$log")
failed=$((failures + errors))
if ((tests == 0)); then
    echo "run-tests.sh: phpunit ran no tests" >&2
    status=1
fi
echo "php tests: $((tests - failed - skipped)) passed, $failed failed, $skipped incomplete or skipped"
exit "$status"
