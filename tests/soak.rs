//! Soak test: days of simulated traffic through ONE engine, with presence churn and
//! run-time config changes (`set_operator`, `set_line`), asserting that
//! - every dialog opened is closed or still tracked (opened - closed == open dialogs,
//!   and the engine stays consistent) after every day;
//! - memory stays flat: after a warm-up, the engine's state size (snapshot bytes,
//!   remembered clients, open dialogs, armed timers) does not grow with the number of
//!   days (client history is bounded by `forget_clients_after_days`).
//!
//! CI runs a small size (a few seconds). Larger runs:
//!
//! ```sh
//! OPENLINES_SOAK_DAYS=60 OPENLINES_SOAK_DIALOGS=3000 \
//!     cargo test --release --test soak -- --nocapture
//! ```
//! (`--nocapture` prints one line per day with the measured sizes.)

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use openlines::{
    Action, ClientMessage, Config, DialogId, Engine, Input, MessageKind, PresenceStatus,
};
use openlines_sim::Rng;
use serde_json::json;

const OPERATORS: usize = 12;
const FORGET_DAYS: u32 = 2;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn op(i: usize) -> String {
    format!("op{:02}", i + 1)
}

fn config() -> Config {
    let operators: Vec<_> = (0..OPERATORS)
        .map(|i| json!({"id": op(i), "max_dialogs": 3}))
        .collect();
    let sales: Vec<String> = (0..8).map(op).collect();
    let support: Vec<String> = (4..OPERATORS).map(op).collect();
    serde_json::from_value(json!({
        "forget_clients_after_days": FORGET_DAYS,
        "operators": operators,
        "lines": [
            {"id": "sales",
             "queue": {"operators": sales, "distribution": "evenly", "forward_after_secs": 60,
                       "no_answer": {"action": "send_text", "text": "sorry", "retry_after_secs": 300},
                       "prefer_previous_operator": true},
             "schedule": {"timezone": "Europe/Warsaw",
                          "weekly": {"mon": [["08:00", "20:00"]], "tue": [["08:00", "20:00"]],
                                     "wed": [["08:00", "20:00"]], "thu": [["08:00", "20:00"]],
                                     "fri": [["08:00", "20:00"]], "sat": [["10:00", "14:00"]]},
                          "off_hours": {"action": "send_text", "text": "we are closed"}},
             "greeting": {"text": "hello"},
             "unanswered": {"after_secs": 300, "text": "please wait"},
             "auto_close": {"after_secs": 1800, "text": "bye"},
             "closing": {"text": "thanks"},
             "rating": {"enabled": true, "text": "rate us", "window_secs": 600},
             "kpi": {"first_response_secs": 120, "next_response_secs": 300, "notify": ["boss"],
                     "text": "#OPERATOR# is late on #DIALOG#"}},
            {"id": "support",
             "queue": {"operators": support, "distribution": "least_busy", "forward_after_secs": 45,
                       "load_excludes": ["closing"]},
             "crm": {"create_lead": "auto"},
             "nobody_available_text": "all busy",
             "auto_close": {"after_secs": 3600},
             "rating": {"enabled": true, "window_secs": 300, "close_on_rating": true}}
        ]
    }))
    .expect("valid soak config")
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    ClientWrites {
        line: &'static str,
        client: String,
    },
    Accept {
        dialog: DialogId,
        operator: String,
    },
    Skip {
        dialog: DialogId,
        operator: String,
    },
    Reply {
        dialog: DialogId,
        operator: String,
    },
    Close {
        dialog: DialogId,
        operator: String,
    },
    Rate {
        dialog: DialogId,
        score: u8,
    },
    Presence {
        operator: usize,
        status: PresenceStatus,
    },
    SetOperator {
        operator: usize,
        max_dialogs: u32,
    },
    SetLine {
        variant: u8,
    },
}

struct Soak {
    engine: Engine,
    rng: Rng,
    events: BinaryHeap<Reverse<(DateTime<Utc>, u64, Event)>>,
    seq: u64,
    opened: BTreeSet<DialogId>,
    closed: BTreeSet<DialogId>,
    /// Which client and line each open dialog belongs to.
    owners: BTreeMap<DialogId, (&'static str, String)>,
    inputs: u64,
    rejected: u64,
}

impl Soak {
    fn push(&mut self, at: DateTime<Utc>, event: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, event)));
    }

    fn after(&mut self, at: DateTime<Utc>, lo: i64, hi: i64) -> DateTime<Utc> {
        at + Duration::seconds(self.rng.range(lo, hi))
    }

    fn input_of(event: &Event) -> Input {
        match event.clone() {
            Event::ClientWrites { line, client } => {
                let mut m = ClientMessage::new(line, client);
                m.text = "hi".into();
                m.channel = "telegram".into();
                Input::ClientMessage(m)
            }
            Event::Accept { dialog, operator } => Input::Accept { dialog, operator },
            Event::Skip { dialog, operator } => Input::Skip { dialog, operator },
            Event::Reply { dialog, operator } => Input::OperatorMessage {
                dialog,
                operator,
                hidden: false,
            },
            Event::Close { dialog, operator } => Input::Close { dialog, operator },
            Event::Rate { dialog, score } => Input::Rate { dialog, score },
            Event::Presence { operator, status } => Input::Presence {
                operator: op(operator),
                status,
            },
            Event::SetOperator {
                operator,
                max_dialogs,
            } => Input::SetOperator {
                operator: serde_json::from_value(
                    json!({"id": op(operator), "max_dialogs": max_dialogs}),
                )
                .unwrap(),
            },
            Event::SetLine { variant } => {
                let ops: Vec<String> = (4..OPERATORS)
                    .filter(|i| i % 3 != variant as usize % 3)
                    .map(op)
                    .collect();
                let mode = ["least_busy", "all", "longest_idle", "strict"][variant as usize % 4];
                Input::SetLine {
                    line: Box::new(
                        serde_json::from_value(json!({
                            "id": "support",
                            "queue": {"operators": ops, "distribution": mode, "forward_after_secs": 45,
                                      "load_excludes": ["closing"]},
                            "crm": {"create_lead": "auto"},
                            "nobody_available_text": "all busy",
                            "auto_close": {"after_secs": 3600},
                            "rating": {"enabled": true, "window_secs": 300}
                        }))
                        .unwrap(),
                    ),
                }
            }
        }
    }

    /// Give one input at `at`; on success, react to the actions like a host would.
    fn give(&mut self, at: DateTime<Utc>, input: Input, event: Option<&Event>) {
        self.inputs += 1;
        let actions = match self.engine.handle(at, input) {
            Ok(actions) => actions,
            Err(_) => {
                // Races a real host also has (a reply after an auto-close, an accept
                // after the offer moved on): the engine refuses, nothing changes.
                self.rejected += 1;
                return;
            }
        };
        if let Some(Event::ClientWrites { line, client }) = event {
            // A client writing in an assigned dialog gets an answer (most of the time)
            let dialog = self
                .owners
                .iter()
                .find(|(_, (l, c))| l == line && c == client)
                .map(|(id, _)| *id);
            let operator = dialog
                .and_then(|id| self.engine.dialog(id))
                .and_then(|view| view.operator);
            if let (Some(dialog), Some(operator)) = (dialog, operator) {
                // ... or the operator closes it.
                let t = self.after(at, 10, 600);
                if self.rng.chance(0.9) {
                    self.push(t, Event::Reply { dialog, operator });
                } else {
                    self.push(t, Event::Close { dialog, operator });
                }
            }
        }
        if let Some(Event::Reply { dialog, operator }) = event {
            let (dialog, operator) = (*dialog, operator.clone());
            if self.rng.chance(0.5)
                && let Some((line, client)) = self.owners.get(&dialog).cloned()
            {
                let t = self.after(at, 20, 400);
                self.push(t, Event::ClientWrites { line, client });
            }
            if self.rng.chance(0.2) {
                let t = self.after(at, 30, 200);
                self.push(
                    t,
                    Event::Reply {
                        dialog,
                        operator: operator.clone(),
                    },
                );
            }
            if self.rng.chance(0.75) {
                let t = self.after(at, 60, 1500);
                self.push(t, Event::Close { dialog, operator });
            }
        }
        for action in actions {
            match action {
                Action::DialogOpened {
                    dialog,
                    line,
                    client,
                } => {
                    assert!(self.opened.insert(dialog), "dialog {dialog} opened twice");
                    let line = if line == "sales" { "sales" } else { "support" };
                    self.owners.insert(dialog, (line, client));
                }
                Action::DialogClosed { dialog, .. } => {
                    assert!(
                        self.opened.contains(&dialog),
                        "dialog {dialog} closed, never opened"
                    );
                    assert!(self.closed.insert(dialog), "dialog {dialog} closed twice");
                    self.owners.remove(&dialog);
                }
                Action::Offer {
                    dialog, operators, ..
                } => {
                    let who =
                        operators[self.rng.range(0, operators.len() as i64 - 1) as usize].clone();
                    let roll = self.rng.range(0, 99);
                    if roll < 75 {
                        let t = self.after(at, 2, 75);
                        self.push(
                            t,
                            Event::Accept {
                                dialog,
                                operator: who,
                            },
                        );
                    } else if roll < 82 {
                        let t = self.after(at, 2, 30);
                        self.push(
                            t,
                            Event::Skip {
                                dialog,
                                operator: who,
                            },
                        );
                    }
                }
                Action::Assigned {
                    dialog, operator, ..
                } => {
                    let t = self.after(at, 5, 240);
                    self.push(t, Event::Reply { dialog, operator });
                }
                Action::SendMessage {
                    dialog,
                    kind: MessageKind::RatingRequest,
                    ..
                } if self.rng.chance(0.5) => {
                    let score = self.rng.range(1, 5) as u8;
                    let t = self.after(at, 5, 200);
                    self.push(t, Event::Rate { dialog, score });
                }
                _ => {}
            }
        }
    }

    /// Tick at every deadline up to `until`.
    fn tick_until(&mut self, until: DateTime<Utc>) {
        while let Some(deadline) = self.engine.next_deadline().filter(|d| *d <= until) {
            self.give(deadline, Input::Tick, None);
        }
    }

    fn plan_day(
        &mut self,
        day: u64,
        midnight: DateTime<Utc>,
        dialogs: u64,
        yesterday: &[String],
    ) -> Vec<String> {
        // Shifts with breaks and random presence flaps.
        for i in 0..OPERATORS {
            let on = self.after(midnight, 6 * 3600, 9 * 3600);
            self.push(
                on,
                Event::Presence {
                    operator: i,
                    status: PresenceStatus::Online,
                },
            );
            let pause = self.after(midnight, 11 * 3600, 14 * 3600);
            let status =
                [PresenceStatus::Break, PresenceStatus::Away][self.rng.range(0, 1) as usize];
            self.push(
                pause,
                Event::Presence {
                    operator: i,
                    status,
                },
            );
            let back = pause + Duration::seconds(self.rng.range(600, 3600));
            self.push(
                back,
                Event::Presence {
                    operator: i,
                    status: PresenceStatus::Online,
                },
            );
            for _ in 0..self.rng.range(0, 3) {
                let t = self.after(midnight, 8 * 3600, 18 * 3600);
                self.push(
                    t,
                    Event::Presence {
                        operator: i,
                        status: PresenceStatus::Offline,
                    },
                );
                let t2 = t + Duration::seconds(self.rng.range(60, 1800));
                self.push(
                    t2,
                    Event::Presence {
                        operator: i,
                        status: PresenceStatus::Online,
                    },
                );
            }
            let off = self.after(midnight, 17 * 3600, 21 * 3600);
            self.push(
                off,
                Event::Presence {
                    operator: i,
                    status: PresenceStatus::Offline,
                },
            );
        }
        // Config changes during the day.
        for _ in 0..2 {
            let t = self.after(midnight, 7 * 3600, 19 * 3600);
            let operator = self.rng.range(0, OPERATORS as i64 - 1) as usize;
            let max_dialogs = self.rng.range(1, 4) as u32;
            self.push(
                t,
                Event::SetOperator {
                    operator,
                    max_dialogs,
                },
            );
        }
        let t = self.after(midnight, 7 * 3600, 19 * 3600);
        self.push(
            t,
            Event::SetLine {
                variant: (day % 251) as u8,
            },
        );
        // Client arrivals: mostly in working hours, some at night; some clients return
        // from yesterday, the rest are new (so client history must be swept).
        let mut today = Vec::new();
        for k in 0..dialogs {
            let t = if self.rng.chance(0.85) {
                self.after(midnight, 7 * 3600, 20 * 3600)
            } else {
                self.after(midnight, 0, 24 * 3600 - 1)
            };
            let client = if !yesterday.is_empty() && self.rng.chance(0.15) {
                yesterday[self.rng.range(0, yesterday.len() as i64 - 1) as usize].clone()
            } else {
                format!("tg:{day}-{k}")
            };
            let line = if self.rng.chance(0.6) {
                "sales"
            } else {
                "support"
            };
            self.push(
                t,
                Event::ClientWrites {
                    line,
                    client: client.clone(),
                },
            );
            today.push(client);
        }
        today
    }
}

#[derive(Debug, Clone, Copy)]
struct Size {
    snapshot: usize,
    clients: usize,
    open: usize,
    timers: usize,
}

#[test]
fn days_of_traffic_keep_memory_flat_and_lose_no_dialog() {
    let days = env_number("OPENLINES_SOAK_DAYS", 8).max(1);
    let dialogs = env_number("OPENLINES_SOAK_DIALOGS", 150);
    let seed = env_number("OPENLINES_SOAK_SEED", 7);
    let mut soak = Soak {
        engine: Engine::new(config()).expect("engine"),
        rng: Rng::new(seed),
        events: BinaryHeap::new(),
        seq: 0,
        opened: BTreeSet::new(),
        closed: BTreeSet::new(),
        owners: BTreeMap::new(),
        inputs: 0,
        rejected: 0,
    };
    let first = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    for i in 0..OPERATORS {
        soak.give(
            first,
            Input::Presence {
                operator: op(i),
                status: PresenceStatus::Offline,
            },
            None,
        );
    }
    let mut sizes: Vec<Size> = Vec::new();
    let mut yesterday = Vec::new();
    let mut distinct_clients = BTreeSet::new();
    for day in 0..days {
        let midnight = first + Duration::days(day as i64);
        let end = midnight + Duration::days(1) - Duration::seconds(1);
        yesterday = soak.plan_day(day, midnight, dialogs, &yesterday);
        distinct_clients.extend(yesterday.iter().cloned());
        while let Some(Reverse((at, _, _))) = soak.events.peek() {
            if *at > end {
                break;
            }
            let Some(Reverse((at, _, event))) = soak.events.pop() else {
                break;
            };
            soak.tick_until(at);
            let input = Soak::input_of(&event);
            soak.give(at, input, Some(&event));
        }
        soak.tick_until(end);
        soak.give(end, Input::Tick, None);

        // No dialog lost: every opened dialog is closed or still open in the engine.
        soak.engine
            .check_consistency()
            .unwrap_or_else(|p| panic!("day {day}: {p}"));
        let open: BTreeSet<DialogId> = soak.engine.open_dialogs().collect();
        let expected: BTreeSet<DialogId> = soak.opened.difference(&soak.closed).copied().collect();
        assert_eq!(
            open, expected,
            "day {day}: open dialogs differ from opened minus closed"
        );
        for id in &open {
            assert!(
                soak.engine.dialog(*id).is_some(),
                "day {day}: open dialog {id} has no view"
            );
        }

        let size = Size {
            snapshot: soak.engine.snapshot_bytes().len(),
            clients: soak.engine.remembered_clients(),
            open: open.len(),
            timers: soak.engine.armed_timers(),
        };
        println!(
            "day {day:3}: opened {:6} closed {:6} open {:4} clients {:6} timers {:5} snapshot {:8} B, inputs {} rejected {}",
            soak.opened.len(),
            soak.closed.len(),
            size.open,
            size.clients,
            size.timers,
            size.snapshot,
            soak.inputs,
            soak.rejected
        );
        sizes.push(size);
    }

    // Traffic really happened and was mostly served.
    assert!(
        soak.opened.len() as u64 >= days * dialogs / 2,
        "too few dialogs opened"
    );
    assert!(
        soak.closed.len() * 10 >= soak.opened.len() * 7,
        "most dialogs must close"
    );

    // Memory stays flat: client history is bounded by the forget sweep, open dialogs and
    // timers by the day's traffic, and after the warm-up no day's state is much larger
    // than the largest day of the warm-up.
    let per_day = dialogs as usize;
    for (day, s) in sizes.iter().enumerate() {
        assert!(
            s.clients <= per_day * 2 * (FORGET_DAYS as usize + 2),
            "day {day}: {} clients remembered; forget_clients_after_days = {FORGET_DAYS} should bound it",
            s.clients
        );
        assert!(
            s.open <= per_day,
            "day {day}: {} dialogs open at the end of the day",
            s.open
        );
        assert!(
            s.timers <= 8 * s.open + 16,
            "day {day}: {} timers armed for {} open dialogs",
            s.timers,
            s.open
        );
    }
    let warmup = FORGET_DAYS as usize + 2;
    if sizes.len() > warmup {
        assert!(
            distinct_clients.len() > sizes.last().unwrap().clients,
            "client history was never swept"
        );
        let baseline = sizes[..warmup].iter().map(|s| s.snapshot).max().unwrap();
        for (day, s) in sizes.iter().enumerate().skip(warmup) {
            assert!(
                s.snapshot <= baseline + baseline / 2,
                "day {day}: snapshot {} bytes grew past 1.5 x the warm-up maximum {baseline}",
                s.snapshot
            );
        }
    }
}
