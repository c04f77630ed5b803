#!/usr/bin/env bash
# The PHP package under php-fpm behind nginx (php/tests/fpm/fpm_test.py): the FFI set-ups
# of php/README.md, the per-request host (examples/php/http.php) and the worker
# (examples/php/worker.php --listen) under a load and fault test, each tenant checked
# against `openlines replay`. Installs what it needs with apt-get when missing (as root,
# non-interactive), builds the C library (release) and the openlines CLI once, and ends
# with "php-fpm tests: N passed, M failed".
#
#   bash php/tests/fpm/run.sh [fpm_test.py arguments]     e.g. --requests 3000 --clients 8
#   bash php/tests/fpm/run.sh --bench 100,2000,20000      the figures of php/README.md
#
# CARGO_TARGET_DIR is honoured (default ./target); OPENLINES_CLI overrides the replay binary.
# Servers run as the current user on loopback ports (php-fpm gets -R as root) and are
# stopped by process id.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
export CARGO_TARGET_DIR=$target

fpm_binary() { command -v php-fpm8.2 || command -v php-fpm || ls /usr/sbin/php-fpm8.2 2> /dev/null || true; }
missing=()
command -v php > /dev/null || missing+=(php8.2-cli)
[[ -n $(fpm_binary) ]] || missing+=(php8.2-fpm)
command -v nginx > /dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v cgi-fcgi > /dev/null || missing+=(libfcgi-bin)
command -v python3 > /dev/null || missing+=(python3)
if ! command -v php > /dev/null || ! php -r 'exit(in_array("sqlite", PDO::getAvailableDrivers(), true) ? 0 : 1);'; then
    missing+=(php8.2-sqlite3)
fi
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        echo "installing ${missing[*]}"
        apt-get update -qq < /dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" < /dev/null > /dev/null
    else
        echo "run.sh: needs ${missing[*]} (Debian: apt-get install nginx php8.2-fpm php8.2-sqlite3 libfcgi-bin)" >&2
        exit 1
    fi
fi
export PATH=$PATH:/usr/sbin

(cd "$repo" && cargo build --release --locked -p openlines-c)
if [[ -z ${OPENLINES_CLI:-} ]]; then
    (cd "$repo" && cargo build --locked --quiet -p openlines-cli)
    OPENLINES_CLI=$target/debug/openlines
fi
exec python3 "$here/fpm_test.py" --lib "$target/release/libopenlines.so" --cli "$OPENLINES_CLI" \
    --php-fpm "$(fpm_binary)" "$@" < /dev/null
