//! The engine: applies timed inputs, fires timers, returns actions.
//!
//! Time is committed, inputs are atomic: `handle(at, input)` is `advance(at)` (every
//! timer due at or before `at` fires, each at its own deadline, and the clock moves
//! to `at`) followed by the input, which goes through two phases: `check` (read-only:
//! validates and resolves ids against the state the timers left, returning a
//! `Checked` plan or an error) and `apply` (infallible). So a rejected input
//! changes nothing itself, and the timers' actions reach the host either way.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use compact_str::CompactString;
use std::ops::Bound;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::action::{
    Action, AssignReason, BotStopReason, CloseReason, Kpi, MessageKind, QueueReason, WithdrawReason,
};
use crate::config::{
    Config, CreateLead, Distribution, GreetingWhen, LineConfig, NoAnswerAction, OffHoursAction,
    OperatorConfig, WhenNobodyAvailable, validate_line, validate_operator,
};
use crate::dialog::{Derived, Dialog, DialogState, LineIdx, OperatorIdx};
use crate::error::{ConfigIssue, Error, ErrorKind};
use crate::input::{ClientMessage, Input, PresenceStatus};
use crate::limits::Limits;
use crate::operator::{Operator, Verdict};
use crate::routing::{
    Decision, ExplainEntry, ExplainView, Explanation, Line, RankKey, ReadyIndex, forced_order,
    involved, rank_key,
};
use crate::schedule::Schedule;
use crate::stats::{LineStats, LiveCounts};
use crate::timers::{TimerKey, TimerKind, TimerTable};
use crate::timestamp::Stamp;
use crate::views::{DialogView, OperatorView, QueueEntry, QueueView};

mod affinity;
mod apply;
mod check;
mod clients;
mod fire;
mod invariants;
mod position;
mod roster;
mod route;
mod state;
mod waiting;

use affinity::{Affinity, AffinityTarget, WaitingKey};
use check::Checked;
pub(crate) use clients::ClientHandle;
use clients::ClientHistory;
use invariants::{check_reachable, check_references};
use position::QueueRanks;
use waiting::LineWaiting;

/// The snapshot format version; `Engine::restore` rejects any other. Version 4: the
/// bytes end with a CRC-32C checksum (encoding 2 of [`crate::codec`]), and restore
/// refuses states the engine cannot reach (see `invariants::check_reachable`). Version 3: timer
/// keys name their owner (a dialog's timer, a line's opening, the forget sweep) instead
/// of a dialog id with 0 for engine-wide timers. Version 2: explanations record the
/// chosen operators, not a verdict per queue operator; timestamps are numbers in the
/// binary encoding; dialog states are externally tagged.
pub const SNAPSHOT_VERSION: u32 = 4;

/// What the engine remembers about a client in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClientLine {
    pub line: LineIdx,
    pub open: Option<DialogId>,
    pub last_operator: Option<OperatorIdx>,
    pub dialogs: u32,
    /// When the client's last dialog in this line closed (or the record was made).
    /// Only read while no dialog is open (the forget sweep keeps records with an open
    /// dialog), so messages inside a dialog do not update it.
    #[serde(with = "crate::timestamp")]
    pub last_seen: DateTime<Utc>,
}

/// Everything that is persisted by a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(with = "crate::timestamp::option")]
    pub now: Option<DateTime<Utc>>,
    pub next_dialog: DialogId,
    pub limits: Limits,
    pub forget_clients_after_days: u32,
    pub operators: Vec<Operator>,
    pub lines: Vec<Line>,
    /// Open dialogs; boxed, so the map's half-full nodes hold pointers, not whole dialogs.
    #[serde(deserialize_with = "bulk_map")]
    pub dialogs: BTreeMap<DialogId, Box<Dialog>>,
    pub clients: ClientHistory,
}

/// Deserialize a map by collecting its entries and building the `BTreeMap` in bulk
/// (fast for the sorted entries a snapshot holds; a later duplicate key wins, as with
/// serde's own `BTreeMap`).
pub(crate) fn bulk_map<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Ord + Deserialize<'de>,
    V: Deserialize<'de>,
{
    struct Entries<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> serde::de::Visitor<'de>
        for Entries<K, V>
    {
        type Value = BTreeMap<K, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            // The size hint comes from untrusted bytes: cap the up-front allocation.
            let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries.into_iter().collect())
        }
    }
    deserializer.deserialize_map(Entries(std::marker::PhantomData))
}

/// A full, versioned copy of an engine's state (serde).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub version: u32,
    state: State,
    timers: Vec<(TimerKey, Stamp)>,
}

/// [`Snapshot`] borrowing the live state: the same serde shape, without the copy.
#[derive(Serialize)]
struct SnapshotView<'a> {
    version: u32,
    state: &'a State,
    timers: Vec<(TimerKey, Stamp)>,
}

/// Operators' or lines' ids to their table index. Hashed with FNV-1a rather than the
/// standard library's SipHash: the ids are the host's own configuration (inputs only
/// look ids up; a lookup of an unknown id adds nothing), short, and looked up on every
/// operator input, where SipHash's flooding protection buys nothing.
type IdIndex<T> = HashMap<String, T, std::hash::BuildHasherDefault<Fnv>>;

/// 64-bit FNV-1a as a [`std::hash::Hasher`] (for [`IdIndex`]).
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
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
    operator_index: IdIndex<OperatorIdx>,
    line_index: IdIndex<LineIdx>,
    schedules: Vec<Option<Schedule>>,
    /// Per line, its waiting dialogs (derived; kept by `set_state`).
    waiting: Vec<LineWaiting>,
    /// Per line, the waiting dialogs as order-statistic trees: a dialog's queue
    /// position without walking the queue (derived; kept by `set_state`).
    queue_ranks: QueueRanks,
    /// What the current call accumulates (empty between calls).
    call: CallScratch,
    /// Open dialogs each operator is offered or owns (derived).
    holdings: Vec<BTreeSet<DialogId>>,
    /// Each line's queue operators as a set (derived).
    queue_members: Vec<HashSet<OperatorIdx>>,
    /// Per line, the queue operators ready for a dialog, in the mode's order (derived).
    ready: ReadyIndex,
    /// Waiting dialogs that a specific operator outside the queue may take: their CRM
    /// responsible or previous operator (derived).
    affinity: Affinity,
    /// Per line, live counts of its open dialogs (derived; kept by `set_state`,
    /// `insert_dialog`, `remove_dialog` and `move_dialog`).
    live: Vec<LiveCounts>,
}

/// How many offer expiries of one dialog one call replays before it stops re-offering
/// inside the gap (see `Engine::fire_due`).
pub const MAX_OFFER_EXPIRIES_PER_CATCH_UP: u32 = 32;

/// What one call (`handle_into`, `advance_into`) accumulates while it runs: never
/// persisted, empty between calls (asserted in debug builds), so no call sees another's
/// leftovers.
#[derive(Debug, Clone, Default)]
struct CallScratch {
    /// Operators who may have become eligible since the last dispatch.
    dirty_operators: BTreeSet<OperatorIdx>,
    /// Lines whose waiting dialogs must be looked at again (config change, opening).
    dirty_lines: BTreeSet<LineIdx>,
    /// `set_state`'s buffer of the operators whose load moves (kept for its capacity).
    moved_load: Vec<OperatorIdx>,
    /// The catch-up of `fire_due`.
    catch_up: CatchUp,
}

impl CallScratch {
    /// Whether nothing is left over (true between calls).
    fn is_idle(&self) -> bool {
        self.dirty_operators.is_empty()
            && self.dirty_lines.is_empty()
            && self.moved_load.is_empty()
            && self.catch_up.expiries.is_empty()
            && self.catch_up.deferred.is_empty()
            && self.catch_up.repeats.is_empty()
    }
}

/// Bookkeeping of one `fire_due` call.
#[derive(Debug, Clone, Default)]
struct CatchUp {
    expiries: HashMap<DialogId, u32>,
    deferred: BTreeSet<DialogId>,
    /// Queue-position repeats fired per dialog in this call.
    repeats: HashMap<DialogId, u32>,
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
        let state = State {
            now: None,
            next_dialog: 1,
            limits: config.limits,
            forget_clients_after_days: config.forget_clients_after_days,
            operators: config.operators.into_iter().map(Operator::new).collect(),
            lines: config
                .lines
                .into_iter()
                .map(|line| Line {
                    config: line,
                    queue: Vec::new(),
                    last_offered: None,
                    totals: Default::default(),
                    wait: Default::default(),
                })
                .collect(),
            dialogs: BTreeMap::new(),
            clients: ClientHistory::default(),
        };
        Ok(Engine::from_state(state, TimerTable::default()))
    }

    /// An engine over `s` and `timers`, with everything derived from them rebuilt
    /// (the one place that lists the derived fields: `new` and `restore` share it).
    fn from_state(s: State, timers: TimerTable) -> Engine {
        let mut engine = Engine {
            s,
            timers,
            operator_index: IdIndex::default(),
            line_index: IdIndex::default(),
            schedules: Vec::new(),
            waiting: Vec::new(),
            queue_ranks: Vec::new(),
            call: CallScratch::default(),
            holdings: Vec::new(),
            queue_members: Vec::new(),
            ready: ReadyIndex::default(),
            affinity: Affinity::default(),
            live: Vec::new(),
        };
        engine.rebuild_indices();
        engine
    }

    /// Recompute everything derived from `State` (after `new` and `restore`).
    fn rebuild_indices(&mut self) {
        self.resolve_client_handles();
        self.operator_index = self
            .s
            .operators
            .iter()
            .enumerate()
            .map(|(i, o)| (o.config.id.clone(), OperatorIdx::at(i)))
            .collect();
        self.line_index = self
            .s
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.config.id.clone(), LineIdx::at(i)))
            .collect();
        self.resolve_queues();
        self.schedules = self
            .s
            .lines
            .iter()
            .map(|l| compile_schedule(&l.config))
            .collect();
        self.rebuild_routing_indices();
        self.live = self.fresh_live_counts();
        self.holdings = vec![BTreeSet::new(); self.s.operators.len()];
        for d in self.s.dialogs.values() {
            for &op in involved(&d.state) {
                if let Some(h) = self.holdings.get_mut(op.index()) {
                    h.insert(d.id);
                }
            }
        }
    }

    /// Every line's live counts as a scan of the open dialogs makes them (restore, and
    /// the consistency check).
    fn fresh_live_counts(&self) -> Vec<LiveCounts> {
        let mut live = vec![LiveCounts::default(); self.s.lines.len()];
        for d in self.s.dialogs.values() {
            let Some(counts) = live.get_mut(d.line.index()) else {
                continue;
            };
            counts.enter(&d.state);
            for &op in involved(&d.state) {
                counts.add_holder(op);
            }
            if self.line(d.line).counts(&d.state) {
                for &op in involved(&d.state) {
                    counts.add_load(op);
                }
            }
        }
        live
    }

    /// `config.queue.operators` resolved to operator indices. Every id resolves: a
    /// config or `set_line` naming an unknown operator is refused, and operators are
    /// never removed.
    fn queue_of(&self, config: &LineConfig) -> Vec<OperatorIdx> {
        let queue: Vec<OperatorIdx> = config
            .queue
            .operators
            .iter()
            .filter_map(|id| self.operator_index.get(id).copied())
            .collect();
        debug_assert_eq!(
            queue.len(),
            config.queue.operators.len(),
            "invariant: queue ids are validated"
        );
        queue
    }

    /// Resolve every line's queue (after `new` and `restore`).
    fn resolve_queues(&mut self) {
        for i in 0..self.s.lines.len() {
            let queue = self.queue_of(&self.s.lines[i].config);
            self.s.lines[i].queue = queue;
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
        self.rebuild_ready();
        self.waiting = self.fresh_waiting();
        self.affinity = self.fresh_affinity();
        self.queue_ranks = self.fresh_queue_ranks();
    }

    /// Every line's waiting dialogs as a scan of the open dialogs makes them (restore,
    /// and the consistency check).
    fn fresh_waiting(&self) -> Vec<LineWaiting> {
        let mut waiting = vec![LineWaiting::default(); self.s.lines.len()];
        for d in self.s.dialogs.values() {
            if let DialogState::Queued { reason } = d.state
                && let Some(w) = waiting.get_mut(d.line.index())
            {
                w.insert(
                    (Reverse(d.priority), d.id),
                    &d.skills,
                    &d.language,
                    reason == QueueReason::OffHours,
                    !self.affinity_of(d.id).is_empty(),
                );
            }
        }
        waiting
    }

    /// The affinity index as a scan of the waiting dialogs makes it (restore, and the
    /// consistency check).
    fn fresh_affinity(&self) -> Affinity {
        let mut affinity = Affinity::default();
        for waiting in &self.waiting {
            for key in waiting.iter() {
                affinity.insert(key, self.affinity_of(key.1));
            }
        }
        affinity
    }

    /// Who may take this dialog from outside its line's queue: its CRM responsible
    /// (an operator, or an id that is no operator yet) and its previous operator.
    fn affinity_of(&self, id: DialogId) -> Vec<AffinityTarget> {
        let Some(d) = self.known_dialog(id) else {
            return Vec::new();
        };
        let line = self.line(d.line);
        let mut targets = Vec::new();
        if line.config.crm.route_to_responsible
            && d.crm_found
            && let Some(responsible) = d.responsible.as_deref()
        {
            targets.push(match self.operator_index.get(responsible) {
                Some(&op) => AffinityTarget::Operator(op),
                None => AffinityTarget::Unknown(responsible.into()),
            });
        }
        if line.config.queue.prefer_previous_operator
            && let Some(op) = self
                .s
                .clients
                .line(*d.client_handle, d.line)
                .and_then(|c| c.last_operator)
        {
            targets.push(AffinityTarget::Operator(op));
        }
        targets
    }

    // ----------------------------------------------------------------- public API

    /// Apply one input at time `at` and return the actions to carry out.
    ///
    /// Exactly [`Engine::advance`] to `at` followed by the input: every timer due at
    /// or before `at` fires first (time is committed: its effects stand whatever the
    /// input turns out to be), then the input is checked against that state and
    /// applied whole or rejected whole. A rejected input changes nothing itself; the
    /// error carries the actions of the timers that fired before it
    /// ([`Error::actions`]), so nothing the engine decided is lost.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use openlines::{Action, Config, Engine, ErrorKind};
    /// use openlines::json::input_from_str as input;
    ///
    /// let config = Config::from_json(r#"{"operators": [{"id": "ann"}],
    ///     "lines": [{"id": "sales", "queue": {"operators": ["ann"]},
    ///                "auto_close": {"after_secs": 60}}]}"#).unwrap();
    /// let mut engine = Engine::new(config).unwrap();
    /// let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    /// engine.handle(at, input(r#"{"type": "client_message", "line": "sales", "client": "c"}"#).unwrap()).unwrap();
    /// engine.handle(at, input(r#"{"type": "operator_message", "dialog": 1, "operator": "ann"}"#).unwrap()).unwrap();
    /// // The host never ticked; two minutes later the operator writes again, but the
    /// // auto-close timer (due at 09:01) fires first: the message is refused and the
    /// // close travels inside the error.
    /// let late = at + Duration::minutes(2);
    /// let err = engine
    ///     .handle(late, input(r#"{"type": "operator_message", "dialog": 1, "operator": "ann"}"#).unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.kind, ErrorKind::NotAllowed);
    /// assert!(matches!(err.actions.last(), Some(Action::DialogClosed { dialog: 1, .. })));
    /// ```
    pub fn handle(&mut self, at: DateTime<Utc>, input: Input) -> Result<Vec<Action>, Error> {
        let mut out = Vec::new();
        match self.handle_into(at, input, &mut out) {
            Ok(()) => Ok(out),
            Err(error) => Err(error.with_actions(out)),
        }
    }

    /// Like [`Engine::handle`], appending to the caller's buffer (the hot path: no
    /// allocation for the action list). When the input is rejected, the actions of
    /// the timers that fired before it stay in the buffer (the error's
    /// [`Error::actions`] is empty: they are in `out`).
    pub fn handle_into(
        &mut self,
        at: DateTime<Utc>,
        mut input: Input,
        out: &mut Vec<Action>,
    ) -> Result<(), Error> {
        self.advance_into(at, out)?;
        let checked = self.check(&mut input)?;
        self.apply(at, checked, out);
        self.dispatch(at, out);
        debug_assert!(
            self.call.is_idle(),
            "invariant: a call leaves nothing behind"
        );
        Ok(())
    }

    /// A clock tick: fire every timer due at or before `at`, in deadline order, and
    /// move the engine's clock to `at`. A tick with nothing due changes nothing but
    /// the clock. The only error is `time_went_backwards`.
    pub fn advance(&mut self, at: DateTime<Utc>) -> Result<Vec<Action>, Error> {
        let mut out = Vec::new();
        self.advance_into(at, &mut out)?;
        Ok(out)
    }

    /// Like [`Engine::advance`], appending to the caller's buffer.
    pub fn advance_into(&mut self, at: DateTime<Utc>, out: &mut Vec<Action>) -> Result<(), Error> {
        self.check_time(at)?;
        self.fire_due(at, out);
        self.s.now = Some(at);
        self.arm_forget_sweep(at);
        debug_assert!(
            self.call.is_idle(),
            "invariant: a call leaves nothing behind"
        );
        Ok(())
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
            timers: self
                .timers
                .iter()
                .map(|(at, key)| (key, Stamp(at)))
                .collect(),
        }
    }

    /// Rebuild an engine from a snapshot; a wrong version or an inconsistent snapshot
    /// is a `snapshot_version` error. Restore never builds a state the engine could not
    /// have reached: indices, ids, times and deadlines are checked before any index is
    /// built, and the counts that must agree with the dialogs after (every build, in
    /// one pass over each part of the state).
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
        check_reachable(&snapshot.state, &snapshot.timers).map_err(inconsistent)?;
        let timers = TimerTable::from_entries(
            snapshot
                .timers
                .into_iter()
                .map(|(key, Stamp(at))| (key, at))
                .collect(),
        );
        let engine = Engine::from_state(snapshot.state, timers);
        engine.consistency().map_err(inconsistent)?;
        Ok(engine)
    }

    /// Snapshot as bytes: a header (magic, encoding and snapshot version) and the
    /// compact binary encoding of [`Snapshot`] (see [`crate::codec`]). For a readable
    /// copy, serialize [`Engine::snapshot`] with any serde format (e.g. JSON).
    pub fn snapshot_bytes(&self) -> Vec<u8> {
        // Encode straight from the live state: no copy of it.
        let view = SnapshotView {
            version: SNAPSHOT_VERSION,
            state: &self.s,
            timers: self
                .timers
                .iter()
                .map(|(at, key)| (key, Stamp(at)))
                .collect(),
        };
        crate::codec::encode_snapshot(SNAPSHOT_VERSION, &view)
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
            client: d.client.to_string(),
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
        let dialogs: Vec<DialogId> = self.holdings[idx.index()]
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
        let waiting = self.waiting.get(idx.index())?;
        Some(QueueView {
            line: line.to_owned(),
            waiting: waiting
                .iter()
                .filter_map(|(_, id)| self.s.dialogs.get(&id))
                .map(|d| QueueEntry {
                    dialog: d.id,
                    client: d.client.to_string(),
                    priority: d.priority,
                    reason: match d.state {
                        DialogState::Queued { reason } => reason,
                        _ => QueueReason::NobodyAvailable,
                    },
                    since: d.opened_at,
                })
                .collect(),
            operators: self.s.lines[idx.index()]
                .queue
                .iter()
                .map(|&op| self.operator_id(op).to_owned())
                .collect(),
        })
    }

    /// Live counts and totals of a line. Costs the number of operators with load in
    /// the line (the counts are kept up to date, not recounted).
    pub fn stats(&self, line: &str) -> Option<LineStats> {
        let idx = *self.line_index.get(line)?;
        let l = &self.s.lines[idx.index()];
        let live = &self.live[idx.index()];
        let [bot, queued, offered, assigned, closing] = live.by_state;
        Some(LineStats {
            line: line.to_owned(),
            open: live.open,
            bot,
            queued,
            offered,
            assigned,
            closing,
            operator_load: live
                .operator_load
                .iter()
                .map(|(&op, &n)| (self.operator_id(op).to_owned(), n))
                .collect(),
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
        })
    }

    /// Why the last routing decision of an open dialog went as it did.
    ///
    /// The decision, its time and the operators it chose are recorded when it is
    /// made; every other queue operator's verdict is worked out now, against the
    /// dialog as it stands (so recording a decision costs nothing per queue operator).
    /// For a CRM-responsible or previous-operator assignment the queue was not
    /// looked at: the others are `not_considered`, and a chosen operator outside the
    /// queue comes first.
    pub fn explain(&self, id: DialogId) -> Option<ExplainView> {
        let d = self.s.dialogs.get(&id)?;
        let e = d.explanation.as_ref()?;
        let line = self.s.lines.get(e.line.index())?;
        let queue_looked_at = !matches!(
            e.decision,
            Decision::CrmResponsible | Decision::PreviousOperator
        );
        let outside = e.chosen.iter().filter(|op| !line.queue.contains(op));
        let verdicts = outside
            .map(|&op| (op, Verdict::Chosen))
            .chain(line.queue.iter().map(|&op| {
                let verdict = if e.chosen.contains(&op) {
                    Verdict::Chosen
                } else if queue_looked_at {
                    self.verdict(op, e.line, d, true)
                } else {
                    Verdict::NotConsidered
                };
                (op, verdict)
            }));
        Some(ExplainView {
            dialog: id,
            at: e.at,
            line: line.config.id.clone(),
            distribution: line.config.queue.distribution,
            decision: e.decision,
            operators: verdicts
                .map(|(op, verdict)| ExplainEntry {
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
        &self.s.operators[idx.index()]
    }

    fn operator_id(&self, idx: OperatorIdx) -> &str {
        self.s
            .operators
            .get(idx.index())
            .map_or("", |o| o.config.id.as_str())
    }

    fn line_id(&self, idx: LineIdx) -> &str {
        self.s
            .lines
            .get(idx.index())
            .map_or("", |l| l.config.id.as_str())
    }

    fn line(&self, idx: LineIdx) -> &Line {
        &self.s.lines[idx.index()]
    }

    fn dialog_ref(&self, id: DialogId) -> Option<&Dialog> {
        self.s.dialogs.get(&id).map(|d| &**d)
    }

    /// A dialog the caller knows to be open (its timers fire, it is being routed or
    /// closed). That it is open is an invariant: asserted in debug builds (the property
    /// tests and the fuzzers run with it); a release build skips the step rather than
    /// panic.
    fn known_dialog(&self, id: DialogId) -> Option<&Dialog> {
        let d = self.dialog_ref(id);
        debug_assert!(d.is_some(), "invariant: dialog {id} is open");
        d
    }

    fn schedule(&self, line: LineIdx) -> Option<&Schedule> {
        self.schedules.get(line.index()).and_then(Option::as_ref)
    }

    fn is_open(&self, line: LineIdx, at: DateTime<Utc>) -> bool {
        self.schedule(line).is_none_or(|s| s.is_open(at))
    }

    /// Whether `line` keeps its dialogs from operators at `at`: it holds until open
    /// and is closed.
    fn held_closed(&self, line: LineIdx, at: DateTime<Utc>) -> bool {
        self.line(line).config.holds_until_open() && !self.is_open(line, at)
    }

    /// Give every open dialog its client's handle: the client whose record in the
    /// dialog's line names it as open (one pass over the clients; a dialog no record
    /// names keeps [`ClientHandle::NONE`], which `consistency` refuses).
    fn resolve_client_handles(&mut self) {
        for handle in self.s.clients.handles() {
            for record in self.s.clients.records(handle) {
                if let Some(d) = record.open.and_then(|id| self.s.dialogs.get_mut(&id)) {
                    d.client_handle = Derived(handle);
                }
            }
        }
    }
}

/// An open dialog by id, like [`Engine::known_dialog`], borrowing only the dialog map.
fn known(dialogs: &BTreeMap<DialogId, Box<Dialog>>, id: DialogId) -> Option<&Dialog> {
    let d = dialogs.get(&id).map(|d| &**d);
    debug_assert!(d.is_some(), "invariant: dialog {id} is open");
    d
}

/// An open dialog to change, by id: that it is open is an invariant where this is
/// called (after `check` resolved the id, from a timer, from a routing step), asserted
/// in debug builds like [`Engine::known_dialog`]. A free function over the dialog map,
/// so callers can change the dialog and the engine's other fields side by side.
fn known_mut(dialogs: &mut BTreeMap<DialogId, Box<Dialog>>, id: DialogId) -> Option<&mut Dialog> {
    let d = dialogs.get_mut(&id).map(|d| &mut **d);
    debug_assert!(d.is_some(), "invariant: dialog {id} is open");
    d
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
