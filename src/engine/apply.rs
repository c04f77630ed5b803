//! Applying a checked input: one handler per input kind (never fails).

use super::*;

impl Engine {
    pub(super) fn apply(&mut self, at: DateTime<Utc>, checked: Checked, out: &mut Vec<Action>) {
        match checked {
            Checked::Tick | Checked::Note => {}
            Checked::ClientMessage(m, line, client, open) => match open {
                Some(id) => self.continue_dialog(at, id, &m, out),
                None => self.open_dialog(at, *m, line, client, out),
            },
            Checked::Reply(id, op) => {
                if matches!(
                    self.dialog_ref(id).map(|d| &d.state),
                    Some(DialogState::Offered { .. })
                ) {
                    self.accept(at, id, op, out);
                }
                self.reply(at, id);
            }
            Checked::Accept(id, op) => self.accept(at, id, op, out),
            Checked::Skip(id, op) => self.skip(at, id, op, out),
            Checked::TransferToOperator(id, target) => {
                self.transfer_to_operator(at, id, target, out)
            }
            Checked::TransferToLine(id, op, line) => self.transfer_to_line(at, id, op, line, out),
            Checked::Close(id) => self.operator_close(at, id, out),
            Checked::Pin(id, pinned) => self.pin(at, id, pinned),
            Checked::Rate(id, score) => self.rate(at, id, score, out),
            Checked::Presence(op, status) => self.presence(at, op, status, out),
            Checked::BotHandoff(id) => self.bot_stop(at, id, BotStopReason::Handoff, out),
            Checked::BotResolved(id) => {
                out.push(Action::BotStopped {
                    dialog: id,
                    reason: BotStopReason::Resolved,
                });
                self.close_dialog(at, id, CloseReason::Bot, out);
            }
            Checked::SetLine(config, existing) => self.set_line(at, *config, existing, out),
            Checked::SetOperator(config, existing) => self.set_operator(config, existing),
            Checked::ForgetClient(client) => {
                self.s.clients.remove(&client);
            }
        }
    }

    pub(super) fn open_dialog(
        &mut self,
        at: DateTime<Utc>,
        m: ClientMessage,
        line: LineIdx,
        client: Option<ClientHandle>,
        out: &mut Vec<Action>,
    ) {
        let id = self.s.next_dialog;
        self.s.next_dialog += 1;
        let client_handle = client.unwrap_or_else(|| self.s.clients.ensure(&m.client));
        let first_contact = self.s.clients.update(client_handle, line, at, |record| {
            let first = record.dialogs == 0;
            record.dialogs = record.dialogs.saturating_add(1);
            record.open = Some(id);
            record.last_seen = at;
            first
        });
        let crm_found = m.crm.as_ref().is_some_and(|c| c.found);
        let crm_lookup_missed = m.crm.as_ref().is_some_and(|c| !c.found);
        let lead_created = self.line(line).config.crm.create_lead == CreateLead::Auto
            && crm_lookup_missed
            && m.can_reply;
        let dialog = Dialog {
            id,
            line,
            client: CompactString::from(m.client),
            client_handle: Derived(client_handle),
            channel: CompactString::from(m.channel),
            can_reply: m.can_reply,
            crm_found,
            lead_created,
            responsible: m
                .crm
                .as_ref()
                .and_then(|c| c.responsible.as_deref())
                .map(CompactString::from),
            priority: m.priority,
            language: CompactString::from(m.language),
            skills: m.skills.into_boxed_slice(),
            state: DialogState::Routing,
            tried: Vec::new(),
            pinned: false,
            forced: false,
            opened_at: at,
            awaiting_since: Some(at),
            last_operator_message_at: None,
            client_messages: 1,
            operator_messages: 0,
            first_response_secs: None,
            response_sum_secs: 0,
            responses: 0,
            max_response_secs: 0,
            rating: None,
            unanswered: false,
            nobody_available_sent: false,
            off_hours_sent_for: None,
            explanation: None,
        };
        out.push(Action::DialogOpened {
            dialog: id,
            line: self.line_id(line).to_owned(),
            client: dialog.client.to_string(),
        });
        let channel = dialog.channel.to_string();
        let client = dialog.client.to_string();
        self.insert_dialog(dialog);

        let config = &self.line(line).config;
        if !config.consent.text.is_empty() {
            out.push(send(id, MessageKind::Consent, &config.consent.text));
        }
        if !self.off_hours_reply(at, id, out) {
            let greeting = &self.line(line).config.greeting;
            let greet = match greeting.when {
                GreetingWhen::EveryDialog => true,
                GreetingWhen::FirstContact => first_contact,
                GreetingWhen::Never => false,
            };
            if greet && !greeting.text.is_empty() {
                out.push(send(id, MessageKind::Greeting, &greeting.text));
            }
        }
        let config = &self.line(line).config;
        if lead_created {
            out.push(Action::CreateLead {
                dialog: id,
                client,
                channel,
            });
        }
        let bot = &config.bot;
        let use_bot = !bot.id.is_empty()
            && match bot.when {
                GreetingWhen::EveryDialog => true,
                GreetingWhen::FirstContact => first_contact,
                GreetingWhen::Never => false,
            };
        if use_bot {
            let bot_id = bot.id.clone();
            let handoff = bot.handoff_after_secs;
            self.set_state(id, DialogState::Bot);
            out.push(Action::BotStarted {
                dialog: id,
                bot: bot_id,
            });
            if handoff > 0
                && let Some(deadline) = later(at, handoff)
            {
                self.arm(id, TimerKind::BotHandoff, deadline);
            }
        } else {
            self.start_human_stage(at, id, out);
        }
    }

    /// Send the off-hours reply if the line is closed and this dialog has not had it in
    /// this closed period. Returns whether the line is closed.
    pub(super) fn off_hours_reply(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        out: &mut Vec<Action>,
    ) -> bool {
        let Some(d) = self.dialog_ref(id) else {
            return false;
        };
        let line = d.line;
        let Some(schedule) = self.schedule(line) else {
            return false;
        };
        if schedule.is_open(at) {
            return false;
        }
        // A closed period is known by the instant it ends; a line that never opens
        // again has one endless closed period.
        let period = Some(
            schedule
                .next_opening(at)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
        if d.off_hours_sent_for == period {
            return true;
        }
        let Some(off) = self
            .line(line)
            .config
            .schedule
            .as_ref()
            .map(|s| s.off_hours.clone())
        else {
            return true;
        };
        text_or_form(
            out,
            id,
            MessageKind::OffHours,
            (off.action == OffHoursAction::SendText).then_some(&off.text),
            (off.action == OffHoursAction::SendForm).then_some(&off.form),
        );
        if let Some(d) = self.s.dialogs.get_mut(&id) {
            d.off_hours_sent_for = period;
        }
        true
    }

    /// After opening (no bot) or bot handoff: arm response timers and route.
    pub(super) fn start_human_stage(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        if d.awaiting_since.is_some() {
            d.awaiting_since = Some(at);
        }
        let line = d.line;
        let unanswered = self.line(line).config.unanswered.after_secs;
        let kpi_first = self.line(line).config.kpi.first_response_secs;
        if unanswered > 0 {
            self.arm_response_timer(at, id, TimerKind::Unanswered, unanswered);
        }
        if kpi_first > 0 {
            self.arm_response_timer(at, id, TimerKind::KpiFirst, kpi_first);
        }
        self.set_state(id, DialogState::Routing);
        self.route(at, id, out);
    }

    /// Arm a response-time timer, counting only open time when `kpi.business_hours_only`.
    pub(super) fn arm_response_timer(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        kind: TimerKind,
        after: u64,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let line = d.line;
        let business = self.line(line).config.kpi.business_hours_only;
        let deadline = match (business, self.schedule(line)) {
            (true, Some(schedule)) => {
                schedule.after_open_secs(at, i64::try_from(after).unwrap_or(i64::MAX))
            }
            _ => later(at, after),
        };
        if let Some(deadline) = deadline {
            self.arm(id, kind, deadline);
        }
    }

    pub(super) fn continue_dialog(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        m: &ClientMessage,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        d.client_messages = d.client_messages.saturating_add(1);
        let line = d.line;
        let state = d.state.clone();
        let newly_waiting = d.awaiting_since.is_none();
        let had_reply = d.operator_messages > 0;
        if newly_waiting {
            d.awaiting_since = Some(at);
        }
        self.cancel(id, TimerKind::AutoClose);
        self.off_hours_reply(at, id, out);
        if newly_waiting && had_reply && state != DialogState::Bot {
            let next = self.line(line).config.kpi.next_response_secs;
            if next > 0 {
                self.arm_response_timer(at, id, TimerKind::KpiNext, next);
            }
        }
        match state {
            DialogState::Bot => {
                let keyword = &self.line(line).config.bot.handoff_keyword;
                if !keyword.is_empty() && m.text.trim().eq_ignore_ascii_case(keyword.trim()) {
                    self.bot_stop(at, id, BotStopReason::Keyword, out);
                }
            }
            DialogState::Queued {
                reason: QueueReason::NoAnswer,
            } => {
                if let Some(d) = self.s.dialogs.get_mut(&id) {
                    d.tried.clear();
                }
                self.set_state(id, DialogState::Routing);
                self.route(at, id, out);
            }
            DialogState::Closing { operator } => {
                self.cancel(id, TimerKind::RatingWindow);
                self.set_state(
                    id,
                    DialogState::Assigned {
                        operator,
                        answered: false,
                    },
                );
            }
            DialogState::Assigned {
                operator,
                answered: true,
            } => {
                self.set_state(
                    id,
                    DialogState::Assigned {
                        operator,
                        answered: false,
                    },
                );
            }
            _ => {}
        }
    }

    pub(super) fn bot_stop(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        reason: BotStopReason,
        out: &mut Vec<Action>,
    ) {
        self.cancel(id, TimerKind::BotHandoff);
        out.push(Action::BotStopped { dialog: id, reason });
        self.start_human_stage(at, id, out);
    }

    pub(super) fn reply(&mut self, at: DateTime<Utc>, id: DialogId) {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        d.record_reply(at);
        let pinned = d.pinned;
        let line = d.line;
        if let DialogState::Assigned {
            operator,
            answered: false,
        } = d.state
        {
            self.set_state(
                id,
                DialogState::Assigned {
                    operator,
                    answered: true,
                },
            );
        }
        for kind in [
            TimerKind::Unanswered,
            TimerKind::KpiFirst,
            TimerKind::KpiNext,
        ] {
            self.cancel(id, kind);
        }
        let auto_close = self.line(line).config.auto_close.after_secs;
        if auto_close > 0
            && !pinned
            && let Some(deadline) = later(at, auto_close)
        {
            self.arm(id, TimerKind::AutoClose, deadline);
        }
    }

    pub(super) fn accept(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        out: &mut Vec<Action>,
    ) {
        let others: Vec<OperatorIdx> = match self.dialog_ref(id).map(|d| &d.state) {
            Some(DialogState::Offered { operators, .. }) => {
                operators.iter().copied().filter(|&o| o != op).collect()
            }
            _ => Vec::new(),
        };
        for other in others {
            out.push(Action::OfferWithdrawn {
                dialog: id,
                operator: self.operator_id(other).to_owned(),
                reason: WithdrawReason::Taken,
            });
        }
        self.assign(at, id, op, AssignReason::Accepted, false, out);
    }

    pub(super) fn skip(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        out: &mut Vec<Action>,
    ) {
        if matches!(
            self.dialog_ref(id).map(|d| &d.state),
            Some(DialogState::Offered { .. })
        ) {
            self.withdraw_offer(at, id, &[op], WithdrawReason::Skipped, out);
            return;
        }
        // The assigned operator hands the dialog back: next candidate.
        if let Some(d) = self.s.dialogs.get_mut(&id) {
            d.tried.push(op);
        }
        self.set_state(id, DialogState::Routing);
        self.route(at, id, out);
    }

    pub(super) fn transfer_to_operator(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        target: OperatorIdx,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let answered = matches!(d.state, DialogState::Assigned { answered: true, .. });
        let line = d.line;
        let lead_created = d.lead_created;
        self.set_state(
            id,
            DialogState::Assigned {
                operator: target,
                answered,
            },
        );
        self.note_assignment(at, id, target, false);
        out.push(Action::Assigned {
            dialog: id,
            operator: self.operator_id(target).to_owned(),
            reason: AssignReason::Transfer,
        });
        if changes_crm_responsible(&self.line(line).config, lead_created) {
            out.push(Action::CrmResponsibleChanged {
                dialog: id,
                operator: self.operator_id(target).to_owned(),
            });
        }
    }

    pub(super) fn transfer_to_line(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        line: LineIdx,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let old_line = d.line;
        let client = *d.client_handle;
        self.set_state(id, DialogState::Routing);
        if old_line != line {
            self.s.clients.update(client, old_line, at, |record| {
                record.open = None;
            });
            self.s.clients.update(client, line, at, |record| {
                record.open = Some(id);
                record.dialogs = record.dialogs.saturating_add(1);
            });
        }
        self.move_dialog(id, line);
        if let Some(d) = self.s.dialogs.get_mut(&id) {
            d.tried.clear();
            d.forced = false;
            d.nobody_available_sent = false;
            if old_line == line {
                d.tried.push(op);
            }
        }
        self.route(at, id, out);
    }

    pub(super) fn operator_close(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.known_dialog(id) else {
            return;
        };
        let line = d.line;
        let operator = d.state.owner();
        let config = &self.line(line).config;
        if !config.closing.text.is_empty() {
            out.push(send(id, MessageKind::Closing, &config.closing.text));
        }
        let rating = config.rating.clone();
        if rating.enabled {
            if !rating.text.is_empty() {
                out.push(send(id, MessageKind::RatingRequest, &rating.text));
            }
            if rating.window_secs > 0
                && let (Some(operator), Some(deadline)) = (operator, later(at, rating.window_secs))
            {
                for kind in [
                    TimerKind::AutoClose,
                    TimerKind::Unanswered,
                    TimerKind::KpiFirst,
                    TimerKind::KpiNext,
                ] {
                    self.cancel(id, kind);
                }
                self.set_state(id, DialogState::Closing { operator });
                self.arm(id, TimerKind::RatingWindow, deadline);
                return;
            }
        }
        self.close_dialog(at, id, CloseReason::Operator, out);
    }

    pub(super) fn pin(&mut self, at: DateTime<Utc>, id: DialogId, pinned: bool) {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        d.pinned = pinned;
        let line = d.line;
        let answered = matches!(d.state, DialogState::Assigned { answered: true, .. });
        let last = d.last_operator_message_at;
        if pinned {
            self.cancel(id, TimerKind::AutoClose);
            return;
        }
        let after = self.line(line).config.auto_close.after_secs;
        if after > 0
            && answered
            && let Some(deadline) = last.and_then(|t| later(t, after))
        {
            self.arm(id, TimerKind::AutoClose, deadline.max(at));
        }
    }

    pub(super) fn rate(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        score: u8,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = known_mut(&mut self.s.dialogs, id) else {
            return;
        };
        d.rating = Some(score);
        let closing = matches!(d.state, DialogState::Closing { .. });
        let line = d.line;
        if closing && self.line(line).config.rating.close_on_rating {
            self.close_dialog(at, id, CloseReason::Rated, out);
        }
    }

    pub(super) fn presence(
        &mut self,
        at: DateTime<Utc>,
        op: OperatorIdx,
        status: PresenceStatus,
        out: &mut Vec<Action>,
    ) {
        let old = self.change_operator(op, |o| std::mem::replace(&mut o.presence, status));
        if status == PresenceStatus::Online || old == PresenceStatus::Dismissed {
            self.call.dirty_operators.insert(op);
        }
        if status == PresenceStatus::Online {
            return;
        }
        let held: Vec<DialogId> = self.holdings[op.index()].iter().copied().collect();
        for id in held {
            let Some(d) = self.dialog_ref(id) else {
                continue;
            };
            let checks = self.line(d.line).config.queue.check_availability;
            match d.state {
                DialogState::Offered { .. } if checks || status == PresenceStatus::Dismissed => {
                    self.withdraw_offer(at, id, &[op], WithdrawReason::Unavailable, out);
                }
                DialogState::Assigned { .. } if status == PresenceStatus::Dismissed => {
                    self.set_state(id, DialogState::Routing);
                    if let Some(d) = self.s.dialogs.get_mut(&id) {
                        d.tried.clear();
                        d.forced = false;
                    }
                    self.route(at, id, out);
                }
                _ => {}
            }
        }
    }

    /// Take `gone` operators out of a dialog's offer, each with an `offer_withdrawn`.
    /// Skipped and timed-out operators count as tried in this cycle. When nobody is
    /// left, the dialog is routed again.
    pub(super) fn withdraw_offer(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        gone: &[OperatorIdx],
        reason: WithdrawReason,
        out: &mut Vec<Action>,
    ) {
        let Some(DialogState::Offered {
            operators,
            expires_at,
        }) = self.dialog_ref(id).map(|d| d.state.clone())
        else {
            return;
        };
        for &op in gone {
            out.push(Action::OfferWithdrawn {
                dialog: id,
                operator: self.operator_id(op).to_owned(),
                reason,
            });
        }
        if matches!(reason, WithdrawReason::Skipped | WithdrawReason::Timeout)
            && let Some(d) = self.s.dialogs.get_mut(&id)
        {
            d.tried.extend_from_slice(gone);
        }
        let rest: Vec<OperatorIdx> = operators
            .into_iter()
            .filter(|o| !gone.contains(o))
            .collect();
        if rest.is_empty() {
            self.cancel(id, TimerKind::OfferExpiry);
            self.set_state(id, DialogState::Routing);
            if self.call.catch_up.deferred.contains(&id) {
                return; // routed once when the catch-up ends
            }
            self.route(at, id, out);
        } else {
            self.set_state(
                id,
                DialogState::Offered {
                    operators: rest,
                    expires_at,
                },
            );
        }
    }

    /// Add or replace a line. Costs what the change touches: the line's queue, the
    /// dialogs whose load counting changes (only when `load_excludes` changes), the
    /// offers of operators who left the queue or are no longer available to it, and
    /// the waiting dialogs of the line when its affinity rules change or a
    /// `hold_until_open` is lifted.
    pub(super) fn set_line(
        &mut self,
        at: DateTime<Utc>,
        config: LineConfig,
        existing: Option<LineIdx>,
        out: &mut Vec<Action>,
    ) {
        let queue = self.queue_of(&config);
        let schedule = compile_schedule(&config);
        let Some(idx) = existing else {
            let idx = LineIdx::at(self.s.lines.len());
            self.line_index.insert(config.id.clone(), idx);
            self.queue_members.push(HashSet::new());
            self.s.lines.push(Line {
                config,
                queue: Vec::new(),
                last_offered: None,
                totals: Default::default(),
                wait: Default::default(),
            });
            self.schedules.push(schedule);
            self.live.push(LiveCounts::default());
            self.waiting.push(LineWaiting::default());
            self.queue_ranks.push(Default::default());
            self.ready.grow(self.s.lines.len(), self.s.operators.len());
            self.replace_queue(idx, queue);
            return;
        };
        let old = &self.line(idx).config;
        let recount = old.queue.load_excludes != config.queue.load_excludes;
        // Waiting dialogs look at their affinity operators again when the rules change,
        // or when a hold is lifted (it may have kept them from those operators).
        let held_before = old.holds_until_open();
        let affinity_changes = old.crm.route_to_responsible != config.crm.route_to_responsible
            || old.queue.prefer_previous_operator != config.queue.prefer_previous_operator
            || held_before;
        // Dialogs whose load counting may change leave the counts under the old rule
        // and come back under the new one.
        let recounted: Vec<(DialogId, DialogState)> = if recount {
            self.line_dialogs(idx)
                .into_iter()
                .map(|id| (id, self.set_state(id, DialogState::Routing)))
                .collect()
        } else {
            Vec::new()
        };
        let waiting_keys: Vec<WaitingKey> = if affinity_changes {
            self.waiting[idx.index()].iter().collect()
        } else {
            Vec::new()
        };
        for &key in &waiting_keys {
            let targets = self.affinity_of(key.1);
            self.affinity.remove(key, targets);
        }
        self.s.lines[idx.index()].config = config;
        self.schedules[idx.index()] = schedule;
        self.replace_queue(idx, queue);
        for (id, state) in recounted {
            self.set_state(id, state);
        }
        for &key in &waiting_keys {
            let targets = self.affinity_of(key.1);
            for target in &targets {
                if let AffinityTarget::Operator(op) = target {
                    self.call.dirty_operators.insert(*op);
                }
            }
            self.waiting[idx.index()].set_affine(key, !targets.is_empty());
            self.affinity.insert(key, targets);
        }
        self.call.dirty_lines.insert(idx);
        self.timers.cancel(TimerKey::LineOpening(idx.0));
        self.withdraw_offers_outside_queue(at, idx, out);
        // Waiting dialogs need a fresh opening timer under the new schedule (also the
        // ones that waited for an operator before the line held them).
        self.keep_opening_armed(at, idx);
    }

    /// The open dialogs of `line` that some operator is offered or owns (found through
    /// the line's holders, not a scan of every open dialog).
    fn line_dialogs(&self, line: LineIdx) -> Vec<DialogId> {
        self.dialogs_held_by(line, self.live[line.index()].holders.keys().copied())
    }

    /// The open dialogs of `line` that one of `operators` is offered or owns, by id.
    fn dialogs_held_by(
        &self,
        line: LineIdx,
        operators: impl Iterator<Item = OperatorIdx>,
    ) -> Vec<DialogId> {
        let mut ids: Vec<DialogId> = operators
            .flat_map(|op| self.holdings[op.index()].iter().copied())
            .filter(|id| self.dialog_ref(*id).is_some_and(|d| d.line == line))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Withdraw the offers of `line` made to operators no longer in its queue, or no
    /// longer available under its availability rule.
    fn withdraw_offers_outside_queue(
        &mut self,
        at: DateTime<Utc>,
        line: LineIdx,
        out: &mut Vec<Action>,
    ) {
        let checks = self.line(line).config.queue.check_availability;
        let gone_from = |engine: &Engine, op: OperatorIdx| {
            !engine.queue_members[line.index()].contains(&op)
                || (checks && engine.op(op).presence != PresenceStatus::Online)
        };
        let holders: Vec<OperatorIdx> = self.live[line.index()]
            .holders
            .keys()
            .copied()
            .filter(|&op| gone_from(self, op))
            .collect();
        if holders.is_empty() {
            return;
        }
        // Only the dialogs the departing operators hold, in id order.
        for id in self.dialogs_held_by(line, holders.iter().copied()) {
            let Some(DialogState::Offered { operators, .. }) =
                self.dialog_ref(id).map(|d| &d.state)
            else {
                continue;
            };
            let gone: Vec<OperatorIdx> = operators
                .iter()
                .copied()
                .filter(|op| holders.contains(op))
                .collect();
            if !gone.is_empty() {
                self.withdraw_offer(at, id, &gone, WithdrawReason::Unavailable, out);
            }
        }
    }

    /// Add or replace an operator. A new operator is in no queue yet (a line lists
    /// only known operators); they may take the waiting dialogs whose CRM responsible
    /// they are. Nothing else is looked at.
    pub(super) fn set_operator(&mut self, config: OperatorConfig, existing: Option<OperatorIdx>) {
        match existing {
            Some(idx) => {
                // The live presence stays: `presence` inputs govern it, not the config.
                self.change_operator(idx, |o| o.config = config);
                self.call.dirty_operators.insert(idx);
            }
            None => {
                let id = config.id.clone();
                let idx = self.add_operator(config);
                self.affinity.resolve(&id, idx);
                self.call.dirty_operators.insert(idx);
            }
        }
    }
}

/// Whether a transfer to an operator changes the client's CRM responsible: only with
/// `crm.change_responsible_on_transfer`, and only for a lead this dialog created
/// (`create_lead`). A client the CRM already knew keeps their responsible.
fn changes_crm_responsible(config: &LineConfig, lead_created: bool) -> bool {
    config.crm.change_responsible_on_transfer && lead_created
}
