//! State changes shared by every handler: dialog state with load counts, timers, assignment, closing.

use super::*;

impl Engine {
    /// Move a dialog to a new state, keeping load counts, operator holdings and the
    /// waiting queues in step. Returns the old state.
    pub(super) fn set_state(&mut self, id: DialogId, new: DialogState) -> DialogState {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return DialogState::Routing;
        };
        let old = std::mem::replace(&mut d.state, new);
        let line_idx = d.line;
        let priority = d.priority;
        let new = &d.state;
        let live = &mut self.live[line_idx.index()];
        live.change(&old, new);
        // Borrow the dialog and the line side by side; the operators whose load moves
        // are copied to a reused buffer for the roster.
        let line = &self.s.lines[line_idx.index()];
        let counted = |state| {
            if line.counts(state) {
                involved(state)
            } else {
                &[]
            }
        };
        let (old_counted, new_counted) = (counted(&old), counted(new));
        let (old_involved, new_involved) = (involved(&old), involved(new));
        let load_moves = old_counted != new_counted;
        if load_moves {
            for &op in old_counted {
                live.remove_load(op);
            }
            for &op in new_counted {
                live.add_load(op);
            }
        }
        if old_involved != new_involved {
            for &op in old_involved {
                self.holdings[op.index()].remove(&id);
                live.remove_holder(op);
            }
            for &op in new_involved {
                self.holdings[op.index()].insert(id);
                live.add_holder(op);
            }
        }
        if load_moves {
            let mut moved = std::mem::take(&mut self.call.moved_load);
            moved.extend_from_slice(old_counted);
            let split = moved.len();
            moved.extend_from_slice(new_counted);
            self.move_load(line_idx, &moved[..split], &moved[split..]);
            moved.clear();
            self.call.moved_load = moved;
        }
        self.requeue_index(id, line_idx, priority, &old);
        self.track_waiting(id, &old);
        old
    }

    /// Keep the waiting queue and the affinity index in step with a dialog's move
    /// from `old` to its current state.
    fn requeue_index(&mut self, id: DialogId, line: LineIdx, priority: i32, old: &DialogState) {
        let key = (Reverse(priority), id);
        let old_reason = match old {
            DialogState::Queued { reason } => Some(*reason),
            _ => None,
        };
        let Some(d) = known(&self.s.dialogs, id) else {
            return;
        };
        let new_reason = match d.state {
            DialogState::Queued { reason } => Some(reason),
            _ => None,
        };
        let held = |reason: Option<QueueReason>| reason == Some(QueueReason::OffHours);
        match (old_reason, new_reason) {
            (None, Some(reason)) => {
                let targets = self.affinity_of(id);
                self.waiting[line.index()].insert(
                    key,
                    &d.skills,
                    &d.language,
                    held(Some(reason)),
                    !targets.is_empty(),
                );
                self.affinity.insert(key, targets);
            }
            (Some(_), None) => {
                let targets = self.affinity_of(id);
                self.waiting[line.index()].remove(key, &d.skills, &d.language);
                self.affinity.remove(key, targets);
            }
            (Some(was), Some(now)) if held(Some(was)) != held(Some(now)) => {
                self.waiting[line.index()].set_held(key, held(Some(now)));
            }
            _ => {}
        }
    }

    /// Add a newly opened dialog (in the transient routing state) to the open dialogs.
    pub(super) fn insert_dialog(&mut self, dialog: Dialog) {
        debug_assert_eq!(
            dialog.state,
            DialogState::Routing,
            "invariant: dialogs open unrouted"
        );
        self.live[dialog.line.index()].enter(&dialog.state);
        self.s.dialogs.insert(dialog.id, Box::new(dialog));
    }

    /// Take a closed dialog out of the open dialogs (after `set_state` released it).
    pub(super) fn remove_dialog(&mut self, id: DialogId) -> Option<Box<Dialog>> {
        let d = self.s.dialogs.remove(&id)?;
        self.live[d.line.index()].leave(&d.state);
        Some(d)
    }

    /// Move an open dialog (in the transient routing state) to another line.
    pub(super) fn move_dialog(&mut self, id: DialogId, line: LineIdx) {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        debug_assert_eq!(d.state, DialogState::Routing, "invariant: moved unrouted");
        self.live[d.line.index()].leave(&d.state);
        self.live[line.index()].enter(&d.state);
        d.line = line;
    }

    pub(super) fn arm(&mut self, dialog: DialogId, kind: TimerKind, at: DateTime<Utc>) {
        self.timers.arm(TimerKey::Dialog(dialog, kind), at);
    }

    pub(super) fn cancel(&mut self, dialog: DialogId, kind: TimerKind) {
        self.timers.cancel(TimerKey::Dialog(dialog, kind));
    }

    pub(super) fn arm_line_opening(&mut self, at: DateTime<Utc>, line: LineIdx) {
        if let Some(opening) = self.schedule(line).and_then(|s| s.next_opening(at)) {
            self.timers.arm(TimerKey::LineOpening(line.0), opening);
        }
    }

    /// Bookkeeping shared by every assignment.
    pub(super) fn note_assignment(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        forced: bool,
    ) {
        self.change_operator(op, |o| o.last_assigned_at = Some(at));
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        d.tried.clear();
        d.forced = forced;
        self.s
            .clients
            .update(*d.client_handle, d.line, at, |record| {
                record.last_operator = Some(op);
            });
        self.cancel(id, TimerKind::OfferExpiry);
        self.cancel(id, TimerKind::Retry);
    }

    pub(super) fn assign(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        reason: AssignReason,
        forced: bool,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let answered = d.awaiting_since.is_none();
        self.set_state(
            id,
            DialogState::Assigned {
                operator: op,
                answered,
            },
        );
        self.note_assignment(at, id, op, forced);
        out.push(Action::Assigned {
            dialog: id,
            operator: self.operator_id(op).to_owned(),
            reason,
        });
    }

    pub(super) fn close_dialog(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        reason: CloseReason,
        out: &mut Vec<Action>,
    ) {
        self.set_state(id, DialogState::Routing);
        self.timers.cancel_dialog(id);
        let Some(d) = self.remove_dialog(id) else {
            return;
        };
        let stats = d.stats();
        let line = d.line;
        self.s.lines[line.index()].totals.add(&stats);
        self.s.clients.update(*d.client_handle, line, at, |record| {
            record.open = None;
            record.last_seen = at;
        });
        out.push(Action::DialogClosed {
            dialog: id,
            reason,
            stats,
        });
    }
}
