//! C ABI for openlines (work in progress).
