//! A deterministic simulated day of traffic: the shared workload of the
//! `openlines simulate` command, the benchmarks and the soak tests.
//!
//! The simulation plays a host: clients arrive over the day (with a lunch peak and
//! a few messages outside working hours), operators work shifts with breaks, accept
//! or skip offers, answer, close and get rated; the host ticks the engine at every
//! deadline. Everything is driven by a seeded generator, so the same parameters give
//! the same inputs, byte for byte, on every platform. The recorded inputs
//! ([`Day::inputs`]) replay through a fresh engine to the same actions.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use openlines::action::{Action, AssignReason, CloseReason, MessageKind};
use openlines::config::{
    Config, Distribution, GreetingConfig, GreetingWhen, KpiConfig, LineConfig, LoadExclude,
    OffHoursAction, OffHoursConfig, OperatorConfig, QueueConfig, RatingConfig, ScheduleConfig,
    TextConfig, TimedTextConfig,
};
use openlines::{ClientMessage, DialogId, Engine, Error, Input, PresenceStatus};

use crate::observe::Observed;
use crate::rng::Rng;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct DayParams {
    /// Operators (ignored when `config` is given).
    pub operators: usize,
    /// Client dialogs over the day.
    pub dialogs: usize,
    /// Lines the traffic is spread over (ignored when `config` is given).
    pub lines: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// The local date simulated (a working day).
    pub date: NaiveDate,
    /// A config to use instead of the built-in one (its operators and lines).
    pub config: Option<Config>,
    /// Keep the recorded inputs in [`Day::inputs`].
    pub record: bool,
    /// Keep a readable trace of the first this-many dialogs ([`Day::trace`]).
    pub trace_dialogs: u64,
    /// Keep a readable trace of this one dialog instead ([`Day::trace`]).
    pub trace_dialog: Option<DialogId>,
}

impl Default for DayParams {
    fn default() -> Self {
        DayParams {
            operators: 8,
            dialogs: 400,
            lines: 1,
            seed: 1,
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
            config: None,
            record: false,
            trace_dialogs: 0,
            trace_dialog: None,
        }
    }
}

impl DayParams {
    /// The standard day of the benchmarks: 3 lines, 200 operators, 200,000 dialogs.
    pub fn standard() -> Self {
        DayParams {
            operators: 200,
            dialogs: 200_000,
            lines: 3,
            seed: 42,
            record: true,
            ..DayParams::default()
        }
    }
}

/// The built-in config: lines open 08:00-20:00 Europe/Warsaw on weekdays, with the
/// automatic actions a typical helpdesk uses. With several lines, each operator sits
/// in one line's queue, and every fifth operator in all of them.
pub fn builtin_config(operators: usize, lines: usize) -> Config {
    let operators: Vec<OperatorConfig> = (0..operators.max(1))
        .map(|i| OperatorConfig {
            id: format!("op{:03}", i + 1),
            max_dialogs: 4,
            skills: Vec::new(),
            languages: Vec::new(),
            ..OperatorConfig::default()
        })
        .collect();
    let n_lines = lines.clamp(1, 3);
    let modes = [
        Distribution::LeastBusy,
        Distribution::Evenly,
        Distribution::LongestIdle,
    ];
    let lines = ["support", "sales", "billing"]
        .iter()
        .zip(modes)
        .take(n_lines)
        .enumerate()
        .map(|(i, (id, mode))| {
            let mut line = builtin_line(id, mode);
            line.queue.operators = operators
                .iter()
                .enumerate()
                .filter(|(n, _)| n % n_lines == i || n % 5 == 0)
                .map(|(_, o)| o.id.clone())
                .collect();
            line
        })
        .collect();
    Config {
        operators,
        lines,
        ..Config::default()
    }
}

fn builtin_line(id: &str, distribution: Distribution) -> LineConfig {
    let hours = vec![["08:00".to_owned(), "20:00".to_owned()]];
    let weekly = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| ((*d).to_owned(), hours.clone()))
        .collect();
    let text = |s: &str| TextConfig { text: s.to_owned() };
    LineConfig {
        id: id.to_owned(),
        queue: QueueConfig {
            distribution,
            forward_after_secs: 45,
            max_dialogs: 3,
            load_excludes: vec![LoadExclude::Closing],
            ..QueueConfig::default()
        },
        schedule: Some(ScheduleConfig {
            timezone: "Europe/Warsaw".to_owned(),
            weekly,
            off_hours: OffHoursConfig {
                action: OffHoursAction::SendText,
                text: "We answer from 8:00 to 20:00 on weekdays.".to_owned(),
                form: String::new(),
            },
            ..ScheduleConfig::default()
        }),
        greeting: GreetingConfig {
            when: GreetingWhen::FirstContact,
            text: "Hello! An operator will answer soon.".to_owned(),
        },
        unanswered: TimedTextConfig {
            after_secs: 300,
            text: "Thank you for waiting, we are busy right now.".to_owned(),
        },
        nobody_available_text: "All operators are busy; you are in the queue.".to_owned(),
        auto_close: TimedTextConfig {
            after_secs: 1800,
            text: "We closed this chat after 30 minutes of silence.".to_owned(),
        },
        closing: text("Thank you for contacting us!"),
        rating: RatingConfig {
            enabled: true,
            text: "Please rate us from 1 to 5".to_owned(),
            window_secs: 600,
            ..RatingConfig::default()
        },
        kpi: KpiConfig {
            first_response_secs: 120,
            next_response_secs: 300,
            notify: vec!["supervisor".to_owned()],
            text: "#OPERATOR# has not answered dialog #DIALOG#".to_owned(),
            business_hours_only: false,
        },
        ..LineConfig::default()
    }
}

/// Something the simulated host does at a time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Presence(usize, PresenceStatus),
    ClientArrives(usize),
    ClientWrites(DialogId),
    Accept(DialogId, usize),
    Skip(DialogId, usize),
    Reply(DialogId, usize),
    Close(DialogId, usize),
    Rate(DialogId, u8),
}

/// What the simulated people remember about one dialog.
#[derive(Debug, Clone, Default)]
struct Conversation {
    client: usize,
    line: usize,
    opened_at: Option<DateTime<Utc>>,
    assigned_at: Option<DateTime<Utc>>,
    operator: Option<usize>,
    rounds_left: u32,
}

/// One simulated day's results.
#[derive(Debug, Clone)]
pub struct Day {
    /// The config the day ran with.
    pub config: Config,
    /// Every input given to the engine, in order (when recorded), ticks included.
    pub inputs: Vec<(DateTime<Utc>, Input)>,
    /// Inputs given (ticks included).
    pub input_count: u64,
    /// Actions the engine returned.
    pub action_count: u64,
    /// Inputs the engine rejected (e.g. a reply racing an auto-close).
    pub rejected: u64,
    /// The summary for people.
    pub summary: DaySummary,
    /// Inputs about the traced dialogs (the first `trace_dialogs`, or `trace_dialog`)
    /// with the actions they caused.
    pub trace: Vec<TraceEntry>,
    /// Dialog by dialog, operators online, per-operator load (for reports).
    pub observed: Observed,
}

impl Day {
    /// A fresh engine fed the day's first `steps` recorded inputs: the state the day
    /// had at that point. Inputs the day saw rejected are rejected again (and change
    /// nothing), as they did then. Needs a day run with `record`.
    pub fn engine_after(&self, steps: usize) -> Result<Engine, Error> {
        let mut engine = Engine::new(self.config.clone())?;
        for (at, input) in self.inputs.iter().take(steps) {
            let _rejected_as_in_the_day = engine.handle(*at, input.clone());
        }
        Ok(engine)
    }
}

/// One traced input and the actions it caused for the traced dialogs.
#[derive(Debug, Clone)]
pub struct TraceEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The input.
    pub input: Input,
    /// Actions about traced dialogs.
    pub actions: Vec<Action>,
}

/// What a support manager wants to know about the day.
#[derive(Debug, Clone, Default)]
pub struct DaySummary {
    /// Dialogs opened.
    pub dialogs: u64,
    /// Dialogs opened outside working hours (got the off-hours reply).
    pub off_hours: u64,
    /// Dialogs closed, by reason.
    pub closed: BTreeMap<String, u64>,
    /// Seconds from opening to assignment, for every assigned dialog (sorted).
    pub waits: Vec<i64>,
    /// First response seconds of closed dialogs (sorted).
    pub first_responses: Vec<u64>,
    /// Closed dialogs that got the unanswered mark.
    pub unanswered: u64,
    /// KPI overdue notices.
    pub kpi_overdue: u64,
    /// Ratings given and their sum.
    pub ratings: (u64, u64),
    /// Per operator: dialogs assigned and the most held at once.
    pub operators: BTreeMap<String, (u64, u32)>,
}

/// Run a simulated day through a fresh engine.
pub fn simulate_day(params: &DayParams) -> Result<Day, Error> {
    let config = params
        .config
        .clone()
        .unwrap_or_else(|| builtin_config(params.operators, params.lines));
    let mut engine = Engine::new(config.clone())?;
    let mut sim = Simulation::new(params, &config);
    sim.schedule_shifts();
    sim.schedule_arrivals();
    let mut buf = Vec::new();
    // Before the day starts everyone is offline.
    let start = sim.local(6, 0);
    for op in 0..sim.operator_ids.len() {
        sim.give(
            &mut engine,
            start,
            Input::Presence {
                operator: sim.operator_ids[op].clone(),
                status: PresenceStatus::Offline,
            },
            &mut buf,
        );
    }
    while let Some(Reverse((at, _, event))) = sim.events.pop() {
        // The host ticks the engine at every deadline before the next event.
        while let Some(deadline) = engine.next_deadline().filter(|d| *d <= at) {
            sim.give(&mut engine, deadline, Input::Tick, &mut buf);
        }
        if let Some(input) = sim.input_for(&event)
            && sim.give(&mut engine, at, input, &mut buf)
        {
            sim.after_event(at, &event);
        }
    }
    // Let the evening's timers run out (rating windows, auto-close).
    let end = sim.local(23, 59);
    while let Some(deadline) = engine.next_deadline().filter(|d| *d <= end) {
        sim.give(&mut engine, deadline, Input::Tick, &mut buf);
    }
    sim.observed.finish(end);
    let mut summary = sim.summary;
    summary.waits.sort_unstable();
    summary.first_responses.sort_unstable();
    Ok(Day {
        config,
        inputs: sim.inputs,
        trace: sim.trace,
        input_count: sim.input_count,
        action_count: sim.action_count,
        rejected: sim.rejected,
        summary,
        observed: sim.observed,
    })
}

struct Simulation {
    rng: Rng,
    date: NaiveDate,
    dialogs: usize,
    record: bool,
    trace_dialogs: u64,
    trace_dialog: Option<DialogId>,
    trace: Vec<TraceEntry>,
    /// (dialog, line, client) of the traced dialogs that are open: their client's
    /// messages are traced too.
    traced_clients: Vec<(DialogId, String, String)>,
    operator_ids: Vec<String>,
    line_ids: Vec<String>,
    online: Vec<bool>,
    events: BinaryHeap<Reverse<(DateTime<Utc>, u64, Event)>>,
    seq: u64,
    conversations: BTreeMap<DialogId, Conversation>,
    pending_lines: BTreeMap<usize, usize>,
    inputs: Vec<(DateTime<Utc>, Input)>,
    input_count: u64,
    action_count: u64,
    rejected: u64,
    summary: DaySummary,
    observed: Observed,
}

impl Simulation {
    fn new(params: &DayParams, config: &Config) -> Self {
        Simulation {
            rng: Rng::new(params.seed),
            date: params.date,
            dialogs: params.dialogs,
            record: params.record,
            trace_dialogs: params.trace_dialogs,
            trace_dialog: params.trace_dialog,
            trace: Vec::new(),
            traced_clients: Vec::new(),
            operator_ids: config.operators.iter().map(|o| o.id.clone()).collect(),
            line_ids: config.lines.iter().map(|l| l.id.clone()).collect(),
            online: vec![false; config.operators.len()],
            events: BinaryHeap::new(),
            seq: 0,
            conversations: BTreeMap::new(),
            pending_lines: BTreeMap::new(),
            inputs: Vec::new(),
            input_count: 0,
            action_count: 0,
            rejected: 0,
            summary: DaySummary::default(),
            observed: Observed::default(),
        }
    }

    /// A local wall-clock time of the simulated day (Europe/Warsaw).
    fn local(&self, hour: u32, minute: u32) -> DateTime<Utc> {
        let naive = self
            .date
            .and_hms_opt(hour.min(23), minute.min(59), 0)
            .unwrap_or_default();
        chrono_tz::Europe::Warsaw
            .from_local_datetime(&naive)
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
    }

    fn at(&mut self, at: DateTime<Utc>, event: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, event)));
    }

    fn later(&mut self, from: DateTime<Utc>, lo: i64, hi: i64, event: Event) {
        let secs = self.rng.range(lo, hi);
        self.at(from + Duration::seconds(secs), event);
    }

    /// Shifts start at 08:00, 10:00 or 12:00 and last 8 hours, with a 30-minute lunch
    /// break in the middle and a short break in each half.
    fn schedule_shifts(&mut self) {
        for op in 0..self.operator_ids.len() {
            let start_hour = [8u32, 10, 12][op % 3];
            let start = self.local(start_hour, 0) + Duration::seconds(self.rng.range(-300, 600));
            let end = start + Duration::hours(8);
            self.at(start, Event::Presence(op, PresenceStatus::Online));
            let lunch = start + Duration::minutes(self.rng.range(210, 270));
            self.at(lunch, Event::Presence(op, PresenceStatus::Break));
            self.at(
                lunch + Duration::minutes(30),
                Event::Presence(op, PresenceStatus::Online),
            );
            for (lo, hi) in [(60, 150), (330, 420)] {
                let pause = start + Duration::minutes(self.rng.range(lo, hi));
                self.at(pause, Event::Presence(op, PresenceStatus::Away));
                let back = pause + Duration::minutes(self.rng.range(5, 15));
                self.at(back, Event::Presence(op, PresenceStatus::Online));
            }
            self.at(end, Event::Presence(op, PresenceStatus::Offline));
        }
    }

    /// Arrivals over 07:00-21:00 local, weighted: quiet mornings and evenings, a lunch
    /// peak from 12:00 to 14:00, a few outside working hours.
    fn schedule_arrivals(&mut self) {
        // Weight per hour from 07:00 to 20:00 (the 20:00 hour is after closing).
        const WEIGHTS: [u64; 14] = [1, 4, 6, 8, 8, 14, 14, 8, 7, 7, 6, 5, 4, 1];
        let total: u64 = WEIGHTS.iter().sum();
        let day_start = self.local(7, 0);
        for client in 0..self.dialogs {
            let mut pick = self.rng.next_u64() % total;
            let mut hour = 0;
            for (h, w) in WEIGHTS.iter().enumerate() {
                if pick < *w {
                    hour = h;
                    break;
                }
                pick -= w;
            }
            let offset = hour as i64 * 3600 + self.rng.range(0, 3599);
            self.at(
                day_start + Duration::seconds(offset),
                Event::ClientArrives(client),
            );
        }
    }

    fn input_for(&mut self, event: &Event) -> Option<Input> {
        Some(match event {
            Event::Presence(op, status) => Input::Presence {
                operator: self.operator_ids[*op].clone(),
                status: *status,
            },
            Event::ClientArrives(client) => {
                let line = if self.line_ids.len() > 1 {
                    (self.rng.next_u64() % self.line_ids.len() as u64) as usize
                } else {
                    0
                };
                self.pending_lines.insert(*client, line);
                let mut m =
                    ClientMessage::new(self.line_ids[line].clone(), format!("client{client}"));
                m.text = "Hello, I have a question".to_owned();
                m.channel = "web".to_owned();
                Input::ClientMessage(m)
            }
            Event::ClientWrites(dialog) => {
                let c = self.conversations.get(dialog)?;
                let mut m = ClientMessage::new(self.line_ids[c.line].clone(), String::new());
                m.client = self.client_of(*dialog)?;
                m.text = "Thanks, one more thing".to_owned();
                Input::ClientMessage(m)
            }
            Event::Accept(dialog, op) => Input::Accept {
                dialog: *dialog,
                operator: self.operator_ids[*op].clone(),
            },
            Event::Skip(dialog, op) => Input::Skip {
                dialog: *dialog,
                operator: self.operator_ids[*op].clone(),
            },
            Event::Reply(dialog, op) => Input::OperatorMessage {
                dialog: *dialog,
                operator: self.operator_ids[*op].clone(),
                hidden: false,
            },
            Event::Close(dialog, op) => Input::Close {
                dialog: *dialog,
                operator: self.operator_ids[*op].clone(),
            },
            Event::Rate(dialog, score) => Input::Rate {
                dialog: *dialog,
                score: *score,
            },
        })
    }

    fn client_of(&self, dialog: DialogId) -> Option<String> {
        self.conversations
            .get(&dialog)
            .map(|c| format!("client{}", c.client))
    }

    /// Give one input to the engine and react to its actions; false if rejected.
    fn give(
        &mut self,
        engine: &mut Engine,
        at: DateTime<Utc>,
        input: Input,
        buf: &mut Vec<Action>,
    ) -> bool {
        if let Input::Presence { operator, status } = &input
            && let Some(op) = self.operator_ids.iter().position(|o| o == operator)
        {
            self.online[op] = *status == PresenceStatus::Online;
            self.observed.presence(at, operator, self.online[op]);
        }
        let client = match &input {
            Input::ClientMessage(m) => m
                .client
                .strip_prefix("client")
                .and_then(|n| n.parse::<usize>().ok()),
            _ => None,
        };
        if self.record {
            self.inputs.push((at, input.clone()));
        }
        let traced_input =
            (self.trace_dialogs > 0 || self.trace_dialog.is_some()).then(|| input.clone());
        self.input_count += 1;
        buf.clear();
        if engine.handle_into(at, input, buf).is_err() {
            self.rejected += 1;
            return false;
        }
        self.action_count += buf.len() as u64;
        if let Some(input) = traced_input {
            let traced = |d: DialogId| match self.trace_dialog {
                Some(only) => d == only,
                None => d >= 1 && d <= self.trace_dialogs,
            };
            let about_traced = match &input {
                Input::OperatorMessage { dialog, .. }
                | Input::Accept { dialog, .. }
                | Input::Skip { dialog, .. }
                | Input::Close { dialog, .. }
                | Input::Rate { dialog, .. } => traced(*dialog),
                // A client's later messages in a traced dialog cause no action, but
                // they are part of its story.
                Input::ClientMessage(m) => self
                    .traced_clients
                    .iter()
                    .any(|(_, line, client)| *line == m.line && *client == m.client),
                _ => false,
            };
            let actions: Vec<Action> = buf.iter().filter(|a| traced(a.dialog())).cloned().collect();
            for action in &actions {
                match action {
                    Action::DialogOpened {
                        dialog,
                        line,
                        client,
                    } => self
                        .traced_clients
                        .push((*dialog, line.clone(), client.clone())),
                    Action::DialogClosed { dialog, .. } => {
                        self.traced_clients.retain(|(d, _, _)| d != dialog);
                    }
                    _ => {}
                }
            }
            if about_traced || !actions.is_empty() {
                self.trace.push(TraceEntry { at, input, actions });
            }
        }
        for action in buf.iter() {
            self.observed.action(at, action);
            self.react(engine, at, action, client);
        }
        true
    }

    /// The simulated people react to what the engine says.
    fn react(
        &mut self,
        engine: &Engine,
        at: DateTime<Utc>,
        action: &Action,
        client: Option<usize>,
    ) {
        match action {
            Action::DialogOpened { dialog, .. } => {
                self.summary.dialogs += 1;
                let client = client.unwrap_or(0);
                let line = self.pending_lines.get(&client).copied().unwrap_or(0);
                let rounds_left = self.rng.range(0, 3) as u32;
                self.conversations.insert(
                    *dialog,
                    Conversation {
                        client,
                        line,
                        opened_at: Some(at),
                        rounds_left,
                        ..Conversation::default()
                    },
                );
            }
            Action::SendMessage { kind, .. } if *kind == MessageKind::OffHours => {
                self.summary.off_hours += 1;
            }
            Action::Offer {
                dialog, operators, ..
            } => {
                for id in operators {
                    let Some(op) = self.operator_ids.iter().position(|o| o == id) else {
                        continue;
                    };
                    if !self.online[op] {
                        continue;
                    }
                    let roll = self.rng.range(0, 99);
                    if roll < 85 {
                        self.later(at, 3, 40, Event::Accept(*dialog, op));
                    } else if roll < 90 {
                        self.later(at, 2, 10, Event::Skip(*dialog, op));
                    }
                }
            }
            Action::Assigned {
                dialog,
                operator,
                reason,
            } => {
                let Some(op) = self.operator_ids.iter().position(|o| o == operator) else {
                    return;
                };
                if let Some(c) = self.conversations.get_mut(dialog) {
                    if c.assigned_at.is_none() && *reason != AssignReason::Transfer {
                        c.assigned_at = Some(at);
                        if let Some(opened) = c.opened_at {
                            self.summary.waits.push((at - opened).num_seconds());
                        }
                    }
                    c.operator = Some(op);
                }
                let held = engine
                    .operator(operator)
                    .map_or(0, |v| v.dialogs.len() as u32);
                let entry = self
                    .summary
                    .operators
                    .entry(operator.clone())
                    .or_insert((0, 0));
                entry.0 += 1;
                entry.1 = entry.1.max(held);
                self.later(at, 5, 60, Event::Reply(*dialog, op));
            }
            Action::KpiOverdue { .. } => self.summary.kpi_overdue += 1,
            Action::DialogClosed {
                dialog,
                reason,
                stats,
            } => {
                *self
                    .summary
                    .closed
                    .entry(reason.as_str().to_owned())
                    .or_insert(0) += 1;
                if let Some(first) = stats.first_response_secs {
                    self.summary.first_responses.push(first);
                }
                if stats.unanswered {
                    self.summary.unanswered += 1;
                }
                if let Some(r) = stats.rating {
                    self.summary.ratings.0 += 1;
                    self.summary.ratings.1 += u64::from(r);
                }
                if *reason != CloseReason::Operator {
                    self.conversations.remove(dialog);
                }
            }
            _ => {}
        }
        self.follow_up(at, action);
    }

    /// After an operator reply: the client writes again or the operator closes; after
    /// a rating request the client may rate.
    fn follow_up(&mut self, at: DateTime<Utc>, action: &Action) {
        if let Action::SendMessage {
            dialog,
            kind: MessageKind::RatingRequest,
            ..
        } = action
        {
            if self.rng.chance(0.6) {
                let score = self.rng.range(3, 5) as u8;
                self.later(at, 5, 120, Event::Rate(*dialog, score));
            }
            self.conversations.remove(dialog);
        }
    }

    /// The conversation goes on after an accepted input: the client answers an
    /// operator reply (or the operator closes), the operator answers the client.
    fn after_event(&mut self, at: DateTime<Utc>, event: &Event) {
        match *event {
            Event::Reply(dialog, op) => {
                let Some(c) = self.conversations.get_mut(&dialog) else {
                    return;
                };
                if c.rounds_left > 0 {
                    c.rounds_left -= 1;
                    self.later(at, 20, 120, Event::ClientWrites(dialog));
                } else {
                    self.later(at, 10, 60, Event::Close(dialog, op));
                }
            }
            Event::ClientWrites(dialog) => {
                if let Some(op) = self.conversations.get(&dialog).and_then(|c| c.operator) {
                    self.later(at, 10, 90, Event::Reply(dialog, op));
                }
            }
            _ => {}
        }
    }
}
