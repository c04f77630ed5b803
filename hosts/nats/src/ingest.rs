//! `ingest`: publish JSON lines `{"tenant", "at", "input"}` to the input stream, each
//! on its tenant's partition subject. A line whose tenant cannot be read still goes
//! out (to partition 0), so the worker dead-letters it with the reason.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::cluster::{Cluster, Result};
use crate::envelope::tenant_of;
use crate::log;
use crate::names::{input_subject, partition_of};
use crate::publish::{Outgoing, Publisher};

/// Arguments of `ingest`.
#[derive(Args, Debug)]
pub struct IngestArgs {
    /// The file of JSON lines; `-` reads stdin.
    pub file: PathBuf,
    /// Idempotency prefix: line N is published with `Nats-Msg-Id` `{id}:{N}`, so
    /// running the same ingest twice (within the duplicate window) stores it once.
    #[arg(long)]
    pub id: Option<String>,
}

/// Publishes lines to the partition subjects of their tenants, pipelined.
pub struct Ingest {
    out: Publisher,
    partitions: u32,
    id: Option<String>,
    /// Lines published so far.
    pub lines: u64,
}

impl Ingest {
    /// An ingest into `cluster`'s input stream.
    pub fn new(cluster: &Cluster, id: Option<String>) -> Self {
        Ingest {
            out: Publisher::new(cluster.js.clone(), crate::cluster::PUBLISH_WINDOW),
            partitions: cluster.partitions,
            id,
            lines: 0,
        }
    }

    /// Publish one line (not yet acknowledged: see [`Ingest::finish`]).
    pub async fn line(&mut self, line: &str) -> Result<()> {
        let tenant = tenant_of(line.as_bytes()).unwrap_or_default();
        let partition = if tenant.is_empty() {
            0
        } else {
            partition_of(&tenant, self.partitions)
        };
        self.lines += 1;
        let id = self
            .id
            .as_ref()
            .map(|prefix| format!("{prefix}:{}", self.lines));
        self.out
            .send(Outgoing {
                subject: input_subject(partition),
                id,
                payload: line.to_owned().into(),
            })
            .await
    }

    /// Wait until every line is stored; returns how many the server dropped as duplicates.
    pub async fn finish(&mut self) -> Result<u64> {
        self.out.flush().await?;
        Ok(self.out.counts.duplicates)
    }
}

/// Run `ingest`.
pub async fn run(cluster: &Cluster, args: IngestArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut ingest = Ingest::new(cluster, args.id);
    let reader: Box<dyn tokio::io::AsyncRead + Unpin> = if args.file.as_os_str() == "-" {
        Box::new(tokio::io::stdin())
    } else {
        Box::new(tokio::fs::File::open(&args.file).await?)
    };
    let mut lines = BufReader::new(reader).lines();
    while let Some(line) = lines.next_line().await? {
        if !line.trim().is_empty() {
            ingest.line(&line).await?;
        }
    }
    let duplicates = ingest.finish().await?;
    log::event(
        "ingested",
        json!({"lines": ingest.lines, "duplicates": duplicates,
               "millis": started.elapsed().as_millis() as u64}),
    );
    Ok(ExitCode::SUCCESS)
}
