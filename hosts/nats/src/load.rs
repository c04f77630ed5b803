//! `load`: a multi-tenant workload. Each tenant gets a simulated day from the core
//! crate's workload generator (the standard day's shape: arrivals with a lunch peak,
//! shifts, breaks, accepts, skips, replies, ratings, ticks at every deadline), with
//! its own size and seed; the days are merged in time order and published. Every
//! fourth tenant changes a line's config mid-day (`set_line` on the stream), and
//! `--bad-every N` mixes in bad records the workers must dead-letter.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;
use openlines_sim::{DayParams, simulate_day};
use serde_json::{Value, json};

use crate::cluster::{Cluster, Result};
use crate::envelope::{CREATE_TENANT, Envelope};
use crate::ingest::Ingest;
use crate::log;

/// Arguments of `load`.
#[derive(Args, Debug, Clone)]
pub struct LoadArgs {
    /// How many tenants.
    #[arg(long, default_value_t = 60)]
    pub tenants: usize,
    /// Dialogs per tenant-day (each tenant gets between half and all of it).
    #[arg(long, default_value_t = 120)]
    pub dialogs: usize,
    /// Operators per tenant (each tenant gets this plus 0-4).
    #[arg(long, default_value_t = 6)]
    pub operators: usize,
    /// Seed: the same seed gives the same records.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Publish at most this many records per second (0 = as fast as possible).
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// After every N-th record add a bad one (malformed, unknown tenant, rejected input); 0 = none.
    #[arg(long, default_value_t = 0)]
    pub bad_every: usize,
    /// Print the records as JSON lines instead of publishing them (for `ingest`).
    #[arg(long)]
    pub print: bool,
}

/// One record of the merged workload, sortable by time.
struct Timed {
    at: DateTime<Utc>,
    tenant: usize,
    order: usize,
    line: String,
}

/// The tenant ids of a workload: `t000`, `t001`, ...
pub fn tenant_id(index: usize) -> String {
    format!("t{index:03}")
}

/// Generate the workload's records, merged in time order (per tenant in its own order).
pub fn records(args: &LoadArgs) -> Result<Vec<String>> {
    let mut timed = Vec::new();
    for index in 0..args.tenants {
        timed.extend(tenant_day(args, index)?);
    }
    timed.sort_by_key(|t| (t.at, t.tenant, t.order));
    let mut lines = Vec::with_capacity(timed.len() + timed.len() / args.bad_every.max(1));
    for (n, record) in timed.iter().enumerate() {
        lines.push(record.line.clone());
        if args.bad_every > 0 && (n + 1).is_multiple_of(args.bad_every) {
            lines.push(bad_record((n + 1) / args.bad_every, record));
        }
    }
    Ok(lines)
}

/// One tenant's day: its creation, its inputs, and for every fourth tenant a
/// config change at midday.
fn tenant_day(args: &LoadArgs, index: usize) -> Result<Vec<Timed>> {
    let seed = args.seed.wrapping_mul(1000).wrapping_add(index as u64);
    let params = DayParams {
        operators: args.operators.max(1) + index % 5,
        dialogs: args.dialogs / 2 + (seed as usize * 7919) % (args.dialogs / 2 + 1),
        lines: 1 + index % 3,
        seed,
        record: true,
        ..DayParams::default()
    };
    let day = simulate_day(&params).map_err(|e| format!("workload: {e}"))?;
    let tenant = tenant_id(index);
    let first_at = day
        .inputs
        .first()
        .map_or_else(crate::log::wall_now, |(at, _)| *at);
    let config = serde_json::to_value(&day.config)?;
    let mut records = vec![record(
        &tenant,
        index,
        0,
        first_at,
        json!({"type": CREATE_TENANT, "config": config}),
    )];
    let midday = day.inputs.len() / 2;
    for (i, (at, input)) in day.inputs.iter().enumerate() {
        if index.is_multiple_of(4) && i == midday {
            records.push(record(
                &tenant,
                index,
                records.len(),
                *at,
                config_change(&config),
            ));
        }
        records.push(record(
            &tenant,
            index,
            records.len(),
            *at,
            serde_json::to_value(input)?,
        ));
    }
    Ok(records)
}

fn record(tenant: &str, index: usize, order: usize, at: DateTime<Utc>, input: Value) -> Timed {
    let envelope = Envelope {
        tenant: tenant.to_owned(),
        at,
        input,
    };
    Timed {
        at,
        tenant: index,
        order,
        line: envelope.to_line(),
    }
}

/// A `set_line` that gives the first line a slower offer timeout.
fn config_change(config: &Value) -> Value {
    let mut line = config["lines"][0].clone();
    line["queue"]["forward_after_secs"] = json!(90);
    json!({"type": "set_line", "line": line})
}

/// The `n`-th bad record, placed after `after` (same tenant and time when it needs one).
fn bad_record(n: usize, after: &Timed) -> String {
    let tenant = tenant_id(after.tenant);
    let at = after.at;
    match n % 4 {
        0 => format!("{{\"tenant\": \"{tenant}\", \"at\": oops"),
        1 => json!({"tenant": "ghost", "at": at, "input": {"type": "tick"}}).to_string(),
        2 => json!({"tenant": tenant, "at": at,
                    "input": {"type": "accept", "dialog": 999_999, "operator": "nobody"}})
        .to_string(),
        _ => json!({"tenant": "bad tenant", "at": at, "input": {"type": "tick"}}).to_string(),
    }
}

/// Run `load`.
pub async fn run(cluster: &Cluster, args: LoadArgs) -> Result<ExitCode> {
    let lines = records(&args)?;
    if args.print {
        let mut stdout = std::io::stdout().lock();
        for line in &lines {
            writeln!(stdout, "{line}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let mut ingest = Ingest::new(cluster, Some(format!("load-{}", args.seed)));
    for (n, line) in lines.iter().enumerate() {
        ingest.line(line).await?;
        pace(args.rate, n as u64 + 1, started).await;
    }
    let duplicates = ingest.finish().await?;
    log::event(
        "loaded",
        json!({"records": lines.len(), "tenants": args.tenants, "duplicates": duplicates,
               "millis": started.elapsed().as_millis() as u64}),
    );
    Ok(ExitCode::SUCCESS)
}

/// Sleep as needed to keep `sent` records within `rate` per second.
async fn pace(rate: u64, sent: u64, started: Instant) {
    if rate == 0 || !sent.is_multiple_of(50) {
        return;
    }
    let due = Duration::from_secs_f64(sent as f64 / rate as f64);
    if let Some(wait) = due.checked_sub(started.elapsed()) {
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenants::Tenants;

    fn small() -> LoadArgs {
        LoadArgs {
            tenants: 4,
            dialogs: 20,
            operators: 3,
            seed: 7,
            rate: 0,
            bad_every: 50,
            print: true,
        }
    }

    #[test]
    fn same_seed_same_records() {
        assert_eq!(records(&small()).unwrap(), records(&small()).unwrap());
    }

    #[test]
    fn every_tenant_is_created_before_its_inputs_and_bad_records_are_rejected() {
        let lines = records(&small()).unwrap();
        let mut tenants = Tenants::new();
        let mut reasons = std::collections::BTreeSet::new();
        let mut actions = 0;
        for (seq, line) in (1..).zip(&lines) {
            let applied = tenants.apply(seq, line.as_bytes());
            actions += applied.actions.len();
            if let Some(r) = applied.rejection {
                reasons.insert(r.reason);
            }
        }
        assert_eq!(tenants.len(), 4);
        assert!(
            actions > lines.len() / 2,
            "{actions} actions for {} records",
            lines.len()
        );
        for reason in ["malformed", "unknown_tenant", "invalid_tenant"] {
            assert!(reasons.contains(reason), "{reasons:?}");
        }
        assert!(!reasons.contains("tenant_exists"));
    }

    /// Every action of a run, keyed like the published messages: (seq, index, action).
    fn run_through(
        tenants: &mut Tenants,
        lines: &[String],
        from: u64,
    ) -> Vec<(u64, usize, String)> {
        let mut out = Vec::new();
        for (seq, line) in (from..).zip(lines) {
            let applied = tenants.apply(seq, line.as_bytes());
            for (i, a) in applied.actions.iter().enumerate() {
                out.push((seq, i, serde_json::to_string(a).unwrap()));
            }
        }
        out
    }

    #[test]
    fn a_takeover_from_any_checkpoint_derives_the_same_actions() {
        let lines = records(&small()).unwrap();
        let expected = run_through(&mut Tenants::new(), &lines, 1);
        for cut in [lines.len() / 3, lines.len() / 2, lines.len() - 5] {
            // The first owner runs up to `cut` and checkpoints every tenant.
            let mut first = Tenants::new();
            let mut actions = run_through(&mut first, &lines[..cut], 1);
            let mut second = Tenants::new();
            for (tenant, state) in first.iter() {
                let bytes = state.engine.snapshot_bytes();
                let engine = openlines::Engine::restore_bytes(&bytes).unwrap();
                second.restore(tenant.clone(), engine, state.last_seq);
            }
            // The first owner got a bit further before it died: replay re-derives
            // those actions under the same keys (a downstream set keeps one copy).
            let mut extra = run_through(&mut first, &lines[cut..cut + 3], cut as u64 + 1);
            let replayed = run_through(&mut second, &lines[cut..], cut as u64 + 1);
            extra.retain(|a| !replayed.contains(a));
            assert!(extra.is_empty(), "a re-derived action differs: {extra:?}");
            actions.extend(replayed);
            assert_eq!(actions, expected, "takeover after record {cut}");
        }
    }
}
