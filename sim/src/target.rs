//! Service targets such as `p90_wait<=60s`: a statistic of a measure over the
//! dialogs of an hour, and its limit.
//!
//! Grammar: `STAT_MEASURE<=LIMIT` where
//! - MEASURE is `wait` (opening to first assignment) or `first_response` (first
//!   client message to first operator reply, as the engine counts it);
//! - STAT is `mean` or `pNN` (a percentile, 1 to 99, nearest rank); `first_response`
//!   alone means `p90_first_response`;
//! - LIMIT is seconds: `60`, `60s`, `2m` or `1h`.
//!
//! A dialog never assigned (or never answered) counts as an infinite wait (or first
//! response): an hour whose dialogs are not all served misses any mean target and any
//! percentile its unserved share reaches. `abandon` is refused: the engine has no
//! input for a client who leaves, so the simulation cannot model it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::observe::DialogRecord;
use crate::summary::percentile;

/// What is measured per dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Opening to first assignment.
    Wait,
    /// First client message to first operator reply.
    FirstResponse,
}

/// How the dialogs' values are combined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// The mean.
    Mean,
    /// A percentile (1 to 99).
    Percentile(u8),
}

/// A service target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// The statistic.
    pub stat: Stat,
    /// The measure.
    pub measure: Measure,
    /// The largest acceptable value, seconds.
    pub limit_secs: f64,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stat {
            Stat::Mean => write!(f, "mean_")?,
            Stat::Percentile(p) => write!(f, "p{p}_")?,
        }
        let measure = match self.measure {
            Measure::Wait => "wait",
            Measure::FirstResponse => "first_response",
        };
        write!(f, "{measure}<={}s", self.limit_secs)
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, limit) = text.split_once("<=").ok_or_else(|| {
            format!("\"{text}\" is not a target: write METRIC<=LIMIT, e.g. p90_wait<=60s")
        })?;
        let name = name.trim();
        if name.contains("abandon") {
            return Err(
                "abandon is not modelled: the engine has no input for a client who \
                        leaves, so simulations cannot count abandons"
                    .to_owned(),
            );
        }
        let (stat, measure) = match name {
            "first_response" => ("p90", "first_response"),
            other => other.split_once('_').ok_or_else(|| unknown(other))?,
        };
        let measure = match measure {
            "wait" => Measure::Wait,
            "first_response" => Measure::FirstResponse,
            _ => return Err(unknown(name)),
        };
        let stat = match stat {
            "mean" => Stat::Mean,
            p => match p.strip_prefix('p').and_then(|n| n.parse::<u8>().ok()) {
                Some(n) if (1..=99).contains(&n) => Stat::Percentile(n),
                _ => return Err(unknown(name)),
            },
        };
        let limit = limit.trim();
        let (number, unit) = match limit.find(|c: char| c.is_ascii_alphabetic()) {
            Some(i) => limit.split_at(i),
            None => (limit, "s"),
        };
        let scale = match unit {
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(format!("\"{limit}\": the unit is s, m or h")),
        };
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("\"{limit}\" is not a duration (e.g. 60s, 2m)"))?;
        Ok(Target {
            stat,
            measure,
            limit_secs: value * scale,
        })
    }
}

fn unknown(name: &str) -> String {
    format!(
        "unknown metric \"{name}\": use mean_wait, pNN_wait (e.g. p50_wait, p90_wait), \
         first_response, mean_first_response or pNN_first_response"
    )
}

impl Target {
    /// The measure of one dialog, seconds (infinite when it never happened).
    pub fn measure_of(&self, r: &DialogRecord) -> f64 {
        let value = match self.measure {
            Measure::Wait => r.wait_ms.map(|ms| ms as f64 / 1000.0),
            Measure::FirstResponse => r.first_response_secs.map(|s| s as f64),
        };
        value.unwrap_or(f64::INFINITY)
    }

    /// The statistic over some dialogs (0 when there are none).
    pub fn value<'a>(&self, records: impl IntoIterator<Item = &'a DialogRecord>) -> f64 {
        let mut values: Vec<f64> = records.into_iter().map(|r| self.measure_of(r)).collect();
        self.value_of(&mut values)
    }

    /// The statistic over measured values, in seconds (0 when there are none; sorts
    /// `values` for a percentile).
    pub fn value_of(&self, values: &mut [f64]) -> f64 {
        if values.is_empty() {
            return 0.0;
        }
        match self.stat {
            Stat::Mean => values.iter().sum::<f64>() / values.len() as f64,
            Stat::Percentile(p) => {
                values.sort_by(f64::total_cmp);
                percentile(values, f64::from(p)).unwrap_or(0.0)
            }
        }
    }

    /// Whether a value meets the target.
    pub fn met(&self, value: f64) -> bool {
        value <= self.limit_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn parse(s: &str) -> Result<Target, String> {
        s.parse()
    }

    #[test]
    fn parses_the_documented_forms() {
        let t = parse("p90_wait<=60s").unwrap();
        assert_eq!(
            (t.stat, t.measure, t.limit_secs),
            (Stat::Percentile(90), Measure::Wait, 60.0)
        );
        assert_eq!(parse("mean_wait<=2m").unwrap().limit_secs, 120.0);
        assert_eq!(parse("p50_wait <= 30").unwrap().stat, Stat::Percentile(50));
        let f = parse("first_response<=1h").unwrap();
        assert_eq!(
            (f.stat, f.measure, f.limit_secs),
            (Stat::Percentile(90), Measure::FirstResponse, 3600.0)
        );
        assert_eq!(parse("mean_first_response<=45s").unwrap().stat, Stat::Mean);
        assert_eq!(parse("p90_wait<=60s").unwrap().to_string(), "p90_wait<=60s");
    }

    #[test]
    fn refuses_what_it_cannot_measure() {
        for bad in [
            "p90_wait",
            "p100_wait<=1",
            "p0_wait<=1",
            "median_wait<=1",
            "p90_talk<=1",
            "p90_wait<=-1s",
            "p90_wait<=10d",
            "p90_wait<=soon",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("abandon<=5%").unwrap_err().contains("not modelled"));
    }

    #[test]
    fn unserved_dialogs_count_as_infinite() {
        let r = |wait: Option<i64>| DialogRecord {
            line: "l".into(),
            opened: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            wait_ms: wait,
            operator: None,
            first_response_secs: None,
            closed: None,
            off_hours: false,
        };
        let records: Vec<DialogRecord> = (1..=9)
            .map(|s| r(Some(s * 10_000)))
            .chain([r(None)])
            .collect();
        let p90 = parse("p90_wait<=60s").unwrap();
        assert_eq!(p90.value(&records), 90.0);
        assert!(!p90.met(90.0) && p90.met(60.0));
        assert_eq!(
            parse("p99_wait<=60s").unwrap().value(&records),
            f64::INFINITY
        );
        assert_eq!(
            parse("mean_wait<=60s").unwrap().value(&records),
            f64::INFINITY
        );
        assert_eq!(parse("mean_wait<=60s").unwrap().value(&records[..4]), 25.0);
        assert_eq!(p90.value(&[]), 0.0);
    }
}
