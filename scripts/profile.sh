#!/usr/bin/env bash
# Where the core's time goes, grouped by the subsystem that owns the code (perf with
# DWARF call graphs over a release build of `openlines bench`). The README's profile
# tables come from this script.
#
#   bash scripts/profile.sh day        # the standard day's replay (bench --day-only)
#   bash scripts/profile.sh mmc        # the M/M/c day (bench --mmc-only)
#   bash scripts/profile.sh restore    # restore_bytes and snapshot_bytes of 1M open
#                                      # dialogs (runs the whole bench, about a minute)
#
# Needs `perf` (Debian: linux-perf) and python3. A sample counts for the innermost
# frame of the engine's own code above it (allocator frames are counted as
# "alloc in <subsystem>"); samples outside the measured phase are ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-day}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -p openlines-cli >&2
data=$(mktemp)
trap 'rm -f "$data" "$data.txt"' EXIT
case "$mode" in
    day) args=(bench --day-only); freq=499 ;;
    mmc) args=(bench --mmc-only --dialogs 300000); freq=997 ;;
    restore) args=(bench --json); freq=97 ;;
    *) echo "usage: $0 day|mmc|restore" >&2; exit 2 ;;
esac
perf record -q -F "$freq" --call-graph dwarf,16384 -o "$data" \
    "$target/release/openlines" "${args[@]}" >/dev/null
perf script -i "$data" 2>/dev/null >"$data.txt"
python3 - "$mode" "$data.txt" <<'PY'
import collections, re, sys

mode, path = sys.argv[1], sys.argv[2]
ALLOC = re.compile(r"malloc|free|_int_|unlink_chunk|consolidate|realloc|brk|page_fault|clear_page")

def samples():
    stack = []
    for line in open(path, errors="replace"):
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith("\t"):
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                stack.append(re.sub(r"\+0x[0-9a-f]+", "", parts[1]))
    if stack:
        yield stack

def frame_name(frame):
    return re.sub(r" \(.*\)$", "", frame).strip()

def owner(stack, below):
    """The innermost engine subsystem among the frames (leaf first) below `below`."""
    alloc = bool(ALLOC.search(stack[0]))
    for frame in stack:
        name = frame_name(frame).replace("<impl openlines::engine::Engine>::", "")
        if frame_name(frame) == below:
            break
        m = re.match(r"<?openlines::([a-z_]+(?:::[a-z_]+)?)", name)
        if m:
            return ("alloc in " if alloc else "") + m.group(1)
    return "alloc (other)" if alloc else "other"

def table(title, anchor, exclude=None):
    counts, n = collections.Counter(), 0
    for stack in samples():
        names = [frame_name(f) for f in stack]
        if anchor not in names or (exclude and any(exclude in f for f in names)):
            continue
        n += 1
        counts[owner(stack, anchor)] += 1
    print(f"{title}: {n} samples")
    for key, count in counts.most_common(25):
        print(f"  {100 * count / max(n, 1):5.1f}%  {key}")

def children(title, anchor):
    counts, n = collections.Counter(), 0
    for stack in samples():
        names = [frame_name(f) for f in stack]
        if anchor not in names:
            continue
        i = len(names) - 1 - names[::-1].index(anchor)
        n += 1
        counts[names[i - 1] if i > 0 else "(self)"] += 1
    print(f"{title}: {n} samples")
    for key, count in counts.most_common(12):
        print(f"  {100 * count / max(n, 1):5.1f}%  {key[:110]}")

if mode == "day":
    table("standard day replay (handle_into)", "openlines::engine::Engine::handle_into",
          exclude="simulate_day")
elif mode == "mmc":
    table("M/M/c day (handle_into)", "openlines::engine::Engine::handle_into")
else:
    children("restore_bytes", "openlines::engine::Engine::restore_bytes")
    children("Engine::restore", "openlines::engine::Engine::restore")
    children("consistency checks", "openlines::engine::invariants::<impl openlines::engine::Engine>::consistency")
    children("snapshot_bytes", "openlines::engine::Engine::snapshot_bytes")
PY
