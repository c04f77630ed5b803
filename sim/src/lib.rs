//! # openlines-sim
//!
//! Simulated traffic through the real [`openlines`] engine, shared by the `openlines`
//! command, the benchmarks and the soak tests. Nothing here is part of the engine's
//! API: it plays the host (clients and operators) around an engine.
//!
//! - [`day`]: the built-in working day (shifts, breaks, a lunch peak) of `openlines
//!   simulate` and the benchmarks' standard day.
//! - [`arrivals`]: client arrivals from a CSV file of real history, or drawn (Poisson).
//! - [`traffic`]: given arrivals through the engine, operators by an [`OperatorModel`].
//! - [`observe`]: what a simulation saw, dialog by dialog.
//! - [`summary`]: figures for people and machines; [`target`]: service targets.
//! - [`staff`]: the fewest operators per hour that meet a target; [`erlang`]: Erlang C.
//! - [`rng`]: the deterministic generator every simulation draws from.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod arrivals;
pub mod day;
pub mod erlang;
pub mod observe;
pub mod rng;
pub mod staff;
pub mod summary;
pub mod target;
pub mod traffic;

pub use arrivals::{Arrival, ArrivalsFile, CsvError};
pub use day::{Day, DayParams, DaySummary, TraceEntry, builtin_config, simulate_day};
pub use observe::{DialogRecord, Observed};
pub use rng::Rng;
pub use staff::{StaffParams, StaffPlan, Traffic, staff};
pub use summary::{Summary, percentile, summarize};
pub use target::Target;
pub use traffic::{OperatorModel, Run};
