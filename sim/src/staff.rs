//! The staffing search: the fewest operators per hour that meet a [`Target`], found by
//! running the hour's traffic through the engine with the config's routing rules.
//!
//! Method (documented in `docs/simulation.md`):
//! - each hour is simulated on its own, as a steady state: its traffic starts
//!   `warmup_hours` earlier (real history: the hour's own arrivals repeated once per
//!   warm-up hour before it; drawn traffic: the hour's own rate), and only dialogs
//!   opened within the hour are measured;
//! - `n` operators means the config's operators cycled to `n` (operator `i` copies
//!   operator `i mod len` — capacity, skills, languages, queue memberships — with the id
//!   `ID~2`, `ID~3`, ... for the copies), all online for the whole run;
//! - every operator count is run with `seeds` seeds (drawn arrivals, accept delays,
//!   handling times) and the target's statistic is taken over all of them together; the
//!   same seeds serve every count (common random numbers), so the curve is smooth;
//! - the search starts at the offered load divided by one operator's capacity and
//!   walks down while the target is met and up until it is, assuming more operators
//!   never do worse; `max_operators` bounds it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use openlines::{Config, Error, OperatorConfig};
use serde::Serialize;

use crate::arrivals::{Arrival, poisson};
use crate::erlang;
use crate::observe::DialogRecord;
use crate::rng::Rng;
use crate::summary::{Spread, waits};
use crate::target::Target;
use crate::traffic::{OperatorModel, run};

/// The traffic to staff for.
#[derive(Debug, Clone)]
pub enum Traffic {
    /// Expected arrivals in each hour from `start` (Poisson), into `line`.
    PerHour {
        /// The first hour's start.
        start: DateTime<Utc>,
        /// Expected arrivals per hour.
        counts: Vec<f64>,
        /// The line they arrive in.
        line: String,
    },
    /// Real arrivals (in time order): every local hour from the first to the last.
    History(Vec<Arrival>),
}

/// How to search.
#[derive(Debug, Clone)]
pub struct StaffParams {
    /// The config whose routing rules and operators (as templates) are used.
    pub config: Config,
    /// How simulated operators behave.
    pub model: OperatorModel,
    /// What each hour must meet.
    pub target: Target,
    /// Seeds per operator count.
    pub seeds: u32,
    /// First seed.
    pub seed: u64,
    /// Hours of traffic simulated before each measured hour.
    pub warmup_hours: u32,
    /// The most operators tried per hour.
    pub max_operators: u32,
    /// Time zone of the hours.
    pub tz: Tz,
}

/// One operator count of an hour: the target's statistic and the waits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Operators online.
    pub operators: u32,
    /// The target's statistic, seconds (infinite: some dialogs were never served).
    pub value: f64,
    /// Whether it meets the target.
    pub met: bool,
    /// Waits of the measured dialogs (all seeds).
    pub wait: Spread,
}

/// The answer for one hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourPlan {
    /// Local hour, `YYYY-MM-DD HH:00`.
    pub hour: String,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Dialogs measured per seed (mean over seeds).
    pub dialogs: f64,
    /// Offered load in Erlangs: arrivals per hour times mean handling hours.
    pub offered_load: f64,
    /// The fewest operators meeting the target; `None` if not even `max_operators` do.
    pub operators: Option<u32>,
    /// What Erlang C says for the same load if every chat were independent (each
    /// operator `capacity` chats at once, no forwarding, no schedule): wait targets only.
    pub erlang_c: Option<u32>,
    /// Every operator count tried, ascending.
    pub curve: Vec<CurvePoint>,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffPlan {
    /// The target, as text.
    pub target: String,
    /// Seeds per operator count.
    pub seeds: u32,
    /// Hour by hour.
    pub hours: Vec<HourPlan>,
}

/// `n` operators cycled from the config's (see the module docs).
pub fn pool(config: &Config, n: u32) -> Config {
    let templates = &config.operators;
    let mut out = config.clone();
    if templates.is_empty() {
        return out;
    }
    let made: Vec<(usize, OperatorConfig)> = (0..n as usize)
        .map(|i| {
            let t = i % templates.len();
            let mut op = templates[t].clone();
            if i >= templates.len() {
                op.id = format!("{}~{}", op.id, i / templates.len() + 1);
            }
            (t, op)
        })
        .collect();
    for line in &mut out.lines {
        let members = &line.queue.operators;
        line.queue.operators = made
            .iter()
            .filter(|(t, _)| members.contains(&templates[*t].id))
            .map(|(_, op)| op.id.clone())
            .collect();
    }
    out.operators = made.into_iter().map(|(_, op)| op).collect();
    out
}

/// Dialogs one operator can hold at once in the config (its first operator and line;
/// `u32::MAX` without a limit).
pub fn capacity(config: &Config) -> u32 {
    let limit = |n: u32| if n == 0 { u32::MAX } else { n };
    let op = config.operators.first().map_or(0, |o| o.max_dialogs);
    let line = config.lines.first().map_or(0, |l| l.queue.max_dialogs);
    limit(op).min(limit(line))
}

struct Hour {
    label: String,
    start: DateTime<Utc>,
    /// Arrivals per seed (history: the same for every seed).
    arrivals: Vec<Vec<Arrival>>,
}

fn local_hour(at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz);
    at - Duration::seconds(i64::from(local.minute() * 60 + local.second()))
        - Duration::nanoseconds(i64::from(local.nanosecond()))
}

fn label(start: DateTime<Utc>, tz: Tz) -> String {
    start
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:00")
        .to_string()
}

fn hours(params: &StaffParams, traffic: &Traffic) -> Vec<Hour> {
    let warmup = Duration::hours(i64::from(params.warmup_hours));
    match traffic {
        Traffic::PerHour {
            start,
            counts,
            line,
        } => counts
            .iter()
            .enumerate()
            .map(|(h, &rate)| {
                let begin = *start + Duration::hours(h as i64);
                let rates = vec![rate; params.warmup_hours as usize + 1];
                let arrivals = (0..params.seeds)
                    .map(|s| {
                        let mut rng =
                            Rng::new(params.seed.wrapping_add(u64::from(s)) ^ ((h as u64) << 32));
                        poisson(line, begin - warmup, &rates, &mut rng)
                    })
                    .collect();
                Hour {
                    label: label(begin, params.tz),
                    start: begin,
                    arrivals,
                }
            })
            .collect(),
        Traffic::History(all) => {
            let (Some(first), Some(last)) = (all.first(), all.last()) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            let mut begin = local_hour(first.at, params.tz);
            while begin <= last.at {
                let from = all.partition_point(|a| a.at < begin);
                let to = all.partition_point(|a| a.at < begin + Duration::hours(1));
                let arrivals = with_warmup(&all[from..to], params.warmup_hours);
                out.push(Hour {
                    label: label(begin, params.tz),
                    start: begin,
                    arrivals: vec![arrivals; params.seeds as usize],
                });
                begin += Duration::hours(1);
            }
            out
        }
    }
}

/// The hour's own arrivals, preceded by copies of them `warmup` hours, `warmup - 1`
/// hours, ... earlier (clients `ID#w1`, `ID#w2`, ...): the hour as a steady state.
fn with_warmup(hour: &[Arrival], warmup: u32) -> Vec<Arrival> {
    let mut out = Vec::with_capacity(hour.len() * (warmup as usize + 1));
    for k in (1..=warmup).rev() {
        out.extend(hour.iter().map(|a| Arrival {
            at: a.at - Duration::hours(i64::from(k)),
            client: format!("{}#w{k}", a.client),
            ..a.clone()
        }));
    }
    out.extend_from_slice(hour);
    out
}

fn evaluate(params: &StaffParams, hour: &Hour, operators: u32) -> Result<CurvePoint, Error> {
    let config = pool(&params.config, operators);
    let end = hour.start + Duration::hours(1);
    let mut measured: Vec<DialogRecord> = Vec::new();
    for (s, arrivals) in hour.arrivals.iter().enumerate() {
        let seed = params.seed.wrapping_add(s as u64);
        let run = run(&config, arrivals, &params.model, seed)?;
        measured.extend(
            run.observed
                .dialogs
                .into_iter()
                .filter(|r| r.opened >= hour.start && r.opened < end),
        );
    }
    let value = params.target.value(&measured);
    Ok(CurvePoint {
        operators,
        value,
        met: params.target.met(value),
        wait: Spread::of(waits(&measured)),
    })
}

fn plan_hour(params: &StaffParams, hour: &Hour) -> Result<HourPlan, Error> {
    let start = hour.start;
    let end = start + Duration::hours(1);
    let in_hour = |a: &&Arrival| a.at >= start && a.at < end;
    let seeds = hour.arrivals.len().max(1) as f64;
    let count: usize = hour
        .arrivals
        .iter()
        .map(|a| a.iter().filter(in_hour).count())
        .sum();
    let handling: f64 = hour
        .arrivals
        .iter()
        .flat_map(|a| a.iter().filter(in_hour))
        .map(|a| a.handling_secs.unwrap_or(params.model.handling_secs))
        .sum();
    let mut plan = HourPlan {
        hour: hour.label.clone(),
        start,
        dialogs: count as f64 / seeds,
        offered_load: handling / seeds / 3600.0,
        operators: (count == 0).then_some(0),
        erlang_c: None,
        curve: Vec::new(),
    };
    if count > 0 {
        let mean_handling = handling / count as f64;
        plan.erlang_c = erlang::operators_needed(
            count as f64 / seeds / 3600.0,
            mean_handling,
            capacity(&params.config),
            &params.target,
            params.max_operators,
        );
    }
    if count == 0 {
        return Ok(plan);
    }
    let cap = f64::from(capacity(&params.config));
    let guess = ((plan.offered_load / cap).floor() as u32).clamp(1, params.max_operators.max(1));
    let mut tried: BTreeMap<u32, CurvePoint> = BTreeMap::new();
    let at = |n: u32, tried: &mut BTreeMap<u32, CurvePoint>| -> Result<bool, Error> {
        if let Some(p) = tried.get(&n) {
            return Ok(p.met);
        }
        let p = evaluate(params, hour, n)?;
        let met = p.met;
        tried.insert(n, p);
        Ok(met)
    };
    let mut n = guess;
    if at(n, &mut tried)? {
        while n > 1 && at(n - 1, &mut tried)? {
            n -= 1;
        }
        plan.operators = Some(n);
    } else {
        while n < params.max_operators {
            n += 1;
            if at(n, &mut tried)? {
                plan.operators = Some(n);
                break;
            }
        }
    }
    // The curve around the answer: two counts below (where they exist) and one above.
    if let Some(found) = plan.operators {
        for m in found.saturating_sub(2).max(1)..=(found + 1).min(params.max_operators) {
            at(m, &mut tried)?;
        }
    }
    plan.curve = tried.into_values().collect();
    Ok(plan)
}

/// The whole traffic once more (seed `params.seed`) with the plan as the roster: each
/// hour's operators online during it (`max_operators` where the target was not met):
/// what the day looks like when staffed as planned.
pub fn planned_day(
    params: &StaffParams,
    traffic: &Traffic,
    plan: &StaffPlan,
) -> Result<crate::traffic::Run, Error> {
    let arrivals = match traffic {
        Traffic::History(all) => all.clone(),
        Traffic::PerHour {
            start,
            counts,
            line,
        } => poisson(line, *start, counts, &mut Rng::new(params.seed)),
    };
    let roster: Vec<(DateTime<Utc>, u32)> = plan
        .hours
        .iter()
        .map(|h| (h.start, h.operators.unwrap_or(params.max_operators)))
        .collect();
    let most = roster.iter().map(|r| r.1).max().unwrap_or(0);
    crate::traffic::run_roster(
        &pool(&params.config, most),
        &arrivals,
        &params.model,
        params.seed,
        &roster,
    )
}

/// Find the fewest operators per hour (see the module docs).
pub fn staff(params: &StaffParams, traffic: &Traffic) -> Result<StaffPlan, Error> {
    let hours = hours(params, traffic)
        .iter()
        .map(|h| plan_hour(params, h))
        .collect::<Result<_, _>>()?;
    Ok(StaffPlan {
        target: params.target.to_string(),
        seeds: params.seeds,
        hours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_repeats_the_hour_before_it() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 9, 30, 0).unwrap();
        let a = Arrival {
            at,
            line: "l".into(),
            client: "c".into(),
            handling_secs: Some(5.0),
            language: String::new(),
            skills: Vec::new(),
            row: 7,
        };
        let out = with_warmup(std::slice::from_ref(&a), 2);
        let got: Vec<(i64, &str)> = out
            .iter()
            .map(|x| ((x.at - at).num_hours(), x.client.as_str()))
            .collect();
        assert_eq!(got, [(-2, "c#w2"), (-1, "c#w1"), (0, "c")]);
        assert!(out.iter().all(|x| x.handling_secs == Some(5.0)));
    }

    #[test]
    fn pool_cycles_operators_and_their_queues() {
        let config = Config::from_json(
            r#"{"operators": [{"id": "a", "max_dialogs": 2, "skills": ["x"]}, {"id": "b"}],
                "lines": [{"id": "one", "queue": {"operators": ["a"]}},
                          {"id": "two", "queue": {"operators": ["b", "a"]}}]}"#,
        )
        .unwrap();
        let p = pool(&config, 5);
        let ids: Vec<&str> = p.operators.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "a~2", "b~2", "a~3"]);
        assert_eq!(p.operators[4].max_dialogs, 2);
        assert_eq!(p.operators[4].skills, ["x"]);
        assert_eq!(p.lines[0].queue.operators, ["a", "a~2", "a~3"]);
        assert_eq!(p.lines[1].queue.operators, ["a", "b", "a~2", "b~2", "a~3"]);
        assert_eq!(pool(&config, 1).operators.len(), 1);
        assert!(openlines::Engine::new(p).is_ok());
        assert_eq!(capacity(&config), 2);
    }
}
