//! Target 6: host tick patterns. The same generated inputs at the same (sub-second)
//! times go to three engines whose hosts tick at every deadline, on every whole
//! second, and never; what each host receives (actions, and refusals with the actions
//! of their timers) must be the same sequence.
//!
//! Gaps stay under the catch-up bound (`MAX_OFFER_EXPIRIES_PER_CATCH_UP` offer
//! expiries of one dialog per call): each is shorter than that many of the shortest
//! `forward_after_secs` seen so far.

#![no_main]

use chrono::{DateTime, Duration, Utc};
use libfuzzer_sys::fuzz_target;
use openlines::{Action, Engine, ErrorKind, MAX_OFFER_EXPIRIES_PER_CATCH_UP};
use openlines_fuzz::{Bytes, gen_config, gen_step, start};
use serde_json::Value;

/// What a host received, flattened: actions, and refused inputs by kind.
#[derive(Debug, PartialEq)]
enum Seen {
    Action(Box<Action>),
    Refused(ErrorKind),
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let config = gen_config(&mut b);
    let mut forward = config
        .lines
        .iter()
        .map(|l| l.queue.forward_after_secs)
        .min()
        .unwrap_or(60);
    // Inputs with their times, generated once for all three hosts.
    let mut inputs: Vec<(DateTime<Utc>, Value)> = Vec::new();
    let mut at = start();
    while b.remaining() > 0 && inputs.len() < 128 {
        let step = gen_step(&mut b);
        let Some(value) = step.input else { continue };
        if value["type"] == "set_line" {
            forward = forward.min(value["line"]["queue"]["forward_after_secs"].as_u64().unwrap_or(60));
        }
        let bound_ms = (u64::from(MAX_OFFER_EXPIRIES_PER_CATCH_UP) - 1) * forward * 1000;
        let gap_ms = (step.delta.max(0) as u64 * 1000 + b.below(1000) as u64).min(bound_ms);
        at += Duration::milliseconds(gap_ms as i64);
        inputs.push((at, value));
    }
    let every = run(&config, &inputs, |e, to, seen| {
        while let Some(d) = e.next_deadline().filter(|d| *d <= to) {
            tick(e, d, seen);
        }
    });
    let second = run(&config, &inputs, |e, to, seen| {
        let mut s = e.now().map_or(to.timestamp(), |n| n.timestamp()) + 1;
        while s <= to.timestamp() {
            tick(e, DateTime::from_timestamp(s, 0).expect("in range"), seen);
            s += 1;
        }
    });
    let never = run(&config, &inputs, |_, _, _| {});
    assert!(every == second, "ticking once a second differs from ticking at every deadline");
    assert!(every == never, "never ticking differs from ticking at every deadline");
});

/// One host tick; its actions are what the host receives.
fn tick(engine: &mut Engine, at: DateTime<Utc>, seen: &mut Vec<Seen>) {
    let actions = engine.advance(at).expect("a tick forward is never refused");
    seen.extend(actions.into_iter().map(|a| Seen::Action(Box::new(a))));
}

/// Drive one host: before each input, `ticks` ticks the engine as the host would.
fn run(
    config: &openlines::Config,
    inputs: &[(DateTime<Utc>, Value)],
    ticks: impl Fn(&mut Engine, DateTime<Utc>, &mut Vec<Seen>),
) -> Vec<Seen> {
    let mut engine = Engine::new(config.clone()).expect("generated configs are valid");
    let mut seen = Vec::new();
    for (at, value) in inputs {
        ticks(&mut engine, *at, &mut seen);
        let Ok(input) = openlines::json::input_from_str(&value.to_string()) else {
            seen.push(Seen::Refused(ErrorKind::InvalidInput));
            continue;
        };
        match engine.handle(*at, input) {
            Ok(actions) => seen.extend(actions.into_iter().map(|a| Seen::Action(Box::new(a)))),
            Err(e) => {
                seen.extend(e.actions.into_iter().map(|a| Seen::Action(Box::new(a))));
                seen.push(Seen::Refused(e.kind));
            }
        }
    }
    seen
}
