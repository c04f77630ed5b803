//! `openlines simulate`: a built-in day of traffic, summarised for a support manager.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use openlines::Config;
use openlines_sim::{Day, DayParams, percentile, simulate_day, summarize};

use crate::args::SimulateArgs;

/// Read and validate a config file; every problem names the file and field path.
pub fn load_config(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Config::from_json(&text).map_err(|issues| {
        issues
            .iter()
            .map(|i| format!("{}: {i}", path.display()))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The built-in day's parameters from the command line.
pub fn day_params(args: &SimulateArgs) -> Result<DayParams, String> {
    Ok(DayParams {
        operators: args.operators as usize,
        dialogs: args.dialogs as usize,
        lines: usize::from(args.lines),
        seed: args.seed,
        trace_dialogs: args.trace,
        config: args.config.as_deref().map(load_config).transpose()?,
        ..DayParams::default()
    })
}

/// Seconds as `42s`, `3m05s` or `1h02m`.
pub fn duration(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

fn spread(sorted: &[i64]) -> String {
    match (
        percentile(sorted, 50.0),
        percentile(sorted, 90.0),
        sorted.last(),
    ) {
        (Some(p50), Some(p90), Some(max)) => {
            format!(
                "p50 {}   p90 {}   max {}",
                duration(p50),
                duration(p90),
                duration(*max)
            )
        }
        _ => "none".to_owned(),
    }
}

/// The summary a support manager reads.
pub fn report(params: &DayParams, day: &Day, elapsed_secs: f64) -> String {
    let s = &day.summary;
    let mut out = String::new();
    let lines: Vec<&str> = day.config.lines.iter().map(|l| l.id.as_str()).collect();
    let _ = writeln!(
        out,
        "openlines simulate: one working day ({}), {} operators, line(s) {}, seed {}",
        params.date.format("%a %Y-%m-%d"),
        day.config.operators.len(),
        lines.join(", "),
        params.seed
    );
    if !day.trace.is_empty() {
        let _ = writeln!(
            out,
            "\nThe day's first dialog{}, input by input (local time Europe/Warsaw):",
            if params.trace_dialogs > 1 { "s" } else { "" }
        );
        for entry in &day.trace {
            let local = entry.at.with_timezone(&chrono_tz::Europe::Warsaw);
            let _ = writeln!(
                out,
                "  {}  {}",
                local.format("%H:%M:%S"),
                crate::describe::input(&entry.input)
            );
            for action in &entry.actions {
                let _ = writeln!(out, "            -> {}", crate::describe::action(action));
            }
        }
    }
    let _ = writeln!(out, "\nDialogs");
    let _ = writeln!(out, "  opened                 {:>8}", s.dialogs);
    let _ = writeln!(
        out,
        "  outside working hours  {:>8}   (got the off-hours reply)",
        s.off_hours
    );
    for (reason, n) in &s.closed {
        let _ = writeln!(out, "  closed: {reason:<14} {n:>8}");
    }
    let closed: u64 = s.closed.values().sum();
    let _ = writeln!(
        out,
        "  still open at midnight {:>8}",
        s.dialogs.saturating_sub(closed)
    );
    let _ = writeln!(
        out,
        "\nWait for an operator (opening to assignment, {} dialogs)",
        s.waits.len()
    );
    let _ = writeln!(out, "  {}", spread(&s.waits));
    let first: Vec<i64> = s.first_responses.iter().map(|&v| v as i64).collect();
    let _ = writeln!(
        out,
        "\nFirst response (first client message to first reply, {} dialogs)",
        first.len()
    );
    let _ = writeln!(out, "  {}", spread(&first));
    let share = if closed > 0 {
        100.0 * s.unanswered as f64 / closed as f64
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\nUnanswered share          {share:>7.1}% of closed dialogs got the unanswered mark"
    );
    let _ = writeln!(out, "KPI overdue notices       {:>8}", s.kpi_overdue);
    let avg = if s.ratings.0 > 0 {
        s.ratings.1 as f64 / s.ratings.0 as f64
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "Ratings                   {:>8}   average {avg:.2}",
        s.ratings.0
    );
    let _ = writeln!(out, "\nPer operator               assigned   peak at once");
    for (op, (assigned, peak)) in &s.operators {
        let _ = writeln!(out, "  {op:<24} {assigned:>8}   {peak:>6}");
    }
    let rate = if elapsed_secs > 0.0 {
        day.input_count as f64 / elapsed_secs
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\nEngine: {} inputs (ticks included), {} actions, {} rejected (replies racing a close), {:.2} s simulated host time ({:.0} inputs/s)",
        day.input_count, day.action_count, day.rejected, elapsed_secs, rate
    );
    out
}

/// The built-in day: its text summary (unchanged by the other flags), or with
/// `--json` its figures, and with `--report` an HTML report.
pub fn run(args: &SimulateArgs) -> Result<String, String> {
    if args.arrivals.is_some() {
        return crate::history::run(args);
    }
    if args.model.any() {
        return Err(
            "--accept-secs, --handling-secs, --fixed-handling and --reply-every-secs \
                    apply to --arrivals; the built-in day has its own operators"
                .to_owned(),
        );
    }
    let params = day_params(args)?;
    let started = Instant::now();
    let day = simulate_day(&params).map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_secs_f64();
    let tz = crate::history::timezone(args.timezone, &day.config);
    let summary = summarize(&day.observed, tz, chrono::Duration::minutes(15));
    let name = match &args.config {
        Some(path) => crate::history::file_name(path),
        None => "built-in day".to_owned(),
    };
    let run = crate::history::Named {
        name,
        summary,
        joined: 0,
        inputs: day.input_count,
        actions: day.action_count,
        rejected: day.rejected,
    };
    if let Some(path) = &args.report {
        let title = format!("openlines simulate: {} ({})", run.name, params.date);
        let notes = vec![format!(
            "The built-in day: {} dialogs, seed {}, operators on shifts with breaks; hours in {tz}.",
            params.dialogs, params.seed
        )];
        crate::report::write(
            path,
            &crate::report::Report::simulate(title, notes, std::slice::from_ref(&run)),
        )?;
    }
    if args.json {
        return Ok(crate::history::json(&[run], &[]));
    }
    Ok(report(&params, &day, elapsed))
}
