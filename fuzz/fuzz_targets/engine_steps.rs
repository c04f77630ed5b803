//! Target 1: an arbitrary sequence of (time delta, input) against an engine built from
//! an arbitrary valid config; every invariant is checked after every step.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openlines::Engine;
use openlines_fuzz::{Bytes, Tracker, drive, gen_config};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let config = gen_config(&mut b);
    let mut engine = match Engine::new(config.clone()) {
        Ok(engine) => engine,
        Err(e) => panic!("a valid config was refused: {e}"),
    };
    let mut tracker = Tracker::new(&config);
    drive(&mut engine, &mut tracker, &mut b, 256);
});
