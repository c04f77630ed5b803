//! `status`: per partition its owner, lag (messages not yet delivered to its worker)
//! and last checkpoint; per tenant the sequence and size of its last snapshot.
//! `--wait-done` waits until every partition's checkpoint covers its last message
//! (everything ingested is processed, and its actions are stored).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;

use crate::checkpoint::{self, Manifest};
use crate::cluster::{Cluster, Result};
use crate::lease;
use crate::names::{consumer_name, input_subject};

/// Arguments of `status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Print JSON (one object) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List every tenant's checkpoint too.
    #[arg(long)]
    pub tenants: bool,
    /// Wait (up to this many seconds) until every partition is checkpointed through its
    /// last message; exit 1 if that does not happen in time.
    #[arg(long)]
    pub wait_done: Option<u64>,
}

/// One partition's state.
#[derive(Debug, Serialize)]
pub struct PartitionStatus {
    /// The partition.
    pub partition: u32,
    /// The worker holding the lease.
    pub owner: Option<String>,
    /// Messages of the partition not yet delivered to its worker.
    pub lag: Option<u64>,
    /// The last stream sequence on the partition's subject.
    pub last_seq: u64,
    /// The last checkpoint.
    pub checkpoint: Manifest,
}

impl PartitionStatus {
    /// Every message of the partition is covered by its checkpoint.
    pub fn done(&self) -> bool {
        self.checkpoint.through >= self.last_seq
    }
}

/// Read every partition's state.
pub async fn read(cluster: &Cluster) -> Result<Vec<PartitionStatus>> {
    let stream = cluster.input_stream().await?;
    let mut all = Vec::new();
    for partition in 0..cluster.partitions {
        let lag = match stream.consumer_info(consumer_name(partition)).await {
            Ok(info) => Some(info.num_pending),
            Err(_) => None,
        };
        let last_seq = stream
            .get_last_raw_message_by_subject(&input_subject(partition))
            .await
            .map_or(0, |m| m.sequence);
        all.push(PartitionStatus {
            partition,
            owner: lease::owner(cluster, partition).await?,
            lag,
            last_seq,
            checkpoint: checkpoint::read_manifest(cluster, partition)
                .await?
                .manifest,
        });
    }
    Ok(all)
}

/// Run `status`.
pub async fn run(cluster: &Cluster, args: StatusArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut all = read(cluster).await?;
    if let Some(secs) = args.wait_done {
        while !all.iter().all(PartitionStatus::done) {
            if started.elapsed() > Duration::from_secs(secs) {
                print(&all, &args)?;
                return Ok(ExitCode::FAILURE);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            all = read(cluster).await?;
        }
    }
    print(&all, &args)?;
    Ok(ExitCode::SUCCESS)
}

fn print(all: &[PartitionStatus], args: &StatusArgs) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string(all)?);
        return Ok(());
    }
    let now = crate::log::now_ms();
    println!("partition  owner                     lag  last seq  checkpoint  age    tenants");
    for p in all {
        let age = match p.checkpoint.written_ms {
            0 => "-".to_owned(),
            ms => format!("{:.1}s", (now - ms) as f64 / 1000.0),
        };
        println!(
            "{:>9}  {:<22} {:>6}  {:>8}  {:>10}  {:<6} {}",
            p.partition,
            p.owner.as_deref().unwrap_or("(none)"),
            p.lag.map_or("-".to_owned(), |l| l.to_string()),
            p.last_seq,
            p.checkpoint.through,
            age,
            p.checkpoint.tenants.len()
        );
        if args.tenants {
            for (tenant, c) in &p.checkpoint.tenants {
                println!(
                    "           {tenant:<22} snapshot after seq {} ({} bytes)",
                    c.seq, c.bytes
                );
            }
        }
    }
    Ok(())
}
