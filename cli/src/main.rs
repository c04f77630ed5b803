//! The `openlines` command: replay and check scenario files, validate configs, run the
//! demo, simulate traffic, find staffing, measure performance (`openlines --help`).

use std::process::ExitCode;

use clap::Parser;
use openlines::Config;
use openlines_cli::args::{Cli, Command};
use openlines_cli::replay::ReplayError;
use openlines_cli::scenario::Scenario;

const DEMO: &str = include_str!("../../examples/demo.json");

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo => demo(),
        Command::Replay { file, check } => replay(&file.to_string_lossy(), check),
        Command::Validate { config } => validate(&config.to_string_lossy()),
        Command::Simulate(args) => print("simulate", openlines_cli::simulate::run(&args)),
        Command::Staff(args) => print("staff", openlines_cli::staff::run(&args)),
        Command::Bench(args) => {
            let owned = args.to_args();
            let args: Vec<&str> = owned.iter().map(String::as_str).collect();
            print("bench", openlines_cli::bench::run(&args))
        }
        Command::Schema { out, check } => print("schema", openlines_cli::schema::run(&out, check)),
    }
}

/// Print a command's output, or its error (exit status 2).
fn print(command: &str, result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("openlines {command}: {e}");
            ExitCode::from(2)
        }
    }
}

fn read(file: &str) -> Result<String, ExitCode> {
    std::fs::read_to_string(file).map_err(|e| {
        eprintln!("openlines: cannot read {file}: {e}");
        ExitCode::from(2)
    })
}

fn load(text: &str, name: &str) -> Result<Scenario, ExitCode> {
    Scenario::parse(text).map_err(|e| {
        eprintln!("openlines: {name}: {e}");
        ExitCode::from(2)
    })
}

fn replay(file: &str, check: bool) -> ExitCode {
    let reader = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("openlines: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let outcome = match openlines_cli::replay::replay(reader, &mut out, check) {
        Ok(outcome) => outcome,
        // The reader went away (`replay FILE | head -1`): nobody wants the rest.
        Err(ReplayError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("openlines: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    if check {
        if !outcome.problems.is_empty() {
            eprintln!(
                "openlines: {file}: {} step(s) do not match their expectations:",
                outcome.problems.len()
            );
            for p in outcome.problems {
                eprint!("{p}");
            }
            return ExitCode::from(1);
        }
        eprintln!("openlines: {file}: all {} steps match", outcome.steps);
    }
    ExitCode::SUCCESS
}

fn validate(file: &str) -> ExitCode {
    let text = match read(file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match Config::from_json(&text) {
        Ok(config) => {
            println!(
                "{file}: ok ({} operators, {} lines)",
                config.operators.len(),
                config.lines.len()
            );
            ExitCode::SUCCESS
        }
        Err(issues) => {
            for issue in &issues {
                println!("{file}: {issue}");
            }
            eprintln!("{file}: {} problem(s)", issues.len());
            ExitCode::from(1)
        }
    }
}

fn demo() -> ExitCode {
    let scenario = match load(DEMO, "demo") {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !scenario.description.is_empty() {
        println!("{}\n", scenario.description);
    }
    let results = match scenario.run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("openlines: demo: {e}");
            return ExitCode::from(2);
        }
    };
    for (step, r) in scenario.steps.iter().zip(&results) {
        let when = r.at.format("%a %H:%M:%S");
        let what = match &step.input {
            Some(input) => openlines_cli::describe::value(input),
            None => "(clock tick)".to_owned(),
        };
        println!("{when}  {what}");
        if let Some(note) = &step.note {
            println!("          # {note}");
        }
        for a in &r.actions {
            println!("          -> {}", openlines_cli::describe::action(a));
        }
        if let Some(e) = &r.error {
            println!("          !! rejected: {e}");
        }
    }
    let problems = scenario.check(&results);
    if problems.is_empty() {
        println!("\nall {} steps behaved as the demo expects", results.len());
        ExitCode::SUCCESS
    } else {
        for p in problems {
            eprint!("{p}");
        }
        ExitCode::from(1)
    }
}
