//! `openlines staff`: the fewest operators per hour that meet a target, as text,
//! JSON or an HTML report.

use std::fmt::Write as _;

use chrono::{TimeZone, Utc};
use openlines_sim::staff::{StaffParams, StaffPlan, Traffic, planned_day, staff};
use openlines_sim::summarize;
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
    let params = StaffParams {
        config,
        model: args.model.model(),
        target: args.target,
        seeds: args.seeds,
        seed: args.seed,
        warmup_hours: args.warmup_hours,
        max_operators: args.max_operators,
        tz,
    };
    let plan = staff(&params, &traffic).map_err(|e| e.to_string())?;
    let day = planned_day(&params, &traffic, &plan).map_err(|e| e.to_string())?;
    let day = Named {
        name: "the day staffed as planned".to_owned(),
        summary: summarize(&day.observed, tz, chrono::Duration::minutes(15)),
        joined: day.joined,
        inputs: day.inputs,
        actions: day.actions,
        rejected: day.rejected,
    };
    let notes = vec![
        format!("Traffic: {source}; hours in {tz}."),
        format!("Operator model: {}.", args.model.describe()),
        format!(
            "Each hour simulated with {} seed(s) after {} hour(s) of warm-up at its traffic; operators cycled from {}.",
            args.seeds,
            args.warmup_hours,
            args.config.display()
        ),
    ];
    if let Some(path) = &args.report {
        let title = format!(
            "openlines staff: {} for {}",
            plan.target,
            args.config.display()
        );
        let day = std::slice::from_ref(&day);
        let report = crate::report::Report::staff(title, notes.clone(), &plan, day);
        crate::report::write(path, &report)?;
    }
    if args.json {
        let value = json!({"plan": plan, "planned_day": day, "notes": notes, "warnings": warnings});
        return Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
    }
    Ok(text(&plan, &notes, &day))
}

fn secs(v: f64) -> String {
    if v.is_finite() {
        duration(v.round() as i64)
    } else {
        "unserved".to_owned()
    }
}

fn count(n: Option<u32>) -> String {
    n.map_or_else(|| "more".to_owned(), |n| n.to_string())
}

/// The plan for people: the table, the curve each answer rests on, and the whole
/// day run once with the plan as its roster.
pub fn text(plan: &StaffPlan, notes: &[String], day: &Named) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "openlines staff: target {}", plan.target);
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    let _ = writeln!(
        out,
        "\nhour               dialogs  load (Erlang)  operators  Erlang C*  {} there",
        plan.target.split("<=").next().unwrap_or("value")
    );
    for h in &plan.hours {
        let at = h
            .operators
            .and_then(|n| h.curve.iter().find(|c| c.operators == n));
        let _ = writeln!(
            out,
            "{:<18} {:>8.1} {:>14.2} {:>10} {:>10}  {}",
            h.hour,
            h.dialogs,
            h.offered_load,
            count(h.operators),
            h.erlang_c.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            at.map_or_else(|| "-".to_owned(), |c| secs(c.value))
        );
    }
    let _ = writeln!(
        out,
        "\n* Erlang C: the count a classic calculator gives for the same load if every chat\n  were independent (no forwarding, schedule or skills); \"more\": not met within --max-operators."
    );
    let _ = writeln!(
        out,
        "\nCurve: operators -> {} (+ = meets the target)",
        plan.target.split("<=").next().unwrap_or("")
    );
    for h in plan.hours.iter().filter(|h| !h.curve.is_empty()) {
        let points: Vec<String> = h
            .curve
            .iter()
            .map(|c| {
                format!(
                    "{}{}: {}",
                    c.operators,
                    if c.met { "+" } else { "" },
                    secs(c.value)
                )
            })
            .collect();
        let _ = writeln!(out, "  {}  {}", h.hour, points.join("   "));
    }
    let w = &day.summary.wait;
    let _ = writeln!(
        out,
        "\nThe whole traffic once more, staffed as planned hour by hour: {} dialogs, wait p50 {} / p90 {} / mean {}, never assigned {}",
        day.summary.dialogs,
        secs(w.p50.unwrap_or(0.0)),
        secs(w.p90.unwrap_or(0.0)),
        secs(w.mean.unwrap_or(0.0)),
        day.summary.never_assigned
    );
    let total: u32 = plan.hours.iter().filter_map(|h| h.operators).sum();
    let _ = writeln!(
        out,
        "\nOperator-hours: {total}{}",
        if plan.hours.iter().any(|h| h.operators.is_none()) {
            " (and more: some hours not met)"
        } else {
            ""
        }
    );
    out
}
