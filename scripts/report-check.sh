#!/usr/bin/env bash
# The HTML reports in a real browser: builds the CLI, writes the reports of
# `openlines simulate --compare` and `openlines staff` from examples/simulation/,
# renders each in headless chromium (Debian's package; installed with apt-get when
# missing and running as root) and checks that
# - the page is self-contained: no script, no src/href/url() to fetch;
# - the screenshot is not blank (enough non-white pixels, and both configs' colours);
# - the browser logged no console message.
# The checks check themselves first: a blank page and a page that logs to the console
# must fail them. Ends with "report: N passed, M failed". Under a minute.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
            || { echo "report: cannot install chromium"; echo "report: 0 passed, 1 failed"; exit 1; }
    else
        echo "report: chromium is missing (apt-get install chromium)"; echo "report: 0 passed, 1 failed"; exit 1
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet -p openlines-cli || { echo "report: build failed"; exit 1; }
bin="${CARGO_TARGET_DIR:-target}/release/openlines"
ex=examples/simulation

# render PAGE PNG WIDTH HEIGHT -> the browser's log in PNG.log
render() {
    local profile
    profile=$(mktemp -d -p "$work")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        --screenshot="$2" --window-size="$3,$4" "file://$(realpath "$1")" >"$2.log" 2>&1
}

# check PAGE PNG MIN_COLOURS: 0 when the page and its screenshot pass every check
check() {
    local page=$1 png=$2 colours=$3
    if grep -Eiq '<script|[[:space:]](src|href)=|url\(' "$page"; then
        echo "  $page: not self-contained (script, src, href or url())"; return 1
    fi
    if grep -q ':CONSOLE' "$png.log"; then
        echo "  $page: console messages:"; grep ':CONSOLE' "$png.log" | sed 's/^/    /'; return 1
    fi
    python3 - "$png" "$colours" <<'EOF'
import struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, kind = 8, b"", 0, 0, 0
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and kind in (2, 6), f"unexpected PNG format {depth}/{kind}"
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if kind == 6 else 3
    raw, stride, prev, out = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return width, height, bpp, out

path, want = sys.argv[1], int(sys.argv[2])
w, h, bpp, rows = pixels(path)
ink, colours = 0, set()
for row in rows:
    for x in range(0, w * bpp, bpp):
        r, g, b = row[x], row[x + 1], row[x + 2]
        if min(r, g, b) < 200:
            ink += 1
        if max(r, g, b) - min(r, g, b) > 80:  # saturated: a series colour, not text or grid
            colours.add((r // 32, g // 32, b // 32))
share = ink / (w * h)
hues = {("red" if r > g and r > b else "green" if g > r and g > b else "blue") for r, g, b in colours}
ok = share > 0.01 and len(hues) >= want
print(f"  {path}: {w}x{h}, {share:.1%} inked, colours {sorted(hues)}: {'ok' if ok else 'BLANK or missing colours'}")
sys.exit(0 if ok else 1)
EOF
}

passed=0
failed=0
result() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "  FAILED: $2"; fi; }

echo "== the checks fail on a blank page and on console messages"
printf '<!DOCTYPE html><html><body></body></html>' >"$work/blank.html"
printf '<!DOCTYPE html><html><body><p>x</p><svg width="10" height="10"></svg>\n<script>console.error("boom")</script></body></html>' >"$work/noisy.html"
render "$work/blank.html" "$work/blank.png" 800 600
check "$work/blank.html" "$work/blank.png" 1 >/dev/null; [ $? != 0 ]; result $? "a blank page passed"
render "$work/noisy.html" "$work/noisy.png" 800 600
grep -q ':CONSOLE' "$work/noisy.png.log"; result $? "a console.error was not seen in the browser's log"

echo "== openlines simulate --compare --report"
"$bin" simulate --config $ex/support.json --compare $ex/least-busy-3.json \
    --arrivals $ex/arrivals.csv --report "$work/simulate.html" >/dev/null
result $? "simulate --report failed"
render "$work/simulate.html" "$work/simulate.png" 1000 3200
check "$work/simulate.html" "$work/simulate.png" 2; result $? "simulate report"

echo "== openlines simulate --report (the built-in day)"
"$bin" simulate --report "$work/day.html" >/dev/null
result $? "simulate --report of the built-in day failed"
render "$work/day.html" "$work/day.png" 1000 2800
check "$work/day.html" "$work/day.png" 1; result $? "built-in day report"

echo "== openlines staff --report"
"$bin" staff --config $ex/support.json --arrivals $ex/arrivals.csv --target "p90_wait<=60s" \
    --seeds 3 --max-dialogs 20000 --day-seeds 5 --report "$work/staff.html" >/dev/null
result $? "staff --report failed"
render "$work/staff.html" "$work/staff.png" 1000 1600
check "$work/staff.html" "$work/staff.png" 2; result $? "staff report"

echo "report: $passed passed, $failed failed"
[ "$failed" = 0 ]
