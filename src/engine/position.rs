//! The queue position message (line option `queue_position`): the per-line rank trees
//! that give a waiting dialog's place in O(log n), the dispatch-rate bookkeeping behind
//! `#WAIT#`, and the message itself, on queueing and on its repeat timer.

use super::*;
use crate::queue_position::{RankTree, render};

/// A waiting dialog's key: the order of the waiting queues (priority, then age).
pub(super) type WaitKey = (Reverse<i32>, DialogId);

/// Per line, the waiting dialogs as an order-statistic tree (derived; kept by
/// `set_state` beside the waiting queues).
pub(super) type QueueRanks = Vec<RankTree<WaitKey>>;

impl Engine {
    /// Keep the rank trees, the line's dispatch rate and the repeat timer in step with
    /// a dialog's state change (called by `set_state`, after the change).
    pub(super) fn track_waiting(&mut self, id: DialogId, old: &DialogState) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let (line, key) = (d.line.index(), (Reverse(d.priority), id));
        let was_queued = matches!(old, DialogState::Queued { .. });
        let served = matches!(
            d.state,
            DialogState::Offered { .. } | DialogState::Assigned { .. }
        );
        let waits = matches!(d.state, DialogState::Queued { .. } | DialogState::Routing);
        let now = self.s.now;
        match (was_queued, matches!(d.state, DialogState::Queued { .. })) {
            (false, true) => {
                if self.queue_ranks[line].is_empty()
                    && let Some(now) = now
                {
                    self.s.lines[line].wait.queue_started(now);
                }
                self.queue_ranks[line].insert(key);
            }
            (true, false) => {
                self.queue_ranks[line].remove(&key);
                if served && let Some(now) = now {
                    let held = matches!(
                        old,
                        DialogState::Queued {
                            reason: QueueReason::OffHours
                        }
                    );
                    self.s.lines[line].wait.served(now, !held);
                }
            }
            _ => {}
        }
        // Routing is transient: the dialog may come back to the queue in the same step.
        if !waits && matches!(old, DialogState::Queued { .. } | DialogState::Routing) {
            self.cancel(id, TimerKind::QueuePosition);
        }
    }

    /// The rank trees as a scan of the open dialogs makes them (new, restore, and the
    /// consistency check).
    pub(super) fn fresh_queue_ranks(&self) -> QueueRanks {
        let mut ranks: QueueRanks = (0..self.s.lines.len())
            .map(|_| RankTree::default())
            .collect();
        for d in self.s.dialogs.values() {
            if matches!(d.state, DialogState::Queued { .. })
                && let Some(tree) = ranks.get_mut(d.line.index())
            {
                tree.insert((Reverse(d.priority), d.id));
            }
        }
        ranks
    }

    /// A dialog was just queued (a `queued` action went out): send its position when
    /// the line has the message, and arm the repeat.
    pub(super) fn announce_queue_position(&mut self, id: DialogId, out: &mut Vec<Action>) {
        self.queue_position_and_repeat(self.s.now, id, out);
    }

    /// The repeat timer fired at `at`: the dialog still waits, so it hears again.
    pub(super) fn repeat_queue_position(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        out: &mut Vec<Action>,
    ) {
        self.queue_position_and_repeat(Some(at), id, out);
    }

    /// Send the position message and arm its repeat `repeat_secs` after `from`.
    fn queue_position_and_repeat(
        &mut self,
        from: Option<DateTime<Utc>>,
        id: DialogId,
        out: &mut Vec<Action>,
    ) {
        if !self.send_queue_position(id, out) {
            return;
        }
        let repeat = self
            .dialog_ref(id)
            .map_or(0, |d| self.line(d.line).config.queue_position.repeat_secs);
        if repeat > 0
            && let Some(deadline) = from.and_then(|from| later(from, repeat))
        {
            self.arm(id, TimerKind::QueuePosition, deadline);
        }
    }

    /// Send the queue position message to a waiting dialog; false when it is not
    /// waiting or its line has no such message.
    fn send_queue_position(&self, id: DialogId, out: &mut Vec<Action>) -> bool {
        let Some(d) = self.dialog_ref(id) else {
            return false;
        };
        let DialogState::Queued { reason } = d.state else {
            return false;
        };
        let template = &self.line(d.line).config.queue_position.text;
        if template.is_empty() {
            return false;
        }
        let position = self.queue_ranks[d.line.index()].rank(&(Reverse(d.priority), id)) + 1;
        let wait = self.estimated_wait_secs(d.line, position, reason);
        out.push(send(
            id,
            MessageKind::QueuePosition,
            &render(template, position, wait),
        ));
        true
    }

    /// `#WAIT#` in seconds for the dialog at `position`: `position` departures at the
    /// line's mean gap, plus the time until the opening for a dialog held for it.
    fn estimated_wait_secs(
        &self,
        line: LineIdx,
        position: usize,
        reason: QueueReason,
    ) -> Option<i64> {
        let served = self.line(line).wait.wait_secs(position);
        if reason != QueueReason::OffHours {
            return served;
        }
        let now = self.s.now?;
        let opening = self.schedule(line)?.next_opening(now)?;
        let closed = (opening - now).num_seconds().max(0);
        Some(closed.saturating_add(served.unwrap_or(0)))
    }
}
