//! # openlines-sim
//!
//! Simulated traffic through the real [`openlines`] engine, shared by the `openlines`
//! command, the benchmarks and the soak tests. Nothing here is part of the engine's
//! API: it plays the host (clients and operators) around an engine.
//!
//! - [`day`]: the built-in working day (shifts, breaks, a lunch peak) of `openlines
//!   simulate` and the benchmarks' standard day.
//! - [`rng`]: the deterministic generator every simulation draws from.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod day;
pub mod rng;

pub use day::{Day, DayParams, DaySummary, TraceEntry, builtin_config, percentile, simulate_day};
pub use rng::Rng;
