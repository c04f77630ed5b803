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
        self.call.catch_up = CatchUp::default();
        while let Some((deadline, key)) = self.timers.pop_due(at) {
            if key == TimerKey::ForgetSweep
                && let Some(last) = last_period_start(deadline, at, FORGET_SWEEP_PERIOD_SECS)
            {
                // Housekeeping catches up once per call: only the last sweep of the
                // gap runs (sweeps only ever widen the set of forgotten records, and
                // nothing but inputs brings a forgotten client back).
                self.timers.arm(key, last);
                continue;
            }
            self.s.now = Some(deadline);
            if let TimerKey::Dialog(id, TimerKind::OfferExpiry) = key {
                let count = self.call.catch_up.expiries.entry(id).or_insert(0);
                *count += 1;
                if *count >= MAX_OFFER_EXPIRIES_PER_CATCH_UP {
                    self.call.catch_up.deferred.insert(id);
                }
            }
            self.fire(deadline, key, out);
            if let TimerKey::Dialog(id, TimerKind::QueuePosition) = key {
                self.skip_repeats_in_the_gap(id, deadline, at);
            }
            self.dispatch(deadline, out);
        }
        let deferred = std::mem::take(&mut self.call.catch_up).deferred;
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

    /// A queue-position repeat of dialog `id` fired at `fired` in a call that reaches
    /// `at`. From the [`MAX_OFFER_EXPIRIES_PER_CATCH_UP`]th repeat in one call on, the
    /// next one moves to the last instant of its grid at or before `at`: a host silent
    /// for years gets one more message for the gap, not one per `repeat_secs` of it (the
    /// same bound as offer expiries; a host that calls at least every 32 repeats never
    /// meets it). The count is per call, not per queueing: a dialog queued again inside
    /// the gap (say at every weekly opening of a `hold_until_open` line) gets its
    /// first message and then one repeat, not another 32.
    fn skip_repeats_in_the_gap(&mut self, id: DialogId, fired: DateTime<Utc>, at: DateTime<Utc>) {
        let count = self.call.catch_up.repeats.entry(id).or_insert(0);
        *count += 1;
        if *count < MAX_OFFER_EXPIRIES_PER_CATCH_UP {
            return;
        }
        let key = TimerKey::Dialog(id, TimerKind::QueuePosition);
        let Some(next) = self.timers.deadline(key) else {
            return;
        };
        let period = (next - fired).num_seconds();
        if period > 0
            && let Some(last) = last_period_start(next, at, period)
        {
            self.timers.arm(key, last);
        }
    }

    pub(super) fn fire(&mut self, at: DateTime<Utc>, key: TimerKey, out: &mut Vec<Action>) {
        let (id, kind) = match key {
            TimerKey::LineOpening(line) => {
                self.call.dirty_lines.insert(LineIdx(line));
                return;
            }
            TimerKey::ForgetSweep => {
                self.forget_inactive(at);
                return;
            }
            TimerKey::Dialog(id, kind) => (id, kind),
        };
        match kind {
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
            TimerKind::QueuePosition => self.repeat_queue_position(at, id, out),
            TimerKind::Unanswered => {
                let Some(d) = known_mut(&mut self.s.dialogs, id) else {
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
                let Some(d) = self.known_dialog(id) else {
                    return;
                };
                let kpi = &self.line(d.line).config.kpi;
                let operator = d.state.owner().map(|op| self.operator_id(op).to_owned());
                let text = kpi_text(&kpi.text, operator.as_deref(), id);
                out.push(Action::KpiOverdue {
                    dialog: id,
                    operator,
                    kpi: if kind == TimerKind::KpiFirst {
                        Kpi::FirstResponse
                    } else {
                        Kpi::NextResponse
                    },
                    notify: kpi.notify.clone(),
                    text,
                });
            }
            TimerKind::AutoClose => {
                let Some(d) = self.known_dialog(id) else {
                    return;
                };
                let text = &self.line(d.line).config.auto_close.text;
                if !text.is_empty() {
                    out.push(send(id, MessageKind::AutoClose, text));
                }
                self.close_dialog(at, id, CloseReason::Inactivity, out);
            }
            TimerKind::RatingWindow => self.close_dialog(at, id, CloseReason::RatingWindow, out),
        }
    }

    /// With `forget_clients_after_days`, keep a daily sweep of idle client history
    /// armed. Sweeps run at every UTC midnight, whenever the host happens to call, so
    /// every host pattern sweeps at the same instants.
    pub(super) fn arm_forget_sweep(&mut self, at: DateTime<Utc>) {
        let key = TimerKey::ForgetSweep;
        if self.s.forget_clients_after_days > 0
            && self.timers.deadline(key).is_none()
            && let Some(next) = next_period_start(at, FORGET_SWEEP_PERIOD_SECS)
        {
            self.timers.arm(key, next);
        }
    }

    /// Forget the client records idle for more than `forget_clients_after_days` at
    /// `at` (records with an open dialog stay), and arm the next sweep.
    pub(super) fn forget_inactive(&mut self, at: DateTime<Utc>) {
        let days = self.s.forget_clients_after_days;
        if days == 0 {
            return;
        }
        // A horizon before the start of representable time forgets nothing.
        if let Some(horizon) = at.checked_sub_signed(Duration::days(i64::from(days))) {
            self.s.clients.forget_idle_since(horizon);
        }
        if let Some(next) = next_period_start(at, FORGET_SWEEP_PERIOD_SECS) {
            self.timers.arm(TimerKey::ForgetSweep, next);
        }
    }
}

/// The forget sweep's period: daily, at UTC midnight.
const FORGET_SWEEP_PERIOD_SECS: i64 = 86_400;

/// The first multiple of `period` seconds since the Unix epoch strictly after `at`.
fn next_period_start(at: DateTime<Utc>, period: i64) -> Option<DateTime<Utc>> {
    let next = at
        .timestamp()
        .div_euclid(period)
        .checked_add(1)?
        .checked_mul(period)?;
    DateTime::from_timestamp(next, 0)
}

/// For a periodic timer due at `deadline` and a call reaching `at`: the last period
/// start at or before `at` when it is later than `deadline` (the runs in between are
/// skipped), else `None` (run now).
fn last_period_start(
    deadline: DateTime<Utc>,
    at: DateTime<Utc>,
    period: i64,
) -> Option<DateTime<Utc>> {
    let missed = (at - deadline).num_seconds().div_euclid(period);
    if missed < 1 {
        return None;
    }
    deadline.checked_add_signed(Duration::seconds(missed.checked_mul(period)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn period_starts_are_on_the_utc_midnight_grid() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let midnight = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        assert_eq!(next_period_start(at, 86_400), Some(midnight));
        assert_eq!(
            next_period_start(midnight, 86_400),
            Some(midnight + Duration::days(1)),
            "strictly after"
        );
        assert_eq!(last_period_start(midnight, midnight, 86_400), None);
        assert_eq!(
            last_period_start(midnight, midnight + Duration::hours(47), 86_400),
            Some(midnight + Duration::days(1))
        );
        assert_eq!(
            last_period_start(midnight, midnight + Duration::days(3650), 86_400),
            Some(midnight + Duration::days(3650))
        );
    }
}

/// What `#OPERATOR#` becomes in a KPI notice while nobody is assigned (the dialog is
/// queued, offered or with the bot): a phrase a supervisor reads, not an empty name.
pub(crate) const KPI_NOBODY: &str = "nobody (unassigned)";

/// A KPI notice's text: `#OPERATOR#` is the responsible operator's id (or
/// [`KPI_NOBODY`]), `#DIALOG#` the dialog id.
fn kpi_text(template: &str, operator: Option<&str>, dialog: DialogId) -> String {
    template
        .replace("#OPERATOR#", operator.unwrap_or(KPI_NOBODY))
        .replace("#DIALOG#", &dialog.to_string())
}

#[cfg(test)]
mod kpi_text_tests {
    use super::*;

    #[test]
    fn names_the_operator_or_nobody() {
        let t = "#OPERATOR# has not answered dialog #DIALOG#";
        assert_eq!(kpi_text(t, Some("ann"), 7), "ann has not answered dialog 7");
        assert_eq!(
            kpi_text(t, None, 1),
            "nobody (unassigned) has not answered dialog 1"
        );
    }
}
