#!/usr/bin/env bash
# Where the core's time goes, grouped by the subsystem that owns the code (perf with
# DWARF call graphs over a release build of `openlines bench`). The README's profile
# tables come from this script.
#
#   bash scripts/profile.sh day        # the standard day's replay (bench --day-only)
#   bash scripts/profile.sh mmc        # the M/M/c day (bench --mmc-only)
#   bash scripts/profile.sh restore    # restore_bytes and snapshot_bytes of 1M open
#                                      # dialogs (runs the whole bench, about a minute)
#   bash scripts/profile.sh memory [N] # heap blocks live with N open waiting dialogs
#                                      # (default 20,000), per dialog, by allocating site
#   bash scripts/profile.sh icount [BIN]...
#                                      # instructions executed inside the engine's calls
#                                      # (handle_into, advance_into) on the standard day
#                                      # and the M/M/c day of 20,000 dialogs each, for
#                                      # this build and any other `openlines` binaries
#                                      # given (say, a build of an earlier commit): a
#                                      # count that does not depend on what else the
#                                      # machine is doing, for before/after comparisons
#
# Needs `perf` (Debian: linux-perf) or, for `memory`, valgrind; and python3. A perf
# sample counts for the innermost frame of the engine's own code above it (allocator
# frames are counted as "alloc in <subsystem>"); samples outside the measured phase
# are ignored. A live block counts for the innermost engine function that allocated
# it (blocks of the input's strings, which the engine keeps, show under the caller).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-day}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -p openlines-cli --bins --examples >&2
data=$(mktemp)
trap 'rm -f "$data" "$data.txt"' EXIT
if [ "$mode" = icount ]; then
    shift
    for bin in "$target/release/openlines" "$@"; do
        for day in day mmc; do
            out=$(mktemp)
            valgrind -q --tool=callgrind --callgrind-out-file="$out" \
                --toggle-collect='openlines::engine::Engine::handle_into*' \
                --toggle-collect='openlines::engine::Engine::advance_into*' \
                "$bin" bench "--$day-only" --dialogs 20000 >/dev/null
            total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
            rm -f "$out"
            printf '%-40s %-4s %15s instructions\n' "$bin" "$day" "$total"
        done
    done
    exit 0
fi
if [ "$mode" = memory ]; then
    n=${2:-20000}
    valgrind -q --tool=dhat --dhat-out-file="$data" "$target/release/examples/open_dialogs" "$n" >&2
    python3 - "$data" "$n" <<'PY'
import collections, json, re, sys

data, n = json.load(open(sys.argv[1])), int(sys.argv[2])
frames = data["ftbl"]
bytes_by, blocks_by = collections.Counter(), collections.Counter()
for point in data["pps"]:
    if not point.get("eb"):
        continue
    site = "the caller (input strings the engine keeps)"
    for index in point["fs"]:
        match = re.search(r": (.*?) \(", frames[index])
        symbol = match.group(1) if match else frames[index]
        if "openlines_cli" in symbol or symbol.startswith("main"):
            break
        if "openlines" in symbol and not symbol.startswith(("alloc", "<alloc")):
            site = re.sub(r"<impl [^>]*>::|::\{\{closure\}\}", "", symbol)
            break
    bytes_by[site] += point["eb"]
    blocks_by[site] += point["ebk"]
print(f"live with {n} open dialogs: {sum(bytes_by.values()) / n:.1f} bytes and "
      f"{sum(blocks_by.values()) / n:.2f} blocks per dialog")
for site, size in bytes_by.most_common(12):
    print(f"  {size / n:7.1f} B  {blocks_by[site] / n:5.2f} blocks  {site[:100]}")
PY
    exit 0
fi
case "$mode" in
    day) args=(bench --day-only); freq=499 ;;
    mmc) args=(bench --mmc-only --dialogs 300000); freq=997 ;;
    restore) args=(bench --json); freq=97 ;;
    *) echo "usage: $0 day|mmc|restore|memory [N]|icount [BIN]..." >&2; exit 2 ;;
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
