//! One owned partition: restore its tenants from the last checkpoint, read its
//! subject from the sequence after it through a durable consumer, apply each message
//! in stream order, publish the actions with their idempotency keys, dead-letter what
//! is rejected, and checkpoint every N messages or T seconds.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_nats::jetstream::Message;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::watch;

use crate::checkpoint::{self, Loaded};
use crate::cluster::{Cluster, Result};
use crate::envelope::Envelope;
use crate::log;
use crate::names::*;
use crate::publish::{Outgoing, Publisher};
use crate::tenants::{Applied, Tenants};
use crate::ticker::TickPolicy;

/// How a worker runs its partitions.
#[derive(Debug, Clone)]
pub struct Settings {
    /// This worker's id.
    pub worker: String,
    /// Checkpoint after this many messages of a partition...
    pub checkpoint_every: u64,
    /// ...or when this much time passed since the last one (if anything changed).
    pub checkpoint_interval: Duration,
    /// Messages asked for per pull request.
    pub batch: usize,
    /// When the worker puts ticks on the stream.
    pub ticks: TickPolicy,
}

/// Where a partition stands while it runs.
struct Run {
    partition: u32,
    tenants: Tenants,
    loaded: Loaded,
    through: u64,
    since_checkpoint: u64,
    last_checkpoint: Instant,
    last_input: Instant,
    next_consumer_seq: u64,
    first_action_logged: bool,
    ticks_sent: BTreeMap<String, DateTime<Utc>>,
    out: Publisher,
}

/// Run a partition until `stop` says so (then checkpoint and return). Errors
/// (a server restart, a lost message, a checkpoint written by someone else) restart
/// it from its last checkpoint: replay re-derives the same actions, and their keys
/// make the re-published ones vanish.
pub async fn run(
    cluster: Cluster,
    partition: u32,
    settings: Settings,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        match serve(&cluster, partition, &settings, &mut stop).await {
            Ok(()) => return,
            Err(e) => {
                log::event(
                    "partition_error",
                    json!({"partition": partition, "error": e.to_string()}),
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    }
}

/// Resume the partition from its checkpoint, then apply messages, tick and
/// checkpoint until asked to stop.
async fn serve(
    cluster: &Cluster,
    partition: u32,
    settings: &Settings,
    stop: &mut watch::Receiver<bool>,
) -> Result<()> {
    let (mut run, consumer) = Run::resume(cluster, partition).await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(settings.batch)
        .heartbeat(Duration::from_secs(2))
        .expires(Duration::from_secs(10))
        .messages()
        .await?;
    let mut timer = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            next = messages.next() => {
                let message = next.ok_or("the partition's consumer stopped")??;
                run.handle(message, settings).await?;
            }
            _ = timer.tick() => {
                run.publish_ticks(settings).await?;
                if run.last_checkpoint.elapsed() >= settings.checkpoint_interval {
                    run.checkpoint(cluster, settings).await?;
                }
            }
            _ = stop.changed() => {
                run.checkpoint(cluster, settings).await?;
                return Ok(());
            }
        }
        if run.since_checkpoint >= settings.checkpoint_every {
            run.checkpoint(cluster, settings).await?;
        }
    }
}

/// The partition's durable consumer, created afresh to start at `start`: the owner
/// decides where reading resumes (after its checkpoint), not the previous owner's acks.
async fn recreate_consumer(cluster: &Cluster, partition: u32, start: u64) -> Result<PullConsumer> {
    let stream = cluster.input_stream().await?;
    let name = consumer_name(partition);
    let _ = stream.delete_consumer(&name).await;
    let config = pull::Config {
        durable_name: Some(name),
        filter_subject: input_subject(partition),
        deliver_policy: DeliverPolicy::ByStartSequence {
            start_sequence: start,
        },
        ack_policy: AckPolicy::All,
        ack_wait: Duration::from_secs(120),
        max_ack_pending: 50_000,
        ..Default::default()
    };
    Ok(stream.create_consumer(config).await?)
}

impl Run {
    /// Restore every tenant from the partition's manifest and position its consumer
    /// right after the sequence the manifest covers.
    async fn resume(cluster: &Cluster, partition: u32) -> Result<(Run, PullConsumer)> {
        let started = Instant::now();
        let loaded = checkpoint::read_manifest(cluster, partition).await?;
        let tenants = checkpoint::restore(cluster, &loaded.manifest).await?;
        let through = loaded.manifest.through;
        let consumer = recreate_consumer(cluster, partition, through + 1).await?;
        log::event(
            "restored",
            json!({"partition": partition, "tenants": tenants.len(), "through": through,
                   "micros": started.elapsed().as_micros() as u64}),
        );
        let run = Run {
            partition,
            tenants,
            loaded,
            through,
            since_checkpoint: 0,
            last_checkpoint: Instant::now(),
            last_input: Instant::now(),
            next_consumer_seq: 1,
            first_action_logged: false,
            ticks_sent: BTreeMap::new(),
            out: Publisher::new(cluster.js.clone(), crate::cluster::PUBLISH_WINDOW),
        };
        Ok((run, consumer))
    }

    /// Apply one message in stream order (a gap or a redelivery restarts the partition).
    async fn handle(&mut self, message: Message, settings: &Settings) -> Result<()> {
        let info = message.info()?;
        let (seq, consumer_seq, pending) =
            (info.stream_sequence, info.consumer_sequence, info.pending);
        if consumer_seq != self.next_consumer_seq || info.delivered > 1 {
            return Err(format!(
                "delivery out of order (consumer sequence {consumer_seq}, expected {}): restarting from the checkpoint",
                self.next_consumer_seq
            )
            .into());
        }
        self.next_consumer_seq += 1;
        let applied = self.tenants.apply(seq, &message.payload);
        self.publish(seq, &applied, &message.payload).await?;
        self.through = seq;
        self.since_checkpoint += 1;
        self.last_input = Instant::now();
        if pending == 0
            || self.since_checkpoint.is_multiple_of(256)
            || self.since_checkpoint >= settings.checkpoint_every
        {
            // AckAll: acknowledges everything up to here (keeps the consumer's lag honest).
            message.ack().await?;
        }
        Ok(())
    }

    /// Publish a message's actions with their idempotency keys, and its dead letter.
    async fn publish(&mut self, seq: u64, applied: &Applied, payload: &[u8]) -> Result<()> {
        if let Some(tenant) = &applied.tenant {
            for (index, action) in applied.actions.iter().enumerate() {
                let body = json!({"tenant": tenant, "seq": seq, "index": index, "action": action});
                self.out
                    .send(Outgoing {
                        subject: output_subject(tenant),
                        id: Some(action_id(tenant, seq, index)),
                        payload: body.to_string().into(),
                    })
                    .await?;
            }
            if !applied.actions.is_empty() && !self.first_action_logged {
                self.first_action_logged = true;
                log::event(
                    "first_action",
                    json!({"partition": self.partition, "seq": seq}),
                );
            }
        }
        if let Some(rejection) = &applied.rejection {
            let body = json!({"partition": self.partition, "seq": seq, "tenant": applied.tenant,
                              "reason": rejection.reason, "message": rejection.message,
                              "record": String::from_utf8_lossy(payload)});
            self.out
                .send(Outgoing {
                    subject: DEAD_SUBJECT.to_owned(),
                    id: Some(dead_letter_id(seq)),
                    payload: body.to_string().into(),
                })
                .await?;
        }
        Ok(())
    }

    /// Every action up to `through` is stored first, then the snapshots and manifest.
    async fn checkpoint(&mut self, cluster: &Cluster, settings: &Settings) -> Result<()> {
        self.last_checkpoint = Instant::now();
        if self.through <= self.loaded.manifest.through {
            return Ok(());
        }
        self.out.flush().await?;
        let cost = checkpoint::write(
            cluster,
            self.partition,
            self.through,
            &mut self.tenants,
            &mut self.loaded,
            &settings.worker,
        )
        .await?;
        self.since_checkpoint = 0;
        log::event(
            "checkpoint",
            json!({"partition": self.partition, "through": self.through, "tenants": cost.tenants,
                   "bytes": cost.bytes, "micros": cost.micros as u64}),
        );
        Ok(())
    }

    /// Put a tick on the stream for each tenant whose deadline passed while idle.
    async fn publish_ticks(&mut self, settings: &Settings) -> Result<()> {
        let now = log::wall_now();
        let idle = self.last_input.elapsed();
        let mut due = Vec::new();
        for (tenant, state) in self.tenants.iter() {
            let Some(deadline) = state.engine.next_deadline() else {
                continue;
            };
            if settings
                .ticks
                .due(deadline, self.ticks_sent.get(tenant).copied(), now, idle)
            {
                due.push((tenant.clone(), deadline));
            }
        }
        for (tenant, deadline) in due {
            let envelope = Envelope {
                tenant: tenant.clone(),
                at: deadline,
                input: json!({"type": "tick"}),
            };
            self.out
                .send(Outgoing {
                    subject: input_subject(self.partition),
                    id: Some(tick_id(&tenant, deadline.timestamp_millis())),
                    payload: envelope.to_line().into(),
                })
                .await?;
            self.ticks_sent.insert(tenant, deadline);
        }
        Ok(())
    }
}
