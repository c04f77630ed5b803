//! Build script of the C library:
//! - gives libopenlines.so its SONAME (`libopenlines.so.<ABI major>`);
//! - generates `include/openlines.h` with the pinned cbindgen (rewritten only when its
//!   content changes, so an up-to-date header keeps its mtime and `git diff` stays clean).

use std::env;
use std::fs;
use std::path::PathBuf;

/// The ABI major version: bump it on any incompatible change of the C API. It is the
/// SONAME suffix, the header's `OPENLINES_ABI_VERSION` and `openlines_abi_version()`.
const ABI_MAJOR: u32 = 0;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    println!("cargo:rustc-env=OPENLINES_ABI_MAJOR={ABI_MAJOR}");
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux"
        || target_os == "freebsd"
        || target_os == "netbsd"
        || target_os == "openbsd"
    {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libopenlines.so.{ABI_MAJOR}");
    }

    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("version");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").expect("version");
    let patch = env::var("CARGO_PKG_VERSION_PATCH").expect("version");
    let version = env::var("CARGO_PKG_VERSION").expect("version");

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("bindings/c/cbindgen.toml is not a valid cbindgen config");
    config.after_includes = Some(format!(
        "\n/** The version of the library this header belongs to, as a string. */\n\
         #define OPENLINES_VERSION \"{version}\"\n\
         /** Major part of OPENLINES_VERSION. */\n\
         #define OPENLINES_VERSION_MAJOR {major}\n\
         /** Minor part of OPENLINES_VERSION. */\n\
         #define OPENLINES_VERSION_MINOR {minor}\n\
         /** Patch part of OPENLINES_VERSION. */\n\
         #define OPENLINES_VERSION_PATCH {patch}\n\
         /** OPENLINES_VERSION as one number: major * 1000000 + minor * 1000 + patch\n \
         * (compare with openlines_version_number() at run time). */\n\
         #define OPENLINES_VERSION_NUMBER ({major} * 1000000 + {minor} * 1000 + {patch})\n\
         /** The ABI major version of this header; the shared library's SONAME is\n \
         * libopenlines.so.OPENLINES_ABI_VERSION. A program built against this header must\n \
         * only run with a library whose openlines_abi_version() returns the same number. */\n\
         #define OPENLINES_ABI_VERSION {ABI_MAJOR}\n"
    ));

    let header = match cbindgen::Builder::new()
        .with_src(crate_dir.join("src/lib.rs"))
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            let mut buf = Vec::new();
            bindings.write(&mut buf);
            buf
        }
        Err(e) => panic!("cbindgen failed to generate include/openlines.h: {e}"),
    };

    // Only inside the repository (not when built from a packaged crate).
    let include_dir = crate_dir.join("../../include");
    if include_dir.is_dir() {
        let path = include_dir.join("openlines.h");
        let old = fs::read(&path).unwrap_or_default();
        if old != header {
            fs::write(&path, &header).expect("cannot write include/openlines.h");
        }
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    fs::write(out_dir.join("openlines.h"), &header).expect("cannot write OUT_DIR/openlines.h");
}
