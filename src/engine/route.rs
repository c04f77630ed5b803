//! Routing a dialog and dispatching waiting dialogs to operators who can take them.

use super::*;

impl Engine {
    /// The eligibility verdict of `op` for dialog `d` in line `line`.
    /// `Verdict::NotNextInRotation` means eligible.
    ///
    /// The one eligibility rule: the operator's standing in the line
    /// ([`Engine::standing`]: dismissed, availability, capacity), whether they declined
    /// this dialog in this cycle, and whether they have its skills and language.
    pub(super) fn verdict(
        &self,
        op: OperatorIdx,
        line: LineIdx,
        d: &Dialog,
        check_tried: bool,
    ) -> Verdict {
        let standing = self.standing(op, line);
        if standing == Err(Verdict::Dismissed) {
            return Verdict::Dismissed;
        }
        if check_tried && d.was_tried(op) {
            return Verdict::SkippedThisCycle;
        }
        if let Err(v) = standing {
            return v;
        }
        if let Err(v) = self.op(op).qualifies(&d.skills, &d.language) {
            return v;
        }
        Verdict::NotNextInRotation
    }

    /// The routing decision for a dialog, without changing anything.
    ///
    /// The queue part walks the routing index in the mode's order and stops at the
    /// first operator who also passes the dialog's own checks (every one of them in
    /// `all` mode), so it does not scan the queue.
    pub(super) fn pick(&self, id: DialogId) -> Option<Pick> {
        let d = self.dialog_ref(id)?;
        let line = d.line;
        let l = self.line(line);
        // 1. The CRM responsible.
        if let Some((op, forced)) = self.responsible_choice(d) {
            return Some(Pick::assign(op, AssignReason::CrmResponsible, forced));
        }
        // 2. The previous operator.
        if let Some(op) = self.previous_choice(d) {
            return Some(Pick::assign(op, AssignReason::PreviousOperator, false));
        }
        // 3. The queue.
        let mode = l.config.queue.distribution;
        let rotation = l.last_offered.and_then(|op| self.ready.position(op, line));
        let mut candidates = self
            .ready
            .in_order(line, mode, rotation)
            .filter_map(|&(_, _, pos)| l.queue.get(pos as usize).copied())
            .filter(|&op| {
                !d.was_tried(op) && self.op(op).qualifies(&d.skills, &d.language).is_ok()
            });
        // `all` ranks by queue position, so its offer keeps the queue order.
        let operators: Vec<OperatorIdx> = if mode == Distribution::All {
            candidates.collect()
        } else {
            candidates.next().into_iter().collect()
        };
        if operators.is_empty() {
            return None;
        }
        Some(Pick {
            operators,
            assign: None,
            forced: false,
        })
    }

    /// The CRM responsible if they get this dialog now, with whether that bypasses
    /// the availability and capacity checks (`responsible_checks_availability: false`).
    pub(super) fn responsible_choice(&self, d: &Dialog) -> Option<(OperatorIdx, bool)> {
        let crm = &self.line(d.line).config.crm;
        if !crm.route_to_responsible || !d.crm_found {
            return None;
        }
        let op = d
            .responsible
            .as_deref()
            .and_then(|r| self.operator_index.get(r).copied())?;
        match self.verdict(op, d.line, d, true) {
            Verdict::NotNextInRotation => Some((op, false)),
            Verdict::Dismissed | Verdict::SkippedThisCycle => None,
            _ if !crm.responsible_checks_availability => Some((op, true)),
            _ => None,
        }
    }

    /// The client's previous operator in this line, if preferred and eligible.
    pub(super) fn previous_choice(&self, d: &Dialog) -> Option<OperatorIdx> {
        if !self.line(d.line).config.queue.prefer_previous_operator {
            return None;
        }
        let op = self
            .s
            .clients
            .line(*d.client_handle, d.line)
            .and_then(|c| c.last_operator)?;
        (self.verdict(op, d.line, d, true) == Verdict::NotNextInRotation).then_some(op)
    }

    /// Record the decision `explain` reports (the verdicts of the operators not
    /// chosen are worked out when `explain` is called).
    pub(super) fn explain_decision(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        decision: Decision,
        chosen: Vec<OperatorIdx>,
    ) {
        if let Some(d) = self.s.dialogs.get_mut(&id) {
            d.explanation = Some(Explanation {
                at,
                line: d.line,
                decision,
                chosen: chosen.into_boxed_slice(),
            });
        }
    }

    /// Route a dialog in state `Routing`: assign, offer, or queue it.
    pub(super) fn route(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let line = d.line;
        if self.held_closed(line, at) {
            self.explain_decision(at, id, Decision::OffHours, Vec::new());
            if self.enqueue(at, id, QueueReason::OffHours, out) {
                self.announce_queue_position(id, out);
            }
            return;
        }
        match self.pick(id) {
            Some(pick) => self.apply_pick(at, id, pick, out),
            None => self.nobody_to_pick(at, id, out),
        }
    }

    /// No candidate is left for a dialog being routed: when its cycle has tried
    /// someone, the cycle is over (`no_answer`, which for `requeue` starts a new one);
    /// otherwise nobody is available.
    fn nobody_to_pick(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let tried_any = self.dialog_ref(id).is_some_and(|d| !d.tried.is_empty());
        if tried_any {
            self.no_answer(at, id, out);
        } else {
            self.nobody_available(at, id, out);
        }
    }

    pub(super) fn apply_pick(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        pick: Pick,
        out: &mut Vec<Action>,
    ) {
        let Pick {
            operators,
            assign,
            forced,
        } = pick;
        #[cfg(debug_assertions)]
        if !forced {
            // Capacity and availability are checked at decision time: prove it in
            // debug builds (property tests and fuzzing run with these on).
            if let Some(d) = self.dialog_ref(id) {
                for &op in &operators {
                    let verdict = self.verdict(op, d.line, d, true);
                    debug_assert_eq!(
                        verdict,
                        Verdict::NotNextInRotation,
                        "dialog {id} routed to ineligible operator {}",
                        self.operator_id(op)
                    );
                }
            }
        }
        if let Some(reason) = assign {
            let decision = match reason {
                AssignReason::PreviousOperator => Decision::PreviousOperator,
                _ => Decision::CrmResponsible,
            };
            self.explain_decision(at, id, decision, operators.clone());
            if let Some(&op) = operators.first() {
                self.assign(at, id, op, reason, forced, out);
            }
            return;
        }
        self.explain_decision(at, id, Decision::Offer, operators.clone());
        self.offer(at, id, operators, out);
    }

    pub(super) fn offer(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        operators: Vec<OperatorIdx>,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let line = d.line;
        let forward = self.line(line).config.queue.forward_after_secs;
        let expires_at = later(at, forward).unwrap_or(at);
        if operators.len() == 1 {
            self.s.lines[line.index()].last_offered = operators.first().copied();
        }
        self.cancel(id, TimerKind::Retry);
        out.push(Action::Offer {
            dialog: id,
            operators: operators
                .iter()
                .map(|&op| self.operator_id(op).to_owned())
                .collect(),
            expires_at,
        });
        self.set_state(
            id,
            DialogState::Offered {
                operators,
                expires_at,
            },
        );
        self.arm(id, TimerKind::OfferExpiry, expires_at);
    }

    /// Put a dialog in the waiting queue; `queued` is emitted when the reason changes.
    /// Returns whether it was (the dialog is newly queued, or for a new reason).
    pub(super) fn enqueue(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        reason: QueueReason,
        out: &mut Vec<Action>,
    ) -> bool {
        let Some(d) = self.known_dialog(id) else {
            return false;
        };
        let line = d.line;
        let queued = d.state != (DialogState::Queued { reason });
        if queued {
            out.push(Action::Queued { dialog: id, reason });
        }
        self.set_state(id, DialogState::Queued { reason });
        self.keep_opening_armed(at, line);
        queued
    }

    /// A line that holds its dialogs until it opens comes back to its waiting dialogs
    /// at its next opening when something may have moved them while it was closed: a
    /// dialog held there, an operator who freed up or came online, a new schedule.
    /// Nothing else would wake them when it opens. So while such a line is closed and
    /// has waiting dialogs, a change of that kind arms its next opening (one timer per
    /// line). An open line does not re-arm: dialogs that waited while it was open wait
    /// for a change, and a line nobody can serve costs nothing per week of silence.
    /// An armed opening is already the next one (a schedule changes only through
    /// `set_line`, which cancels it), so the schedule is not walked again for every
    /// dialog that queues.
    pub(super) fn keep_opening_armed(&mut self, at: DateTime<Utc>, line: LineIdx) {
        if self.line(line).config.holds_until_open()
            && self.live[line.index()].waiting() > 0
            && self
                .timers
                .deadline(TimerKey::LineOpening(line.0))
                .is_none()
            && !self.is_open(line, at)
        {
            self.arm_line_opening(at, line);
        }
    }

    pub(super) fn nobody_available(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let line = d.line;
        let l = self.line(line);
        if l.config.queue.when_nobody_available == WhenNobodyAvailable::AssignAnyway {
            let target = forced_order(
                l.config.queue.distribution,
                l.queue.len(),
                &l.queue,
                l.last_offered,
            )
            .filter_map(|pos| l.queue.get(pos).copied())
            .find(|&op| self.op(op).presence != PresenceStatus::Dismissed && !d.was_tried(op));
            if let Some(op) = target {
                self.s.lines[line.index()].last_offered = Some(op);
                self.explain_decision(at, id, Decision::AssignAnyway, vec![op]);
                self.assign(at, id, op, AssignReason::AssignAnyway, true, out);
                return;
            }
        }
        self.explain_decision(at, id, Decision::NobodyAvailable, Vec::new());
        let queued = self.enqueue(at, id, QueueReason::NobodyAvailable, out);
        let text = &self.s.lines[line.index()].config.nobody_available_text;
        if let Some(d) = self.s.dialogs.get_mut(&id)
            && !d.nobody_available_sent
            && !text.is_empty()
        {
            d.nobody_available_sent = true;
            out.push(send(id, MessageKind::NobodyAvailable, text));
        }
        if queued {
            self.announce_queue_position(id, out);
        }
    }

    /// Every candidate of the cycle declined or timed out.
    pub(super) fn no_answer(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let line = d.line;
        let policy = self.line(line).config.queue.no_answer.clone();
        if policy.action == NoAnswerAction::Requeue {
            if let Some(d) = self.s.dialogs.get_mut(&id) {
                d.tried.clear();
            }
            match self.pick(id) {
                Some(pick) => self.apply_pick(at, id, pick, out),
                None => self.nobody_available(at, id, out),
            }
            return;
        }
        self.explain_decision(at, id, Decision::NoAnswer, Vec::new());
        let queued = self.enqueue(at, id, QueueReason::NoAnswer, out);
        text_or_form(
            out,
            id,
            MessageKind::NoAnswer,
            (policy.action == NoAnswerAction::SendText).then_some(&policy.text),
            (policy.action == NoAnswerAction::SendForm).then_some(&policy.form),
        );
        if queued {
            self.announce_queue_position(id, out);
        }
        if policy.retry_after_secs > 0
            && let Some(deadline) = later(at, policy.retry_after_secs)
        {
            self.arm(id, TimerKind::Retry, deadline);
        }
    }

    /// Give waiting dialogs to operators who may have become eligible.
    ///
    /// Between inputs no waiting dialog has an eligible operator, so only the
    /// operators whose load fell (or who came online, or were reconfigured) can take
    /// one: each of them takes waiting dialogs in global order (priority, then age)
    /// while they have room. Lines whose config changed or that just opened are
    /// looked at whole.
    pub(super) fn dispatch(&mut self, at: DateTime<Utc>, out: &mut Vec<Action>) {
        let mut operators_changed = false;
        loop {
            if let Some(line) = self.call.dirty_lines.pop_first() {
                self.dispatch_line(at, line, out);
            } else if let Some(op) = self.call.dirty_operators.pop_first() {
                operators_changed = true;
                self.dispatch_operator(at, op, out);
            } else {
                break;
            }
        }
        if operators_changed {
            // Operators who may have become eligible cannot take what a closed
            // hold-until-open line keeps waiting: it gets them at its opening.
            for line in 0..self.s.lines.len() {
                self.keep_opening_armed(at, LineIdx::at(line));
            }
        }
    }

    /// Serve the waiting dialogs of `line` after a line-wide change (its config, its
    /// opening), in dispatch order. Looks only at the dialogs the change can move (see
    /// [`LineWaiting::next_movable`]): held ones, ones with an affinity, and the needs
    /// some ready queue operator of the line meets, so a line where nobody is ready
    /// and nothing is held costs nothing per waiting dialog.
    pub(super) fn dispatch_line(
        &mut self,
        at: DateTime<Utc>,
        line: LineIdx,
        out: &mut Vec<Action>,
    ) {
        if self.held_closed(line, at) {
            self.keep_opening_armed(at, line);
            return;
        }
        let mut cursor = None;
        while let Some(key) = self.next_movable(line, cursor) {
            cursor = Some(key);
            let id = key.1;
            let Some(DialogState::Queued { reason }) = self.known_dialog(id).map(|d| &d.state)
            else {
                debug_assert!(false, "invariant: waiting dialog {id} is queued");
                continue;
            };
            let reason = *reason;
            if let Some(pick) = self.pick(id) {
                self.apply_pick(at, id, pick, out);
            } else if reason == QueueReason::OffHours {
                // The line opened but nobody is eligible. A cycle that ran out while
                // the line was closed (the last offer expired after closing) ends now,
                // as it would have while open; otherwise an ordinary wait.
                self.set_state(id, DialogState::Routing);
                self.nobody_to_pick(at, id, out);
            }
        }
    }

    /// The next waiting dialog of `line` after `cursor` that a line-wide change can
    /// move, with the line's ready operators as they are now.
    fn next_movable(&self, line: LineIdx, cursor: Option<WaitingKey>) -> Option<WaitingKey> {
        let l = self.line(line);
        let ready: Vec<OperatorIdx> = self.ready.by_line[line.index()]
            .iter()
            .filter_map(|&(_, _, pos)| l.queue.get(pos as usize).copied())
            .collect();
        self.waiting[line.index()].next_movable(cursor, |need| {
            ready
                .iter()
                .any(|&op| self.op(op).qualifies(&need.skills, &need.language).is_ok())
        })
    }

    pub(super) fn dispatch_operator(
        &mut self,
        at: DateTime<Utc>,
        op: OperatorIdx,
        out: &mut Vec<Action>,
    ) {
        let mut cursor: Option<WaitingKey> = None;
        loop {
            if self.op(op).presence == PresenceStatus::Dismissed {
                return;
            }
            let Some(key) = self.next_waiting_for(at, op, cursor) else {
                return;
            };
            cursor = Some(key);
            if let Some(pick) = self.pick(key.1) {
                self.apply_pick(at, key.1, pick, out);
            }
        }
    }

    /// The first waiting dialog after `cursor` (in priority-then-age order across
    /// lines) that `op` could take: in the lines whose queue they are in, only the
    /// groups of dialogs whose skills and language they have; and the dialogs they
    /// have an affinity to.
    pub(super) fn next_waiting_for(
        &self,
        at: DateTime<Utc>,
        op: OperatorIdx,
        cursor: Option<WaitingKey>,
    ) -> Option<WaitingKey> {
        let lower = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let mut best: Option<WaitingKey> = None;
        let operator = self.op(op);
        // Line-wide reasons are checked once per line, needs once per group.
        let groups = self
            .waiting
            .iter()
            .enumerate()
            .filter(|(line, waiting)| {
                !waiting.is_empty()
                    && self.queue_members[*line].contains(&op)
                    && self.line_accepts(op, LineIdx::at(*line), at)
            })
            .flat_map(|(_, waiting)| waiting.groups())
            .filter(|g| operator.qualifies(&g.need.skills, &g.need.language).is_ok())
            .map(|g| &g.dialogs);
        for waiting in groups.chain(self.affinity.of(op)) {
            let found = waiting
                .range((lower, Bound::Unbounded))
                .take_while(|key| best.is_none_or(|b| **key < b))
                .find(|key| {
                    self.dialog_ref(key.1)
                        .is_some_and(|d| !self.held_closed(d.line, at) && self.could_take(op, d))
                });
            if let Some(&key) = found {
                best = Some(key);
            }
        }
        best
    }

    /// Whether `op` could take any dialog of `line` from its queue: their standing in
    /// the line, and the line not held closed.
    pub(super) fn line_accepts(&self, op: OperatorIdx, line: LineIdx, at: DateTime<Utc>) -> bool {
        self.standing(op, line).is_ok() && !self.held_closed(line, at)
    }

    /// Whether `op` is a candidate for dialog `d` right now: its CRM responsible or
    /// previous operator as `pick` would choose them, or an eligible queue operator.
    pub(super) fn could_take(&self, op: OperatorIdx, d: &Dialog) -> bool {
        // The queue check first: it needs no lookup by client id.
        (self.queue_members[d.line.index()].contains(&op)
            && self.verdict(op, d.line, d, true) == Verdict::NotNextInRotation)
            || self.responsible_choice(d).is_some_and(|(r, _)| r == op)
            || self.previous_choice(d) == Some(op)
    }
}

/// A routing choice before it is applied.
pub(super) struct Pick {
    pub(super) operators: Vec<OperatorIdx>,
    pub(super) assign: Option<AssignReason>,
    pub(super) forced: bool,
}

impl Pick {
    pub(super) fn assign(op: OperatorIdx, reason: AssignReason, forced: bool) -> Pick {
        Pick {
            operators: vec![op],
            assign: Some(reason),
            forced,
        }
    }
}
