//! Timers firing: offer expiry, retries, unanswered, KPI, auto-close, rating window, bot handoff, line opening, client-history sweep.

use super::*;

impl Engine {
    /// Fire every timer due at or before `at`, each at its own deadline.
    ///
    /// A dialog whose offers keep expiring while no input arrives (an operator who
    /// never answers, `no_answer: requeue`) would be re-offered once per
    /// `forward_after_secs` of the gap: after [`MAX_OFFER_EXPIRIES_PER_CATCH_UP`]
    /// expiries in one call, its further offers are not made inside the gap; it is
    /// routed once more at `at`. So the work of a call is bounded however long the
    /// host did not tick, and a host that ticks at `next_deadline()` sees no change.
    pub(super) fn fire_due(&mut self, at: DateTime<Utc>, out: &mut Vec<Action>) {
        self.catch_up = CatchUp::default();
        while let Some((deadline, key)) = self.timers.pop_due(at) {
            self.s.now = Some(deadline);
            if key.kind == TimerKind::OfferExpiry {
                let count = self.catch_up.expiries.entry(key.dialog).or_insert(0);
                *count += 1;
                if *count >= MAX_OFFER_EXPIRIES_PER_CATCH_UP {
                    self.catch_up.deferred.insert(key.dialog);
                }
            }
            self.fire(deadline, key, out);
            self.dispatch(deadline, out);
        }
        let deferred = std::mem::take(&mut self.catch_up).deferred;
        if deferred.is_empty() {
            return;
        }
        self.s.now = Some(at);
        for id in deferred {
            if self
                .dialog_ref(id)
                .is_some_and(|d| d.state == DialogState::Routing)
            {
                self.route(at, id, out);
            }
        }
        self.dispatch(at, out);
    }

    pub(super) fn fire(&mut self, at: DateTime<Utc>, key: TimerKey, out: &mut Vec<Action>) {
        let id = key.dialog;
        match key.kind {
            TimerKind::LineOpening(line) => {
                self.dirty_lines.insert(line);
            }
            TimerKind::ForgetSweep => self.forget_inactive(at),
            TimerKind::OfferExpiry => {
                let Some(DialogState::Offered { operators, .. }) =
                    self.dialog_ref(id).map(|d| d.state.clone())
                else {
                    return;
                };
                self.withdraw_offer(at, id, &operators, WithdrawReason::Timeout, out);
            }
            TimerKind::Retry => {
                if let Some(d) = self.s.dialogs.get_mut(&id) {
                    d.tried.clear();
                }
                self.set_state(id, DialogState::Routing);
                self.route(at, id, out);
            }
            TimerKind::BotHandoff => self.bot_stop(at, id, BotStopReason::Timeout, out),
            TimerKind::Unanswered => {
                let Some(d) = self.s.dialogs.get_mut(&id) else {
                    return;
                };
                d.unanswered = true;
                let line = d.line;
                out.push(Action::MarkUnanswered { dialog: id });
                let text = &self.line(line).config.unanswered.text;
                if !text.is_empty() {
                    out.push(send(id, MessageKind::Unanswered, text));
                }
            }
            TimerKind::KpiFirst | TimerKind::KpiNext => {
                let Some(d) = self.dialog_ref(id) else { return };
                let kpi = &self.line(d.line).config.kpi;
                let operator = d.state.owner().map(|op| self.operator_id(op).to_owned());
                let text = kpi
                    .text
                    .replace("#OPERATOR#", operator.as_deref().unwrap_or(""))
                    .replace("#DIALOG#", &id.to_string());
                out.push(Action::KpiOverdue {
                    dialog: id,
                    operator,
                    kpi: if key.kind == TimerKind::KpiFirst {
                        Kpi::FirstResponse
                    } else {
                        Kpi::NextResponse
                    },
                    notify: kpi.notify.clone(),
                    text,
                });
            }
            TimerKind::AutoClose => {
                let Some(d) = self.dialog_ref(id) else { return };
                let text = &self.line(d.line).config.auto_close.text;
                if !text.is_empty() {
                    out.push(send(id, MessageKind::AutoClose, text));
                }
                self.close_dialog(at, id, CloseReason::Inactivity, out);
            }
            TimerKind::RatingWindow => self.close_dialog(at, id, CloseReason::RatingWindow, out),
        }
    }

    /// With `forget_clients_after_days`, keep a daily sweep of idle client history armed.
    pub(super) fn arm_forget_sweep(&mut self, at: DateTime<Utc>) {
        let key = TimerKey {
            dialog: 0,
            kind: TimerKind::ForgetSweep,
        };
        if self.s.forget_clients_after_days > 0
            && self.timers.deadline(key).is_none()
            && let Some(next) = later(at, 86_400)
        {
            self.timers.arm(key, next);
        }
    }

    pub(super) fn forget_inactive(&mut self, at: DateTime<Utc>) {
        let days = self.s.forget_clients_after_days;
        if days == 0 {
            return;
        }
        let horizon = at - Duration::days(i64::from(days));
        self.s
            .clients
            .retain(|c| c.open.is_some() || c.last_seen > horizon);
        if let Some(next) = later(at, 86_400) {
            self.timers.arm(
                TimerKey {
                    dialog: 0,
                    kind: TimerKind::ForgetSweep,
                },
                next,
            );
        }
    }
}
