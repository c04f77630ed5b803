//! `openlines staff`: the fewest operators per hour that meet a target (a search under
//! statistical control, then the whole day checked and repaired, optionally a shift
//! rota), as text, JSON or an HTML report.

use std::fmt::Write as _;

use chrono::{TimeZone, Timelike, Utc};
use openlines_sim::summarize;

use crate::plan::{DayCheck, Estimate, Params, Plan, Traffic, Verdict};
use crate::shifts::Rota;
use serde_json::json;

use crate::args::StaffArgs;
use crate::history::{Named, load_arrivals, timezone};
use crate::simulate::{duration, load_config};

/// Run the search and render it.
pub fn run(args: &StaffArgs) -> Result<String, String> {
    let config = load_config(&args.config)?;
    let tz = timezone(args.timezone, &config);
    let mut warnings = Vec::new();
    let (traffic, source) = match &args.arrivals {
        Some(csv) => {
            let file = load_arrivals(csv, &config, tz)?;
            for w in &file.warnings {
                eprintln!("openlines staff: {}: warning: {w}", csv.display());
            }
            warnings = file.warnings;
            let source = format!("{} arrivals from {}", file.arrivals.len(), csv.display());
            (Traffic::History(file.arrivals), source)
        }
        None => {
            let line = match &args.line {
                Some(id) if config.lines.iter().any(|l| &l.id == id) => id.clone(),
                Some(id) => return Err(format!("--line: \"{id}\" is not a line of the config")),
                None => config
                    .lines
                    .first()
                    .map(|l| l.id.clone())
                    .ok_or("the config has no line")?,
            };
            let naive = args
                .date
                .and_hms_opt(args.start_hour, 0, 0)
                .ok_or("--start-hour: not an hour")?;
            let start = tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or("--start-hour: that local hour does not exist (clock change)")?;
            let source = format!(
                "Poisson arrivals per hour ({}) into line {line} from {} {:02}:00",
                args.per_hour
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                args.date,
                args.start_hour
            );
            let traffic = Traffic::PerHour {
                start,
                counts: args.per_hour.clone(),
                line,
            };
            (traffic, source)
        }
    };
    if config.operators.is_empty() {
        return Err(format!(
            "{}: the config has no operator to copy",
            args.config.display()
        ));
    }
    let params = Params {
        config,
        model: args.model.model(),
        target: args.target,
        seed: args.seed,
        warmup_hours: args.warmup_hours,
        max_operators: args.max_operators,
        min_replications: args.seeds,
        max_replications: args.max_seeds.max(args.seeds),
        min_dialogs: args.min_dialogs,
        max_dialogs: args.max_dialogs,
        tolerance: args.tolerance,
        tz,
    };
    let shift_kinds = match &args.shifts {
        Some(text) => Some(crate::shifts::parse_kinds(text).map_err(|e| format!("--shifts: {e}"))?),
        None => None,
    };
    let shift_starts = match &args.shift_starts {
        Some(text) => {
            crate::shifts::parse_starts(text).map_err(|e| format!("--shift-starts: {e}"))?
        }
        None => Vec::new(),
    };
    let plan = crate::plan::plan(&params, &traffic, args.day_seeds, args.repair_rounds)?;
    let starts: Vec<_> = plan.hours.iter().map(|h| h.start).collect();
    let labels: Vec<(String, chrono::DateTime<Utc>)> = plan
        .hours
        .iter()
        .map(|h| (h.hour.clone(), h.start))
        .collect();
    let rota = match &shift_kinds {
        Some(kinds) if !plan.hours.is_empty() => {
            let first_local = plan.hours[0].start.with_timezone(&tz).hour();
            // The rota covering the plan, checked as a whole day; an hour it misses
            // (the backlog moves with the shape of the rota) raises that hour's need
            // to one above the rota's cover, and the rota is solved again.
            let mut need = plan.operators.clone();
            let mut rota = crate::shifts::solve(&need, first_local, kinds, &shift_starts)?;
            let day = |cover: &[u32]| {
                crate::plan::check_day(&params, &traffic, &labels, cover, args.day_seeds)
            };
            let mut check = day(&rota.coverage)?;
            for _ in 0..args.repair_rounds {
                let mut changed = false;
                for (h, d) in check.hours.iter().enumerate() {
                    if d.missed && rota.coverage[h] < params.max_operators {
                        need[h] = need[h].max(rota.coverage[h] + 1);
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
                rota = crate::shifts::solve(&need, first_local, kinds, &shift_starts)?;
                check = day(&rota.coverage)?;
            }
            Some((rota, check))
        }
        _ => None,
    };
    let staffed = rota.as_ref().map_or(&plan.operators, |(r, _)| &r.coverage);
    let run = crate::plan::one_day(&params, &traffic, &starts, staffed, 0)?;
    let day = Named {
        name: if rota.is_some() {
            "the day staffed by the rota (seed 1)"
        } else {
            "the day staffed as planned (seed 1)"
        }
        .to_owned(),
        summary: summarize(&run.observed, tz, chrono::Duration::minutes(15)),
        joined: run.joined,
        inputs: run.inputs,
        actions: run.actions,
        rejected: run.rejected,
    };
    let notes = vec![
        format!("Traffic: {source}; hours in {tz}."),
        format!("Operator model: {}.", args.model.describe()),
        format!(
            "Search: each hour as a steady state after {} hour(s) of warm-up at its traffic, {} to {} replications per operator count (common random numbers; more in quiet hours for at least {} and up to {} dialogs), until the 99% interval at the answer and one below it is clear of the target or narrower than {:.0}% of it; operators cycled from {}.",
            args.warmup_hours,
            params.min_replications,
            params.max_replications,
            args.min_dialogs,
            args.max_dialogs,
            args.tolerance * 100.0,
            args.config.display()
        ),
        format!(
            "Check: the whole day on {} seeds with the backlog carried between hours; {} round(s) of adding operators to missed hours.",
            args.day_seeds, plan.rounds
        ),
    ];
    if let Some(path) = &args.report {
        let title = format!(
            "openlines staff: {} for {}",
            plan.target,
            args.config.display()
        );
        let day = std::slice::from_ref(&day);
        let report = crate::report::Report::staff(title, notes.clone(), &plan, rota.as_ref(), day);
        crate::report::write(path, &report)?;
    }
    if args.json {
        let rota_json = rota
            .as_ref()
            .map(|(r, check)| json!({"rota": r, "day": check, "missed": check.missed()}));
        let value = json!({"plan": plan, "shifts": rota_json, "planned_day": day, "notes": notes, "warnings": warnings});
        return Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
    }
    Ok(text(&plan, rota.as_ref(), &notes, &day))
}

/// Seconds as a duration, "never" when infinite.
pub fn secs(v: f64) -> String {
    if v.is_finite() {
        duration(v.round() as i64)
    } else {
        "never".to_owned()
    }
}

fn count(n: Option<u32>) -> String {
    n.map_or_else(|| "more".to_owned(), |n| n.to_string())
}

/// The decision figure with its interval: "8.1% ± 1.2% over 60s" or "41s ± 3s".
pub fn interval(e: &Estimate, target: &openlines_sim::Target) -> String {
    if !e.ratio.is_finite() {
        return "some never served".to_owned();
    }
    if crate::plan::threshold(target) == target.limit_secs
        && matches!(target.stat, openlines_sim::target::Stat::Mean)
    {
        format!("mean {} ± {}", secs(e.ratio), secs(e.half_width))
    } else {
        format!(
            "{:.1}% ± {:.1}% over {}",
            e.ratio * 100.0,
            e.half_width * 100.0,
            secs(target.limit_secs)
        )
    }
}

fn mark(e: &Estimate) -> &'static str {
    match e.verdict {
        Verdict::Meets => "+",
        Verdict::Misses => "-",
        Verdict::Close => "~",
        Verdict::Open => "?",
    }
}

/// The plan for people.
pub fn text(plan: &Plan, rota: Option<&(Rota, DayCheck)>, notes: &[String], day: &Named) -> String {
    let target: openlines_sim::Target = plan.target.parse().unwrap_or(openlines_sim::Target {
        stat: openlines_sim::target::Stat::Mean,
        measure: openlines_sim::target::Measure::Wait,
        limit_secs: 0.0,
    });
    let stat = plan.target.split("<=").next().unwrap_or("value").to_owned();
    let mut out = String::new();
    let _ = writeln!(out, "openlines staff: target {}", plan.target);
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    let _ = writeln!(
        out,
        "\nhour              rate/h  load (Erl)  search  Erlang C*  plan  whole day: {stat} [10%-90% of days]  share/mean ± 99%"
    );
    for (i, h) in plan.hours.iter().enumerate() {
        let d = &plan.day.hours[i];
        let _ = writeln!(
            out,
            "{:<17} {:>6.1} {:>11.2} {:>6}{} {:>9} {:>5}{}  {:>8} [{} - {}]{}  {}",
            h.hour,
            h.rate_per_hour,
            h.offered_load,
            count(h.operators),
            if h.close_call { "~" } else { " " },
            h.erlang_c.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            plan.operators[i],
            if plan.added[i] > 0 {
                format!(" (+{})", plan.added[i])
            } else {
                String::new()
            },
            secs(d.estimate.value),
            secs(d.spread[0]),
            secs(d.spread[2]),
            if d.missed { "  MISSED" } else { "" },
            interval(&d.estimate, &target)
        );
    }
    let _ = writeln!(
        out,
        "\n* Erlang C: the count for the rate asked (--per-hour) or the hour's arrivals (CSV), each operator\n  holding `capacity` independent chats (M/M/(c*k)); exact only with no accept delay, exponential\n  handling, FIFO and one chat per operator. ~: the answer and one below it were equal to the target\n  within the tolerance. (+N): operators the whole-day check added for the backlog carried in."
    );
    let _ = writeln!(
        out,
        "\nCurve: operators -> {stat} (+ meets, - misses, ~ equal within tolerance, ? undecided; replications)"
    );
    for h in plan.hours.iter().filter(|h| !h.curve.is_empty()) {
        let points: Vec<String> = h
            .curve
            .iter()
            .map(|c| {
                format!(
                    "{}{}: {} ({})",
                    c.operators,
                    mark(&c.estimate),
                    secs(c.estimate.value),
                    c.estimate.replications
                )
            })
            .collect();
        let _ = writeln!(out, "  {}  {}", h.hour, points.join("   "));
    }
    let o = &plan.day.overall;
    let _ = writeln!(
        out,
        "\nWhole day with the plan ({} seeds): {stat} {} over all dialogs ({}).",
        plan.day.seeds,
        secs(o.value),
        interval(o, &target)
    );
    if plan.missed.is_empty() {
        let _ = writeln!(out, "Every hour meets the target in the whole-day check.");
    } else {
        let _ = writeln!(
            out,
            "Hours the plan does not meet: {}.",
            plan.missed.join(", ")
        );
    }
    let total: u32 = plan.operators.iter().sum();
    let _ = writeln!(out, "Operator-hours: {total}");
    if let Some((r, check)) = rota {
        let _ = writeln!(
            out,
            "\nShift rota ({} operator-hours worked, fewest covering the plan):",
            r.operator_hours
        );
        for s in &r.shifts {
            let _ = writeln!(
                out,
                "  {} x {}h from {:02}:00{}",
                s.operators,
                s.kind.hours,
                s.local_hour,
                s.kind.break_at.map_or_else(String::new, |b| format!(
                    ", break {:02}:00",
                    (s.local_hour + b) % 24
                ))
            );
        }
        let cover: Vec<String> = r.coverage.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "  on duty per hour: {}", cover.join(" "));
        let missed = check.missed();
        let _ = writeln!(
            out,
            "  whole day with the rota ({} seeds): {stat} {}; {}",
            check.seeds,
            secs(check.overall.value),
            if missed.is_empty() {
                "every hour meets the target".to_owned()
            } else {
                format!("missed: {}", missed.join(", "))
            }
        );
    }
    let w = &day.summary.wait;
    let _ = writeln!(
        out,
        "\nOne such day ({}): {} dialogs, wait p50 {} / p90 {} / mean {}, never assigned {}",
        day.name,
        day.summary.dialogs,
        secs(w.p50.unwrap_or(0.0)),
        secs(w.p90.unwrap_or(0.0)),
        secs(w.mean.unwrap_or(0.0)),
        day.summary.never_assigned
    );
    out
}
