//! `openlines-nats`: a reference multi-tenant host for openlines on NATS JetStream.
//!
//! ```text
//! openlines-nats worker            # own a fair share of the partitions, apply inputs, publish actions
//! openlines-nats ingest FILE       # publish JSON lines {tenant, at, input} to the input stream
//! openlines-nats load              # publish a generated multi-tenant day
//! openlines-nats status            # partitions, owners, lag, checkpoints
//! openlines-nats export DIR        # per tenant: inputs as a scenario file, de-duplicated actions
//! ```
//! See README.md next to this crate for the design, the figures and the limits.

mod checkpoint;
mod cluster;
mod envelope;
mod export;
mod ingest;
mod lease;
mod load;
mod log;
mod names;
mod partition;
mod plan;
mod publish;
mod status;
mod tenants;
mod ticker;
mod worker;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::cluster::{Cluster, Layout, Result};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "openlines-nats",
    version,
    about = "Multi-tenant openlines host on NATS JetStream"
)]
struct Cli {
    /// NATS server URL.
    #[arg(
        long,
        global = true,
        env = "NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    server: String,
    /// Partitions of the input stream, used only by the first command that sets up the server.
    #[arg(long, global = true, default_value_t = 12)]
    partitions: u32,
    /// Lease time to live in milliseconds, used only at set-up: a dead worker's partitions move after this.
    #[arg(long, global = true, default_value_t = 3000)]
    lease_ms: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Join the worker group and process the partitions this worker owns.
    Worker(WorkerArgs),
    /// Publish JSON lines `{"tenant", "at", "input"}` from a file (or `-` for stdin).
    Ingest(ingest::IngestArgs),
    /// Generate a multi-tenant day (the standard day's shape per tenant) and publish it.
    Load(load::LoadArgs),
    /// Show partitions, owners, lag and the last checkpoint of each tenant.
    Status(status::StatusArgs),
    /// Write, per tenant, the stream's inputs as a scenario file for `openlines replay`
    /// and the de-duplicated actions the workers published.
    Export(export::ExportArgs),
}

#[derive(Args, Debug)]
struct WorkerArgs {
    /// This worker's id (default: host name and process id).
    #[arg(long)]
    id: Option<String>,
    /// Checkpoint a partition after this many messages...
    #[arg(long, default_value_t = 5000)]
    checkpoint_every: u64,
    /// ...or after this many milliseconds, if anything changed.
    #[arg(long, default_value_t = 2000)]
    checkpoint_ms: u64,
    /// Messages per pull request.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Put a tick on the stream for a tenant whose deadline is this many milliseconds
    /// past (wall clock) while its partition is idle; 0 = never (producers tick).
    #[arg(long, default_value_t = 1000)]
    tick_after_ms: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("openlines-nats: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("openlines-nats: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let layout = Layout {
        partitions: cli.partitions,
        lease_ttl: Duration::from_millis(cli.lease_ms),
        ..Layout::default()
    };
    let cluster = Cluster::connect(&cli.server, layout).await?;
    match cli.command {
        Command::Worker(args) => {
            worker::run(cluster, worker_settings(args)).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest(args) => ingest::run(&cluster, args).await,
        Command::Load(args) => load::run(&cluster, args).await,
        Command::Status(args) => status::run(&cluster, args).await,
        Command::Export(args) => export::run(&cluster, args).await,
    }
}

fn worker_settings(args: WorkerArgs) -> partition::Settings {
    let worker = args.id.unwrap_or_else(default_worker_id);
    partition::Settings {
        worker,
        checkpoint_every: args.checkpoint_every.max(1),
        checkpoint_interval: Duration::from_millis(args.checkpoint_ms),
        batch: args.batch.max(1),
        ticks: ticker::TickPolicy {
            after: Duration::from_millis(args.tick_after_ms),
        },
    }
}

fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".to_owned());
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{host}-{}", std::process::id())
}
