//! The long-silence figure of `openlines bench`: a host that does not call for 30 days
//! while dialogs wait, then ticks once.
//!
//! The dialogs wait in a `hold_until_open` line that opens five minutes a week, with a
//! `queue_position` message repeating every minute, an unanswered mark, and one
//! operator who never answers: at every opening each dialog is offered, the offer
//! expires after the line has closed, and the dialog waits for the next opening. So
//! the catch-up rules (offer expiries, queue-position repeats, line openings) all run
//! inside the one call. What really fires is a few actions per dialog and week; a rule
//! that replayed the gap second by second would show here as millions of actions.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use openlines::{Action, ClientMessage, Config, Engine, Input};
use serde_json::json;

/// What one long-silence run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRun {
    /// Dialogs waiting when the host went silent.
    pub dialogs: usize,
    /// Actions the one tick after the silence returned.
    pub actions: u64,
    /// Nanoseconds of that tick per waiting dialog (best of two).
    pub ns_per_dialog: f64,
}

/// Days the host is silent.
pub const SILENT_DAYS: i64 = 30;

fn config() -> Result<Config, String> {
    serde_json::from_value(json!({
        "operators": [{"id": "bob"}],
        "lines": [{"id": "held",
                   "queue": {"operators": ["bob"], "forward_after_secs": 600},
                   "schedule": {"timezone": "UTC", "weekly": {"mon": [["10:00", "10:05"]]},
                                "hold_until_open": true},
                   "queue_position": {"text": "You are #POSITION# in line", "repeat_secs": 60},
                   "unanswered": {"after_secs": 300, "text": "Please wait"}}]
    }))
    .map_err(|e| e.to_string())
}

/// Open `dialogs` waiting dialogs (Monday 09:00, before the opening), stay silent for
/// [`SILENT_DAYS`], then tick once.
pub fn run(dialogs: usize) -> Result<GapRun, String> {
    let mut engine = Engine::new(config()?).map_err(|e| e.to_string())?;
    let start = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .ok_or("start time")?;
    let mut buf: Vec<Action> = Vec::new();
    for i in 0..dialogs {
        buf.clear();
        let message = ClientMessage::new("held", format!("c{i}"));
        engine
            .handle_into(
                start + Duration::milliseconds(i as i64),
                Input::ClientMessage(message),
                &mut buf,
            )
            .map_err(|e| e.to_string())?;
    }
    let end = start + Duration::days(SILENT_DAYS);
    let (mut best, mut actions) = (f64::MAX, 0);
    for _ in 0..2 {
        let mut silent = engine.clone();
        buf.clear();
        let t = Instant::now();
        silent
            .advance_into(end, &mut buf)
            .map_err(|e| e.to_string())?;
        best = best.min(t.elapsed().as_secs_f64());
        actions = buf.len() as u64;
    }
    Ok(GapRun {
        dialogs,
        actions,
        ns_per_dialog: best * 1e9 / dialogs.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_of_silence_costs_a_few_actions_per_dialog_and_week() {
        let run = run(50).expect("the silent month runs");
        let per_dialog = run.actions as f64 / 50.0;
        // The first wait's 32 repeats and the unanswered mark, then per opening an
        // offer, its withdrawal, the queueing, its message and one repeat.
        assert!(
            (20.0..=80.0).contains(&per_dialog),
            "{per_dialog} actions per dialog"
        );
    }
}
