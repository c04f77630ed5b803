//! The C ABI source compiled into the `c_api` target reads `OPENLINES_ABI_MAJOR`, which
//! bindings/c/build.rs normally sets: take the number from that build script.

use std::fs;

fn main() {
    let build = "../bindings/c/build.rs";
    println!("cargo:rerun-if-changed={build}");
    let text = fs::read_to_string(build).expect("read bindings/c/build.rs");
    let major = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("const ABI_MAJOR: u32 = "))
        .and_then(|rest| rest.trim_end_matches(';').trim().parse::<u32>().ok())
        .expect("bindings/c/build.rs defines `const ABI_MAJOR: u32 = N;`");
    println!("cargo:rustc-env=OPENLINES_ABI_MAJOR={major}");
}
