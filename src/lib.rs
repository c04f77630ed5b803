//! # openlines
//!
//! A pure, I/O-free routing engine for customer chat "open lines": it takes client
//! messages, operator actions, presence changes and clock ticks, each stamped with a
//! time the host supplies, and returns routing decisions (offer, assign, queue) and
//! automatic actions (greeting, off-hours reply, unanswered mark, KPI notices,
//! auto-close, rating request).
//!
//! The engine never reads a clock, sleeps, does I/O or spawns threads: same config and
//! same timed inputs give the same actions. See [`Engine`] for the entry point and the
//! reference (`docs/reference.md` in the repository) for the config, the inputs, the
//! actions, the errors and the host-loop rules.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod action;
pub mod codec;
pub mod config;
pub mod dialog;
pub mod engine;
pub mod error;
pub mod input;
#[cfg(feature = "json")]
pub mod json;
pub mod limits;
pub mod operator;
mod queue_position;
pub mod routing;
pub mod schedule;
pub mod stats;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod timers;
pub mod timestamp;
pub mod views;

/// The crate version, e.g. `"0.1.0"`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Dialog ids are assigned by the engine: 1, 2, 3, ... in order of opening.
pub type DialogId = u64;

/// The largest dialog id the engine assigns: 2^53 - 1, the largest integer every
/// binding's number type holds exactly (a JSON double, PHP's float fallback). Once it
/// is used, a client message that would open a dialog is refused (`not_allowed`);
/// ids never wrap. A snapshot whose `next_dialog` is past `MAX_DIALOG_ID + 1` is refused.
pub const MAX_DIALOG_ID: DialogId = (1 << 53) - 1;

/// The README's Rust examples, compiled and run as doc tests (`cargo test --doc`), so the
/// minimal host it shows keeps working.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use action::{
    Action, AssignReason, BotStopReason, CloseReason, Kpi, MessageKind, QueueReason, WithdrawReason,
};
pub use config::{Config, LineConfig, OperatorConfig};
pub use engine::{Engine, MAX_OFFER_EXPIRIES_PER_CATCH_UP, SNAPSHOT_VERSION, Snapshot};
pub use error::{ConfigIssue, Error, ErrorKind, IssueKind, PathPart};
pub use input::{ClientMessage, CrmLookup, Input, PresenceStatus};
pub use limits::Limits;
pub use operator::Verdict;
pub use routing::{Decision, ExplainEntry, ExplainView};
pub use schedule::Schedule;
pub use stats::{DialogStats, LineStats};
pub use views::{DialogView, OperatorView, QueueEntry, QueueView};
