//! `openlines replay FILE`: streams a scenario file. The `config` is read first, then
//! the `steps` one at a time: each is read, applied, printed (and with `--check`
//! compared with its expectations) and dropped before the next is read, so memory
//! stays flat however long the log (serde's `SeqAccess` over a buffered reader).
//! A file whose `steps` come before its `config` is refused with a clear error.
//!
//! Output goes to any `Write`; an error writing it (a closed pipe: `replay FILE |
//! head -1`) stops the replay and is reported as [`ReplayError::Output`], so the
//! command can end quietly.

use std::fmt;
use std::io::{self, Read, Write};

use openlines::Engine;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::scenario::{Step, action_line, check_step, engine_from_config, error_line, run_step};

/// What a finished replay found.
#[derive(Debug, Default)]
pub struct ReplayOutcome {
    /// Steps replayed.
    pub steps: usize,
    /// With `--check`: a readable report per step that does not match its expectations.
    pub problems: Vec<String>,
}

/// Why a replay stopped early.
#[derive(Debug)]
pub enum ReplayError {
    /// The file cannot be read, is not a scenario, or its config is invalid.
    Input(String),
    /// Writing the output failed (e.g. a closed pipe).
    Output(io::Error),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Input(message) => f.write_str(message),
            ReplayError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

/// Replay the scenario read from `reader`, writing one JSON line per action or
/// rejected input to `out` (contract section 7); with `check`, each step is compared
/// with its expectations as it runs.
pub fn replay(
    reader: impl Read,
    out: &mut dyn Write,
    check: bool,
) -> Result<ReplayOutcome, ReplayError> {
    let mut state = Replay {
        out,
        check,
        strict_order: false,
        engine: None,
        outcome: ReplayOutcome::default(),
        output_error: None,
    };
    let mut de = serde_json::Deserializer::from_reader(io::BufReader::new(reader));
    let parsed = ScenarioSeed(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(e) = state.output_error.take() {
        return Err(ReplayError::Output(e));
    }
    parsed.map_err(|e| ReplayError::Input(e.to_string()))?;
    if state.engine.is_none() {
        return Err(ReplayError::Input("missing field `config`".to_owned()));
    }
    state.out.flush().map_err(ReplayError::Output)?;
    Ok(state.outcome)
}

/// The replay in progress (the deserializer's seeds drive it).
struct Replay<'a> {
    out: &'a mut dyn Write,
    check: bool,
    strict_order: bool,
    engine: Option<Engine>,
    outcome: ReplayOutcome,
    /// Set when writing failed: the parse is then stopped with a custom error.
    output_error: Option<io::Error>,
}

impl Replay<'_> {
    /// Run, print and check one step, then drop it.
    fn step(&mut self, index: usize, step: &Step) -> io::Result<()> {
        let Some(engine) = self.engine.as_mut() else {
            return Ok(());
        };
        let result = run_step(engine, index, step);
        for action in &result.actions {
            writeln!(self.out, "{}", action_line(result.step, result.at, action))?;
        }
        if let Some(e) = &result.error {
            writeln!(self.out, "{}", error_line(result.step, result.at, e))?;
        }
        if self.check
            && let Some(problem) = check_step(step, &result, self.strict_order)
        {
            self.outcome.problems.push(problem);
        }
        self.outcome.steps += 1;
        Ok(())
    }
}

/// The scenario object: its fields in file order.
struct ScenarioSeed<'r, 'a>(&'r mut Replay<'a>);

impl<'de> DeserializeSeed<'de> for ScenarioSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ScenarioSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scenario object {\"config\": {...}, \"steps\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let replay = self.0;
        let mut seen_steps = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "description" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "strict_order" => {
                    if seen_steps {
                        return Err(de::Error::custom(
                            "`strict_order` must come before `steps` (the steps are checked as they are read)",
                        ));
                    }
                    replay.strict_order = map.next_value()?;
                }
                "config" => {
                    if replay.engine.is_some() {
                        return Err(de::Error::custom("duplicate field `config`"));
                    }
                    let config: Value = map.next_value()?;
                    let engine = engine_from_config(&config).map_err(de::Error::custom)?;
                    replay.engine = Some(engine);
                }
                "steps" => {
                    if replay.engine.is_none() {
                        return Err(de::Error::custom(
                            "`steps` come before `config`: put `config` first (the steps are \
                             replayed as they are read)",
                        ));
                    }
                    if seen_steps {
                        return Err(de::Error::custom("duplicate field `steps`"));
                    }
                    seen_steps = true;
                    map.next_value_seed(StepsSeed(&mut *replay))?;
                }
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["description", "strict_order", "config", "steps"],
                    ));
                }
            }
        }
        if !seen_steps {
            return Err(de::Error::missing_field("steps"));
        }
        Ok(())
    }
}

/// The `steps` array: one element read, replayed and dropped at a time.
struct StepsSeed<'r, 'a>(&'r mut Replay<'a>);

impl<'de> DeserializeSeed<'de> for StepsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StepsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of steps")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let replay = self.0;
        let mut index = 0;
        while let Some(step) = seq.next_element::<Step>()? {
            if let Err(e) = replay.step(index, &step) {
                replay.output_error = Some(e);
                return Err(de::Error::custom("output closed"));
            }
            index += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"operators": [{"id": "ann"}], "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]}"#;

    fn run(text: &str, check: bool) -> Result<(String, ReplayOutcome), ReplayError> {
        let mut out = Vec::new();
        let outcome = replay(text.as_bytes(), &mut out, check)?;
        Ok((String::from_utf8(out).unwrap(), outcome))
    }

    #[test]
    fn streams_the_same_lines_as_the_whole_file_replay() {
        let text = format!(
            r#"{{"description": "x", "strict_order": true, "config": {CONFIG}, "steps": [
                {{"at": "2026-11-23T09:00:00Z", "input": {{"type": "client_message", "line": "sales", "client": "c"}},
                  "expect": [{{"type": "dialog_opened"}}, {{"type": "offer"}}]}},
                {{"at": "2026-11-23T09:00:01Z", "input": {{"type": "accept", "dialog": 9, "operator": "ann"}},
                  "expect_error": "unknown_dialog"}},
                {{"at": "2026-11-23T09:02:00Z", "expect": [{{"type": "assigned"}}]}}]}}"#
        );
        let (out, outcome) = run(&text, true).unwrap();
        let scenario = crate::scenario::Scenario::parse(&text).unwrap();
        let results = scenario.run().unwrap();
        let mut whole = String::new();
        for r in &results {
            for a in &r.actions {
                whole.push_str(&format!("{}\n", action_line(r.step, r.at, a)));
            }
            if let Some(e) = &r.error {
                whole.push_str(&format!("{}\n", error_line(r.step, r.at, e)));
            }
        }
        assert_eq!(out, whole);
        assert_eq!(outcome.steps, 3);
        // Per-step check: the same problems as the whole-file check (step 2 expects
        // an assignment that never comes: the offer expired into a new offer).
        assert_eq!(outcome.problems, scenario.check(&results));
        assert_eq!(outcome.problems.len(), 1, "{:?}", outcome.problems);
        assert!(outcome.problems[0].starts_with("step 2 "));
    }

    #[test]
    fn steps_before_config_and_bad_files_are_clear_errors() {
        let text = format!(r#"{{"steps": [], "config": {CONFIG}}}"#);
        let e = run(&text, false).unwrap_err().to_string();
        assert!(e.contains("`steps` come before `config`"), "{e}");
        let e = run(r#"{"config": {"lines": [{"id": ""}]}, "steps": []}"#, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("config.lines[0].id"), "{e}");
        let e = run(&format!(r#"{{"config": {CONFIG}}}"#), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing field `steps`"), "{e}");
        let e = run(
            &format!(r#"{{"config": {CONFIG}, "steps": [], "x": 1}}"#),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown field `x`"), "{e}");
        let e = run(
            &format!(r#"{{"config": {CONFIG}, "steps": [{{"at": "nope"}}]}}"#),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line"), "{e}");
    }

    /// A writer that fails like a closed pipe after `left` bytes.
    struct ClosedAfter {
        left: usize,
    }

    impl Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_output_stops_the_replay_with_an_output_error() {
        let text = format!(
            r#"{{"config": {CONFIG}, "steps": [
                {{"at": "2026-11-23T09:00:00Z", "input": {{"type": "client_message", "line": "sales", "client": "c"}}}},
                {{"at": "2026-11-23T09:00:00Z", "input": {{"type": "client_message", "line": "sales", "client": "d"}}}}]}}"#
        );
        let mut out = ClosedAfter { left: 10 };
        match replay(text.as_bytes(), &mut out, false) {
            Err(ReplayError::Output(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
            other => panic!("{other:?}"),
        }
    }
}
