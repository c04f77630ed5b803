//! Internal invariants, checked on restore and by the property tests and fuzzers.

use super::*;

impl Engine {
    /// Check the internal invariants; returns the first violation found (test hook;
    /// `restore` runs the same check).
    #[cfg(feature = "test-support")]
    pub fn check_consistency(&self) -> Result<(), String> {
        self.consistency()?;
        self.indices_match_a_rebuild()
    }

    /// The derived indices that `restore` builds fresh (so it need not check them)
    /// compared with a rebuild: the waiting queues' need groups and marks, the client
    /// history's indexes, the timer queue, the queue-position ranks, the affinity
    /// index, the queue sets, the live counts and the routing index.
    #[cfg(feature = "test-support")]
    fn indices_match_a_rebuild(&self) -> Result<(), String> {
        let fresh = self.fresh_waiting();
        if fresh.len() != self.waiting.len()
            || self
                .waiting
                .iter()
                .zip(&fresh)
                .any(|(w, f)| !w.is_consistent() || w.normalized() != f.normalized())
        {
            return Err("waiting queues' groups or marks do not match the waiting dialogs".into());
        }
        if !self.s.clients.idle_index_is_fresh() {
            return Err("the idle index of client history is stale".into());
        }
        if !self.timers.is_consistent() {
            return Err("the timer queue does not match the armed timers".into());
        }
        let ranks = self.fresh_queue_ranks();
        if self.queue_ranks.len() != ranks.len()
            || self
                .queue_ranks
                .iter()
                .zip(&ranks)
                .any(|(kept, fresh)| kept.keys() != fresh.keys())
        {
            return Err("the queue position ranks do not match the waiting dialogs".into());
        }
        if self.affinity != self.fresh_affinity() {
            return Err("the affinity index does not match the waiting dialogs".into());
        }
        let members: Vec<HashSet<OperatorIdx>> = self
            .s
            .lines
            .iter()
            .map(|l| l.queue.iter().copied().collect())
            .collect();
        if self.queue_members != members {
            return Err("the queue sets do not match the lines' queues".into());
        }
        if self.live != self.fresh_live_counts() {
            return Err("a line's live counts do not match its open dialogs".into());
        }
        if self.ready != self.fresh_ready() {
            return Err("the routing index does not match the operators and lines".into());
        }
        Ok(())
    }

    /// Check the facts the state stores against each other (loads against dialogs,
    /// client records against dialogs, timers against states); returns the first
    /// violation found. Restore runs it after building every derived index once from
    /// the stored state, so it does not rebuild them a second time to compare: that
    /// comparison ([`Engine::check_consistency`]) is for the tests, where the indexes
    /// were kept up to date input by input.
    pub(crate) fn consistency(&self) -> Result<(), String> {
        if self.s.next_dialog == 0 {
            return Err("next dialog id is 0".into());
        }
        let n_ops = self.s.operators.len();
        let n_lines = self.s.lines.len();
        let mut load = vec![0u32; n_ops];
        let mut line_load: Vec<BTreeMap<LineIdx, u32>> = vec![BTreeMap::new(); n_ops];
        for (&id, d) in &self.s.dialogs {
            if id != d.id || id >= self.s.next_dialog || id == 0 {
                return Err(format!("dialog {id} has a bad id"));
            }
            if d.line.index() >= n_lines {
                return Err(format!("dialog {id} names line index {}", d.line));
            }
            if d.state == DialogState::Routing {
                return Err(format!(
                    "dialog {id} is left in the transient routing state"
                ));
            }
            for &op in involved(&d.state).iter().chain(d.tried.iter()) {
                if op.index() >= n_ops {
                    return Err(format!("dialog {id} names operator index {op}"));
                }
            }
            if let DialogState::Offered { operators, .. } = &d.state {
                if operators.is_empty() {
                    return Err(format!("dialog {id} is offered to nobody"));
                }
                if self
                    .timers
                    .deadline(TimerKey::Dialog(id, TimerKind::OfferExpiry))
                    .is_none()
                {
                    return Err(format!("dialog {id} is offered without an expiry timer"));
                }
            }
            let queued = matches!(d.state, DialogState::Queued { .. });
            if queued != self.waiting[d.line.index()].contains(&(Reverse(d.priority), id)) {
                return Err(format!(
                    "dialog {id} queue membership does not match its state"
                ));
            }
            if self.line(d.line).counts(&d.state) {
                for &op in involved(&d.state) {
                    load[op.index()] += 1;
                    *line_load[op.index()].entry(d.line).or_insert(0) += 1;
                }
            }
        }
        for (i, o) in self.s.operators.iter().enumerate() {
            if o.load != load[i] || o.line_load != line_load[i] {
                return Err(format!(
                    "operator {} load {} does not match its dialogs ({})",
                    o.config.id, o.load, load[i]
                ));
            }
        }
        let waiting: usize = self.waiting.iter().map(|w| w.len()).sum();
        let queued = self
            .s
            .dialogs
            .values()
            .filter(|d| matches!(d.state, DialogState::Queued { .. }))
            .count();
        if waiting != queued {
            return Err("waiting queues hold dialogs that are not queued".into());
        }

        // Every client record's open dialog is a dialog of that client and line, and
        // there are as many of those records as open dialogs: so each dialog is the
        // open dialog of its client in its line (two records cannot both match one
        // dialog's client and line). One pass over the clients, no lookup by client id.
        let mut pointed = 0usize;
        for (client, lines) in self.s.clients.iter() {
            for (i, c) in lines.iter().enumerate() {
                if lines[..i].iter().any(|other| other.line == c.line) {
                    return Err(format!("client {client} has two records for one line"));
                }
                if let Some(open) = c.open {
                    if self
                        .s
                        .dialogs
                        .get(&open)
                        .is_none_or(|d| *d.client != *client || d.line != c.line)
                    {
                        return Err(format!(
                            "client {client} points at dialog {open} that is not theirs"
                        ));
                    }
                    pointed += 1;
                }
            }
        }
        if pointed != self.s.dialogs.len() {
            return Err(format!(
                "{} open dialogs but {pointed} client records point at one: some dialog is \
                 not the open dialog of its client in its line",
                self.s.dialogs.len()
            ));
        }
        for d in self.s.dialogs.values() {
            let client = *d.client_handle;
            if client == ClientHandle::NONE
                || !self.s.clients.is_remembered(client)
                || self.s.clients.id(client) != &*d.client
            {
                return Err(format!(
                    "dialog {} does not hold the handle of its client {}",
                    d.id, d.client
                ));
            }
        }
        for (_, key) in self.timers.iter() {
            if let Some(dialog) = key.dialog()
                && !self.s.dialogs.contains_key(&dialog)
            {
                return Err(format!(
                    "timer {:?} belongs to a dialog that is not open",
                    key
                ));
            }
            if let TimerKey::Dialog(dialog, TimerKind::QueuePosition) = key
                && !matches!(
                    self.s.dialogs.get(&dialog).map(|d| &d.state),
                    Some(DialogState::Queued { .. })
                )
            {
                return Err(format!(
                    "dialog {dialog} has a queue position timer but is not waiting"
                ));
            }
        }
        Ok(())
    }

    #[cfg(feature = "test-support")]
    /// Operators who could take this queued dialog right now (should always be empty:
    /// used by property tests to prove that no dialog waits while someone could take it).
    pub fn eligible_for_waiting(&self, id: DialogId) -> Vec<String> {
        let Some(d) = self.dialog_ref(id) else {
            return Vec::new();
        };
        if !matches!(d.state, DialogState::Queued { .. })
            || self.s.now.is_some_and(|now| self.held_closed(d.line, now))
        {
            return Vec::new();
        }
        // A scan of every verdict, independent of the routing index `pick` uses.
        let responsible = self.responsible_choice(d).map(|(op, _)| op);
        let queue = self
            .line(d.line)
            .queue
            .iter()
            .copied()
            .filter(|&op| self.verdict(op, d.line, d, true) == Verdict::NotNextInRotation);
        let mut eligible: Vec<String> = responsible
            .into_iter()
            .chain(self.previous_choice(d))
            .chain(queue)
            .map(|op| self.operator_id(op).to_owned())
            .collect();
        eligible.dedup();
        eligible
    }

    #[cfg(feature = "test-support")]
    /// Whether an operator is over a capacity limit with dialogs the engine chose to
    /// give them under the checks (forced assignments excluded).
    pub fn over_capacity(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, o) in self.s.operators.iter().enumerate() {
            let op = OperatorIdx::at(i);
            let mut total = 0u32;
            let mut per_line: BTreeMap<LineIdx, u32> = BTreeMap::new();
            for d in self.s.dialogs.values() {
                if d.forced
                    || !involved(&d.state).contains(&op)
                    || !self.line(d.line).counts(&d.state)
                {
                    continue;
                }
                total += 1;
                *per_line.entry(d.line).or_insert(0) += 1;
            }
            if o.config.max_dialogs > 0 && total > o.config.max_dialogs {
                problems.push(format!(
                    "{} holds {total} > max {}",
                    o.config.id, o.config.max_dialogs
                ));
            }
            for (line, n) in per_line {
                let max = self.line(line).config.queue.max_dialogs;
                if max > 0 && n > max {
                    problems.push(format!(
                        "{} holds {n} > line {} max {max}",
                        o.config.id,
                        self.line_id(line)
                    ));
                }
            }
        }
        problems
    }

    #[cfg(feature = "test-support")]
    /// Offers currently made to operators who are not online in a line that checks
    /// availability (should always be empty).
    pub fn offers_to_unavailable(&self) -> Vec<(DialogId, String)> {
        let mut problems = Vec::new();
        for d in self.s.dialogs.values() {
            if let DialogState::Offered { operators, .. } = &d.state {
                if !self.line(d.line).config.queue.check_availability {
                    continue;
                }
                for &op in operators {
                    if self.op(op).presence != PresenceStatus::Online {
                        problems.push((d.id, self.operator_id(op).to_owned()));
                    }
                }
            }
        }
        problems
    }
}

/// Before any index is built from a snapshot's state: every index it holds is in range
/// and its config is valid, so rebuilding cannot go wrong.
pub(super) fn check_references(state: &State, timers: &[(TimerKey, Stamp)]) -> Result<(), String> {
    let config = Config {
        operators: state.operators.iter().map(|o| o.config.clone()).collect(),
        lines: state.lines.iter().map(|l| l.config.clone()).collect(),
        limits: state.limits.clone(),
        forget_clients_after_days: state.forget_clients_after_days,
    };
    if let Err(issues) = config.validate() {
        return Err(format!(
            "its config is invalid: {}",
            ConfigIssue::into_error(&issues).message
        ));
    }
    let n_ops = state.operators.len();
    let n_lines = state.lines.len();
    let op_ok = |op: OperatorIdx| (op.index()) < n_ops;
    let line_ok = |line: LineIdx| (line.index()) < n_lines;
    for line in &state.lines {
        if !line.last_offered.is_none_or(op_ok) || !line.queue.iter().all(|&op| op_ok(op)) {
            return Err(format!(
                "line {} names an operator that does not exist",
                line.config.id
            ));
        }
    }
    for (id, d) in &state.dialogs {
        let ops_ok = involved(&d.state)
            .iter()
            .chain(&d.tried)
            .all(|&op| op_ok(op));
        let explained_ok = d
            .explanation
            .as_ref()
            .is_none_or(|e| line_ok(e.line) && e.chosen.iter().all(|&op| op_ok(op)));
        if !line_ok(d.line) || !ops_ok || !explained_ok {
            return Err(format!(
                "dialog {id} names a line or operator that does not exist"
            ));
        }
    }
    for (client, lines) in state.clients.iter() {
        if !lines
            .iter()
            .all(|c| line_ok(c.line) && c.last_operator.is_none_or(op_ok))
        {
            return Err(format!(
                "client {client} names a line or operator that does not exist"
            ));
        }
    }
    for (key, _) in timers {
        if let TimerKey::LineOpening(line) = key
            && !line_ok(LineIdx(*line))
        {
            return Err(format!("timer {key:?} names a line that does not exist"));
        }
    }
    Ok(())
}

/// Before any index is built from a snapshot's state: the values the engine could
/// never have produced are refused, each naming its field. One pass over each part of
/// the state (linear in its size), in every build: ids inside the id space, times
/// inside the accepted range and not after `now`, deadlines not before `now`,
/// ratings on the 1..=5 scale, and no more open dialogs than the limit. Counts that
/// must agree with the dialogs (loads, queues, client records) are checked after the
/// indices are built (`Engine::consistency`).
pub(super) fn check_reachable(state: &State, timers: &[(TimerKey, Stamp)]) -> Result<(), String> {
    use crate::timestamp::{LAST_DEADLINE, accepted};
    let rfc = |t: DateTime<Utc>| t.to_rfc3339();
    if state.next_dialog == 0 || state.next_dialog > crate::MAX_DIALOG_ID + 1 {
        return Err(format!(
            "next_dialog {} is outside 1..={} (ids run from 1 to MAX_DIALOG_ID and never wrap)",
            state.next_dialog,
            crate::MAX_DIALOG_ID + 1
        ));
    }
    let Some(now) = state.now else {
        // A fresh engine: nothing happened yet, so nothing can be open, armed or known.
        if !state.dialogs.is_empty() || !timers.is_empty() || state.clients.len() > 0 {
            return Err(
                "now is missing (a fresh engine) but there are dialogs, timers or clients"
                    .to_owned(),
            );
        }
        return Ok(());
    };
    if !accepted(now) {
        return Err(format!("now {} is outside the accepted times", rfc(now)));
    }
    let not_after_now = |field: String, t: Option<DateTime<Utc>>| match t {
        Some(t) if t > now => Err(format!(
            "{field} {} is after now {} (the engine cannot have seen it yet)",
            rfc(t),
            rfc(now)
        )),
        _ => Ok(()),
    };
    if state.dialogs.len() > state.limits.max_open_dialogs {
        return Err(format!(
            "dialogs: {} open dialogs, over limits.max_open_dialogs {}",
            state.dialogs.len(),
            state.limits.max_open_dialogs
        ));
    }
    for (&id, d) in &state.dialogs {
        if id != d.id || id == 0 || id >= state.next_dialog {
            return Err(format!(
                "dialogs[{id}].id {} is not an id the engine assigned (below next_dialog {})",
                d.id, state.next_dialog
            ));
        }
        not_after_now(format!("dialogs[{id}].opened_at"), Some(d.opened_at))?;
        not_after_now(format!("dialogs[{id}].awaiting_since"), d.awaiting_since)?;
        not_after_now(
            format!("dialogs[{id}].last_operator_message_at"),
            d.last_operator_message_at,
        )?;
        not_after_now(
            format!("dialogs[{id}].explanation.at"),
            d.explanation.as_ref().map(|e| e.at),
        )?;
        if let Some(rating) = d.rating.filter(|r| !(1..=5).contains(r)) {
            return Err(format!("dialogs[{id}].rating {rating} is not 1..=5"));
        }
        if let DialogState::Offered {
            operators,
            expires_at,
        } = &d.state
        {
            if *expires_at < now {
                return Err(format!(
                    "dialogs[{id}].state.expires_at {} is before now {}",
                    rfc(*expires_at),
                    rfc(now)
                ));
            }
            if operators
                .iter()
                .enumerate()
                .any(|(i, op)| operators[..i].contains(op))
            {
                return Err(format!(
                    "dialogs[{id}].state.operators names an operator twice"
                ));
            }
        }
    }
    for (i, o) in state.operators.iter().enumerate() {
        not_after_now(
            format!("operators[{i}].last_assigned_at"),
            o.last_assigned_at,
        )?;
    }
    for (client, lines) in state.clients.iter() {
        for c in lines {
            not_after_now(format!("clients[{client}].last_seen"), Some(c.last_seen))?;
            if let Some(open) = c.open.filter(|&open| open >= state.next_dialog) {
                return Err(format!(
                    "clients[{client}].open names dialog {open}, at or past next_dialog {}",
                    state.next_dialog
                ));
            }
        }
    }
    for (i, (key, Stamp(at))) in timers.iter().enumerate() {
        if *at < now || *at > LAST_DEADLINE {
            return Err(format!(
                "timers[{i}] ({key:?}) deadline {} is before now {} or past the last deadline {}",
                rfc(*at),
                rfc(now),
                rfc(LAST_DEADLINE)
            ));
        }
        if let Some(dialog) = key.dialog()
            && dialog >= state.next_dialog
        {
            return Err(format!(
                "timers[{i}] ({key:?}) names dialog {dialog}, at or past next_dialog {}",
                state.next_dialog
            ));
        }
    }
    Ok(())
}
