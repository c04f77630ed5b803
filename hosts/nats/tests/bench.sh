#!/usr/bin/env bash
# The figures of hosts/nats/README.md: inputs/s with 1, 2 and 3 workers (a pre-loaded
# stream of a multi-tenant day, timed from the workers' start until every partition is
# checkpointed through its last message), failover time (kill -9 of one of 3 workers
# under a live load: until another worker restored each of its partitions, and until
# each produced its first action), and checkpoint cost per tenant. Release build; its
# own nats-server on a random port, removed at the end.
#
# usage: bash hosts/nats/tests/bench.sh     (BENCH_TENANTS, default 60; BENCH_DIALOGS, default 120)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
tests=hosts/nats/tests
target_dir=${CARGO_TARGET_DIR:-$root/target}
tenants=${BENCH_TENANTS:-60}
dialogs=${BENCH_DIALOGS:-120}

cargo build --release --locked -q -p openlines-nats
host=$target_dir/release/openlines-nats
work=$(mktemp -d)
server_pid=""
pids=()
cleanup() {
    for pid in "${pids[@]}" "$server_pid"; do
        [[ -n $pid ]] && kill -9 "$pid" 2> /dev/null || true
    done
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export NATS_URL="nats://127.0.0.1:$port"
now_ms() { date +%s%3N; }

fresh_server() { # a new server with empty storage
    if [[ -n $server_pid ]]; then kill "$server_pid"; wait "$server_pid" 2> /dev/null || true; fi
    rm -rf "$work/js"
    nats-server -js -a 127.0.0.1 -p "$port" -sd "$work/js" > "$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return 0
        sleep 0.1
    done
    echo "bench.sh: nats-server did not start" >&2; exit 1
}

start_workers() { # start_workers N RUN
    pids=()
    for i in $(seq "$1"); do
        "$host" worker --id "w$i" --tick-after-ms 0 > "$work/$2-w$i.log" 2>&1 &
        pids+=($!)
    done
}

stop_workers() {
    kill "${pids[@]}" 2> /dev/null || true
    wait "${pids[@]}" 2> /dev/null || true
    pids=()
}

for n in 1 2 3; do
    fresh_server
    "$host" load --tenants "$tenants" --dialogs "$dialogs" 2> "$work/load.log"
    records=$(grep -o '"records":[0-9]*' "$work/load.log" | cut -d: -f2)
    start=$(now_ms)
    start_workers "$n" "run$n"
    "$host" status --wait-done 600 > /dev/null
    ms=$(($(now_ms) - start))
    worker_cpu=0
    for pid in "${pids[@]}"; do worker_cpu=$((worker_cpu + $(ps -o times= -p "$pid"))); done
    echo "$n worker(s): $records inputs in $ms ms = $((records * 1000 / ms)) inputs/s" \
        "(cpu: workers ${worker_cpu} s, nats-server $(ps -o times= -p "$server_pid") s incl. load)"
    stop_workers
done
python3 "$tests/checkpoints.py" "$work"/run*-w*.log

fresh_server
start_workers 3 fail
sleep 2
"$host" load --tenants "$tenants" --dialogs "$dialogs" --rate 2000 2> "$work/load.log" &
load_pid=$!
sleep 5
kill -9 "${pids[1]}"
echo "$work/fail-w2.log $(now_ms)" > "$work/kills"
wait "$load_pid"
"$host" status --wait-done 600 > /dev/null
stop_workers
python3 "$tests/failover.py" "$work/kills" "$work"/fail-w*.log
