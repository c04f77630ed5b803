//! The `openlines` command's library: scenario files (contract section 7), replay
//! and expectation checking, simulations and their reports, shared by the binary and
//! the tests.

pub mod args;
pub mod bench;
pub mod chart;
pub mod describe;
pub mod gap;
pub mod history;
pub mod hosts;
pub mod mmc;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod schema;
pub mod simulate;
pub mod staff;
