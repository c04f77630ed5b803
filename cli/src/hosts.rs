//! How the engine's cost per input behaves under the ways real hosts call it.
//!
//! The standard day ticks at every deadline and stamps inputs on whole seconds: the
//! ideal host. Real hosts tick once a second (a 1 s event loop), never (inputs alone
//! drive time: PHP requests, queue consumers), and race replies against timers that
//! are already due (a burst of refused inputs). Each pattern here drives the same timed
//! traffic through an engine that also holds many idle open dialogs; a per-input cost
//! that grows with those idle dialogs is a cliff (a copy of the engine, a scan).
//!
//! The traffic, in line "timed" (one operator, "timed1", no limits): a dialog opens every 250 ms
//! (jittered inside the second); the operator accepts at +0.3 s and answers at +1.6 s
//! (the unanswered mark and the first-response KPI, both 1 s, fire first), the client writes again at +5.4 s and
//! the operator answers at +9.7 s; then nobody writes and the auto-close (20 s) closes
//! the dialog. With [`HostPattern::RejectedBurst`] the operator sends 5 more messages
//! at +30 s, after the close was due: the host never ticked, so the first one fires
//! the close (and whatever else is due) and every one of them is refused.

use std::time::Instant;

use chrono::{DateTime, Utc};
use openlines::{Action, ClientMessage, Engine, Input};
use serde_json::{Value, json};

/// How a measured host drives the clock between its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPattern {
    /// Ticks at every `next_deadline()` before each input (the ideal host).
    EveryDeadline,
    /// Ticks on every whole second; inputs fall inside the seconds.
    OnceASecond,
    /// Never ticks.
    Never,
    /// Never ticks, and races refused replies against due auto-closes.
    RejectedBurst,
}

impl HostPattern {
    /// Every pattern, in report order.
    pub const ALL: [HostPattern; 4] = [
        HostPattern::EveryDeadline,
        HostPattern::OnceASecond,
        HostPattern::Never,
        HostPattern::RejectedBurst,
    ];

    /// The pattern's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            HostPattern::EveryDeadline => "every_deadline",
            HostPattern::OnceASecond => "once_a_second",
            HostPattern::Never => "never",
            HostPattern::RejectedBurst => "rejected_burst",
        }
    }
}

/// Operator messages of one refused burst.
pub const BURST: usize = 5;

/// The operator of the timed traffic.
pub const OPERATOR: &str = "timed1";

/// The config of the timed traffic's line (its queue is [`OPERATOR`]).
pub fn timed_line() -> Value {
    json!({"id": "timed", "queue": {"operators": [OPERATOR], "distribution": "strict"},
           "greeting": {"when": "first_contact", "text": "Hello!"},
           "unanswered": {"after_secs": 1, "text": "Please wait"},
           "auto_close": {"after_secs": 20, "text": "Closed"},
           "kpi": {"first_response_secs": 1, "next_response_secs": 60, "notify": ["boss"],
                   "text": "#OPERATOR# late on #DIALOG#"},
           "closing": {"text": "Bye"}})
}

/// The timed traffic of `dialogs` dialogs (ids from `first_dialog`), from `start`,
/// sorted by time.
pub fn traffic(
    dialogs: usize,
    first_dialog: u64,
    start: DateTime<Utc>,
    pattern: HostPattern,
) -> Vec<(DateTime<Utc>, Input)> {
    let mut out = Vec::with_capacity(dialogs * (5 + BURST));
    let operator = || OPERATOR.to_owned();
    for i in 0..dialogs {
        let dialog = first_dialog + i as u64;
        // 250 ms apart with a jitter inside the quarter second, so that inputs fall
        // between whole seconds and dialogs open in order.
        let opens = start + ms(i as i64 * 250 + (i as i64 * 37) % 200);
        let client = format!("timed{}", i % 4096);
        let message = |text: &str| {
            let mut m = ClientMessage::new("timed", client.clone());
            m.channel = "web".to_owned();
            m.text = text.to_owned();
            Input::ClientMessage(m)
        };
        let reply = || Input::OperatorMessage {
            dialog,
            operator: operator(),
            hidden: false,
        };
        out.push((opens, message("a question")));
        out.push((
            opens + ms(300),
            Input::Accept {
                dialog,
                operator: operator(),
            },
        ));
        out.push((opens + ms(1_600), reply()));
        out.push((opens + ms(5_400), message("and another one")));
        out.push((opens + ms(9_700), reply()));
        if pattern == HostPattern::RejectedBurst {
            for k in 0..BURST {
                out.push((opens + ms(30_000 + k as i64), reply()));
            }
        }
    }
    // A stable sort keeps each dialog's own inputs in order at equal times.
    out.sort_by_key(|(at, _)| *at);
    out
}

fn ms(n: i64) -> chrono::Duration {
    chrono::Duration::milliseconds(n)
}

/// One measured run: nanoseconds per input (host ticks included in the time, inputs
/// counted without them), and what the host saw.
#[derive(Debug, Clone, PartialEq)]
pub struct HostRun {
    /// Nanoseconds per input.
    pub ns_per_input: f64,
    /// Inputs handled (accepted or refused).
    pub inputs: usize,
    /// Inputs refused.
    pub refused: usize,
    /// Actions the host received (from ticks, inputs, and refused inputs' timers).
    pub actions: usize,
    /// Ticks the host made.
    pub ticks: usize,
}

/// Drive `inputs` through `engine` the way `pattern` does.
pub fn drive(
    engine: &mut Engine,
    pattern: HostPattern,
    inputs: Vec<(DateTime<Utc>, Input)>,
) -> HostRun {
    let count = inputs.len();
    let mut buf: Vec<Action> = Vec::with_capacity(64);
    let (mut refused, mut actions, mut ticks) = (0, 0, 0);
    let mut second = inputs.first().map_or(0, |(at, _)| at.timestamp());
    let t = Instant::now();
    for (at, input) in inputs {
        match pattern {
            HostPattern::EveryDeadline => {
                while let Some(deadline) = engine.next_deadline().filter(|d| *d <= at) {
                    buf.clear();
                    if engine.advance_into(deadline, &mut buf).is_ok() {
                        ticks += 1;
                        actions += buf.len();
                    }
                }
            }
            HostPattern::OnceASecond => {
                while second < at.timestamp() {
                    second += 1;
                    buf.clear();
                    if let Some(tick) = DateTime::from_timestamp(second, 0)
                        && engine.advance_into(tick, &mut buf).is_ok()
                    {
                        ticks += 1;
                        actions += buf.len();
                    }
                }
            }
            HostPattern::Never | HostPattern::RejectedBurst => {}
        }
        buf.clear();
        if engine.handle_into(at, input, &mut buf).is_err() {
            refused += 1;
        }
        actions += buf.len();
    }
    HostRun {
        ns_per_input: t.elapsed().as_secs_f64() * 1e9 / count.max(1) as f64,
        inputs: count,
        refused,
        actions,
        ticks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn engine() -> Engine {
        let config = serde_json::from_value(json!({
            "operators": [{"id": OPERATOR}],
            "lines": [timed_line()]
        }))
        .unwrap();
        Engine::new(config).unwrap()
    }

    #[test]
    fn every_pattern_sees_the_same_actions() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let runs: Vec<HostRun> = HostPattern::ALL[..3]
            .iter()
            .map(|&p| drive(&mut engine(), p, traffic(200, 1, start, p)))
            .collect();
        assert!(runs.iter().all(|r| r.refused == 0), "{runs:?}");
        assert!(
            runs.iter().all(|r| r.actions == runs[0].actions),
            "{runs:?}"
        );
        assert!(runs[0].ticks > 200 && runs[2].ticks == 0, "{runs:?}");
        // The traffic makes every kind of timer of the line fire.
        let mut e = engine();
        let mut seen = std::collections::BTreeSet::new();
        for (at, input) in traffic(20, 1, start, HostPattern::Never) {
            for a in e.handle(at, input).unwrap() {
                seen.insert(serde_json::to_value(&a).unwrap()["type"].to_string());
            }
        }
        for a in e.advance(start + chrono::Duration::hours(1)).unwrap() {
            seen.insert(serde_json::to_value(&a).unwrap()["type"].to_string());
        }
        for kind in [
            "\"kpi_overdue\"",
            "\"mark_unanswered\"",
            "\"dialog_closed\"",
        ] {
            assert!(seen.contains(kind), "{kind} missing from {seen:?}");
        }
    }

    #[test]
    fn a_refused_burst_is_refused_and_keeps_the_closes() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let quiet = drive(
            &mut engine(),
            HostPattern::Never,
            traffic(50, 1, start, HostPattern::Never),
        );
        let mut e = engine();
        let burst = drive(
            &mut e,
            HostPattern::RejectedBurst,
            traffic(50, 1, start, HostPattern::RejectedBurst),
        );
        assert_eq!(burst.refused, 50 * BURST);
        // Every close reaches the host: the quiet run sees the last ones only after
        // the traffic, so compare after ticking both to the end.
        assert!(burst.actions >= quiet.actions, "{burst:?} / {quiet:?}");
        assert_eq!(e.open_dialogs().count(), 0, "every dialog auto-closed");
    }
}
