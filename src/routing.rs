//! Routing: which operator gets a dialog, per the line's distribution mode, and
//! the record of why (`Engine::explain`).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::config::{Distribution, LineConfig, LoadExclude};
use crate::dialog::{DialogState, LineIdx, OperatorIdx};
use crate::operator::{Operator, Verdict};
use crate::stats::LineTotals;

/// Live state of one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Line {
    pub config: LineConfig,
    /// `config.queue.operators` resolved to operator indices.
    pub queue: Vec<OperatorIdx>,
    /// Who got the line's last single offer (the `evenly` rotation position).
    pub last_offered: Option<OperatorIdx>,
    /// Totals of closed dialogs.
    pub totals: LineTotals,
}

impl Line {
    /// Whether a dialog in `state` counts toward the load of `op` in this line.
    pub fn counts(&self, state: &DialogState) -> bool {
        let excludes = &self.config.queue.load_excludes;
        match state {
            DialogState::Offered { .. } => true,
            DialogState::Assigned { answered, .. } => {
                !(*answered && excludes.contains(&LoadExclude::Answered))
            }
            DialogState::Closing { .. } => !excludes.contains(&LoadExclude::Closing),
            DialogState::Routing | DialogState::Bot | DialogState::Queued { .. } => false,
        }
    }
}

/// Operators a dialog state involves (offered to or owned by).
pub(crate) fn involved(state: &DialogState) -> &[OperatorIdx] {
    match state {
        DialogState::Offered { operators, .. } => operators,
        DialogState::Assigned { operator, .. } | DialogState::Closing { operator } => {
            std::slice::from_ref(operator)
        }
        DialogState::Routing | DialogState::Bot | DialogState::Queued { .. } => &[],
    }
}

/// Waiting dialogs of one line: higher priority first, then older first.
pub(crate) type WaitingQueue = BTreeSet<(Reverse<i32>, DialogId)>;

/// Pick among eligible queue operators per the distribution mode.
///
/// `eligible` lists positions in the line's queue (ascending). Returns the chosen
/// positions: one, or all of them for `all`.
pub(crate) fn choose(
    mode: Distribution,
    queue: &[OperatorIdx],
    eligible: &[usize],
    last_offered: Option<OperatorIdx>,
    operators: &[Operator],
) -> Vec<usize> {
    let Some(&first) = eligible.first() else {
        return Vec::new();
    };
    match mode {
        Distribution::Strict => vec![first],
        Distribution::All => eligible.to_vec(),
        Distribution::Evenly => {
            let start = last_offered.and_then(|op| queue.iter().position(|&q| q == op));
            let next = match start {
                Some(pos) => eligible.iter().copied().find(|&p| p > pos).unwrap_or(first),
                None => first,
            };
            vec![next]
        }
        Distribution::LeastBusy => {
            let best = eligible
                .iter()
                .copied()
                .min_by_key(|&p| (load_of(operators, queue, p), p))
                .unwrap_or(first);
            vec![best]
        }
        Distribution::LongestIdle => {
            let best = eligible
                .iter()
                .copied()
                .min_by_key(|&p| (idle_key(operators, queue, p), p))
                .unwrap_or(first);
            vec![best]
        }
    }
}

fn load_of(operators: &[Operator], queue: &[OperatorIdx], pos: usize) -> u32 {
    queue
        .get(pos)
        .and_then(|&op| operators.get(op as usize))
        .map_or(u32::MAX, |o| o.load)
}

/// Never assigned sorts first (the longest idle of all), then the oldest assignment.
fn idle_key(
    operators: &[Operator],
    queue: &[OperatorIdx],
    pos: usize,
) -> (bool, Option<DateTime<Utc>>) {
    let last = queue
        .get(pos)
        .and_then(|&op| operators.get(op as usize))
        .and_then(|o| o.last_assigned_at);
    (last.is_some(), last)
}

/// The order in which `assign_anyway` walks the queue: the mode's rotation start.
pub(crate) fn forced_order(
    mode: Distribution,
    queue_len: usize,
    queue: &[OperatorIdx],
    last_offered: Option<OperatorIdx>,
) -> impl Iterator<Item = usize> {
    let start = match mode {
        Distribution::Evenly => last_offered
            .and_then(|op| queue.iter().position(|&q| q == op))
            .map_or(0, |p| p + 1),
        _ => 0,
    };
    (0..queue_len).map(move |i| (start + i) % queue_len.max(1))
}

/// The record of one routing decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Explanation {
    pub at: DateTime<Utc>,
    pub line: LineIdx,
    pub decision: Decision,
    pub verdicts: Vec<(OperatorIdx, Verdict)>,
}

/// What a routing decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Offered to the chosen operator(s).
    Offer,
    /// Assigned to the client's CRM responsible.
    CrmResponsible,
    /// Assigned to the operator of the client's previous dialog.
    PreviousOperator,
    /// Assigned although nobody was available.
    AssignAnyway,
    /// Queued: nobody eligible.
    NobodyAvailable,
    /// Queued: every candidate of the cycle declined.
    NoAnswer,
    /// Held until the line opens.
    OffHours,
}

/// One operator's line in `Engine::explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainEntry {
    /// The operator.
    pub operator: String,
    /// Why they were or were not chosen.
    pub verdict: Verdict,
}

/// Why the last routing decision of a dialog went as it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainView {
    /// The dialog.
    pub dialog: DialogId,
    /// When the decision was made.
    pub at: DateTime<Utc>,
    /// The line whose queue was used.
    pub line: String,
    /// The line's distribution mode.
    pub distribution: Distribution,
    /// What was decided.
    pub decision: Decision,
    /// Each queue operator (and a CRM responsible / previous operator outside it) with a verdict.
    pub operators: Vec<ExplainEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OperatorConfig;
    use chrono::TimeZone;

    fn ops(n: usize) -> Vec<Operator> {
        (0..n)
            .map(|i| {
                Operator::new(OperatorConfig {
                    id: format!("op{i}"),
                    ..OperatorConfig::default()
                })
            })
            .collect()
    }

    #[test]
    fn strict_takes_first_eligible() {
        let o = ops(3);
        assert_eq!(
            choose(Distribution::Strict, &[0, 1, 2], &[1, 2], Some(1), &o),
            vec![1]
        );
    }

    #[test]
    fn evenly_rotates_after_last_offer_and_wraps() {
        let o = ops(3);
        let q = [0, 1, 2];
        assert_eq!(
            choose(Distribution::Evenly, &q, &[0, 1, 2], None, &o),
            vec![0]
        );
        assert_eq!(
            choose(Distribution::Evenly, &q, &[0, 1, 2], Some(0), &o),
            vec![1]
        );
        assert_eq!(
            choose(Distribution::Evenly, &q, &[0, 1, 2], Some(2), &o),
            vec![0]
        );
        assert_eq!(
            choose(Distribution::Evenly, &q, &[0, 2], Some(0), &o),
            vec![2]
        );
        assert_eq!(choose(Distribution::Evenly, &q, &[0], Some(1), &o), vec![0]);
    }

    #[test]
    fn all_offers_everyone_eligible() {
        let o = ops(3);
        assert_eq!(
            choose(Distribution::All, &[0, 1, 2], &[0, 2], None, &o),
            vec![0, 2]
        );
        assert!(choose(Distribution::All, &[0, 1, 2], &[], None, &o).is_empty());
    }

    #[test]
    fn least_busy_ties_by_queue_order() {
        let mut o = ops(3);
        o[0].load = 2;
        o[1].load = 1;
        o[2].load = 1;
        assert_eq!(
            choose(Distribution::LeastBusy, &[0, 1, 2], &[0, 1, 2], None, &o),
            vec![1]
        );
    }

    #[test]
    fn longest_idle_prefers_never_assigned_then_oldest() {
        let mut o = ops(3);
        let t = |s: i64| Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap();
        o[0].last_assigned_at = Some(t(10));
        o[1].last_assigned_at = Some(t(5));
        o[2].last_assigned_at = None;
        assert_eq!(
            choose(Distribution::LongestIdle, &[0, 1, 2], &[0, 1, 2], None, &o),
            vec![2]
        );
        assert_eq!(
            choose(Distribution::LongestIdle, &[0, 1, 2], &[0, 1], None, &o),
            vec![1]
        );
    }

    #[test]
    fn forced_order_starts_after_rotation_point() {
        let order: Vec<usize> =
            forced_order(Distribution::Evenly, 3, &[5, 6, 7], Some(6)).collect();
        assert_eq!(order, vec![2, 0, 1]);
        let order: Vec<usize> =
            forced_order(Distribution::Strict, 3, &[5, 6, 7], Some(6)).collect();
        assert_eq!(order, vec![0, 1, 2]);
    }
}
