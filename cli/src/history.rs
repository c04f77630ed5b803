//! `openlines simulate --arrivals FILE.csv [--compare OTHER.json]`: real history
//! through the engine with one or two configs, figures side by side.

use std::fmt::Write as _;
use std::path::Path;

use chrono_tz::Tz;
use openlines::Config;
use openlines_sim::arrivals::{ArrivalsFile, parse_csv};
use openlines_sim::summary::Spread;
use openlines_sim::{Summary, summarize, traffic};
use serde::Serialize;
use serde_json::json;

use crate::args::SimulateArgs;
use crate::simulate::{duration, load_config};

/// The time zone of hours and local CSV times: the flag, else the config's first
/// scheduled line's, else UTC.
pub fn timezone(explicit: Option<Tz>, config: &Config) -> Tz {
    explicit
        .or_else(|| {
            config
                .lines
                .iter()
                .find_map(|l| l.schedule.as_ref()?.timezone.parse().ok())
        })
        .unwrap_or(chrono_tz::UTC)
}

/// Read an arrivals file against a config's lines; errors name file, row and column.
pub fn load_arrivals(path: &Path, config: &Config, tz: Tz) -> Result<ArrivalsFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let lines: Vec<&str> = config.lines.iter().map(|l| l.id.as_str()).collect();
    parse_csv(&text, &lines, tz).map_err(|e| format!("{}: {e}", path.display()))
}

/// One simulated run with its name.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    /// The config's file name (or "built-in day").
    pub name: String,
    /// Its figures.
    pub summary: Summary,
    /// Arrivals that wrote into an open dialog of the same client.
    pub joined: u64,
    /// Inputs given to the engine (ticks included).
    pub inputs: u64,
    /// Actions returned.
    pub actions: u64,
    /// Inputs the engine refused.
    pub rejected: u64,
}

/// The runs as pretty JSON (one object: `runs`, `warnings`).
pub fn json(runs: &[Named], warnings: &[String]) -> String {
    let value = json!({"runs": runs, "warnings": warnings});
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    )
}

/// Simulate the arrivals with each config (same seed, same traffic).
pub fn run(args: &SimulateArgs) -> Result<String, String> {
    let (Some(csv), Some(first)) = (&args.arrivals, &args.config) else {
        return Err("--arrivals needs --config".to_owned());
    };
    let mut configs = vec![(first.clone(), load_config(first)?)];
    if let Some(other) = &args.compare {
        configs.push((other.clone(), load_config(other)?));
    }
    let tz = timezone(args.timezone, &configs[0].1);
    let file = load_arrivals(csv, &configs[0].1, tz)?;
    for (path, config) in &configs[1..] {
        if let Some(a) = file
            .arrivals
            .iter()
            .find(|a| !config.lines.iter().any(|l| l.id == a.line))
        {
            return Err(format!(
                "{}: row {}, column line: \"{}\" is not a line of {}",
                csv.display(),
                a.row,
                a.line,
                path.display()
            ));
        }
    }
    for w in &file.warnings {
        eprintln!("openlines simulate: {}: warning: {w}", csv.display());
    }
    let model = args.model.model();
    let runs = configs
        .iter()
        .map(|(path, config)| {
            let r = traffic::run(config, &file.arrivals, &model, args.seed)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Named {
                name: file_name(path),
                summary: summarize(&r.observed, tz, chrono::Duration::minutes(15)),
                joined: r.joined,
                inputs: r.inputs,
                actions: r.actions,
                rejected: r.rejected,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let source = format!(
        "{} arrivals from {} ({} to {}, hours in {tz})",
        file.arrivals.len(),
        csv.display(),
        file.arrivals[0]
            .at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M"),
        file.arrivals[file.arrivals.len() - 1]
            .at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M"),
    );
    if let Some(path) = &args.report {
        let title = match &runs[..] {
            [a, b] => format!("openlines simulate: {} vs {}", a.name, b.name),
            _ => format!("openlines simulate: {}", runs[0].name),
        };
        let notes = vec![
            source.clone(),
            format!("Operator model: {}.", args.model.describe()),
        ];
        crate::report::write(path, &crate::report::Report::simulate(title, notes, &runs))?;
    }
    if args.json {
        return Ok(json(&runs, &file.warnings));
    }
    Ok(text(&runs, &source, &args.model.describe()))
}

/// A file's name without its folders (the runs' column titles).
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |s| duration(s.round() as i64))
}

fn spread(s: &Spread) -> String {
    format!("{} / {} / {}", secs(s.p50), secs(s.p90), secs(s.max))
}

/// The figures, one column per run.
pub fn text(runs: &[Named], source: &str, model: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "openlines simulate: {source}");
    let _ = writeln!(
        out,
        "Operator model: {model}; every config operator online throughout.\n"
    );
    let width = 24;
    let row = |out: &mut String, label: &str, cells: Vec<String>| {
        let _ = write!(out, "{label:<34}");
        for c in cells {
            let _ = write!(out, "{c:>width$}");
        }
        let _ = writeln!(out);
    };
    let each = |f: &dyn Fn(&Named) -> String| runs.iter().map(f).collect::<Vec<_>>();
    row(&mut out, "", each(&|r| short(&r.name, width - 2)));
    row(
        &mut out,
        "dialogs opened",
        each(&|r| r.summary.dialogs.to_string()),
    );
    row(
        &mut out,
        "arrivals into an open dialog",
        each(&|r| r.joined.to_string()),
    );
    row(
        &mut out,
        "never assigned",
        each(&|r| r.summary.never_assigned.to_string()),
    );
    row(
        &mut out,
        "got the off-hours reply",
        each(&|r| r.summary.off_hours.to_string()),
    );
    row(
        &mut out,
        "wait p50 / p90 / max",
        each(&|r| spread(&r.summary.wait)),
    );
    row(&mut out, "wait mean", each(&|r| secs(r.summary.wait.mean)));
    row(
        &mut out,
        "first response p50 / p90 / max",
        each(&|r| spread(&r.summary.first_response)),
    );
    row(
        &mut out,
        "engine inputs / rejected",
        each(&|r| format!("{} / {}", r.inputs, r.rejected)),
    );
    let _ = writeln!(out, "\nBy hour: dialogs, wait p50 / p90");
    let hours: std::collections::BTreeSet<&str> = runs
        .iter()
        .flat_map(|r| r.summary.by_hour.iter().map(|h| h.hour.as_str()))
        .collect();
    for hour in hours {
        row(
            &mut out,
            &format!("  {hour}"),
            each(&|r| {
                r.summary
                    .by_hour
                    .iter()
                    .find(|h| h.hour == hour)
                    .map_or_else(
                        || "-".to_owned(),
                        |h| format!("{}: {} / {}", h.dialogs, secs(h.wait.p50), secs(h.wait.p90)),
                    )
            }),
        );
    }
    let _ = writeln!(
        out,
        "\nPer operator: assigned, peak at once, mean held while online"
    );
    let ops: std::collections::BTreeSet<&str> = runs
        .iter()
        .flat_map(|r| r.summary.operators.iter().map(|o| o.id.as_str()))
        .collect();
    for op in ops {
        row(
            &mut out,
            &format!("  {op}"),
            each(&|r| {
                r.summary.operators.iter().find(|o| o.id == op).map_or_else(
                    || "-".to_owned(),
                    |o| format!("{}, {}, {:.2}", o.assigned, o.peak, o.occupancy),
                )
            }),
        );
    }
    out
}

fn short(name: &str, max: usize) -> String {
    let n = name.chars().count();
    if n <= max {
        name.to_owned()
    } else {
        format!("…{}", name.chars().skip(n + 1 - max).collect::<String>())
    }
}
