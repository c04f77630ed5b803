//! Test hooks (feature `test-support`): the one invariant checker shared by this
//! crate's property tests and the fuzzers.
//!
//! After every step of a run, [`Tracker::check`] asserts what must always hold: the
//! state is consistent (every index matches a fresh rebuild), no open dialog is lost
//! (open = opened − closed), capacity is never exceeded by the engine's own choices,
//! no offer goes to an unavailable operator, no dialog waits while an operator could
//! take it, and the next deadline is after the engine's time.

use std::collections::BTreeSet;

use crate::{Action, Config, DialogId, Engine};

/// What the invariants need to know across the steps of a run.
#[derive(Debug, Default)]
pub struct Tracker {
    opened: BTreeSet<DialogId>,
    closed: BTreeSet<DialogId>,
    /// Loads may pass a limit without a routing decision (an admin lowers a limit, a
    /// status excluded from the load becomes counted again): capacity is checked only
    /// while neither can have happened.
    pub static_capacity: bool,
    /// Check the routing-quality invariants too (availability, no needless waiting,
    /// next deadline after now). Off for engines restored from arbitrary snapshot
    /// bytes, which may start in a state the engine itself would never reach.
    pub routing: bool,
}

impl Tracker {
    /// A tracker for an engine built from `config`, with no dialogs yet.
    pub fn new(config: &Config) -> Self {
        Tracker {
            opened: BTreeSet::new(),
            closed: BTreeSet::new(),
            static_capacity: config
                .lines
                .iter()
                .all(|l| l.queue.load_excludes.is_empty()),
            routing: true,
        }
    }

    /// A tracker for a restored engine: its open dialogs count as opened.
    pub fn restored(engine: &Engine) -> Self {
        Tracker {
            opened: engine.open_dialogs().collect(),
            closed: BTreeSet::new(),
            static_capacity: false,
            routing: false,
        }
    }

    /// Record what the host received from one call (actions of accepted and refused
    /// inputs alike); an error names a dialog opened or closed twice.
    pub fn record(&mut self, actions: &[Action]) -> Result<(), String> {
        for a in actions {
            match a {
                Action::DialogOpened { dialog, .. } if !self.opened.insert(*dialog) => {
                    return Err(format!("dialog {dialog} opened twice"));
                }
                Action::DialogClosed { dialog, .. } => {
                    if !self.opened.contains(dialog) {
                        return Err(format!("dialog {dialog} closed but never opened"));
                    }
                    if !self.closed.insert(*dialog) {
                        return Err(format!("dialog {dialog} closed twice"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// An accepted `set_line` or `set_operator`: capacity may now be passed legitimately.
    pub fn config_changed(&mut self) {
        self.static_capacity = false;
    }

    /// Check every invariant; the error says which failed.
    pub fn check(&self, engine: &Engine) -> Result<(), String> {
        engine
            .check_consistency()
            .map_err(|problem| format!("inconsistent: {problem}"))?;
        let open: BTreeSet<DialogId> = engine.open_dialogs().collect();
        let expected: BTreeSet<DialogId> = self.opened.difference(&self.closed).copied().collect();
        if open != expected {
            return Err(format!(
                "open dialogs {open:?} differ from opened minus closed {expected:?}"
            ));
        }
        if !self.routing {
            return Ok(());
        }
        if self.static_capacity {
            let over = engine.over_capacity();
            if !over.is_empty() {
                return Err(format!("capacity exceeded: {over:?}"));
            }
        }
        let unavailable = engine.offers_to_unavailable();
        if !unavailable.is_empty() {
            return Err(format!("offer to unavailable operator: {unavailable:?}"));
        }
        for &id in &open {
            let eligible = engine.eligible_for_waiting(id);
            if !eligible.is_empty() {
                return Err(format!(
                    "dialog {id} waits while {eligible:?} could take it"
                ));
            }
        }
        if let (Some(deadline), Some(now)) = (engine.next_deadline(), engine.now())
            && deadline <= now
        {
            return Err(format!("next deadline {deadline} is not after now {now}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_lost_or_doubled_dialog_is_reported() {
        let config: Config = serde_json::from_str(
            r#"{"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]}"#,
        )
        .unwrap();
        let mut engine = Engine::new(config.clone()).unwrap();
        let mut tracker = Tracker::new(&config);
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let actions = engine
            .handle(
                at,
                crate::Input::ClientMessage(crate::ClientMessage::new("sales", "c")),
            )
            .unwrap();
        tracker.record(&actions).unwrap();
        assert_eq!(tracker.check(&engine), Ok(()));
        assert!(
            tracker
                .record(&actions)
                .unwrap_err()
                .contains("opened twice")
        );
        let blind = Tracker::new(&config);
        let lost = blind.check(&engine).unwrap_err();
        assert!(lost.contains("differ from opened minus closed"), "{lost}");
    }
}
