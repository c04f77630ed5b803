#!/usr/bin/env bash
# Chaos test of the NATS JetStream host (hosts/nats). Starts its own nats-server with
# JetStream and file storage on a random local port, 3 workers and a multi-tenant load
# (with bad records mixed in); while the load runs it kills a random worker with
# SIGKILL three times (restarting it each time) and restarts nats-server once. At the
# end it compares, per tenant, the de-duplicated actions the workers published with a
# single-process `openlines replay` of the same inputs: identical, nothing lost,
# nothing doubled. Ends with "nats chaos: N passed, M failed".
#
# usage: bash hosts/nats/tests/chaos.sh      (root installs nats-server via apt-get if missing)
#   CHAOS_TENANTS (default 60), CHAOS_DIALOGS (per tenant-day, default 60),
#   CHAOS_RATE (records/s, default 1500), CHAOS_SEED (default: random), CARGO_TARGET_DIR,
#   CHAOS_KEEP=1 keeps the temporary directory (logs, exported streams).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
tests=hosts/nats/tests
target_dir=${CARGO_TARGET_DIR:-$root/target}
tenants=${CHAOS_TENANTS:-60}
dialogs=${CHAOS_DIALOGS:-60}
rate=${CHAOS_RATE:-1500}
seed=${CHAOS_SEED:-$((RANDOM % 1000 + 1))}
RANDOM=$seed
started=$SECONDS

say() { printf '[chaos %3ds] %s\n' "$((SECONDS - started))" "$*"; }
now_ms() { date +%s%3N; }

if ! command -v nats-server > /dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        say "installing nats-server"
        apt-get update -qq < /dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server < /dev/null > /dev/null
    fi
    command -v nats-server > /dev/null || { echo "chaos.sh: nats-server is required" >&2; exit 1; }
fi

say "building openlines-nats and openlines (seed $seed)"
cargo build --locked -q -p openlines-nats -p openlines-cli
host=$target_dir/debug/openlines-nats
openlines=$target_dir/debug/openlines

work=$(mktemp -d)
server_pid=""
declare -A worker_pid=()
cleanup() {
    for pid in "${worker_pid[@]}" "$server_pid"; do
        [[ -n $pid ]] && kill -9 "$pid" 2> /dev/null || true
    done
    wait 2> /dev/null || true
    if [[ -n ${CHAOS_KEEP:-} ]]; then echo "chaos.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export NATS_URL="nats://127.0.0.1:$port"

start_server() {
    nats-server -js -a 127.0.0.1 -p "$port" -sd "$work/js" >> "$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return 0
        sleep 0.1
    done
    echo "chaos.sh: nats-server did not start" >&2; cat "$work/server.log" >&2; exit 1
}

start_worker() { # start_worker ID
    "$host" worker --id "$1" --tick-after-ms 0 --checkpoint-ms 1000 >> "$work/$1.log" 2>&1 &
    worker_pid[$1]=$!
}

kill_random_worker() {
    local ids=("${!worker_pid[@]}")
    local id=${ids[$((RANDOM % ${#ids[@]}))]}
    kill -9 "${worker_pid[$id]}"
    wait "${worker_pid[$id]}" 2> /dev/null || true
    echo "$work/$id.log $(now_ms)" >> "$work/kills"
    say "killed $id (SIGKILL)"
    sleep 2
    start_worker "$id"
    say "restarted $id"
}

say "nats-server on port $port, data in a temporary directory"
start_server
for id in w1 w2 w3; do start_worker "$id"; done
"$host" load --tenants "$tenants" --dialogs "$dialogs" --seed "$seed" --rate "$rate" \
    --bad-every 400 2>> "$work/load.log" &
load_pid=$!
touch "$work/kills"

sleep 4; kill_random_worker
sleep 2; kill_random_worker
sleep 1
say "restarting nats-server (SIGTERM, same storage)"
kill "$server_pid"; wait "$server_pid" 2> /dev/null || true
start_server
sleep 3; kill_random_worker

wait "$load_pid" || { echo "chaos.sh: load failed" >&2; cat "$work/load.log" >&2; exit 1; }
say "load published: $(tail -1 "$work/load.log")"
if ! "$host" status --wait-done 120 > "$work/status.txt"; then
    cat "$work/status.txt" >&2
    tail -5 "$work"/w*.log >&2
    echo "chaos.sh: the workers did not catch up in time" >&2; exit 1
fi
say "every partition checkpointed through its last message"
for id in "${!worker_pid[@]}"; do kill "${worker_pid[$id]}"; done
wait "${worker_pid[@]}" 2> /dev/null || true
worker_pid=()
say "workers stopped"

# One worker with its ticks on takes every partition back from the checkpoints; a
# tenant living in the present gets a dialog whose offers time out by the wall clock:
# only the worker's ticks on the stream can fire them.
"$host" worker --id ticker --checkpoint-ms 500 >> "$work/ticker.log" 2>&1 &
worker_pid[ticker]=$!
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
config='{"operators": [{"id": "ann"}, {"id": "bob"}], "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"], "forward_after_secs": 1}}]}'
printf '{"tenant": "live", "at": "%s", "input": {"type": "create_tenant", "config": %s}}\n' "$now" "$config" > "$work/live.jsonl"
printf '{"tenant": "live", "at": "%s", "input": {"type": "client_message", "line": "sales", "client": "tg:1"}}\n' "$now" >> "$work/live.jsonl"
"$host" ingest "$work/live.jsonl" 2> /dev/null
sleep 6
"$host" status --wait-done 60 > /dev/null
kill "${worker_pid[ticker]}"; wait "${worker_pid[ticker]}" 2> /dev/null || true
worker_pid=()
say "a worker with ticks on restored every tenant and ticked the live one"

"$host" export "$work/export" > /dev/null
say "streams exported"
python3 "$tests/failover.py" "$work/kills" "$work"/w*.log | tee "$work/failover.txt"
python3 "$tests/checkpoints.py" "$work"/w*.log
python3 "$tests/compare.py" "$work/export" "$openlines"
say "done"
