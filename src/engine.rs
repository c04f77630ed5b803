//! The engine: applies timed inputs, fires timers, returns actions.
//!
//! Every input goes through two phases: `check` (read-only: validates and resolves
//! ids, returning a [`Checked`] plan or an error) and `apply` (infallible). So a
//! rejected input never changes anything. Timers due at or before an input's time
//! fire first, each at its own deadline; when they could change whether the input
//! is allowed (it names a dialog), the engine keeps a copy to roll back to, so even
//! then a rejected input leaves the state exactly as it was.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::action::{
    Action, AssignReason, BotStopReason, CloseReason, Kpi, MessageKind, QueueReason, WithdrawReason,
};
use crate::config::{
    Config, CreateLead, GreetingWhen, LineConfig, NoAnswerAction, OffHoursAction, OperatorConfig,
    WhenNobodyAvailable, validate_line, validate_operator,
};
use crate::dialog::{Dialog, DialogState, LineIdx, OperatorIdx};
use crate::error::{ConfigIssue, Error, ErrorKind};
use crate::input::{ClientMessage, Input, PresenceStatus};
use crate::limits::Limits;
use crate::operator::{Operator, Verdict};
use crate::routing::{
    Decision, ExplainEntry, ExplainView, Explanation, Line, WaitingQueue, choose, forced_order,
    involved,
};
use crate::schedule::Schedule;
use crate::stats::LineStats;
use crate::timers::{TimerKey, TimerKind, TimerTable};
use crate::views::{DialogView, OperatorView, QueueEntry, QueueView};

/// The snapshot format version; `Engine::restore` rejects any other.
pub const SNAPSHOT_VERSION: u32 = 1;

/// What the engine remembers about a client in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClientLine {
    pub line: LineIdx,
    pub open: Option<DialogId>,
    pub last_operator: Option<OperatorIdx>,
    pub dialogs: u32,
    pub last_seen: DateTime<Utc>,
}

/// Everything that is persisted by a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub now: Option<DateTime<Utc>>,
    pub next_dialog: DialogId,
    pub limits: Limits,
    pub forget_clients_after_days: u32,
    pub operators: Vec<Operator>,
    pub lines: Vec<Line>,
    pub dialogs: BTreeMap<DialogId, Dialog>,
    pub clients: BTreeMap<String, Vec<ClientLine>>,
}

/// A full, versioned copy of an engine's state (serde).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub version: u32,
    state: State,
    timers: Vec<(TimerKey, DateTime<Utc>)>,
}

/// The routing engine for one tenant.
///
/// ```
/// use openlines::{Engine, Config, Input, ClientMessage, Action};
/// use chrono::{TimeZone, Utc};
///
/// let config: Config = serde_json::from_value(serde_json::json!({
///     "operators": [{"id": "ann"}],
///     "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]
/// })).unwrap();
/// let mut engine = Engine::new(config).unwrap();
/// let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
/// let actions = engine
///     .handle(at, Input::ClientMessage(ClientMessage::new("sales", "tg:42")))
///     .unwrap();
/// assert!(matches!(actions[0], Action::DialogOpened { dialog: 1, .. }));
/// assert!(matches!(&actions[1], Action::Offer { operators, .. } if operators == &["ann"]));
/// assert_eq!(engine.next_deadline(), Some(at + chrono::Duration::seconds(60)));
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    s: State,
    timers: TimerTable,
    operator_index: HashMap<String, OperatorIdx>,
    line_index: HashMap<String, LineIdx>,
    schedules: Vec<Option<Schedule>>,
    waiting: Vec<WaitingQueue>,
    /// Operators who may have become eligible since the last dispatch.
    dirty_operators: BTreeSet<OperatorIdx>,
    /// Lines whose whole waiting queue must be looked at again (config change, opening).
    dirty_lines: BTreeSet<LineIdx>,
    /// Open dialogs each operator is offered or owns (derived).
    holdings: Vec<BTreeSet<DialogId>>,
    /// Each line's queue operators as a set (derived).
    queue_members: Vec<HashSet<OperatorIdx>>,
    /// Waiting dialogs that a specific operator outside the queue may take: their CRM
    /// responsible or previous operator (derived).
    affinity: BTreeMap<OperatorIdx, WaitingQueue>,
    /// The current catch-up (inside `fire_due` only).
    catch_up: CatchUp,
}

/// How many offer expiries of one dialog one call replays before it stops re-offering
/// inside the gap (see `Engine::fire_due`).
pub const MAX_OFFER_EXPIRIES_PER_CATCH_UP: u32 = 32;

/// Bookkeeping of one `fire_due` call (never persisted: empty between calls).
#[derive(Debug, Clone, Default)]
struct CatchUp {
    expiries: HashMap<DialogId, u32>,
    deferred: BTreeSet<DialogId>,
}

/// An input after `check`: ids resolved, permission verified.
enum Checked {
    ClientMessage(Box<ClientMessage>, LineIdx, Option<DialogId>),
    Reply(DialogId, OperatorIdx),
    Note,
    Accept(DialogId, OperatorIdx),
    Skip(DialogId, OperatorIdx),
    TransferToOperator(DialogId, OperatorIdx),
    TransferToLine(DialogId, OperatorIdx, LineIdx),
    Close(DialogId),
    Pin(DialogId, bool),
    Rate(DialogId, u8),
    Presence(OperatorIdx, PresenceStatus),
    BotHandoff(DialogId),
    BotResolved(DialogId),
    SetLine(Box<LineConfig>, Option<LineIdx>),
    SetOperator(OperatorConfig, Option<OperatorIdx>),
    ForgetClient(String),
    Tick,
}

fn secs(n: u64) -> Duration {
    Duration::seconds(
        i64::try_from(n)
            .unwrap_or(i64::MAX / 1000)
            .min(i64::MAX / 1000),
    )
}

fn later(at: DateTime<Utc>, n: u64) -> Option<DateTime<Utc>> {
    at.checked_add_signed(secs(n))
}

impl Engine {
    /// Build an engine from a config; errors are `invalid_config` listing every problem
    /// with its field path.
    pub fn new(config: Config) -> Result<Engine, Error> {
        config
            .validate()
            .map_err(|issues| ConfigIssue::into_error(&issues))?;
        let operators: Vec<Operator> = config.operators.into_iter().map(Operator::new).collect();
        let mut engine = Engine {
            s: State {
                now: None,
                next_dialog: 1,
                limits: config.limits,
                forget_clients_after_days: config.forget_clients_after_days,
                operators,
                lines: Vec::new(),
                dialogs: BTreeMap::new(),
                clients: BTreeMap::new(),
            },
            timers: TimerTable::default(),
            operator_index: HashMap::new(),
            line_index: HashMap::new(),
            schedules: Vec::new(),
            waiting: Vec::new(),
            dirty_operators: BTreeSet::new(),
            dirty_lines: BTreeSet::new(),
            holdings: Vec::new(),
            queue_members: Vec::new(),
            affinity: BTreeMap::new(),
            catch_up: CatchUp::default(),
        };
        for line in config.lines {
            engine.s.lines.push(Line {
                config: line,
                queue: Vec::new(),
                last_offered: None,
                totals: Default::default(),
            });
        }
        engine.rebuild_indices();
        Ok(engine)
    }

    /// Recompute everything derived from `State` (after `new` and `restore`).
    fn rebuild_indices(&mut self) {
        self.operator_index = self
            .s
            .operators
            .iter()
            .enumerate()
            .map(|(i, o)| (o.config.id.clone(), i as OperatorIdx))
            .collect();
        self.line_index = self
            .s
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.config.id.clone(), i as LineIdx))
            .collect();
        let index = &self.operator_index;
        for line in &mut self.s.lines {
            line.queue = line
                .config
                .queue
                .operators
                .iter()
                .filter_map(|id| index.get(id).copied())
                .collect();
        }
        self.schedules = self
            .s
            .lines
            .iter()
            .map(|l| compile_schedule(&l.config))
            .collect();
        self.rebuild_routing_indices();
        self.holdings = vec![BTreeSet::new(); self.s.operators.len()];
        for d in self.s.dialogs.values() {
            for &op in involved(&d.state) {
                if let Some(h) = self.holdings.get_mut(op as usize) {
                    h.insert(d.id);
                }
            }
        }
    }

    /// Recompute the queue sets, waiting queues and affinity index from the state
    /// (after `restore` and after config changes).
    fn rebuild_routing_indices(&mut self) {
        self.queue_members = self
            .s
            .lines
            .iter()
            .map(|l| l.queue.iter().copied().collect())
            .collect();
        self.waiting = vec![WaitingQueue::new(); self.s.lines.len()];
        self.affinity.clear();
        let queued: Vec<(i32, DialogId, LineIdx)> = self
            .s
            .dialogs
            .values()
            .filter(|d| matches!(d.state, DialogState::Queued { .. }))
            .map(|d| (d.priority, d.id, d.line))
            .collect();
        for (priority, id, line) in queued {
            if let Some(w) = self.waiting.get_mut(line as usize) {
                w.insert((Reverse(priority), id));
            }
            for op in self.affinity_of(id) {
                self.affinity
                    .entry(op)
                    .or_default()
                    .insert((Reverse(priority), id));
            }
        }
    }

    /// Operators who may take this dialog from outside its line's queue.
    fn affinity_of(&self, id: DialogId) -> Vec<OperatorIdx> {
        let Some(d) = self.s.dialogs.get(&id) else {
            return Vec::new();
        };
        let line = self.line(d.line);
        let mut ops = Vec::new();
        if line.config.crm.route_to_responsible
            && d.crm_found
            && let Some(op) = d
                .responsible
                .as_deref()
                .and_then(|r| self.operator_index.get(r))
        {
            ops.push(*op);
        }
        if line.config.queue.prefer_previous_operator
            && let Some(op) = self
                .client_line(&d.client, d.line)
                .and_then(|c| c.last_operator)
        {
            ops.push(op);
        }
        ops
    }

    // ----------------------------------------------------------------- public API

    /// Apply one input at time `at` and return the actions to carry out.
    ///
    /// Timers due at or before `at` fire first (their actions come first). A rejected
    /// input returns an error and changes nothing, not even the clock.
    pub fn handle(&mut self, at: DateTime<Utc>, input: Input) -> Result<Vec<Action>, Error> {
        let mut out = Vec::new();
        self.handle_into(at, input, &mut out)?;
        Ok(out)
    }

    /// Like [`Engine::handle`], appending to the caller's buffer (the hot path: no
    /// allocation for the action list). On error the buffer is left as it was.
    pub fn handle_into(
        &mut self,
        at: DateTime<Utc>,
        input: Input,
        out: &mut Vec<Action>,
    ) -> Result<(), Error> {
        self.check_time(at)?;
        let timers_due = self.timers.next_deadline().is_some_and(|d| d <= at);
        let checked = if timers_due && self.may_depend_on_timers(&input) {
            // Slow path: fire the timers, then check; roll back if the input is refused.
            let backup = self.clone();
            let mark = out.len();
            self.fire_due(at, out);
            match self.check(&input) {
                Ok(checked) => checked,
                Err(e) => {
                    *self = backup;
                    out.truncate(mark);
                    return Err(e);
                }
            }
        } else {
            let checked = self.check(&input)?;
            self.fire_due(at, out);
            checked
        };
        self.s.now = Some(at);
        self.apply(at, checked, out);
        self.dispatch(at, out);
        self.arm_forget_sweep(at);
        Ok(())
    }

    /// A clock tick: fire every timer due at or before `at`. A tick with nothing due
    /// changes nothing but the clock.
    pub fn advance(&mut self, at: DateTime<Utc>) -> Result<Vec<Action>, Error> {
        let mut out = Vec::new();
        self.advance_into(at, &mut out)?;
        Ok(out)
    }

    /// Like [`Engine::advance`], appending to the caller's buffer.
    pub fn advance_into(&mut self, at: DateTime<Utc>, out: &mut Vec<Action>) -> Result<(), Error> {
        self.handle_into(at, Input::Tick, out)
    }

    /// When the host must call `advance` next: the earliest armed timer.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.timers.next_deadline()
    }

    /// The engine's current time: the time of the last accepted input.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.s.now
    }

    /// A full copy of the state, for persistence. `Engine::restore(engine.snapshot())`
    /// behaves exactly like `engine` from then on.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            state: self.s.clone(),
            timers: self.timers.iter().map(|(at, key)| (key, at)).collect(),
        }
    }

    /// Rebuild an engine from a snapshot; a wrong version or an inconsistent snapshot
    /// is a `snapshot_version` error.
    pub fn restore(snapshot: Snapshot) -> Result<Engine, Error> {
        if snapshot.version != SNAPSHOT_VERSION {
            return Err(Error::new(
                ErrorKind::SnapshotVersion,
                format!(
                    "snapshot version {} is not supported (this engine reads version {SNAPSHOT_VERSION})",
                    snapshot.version
                ),
            ));
        }
        let inconsistent = |problem: String| {
            Error::new(
                ErrorKind::SnapshotVersion,
                format!("snapshot is inconsistent: {problem}"),
            )
        };
        check_references(&snapshot.state, &snapshot.timers).map_err(inconsistent)?;
        let mut timers = TimerTable::default();
        for (key, at) in snapshot.timers {
            timers.arm(key, at);
        }
        let mut engine = Engine {
            s: snapshot.state,
            timers,
            operator_index: HashMap::new(),
            line_index: HashMap::new(),
            schedules: Vec::new(),
            waiting: Vec::new(),
            dirty_operators: BTreeSet::new(),
            dirty_lines: BTreeSet::new(),
            holdings: Vec::new(),
            queue_members: Vec::new(),
            affinity: BTreeMap::new(),
            catch_up: CatchUp::default(),
        };
        engine.rebuild_indices();
        engine.check_consistency().map_err(inconsistent)?;
        Ok(engine)
    }

    /// Snapshot as bytes: a header (magic, encoding and snapshot version) and the
    /// compact binary encoding of [`Snapshot`] (see [`crate::codec`]). For a readable
    /// copy, serialize [`Engine::snapshot`] with any serde format (e.g. JSON).
    pub fn snapshot_bytes(&self) -> Vec<u8> {
        crate::codec::encode_snapshot(SNAPSHOT_VERSION, &self.snapshot())
    }

    /// Restore from [`Engine::snapshot_bytes`] output (or from the JSON of a
    /// [`Snapshot`]); bad bytes are a `snapshot_version` error saying what is wrong.
    pub fn restore_bytes(bytes: &[u8]) -> Result<Engine, Error> {
        let bad = |message: String| Error::new(ErrorKind::SnapshotVersion, message);
        #[cfg(feature = "json")]
        if bytes.first() == Some(&b'{') {
            let snapshot: Snapshot = serde_json::from_slice(bytes)
                .map_err(|e| bad(format!("snapshot bytes are not a snapshot: {e}")))?;
            return Engine::restore(snapshot);
        }
        let body = crate::codec::snapshot_body(bytes, SNAPSHOT_VERSION).map_err(bad)?;
        let snapshot: Snapshot = crate::codec::from_slice(body)
            .map_err(|e| bad(format!("snapshot bytes are corrupt: {e}")))?;
        Engine::restore(snapshot)
    }

    /// A read-only view of an open dialog (closed dialogs are forgotten).
    pub fn dialog(&self, id: DialogId) -> Option<DialogView> {
        let d = self.s.dialogs.get(&id)?;
        Some(DialogView {
            dialog: d.id,
            line: self.line_id(d.line).to_owned(),
            client: d.client.clone(),
            status: d.state.name().to_owned(),
            substatus: match d.state {
                DialogState::Assigned { answered: true, .. } => Some("answered".to_owned()),
                DialogState::Assigned {
                    answered: false, ..
                } => Some("awaiting_operator".to_owned()),
                DialogState::Queued { reason } => Some(reason.as_str().to_owned()),
                _ => None,
            },
            operator: d.state.owner().map(|op| self.operator_id(op).to_owned()),
            offered_to: match &d.state {
                DialogState::Offered { operators, .. } => operators
                    .iter()
                    .map(|&op| self.operator_id(op).to_owned())
                    .collect(),
                _ => Vec::new(),
            },
            offer_expires_at: match &d.state {
                DialogState::Offered { expires_at, .. } => Some(*expires_at),
                _ => None,
            },
            tried: d
                .tried
                .iter()
                .map(|&op| self.operator_id(op).to_owned())
                .collect(),
            priority: d.priority,
            pinned: d.pinned,
            opened_at: d.opened_at,
            stats: d.stats(),
        })
    }

    /// A read-only view of an operator.
    pub fn operator(&self, id: &str) -> Option<OperatorView> {
        let idx = *self.operator_index.get(id)?;
        let o = self.op(idx);
        let dialogs: Vec<DialogId> = self.holdings[idx as usize]
            .iter()
            .copied()
            .filter(|id| {
                self.s
                    .dialogs
                    .get(id)
                    .is_some_and(|d| d.state.owner() == Some(idx))
            })
            .collect();
        Some(OperatorView {
            operator: o.config.id.clone(),
            presence: o.presence,
            load: o.load,
            max_dialogs: o.config.max_dialogs,
            line_load: o
                .line_load
                .iter()
                .map(|(&l, &n)| (self.line_id(l).to_owned(), n))
                .collect(),
            dialogs,
            last_assigned_at: o.last_assigned_at,
        })
    }

    /// The waiting queue of a line, in dispatch order.
    pub fn queue(&self, line: &str) -> Option<QueueView> {
        let idx = *self.line_index.get(line)?;
        let waiting = self.waiting.get(idx as usize)?;
        Some(QueueView {
            line: line.to_owned(),
            waiting: waiting
                .iter()
                .filter_map(|&(_, id)| self.s.dialogs.get(&id))
                .map(|d| QueueEntry {
                    dialog: d.id,
                    client: d.client.clone(),
                    priority: d.priority,
                    reason: match d.state {
                        DialogState::Queued { reason } => reason,
                        _ => QueueReason::NobodyAvailable,
                    },
                    since: d.opened_at,
                })
                .collect(),
            operators: self.s.lines[idx as usize]
                .queue
                .iter()
                .map(|&op| self.operator_id(op).to_owned())
                .collect(),
        })
    }

    /// Live counts and totals of a line.
    pub fn stats(&self, line: &str) -> Option<LineStats> {
        let idx = *self.line_index.get(line)?;
        let l = &self.s.lines[idx as usize];
        let mut stats = LineStats {
            line: line.to_owned(),
            open: 0,
            bot: 0,
            queued: 0,
            offered: 0,
            assigned: 0,
            closing: 0,
            operator_load: BTreeMap::new(),
            closed: l.totals.closed,
            avg_first_response_secs: (l.totals.responded > 0)
                .then(|| l.totals.first_response_sum_secs as f64 / l.totals.responded as f64),
            max_first_response_secs: (l.totals.responded > 0)
                .then_some(l.totals.first_response_max_secs),
            ratings: l.totals.ratings,
            avg_rating: (l.totals.ratings > 0)
                .then(|| l.totals.rating_sum as f64 / l.totals.ratings as f64),
            unanswered_share: (l.totals.closed > 0)
                .then(|| l.totals.unanswered as f64 / l.totals.closed as f64),
        };
        for d in self.s.dialogs.values().filter(|d| d.line == idx) {
            stats.open += 1;
            match d.state {
                DialogState::Routing | DialogState::Queued { .. } => stats.queued += 1,
                DialogState::Bot => stats.bot += 1,
                DialogState::Offered { .. } => stats.offered += 1,
                DialogState::Assigned { .. } => stats.assigned += 1,
                DialogState::Closing { .. } => stats.closing += 1,
            }
        }
        for o in &self.s.operators {
            let n = o.load_in(idx);
            if n > 0 {
                stats.operator_load.insert(o.config.id.clone(), n);
            }
        }
        Some(stats)
    }

    /// Why the last routing decision of an open dialog went as it did.
    pub fn explain(&self, id: DialogId) -> Option<ExplainView> {
        let d = self.s.dialogs.get(&id)?;
        let e = d.explanation.as_ref()?;
        let line = self.s.lines.get(e.line as usize)?;
        Some(ExplainView {
            dialog: id,
            at: e.at,
            line: line.config.id.clone(),
            distribution: line.config.queue.distribution,
            decision: e.decision,
            operators: e
                .verdicts
                .iter()
                .map(|&(op, verdict)| ExplainEntry {
                    operator: self.operator_id(op).to_owned(),
                    verdict,
                })
                .collect(),
        })
    }

    /// Ids of every open dialog, ascending.
    pub fn open_dialogs(&self) -> impl Iterator<Item = DialogId> + '_ {
        self.s.dialogs.keys().copied()
    }

    /// Ids of every operator, in config order.
    pub fn operator_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.s.operators.iter().map(|o| o.config.id.as_str())
    }

    /// Ids of every line, in config order.
    pub fn line_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.s.lines.iter().map(|l| l.config.id.as_str())
    }

    /// Number of armed timers.
    pub fn armed_timers(&self) -> usize {
        self.timers.len()
    }

    /// Number of clients the engine remembers (for bounded-memory checks).
    pub fn remembered_clients(&self) -> usize {
        self.s.clients.len()
    }

    // ----------------------------------------------------------------- lookups

    fn op(&self, idx: OperatorIdx) -> &Operator {
        &self.s.operators[idx as usize]
    }

    fn operator_id(&self, idx: OperatorIdx) -> &str {
        self.s
            .operators
            .get(idx as usize)
            .map_or("", |o| o.config.id.as_str())
    }

    fn line_id(&self, idx: LineIdx) -> &str {
        self.s
            .lines
            .get(idx as usize)
            .map_or("", |l| l.config.id.as_str())
    }

    fn line(&self, idx: LineIdx) -> &Line {
        &self.s.lines[idx as usize]
    }

    fn dialog_ref(&self, id: DialogId) -> Option<&Dialog> {
        self.s.dialogs.get(&id)
    }

    fn schedule(&self, line: LineIdx) -> Option<&Schedule> {
        self.schedules.get(line as usize).and_then(Option::as_ref)
    }

    fn is_open(&self, line: LineIdx, at: DateTime<Utc>) -> bool {
        self.schedule(line).is_none_or(|s| s.is_open(at))
    }

    fn held_closed(&self, line: LineIdx, at: DateTime<Utc>) -> bool {
        let l = self.line(line);
        l.config
            .schedule
            .as_ref()
            .is_some_and(|s| s.hold_until_open)
            && !self.is_open(line, at)
    }

    fn client_line(&self, client: &str, line: LineIdx) -> Option<&ClientLine> {
        self.s.clients.get(client)?.iter().find(|c| c.line == line)
    }

    fn client_line_mut(
        &mut self,
        client: &str,
        line: LineIdx,
        at: DateTime<Utc>,
    ) -> &mut ClientLine {
        let lines = self.s.clients.entry(client.to_owned()).or_default();
        let pos = match lines.iter().position(|c| c.line == line) {
            Some(pos) => pos,
            None => {
                lines.push(ClientLine {
                    line,
                    open: None,
                    last_operator: None,
                    dialogs: 0,
                    last_seen: at,
                });
                lines.len() - 1
            }
        };
        &mut lines[pos]
    }

    // ----------------------------------------------------------------- checking

    fn check_time(&self, at: DateTime<Utc>) -> Result<(), Error> {
        match self.s.now {
            Some(now) if at < now => Err(Error::new(
                ErrorKind::TimeWentBackwards,
                format!(
                    "input time {} is before the engine's current time {}",
                    at.to_rfc3339(),
                    now.to_rfc3339()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Whether timers firing could change the outcome of `check` for this input.
    fn may_depend_on_timers(&self, input: &Input) -> bool {
        match input {
            Input::Tick
            | Input::Presence { .. }
            | Input::SetLine { .. }
            | Input::SetOperator { .. } => false,
            Input::ClientMessage(_) => self.s.dialogs.len() >= self.s.limits.max_open_dialogs,
            Input::ForgetClient { client } => self
                .s
                .clients
                .get(client)
                .is_some_and(|lines| lines.iter().any(|c| c.open.is_some())),
            _ => true,
        }
    }

    fn lookup_operator(&self, id: &str) -> Result<OperatorIdx, Error> {
        self.operator_index.get(id).copied().ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownOperator,
                format!("unknown operator \"{id}\""),
            )
        })
    }

    fn lookup_line(&self, id: &str) -> Result<LineIdx, Error> {
        self.line_index
            .get(id)
            .copied()
            .ok_or_else(|| Error::new(ErrorKind::UnknownLine, format!("unknown line \"{id}\"")))
    }

    fn lookup_dialog(&self, id: DialogId) -> Result<&Dialog, Error> {
        match self.s.dialogs.get(&id) {
            Some(d) => Ok(d),
            None if id >= 1 && id < self.s.next_dialog => {
                Err(Error::not_allowed(format!("dialog {id} is closed")))
            }
            None => Err(Error::new(
                ErrorKind::UnknownDialog,
                format!("unknown dialog {id}"),
            )),
        }
    }

    fn check_id(&self, field: &str, value: &str) -> Result<(), Error> {
        if value.is_empty() {
            return Err(Error::invalid_input(format!("{field}: must not be empty")));
        }
        if value.len() > self.s.limits.max_id_len {
            return Err(Error::invalid_input(format!(
                "{field}: is {} bytes long; the limit is {} (limits.max_id_len)",
                value.len(),
                self.s.limits.max_id_len
            )));
        }
        Ok(())
    }

    /// The dialog's state described for error messages.
    fn describe(&self, d: &Dialog) -> String {
        match &d.state {
            DialogState::Offered { operators, .. } => {
                let ids: Vec<&str> = operators.iter().map(|&op| self.operator_id(op)).collect();
                format!("dialog {} is offered to {}", d.id, ids.join(", "))
            }
            DialogState::Assigned { operator, .. } => {
                format!(
                    "dialog {} is assigned to {}",
                    d.id,
                    self.operator_id(*operator)
                )
            }
            DialogState::Closing { operator } => {
                format!(
                    "dialog {} is closing (rating window of {})",
                    d.id,
                    self.operator_id(*operator)
                )
            }
            other => format!("dialog {} is {}", d.id, other.name()),
        }
    }

    /// The dialog must be assigned to `op`.
    fn owned_by(&self, d: &Dialog, op: OperatorIdx, verb: &str) -> Result<(), Error> {
        match d.state {
            DialogState::Assigned { operator, .. } if operator == op => Ok(()),
            _ => Err(Error::not_allowed(format!(
                "{} cannot {verb}: {}",
                self.operator_id(op),
                self.describe(d)
            ))),
        }
    }

    fn offered_to(d: &Dialog, op: OperatorIdx) -> bool {
        matches!(&d.state, DialogState::Offered { operators, .. } if operators.contains(&op))
    }

    fn check(&self, input: &Input) -> Result<Checked, Error> {
        Ok(match input {
            Input::Tick => Checked::Tick,
            Input::ClientMessage(m) => {
                self.check_id("client", &m.client)?;
                let line = self.lookup_line(&m.line)?;
                if m.text.len() > self.s.limits.max_text_len {
                    return Err(Error::invalid_input(format!(
                        "text: is {} bytes long; the limit is {} (limits.max_text_len)",
                        m.text.len(),
                        self.s.limits.max_text_len
                    )));
                }
                if m.channel.len() > self.s.limits.max_id_len
                    || m.language.len() > self.s.limits.max_id_len
                {
                    return Err(Error::invalid_input(format!(
                        "channel/language: longer than {} bytes (limits.max_id_len)",
                        self.s.limits.max_id_len
                    )));
                }
                if m.skills.len() > self.s.limits.max_skills {
                    return Err(Error::invalid_input(format!(
                        "skills: {} skills; the limit is {} (limits.max_skills)",
                        m.skills.len(),
                        self.s.limits.max_skills
                    )));
                }
                for (i, skill) in m.skills.iter().enumerate() {
                    self.check_id(&format!("skills[{i}]"), skill)?;
                }
                if let Some(r) = m.crm.as_ref().and_then(|c| c.responsible.as_deref()) {
                    self.check_id("crm.responsible", r)?;
                }
                let open = self.client_line(&m.client, line).and_then(|c| c.open);
                if open.is_none() {
                    if !self.line(line).config.active {
                        return Err(Error::not_allowed(format!(
                            "line \"{}\" is not active: it takes no new dialogs",
                            m.line
                        )));
                    }
                    if self.s.dialogs.len() >= self.s.limits.max_open_dialogs {
                        return Err(Error::not_allowed(format!(
                            "the engine holds {} open dialogs, the limit (limits.max_open_dialogs)",
                            self.s.dialogs.len()
                        )));
                    }
                }
                Checked::ClientMessage(Box::new(m.clone()), line, open)
            }
            Input::OperatorMessage {
                dialog,
                operator,
                hidden,
            } => {
                let d = self.lookup_dialog(*dialog)?;
                let op = self.lookup_operator(operator)?;
                if *hidden {
                    Checked::Note
                } else if Self::offered_to(d, op) {
                    Checked::Reply(d.id, op)
                } else {
                    self.owned_by(d, op, "write in it")?;
                    Checked::Reply(d.id, op)
                }
            }
            Input::Accept { dialog, operator } => {
                let d = self.lookup_dialog(*dialog)?;
                let op = self.lookup_operator(operator)?;
                if !Self::offered_to(d, op) {
                    return Err(Error::not_allowed(format!(
                        "{operator} cannot accept: {}",
                        self.describe(d)
                    )));
                }
                Checked::Accept(d.id, op)
            }
            Input::Skip { dialog, operator } => {
                let d = self.lookup_dialog(*dialog)?;
                let op = self.lookup_operator(operator)?;
                if !Self::offered_to(d, op) {
                    self.owned_by(d, op, "skip it")?;
                }
                Checked::Skip(d.id, op)
            }
            Input::Transfer {
                dialog,
                operator,
                to_operator,
                to_line,
            } => {
                let d = self.lookup_dialog(*dialog)?;
                let op = self.lookup_operator(operator)?;
                match (to_operator, to_line) {
                    (Some(target), None) => {
                        let target = self.lookup_operator(target)?;
                        self.owned_by(d, op, "transfer it")?;
                        if target == op {
                            return Err(Error::invalid_input(format!(
                                "to_operator: {operator} already has dialog {}",
                                d.id
                            )));
                        }
                        match self.transfer_verdict(target, d) {
                            Verdict::Chosen | Verdict::NotNextInRotation => {}
                            verdict => {
                                return Err(Error::not_allowed(format!(
                                    "cannot transfer dialog {} to {}: {}",
                                    d.id,
                                    self.operator_id(target),
                                    verdict_text(verdict)
                                )));
                            }
                        }
                        Checked::TransferToOperator(d.id, target)
                    }
                    (None, Some(line_id)) => {
                        let line = self.lookup_line(line_id)?;
                        self.owned_by(d, op, "transfer it")?;
                        if !self.line(line).config.active {
                            return Err(Error::not_allowed(format!(
                                "line \"{line_id}\" is not active: it takes no dialogs"
                            )));
                        }
                        if line != d.line
                            && let Some(other) =
                                self.client_line(&d.client, line).and_then(|c| c.open)
                        {
                            return Err(Error::not_allowed(format!(
                                "client {} already has dialog {other} open in line \"{line_id}\"",
                                d.client
                            )));
                        }
                        Checked::TransferToLine(d.id, op, line)
                    }
                    _ => {
                        return Err(Error::invalid_input(
                            "transfer: give exactly one of to_operator and to_line",
                        ));
                    }
                }
            }
            Input::Close { dialog, operator } => {
                let d = self.lookup_dialog(*dialog)?;
                let op = self.lookup_operator(operator)?;
                self.owned_by(d, op, "close it")?;
                Checked::Close(d.id)
            }
            Input::Pin {
                dialog,
                operator,
                pinned,
            } => {
                let d = self.lookup_dialog(*dialog)?;
                let op = self.lookup_operator(operator)?;
                self.owned_by(d, op, "pin it")?;
                Checked::Pin(d.id, *pinned)
            }
            Input::Rate { dialog, score } => {
                if !(1..=5).contains(score) {
                    return Err(Error::invalid_input(format!(
                        "score: must be 1 to 5 (got {score})"
                    )));
                }
                let d = self.lookup_dialog(*dialog)?;
                let rating = &self.line(d.line).config.rating;
                let allowed = match d.state {
                    DialogState::Closing { .. } => true,
                    DialogState::Bot => false,
                    _ => rating.enabled && rating.during_dialog,
                };
                if !allowed {
                    return Err(Error::not_allowed(format!(
                        "dialog {} cannot be rated now: {} and the line does not take ratings during a dialog",
                        d.id,
                        d.state.name()
                    )));
                }
                Checked::Rate(d.id, *score)
            }
            Input::Presence { operator, status } => {
                Checked::Presence(self.lookup_operator(operator)?, *status)
            }
            Input::BotHandoff { dialog } | Input::BotResolved { dialog } => {
                let d = self.lookup_dialog(*dialog)?;
                if d.state != DialogState::Bot {
                    return Err(Error::not_allowed(format!(
                        "{}, not with the bot",
                        self.describe(d)
                    )));
                }
                if matches!(input, Input::BotHandoff { .. }) {
                    Checked::BotHandoff(d.id)
                } else {
                    Checked::BotResolved(d.id)
                }
            }
            Input::SetLine { line } => {
                let index = &self.operator_index;
                validate_line(line, &self.s.limits, &|id| index.contains_key(id)).map_err(
                    |issues| {
                        Error::invalid_input(
                            issues
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; "),
                        )
                    },
                )?;
                let existing = self.line_index.get(&line.id).copied();
                if existing.is_none() && self.s.lines.len() >= self.s.limits.max_lines {
                    return Err(Error::invalid_input(format!(
                        "line: the engine has {} lines, the limit (limits.max_lines)",
                        self.s.lines.len()
                    )));
                }
                Checked::SetLine(line.clone(), existing)
            }
            Input::SetOperator { operator } => {
                validate_operator(operator, &self.s.limits).map_err(|issues| {
                    Error::invalid_input(
                        issues
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })?;
                let existing = self.operator_index.get(&operator.id).copied();
                if existing.is_none() && self.s.operators.len() >= self.s.limits.max_operators {
                    return Err(Error::invalid_input(format!(
                        "operator: the engine has {} operators, the limit (limits.max_operators)",
                        self.s.operators.len()
                    )));
                }
                Checked::SetOperator(operator.clone(), existing)
            }
            Input::ForgetClient { client } => {
                self.check_id("client", client)?;
                if let Some(open) = self
                    .s
                    .clients
                    .get(client)
                    .and_then(|lines| lines.iter().find_map(|c| c.open))
                {
                    return Err(Error::not_allowed(format!(
                        "client {client} has dialog {open} open; close it before forgetting the client"
                    )));
                }
                Checked::ForgetClient(client.clone())
            }
        })
    }

    /// Whether `target` may receive a manual transfer of `d` (availability when the line
    /// checks it, capacity always).
    fn transfer_verdict(&self, target: OperatorIdx, d: &Dialog) -> Verdict {
        self.verdict(target, d.line, d, false)
    }

    // ----------------------------------------------------------------- applying

    fn apply(&mut self, at: DateTime<Utc>, checked: Checked, out: &mut Vec<Action>) {
        match checked {
            Checked::Tick | Checked::Note => {}
            Checked::ClientMessage(m, line, open) => match open {
                Some(id) => self.continue_dialog(at, id, &m, out),
                None => self.open_dialog(at, *m, line, out),
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

    fn open_dialog(
        &mut self,
        at: DateTime<Utc>,
        m: ClientMessage,
        line: LineIdx,
        out: &mut Vec<Action>,
    ) {
        let id = self.s.next_dialog;
        self.s.next_dialog += 1;
        let client_line = self.client_line_mut(&m.client, line, at);
        let first_contact = client_line.dialogs == 0;
        client_line.dialogs = client_line.dialogs.saturating_add(1);
        client_line.open = Some(id);
        client_line.last_seen = at;
        let crm_found = m.crm.as_ref().is_some_and(|c| c.found);
        let dialog = Dialog {
            id,
            line,
            client: m.client,
            channel: m.channel,
            can_reply: m.can_reply,
            crm_found,
            responsible: m.crm.as_ref().and_then(|c| c.responsible.clone()),
            priority: m.priority,
            language: m.language,
            skills: m.skills,
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
            client: dialog.client.clone(),
        });
        let crm_lookup_missed = m.crm.as_ref().is_some_and(|c| !c.found);
        let channel = dialog.channel.clone();
        let client = dialog.client.clone();
        self.s.dialogs.insert(id, dialog);

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
        if config.crm.create_lead == CreateLead::Auto && crm_lookup_missed && m.can_reply {
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
    fn off_hours_reply(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) -> bool {
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
    fn start_human_stage(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.s.dialogs.get_mut(&id) else {
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
    fn arm_response_timer(&mut self, at: DateTime<Utc>, id: DialogId, kind: TimerKind, after: u64) {
        let Some(d) = self.dialog_ref(id) else { return };
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

    fn continue_dialog(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        m: &ClientMessage,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.s.dialogs.get_mut(&id) else {
            return;
        };
        d.client_messages = d.client_messages.saturating_add(1);
        let client = d.client.clone();
        let line = d.line;
        let state = d.state.clone();
        let newly_waiting = d.awaiting_since.is_none();
        let had_reply = d.operator_messages > 0;
        if newly_waiting {
            d.awaiting_since = Some(at);
        }
        self.client_line_mut(&client, line, at).last_seen = at;
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

    fn bot_stop(
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

    fn reply(&mut self, at: DateTime<Utc>, id: DialogId) {
        let Some(d) = self.s.dialogs.get_mut(&id) else {
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

    fn accept(&mut self, at: DateTime<Utc>, id: DialogId, op: OperatorIdx, out: &mut Vec<Action>) {
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

    fn skip(&mut self, at: DateTime<Utc>, id: DialogId, op: OperatorIdx, out: &mut Vec<Action>) {
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

    fn transfer_to_operator(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        target: OperatorIdx,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.s.dialogs.get(&id) else {
            return;
        };
        let answered = matches!(d.state, DialogState::Assigned { answered: true, .. });
        let line = d.line;
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
        if self.line(line).config.crm.change_responsible_on_transfer {
            out.push(Action::CrmResponsibleChanged {
                dialog: id,
                operator: self.operator_id(target).to_owned(),
            });
        }
    }

    fn transfer_to_line(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        line: LineIdx,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.s.dialogs.get(&id) else {
            return;
        };
        let old_line = d.line;
        let client = d.client.clone();
        self.set_state(id, DialogState::Routing);
        if old_line != line {
            self.client_line_mut(&client, old_line, at).open = None;
            let record = self.client_line_mut(&client, line, at);
            record.open = Some(id);
            record.dialogs = record.dialogs.saturating_add(1);
        }
        if let Some(d) = self.s.dialogs.get_mut(&id) {
            d.line = line;
            d.tried.clear();
            d.forced = false;
            d.nobody_available_sent = false;
            if old_line == line {
                d.tried.push(op);
            }
        }
        self.route(at, id, out);
    }

    fn operator_close(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.dialog_ref(id) else { return };
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

    fn pin(&mut self, at: DateTime<Utc>, id: DialogId, pinned: bool) {
        let Some(d) = self.s.dialogs.get_mut(&id) else {
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

    fn rate(&mut self, at: DateTime<Utc>, id: DialogId, score: u8, out: &mut Vec<Action>) {
        let Some(d) = self.s.dialogs.get_mut(&id) else {
            return;
        };
        d.rating = Some(score);
        let closing = matches!(d.state, DialogState::Closing { .. });
        let line = d.line;
        if closing && self.line(line).config.rating.close_on_rating {
            self.close_dialog(at, id, CloseReason::Rated, out);
        }
    }

    fn presence(
        &mut self,
        at: DateTime<Utc>,
        op: OperatorIdx,
        status: PresenceStatus,
        out: &mut Vec<Action>,
    ) {
        let old = std::mem::replace(&mut self.s.operators[op as usize].presence, status);
        if status == PresenceStatus::Online || old == PresenceStatus::Dismissed {
            self.dirty_operators.insert(op);
        }
        if status == PresenceStatus::Online {
            return;
        }
        let held: Vec<DialogId> = self.holdings[op as usize].iter().copied().collect();
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
    fn withdraw_offer(
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
            if self.catch_up.deferred.contains(&id) {
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

    fn set_line(
        &mut self,
        at: DateTime<Utc>,
        config: LineConfig,
        existing: Option<LineIdx>,
        out: &mut Vec<Action>,
    ) {
        let queue: Vec<OperatorIdx> = config
            .queue
            .operators
            .iter()
            .filter_map(|id| self.operator_index.get(id).copied())
            .collect();
        let schedule = compile_schedule(&config);
        let Some(idx) = existing else {
            let idx = self.s.lines.len() as LineIdx;
            self.line_index.insert(config.id.clone(), idx);
            self.s.lines.push(Line {
                config,
                queue,
                last_offered: None,
                totals: Default::default(),
            });
            self.schedules.push(schedule);
            self.rebuild_routing_indices();
            return;
        };
        // Take every dialog of the line out of the load counts, swap the config, count again.
        let ids: Vec<DialogId> = self
            .s
            .dialogs
            .values()
            .filter(|d| d.line == idx)
            .map(|d| d.id)
            .collect();
        let states: Vec<DialogState> = ids
            .iter()
            .map(|id| self.set_state(*id, DialogState::Routing))
            .collect();
        let line = &mut self.s.lines[idx as usize];
        line.config = config;
        line.queue = queue;
        self.schedules[idx as usize] = schedule;
        self.dirty_lines.insert(idx);
        self.rebuild_routing_indices();
        for (id, state) in ids.iter().zip(states) {
            self.set_state(*id, state);
        }
        self.timers.cancel(TimerKey {
            dialog: 0,
            kind: TimerKind::LineOpening(idx),
        });
        // Offers to operators no longer in the queue (or no longer available under
        // the new availability rule) are withdrawn.
        let checks = self.line(idx).config.queue.check_availability;
        for id in ids {
            let Some(DialogState::Offered { operators, .. }) =
                self.dialog_ref(id).map(|d| &d.state)
            else {
                continue;
            };
            let gone: Vec<OperatorIdx> = operators
                .iter()
                .copied()
                .filter(|&op| {
                    !self.line(idx).queue.contains(&op)
                        || (checks && self.op(op).presence != PresenceStatus::Online)
                })
                .collect();
            if !gone.is_empty() {
                self.withdraw_offer(at, id, &gone, WithdrawReason::Unavailable, out);
            }
        }
        // Held dialogs need a fresh opening timer under the new schedule.
        if self.waiting[idx as usize].iter().any(|&(_, id)| {
            matches!(
                self.dialog_ref(id).map(|d| &d.state),
                Some(DialogState::Queued {
                    reason: QueueReason::OffHours
                })
            )
        }) {
            self.arm_line_opening(at, idx);
        }
    }

    fn set_operator(&mut self, config: OperatorConfig, existing: Option<OperatorIdx>) {
        match existing {
            Some(idx) => {
                self.s.operators[idx as usize].config = config;
                self.dirty_operators.insert(idx);
            }
            None => {
                let idx = self.s.operators.len() as OperatorIdx;
                self.operator_index.insert(config.id.clone(), idx);
                self.s.operators.push(Operator::new(config));
                self.holdings.push(BTreeSet::new());
                self.dirty_operators.insert(idx);
                self.rebuild_after_new_operator();
                // A line may already list this operator (queues name ids; resolve again).
                let index = &self.operator_index;
                for line in &mut self.s.lines {
                    line.queue = line
                        .config
                        .queue
                        .operators
                        .iter()
                        .filter_map(|id| index.get(id).copied())
                        .collect();
                }
            }
        }
    }

    fn rebuild_after_new_operator(&mut self) {
        let index = &self.operator_index;
        for line in &mut self.s.lines {
            line.queue = line
                .config
                .queue
                .operators
                .iter()
                .filter_map(|id| index.get(id).copied())
                .collect();
        }
        self.rebuild_routing_indices();
    }

    // ----------------------------------------------------------------- state changes

    /// Move a dialog to a new state, keeping load counts, operator holdings and the
    /// waiting queues in step. Returns the old state.
    fn set_state(&mut self, id: DialogId, new: DialogState) -> DialogState {
        let Some(d) = self.s.dialogs.get_mut(&id) else {
            return DialogState::Routing;
        };
        let old = std::mem::replace(&mut d.state, new);
        let line_idx = d.line;
        let priority = d.priority;
        let line = &self.s.lines[line_idx as usize];
        let new = &self.s.dialogs[&id].state;
        let old_counted: &[OperatorIdx] = if line.counts(&old) {
            involved(&old)
        } else {
            &[]
        };
        let new_counted: &[OperatorIdx] = if line.counts(new) { involved(new) } else { &[] };
        let (old_counted, new_counted) = (old_counted.to_vec(), new_counted.to_vec());
        let (old_involved, new_involved) = (involved(&old).to_vec(), involved(new).to_vec());
        let new_queued = matches!(new, DialogState::Queued { .. });
        for &op in &old_counted {
            if !new_counted.contains(&op) {
                self.dirty_operators.insert(op);
            }
            self.s.operators[op as usize].remove_load(line_idx);
        }
        for &op in &old_involved {
            self.holdings[op as usize].remove(&id);
        }
        for &op in &new_involved {
            self.holdings[op as usize].insert(id);
        }
        for &op in &new_counted {
            self.s.operators[op as usize].add_load(line_idx);
        }
        let was_queued = matches!(old, DialogState::Queued { .. });
        if was_queued != new_queued {
            let key = (Reverse(priority), id);
            let affinity = self.affinity_of(id);
            if new_queued {
                self.waiting[line_idx as usize].insert(key);
                for op in affinity {
                    self.affinity.entry(op).or_default().insert(key);
                }
            } else {
                self.waiting[line_idx as usize].remove(&key);
                for op in affinity {
                    if let Some(set) = self.affinity.get_mut(&op) {
                        set.remove(&key);
                        if set.is_empty() {
                            self.affinity.remove(&op);
                        }
                    }
                }
            }
        }
        old
    }

    fn arm(&mut self, dialog: DialogId, kind: TimerKind, at: DateTime<Utc>) {
        self.timers.arm(TimerKey { dialog, kind }, at);
    }

    fn cancel(&mut self, dialog: DialogId, kind: TimerKind) {
        self.timers.cancel(TimerKey { dialog, kind });
    }

    fn arm_line_opening(&mut self, at: DateTime<Utc>, line: LineIdx) {
        if let Some(opening) = self.schedule(line).and_then(|s| s.next_opening(at)) {
            self.timers.arm(
                TimerKey {
                    dialog: 0,
                    kind: TimerKind::LineOpening(line),
                },
                opening,
            );
        }
    }

    /// Bookkeeping shared by every assignment.
    fn note_assignment(&mut self, at: DateTime<Utc>, id: DialogId, op: OperatorIdx, forced: bool) {
        self.s.operators[op as usize].last_assigned_at = Some(at);
        let Some(d) = self.s.dialogs.get_mut(&id) else {
            return;
        };
        d.tried.clear();
        d.forced = forced;
        let (client, line) = (d.client.clone(), d.line);
        self.client_line_mut(&client, line, at).last_operator = Some(op);
        self.cancel(id, TimerKind::OfferExpiry);
        self.cancel(id, TimerKind::Retry);
    }

    fn assign(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        op: OperatorIdx,
        reason: AssignReason,
        forced: bool,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.dialog_ref(id) else { return };
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

    fn close_dialog(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        reason: CloseReason,
        out: &mut Vec<Action>,
    ) {
        self.set_state(id, DialogState::Routing);
        self.timers.cancel_dialog(id);
        let Some(d) = self.s.dialogs.remove(&id) else {
            return;
        };
        let stats = d.stats();
        let line = d.line;
        self.s.lines[line as usize].totals.add(&stats);
        let record = self.client_line_mut(&d.client, line, at);
        record.open = None;
        record.last_seen = at;
        out.push(Action::DialogClosed {
            dialog: id,
            reason,
            stats,
        });
    }

    // ----------------------------------------------------------------- routing

    /// The eligibility verdict of `op` for dialog `d` in line `line`.
    /// `Verdict::NotNextInRotation` means eligible.
    fn verdict(&self, op: OperatorIdx, line: LineIdx, d: &Dialog, check_tried: bool) -> Verdict {
        let o = self.op(op);
        let l = self.line(line);
        if o.presence == PresenceStatus::Dismissed {
            return Verdict::Dismissed;
        }
        if check_tried && d.was_tried(op) {
            return Verdict::SkippedThisCycle;
        }
        if l.config.queue.check_availability && o.presence != PresenceStatus::Online {
            return Verdict::Unavailable;
        }
        if o.config.max_dialogs > 0 && o.load >= o.config.max_dialogs {
            return Verdict::AtCapacity;
        }
        let line_max = l.config.queue.max_dialogs;
        if line_max > 0 && o.load_in(line) >= line_max {
            return Verdict::AtLineCapacity;
        }
        if let Err(v) = o.qualifies(&d.skills, &d.language) {
            return v;
        }
        Verdict::NotNextInRotation
    }

    /// The routing decision for a dialog, without changing anything.
    fn pick(&self, id: DialogId) -> Option<Pick> {
        let d = self.dialog_ref(id)?;
        let line = d.line;
        let l = self.line(line);
        // 1. The CRM responsible.
        if let Some((op, forced)) = self.responsible_choice(d) {
            return Some(Pick::assign(
                op,
                AssignReason::CrmResponsible,
                forced,
                self.not_considered(line, op),
            ));
        }
        // 2. The previous operator.
        if let Some(op) = self.previous_choice(d) {
            return Some(Pick::assign(
                op,
                AssignReason::PreviousOperator,
                false,
                self.not_considered(line, op),
            ));
        }
        // 3. The queue.
        let mut verdicts: Vec<(OperatorIdx, Verdict)> = l
            .queue
            .iter()
            .map(|&op| (op, self.verdict(op, line, d, true)))
            .collect();
        let eligible: Vec<usize> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, (_, v))| *v == Verdict::NotNextInRotation)
            .map(|(i, _)| i)
            .collect();
        let chosen = choose(
            l.config.queue.distribution,
            &l.queue,
            &eligible,
            l.last_offered,
            &self.s.operators,
        );
        if chosen.is_empty() {
            return None;
        }
        for &pos in &chosen {
            if let Some(entry) = verdicts.get_mut(pos) {
                entry.1 = Verdict::Chosen;
            }
        }
        Some(Pick {
            operators: chosen
                .iter()
                .filter_map(|&p| l.queue.get(p).copied())
                .collect(),
            assign: None,
            forced: false,
            verdicts,
        })
    }

    /// The CRM responsible if they get this dialog now, with whether that bypasses
    /// the availability and capacity checks (`responsible_checks_availability: false`).
    fn responsible_choice(&self, d: &Dialog) -> Option<(OperatorIdx, bool)> {
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
    fn previous_choice(&self, d: &Dialog) -> Option<OperatorIdx> {
        if !self.line(d.line).config.queue.prefer_previous_operator {
            return None;
        }
        let op = self
            .client_line(&d.client, d.line)
            .and_then(|c| c.last_operator)?;
        (self.verdict(op, d.line, d, true) == Verdict::NotNextInRotation).then_some(op)
    }

    fn not_considered(&self, line: LineIdx, chosen: OperatorIdx) -> Vec<(OperatorIdx, Verdict)> {
        let mut verdicts: Vec<(OperatorIdx, Verdict)> = self
            .line(line)
            .queue
            .iter()
            .map(|&op| {
                (
                    op,
                    if op == chosen {
                        Verdict::Chosen
                    } else {
                        Verdict::NotConsidered
                    },
                )
            })
            .collect();
        if !self.line(line).queue.contains(&chosen) {
            verdicts.insert(0, (chosen, Verdict::Chosen));
        }
        verdicts
    }

    fn queue_verdicts(&self, id: DialogId) -> Vec<(OperatorIdx, Verdict)> {
        let Some(d) = self.dialog_ref(id) else {
            return Vec::new();
        };
        self.line(d.line)
            .queue
            .iter()
            .map(|&op| (op, self.verdict(op, d.line, d, true)))
            .collect()
    }

    fn explain_decision(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        decision: Decision,
        verdicts: Vec<(OperatorIdx, Verdict)>,
    ) {
        if let Some(d) = self.s.dialogs.get_mut(&id) {
            d.explanation = Some(Explanation {
                at,
                line: d.line,
                decision,
                verdicts,
            });
        }
    }

    /// Route a dialog in state `Routing`: assign, offer, or queue it.
    fn route(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.dialog_ref(id) else { return };
        let line = d.line;
        if self.held_closed(line, at) {
            let verdicts = self.queue_verdicts(id);
            self.explain_decision(at, id, Decision::OffHours, verdicts);
            self.enqueue(id, QueueReason::OffHours, out);
            self.arm_line_opening(at, line);
            return;
        }
        if let Some(pick) = self.pick(id) {
            self.apply_pick(at, id, pick, out);
            return;
        }
        let tried_any = self.dialog_ref(id).is_some_and(|d| !d.tried.is_empty());
        if tried_any {
            self.no_answer(at, id, out);
        } else {
            self.nobody_available(at, id, out);
        }
    }

    fn apply_pick(&mut self, at: DateTime<Utc>, id: DialogId, pick: Pick, out: &mut Vec<Action>) {
        let Pick {
            operators,
            assign,
            forced,
            verdicts,
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
            self.explain_decision(at, id, decision, verdicts);
            if let Some(&op) = operators.first() {
                self.assign(at, id, op, reason, forced, out);
            }
            return;
        }
        self.explain_decision(at, id, Decision::Offer, verdicts);
        self.offer(at, id, operators, out);
    }

    fn offer(
        &mut self,
        at: DateTime<Utc>,
        id: DialogId,
        operators: Vec<OperatorIdx>,
        out: &mut Vec<Action>,
    ) {
        let Some(d) = self.dialog_ref(id) else { return };
        let line = d.line;
        let forward = self.line(line).config.queue.forward_after_secs;
        let expires_at = later(at, forward).unwrap_or(at);
        if operators.len() == 1 {
            self.s.lines[line as usize].last_offered = operators.first().copied();
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
    fn enqueue(&mut self, id: DialogId, reason: QueueReason, out: &mut Vec<Action>) {
        let Some(d) = self.dialog_ref(id) else { return };
        if d.state != (DialogState::Queued { reason }) {
            out.push(Action::Queued { dialog: id, reason });
        }
        self.set_state(id, DialogState::Queued { reason });
    }

    fn nobody_available(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.dialog_ref(id) else { return };
        let line = d.line;
        let l = self.line(line);
        let verdicts = self.queue_verdicts(id);
        if l.config.queue.when_nobody_available == WhenNobodyAvailable::AssignAnyway {
            let target = forced_order(
                l.config.queue.distribution,
                l.queue.len(),
                &l.queue,
                l.last_offered,
            )
            .filter_map(|pos| l.queue.get(pos).copied())
            .find(|&op| {
                !matches!(
                    verdicts.iter().find(|(o, _)| *o == op).map(|(_, v)| *v),
                    Some(Verdict::Dismissed | Verdict::SkippedThisCycle)
                )
            });
            if let Some(op) = target {
                let verdicts = verdicts
                    .into_iter()
                    .map(|(o, v)| (o, if o == op { Verdict::Chosen } else { v }))
                    .collect();
                self.s.lines[line as usize].last_offered = Some(op);
                self.explain_decision(at, id, Decision::AssignAnyway, verdicts);
                self.assign(at, id, op, AssignReason::AssignAnyway, true, out);
                return;
            }
        }
        self.explain_decision(at, id, Decision::NobodyAvailable, verdicts);
        self.enqueue(id, QueueReason::NobodyAvailable, out);
        let text = &self.s.lines[line as usize].config.nobody_available_text;
        if let Some(d) = self.s.dialogs.get_mut(&id)
            && !d.nobody_available_sent
            && !text.is_empty()
        {
            d.nobody_available_sent = true;
            out.push(send(id, MessageKind::NobodyAvailable, text));
        }
    }

    /// Every candidate of the cycle declined or timed out.
    fn no_answer(&mut self, at: DateTime<Utc>, id: DialogId, out: &mut Vec<Action>) {
        let Some(d) = self.dialog_ref(id) else { return };
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
        let verdicts = self.queue_verdicts(id);
        self.explain_decision(at, id, Decision::NoAnswer, verdicts);
        self.enqueue(id, QueueReason::NoAnswer, out);
        text_or_form(
            out,
            id,
            MessageKind::NoAnswer,
            (policy.action == NoAnswerAction::SendText).then_some(&policy.text),
            (policy.action == NoAnswerAction::SendForm).then_some(&policy.form),
        );
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
    fn dispatch(&mut self, at: DateTime<Utc>, out: &mut Vec<Action>) {
        loop {
            if let Some(line) = self.dirty_lines.pop_first() {
                self.dispatch_line(at, line, out);
            } else if let Some(op) = self.dirty_operators.pop_first() {
                self.dispatch_operator(at, op, out);
            } else {
                break;
            }
        }
    }

    fn dispatch_line(&mut self, at: DateTime<Utc>, line: LineIdx, out: &mut Vec<Action>) {
        if self
            .waiting
            .get(line as usize)
            .is_none_or(BTreeSet::is_empty)
            || self.held_closed(line, at)
        {
            return;
        }
        let ids: Vec<DialogId> = self.waiting[line as usize]
            .iter()
            .map(|&(_, id)| id)
            .collect();
        for id in ids {
            let Some(DialogState::Queued { reason }) = self.dialog_ref(id).map(|d| d.state.clone())
            else {
                continue;
            };
            if let Some(pick) = self.pick(id) {
                self.apply_pick(at, id, pick, out);
            } else if reason == QueueReason::OffHours {
                // The line opened but nobody is eligible: an ordinary wait now.
                self.set_state(id, DialogState::Routing);
                self.nobody_available(at, id, out);
            }
        }
    }

    fn dispatch_operator(&mut self, at: DateTime<Utc>, op: OperatorIdx, out: &mut Vec<Action>) {
        let mut cursor: Option<(Reverse<i32>, DialogId)> = None;
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
    /// lines) that `op` could take.
    fn next_waiting_for(
        &self,
        at: DateTime<Utc>,
        op: OperatorIdx,
        cursor: Option<(Reverse<i32>, DialogId)>,
    ) -> Option<(Reverse<i32>, DialogId)> {
        let lower = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let mut best: Option<(Reverse<i32>, DialogId)> = None;
        let affinity = self.affinity.get(&op).into_iter();
        // Line-wide reasons are checked once per line, not per waiting dialog.
        let queues = self
            .waiting
            .iter()
            .enumerate()
            .filter(|(line, waiting)| {
                !waiting.is_empty()
                    && self.queue_members[*line].contains(&op)
                    && self.line_accepts(op, *line as LineIdx, at)
            })
            .map(|(_, waiting)| waiting);
        for waiting in queues.chain(affinity) {
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

    /// Whether `op` could take any dialog of `line` from its queue (capacity,
    /// availability, line capacity, hours).
    fn line_accepts(&self, op: OperatorIdx, line: LineIdx, at: DateTime<Utc>) -> bool {
        let o = self.op(op);
        let l = self.line(line);
        (o.config.max_dialogs == 0 || o.load < o.config.max_dialogs)
            && (!l.config.queue.check_availability || o.presence == PresenceStatus::Online)
            && (l.config.queue.max_dialogs == 0 || o.load_in(line) < l.config.queue.max_dialogs)
            && !self.held_closed(line, at)
    }

    /// Whether `op` is a candidate for dialog `d` right now: its CRM responsible or
    /// previous operator as `pick` would choose them, or an eligible queue operator.
    fn could_take(&self, op: OperatorIdx, d: &Dialog) -> bool {
        self.responsible_choice(d).is_some_and(|(r, _)| r == op)
            || self.previous_choice(d) == Some(op)
            || (self.queue_members[d.line as usize].contains(&op)
                && self.verdict(op, d.line, d, true) == Verdict::NotNextInRotation)
    }

    // ----------------------------------------------------------------- timers

    /// Fire every timer due at or before `at`, each at its own deadline.
    ///
    /// A dialog whose offers keep expiring while no input arrives (an operator who
    /// never answers, `no_answer: requeue`) would be re-offered once per
    /// `forward_after_secs` of the gap: after [`MAX_OFFER_EXPIRIES_PER_CATCH_UP`]
    /// expiries in one call, its further offers are not made inside the gap; it is
    /// routed once more at `at`. So the work of a call is bounded however long the
    /// host did not tick, and a host that ticks at `next_deadline()` sees no change.
    fn fire_due(&mut self, at: DateTime<Utc>, out: &mut Vec<Action>) {
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

    fn fire(&mut self, at: DateTime<Utc>, key: TimerKey, out: &mut Vec<Action>) {
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
    fn arm_forget_sweep(&mut self, at: DateTime<Utc>) {
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

    fn forget_inactive(&mut self, at: DateTime<Utc>) {
        let days = self.s.forget_clients_after_days;
        if days == 0 {
            return;
        }
        let horizon = at - Duration::days(i64::from(days));
        self.s.clients.retain(|_, lines| {
            lines.retain(|c| c.open.is_some() || c.last_seen > horizon);
            !lines.is_empty()
        });
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

    // ----------------------------------------------------------------- invariants

    /// Check the internal invariants; returns the first violation found. Used by
    /// `restore` and by the property tests.
    pub fn check_consistency(&self) -> Result<(), String> {
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
            if d.line as usize >= n_lines {
                return Err(format!("dialog {id} names line index {}", d.line));
            }
            if d.state == DialogState::Routing {
                return Err(format!(
                    "dialog {id} is left in the transient routing state"
                ));
            }
            for &op in involved(&d.state).iter().chain(d.tried.iter()) {
                if op as usize >= n_ops {
                    return Err(format!("dialog {id} names operator index {op}"));
                }
            }
            if let DialogState::Offered { operators, .. } = &d.state {
                if operators.is_empty() {
                    return Err(format!("dialog {id} is offered to nobody"));
                }
                if self
                    .timers
                    .deadline(TimerKey {
                        dialog: id,
                        kind: TimerKind::OfferExpiry,
                    })
                    .is_none()
                {
                    return Err(format!("dialog {id} is offered without an expiry timer"));
                }
            }
            let queued = matches!(d.state, DialogState::Queued { .. });
            if queued != self.waiting[d.line as usize].contains(&(Reverse(d.priority), id)) {
                return Err(format!(
                    "dialog {id} queue membership does not match its state"
                ));
            }
            let record = self.client_line(&d.client, d.line);
            if record.and_then(|c| c.open) != Some(id) {
                return Err(format!(
                    "dialog {id} is not the open dialog of client {} in its line",
                    d.client
                ));
            }
            if self.line(d.line).counts(&d.state) {
                for &op in involved(&d.state) {
                    load[op as usize] += 1;
                    *line_load[op as usize].entry(d.line).or_insert(0) += 1;
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
        for (client, lines) in &self.s.clients {
            for c in lines {
                if let Some(open) = c.open
                    && self
                        .s
                        .dialogs
                        .get(&open)
                        .is_none_or(|d| &d.client != client || d.line != c.line)
                {
                    return Err(format!(
                        "client {client} points at dialog {open} that is not theirs"
                    ));
                }
            }
        }
        for (_, key) in self.timers.iter() {
            if key.dialog != 0 && !self.s.dialogs.contains_key(&key.dialog) {
                return Err(format!(
                    "timer {:?} belongs to a dialog that is not open",
                    key
                ));
            }
        }
        Ok(())
    }

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
        match self.pick(id) {
            Some(p) => p
                .operators
                .iter()
                .map(|&op| self.operator_id(op).to_owned())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether an operator is over a capacity limit with dialogs the engine chose to
    /// give them under the checks (forced assignments excluded).
    pub fn over_capacity(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, o) in self.s.operators.iter().enumerate() {
            let op = i as OperatorIdx;
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
fn check_references(state: &State, timers: &[(TimerKey, DateTime<Utc>)]) -> Result<(), String> {
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
    let op_ok = |op: OperatorIdx| (op as usize) < n_ops;
    let line_ok = |line: LineIdx| (line as usize) < n_lines;
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
            .is_none_or(|e| line_ok(e.line) && e.verdicts.iter().all(|&(op, _)| op_ok(op)));
        if !line_ok(d.line) || !ops_ok || !explained_ok {
            return Err(format!(
                "dialog {id} names a line or operator that does not exist"
            ));
        }
    }
    for (client, lines) in &state.clients {
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
        if let TimerKind::LineOpening(line) = key.kind
            && (key.dialog != 0 || !line_ok(line))
        {
            return Err(format!("timer {key:?} names a line that does not exist"));
        }
    }
    Ok(())
}

/// A routing choice before it is applied.
struct Pick {
    operators: Vec<OperatorIdx>,
    assign: Option<AssignReason>,
    forced: bool,
    verdicts: Vec<(OperatorIdx, Verdict)>,
}

impl Pick {
    fn assign(
        op: OperatorIdx,
        reason: AssignReason,
        forced: bool,
        verdicts: Vec<(OperatorIdx, Verdict)>,
    ) -> Pick {
        Pick {
            operators: vec![op],
            assign: Some(reason),
            forced,
            verdicts,
        }
    }
}

/// The reply of an off-hours or no-answer policy: its text or its form, when set.
fn text_or_form(
    out: &mut Vec<Action>,
    dialog: DialogId,
    kind: MessageKind,
    text: Option<&String>,
    form: Option<&String>,
) {
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        out.push(send(dialog, kind, text));
    } else if let Some(form) = form.filter(|f| !f.is_empty()) {
        out.push(Action::SendForm {
            dialog,
            form: form.clone(),
        });
    }
}

fn send(dialog: DialogId, kind: MessageKind, text: &str) -> Action {
    Action::SendMessage {
        dialog,
        kind,
        text: text.to_owned(),
    }
}

fn compile_schedule(config: &LineConfig) -> Option<Schedule> {
    let s = config.schedule.as_ref()?;
    Schedule::parse(&s.timezone, &s.weekly, &s.holidays).ok()
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Unavailable => "the operator is not online",
        Verdict::Dismissed => "the operator is dismissed",
        Verdict::AtCapacity => "the operator is at max_dialogs",
        Verdict::AtLineCapacity => "the operator is at the line's max_dialogs",
        Verdict::SkippedThisCycle => "the operator skipped it",
        Verdict::LacksSkill => "the operator lacks a required skill",
        Verdict::LacksLanguage => "the operator does not speak the client's language",
        Verdict::Chosen | Verdict::NotNextInRotation | Verdict::NotConsidered => "allowed",
    }
}
