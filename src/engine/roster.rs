//! The roster: operators' standing in each line and the routing index that ranks the
//! ready ones.
//!
//! The index ranks operators by their presence, load, last assignment and config.
//! Those change only through this module's mutators ([`Engine::change_operator`],
//! [`Engine::move_load`], [`Engine::add_operator`], [`Engine::replace_queue`]), and
//! each brings the index up to date itself: no caller refreshes it by hand.

use super::*;

impl Engine {
    /// The part of the eligibility rule that does not look at the dialog: `op` is not
    /// dismissed, is online when `line` checks availability, and is under their own
    /// and the line's `max_dialogs`. The routing index holds exactly the operators
    /// who pass it.
    pub(super) fn standing(&self, op: OperatorIdx, line: LineIdx) -> Result<(), Verdict> {
        let o = self.op(op);
        let queue = &self.line(line).config.queue;
        if o.presence == PresenceStatus::Dismissed {
            Err(Verdict::Dismissed)
        } else if queue.check_availability && o.presence != PresenceStatus::Online {
            Err(Verdict::Unavailable)
        } else if o.config.max_dialogs > 0 && o.load >= o.config.max_dialogs {
            Err(Verdict::AtCapacity)
        } else if queue.max_dialogs > 0 && o.load_in(line) >= queue.max_dialogs {
            Err(Verdict::AtLineCapacity)
        } else {
            Ok(())
        }
    }

    /// The rank of `op` at queue position `pos` of `line` in the routing index, or
    /// `None` when their standing in the line rules them out.
    fn ready_rank(&self, op: OperatorIdx, line: LineIdx, pos: u32) -> Option<RankKey> {
        self.standing(op, line).ok()?;
        Some(rank_key(
            self.line(line).config.queue.distribution,
            self.op(op),
            pos,
        ))
    }

    /// Bring the routing index up to date after `op`'s presence, load, last
    /// assignment or config changed.
    fn refresh_ready(&mut self, op: OperatorIdx) {
        let mut ready = std::mem::take(&mut self.ready);
        ready.update(op, |line, pos| self.ready_rank(op, line, pos));
        self.ready = ready;
    }

    /// Rebuild the routing index from scratch (after lines or queues change).
    pub(super) fn rebuild_ready(&mut self) {
        self.ready = self.fresh_ready();
    }

    /// The routing index as a rebuild would make it.
    pub(super) fn fresh_ready(&self) -> ReadyIndex {
        let mut ready = ReadyIndex::shaped(&self.s.lines, self.s.operators.len());
        for op in (0..self.s.operators.len()).map(OperatorIdx::at) {
            ready.update(op, |line, pos| self.ready_rank(op, line, pos));
        }
        ready
    }

    /// Change operator `op` with `f` (their presence, last assignment or config), then
    /// bring their places in the routing index up to date.
    pub(super) fn change_operator<R>(
        &mut self,
        op: OperatorIdx,
        f: impl FnOnce(&mut Operator) -> R,
    ) -> R {
        let result = f(&mut self.s.operators[op.index()]);
        self.refresh_ready(op);
        result
    }

    /// A dialog of `line` stopped counting toward the load of the operators in `from`
    /// and started counting for those in `to`: move the load, re-rank them, and mark
    /// the ones whose load fell (they may take a waiting dialog now).
    pub(super) fn move_load(&mut self, line: LineIdx, from: &[OperatorIdx], to: &[OperatorIdx]) {
        for &op in from {
            self.s.operators[op.index()].remove_load(line);
            if !to.contains(&op) {
                self.call.dirty_operators.insert(op);
            }
        }
        for &op in to {
            self.s.operators[op.index()].add_load(line);
        }
        for &op in from.iter().chain(to) {
            self.refresh_ready(op);
        }
    }

    /// Add an operator (in no queue yet, so in no place of the routing index).
    pub(super) fn add_operator(&mut self, config: OperatorConfig) -> OperatorIdx {
        let idx = OperatorIdx::at(self.s.operators.len());
        self.operator_index.insert(config.id.clone(), idx);
        self.s.operators.push(Operator::new(config));
        self.holdings.push(BTreeSet::new());
        self.ready.grow(self.s.lines.len(), self.s.operators.len());
        idx
    }

    /// Give `line` a new resolved queue, keeping the routing index in step.
    pub(super) fn replace_queue(&mut self, line: LineIdx, queue: Vec<OperatorIdx>) {
        let old = std::mem::replace(&mut self.s.lines[line.index()].queue, queue);
        self.queue_members[line.index()] = self.line(line).queue.iter().copied().collect();
        let mut ready = std::mem::take(&mut self.ready);
        ready.reshape_line(line, &old, &self.line(line).queue, |op, pos| {
            self.ready_rank(op, line, pos)
        });
        self.ready = ready;
    }
}
