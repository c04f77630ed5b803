//! The staffing plan under statistical control (`openlines staff`).
//!
//! Method (documented in `docs/simulation.md`):
//!
//! - **Replications.** Each hour is simulated as a steady state: `warmup_hours` of the
//!   hour's traffic, then the measured hour. Replication `r` of an hour has its own
//!   arrivals (drawn: Poisson at the hour's rate; history: the hour's own arrivals
//!   repeated) with every handling time drawn in advance and attached to its arrival,
//!   and its own operator-model seed.
//! - **Common random numbers.** Replication `r` is the same traffic, with the same
//!   handling times, for every operator count: the counts differ by the operators
//!   alone, so "n meets, n - 1 does not" is not decided by luck of the draw.
//! - **The figure and its interval.** The target is decided on a ratio over all the
//!   replications' dialogs: for `mean_*` the mean itself, for `pNN_*` the share of
//!   dialogs over the limit (pooled pNN <= limit exactly when at most 100 - NN % of
//!   dialogs are over it). Its 99% confidence interval comes from the spread across
//!   replications (ratio estimator, Student t).
//! - **Sequential search.** Starting from Erlang C's count (wait targets) or the
//!   offered load, the search walks to the `n` where `n` meets and `n - 1` does not;
//!   replications are doubled (from `min_replications`, or enough for `min_dialogs`
//!   measured dialogs, up to `max_replications` or `max_dialogs`) until
//!   both intervals are clear of the threshold, or an interval is narrower than
//!   `tolerance` × the threshold on each side (the two are then equal within the
//!   stated tolerance, decided by the point estimate, and the hour says so).

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use openlines::Config;
use openlines_sim::arrivals::poisson;
use openlines_sim::erlang;
use openlines_sim::observe::DialogRecord;
use openlines_sim::staff::{capacity, pool};
use openlines_sim::target::{Measure, Stat};
use openlines_sim::traffic::{run, run_roster};
use openlines_sim::{Arrival, OperatorModel, Rng, Target};
use serde::Serialize;

/// The traffic to staff for (the simulator's own description of it).
pub use openlines_sim::Traffic;

/// How to search.
#[derive(Debug, Clone)]
pub struct Params {
    /// The config whose routing rules and operators (as templates) are used.
    pub config: Config,
    /// How simulated operators behave.
    pub model: OperatorModel,
    /// What each hour must meet.
    pub target: Target,
    /// First seed.
    pub seed: u64,
    /// Hours of traffic simulated before each measured hour.
    pub warmup_hours: u32,
    /// The most operators tried per hour.
    pub max_operators: u32,
    /// Replications per operator count to start with.
    pub min_replications: u32,
    /// The most replications per operator count.
    pub max_replications: u32,
    /// Start with at least this many measured dialogs per count (replications scaled
    /// up for quiet hours: a mean or share over a few hundred skewed waits has an
    /// optimistic interval).
    pub min_dialogs: u32,
    /// Allow up to this many measured dialogs per count (replications scaled up for
    /// quiet hours beyond `max_replications`).
    pub max_dialogs: u32,
    /// Half-width of the interval, as a share of the threshold, below which two
    /// figures on either side are called equal.
    pub tolerance: f64,
    /// Time zone of the hours.
    pub tz: Tz,
}

/// Where a figure stands against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole 99% interval meets the target.
    Meets,
    /// The whole 99% interval misses it.
    Misses,
    /// The interval straddles the threshold but is narrower than the tolerance: equal
    /// within the tolerance (decided by the point estimate).
    Close,
    /// Not decided yet (more replications needed).
    Open,
}

/// The decision figure of some dialogs and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The target's own statistic over all dialogs pooled, seconds (infinite: some
    /// dialog never served).
    pub value: f64,
    /// What is compared with the threshold: the mean (seconds) for mean targets, the
    /// share of dialogs over the limit for percentile targets.
    pub ratio: f64,
    /// Half-width of its 99% confidence interval.
    pub half_width: f64,
    /// What `ratio` must not exceed.
    pub threshold: f64,
    /// Replications behind it.
    pub replications: u32,
    /// Dialogs behind it.
    pub dialogs: u64,
    /// Where it stands.
    pub verdict: Verdict,
}

impl Estimate {
    /// Whether the point estimate meets the target.
    pub fn met(&self) -> bool {
        self.ratio <= self.threshold
    }
}

/// One replication's dialogs for a target: the ratio's numerator and denominator,
/// and the values for the pooled statistic.
#[derive(Debug, Clone, Default)]
struct Sample {
    num: f64,
    den: f64,
    values: Vec<f64>,
}

fn sample(target: &Target, records: &[&DialogRecord]) -> Sample {
    let values: Vec<f64> = records.iter().map(|r| target.measure_of(r)).collect();
    let num = match target.stat {
        Stat::Mean => values.iter().sum(),
        Stat::Percentile(_) => values.iter().filter(|v| **v > target.limit_secs).count() as f64,
    };
    Sample {
        num,
        den: values.len() as f64,
        values,
    }
}

/// The two-sided confidence of the intervals the search decides on: 99%, not 95%,
/// because it looks at each figure several times as replications are added (and a
/// t-interval on few skewed replications is optimistic).
pub const CONFIDENCE: f64 = 0.99;

/// The 99.5% quantile of Student's t with `df` degrees of freedom (Cornish-Fisher
/// expansion around the normal; within 1% from 5 degrees of freedom on).
pub fn t_quantile(df: f64) -> f64 {
    let z: f64 = 2.575_829;
    let df = df.max(1.0);
    z + (z.powi(3) + z) / (4.0 * df)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * df.powi(3))
}

/// The target's threshold on the ratio.
pub fn threshold(target: &Target) -> f64 {
    match target.stat {
        Stat::Mean => target.limit_secs,
        Stat::Percentile(p) => 1.0 - f64::from(p) / 100.0,
    }
}

fn estimate(target: &Target, samples: &[&Sample], tolerance: f64) -> Estimate {
    let thr = threshold(target);
    let reps = samples.len();
    let num: f64 = samples.iter().map(|s| s.num).sum();
    let den: f64 = samples.iter().map(|s| s.den).sum();
    let mut all: Vec<f64> = samples
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .collect();
    let value = target.value_of(&mut all);
    let mut e = Estimate {
        value,
        ratio: 0.0,
        half_width: 0.0,
        threshold: thr,
        replications: reps as u32,
        dialogs: den as u64,
        verdict: Verdict::Meets,
    };
    if den == 0.0 {
        return e;
    }
    if !num.is_finite() {
        e.ratio = f64::INFINITY;
        e.verdict = Verdict::Misses;
        return e;
    }
    let ratio = num / den;
    e.ratio = ratio;
    if reps < 2 {
        e.half_width = f64::INFINITY;
        e.verdict = Verdict::Open;
        return e;
    }
    let mean_den = den / reps as f64;
    let ss: f64 = samples
        .iter()
        .map(|s| (s.num - ratio * s.den).powi(2))
        .sum();
    let var = ss / ((reps - 1) as f64 * reps as f64 * mean_den * mean_den);
    e.half_width = t_quantile((reps - 1) as f64) * var.sqrt();
    e.verdict = if ratio + e.half_width <= thr {
        Verdict::Meets
    } else if ratio - e.half_width > thr {
        Verdict::Misses
    } else if e.half_width <= tolerance * thr {
        Verdict::Close
    } else {
        Verdict::Open
    };
    e
}

/// One operator count of an hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Operators online.
    pub operators: u32,
    /// The figure and its interval.
    pub estimate: Estimate,
}

/// The answer for one hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourPlan {
    /// Local hour, `YYYY-MM-DD HH:00`.
    pub hour: String,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Arrivals per hour Erlang C is given: the rate asked for (`--per-hour`) or the
    /// hour's count in the CSV.
    pub rate_per_hour: f64,
    /// Mean handling seconds of the hour.
    pub handling_secs: f64,
    /// Offered load in Erlangs: rate times mean handling hours.
    pub offered_load: f64,
    /// The fewest operators meeting the target in the steady-state search; `None` if
    /// not even `max_operators` do.
    pub operators: Option<u32>,
    /// Erlang C's count for the same rate and handling, each operator `capacity`
    /// independent chats (M/M/(c·k)): wait targets only.
    pub erlang_c: Option<u32>,
    /// The answer and the count below it are equal to the target within the tolerance
    /// (the interval could not separate them): decided by the point estimate.
    pub close_call: bool,
    /// Every operator count measured, ascending.
    pub curve: Vec<CurvePoint>,
}

/// One measured hour: its traffic and the replications run so far.
struct Hour {
    index: usize,
    label: String,
    start: DateTime<Utc>,
    rate: f64,
    handling: f64,
    /// Drawn traffic's line (empty for history).
    line: String,
    /// History: the hour's own arrivals.
    own: Vec<Arrival>,
    /// Arrivals per replication (warm-up included), every handling time filled in.
    reps: Vec<Vec<Arrival>>,
    /// Per operator count, one sample per replication run so far.
    runs: std::collections::BTreeMap<u32, Vec<Sample>>,
}

fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Attach a handling time to every arrival without one (the model's draw).
fn with_handling(mut arrivals: Vec<Arrival>, model: &OperatorModel, rng: &mut Rng) -> Vec<Arrival> {
    for a in &mut arrivals {
        if a.handling_secs.is_none() {
            a.handling_secs = Some(if model.fixed_handling {
                model.handling_secs
            } else {
                rng.exp(model.handling_secs)
            });
        }
    }
    arrivals
}

/// The hour's own arrivals, preceded by copies of them `warmup`, `warmup - 1`, ...
/// hours earlier (clients `ID#wK`).
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

/// The hours of the traffic: start, label, rate per hour, the hour's arrivals (history).
fn hour_starts(traffic: &Traffic, tz: Tz) -> Vec<(DateTime<Utc>, f64, Vec<Arrival>)> {
    match traffic {
        Traffic::PerHour { start, counts, .. } => counts
            .iter()
            .enumerate()
            .map(|(h, &rate)| (*start + Duration::hours(h as i64), rate, Vec::new()))
            .collect(),
        Traffic::History(all) => {
            let (Some(first), Some(last)) = (all.first(), all.last()) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            let mut begin = local_hour(first.at, tz);
            while begin <= last.at {
                let from = all.partition_point(|a| a.at < begin);
                let to = all.partition_point(|a| a.at < begin + Duration::hours(1));
                let hour = all[from..to].to_vec();
                out.push((begin, hour.len() as f64, hour));
                begin += Duration::hours(1);
            }
            out
        }
    }
}

impl Hour {
    fn new(
        params: &Params,
        traffic: &Traffic,
        index: usize,
        start: DateTime<Utc>,
        rate: f64,
        own: Vec<Arrival>,
    ) -> Hour {
        let handling = if own.is_empty() {
            params.model.handling_secs
        } else {
            own.iter()
                .map(|a| a.handling_secs.unwrap_or(params.model.handling_secs))
                .sum::<f64>()
                / own.len() as f64
        };
        Hour {
            index,
            label: label(start, params.tz),
            start,
            rate,
            handling,
            line: match traffic {
                Traffic::PerHour { line, .. } => line.clone(),
                Traffic::History(_) => String::new(),
            },
            own,
            reps: Vec::new(),
            runs: Default::default(),
        }
    }

    /// Replication `r`'s arrivals (warm-up included).
    fn replication(&mut self, params: &Params, r: usize) -> &[Arrival] {
        while self.reps.len() <= r {
            let k = self.reps.len() as u64;
            let mut rng = Rng::new(mix(params.seed, self.index as u64 + 1, 2 * k + 1));
            let warmup = Duration::hours(i64::from(params.warmup_hours));
            let arrivals = if self.line.is_empty() {
                with_warmup(&self.own, params.warmup_hours)
            } else {
                let rates = vec![self.rate; params.warmup_hours as usize + 1];
                poisson(&self.line, self.start - warmup, &rates, &mut rng)
            };
            self.reps
                .push(with_handling(arrivals, &params.model, &mut rng));
        }
        &self.reps[r]
    }

    fn model_seed(&self, params: &Params, r: usize) -> u64 {
        mix(params.seed, self.index as u64 + 1, 2 * r as u64 + 2)
    }

    /// Run `n` operators on the first `reps` replications (those not run yet).
    fn ensure(&mut self, params: &Params, n: u32, reps: usize) -> Result<(), String> {
        let done = self.runs.get(&n).map_or(0, Vec::len);
        if done >= reps {
            return Ok(());
        }
        let config = pool(&params.config, n);
        let end = self.start + Duration::hours(1);
        let mut new = Vec::new();
        for r in done..reps {
            let seed = self.model_seed(params, r);
            let start = self.start;
            let arrivals = self.replication(params, r);
            let out = run(&config, arrivals, &params.model, seed).map_err(|e| e.to_string())?;
            let measured: Vec<&DialogRecord> = out
                .observed
                .dialogs
                .iter()
                .filter(|d| d.opened >= start && d.opened < end)
                .collect();
            new.push(sample(&params.target, &measured));
        }
        self.runs.entry(n).or_default().extend(new);
        Ok(())
    }

    fn estimate(&self, params: &Params, n: u32) -> Option<Estimate> {
        let runs = self.runs.get(&n)?;
        let refs: Vec<&Sample> = runs.iter().collect();
        Some(estimate(&params.target, &refs, params.tolerance))
    }
}

/// Erlang C's count (wait targets; M/M/(c·k) with `k` = the config's capacity).
pub fn erlang_count(params: &Params, rate_per_hour: f64, handling_secs: f64) -> Option<u32> {
    erlang::operators_needed(
        rate_per_hour / 3600.0,
        handling_secs,
        capacity(&params.config),
        &params.target,
        params.max_operators,
    )
}

/// Whether a figure counts as meeting the target once the search stops refining it.
fn final_met(e: &Estimate) -> bool {
    match e.verdict {
        Verdict::Meets => true,
        Verdict::Misses => false,
        Verdict::Close | Verdict::Open => e.met(),
    }
}

fn decided(e: &Estimate) -> bool {
    matches!(e.verdict, Verdict::Meets | Verdict::Misses | Verdict::Close)
}

fn plan_hour(params: &Params, hour: &mut Hour) -> Result<HourPlan, String> {
    let cap = capacity(&params.config).min(1_000);
    let load = hour.rate * hour.handling / 3600.0;
    let mut plan = HourPlan {
        hour: hour.label.clone(),
        start: hour.start,
        rate_per_hour: hour.rate,
        handling_secs: hour.handling,
        offered_load: load,
        operators: None,
        erlang_c: if hour.rate > 0.0 {
            erlang_count(params, hour.rate, hour.handling)
        } else {
            Some(0)
        },
        close_call: false,
        curve: Vec::new(),
    };
    if hour.rate <= 0.0 {
        plan.operators = Some(0);
        return Ok(plan);
    }
    let max = params.max_operators.max(1);
    let guess = plan
        .erlang_c
        .unwrap_or_else(|| (load / f64::from(cap)).ceil() as u32)
        .clamp(1, max);
    let mut n = guess;
    let per_dialogs = |d: u32| (f64::from(d) / hour.rate).ceil() as usize;
    let mut reps = (params.min_replications.max(2) as usize).max(per_dialogs(params.min_dialogs));
    let most = (params.max_replications as usize)
        .max(per_dialogs(params.max_dialogs))
        .max(reps);
    let mut answer = None;
    for _ in 0..200 {
        hour.ensure(params, n, reps)?;
        let at_n = hour.estimate(params, n).expect("just run");
        let refine = reps < most;
        let n_met = if refine {
            at_n.verdict == Verdict::Meets || at_n.verdict == Verdict::Close && at_n.met()
        } else {
            final_met(&at_n)
        };
        let n_missed = at_n.verdict == Verdict::Misses
            || (!refine || at_n.verdict == Verdict::Close) && !at_n.met();
        if n_missed {
            if n >= max {
                break;
            }
            n += 1;
            continue;
        }
        let below = if n > 1 {
            hour.ensure(params, n - 1, reps)?;
            hour.estimate(params, n - 1)
        } else {
            None
        };
        let below_met = below.is_some_and(|b| {
            b.verdict == Verdict::Meets || (!refine || b.verdict == Verdict::Close) && b.met()
        });
        if below_met {
            n -= 1;
            continue;
        }
        let below_decided = below.as_ref().is_none_or(decided);
        if n_met && below_decided || !refine {
            plan.close_call = at_n.verdict == Verdict::Close
                || below.is_some_and(|b| b.verdict == Verdict::Close)
                || !decided(&at_n)
                || !below_decided;
            answer = Some(n);
            break;
        }
        reps = (reps * 2).min(most);
    }
    plan.operators = answer;
    if let Some(n) = answer
        && n < max
    {
        hour.ensure(params, n + 1, params.min_replications.max(2) as usize)?;
    }
    plan.curve = hour
        .runs
        .keys()
        .filter_map(|&k| {
            Some(CurvePoint {
                operators: k,
                estimate: hour.estimate(params, k)?,
            })
        })
        .collect();
    Ok(plan)
}

/// The steady-state search of every hour.
pub fn search(params: &Params, traffic: &Traffic) -> Result<Vec<HourPlan>, String> {
    hour_starts(traffic, params.tz)
        .into_iter()
        .enumerate()
        .map(|(i, (start, rate, own))| {
            let mut hour = Hour::new(params, traffic, i, start, rate, own);
            plan_hour(params, &mut hour)
        })
        .collect()
}

/// One hour of the whole-day check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayHour {
    /// Local hour, `YYYY-MM-DD HH:00`.
    pub hour: String,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Operators online during it.
    pub operators: u32,
    /// The target's figure over the dialogs opened in the hour, all seeds pooled.
    pub estimate: Estimate,
    /// The figure of one day, across seeds: 10th, 50th and 90th percentile (a single
    /// real day lands in this range 8 times out of 10).
    pub spread: [f64; 3],
    /// The point estimate misses the target.
    pub missed: bool,
}

/// The whole day run with a roster, on several seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayCheck {
    /// Seeds (whole days) run.
    pub seeds: u32,
    /// Hour by hour.
    pub hours: Vec<DayHour>,
    /// The figure over every dialog of the day.
    pub overall: Estimate,
}

impl DayCheck {
    /// The hours that miss the target.
    pub fn missed(&self) -> Vec<String> {
        self.hours
            .iter()
            .filter(|h| h.missed)
            .map(|h| h.hour.clone())
            .collect()
    }
}

/// The whole traffic of seed `s`, with handling times drawn.
fn day_arrivals(params: &Params, traffic: &Traffic, s: u32) -> Vec<Arrival> {
    let mut rng = Rng::new(mix(params.seed, 0xDA7, 2 * u64::from(s) + 1));
    let arrivals = match traffic {
        Traffic::History(all) => all.clone(),
        Traffic::PerHour {
            start,
            counts,
            line,
        } => poisson(line, *start, counts, &mut rng),
    };
    with_handling(arrivals, &params.model, &mut rng)
}

/// Run the whole traffic `seeds` times with `counts[h]` operators online in hour `h`
/// (the last hour's count stays until the end; operators going offline finish what
/// they hold), the backlog of each hour carried into the next.
pub fn check_day(
    params: &Params,
    traffic: &Traffic,
    hours: &[(String, DateTime<Utc>)],
    counts: &[u32],
    seeds: u32,
) -> Result<DayCheck, String> {
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let config = pool(&params.config, most);
    let roster: Vec<(DateTime<Utc>, u32)> = hours
        .iter()
        .zip(counts)
        .map(|((_, start), &n)| (*start, n))
        .collect();
    let mut per_hour: Vec<Vec<Sample>> = vec![Vec::new(); hours.len()];
    let mut overall: Vec<Sample> = Vec::new();
    for s in 0..seeds {
        let arrivals = day_arrivals(params, traffic, s);
        let out = run_roster(
            &config,
            &arrivals,
            &params.model,
            mix(params.seed, 0xDA7, 2 * u64::from(s) + 2),
            &roster,
        )
        .map_err(|e| e.to_string())?;
        let dialogs = &out.observed.dialogs;
        for (h, (_, start)) in hours.iter().enumerate() {
            let end = *start + Duration::hours(1);
            let measured: Vec<&DialogRecord> = dialogs
                .iter()
                .filter(|d| d.opened >= *start && d.opened < end)
                .collect();
            per_hour[h].push(sample(&params.target, &measured));
        }
        let all: Vec<&DialogRecord> = dialogs.iter().collect();
        overall.push(sample(&params.target, &all));
    }
    let hours = hours
        .iter()
        .zip(counts)
        .zip(&per_hour)
        .map(|(((hour, start), &operators), samples)| {
            let refs: Vec<&Sample> = samples.iter().collect();
            let estimate = estimate(&params.target, &refs, params.tolerance);
            let mut figures: Vec<f64> = samples
                .iter()
                .filter(|s| s.den > 0.0)
                .map(|s| params.target.value_of(&mut s.values.clone()))
                .collect();
            figures.sort_by(f64::total_cmp);
            let at = |p: f64| openlines_sim::percentile(&figures, p).unwrap_or(0.0);
            DayHour {
                hour: hour.clone(),
                start: *start,
                operators,
                estimate,
                spread: [at(10.0), at(50.0), at(90.0)],
                missed: !final_met(&estimate),
            }
        })
        .collect();
    let refs: Vec<&Sample> = overall.iter().collect();
    Ok(DayCheck {
        seeds,
        hours,
        overall: estimate(&params.target, &refs, params.tolerance),
    })
}

/// The plan, the day check and the repairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The target, as text.
    pub target: String,
    /// The steady-state search, hour by hour.
    pub hours: Vec<HourPlan>,
    /// Operators per hour after the whole-day repair (the plan to staff).
    pub operators: Vec<u32>,
    /// Operators added per hour by the repair.
    pub added: Vec<u32>,
    /// The whole day with `operators`.
    pub day: DayCheck,
    /// Repair rounds run.
    pub rounds: u32,
    /// Hours the plan still misses (even at `max_operators`, or after the last round).
    pub missed: Vec<String>,
}

/// Search every hour, then check the whole day with carry-over and add operators to
/// every hour that misses until none does (or `max_rounds`, or `max_operators`).
pub fn plan(
    params: &Params,
    traffic: &Traffic,
    day_seeds: u32,
    max_rounds: u32,
) -> Result<Plan, String> {
    let hours = search(params, traffic)?;
    let labels: Vec<(String, DateTime<Utc>)> =
        hours.iter().map(|h| (h.hour.clone(), h.start)).collect();
    let first: Vec<u32> = hours
        .iter()
        .map(|h| h.operators.unwrap_or(params.max_operators))
        .collect();
    let mut operators = first.clone();
    let mut rounds = 0;
    let mut day = check_day(params, traffic, &labels, &operators, day_seeds)?;
    while rounds < max_rounds {
        let mut changed = false;
        for (h, d) in day.hours.iter().enumerate() {
            if d.missed && operators[h] < params.max_operators {
                operators[h] += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        rounds += 1;
        day = check_day(params, traffic, &labels, &operators, day_seeds)?;
    }
    Ok(Plan {
        target: params.target.to_string(),
        added: operators.iter().zip(&first).map(|(a, b)| a - b).collect(),
        missed: day.missed(),
        hours,
        operators,
        day,
        rounds,
    })
}

/// Whether a target is on waits (Erlang C applies).
pub fn is_wait(target: &Target) -> bool {
    target.measure == Measure::Wait
}

/// One whole day (seed `s` of the day check) with `counts[h]` operators in hour `h`.
pub fn one_day(
    params: &Params,
    traffic: &Traffic,
    starts: &[DateTime<Utc>],
    counts: &[u32],
    s: u32,
) -> Result<openlines_sim::Run, String> {
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let roster: Vec<(DateTime<Utc>, u32)> =
        starts.iter().copied().zip(counts.iter().copied()).collect();
    run_roster(
        &pool(&params.config, most),
        &day_arrivals(params, traffic, s),
        &params.model,
        mix(params.seed, 0xDA7, 2 * u64::from(s) + 2),
        &roster,
    )
    .map_err(|e| e.to_string())
}

/// The figure of `n` operators in hour `hour` of the traffic on `replications`
/// replications (steady state, as the search measures it): for checks.
pub fn measure(
    params: &Params,
    traffic: &Traffic,
    hour: usize,
    n: u32,
    replications: u32,
) -> Result<Estimate, String> {
    let (start, rate, own) = hour_starts(traffic, params.tz)
        .into_iter()
        .nth(hour)
        .ok_or("no such hour")?;
    let mut h = Hour::new(params, traffic, hour, start, rate, own);
    h.ensure(params, n, replications as usize)?;
    h.estimate(params, n)
        .ok_or_else(|| "nothing measured".to_owned())
}
