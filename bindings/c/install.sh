#!/usr/bin/env bash
# Install the openlines C library into a prefix:
#   PREFIX/lib/libopenlines.so.X.Y.Z (+ libopenlines.so.ABI and libopenlines.so links),
#   PREFIX/lib/libopenlines.a, PREFIX/include/openlines.h, PREFIX/lib/pkgconfig/openlines.pc,
#   PREFIX/include/openlines_ffi.h (for PHP's FFI; its FFI_LIB names the installed library)
#
# usage: bindings/c/install.sh PREFIX [--no-build] [--no-strip]
#   The libraries are installed without debug info (the release build carries it: about
#   22 MB for the .so against 5 MB stripped); --no-strip keeps it.
#   DESTDIR is honoured (files go to $DESTDIR$PREFIX; openlines.pc names $PREFIX).
#   CARGO_TARGET_DIR is honoured (default: the workspace's target/).
# At the end it prints the lines to build and run a program against the installation.
set -euo pipefail

usage() {
    echo "usage: $0 PREFIX [--no-build] [--no-strip]" >&2
    exit 2
}
[[ $# -lt 1 || $1 == -* ]] && usage
prefix=$(realpath -m "$1")
shift
build=1
strip=1
for arg in "$@"; do
    case $arg in
    --no-build) build=0 ;;
    --no-strip) strip=0 ;;
    *) usage ;;
    esac
done

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
sed "s|^#define FFI_LIB .*|#define FFI_LIB \"$prefix/lib/libopenlines.so.$abi\"|" \
    "$root/include/openlines_ffi.h" > "$dest/include/openlines_ffi.h"
chmod 0644 "$dest/include/openlines_ffi.h"
if ((strip)); then
    command -v strip > /dev/null || { echo "install.sh: strip not found (binutils); use --no-strip" >&2; exit 1; }
    strip --strip-unneeded "$dest/lib/libopenlines.so.$version"
    strip --strip-debug "$dest/lib/libopenlines.a"
fi
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
size() { du -h "$1" | cut -f1; }
echo "installed openlines $version (ABI $abi) into $dest" \
    "(libopenlines.so $(size "$dest/lib/libopenlines.so.$version"), libopenlines.a $(size "$dest/lib/libopenlines.a"))"
cat <<USE

Build a program against it (the rpath lets it find libopenlines.so.$abi when it runs):
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  cc prog.c \$(pkg-config --cflags --libs openlines) -Wl,-rpath,\$(pkg-config --variable=libdir openlines)
Without the rpath, run it with LD_LIBRARY_PATH=$prefix/lib (or run ldconfig if
$prefix/lib is a directory the loader searches, such as /usr/local/lib).
Static: cc prog.c -I$prefix/include $prefix/lib/libopenlines.a -lpthread -ldl -lm
PHP: OPENLINES_LIB=$prefix/lib/libopenlines.so.$abi (see php/README.md)
USE
