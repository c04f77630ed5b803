//! The `openlines` command's library: scenario files (contract section 7), replay
//! and expectation checking, shared by the binary and the scenario tests.

pub mod bench;
pub mod describe;
pub mod hosts;
pub mod scenario;
pub mod simulate;
