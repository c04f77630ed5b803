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
    /// The recent dispatch rate behind the queue position message's `#WAIT#`.
    pub wait: crate::queue_position::WaitEstimate,
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

/// Where an operator stands in a line's [`ReadyIndex`]: the mode's preference
/// (lower first), then the queue position.
///
/// `strict`, `evenly` and `all` rank by position alone; `least_busy` by load first;
/// `longest_idle` by the last assignment first (never assigned sorts before any time).
pub(crate) type RankKey = (u32, Option<DateTime<Utc>>, u32);

/// The rank of the operator at queue position `pos` under `mode`.
pub(crate) fn rank_key(mode: Distribution, operator: &Operator, pos: u32) -> RankKey {
    match mode {
        Distribution::LeastBusy => (operator.load, None, pos),
        Distribution::LongestIdle => (0, operator.last_assigned_at, pos),
        Distribution::Strict | Distribution::Evenly | Distribution::All => (0, None, pos),
    }
}

/// The routing index: per line, the queue operators who pass every check that does
/// not depend on the dialog (not dismissed, available when the line checks it, under
/// their own and the line's capacity), ordered by the line's distribution mode.
///
/// A routing decision walks it in order and stops at the first operator who also
/// passes the dialog's own checks (skills, language, not tried this cycle), so its
/// cost does not grow with the queue. The engine refreshes an operator's entries
/// whenever their presence, load, last assignment or config changes, and rebuilds
/// it whole when lines or queues change; `check_consistency` compares it with a
/// fresh rebuild.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ReadyIndex {
    /// Per line: ranks of the ready queue operators.
    pub by_line: Vec<BTreeSet<RankKey>>,
    /// Per operator: each (line, queue position) they hold and their current rank there.
    pub places: Vec<Vec<(LineIdx, u32, Option<RankKey>)>>,
}

impl ReadyIndex {
    /// An empty index shaped for the given lines and operator count (nobody ready).
    pub fn shaped(lines: &[Line], operator_count: usize) -> ReadyIndex {
        let mut places = vec![Vec::new(); operator_count];
        for (line, l) in lines.iter().enumerate() {
            for (pos, &op) in l.queue.iter().enumerate() {
                if let Some(p) = places.get_mut(op.index()) {
                    p.push((LineIdx::at(line), pos as u32, None));
                }
            }
        }
        ReadyIndex {
            by_line: vec![BTreeSet::new(); lines.len()],
            places,
        }
    }

    /// Set the ranks of `op` (one per place, `None` = not ready there).
    pub fn update(
        &mut self,
        op: OperatorIdx,
        mut rank: impl FnMut(LineIdx, u32) -> Option<RankKey>,
    ) {
        let Some(places) = self.places.get_mut(op.index()) else {
            return;
        };
        for (line, pos, stored) in places.iter_mut() {
            let new = rank(*line, *pos);
            if new == *stored {
                continue;
            }
            let set = &mut self.by_line[line.index()];
            if let Some(old) = stored.take() {
                set.remove(&old);
            }
            if let Some(key) = new {
                set.insert(key);
            }
            *stored = new;
        }
    }

    /// A line's queue changed from `old` to `new` (operator indices in queue order):
    /// drop the old places, add the new ones with their ranks. Costs the two queues,
    /// not the other lines.
    pub fn reshape_line(
        &mut self,
        line: LineIdx,
        old: &[OperatorIdx],
        new: &[OperatorIdx],
        mut rank: impl FnMut(OperatorIdx, u32) -> Option<RankKey>,
    ) {
        for &op in old {
            if let Some(places) = self.places.get_mut(op.index()) {
                places.retain(|(l, _, _)| *l != line);
            }
        }
        let set = &mut self.by_line[line.index()];
        set.clear();
        for (pos, &op) in new.iter().enumerate() {
            let pos = pos as u32;
            let key = rank(op, pos);
            if let Some(key) = key {
                set.insert(key);
            }
            if let Some(places) = self.places.get_mut(op.index()) {
                // Places stay in line order, as `shaped` builds them.
                let at = places.partition_point(|(l, _, _)| *l <= line);
                places.insert(at, (line, pos, key));
            }
        }
    }

    /// Room for one more line (with nobody ready) or one more operator (in no queue).
    pub fn grow(&mut self, lines: usize, operators: usize) {
        self.by_line.resize_with(lines, BTreeSet::new);
        self.places.resize_with(operators, Vec::new);
    }

    /// The queue position of `op` in `line`.
    pub fn position(&self, op: OperatorIdx, line: LineIdx) -> Option<u32> {
        self.places
            .get(op.index())?
            .iter()
            .find(|(l, _, _)| *l == line)
            .map(|&(_, pos, _)| pos)
    }

    /// The ready ranks of `line` in the order `mode` tries them: for `evenly`, from the
    /// position after `rotation` (the last single offer), wrapping around.
    pub fn in_order(
        &self,
        line: LineIdx,
        mode: Distribution,
        rotation: Option<u32>,
    ) -> impl Iterator<Item = &RankKey> {
        let set = &self.by_line[line.index()];
        let split = match (mode, rotation) {
            (Distribution::Evenly, Some(pos)) => (0, None, pos.saturating_add(1)),
            _ => (0, None, 0),
        };
        set.range(split..).chain(set.range(..split))
    }
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
    #[serde(with = "crate::timestamp")]
    pub at: DateTime<Utc>,
    pub line: LineIdx,
    pub decision: Decision,
    /// The operators the decision chose (offered or assigned); empty when queued.
    pub chosen: Box<[OperatorIdx]>,
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

    fn line(queue: Vec<OperatorIdx>) -> Line {
        Line {
            config: LineConfig::default(),
            queue,
            last_offered: None,
            totals: LineTotals::default(),
            wait: Default::default(),
        }
    }

    /// An index of one line whose queue is operators 0..n, with the given ranks.
    fn index(n: u32, rank: impl Fn(u32) -> Option<RankKey>) -> ReadyIndex {
        let mut ready = ReadyIndex::shaped(&[line((0..n).map(OperatorIdx).collect())], n as usize);
        for op in 0..n {
            ready.update(OperatorIdx(op), |_, _| rank(op));
        }
        ready
    }

    fn positions<'a>(it: impl Iterator<Item = &'a RankKey>) -> Vec<u32> {
        it.map(|k| k.2).collect()
    }

    #[test]
    fn evenly_starts_after_the_rotation_point_and_wraps() {
        let ready = index(4, |op| (op != 2).then_some((0, None, op)));
        let order =
            |rotation| positions(ready.in_order(LineIdx(0), Distribution::Evenly, rotation));
        assert_eq!(order(None), vec![0, 1, 3]);
        assert_eq!(order(Some(0)), vec![1, 3, 0]);
        assert_eq!(order(Some(1)), vec![3, 0, 1]);
        assert_eq!(order(Some(3)), vec![0, 1, 3]);
        // Strict ignores the rotation.
        assert_eq!(
            positions(ready.in_order(LineIdx(0), Distribution::Strict, Some(1))),
            vec![0, 1, 3]
        );
    }

    #[test]
    fn least_busy_ranks_by_load_then_position() {
        let mut o = ops(3);
        o[0].load = 2;
        o[1].load = 1;
        o[2].load = 1;
        let ready = index(3, |op| {
            Some(rank_key(Distribution::LeastBusy, &o[op as usize], op))
        });
        assert_eq!(
            positions(ready.in_order(LineIdx(0), Distribution::LeastBusy, None)),
            vec![1, 2, 0]
        );
    }

    #[test]
    fn longest_idle_ranks_never_assigned_first_then_oldest() {
        let mut o = ops(3);
        let t = |s: i64| Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap();
        o[0].last_assigned_at = Some(t(10));
        o[1].last_assigned_at = Some(t(5));
        let ready = index(3, |op| {
            Some(rank_key(Distribution::LongestIdle, &o[op as usize], op))
        });
        assert_eq!(
            positions(ready.in_order(LineIdx(0), Distribution::LongestIdle, None)),
            vec![2, 1, 0]
        );
    }

    #[test]
    fn update_moves_and_removes_ranks() {
        let mut ready = index(3, |op| Some((0, None, op)));
        ready.update(OperatorIdx(1), |_, pos| Some((5, None, pos)));
        assert_eq!(
            positions(ready.in_order(LineIdx(0), Distribution::LeastBusy, None)),
            vec![0, 2, 1]
        );
        ready.update(OperatorIdx(0), |_, _| None);
        assert_eq!(
            positions(ready.in_order(LineIdx(0), Distribution::LeastBusy, None)),
            vec![2, 1]
        );
        assert_eq!(ready.position(OperatorIdx(2), LineIdx(0)), Some(2));
        assert_eq!(ready.position(OperatorIdx(2), LineIdx(1)), None);
        // A rebuild from the same ranks is equal (what `check_consistency` compares).
        let mut again = index(3, |op| (op != 0).then_some((0, None, op)));
        again.update(OperatorIdx(1), |_, pos| Some((5, None, pos)));
        assert_eq!(ready, again);
    }

    #[test]
    fn forced_order_starts_after_rotation_point() {
        let order: Vec<usize> = forced_order(
            Distribution::Evenly,
            3,
            &[OperatorIdx(5), OperatorIdx(6), OperatorIdx(7)],
            Some(OperatorIdx(6)),
        )
        .collect();
        assert_eq!(order, vec![2, 0, 1]);
        let order: Vec<usize> = forced_order(
            Distribution::Strict,
            3,
            &[OperatorIdx(5), OperatorIdx(6), OperatorIdx(7)],
            Some(OperatorIdx(6)),
        )
        .collect();
        assert_eq!(order, vec![0, 1, 2]);
    }
}
