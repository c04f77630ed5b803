//! Given traffic through the engine: a list of [`Arrival`]s (real history or drawn)
//! and the config's operators, all online for the whole run, who behave by the
//! [`OperatorModel`]. The simulated host ticks the engine at every deadline.
//!
//! The operator model (every parameter documented with its default):
//!
//! - an online operator offered a dialog accepts it after a delay drawn uniformly from
//!   `accept_secs` (default 5 to 30 s); an offer that expires first is forwarded by
//!   the engine as configured (`forward_after_secs`), and the late accept is refused;
//! - from assignment, the conversation lasts the handling time: the arrival's own
//!   (`handling_secs` in the CSV) or one drawn from an exponential distribution with
//!   mean `handling_secs` (default 600 s) — or exactly that with `fixed_handling`;
//! - the operator writes first `reply_every_secs` after assignment (default 60 s; or at
//!   the close if the handling time is shorter), then every `reply_every_secs`; the
//!   client writes half-way between two operator messages; 0 = the operator writes
//!   once, at the close;
//! - at the end of the handling time the operator closes the dialog; rating windows,
//!   auto-close and every other timer then run as the config says.
//!
//! An arrival whose client already has an open dialog in the line writes into that
//! dialog (the engine opens none): it is counted in [`Run::joined`].

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::{DateTime, Duration, Utc};
use openlines::{
    Action, AssignReason, ClientMessage, Config, DialogId, Engine, Error, Input, PresenceStatus,
};

use crate::arrivals::Arrival;
use crate::observe::Observed;
use crate::rng::Rng;

/// How simulated operators behave (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorModel {
    /// Accept delay, uniform between these seconds.
    pub accept_secs: (f64, f64),
    /// Mean handling seconds (assignment to close) when the arrival gives none.
    pub handling_secs: f64,
    /// Every dialog takes exactly `handling_secs` instead of an exponential draw.
    pub fixed_handling: bool,
    /// Seconds between operator messages (0: one message, at the close).
    pub reply_every_secs: f64,
}

impl Default for OperatorModel {
    fn default() -> Self {
        OperatorModel {
            accept_secs: (5.0, 30.0),
            handling_secs: 600.0,
            fixed_handling: false,
            reply_every_secs: 60.0,
        }
    }
}

impl OperatorModel {
    fn accept_delay(&self, rng: &mut Rng) -> Duration {
        let (lo, hi) = self.accept_secs;
        let secs = lo + (hi - lo) * (1.0 - rng.unit());
        Duration::milliseconds((secs * 1000.0) as i64)
    }

    fn handling(&self, arrival: Option<&Arrival>, rng: &mut Rng) -> Duration {
        let secs = match arrival.and_then(|a| a.handling_secs) {
            Some(s) => s,
            None if self.fixed_handling => self.handling_secs,
            None => rng.exp(self.handling_secs),
        };
        Duration::milliseconds((secs * 1000.0) as i64)
    }
}

/// One simulated run.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// What the engine did, dialog by dialog.
    pub observed: Observed,
    /// Arrivals that wrote into a dialog already open (no new dialog).
    pub joined: u64,
    /// Inputs given (ticks included).
    pub inputs: u64,
    /// Actions returned.
    pub actions: u64,
    /// Inputs refused (late accepts of forwarded offers, replies racing a close).
    pub rejected: u64,
    /// When the simulated host stopped.
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Roster(u32),
    Arrive(usize),
    Accept(DialogId, String),
    Reply(DialogId),
    ClientWrites(DialogId),
    Close(DialogId),
}

#[derive(Debug, Clone)]
struct Conversation {
    arrival: usize,
    operator: Option<String>,
    ends: Option<DateTime<Utc>>,
}

/// How long after the last event the host keeps ticking (rating windows, auto-close).
const DRAIN: Duration = Duration::hours(24);

struct Host<'a> {
    arrivals: &'a [Arrival],
    model: &'a OperatorModel,
    rng: Rng,
    events: BinaryHeap<Reverse<(DateTime<Utc>, u64, Event)>>,
    seq: u64,
    conversations: BTreeMap<DialogId, Conversation>,
    buf: Vec<Action>,
    run: Run,
}

/// Run `arrivals` (in time order) through a fresh engine with `config`, every operator
/// of the config online from the first arrival on.
pub fn run(
    config: &Config,
    arrivals: &[Arrival],
    model: &OperatorModel,
    seed: u64,
) -> Result<Run, Error> {
    let Some(first) = arrivals.first() else {
        return Ok(Run::default());
    };
    run_roster(config, arrivals, model, seed, &[(first.at, u32::MAX)])
}

/// [`run`] with operators coming and going: from each `(time, n)` of `roster` (in time
/// order) the config's first `n` operators are online and the others offline (an
/// operator going offline still finishes the dialogs they hold).
pub fn run_roster(
    config: &Config,
    arrivals: &[Arrival],
    model: &OperatorModel,
    seed: u64,
    roster: &[(DateTime<Utc>, u32)],
) -> Result<Run, Error> {
    let mut engine = Engine::new(config.clone())?;
    let mut host = Host {
        arrivals,
        model,
        rng: Rng::new(seed),
        events: BinaryHeap::new(),
        seq: 0,
        conversations: BTreeMap::new(),
        buf: Vec::new(),
        run: Run::default(),
    };
    let Some(first) = arrivals.first() else {
        return Ok(host.run);
    };
    for &(at, n) in roster {
        host.at(at, Event::Roster(n));
    }
    for (i, a) in arrivals.iter().enumerate() {
        host.at(a.at, Event::Arrive(i));
    }
    let ids: Vec<String> = config.operators.iter().map(|o| o.id.clone()).collect();
    // Unknown at first: the first roster entry sets every operator's presence.
    let mut online: Vec<Option<bool>> = vec![None; ids.len()];
    let mut last = first.at;
    while let Some(Reverse((at, _, event))) = host.events.pop() {
        host.tick_until(&mut engine, at);
        last = at;
        if let Event::Roster(n) = event {
            for (i, id) in ids.iter().enumerate() {
                let wanted = (i as u64) < u64::from(n);
                if online[i] != Some(wanted) {
                    online[i] = Some(wanted);
                    let status = if wanted {
                        PresenceStatus::Online
                    } else {
                        PresenceStatus::Offline
                    };
                    let input = Input::Presence {
                        operator: id.clone(),
                        status,
                    };
                    host.give(&mut engine, at, input, None);
                }
            }
            continue;
        }
        let Some(input) = host.input_for(&event) else {
            continue;
        };
        let arrival = match event {
            Event::Arrive(i) => Some(i),
            _ => None,
        };
        if host.give(&mut engine, at, input, arrival) {
            host.after(at, &event);
        }
    }
    let end = last + DRAIN;
    host.tick_until(&mut engine, end);
    // Operators count as online until the last event (not through the drain).
    host.run.observed.finish(last);
    host.run.end = Some(end);
    Ok(host.run)
}

impl Host<'_> {
    fn at(&mut self, at: DateTime<Utc>, event: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, event)));
    }

    fn tick_until(&mut self, engine: &mut Engine, at: DateTime<Utc>) {
        while let Some(deadline) = engine.next_deadline().filter(|d| *d <= at) {
            self.give(engine, deadline, Input::Tick, None);
        }
    }

    fn input_for(&self, event: &Event) -> Option<Input> {
        let operator = |d: &DialogId| self.conversations.get(d)?.operator.clone();
        Some(match event {
            Event::Roster(_) => return None,
            Event::Arrive(i) => {
                let a = &self.arrivals[*i];
                let mut m = ClientMessage::new(a.line.clone(), a.client.clone());
                m.text = "Hello".to_owned();
                m.channel = "web".to_owned();
                m.language = a.language.clone();
                m.skills = a.skills.clone();
                Input::ClientMessage(m)
            }
            Event::Accept(dialog, operator) => Input::Accept {
                dialog: *dialog,
                operator: operator.clone(),
            },
            Event::Reply(dialog) => Input::OperatorMessage {
                dialog: *dialog,
                operator: operator(dialog)?,
                hidden: false,
            },
            Event::ClientWrites(dialog) => {
                let a = &self.arrivals[self.conversations.get(dialog)?.arrival];
                let mut m = ClientMessage::new(a.line.clone(), a.client.clone());
                m.text = "Thanks".to_owned();
                Input::ClientMessage(m)
            }
            Event::Close(dialog) => Input::Close {
                dialog: *dialog,
                operator: operator(dialog)?,
            },
        })
    }

    /// Give one input and react to its actions; false if the engine refused it.
    fn give(
        &mut self,
        engine: &mut Engine,
        at: DateTime<Utc>,
        input: Input,
        arrival: Option<usize>,
    ) -> bool {
        if let Input::Presence { operator, status } = &input {
            self.run
                .observed
                .presence(at, operator, *status == PresenceStatus::Online);
        }
        self.run.inputs += 1;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let ok = engine.handle_into(at, input, &mut buf).is_ok();
        self.run.actions += buf.len() as u64;
        let mut opened = false;
        for action in &buf {
            self.run.observed.action(at, action);
            opened |= matches!(action, Action::DialogOpened { .. });
            self.react(at, action, arrival);
        }
        self.buf = buf;
        if !ok {
            self.run.rejected += 1;
        } else if arrival.is_some() && !opened {
            self.run.joined += 1;
        }
        ok
    }

    fn react(&mut self, at: DateTime<Utc>, action: &Action, arrival: Option<usize>) {
        match action {
            Action::DialogOpened { dialog, .. } => {
                if let Some(arrival) = arrival {
                    self.conversations.insert(
                        *dialog,
                        Conversation {
                            arrival,
                            operator: None,
                            ends: None,
                        },
                    );
                }
            }
            Action::Offer {
                dialog, operators, ..
            } => {
                for op in operators {
                    let delay = self.model.accept_delay(&mut self.rng);
                    self.at(at + delay, Event::Accept(*dialog, op.clone()));
                }
            }
            Action::Assigned {
                dialog,
                operator,
                reason,
            } if *reason != AssignReason::Transfer => {
                let handling = {
                    let c = self.conversations.get(dialog);
                    let a = c.map(|c| &self.arrivals[c.arrival]);
                    self.model.handling(a, &mut self.rng)
                };
                let Some(c) = self.conversations.get_mut(dialog) else {
                    return;
                };
                if c.operator.is_some() {
                    return;
                }
                c.operator = Some(operator.clone());
                let ends = at + handling;
                c.ends = Some(ends);
                let first = self.reply_after(at, ends);
                self.at(first, Event::Reply(*dialog));
                self.at(ends, Event::Close(*dialog));
            }
            Action::DialogClosed { dialog, .. } => {
                self.conversations.remove(dialog);
            }
            _ => {}
        }
    }

    /// The next operator message after one at `from`: `reply_every_secs` later, or at
    /// the close if that comes first.
    fn reply_after(&self, from: DateTime<Utc>, ends: DateTime<Utc>) -> DateTime<Utc> {
        let every = self.model.reply_every_secs;
        if every <= 0.0 {
            return ends;
        }
        (from + Duration::milliseconds((every * 1000.0) as i64)).min(ends)
    }

    /// After an accepted operator reply: the client writes half-way to the next one,
    /// which is scheduled unless the close comes first.
    fn after(&mut self, at: DateTime<Utc>, event: &Event) {
        let Event::Reply(dialog) = event else {
            return;
        };
        let Some(ends) = self.conversations.get(dialog).and_then(|c| c.ends) else {
            return;
        };
        let next = self.reply_after(at, ends);
        if next < ends {
            self.at(at + (next - at) / 2, Event::ClientWrites(*dialog));
            self.at(next, Event::Reply(*dialog));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn config(max_dialogs: u32, operators: usize) -> Config {
        let ops: Vec<String> = (1..=operators).map(|i| format!("op{i}")).collect();
        let json = format!(
            r#"{{"operators": [{}], "lines": [{{"id": "l", "queue": {{"operators": [{}], "max_dialogs": {max_dialogs}}}}}]}}"#,
            ops.iter()
                .map(|o| format!(r#"{{"id": "{o}"}}"#))
                .collect::<Vec<_>>()
                .join(","),
            ops.iter()
                .map(|o| format!("\"{o}\""))
                .collect::<Vec<_>>()
                .join(","),
        );
        Config::from_json(&json).unwrap()
    }

    fn arrival(secs: i64, handling: f64) -> Arrival {
        Arrival {
            at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::seconds(secs),
            line: "l".into(),
            client: format!("c{secs}"),
            handling_secs: Some(handling),
            language: String::new(),
            skills: Vec::new(),
            row: 0,
        }
    }

    #[test]
    fn one_operator_one_at_a_time_serves_in_order() {
        let model = OperatorModel {
            accept_secs: (0.0, 0.0),
            ..OperatorModel::default()
        };
        // Three clients at 0, 10 and 20 s, each needing 100 s: waits 0, 90 and 180 s.
        let arrivals = [arrival(0, 100.0), arrival(10, 100.0), arrival(20, 100.0)];
        let run = run(&config(1, 1), &arrivals, &model, 1).unwrap();
        let waits: Vec<Option<i64>> = run.observed.dialogs.iter().map(|d| d.wait_ms).collect();
        assert_eq!(waits, [Some(0), Some(90_000), Some(180_000)]);
        // The operator writes 60 s after assignment (before the 100 s close).
        let first: Vec<Option<u64>> = run
            .observed
            .dialogs
            .iter()
            .map(|d| d.first_response_secs)
            .collect();
        assert_eq!(first, [Some(60), Some(150), Some(240)]);
        assert_eq!(run.joined, 0);
        assert_eq!(run.rejected, 0);
        let load = &run.observed.operators["op1"];
        assert_eq!((load.assigned, load.peak), (3, 1));
        assert_eq!(load.held_secs, 300.0);
    }

    #[test]
    fn two_dialogs_at_once_when_max_dialogs_is_two() {
        let model = OperatorModel {
            accept_secs: (0.0, 0.0),
            ..OperatorModel::default()
        };
        let arrivals = [arrival(0, 100.0), arrival(10, 100.0), arrival(20, 100.0)];
        let run = run(&config(2, 1), &arrivals, &model, 1).unwrap();
        let waits: Vec<Option<i64>> = run.observed.dialogs.iter().map(|d| d.wait_ms).collect();
        assert_eq!(waits, [Some(0), Some(0), Some(80_000)]);
        assert_eq!(run.observed.operators["op1"].peak, 2);
    }

    #[test]
    fn a_roster_brings_operators_in_and_out() {
        let model = OperatorModel {
            accept_secs: (0.0, 0.0),
            ..OperatorModel::default()
        };
        let t0 = arrival(0, 0.0).at;
        // One operator at first, both from 50 s, none from 500 s.
        let roster = [
            (t0, 1),
            (t0 + Duration::seconds(50), 2),
            (t0 + Duration::seconds(500), 0),
        ];
        let arrivals = [arrival(0, 100.0), arrival(10, 100.0), arrival(600, 100.0)];
        let run = run_roster(&config(1, 2), &arrivals, &model, 1, &roster).unwrap();
        let waits: Vec<Option<i64>> = run.observed.dialogs.iter().map(|d| d.wait_ms).collect();
        assert_eq!(waits, [Some(0), Some(40_000), None]);
        let online: Vec<(i64, u32)> = run
            .observed
            .online
            .iter()
            .map(|(at, n)| ((*at - t0).num_seconds(), *n))
            .collect();
        assert_eq!(online, [(0, 1), (50, 2), (500, 1), (500, 0)]);
        assert_eq!(run.observed.operators["op2"].assigned, 1);
    }

    #[test]
    fn accept_delays_and_a_returning_client() {
        let model = OperatorModel {
            accept_secs: (5.0, 30.0),
            ..OperatorModel::default()
        };
        let mut again = arrival(30, 100.0);
        again.client = "c0".into();
        let arrivals = [arrival(0, 100.0), again];
        let run = run(&config(0, 2), &arrivals, &model, 9).unwrap();
        assert_eq!(run.observed.dialogs.len(), 1);
        assert_eq!(run.joined, 1);
        let wait = run.observed.dialogs[0].wait_ms.unwrap();
        assert!((5_000..=30_000).contains(&wait), "{wait}");
    }
}
