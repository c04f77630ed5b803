#!/usr/bin/env bash
# C tests of libopenlines: build the release library once, check the header is fresh,
# the SONAME and the exported symbols, compile the C tests and the example host with gcc
# (C99) and g++ (C++) with -Wall -Wextra -Werror -pedantic, link them statically and
# dynamically, run each under valgrind (zero errors, zero leaks), install into a temporary
# prefix and build the example with pkg-config. Ends with "c tests: N passed, M failed".
#
# usage: bash bindings/c/tests/run.sh          (CARGO_TARGET_DIR honoured; default ./target)
#   OPENLINES_RANDOM_STEPS=N  steps of the randomized test (default 5000)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
release=$target_dir/release
steps=${OPENLINES_RANDOM_STEPS:-5000}

need() { # need COMMAND DEBIAN-PACKAGE
    command -v "$1" > /dev/null && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        echo "installing $2"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" > /dev/null
    fi
    command -v "$1" > /dev/null || { echo "run.sh: $1 is required (package $2)" >&2; exit 1; }
}
need gcc gcc
need g++ g++
need valgrind valgrind
need pkg-config pkg-config
need readelf binutils
need nm binutils

# ---------------------------------------------------------------- build (once)
header=include/openlines.h
before=$(sha256sum "$header" 2> /dev/null || true)
cargo build --release -p openlines-c --locked
after=$(sha256sum "$header")
if [[ $before != "$after" ]]; then
    echo "FAIL: $header was stale; the build regenerated it. Review and commit it, then rerun." >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# ---------------------------------------------------------------- library checks
so=$release/libopenlines.so
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
abi=$(sed -n 's/^#define OPENLINES_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$header")
if [[ $soname == "libopenlines.so.$abi" ]]; then
    echo "ok   SONAME $soname"
else
    echo "FAIL SONAME is '$soname', expected libopenlines.so.$abi" >&2
    exit 1
fi
foreign=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^openlines_' || true)
if [[ -n $foreign ]]; then
    echo "FAIL libopenlines.so exports symbols outside openlines_*:" >&2
    echo "$foreign" | head -20 >&2
    exit 1
fi
exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
declared=$(grep -o '^[a-z].* \**\(openlines_[a-z0-9_]*\)(' "$header" | sed 's/.*\(openlines_[a-z0-9_]*\)(/\1/' | sort)
if [[ $exported != "$declared" ]]; then
    echo "FAIL exported symbols differ from the header's functions:" >&2
    diff <(echo "$exported") <(echo "$declared") >&2 || true
    exit 1
fi
echo "ok   exports exactly the $(echo "$exported" | wc -l) functions of the header"

# A directory where the loader finds libopenlines.so.ABI for the dynamic builds.
mkdir -p "$work/lib"
cp "$so" "$work/lib/libopenlines.so.$abi"
ln -s "libopenlines.so.$abi" "$work/lib/libopenlines.so"

warn=(-Wall -Wextra -Werror -pedantic)
cc_c=(gcc -std=c99 "${warn[@]}" -O1 -g)
cc_cxx=(g++ -std=c++11 "${warn[@]}" -O1 -g -x c++)
static_libs=("$release/libopenlines.a" -lpthread -ldl -lm)
dyn_libs=(-L"$work/lib" -lopenlines -Wl,-rpath,"$work/lib")
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible)

# The header alone compiles cleanly in both languages (and in C with stricter warnings).
printf '#include "openlines.h"\nint main(void) { return openlines_abi_version() == OPENLINES_ABI_VERSION ? 0 : 1; }\n' > "$work/h.c"
"${cc_c[@]}" -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Iinclude -c "$work/h.c" -o "$work/h_c.o"
"${cc_cxx[@]}" -Iinclude -c "$work/h.c" -o "$work/h_cxx.o"
echo "ok   header compiles as C99 and C++"

# The host loop in the header's comment compiles (C99 and C++) and runs as documented.
sed -n '/^ \*   A typical host loop/,/^ \* TIME/p' "$header" | sed -n 's/^ \*     //p; s/^ \*$//p' \
    > "$work/header_example_body.c"
{
    printf '#include <stdio.h>\n#include "openlines.h"\n'
    cat "$work/header_example_body.c"
    printf '#include "header_example_main.c"\n'
} > "$work/header_example.c"
if ! grep -q 'host_run' "$work/header_example_body.c"; then
    echo "FAIL could not extract the example host loop from $header" >&2
    exit 1
fi
# build NAME SOURCE LANG LINK
build() {
    local name=$1 src=$2 lang=$3 link=$4 compiler libs
    if [[ $lang == c ]]; then compiler=("${cc_c[@]}"); else compiler=("${cc_cxx[@]}"); fi
    if [[ $link == static ]]; then libs=("${static_libs[@]}"); else libs=("${dyn_libs[@]}"); fi
    "${compiler[@]}" -Iinclude -Ibindings/c/tests/c "$src" -o "$work/$name" -x none "${libs[@]}"
}

# run LABEL COMMAND...  (under valgrind)
run() {
    local label=$1
    shift
    if "${vg[@]}" "$@" > "$work/out.txt" 2>&1; then
        pass "$label: $(tail -n 1 "$work/out.txt")"
    else
        fail "$label (exit $?)"
        tail -n 40 "$work/out.txt"
    fi
}

for test in test_api test_random; do
    for lang in c cxx; do
        for link in static dynamic; do
            name=${test}_${lang}_${link}
            if build "$name" "bindings/c/tests/c/$test.c" "$lang" "$link"; then
                if [[ $link == dynamic ]] && ! ldd "$work/$name" | grep "libopenlines.so.$abi => $work/lib" > /dev/null; then
                    fail "$name is not linked against libopenlines.so.$abi"
                    continue
                fi
                if [[ $test == test_random ]]; then
                    run "$name" "$work/$name" "$steps"
                else
                    run "$name" "$work/$name"
                fi
            else
                fail "$name: compile/link"
            fi
        done
    done
done

for lang in c cxx; do
    name=header_example_$lang
    if build "$name" "$work/header_example.c" "$lang" dynamic; then
        run "$name (the example of the header's comment)" "$work/$name"
        if ! diff -u bindings/c/tests/c/header_example.expected "$work/out.txt"; then
            fail "$name: output differs from bindings/c/tests/c/header_example.expected"
        fi
    else
        fail "$name: the header's example does not compile"
    fi
done

# ---------------------------------------------------------------- install + pkg-config
prefix=$work/prefix
bash bindings/c/install.sh "$prefix" --no-build > "$work/install.txt"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[[ $(pkg-config --modversion openlines) == $(sed -n 's/^#define OPENLINES_VERSION "\(.*\)"$/\1/p' "$header") ]]
if grep -q -- '-Wl,-rpath,$(pkg-config --variable=libdir openlines)' "$work/install.txt" &&
    grep -q "LD_LIBRARY_PATH=$prefix/lib" "$work/install.txt"; then
    pass "install.sh prints the pkg-config, rpath and LD_LIBRARY_PATH lines"
else
    fail "install.sh does not print how to build and run against the installation"
    cat "$work/install.txt"
fi
if readelf -S "$prefix/lib/libopenlines.so.$abi" | grep -q '\.debug_info'; then
    fail "the installed libopenlines.so carries debug info (install.sh strips it)"
else
    pass "installed libopenlines.so is stripped ($(du -hL "$prefix/lib/libopenlines.so.$abi" | cut -f1))"
fi
if grep -qx "#define FFI_LIB \"$prefix/lib/libopenlines.so.$abi\"" "$prefix/include/openlines_ffi.h"; then
    pass "installed openlines_ffi.h names the installed library"
else
    fail "installed openlines_ffi.h: FFI_LIB is not $prefix/lib/libopenlines.so.$abi"
fi
# bindings/c/README.md: without an rpath the loader does not find the library, with
# LD_LIBRARY_PATH it does.
gcc -std=c99 "${warn[@]}" examples/c/host.c -o "$work/host_norpath" $(pkg-config --cflags --libs openlines)
if "$work/host_norpath" examples/c/config.json examples/c/inputs.txt > "$work/norpath.txt" 2>&1; then
    fail "a host built without rpath found libopenlines.so.$abi without LD_LIBRARY_PATH"
elif grep -q "libopenlines.so.$abi: cannot open shared object file" "$work/norpath.txt" &&
    LD_LIBRARY_PATH=$prefix/lib "$work/host_norpath" examples/c/config.json examples/c/inputs.txt > /dev/null; then
    pass "host without rpath: fails to load as documented, runs with LD_LIBRARY_PATH"
else
    fail "host without rpath: unexpected outcome"
    cat "$work/norpath.txt"
fi
if gcc -std=c99 "${warn[@]}" examples/c/host.c -o "$work/host_pkgconfig" \
    $(pkg-config --cflags --libs openlines) -Wl,-rpath,"$(pkg-config --variable=libdir openlines)"; then
    if ldd "$work/host_pkgconfig" | grep "$prefix/lib/libopenlines.so.$abi" > /dev/null; then
        run "examples/c/host (gcc, pkg-config, installed shared lib)" \
            "$work/host_pkgconfig" examples/c/config.json examples/c/inputs.txt
        cp "$work/out.txt" "$work/host_output.txt"
    else
        fail "host_pkgconfig does not use the installed library"
    fi
else
    fail "examples/c/host.c: pkg-config build"
fi
if g++ -std=c++11 "${warn[@]}" -x c++ examples/c/host.c -x none -o "$work/host_static" \
    -I"$prefix/include" "$prefix/lib/libopenlines.a" -lpthread -ldl -lm; then
    run "examples/c/host (g++, static)" "$work/host_static" examples/c/config.json examples/c/inputs.txt
    if [[ -f $work/host_output.txt ]] && ! cmp -s "$work/out.txt" "$work/host_output.txt"; then
        fail "examples/c/host: static and shared builds print different output"
    fi
else
    fail "examples/c/host.c: static C++ build"
fi
if [[ -f $work/host_output.txt ]]; then
    echo "--- examples/c/host output ---"
    cat "$work/host_output.txt"
    echo "------------------------------"
fi

echo "c tests: $passed passed, $failed failed"
((failed == 0))
