//! What a simulation saw, recorded from the engine's actions: one record per dialog
//! (opening, assignment, first response, close), operators online over time, and
//! per-operator load. Both simulators ([`crate::day`] and [`crate::traffic`]) feed an
//! [`Observed`]; the summaries, the staffing search and the report read it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use openlines::{Action, AssignReason, DialogId, MessageKind};
use serde::Serialize;

/// One dialog as the simulation saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DialogRecord {
    /// The line it opened in.
    pub line: String,
    /// When it opened (the client's first message).
    pub opened: DateTime<Utc>,
    /// Milliseconds from opening to its first assignment (transfers do not count);
    /// `None` if it was never assigned.
    pub wait_ms: Option<i64>,
    /// The operator of its first assignment.
    pub operator: Option<String>,
    /// The engine's first-response seconds, known when the dialog closed.
    pub first_response_secs: Option<u64>,
    /// When it closed, if it did.
    pub closed: Option<DateTime<Utc>>,
    /// Whether it got the off-hours reply.
    pub off_hours: bool,
}

/// Load of one operator over the simulation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OperatorLoad {
    /// Dialogs assigned to them.
    pub assigned: u64,
    /// Most dialogs they held at once.
    pub peak: u32,
    /// Dialog-seconds held (sum over their dialogs of assignment to close).
    pub held_secs: f64,
    /// Seconds they were online.
    pub online_secs: f64,
    #[serde(skip)]
    holding: u32,
    #[serde(skip)]
    since: Option<DateTime<Utc>>,
    #[serde(skip)]
    online_since: Option<DateTime<Utc>>,
}

impl OperatorLoad {
    /// Mean dialogs held while online (held dialog-seconds / online seconds).
    pub fn occupancy(&self) -> f64 {
        if self.online_secs > 0.0 {
            self.held_secs / self.online_secs
        } else {
            0.0
        }
    }

    fn hold(&mut self, at: DateTime<Utc>, delta: i32) {
        if let Some(since) = self.since {
            self.held_secs += f64::from(self.holding) * secs(at - since).max(0.0);
        }
        self.since = self.since.max(Some(at));
        self.holding = self.holding.saturating_add_signed(delta);
        self.peak = self.peak.max(self.holding);
    }
}

fn secs(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

/// Everything recorded during one simulation.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// One record per dialog, index = dialog id - 1 (ids are 1, 2, 3, ...).
    pub dialogs: Vec<DialogRecord>,
    /// Operators online after each presence change, in time order.
    pub online: Vec<(DateTime<Utc>, u32)>,
    /// Per operator id.
    pub operators: BTreeMap<String, OperatorLoad>,
    online_now: u32,
}

impl Observed {
    /// The record of a dialog.
    pub fn dialog(&self, id: DialogId) -> Option<&DialogRecord> {
        self.dialogs.get(usize::try_from(id).ok()?.checked_sub(1)?)
    }

    fn dialog_mut(&mut self, id: DialogId) -> Option<&mut DialogRecord> {
        self.dialogs
            .get_mut(usize::try_from(id).ok()?.checked_sub(1)?)
    }

    /// An operator's presence changed (`online`: whether they are online now).
    pub fn presence(&mut self, at: DateTime<Utc>, operator: &str, online: bool) {
        let load = self.operators.entry(operator.to_owned()).or_default();
        match (load.online_since, online) {
            (None, true) => {
                load.online_since = Some(at);
                self.online_now += 1;
            }
            (Some(since), false) => {
                load.online_secs += secs(at - since);
                load.online_since = None;
                self.online_now = self.online_now.saturating_sub(1);
            }
            _ => return,
        }
        self.online.push((at, self.online_now));
    }

    /// An action the engine returned at `at`.
    pub fn action(&mut self, at: DateTime<Utc>, action: &Action) {
        match action {
            Action::DialogOpened { dialog, line, .. } => {
                let index = usize::try_from(*dialog)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(1);
                if index == self.dialogs.len() {
                    self.dialogs.push(DialogRecord {
                        line: line.clone(),
                        opened: at,
                        wait_ms: None,
                        operator: None,
                        first_response_secs: None,
                        closed: None,
                        off_hours: false,
                    });
                }
            }
            Action::SendMessage {
                dialog,
                kind: MessageKind::OffHours,
                ..
            } => {
                if let Some(r) = self.dialog_mut(*dialog) {
                    r.off_hours = true;
                }
            }
            Action::Assigned {
                dialog,
                operator,
                reason,
            } => {
                // The simulations make no transfers: a transfer changes neither the
                // wait nor the load they record.
                if *reason == AssignReason::Transfer {
                    return;
                }
                if let Some(r) = self.dialog_mut(*dialog)
                    && r.operator.is_none()
                {
                    r.wait_ms = Some((at - r.opened).num_milliseconds());
                    r.operator = Some(operator.clone());
                }
                let load = self.operators.entry(operator.clone()).or_default();
                load.assigned += 1;
                load.hold(at, 1);
            }
            Action::DialogClosed { dialog, stats, .. } => {
                let Some(r) = self.dialog_mut(*dialog) else {
                    return;
                };
                r.closed = Some(at);
                r.first_response_secs = stats.first_response_secs;
                if let Some(op) = r.operator.clone() {
                    self.operators.entry(op).or_default().hold(at, -1);
                }
            }
            _ => {}
        }
    }

    /// Close the books at `end`: online time and held dialogs up to then.
    pub fn finish(&mut self, end: DateTime<Utc>) {
        for load in self.operators.values_mut() {
            if let Some(since) = load.online_since.take() {
                load.online_secs += secs(end - since);
            }
            load.hold(end, 0);
        }
    }

    /// Dialogs waiting for their first assignment at `at` (opened, not yet assigned,
    /// not closed).
    pub fn waiting_at(&self, at: DateTime<Utc>) -> usize {
        self.dialogs
            .iter()
            .filter(|r| {
                r.opened <= at
                    && r.wait_ms
                        .is_none_or(|w| r.opened + chrono::Duration::milliseconds(w) > at)
                    && r.closed.is_none_or(|c| c > at)
            })
            .count()
    }

    /// Operators online at `at`.
    pub fn online_at(&self, at: DateTime<Utc>) -> u32 {
        let n = self.online.partition_point(|(t, _)| *t <= at);
        n.checked_sub(1).map_or(0, |i| self.online[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use openlines::{CloseReason, DialogStats};

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::seconds(s)
    }

    fn opened(d: DialogId) -> Action {
        Action::DialogOpened {
            dialog: d,
            line: "l".into(),
            client: format!("c{d}"),
        }
    }

    fn assigned(d: DialogId, op: &str, reason: AssignReason) -> Action {
        Action::Assigned {
            dialog: d,
            operator: op.into(),
            reason,
        }
    }

    fn closed(d: DialogId, first: u64) -> Action {
        Action::DialogClosed {
            dialog: d,
            reason: CloseReason::Operator,
            stats: DialogStats {
                first_response_secs: Some(first),
                ..DialogStats::default()
            },
        }
    }

    #[test]
    fn records_waits_first_response_and_load() {
        let mut o = Observed::default();
        o.presence(t(0), "ann", true);
        o.action(t(10), &opened(1));
        o.action(t(20), &opened(2));
        o.action(t(40), &assigned(1, "ann", AssignReason::Accepted));
        // A transfer is not a first assignment: the wait stays the first one.
        o.action(t(50), &assigned(1, "bob", AssignReason::Transfer));
        o.action(t(60), &assigned(2, "ann", AssignReason::Accepted));
        assert_eq!(o.waiting_at(t(30)), 2);
        assert_eq!(o.waiting_at(t(45)), 1);
        assert_eq!(o.waiting_at(t(60)), 0);
        o.action(t(100), &closed(1, 35));
        o.presence(t(200), "ann", false);
        o.finish(t(300));
        let r = o.dialog(1).unwrap();
        assert_eq!(r.wait_ms, Some(30_000));
        assert_eq!(r.first_response_secs, Some(35));
        assert_eq!(r.closed, Some(t(100)));
        assert_eq!(r.operator.as_deref(), Some("ann"));
        assert_eq!(o.dialog(2).unwrap().wait_ms, Some(40_000));
        assert!(!o.operators.contains_key("bob"));
        let ann = &o.operators["ann"];
        assert_eq!(ann.assigned, 2);
        assert_eq!(ann.peak, 2);
        // Held: 1 dialog 40..60, 2 dialogs 60..100, 1 dialog 100..300 (end).
        assert_eq!(ann.held_secs, 20.0 + 80.0 + 200.0);
        assert!((ann.occupancy() - 1.5).abs() < 1e-9);
        assert_eq!(ann.online_secs, 200.0);
        assert_eq!(o.online_at(t(100)), 1);
        assert_eq!(o.online_at(t(250)), 0);
        assert_eq!(o.online_at(t(-5)), 0);
    }
}
