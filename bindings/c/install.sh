#!/usr/bin/env bash
# Install the openlines C library into a prefix:
#   PREFIX/lib/libopenlines.so.X.Y.Z (+ libopenlines.so.ABI and libopenlines.so links),
#   PREFIX/lib/libopenlines.a, PREFIX/include/openlines.h, PREFIX/lib/pkgconfig/openlines.pc
#
# usage: bindings/c/install.sh PREFIX [--no-build]
#   DESTDIR is honoured (files go to $DESTDIR$PREFIX; openlines.pc names $PREFIX).
#   CARGO_TARGET_DIR is honoured (default: the workspace's target/).
# Afterwards: cc prog.c $(PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs openlines)
set -euo pipefail

if [[ $# -lt 1 || $1 == -* ]]; then
    echo "usage: $0 PREFIX [--no-build]" >&2
    exit 2
fi
prefix=$(realpath -m "$1")
build=1
[[ ${2:-} == --no-build ]] && build=0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
if ((build)); then
    (cd "$root" && cargo build --release -p openlines-c --locked)
fi
release=$target_dir/release
header=$root/include/openlines.h
for f in "$release/libopenlines.so" "$release/libopenlines.a" "$header"; do
    [[ -f $f ]] || { echo "install.sh: missing $f (build first)" >&2; exit 1; }
done

version=$(sed -n 's/^#define OPENLINES_VERSION "\(.*\)"$/\1/p' "$header")
abi=$(sed -n 's/^#define OPENLINES_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$header")
[[ -n $version && -n $abi ]] || { echo "install.sh: no version in $header" >&2; exit 1; }

dest=${DESTDIR:-}$prefix
install -d "$dest/lib/pkgconfig" "$dest/include"
install -m 0755 "$release/libopenlines.so" "$dest/lib/libopenlines.so.$version"
ln -sfn "libopenlines.so.$version" "$dest/lib/libopenlines.so.$abi"
ln -sfn "libopenlines.so.$abi" "$dest/lib/libopenlines.so"
install -m 0644 "$release/libopenlines.a" "$dest/lib/libopenlines.a"
install -m 0644 "$header" "$dest/include/openlines.h"
cat > "$dest/lib/pkgconfig/openlines.pc" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: openlines
Description: Pure, I/O-free routing engine for customer chat open lines
Version: $version
Libs: -L\${libdir} -lopenlines
Libs.private: -lpthread -ldl -lm
Cflags: -I\${includedir}
PC
echo "installed openlines $version (ABI $abi) into $dest"
