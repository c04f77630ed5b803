#!/usr/bin/env python3
"""Failover times from the workers' event logs and the kill times.

usage: failover.py KILLS_FILE LOG...
KILLS_FILE has lines "WORKER_LOG KILL_MS". For each kill, the partitions the killed
worker owned at that moment are found from its log; for each one, the time until
another worker restored it and until its first action after the kill. Prints one
line per kill and a summary; exits 1 if a partition was never taken over.
"""
import json
import sys


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def owned_at(log, ms):
    owned = set()
    for e in log:
        if e["ms"] > ms:
            break
        if e["event"] == "acquired":
            owned.add(e["partition"])
        elif e["event"] in ("released", "lost"):
            owned.discard(e["partition"])
        elif e["event"] == "worker_started":
            owned.clear()
    return owned


def first_after(all_events, name, partition, ms):
    times = [e["ms"] for e in all_events
             if e["event"] == name and e.get("partition") == partition and e["ms"] > ms]
    return min(times) if times else None


def main():
    kills = [line.split() for line in open(sys.argv[1]) if line.strip()]
    logs = {path: events(path) for path in sys.argv[2:]}
    everything = [e for log in logs.values() for e in log]
    restored, first_action, missing = [], [], 0
    for path, kill_ms in kills:
        kill_ms = int(kill_ms)
        partitions = sorted(owned_at(logs[path], kill_ms))
        per_kill = []
        for p in partitions:
            r = first_after(everything, "restored", p, kill_ms)
            a = first_after(everything, "first_action", p, kill_ms)
            if r is None:
                missing += 1
                continue
            restored.append(r - kill_ms)
            per_kill.append(r - kill_ms)
            if a is not None:
                first_action.append(a - kill_ms)
        print(f"kill of {path.split('/')[-1]}: partitions {partitions}, restored after "
              f"{', '.join(f'{t} ms' for t in per_kill) or '-'}")
    if restored:
        print(f"failover: restored within {max(restored)} ms (mean {sum(restored)//len(restored)} ms)"
              + (f"; first action within {max(first_action)} ms"
                 f" (mean {sum(first_action)//len(first_action)} ms)" if first_action else ""))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
