//! `openlines simulate`: a built-in day of traffic, summarised for a support manager.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use chrono_tz::Tz;
use openlines::{Config, DialogId};
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
        trace_dialog: args.trace_dialog.filter(|&n| n > 0),
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

/// The dialog the trace shows by default: a typical one, whose wait for an operator
/// (opening to first assignment) is the day's median (the lower middle of the assigned
/// dialogs sorted by wait, ties by dialog id). Returns its id and wait in seconds, or
/// `None` when no dialog was assigned.
pub fn typical_dialog(day: &Day) -> Option<(DialogId, i64)> {
    // Dialog ids are given in order of opening, as the records are kept: record i is
    // dialog i + 1.
    let mut assigned: Vec<(i64, DialogId)> = day
        .observed
        .dialogs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((r.wait_ms?, i as DialogId + 1)))
        .collect();
    assigned.sort_unstable();
    let (wait_ms, id) = *assigned.get(assigned.len().checked_sub(1)? / 2)?;
    Some((id, wait_ms / 1000))
}

/// Which dialogs the trace shows, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceChoice {
    /// No trace (`--trace-dialog 0`).
    None,
    /// The day's first N dialogs (`--trace N`).
    First(u64),
    /// One dialog the user named (`--trace-dialog N`).
    Named(DialogId),
    /// The typical dialog: its wait (seconds) is the day's median.
    Typical(DialogId, i64),
}

impl TraceChoice {
    /// The heading of the trace: what it shows and why this dialog.
    fn heading(&self, tz: Tz, day: &Day) -> String {
        let zone = format!("times in {tz}, UTC offset shown");
        match self {
            TraceChoice::None => String::new(),
            TraceChoice::First(1) => {
                format!("The day's first dialog (chosen with --trace 1), input by input ({zone}):")
            }
            TraceChoice::First(n) => format!(
                "The day's first {n} dialogs (chosen with --trace {n}), input by input ({zone}):"
            ),
            TraceChoice::Named(id) => {
                format!("Dialog {id} (chosen with --trace-dialog {id}), input by input ({zone}):")
            }
            TraceChoice::Typical(id, wait) => format!(
                "Dialog {id}, a typical one: its wait for an operator ({}) is the median of the \
                 day's {} assigned dialogs (--trace-dialog N shows another, --trace N the first N).\n\
                 Input by input ({zone}):",
                duration(*wait),
                day.summary.waits.len()
            ),
        }
    }
}

/// The summary a support manager reads: the trace (`choice`, times in `tz`), then the
/// day's figures; `elapsed_secs` is the wall-clock time the whole simulation took.
pub fn report(
    params: &DayParams,
    day: &Day,
    elapsed_secs: f64,
    choice: &TraceChoice,
    tz: Tz,
) -> String {
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
    if let TraceChoice::Named(id) = choice
        && day.trace.is_empty()
    {
        let _ = writeln!(
            out,
            "\nDialog {id} (--trace-dialog {id}) was not opened: the day opened {} dialogs.",
            day.summary.dialogs
        );
    }
    if !day.trace.is_empty() {
        let _ = writeln!(out, "\n{}", choice.heading(tz, day));
        for entry in &day.trace {
            let _ = writeln!(
                out,
                "  {}  {}",
                crate::describe::clock(entry.at, tz),
                crate::describe::input(&entry.input)
            );
            for action in &entry.actions {
                let _ = writeln!(
                    out,
                    "                  -> {}",
                    crate::describe::action_in(action, tz)
                );
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
    let never_assigned = s.dialogs.saturating_sub(s.waits.len() as u64);
    let _ = writeln!(
        out,
        "  never assigned         {never_assigned:>8}   (no operator took it by the end of the run)"
    );
    let _ = writeln!(
        out,
        "  open at the end        {:>8}   (not closed when the run ended, never assigned included)",
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
        "\nEngine: {} inputs (ticks included), {} actions, {} rejected (replies racing a close)",
        day.input_count, day.action_count, day.rejected
    );
    let _ = writeln!(
        out,
        "Wall-clock time of this run: {elapsed_secs:.2} s for the engine and the simulated \
         host together ({rate:.0} inputs/s; the simulated day itself spans {} of clock time)",
        day_span(day)
    );
    out
}

/// From the first input to the last, as `13h05m`.
fn day_span(day: &Day) -> String {
    let first = day.observed.dialogs.first().map(|r| r.opened);
    let last = day
        .observed
        .dialogs
        .iter()
        .filter_map(|r| r.closed)
        .max()
        .or(first);
    match (first, last) {
        (Some(a), Some(b)) => duration((b - a).num_seconds()),
        _ => "none".to_owned(),
    }
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
    let mut day = simulate_day(&params).map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_secs_f64();
    let tz = crate::history::timezone(args.timezone, &day.config);
    let choice = match (args.trace, args.trace_dialog) {
        (n, _) if n > 0 => TraceChoice::First(n),
        (_, Some(0)) => TraceChoice::None,
        (_, Some(id)) => TraceChoice::Named(id),
        (_, None) => match typical_dialog(&day) {
            Some((id, wait)) => TraceChoice::Typical(id, wait),
            None => TraceChoice::None,
        },
    };
    if let (TraceChoice::Typical(id, _), false) = (&choice, args.json) {
        // The typical dialog is known only after the day: run it again (same seed,
        // same day) keeping that dialog's trace.
        let traced = DayParams {
            trace_dialog: Some(*id),
            ..params.clone()
        };
        day = simulate_day(&traced).map_err(|e| e.to_string())?;
    }
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
    Ok(report(&params, &day, elapsed, &choice, tz))
}
