//! The command line: every command, flag and range of the `openlines` command
//! (clap). Out-of-range values are refused with an error naming the flag and range.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use openlines_sim::{OperatorModel, Target};

/// openlines: the routing engine of customer chat open lines, from the command line.
#[derive(Debug, Parser)]
#[command(name = "openlines", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay the built-in demo scenario (examples/demo.json) with a readable trace.
    Demo,
    /// Replay a scenario file: one JSON line per action or rejected input.
    Replay {
        /// The scenario file (contract section 7).
        file: PathBuf,
        /// Compare each step with its "expect" and exit 1 on a mismatch.
        #[arg(long)]
        check: bool,
    },
    /// Check a config file and print every problem with its field path.
    Validate {
        /// The config file (JSON).
        config: PathBuf,
    },
    /// Run a day of traffic through the engine and summarise it: the built-in day, or
    /// real history from a CSV file (--arrivals), optionally against a second config.
    Simulate(SimulateArgs),
    /// The fewest operators per hour that meet a service target, found by simulation.
    Staff(StaffArgs),
    /// Measure cost per input, memory per dialog and scaling (a few minutes).
    Bench(BenchArgs),
    /// Write the JSON Schemas of config, input, action and scenario files
    /// (generated from the engine's types) into a directory.
    Schema {
        /// Where to write them.
        #[arg(long, default_value = "schema", value_name = "DIR")]
        out: PathBuf,
        /// Write nothing; exit 2 if a file is missing or differs from what the
        /// engine's types give.
        #[arg(long)]
        check: bool,
    },
}

/// `openlines simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Operators of the built-in config (ignored with --config).
    #[arg(long, default_value_t = 8, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000),
          conflicts_with = "arrivals")]
    pub operators: u32,
    /// Client dialogs over the built-in day.
    #[arg(long, default_value_t = 400, value_name = "N",
          value_parser = clap::value_parser!(u32).range(0..=10_000_000),
          conflicts_with = "arrivals")]
    pub dialogs: u32,
    /// Lines of the built-in config (support, sales, billing; ignored with --config).
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u8).range(1..=3),
          conflicts_with = "arrivals")]
    pub lines: u8,
    /// Seed of the simulation's random numbers.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// A config file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the built-in day's first N dialogs input by input (instead of one
    /// typical dialog; see --trace-dialog).
    #[arg(long, default_value_t = 0, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=10_000),
          conflicts_with_all = ["arrivals", "trace_dialog"])]
    pub trace: u64,
    /// Print dialog N of the built-in day input by input (0: no trace). By default a
    /// typical dialog: the one whose wait for an operator is the day's median.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=10_000_000),
          conflicts_with = "arrivals")]
    pub trace_dialog: Option<u64>,
    /// Real history to replay instead of the built-in day (CSV: time, line, client,
    /// handling_secs, language, skills; see docs/simulation.md).
    #[arg(long, value_name = "FILE.csv", requires = "config")]
    pub arrivals: Option<PathBuf>,
    /// A second config: the same arrivals through both, side by side.
    #[arg(long, value_name = "OTHER.json", requires = "arrivals")]
    pub compare: Option<PathBuf>,
    /// Write a self-contained HTML report (charts as inline SVG).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Print the figures as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// How simulated operators behave (with --arrivals).
    #[command(flatten)]
    pub model: ModelArgs,
    /// Time zone of the CSV's local times and of the hours shown (default: the
    /// config's first line's schedule time zone, else UTC).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<chrono_tz::Tz>,
}

/// The operator model's parameters (docs/simulation.md); unset ones take the defaults
/// of [`OperatorModel::default`].
#[derive(Debug, Clone, Default, Args)]
pub struct ModelArgs {
    /// Accept delay of an offered operator, uniform: MIN..MAX or one value, seconds
    /// [default: 5..30].
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_range)]
    pub accept_secs: Option<(f64, f64)>,
    /// Mean handling time (assignment to close) when the CSV gives none, seconds
    /// [default: 600].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(1..=604_800))]
    pub handling_secs: Option<u32>,
    /// Every dialog takes exactly the handling time (default: exponential with that mean).
    #[arg(long)]
    pub fixed_handling: bool,
    /// Seconds between an operator's messages; 0: one message, at the close [default: 60].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub reply_every_secs: Option<u32>,
}

impl ModelArgs {
    /// Whether any parameter was given.
    pub fn any(&self) -> bool {
        self.accept_secs.is_some()
            || self.handling_secs.is_some()
            || self.fixed_handling
            || self.reply_every_secs.is_some()
    }

    /// The simulator's operator model.
    pub fn model(&self) -> OperatorModel {
        let default = OperatorModel::default();
        OperatorModel {
            accept_secs: self.accept_secs.unwrap_or(default.accept_secs),
            handling_secs: self.handling_secs.map_or(default.handling_secs, f64::from),
            fixed_handling: self.fixed_handling,
            reply_every_secs: self
                .reply_every_secs
                .map_or(default.reply_every_secs, f64::from),
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        let m = self.model();
        let (lo, hi) = m.accept_secs;
        format!(
            "operators accept after {lo}-{hi} s, handle for {} {} s (unless the CSV says), write every {} s",
            if m.fixed_handling {
                "exactly"
            } else {
                "a mean of"
            },
            m.handling_secs,
            m.reply_every_secs
        )
    }
}

/// `MIN..MAX` or `N` seconds, 0 to 3600.
fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let number = |s: &str| -> Result<f64, String> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("\"{s}\" is not a number of seconds"))?;
        if (0.0..=3600.0).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{v} is out of range (0 to 3600 seconds)"))
        }
    };
    let (lo, hi) = match text.split_once("..") {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(text)?, number(text)?),
    };
    if lo > hi {
        return Err(format!("{lo} is more than {hi}"));
    }
    Ok((lo, hi))
}

/// `openlines staff`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("traffic").required(true).args(["arrivals", "per_hour"]))]
pub struct StaffArgs {
    /// The config whose routing rules are used; its operators are the templates
    /// cycled to each operator count.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Real history (CSV, as for simulate): every hour from its first to its last.
    #[arg(long, value_name = "FILE.csv")]
    pub arrivals: Option<PathBuf>,
    /// Expected arrivals per hour, from --start-hour on (Poisson), e.g. 20,40,60.
    #[arg(long, value_name = "N,N,...", value_delimiter = ',',
          value_parser = parse_rate, num_args = 1..)]
    pub per_hour: Vec<f64>,
    /// What every hour must meet: p90_wait<=60s, mean_wait<=30s, p50_wait<=10s,
    /// first_response<=2m (p90), mean_first_response<=..., pNN_...
    #[arg(long, value_name = "METRIC<=LIMIT")]
    pub target: Target,
    /// The line --per-hour traffic arrives in (default: the config's first).
    #[arg(long, value_name = "ID", requires = "per_hour")]
    pub line: Option<String>,
    /// The local date of --per-hour traffic.
    #[arg(
        long,
        value_name = "YYYY-MM-DD",
        default_value = "2026-11-23",
        requires = "per_hour"
    )]
    pub date: chrono::NaiveDate,
    /// The local hour of --per-hour's first value.
    #[arg(long, value_name = "H", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=23), requires = "per_hour")]
    pub start_hour: u32,
    /// Seeds per operator count (results are pooled).
    #[arg(long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub seeds: u32,
    /// First seed.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Hours of traffic simulated before each measured hour (to reach a steady state).
    #[arg(long, default_value_t = 3, value_name = "N",
          value_parser = clap::value_parser!(u32).range(0..=24))]
    pub warmup_hours: u32,
    /// The most operators tried per hour.
    #[arg(long, default_value_t = 200, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_operators: u32,
    /// How simulated operators behave.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Time zone of the hours (default: the config's first line's schedule time zone, else UTC).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<chrono_tz::Tz>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Print the plan as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arrivals per hour: a number from 0 to 100,000.
fn parse_rate(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number"))?;
    if (0.0..=100_000.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is out of range (0 to 100000 arrivals an hour)"
        ))
    }
}

/// `openlines bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Smaller sizes: 20,000 dialogs for the day, 100,000 background dialogs.
    #[arg(long)]
    pub quick: bool,
    /// Only core_inputs_per_sec, as JSON.
    #[arg(long)]
    pub day_only: bool,
    /// Only mmc_core_ns_per_call (the core on python/bench.py's M/M/c day), as JSON.
    #[arg(long, conflicts_with = "day_only")]
    pub mmc_only: bool,
    /// Write the standard day's config and inputs to FILE (for the C and Python benches).
    #[arg(long, value_name = "FILE")]
    pub dump_day: Option<PathBuf>,
    /// Format of --dump-day.
    #[arg(long, value_name = "FORMAT", default_value = "json",
          value_parser = ["json", "tsv"], requires = "dump_day")]
    pub format: String,
    /// Dialogs of the simulated day (of the M/M/c day with --mmc-only).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub dialogs: Option<u64>,
}

impl BenchArgs {
    /// The arguments as `openlines_cli::bench::run` reads them.
    pub fn to_args(&self) -> Vec<String> {
        let mut out = Vec::new();
        let flags = [
            (self.json, "--json"),
            (self.quick, "--quick"),
            (self.day_only, "--day-only"),
            (self.mmc_only, "--mmc-only"),
        ];
        out.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_owned()));
        if let Some(file) = &self.dump_day {
            out.extend(["--dump-day".to_owned(), file.display().to_string()]);
            out.extend(["--format".to_owned(), self.format.clone()]);
        }
        if let Some(n) = self.dialogs {
            out.extend(["--dialogs".to_owned(), n.to_string()]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("openlines").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_help() {
        for cmd in ["demo", "replay", "validate", "simulate", "staff", "bench"] {
            let e = parse(&[cmd, "--help"]).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{cmd}");
        }
        let help = Cli::command()
            .find_subcommand_mut("simulate")
            .unwrap()
            .render_long_help()
            .to_string();
        for flag in [
            "--trace",
            "--trace-dialog",
            "--arrivals",
            "--compare",
            "--report",
            "--json",
            "--accept-secs",
        ] {
            assert!(help.contains(flag), "{flag} missing from simulate --help");
        }
    }

    #[test]
    fn out_of_range_values_are_refused_not_clamped() {
        for args in [
            &["simulate", "--operators", "0"][..],
            &["simulate", "--operators", "100001"],
            &["simulate", "--lines", "4"],
            &["simulate", "--dialogs", "10000001"],
            &["simulate", "--dialogs=-1"],
            &["simulate", "--trace", "10001"],
            &[
                "simulate",
                "--config",
                "c.json",
                "--arrivals",
                "a.csv",
                "--accept-secs",
                "30..5",
            ],
            &[
                "simulate",
                "--config",
                "c.json",
                "--arrivals",
                "a.csv",
                "--handling-secs",
                "0",
            ],
            &[
                "staff",
                "--config",
                "c",
                "--per-hour",
                "1,-2",
                "--target",
                "p90_wait<=60s",
            ],
            &[
                "staff",
                "--config",
                "c",
                "--per-hour",
                "1",
                "--target",
                "p90_wait<=60s",
                "--seeds",
                "0",
            ],
            &[
                "staff",
                "--config",
                "c",
                "--per-hour",
                "1",
                "--target",
                "p101_wait<=60s",
            ],
            &[
                "staff",
                "--config",
                "c",
                "--per-hour",
                "1",
                "--target",
                "abandon<=5",
            ],
            &["staff", "--config", "c", "--target", "p90_wait<=60s"],
            &[
                "staff",
                "--config",
                "c",
                "--arrivals",
                "a",
                "--per-hour",
                "1",
                "--target",
                "p90_wait<=1",
            ],
            &["bench", "--format", "xml", "--dump-day", "f"],
            &["bench", "--dialogs", "0"],
        ] {
            let e = parse(args).unwrap_err();
            assert!(
                matches!(
                    e.kind(),
                    clap::error::ErrorKind::ValueValidation
                        | clap::error::ErrorKind::InvalidValue
                        | clap::error::ErrorKind::MissingRequiredArgument
                        | clap::error::ErrorKind::ArgumentConflict
                ),
                "{args:?}: {:?} {e}",
                e.kind()
            );
        }
    }

    #[test]
    fn flags_reach_their_fields() {
        let Command::Simulate(s) = parse(&["simulate", "--operators", "5", "--trace", "2"])
            .unwrap()
            .command
        else {
            panic!("not simulate")
        };
        assert_eq!((s.operators, s.dialogs, s.lines, s.trace), (5, 400, 1, 2));
        assert_eq!(s.trace_dialog, None);
        let Command::Simulate(s) = parse(&["simulate", "--trace-dialog", "7"]).unwrap().command
        else {
            panic!("not simulate")
        };
        assert_eq!((s.trace, s.trace_dialog), (0, Some(7)));
        assert!(parse(&["simulate", "--trace", "2", "--trace-dialog", "7"]).is_err());
        let Command::Staff(s) = parse(&[
            "staff",
            "--config",
            "c.json",
            "--per-hour",
            "10,20",
            "--per-hour",
            "5",
            "--target",
            "mean_wait<=2m",
            "--accept-secs",
            "0",
        ])
        .unwrap()
        .command
        else {
            panic!("not staff")
        };
        assert_eq!(s.per_hour, [10.0, 20.0, 5.0]);
        assert_eq!(s.target.limit_secs, 120.0);
        assert_eq!(s.model.model().accept_secs, (0.0, 0.0));
        assert_eq!(
            s.model.model().handling_secs,
            OperatorModel::default().handling_secs
        );
        assert!(s.model.any());
        let Command::Bench(b) = parse(&["bench", "--quick", "--json"]).unwrap().command else {
            panic!("not bench")
        };
        assert_eq!(b.to_args(), ["--json", "--quick"]);
        let Command::Replay { check, .. } =
            parse(&["replay", "--check", "f.json"]).unwrap().command
        else {
            panic!("not replay")
        };
        assert!(check);
    }
}
