//! Shared helpers of the openlines fuzz targets: a byte reader that turns fuzz input
//! into always-valid configs and timed input streams, and the invariant checks of
//! `tests/invariants.rs` (after every step: consistent state, no dialog lost,
//! capacity and availability respected, no queued dialog waiting while someone could
//! take it, next_deadline after now, a rejected input is exactly a tick to its time).
//!
//! A violated invariant panics: libFuzzer reports it as a crash.


use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{Action, Config, Engine};
use serde_json::{Value, json};

/// Operator ids the generators use ("zed" is never configured).
pub const OPERATORS: [&str; 5] = ["ann", "bob", "cid", "dan", "zed"];
/// Line ids ("nowhere" is never configured).
pub const LINES: [&str; 3] = ["sales", "support", "nowhere"];
/// Client ids.
pub const CLIENTS: [&str; 5] = ["c1", "c2", "c3", "c4", "c5"];
const SKILLS: [&str; 2] = ["vip", "billing"];
const LANGUAGES: [&str; 2] = ["en", "ru"];
const TIMEZONES: [&str; 6] = [
    "UTC",
    "Europe/Warsaw",
    "America/Havana",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The engine's first time in generated runs.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

/// Reads fuzz bytes; an exhausted reader yields zeros.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.data.len()
    }

    /// The next byte (0 once exhausted).
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | (u16::from(self.u8()) << 8)
    }

    /// A value in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.u8() as usize % n
    }

    /// A boolean.
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// Pick one of the items.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A subset of the items, in their order, chosen by a bit mask.
    pub fn subset<T: Copy>(&mut self, items: &[T]) -> Vec<T> {
        let mask = self.u8();
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << (i % 8)) != 0)
            .map(|(_, x)| *x)
            .collect()
    }

    /// Either 0 (off) or a duration in lo..=lo+span.
    pub fn maybe_secs(&mut self, lo: u64, span: u64) -> u64 {
        if self.bool() {
            0
        } else {
            lo + u64::from(self.u16()) % (span + 1)
        }
    }
}

/// A line config (as JSON) that is valid whenever `operators` are configured.
pub fn gen_line(b: &mut Bytes, id: &str, operators: &[&str]) -> Value {
    let queue_ops = b.subset(operators);
    let no_answer = b.pick(&["requeue", "send_text", "send_form", "nothing"]);
    let mut line = json!({
        "id": id,
        "active": b.below(8) != 0,
        "queue": {
            "operators": queue_ops,
            "distribution": b.pick(&["evenly", "strict", "all", "least_busy", "longest_idle"]),
            "forward_after_secs": 1 + b.below(120),
            "check_availability": b.below(4) != 0,
            "when_nobody_available": b.pick(&["wait", "wait", "wait", "assign_anyway"]),
            "max_dialogs": b.below(3),
            "load_excludes": b.subset(&["answered", "closing"]),
            "prefer_previous_operator": b.bool(),
            "no_answer": {"action": no_answer, "text": "nobody answered", "form": "contact",
                          "retry_after_secs": b.below(200)}
        },
        "crm": {
            "route_to_responsible": b.bool(),
            "responsible_checks_availability": b.bool(),
            "create_lead": b.pick(&["auto", "manual", "never"]),
            "change_responsible_on_transfer": b.bool()
        },
        "greeting": {"when": b.pick(&["first_contact", "every_dialog", "never"]), "text": "hello"},
        "consent": {"text": if b.bool() { "consent?" } else { "" }},
        "unanswered": {"after_secs": b.maybe_secs(1, 600), "text": "please wait"},
        "nobody_available_text": "busy",
        "auto_close": {"after_secs": b.maybe_secs(1, 900), "text": "bye"},
        "closing": {"text": "thanks"},
        "rating": {"enabled": b.bool(), "text": "rate", "window_secs": b.maybe_secs(1, 300),
                   "close_on_rating": b.bool(), "during_dialog": b.bool()},
        "bot": {"id": if b.below(3) == 0 { "faq" } else { "" },
                "when": b.pick(&["first_contact", "every_dialog", "never"]),
                "handoff_after_secs": b.below(120), "handoff_keyword": "0"},
        "kpi": {"first_response_secs": b.maybe_secs(1, 300), "next_response_secs": b.maybe_secs(1, 300),
                "notify": ["boss"], "text": "#OPERATOR# late on #DIALOG#",
                "business_hours_only": b.bool()}
    });
    if b.below(3) == 0 {
        let mut weekly = serde_json::Map::new();
        for day in WEEKDAYS {
            if b.below(4) == 0 {
                continue;
            }
            let n = 1 + b.below(2);
            let mut intervals = Vec::new();
            for _ in 0..n {
                let start = b.below(24 * 4) * 15;
                let end = b.below(24 * 4 + 1) * 15;
                intervals.push(json!([hhmm(start), hhmm(end)]));
            }
            weekly.insert(day.to_owned(), Value::Array(intervals));
        }
        if weekly.is_empty() {
            // A schedule needs at least one interval (validation refuses one without).
            weekly.insert("mon".to_owned(), json!([["09:00", "18:00"]]));
        }
        let holidays: Vec<&str> = b.subset(&["01.01", "24.11", "2026-11-25", "29.02"]);
        line["schedule"] = json!({
            "timezone": b.pick(&TIMEZONES),
            "weekly": weekly,
            "holidays": holidays,
            "off_hours": {"action": b.pick(&["send_text", "send_form", "nothing"]),
                          "text": "closed", "form": "contact"},
            "hold_until_open": b.bool()
        });
    }
    line
}

fn hhmm(minutes: usize) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// An operator config (as JSON).
pub fn gen_operator(b: &mut Bytes, id: &str) -> Value {
    json!({"id": id, "max_dialogs": b.below(4), "skills": b.subset(&SKILLS),
           "languages": b.subset(&LANGUAGES)})
}

/// A config that is always valid: up to four operators, one or two lines.
pub fn gen_config(b: &mut Bytes) -> Config {
    let n_ops = b.below(5);
    let ops: Vec<&str> = OPERATORS[..n_ops].to_vec();
    let operators: Vec<Value> = ops.iter().map(|id| gen_operator(b, id)).collect();
    let n_lines = 1 + b.below(2);
    let lines: Vec<Value> = LINES[..n_lines]
        .iter()
        .map(|id| gen_line(b, id, &ops))
        .collect();
    let value = json!({
        "operators": operators,
        "lines": lines,
        "forget_clients_after_days": b.below(3),
    });
    match Config::from_json(&value.to_string()) {
        Ok(config) => config,
        Err(issues) => panic!("generator made an invalid config: {issues:?}\n{value}"),
    }
}

/// One generated step: how far the clock moves and the input (None = a tick at the
/// engine's next deadline; `snapshot` = replace the engine by its restored snapshot
/// before the input).
#[derive(Debug, Clone)]
pub struct Step {
    /// Seconds after the engine's current time (may be negative).
    pub delta: i64,
    /// The input as contract JSON, None for a tick.
    pub input: Option<Value>,
    /// Snapshot and restore before this step.
    pub snapshot: bool,
}

fn dialog_id(b: &mut Bytes) -> u64 {
    if b.below(16) == 0 {
        99
    } else {
        1 + b.below(10) as u64
    }
}

/// A generated step.
pub fn gen_step(b: &mut Bytes) -> Step {
    let delta = match b.below(8) {
        0..=2 => b.below(6) as i64,
        3..=5 => b.below(91) as i64,
        6 => -(b.below(6) as i64),
        _ => i64::from(b.u16()) * 4,
    };
    let snapshot = b.below(16) == 0;
    let op = |b: &mut Bytes| OPERATORS[b.below(5)];
    let input = match b.below(40) {
        0..=8 => {
            let mut m = json!({"type": "client_message",
                "line": LINES[[0, 0, 0, 1, 1, 2][b.below(6)]],
                "client": b.pick(&CLIENTS),
                "text": if b.below(5) == 0 { "0" } else { "hi" },
                "channel": "telegram",
                "can_reply": b.below(4) != 0,
                "priority": b.below(3),
                "skills": b.subset(&SKILLS)});
            match b.below(5) {
                0 => m["crm"] = json!({"found": false}),
                1 => m["crm"] = json!({"found": true, "responsible": op(b)}),
                _ => {}
            }
            if b.below(4) == 0 {
                m["language"] = json!(b.pick(&LANGUAGES));
            }
            Some(m)
        }
        9..=13 => Some(
            json!({"type": "operator_message", "dialog": dialog_id(b), "operator": op(b),
                              "hidden": b.below(6) == 0}),
        ),
        14..=17 => Some(json!({"type": "accept", "dialog": dialog_id(b), "operator": op(b)})),
        18..=19 => Some(json!({"type": "skip", "dialog": dialog_id(b), "operator": op(b)})),
        20..=21 => Some(json!({"type": "close", "dialog": dialog_id(b), "operator": op(b)})),
        22 => Some(
            json!({"type": "transfer", "dialog": dialog_id(b), "operator": op(b),
                          "to_operator": op(b)}),
        ),
        23 => Some(
            json!({"type": "transfer", "dialog": dialog_id(b), "operator": op(b),
                          "to_line": LINES[b.below(3)]}),
        ),
        24 => Some(
            json!({"type": "pin", "dialog": dialog_id(b), "operator": op(b), "pinned": b.bool()}),
        ),
        25 => Some(json!({"type": "rate", "dialog": dialog_id(b), "score": b.below(7)})),
        26..=30 => Some(json!({"type": "presence", "operator": op(b),
            "status": b.pick(&["online", "online", "online", "away", "break", "offline",
                               "offline", "vacation", "dismissed"])})),
        31 => Some(json!({"type": "bot_handoff", "dialog": dialog_id(b)})),
        32 => Some(json!({"type": "bot_resolved", "dialog": dialog_id(b)})),
        33 => {
            let id = op(b);
            Some(json!({"type": "set_operator", "operator": gen_operator(b, id)}))
        }
        34 => {
            let id = LINES[b.below(3)];
            // May name operators that do not exist (then it is rejected).
            let ops: Vec<&str> = OPERATORS[..1 + b.below(5)].to_vec();
            Some(json!({"type": "set_line", "line": gen_line(b, id, &ops)}))
        }
        35 => Some(json!({"type": "forget_client", "client": b.pick(&CLIENTS)})),
        _ => None,
    };
    Step {
        delta,
        input,
        snapshot,
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Accepted, with these actions.
    Actions(Vec<Action>),
    /// Rejected with this error kind.
    Rejected(openlines::ErrorKind),
}

/// The invariant checker shared with the property tests (`openlines::testing`).
pub use openlines::testing::Tracker;

/// Check every invariant, panicking (a libFuzzer crash) with `what` on a violation.
pub fn check(tracker: &Tracker, engine: &Engine, what: &dyn std::fmt::Debug) {
    if let Err(problem) = tracker.check(engine) {
        panic!("after {what:?}: {problem}");
    }
}

/// Record what the host received, panicking on a dialog opened or closed twice.
pub fn record(tracker: &mut Tracker, actions: &[Action], what: &dyn std::fmt::Debug) {
    if let Err(problem) = tracker.record(actions) {
        panic!("after {what:?}: {problem}");
    }
}

/// Apply one step (a tick jumps to the next deadline), checking that a rejected input
/// is exactly a tick to its time (time is committed: its timers fire and their actions
/// travel with the error; the input itself changes nothing) and every invariant holds
/// afterwards. Returns the new time.
pub fn apply_checked(
    engine: &mut Engine,
    tracker: &mut Tracker,
    now: DateTime<Utc>,
    step: &Step,
) -> (DateTime<Utc>, Outcome) {
    if step.snapshot {
        let bytes = engine.snapshot_bytes();
        let restored = Engine::restore_bytes(&bytes)
            .unwrap_or_else(|e| panic!("restore(snapshot) failed: {e}"));
        assert!(
            restored.snapshot() == engine.snapshot(),
            "restore(snapshot) differs from the engine"
        );
        assert_eq!(
            restored.snapshot_bytes(),
            bytes,
            "snapshot bytes differ after restore"
        );
        *engine = restored;
    }
    let before = engine.clone();
    // The time the engine committed to (None: it never saw the step), the outcome,
    // and the actions the host received.
    let (committed, outcome, actions) = match &step.input {
        None => {
            let at = engine
                .next_deadline()
                .unwrap_or(now + Duration::seconds(step.delta.max(0)))
                .max(now);
            match engine.advance(at) {
                Ok(actions) => (Some(at), Outcome::Actions(actions.clone()), actions),
                Err(e) => (None, Outcome::Rejected(e.kind), e.actions),
            }
        }
        Some(value) => {
            let at = now + Duration::seconds(step.delta);
            match openlines::json::input_from_str(&value.to_string()) {
                Err(e) => (None, Outcome::Rejected(e.kind), Vec::new()),
                Ok(input) => match engine.handle(at, input) {
                    Ok(actions) => (Some(at), Outcome::Actions(actions.clone()), actions),
                    // A refused time (backwards, or outside the accepted range)
                    // changes nothing at all, not even the clock.
                    Err(e)
                        if e.kind == openlines::ErrorKind::TimeWentBackwards
                            || !openlines::timestamp::accepted(at) =>
                    {
                        (None, Outcome::Rejected(e.kind), e.actions)
                    }
                    Err(e) => (Some(at), Outcome::Rejected(e.kind), e.actions),
                },
            }
        }
    };
    if let Outcome::Rejected(kind) = &outcome {
        let mut ticked = before;
        let expected = match committed {
            Some(at) => ticked.advance(at).expect("a tick forward is never refused"),
            None => Vec::new(),
        };
        assert!(
            engine.snapshot() == ticked.snapshot(),
            "rejected input ({kind:?}) changed more than a tick would: {step:?}"
        );
        assert!(actions == expected, "rejected input lost timer actions: {step:?}");
    }
    record(tracker, &actions, step);
    if matches!(&outcome, Outcome::Actions(_))
        && matches!(&step.input, Some(v) if v["type"] == "set_line" || v["type"] == "set_operator")
    {
        tracker.config_changed();
    }
    check(tracker, engine, step);
    (committed.unwrap_or(now), outcome)
}

/// Drive an engine with generated steps until the bytes run out (at most `max` steps).
pub fn drive(engine: &mut Engine, tracker: &mut Tracker, b: &mut Bytes, max: usize) {
    let now = engine.now().unwrap_or_else(start);
    drive_from(engine, tracker, b, max, now);
}

/// A first time for a generated stream: the usual one, or one near the edges of the
/// times the engine accepts (where a long timer runs past the last accepted time).
pub fn edge_start(b: &mut Bytes) -> DateTime<Utc> {
    use openlines::timestamp::{FIRST_TIME, LAST_TIME};
    match b.below(6) {
        0 => FIRST_TIME,
        1 => FIRST_TIME + Duration::days(400),
        2 => LAST_TIME - Duration::seconds(30),
        3 => LAST_TIME - Duration::days(3660),
        4 => LAST_TIME - Duration::days(i64::from(b.u16())),
        _ => start(),
    }
}

/// [`drive`] from the time `now` (the engine's own time when it has one).
pub fn drive_from(
    engine: &mut Engine,
    tracker: &mut Tracker,
    b: &mut Bytes,
    max: usize,
    now: DateTime<Utc>,
) {
    let mut now = engine.now().unwrap_or(now);
    check(tracker, engine, &"start");
    for _ in 0..max {
        if b.remaining() == 0 {
            break;
        }
        let step = gen_step(b);
        now = apply_checked(engine, tracker, now, &step).0;
    }
}
