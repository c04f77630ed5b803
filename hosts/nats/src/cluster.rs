//! Connecting to NATS and making sure the streams and buckets exist. Every command
//! starts here; the first one to run creates the layout, the others find it.

use std::time::Duration;

use async_nats::jetstream::{self, kv, object_store, stream};

use crate::names::*;

/// Any error of this host (NATS, JSON, I/O, engine).
pub type Error = async_nats::Error;
/// A result of this host.
pub type Result<T> = std::result::Result<T, Error>;

/// Settings used when this command is the first to create the layout.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Partitions of the input stream (ignored when the layout exists).
    pub partitions: u32,
    /// Lease time to live: a dead worker's partitions are free after this.
    pub lease_ttl: Duration,
    /// JetStream's duplicate window for actions and dead letters: it must cover a
    /// checkpoint interval plus a failover.
    pub dedup_window: Duration,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            partitions: 12,
            lease_ttl: Duration::from_secs(3),
            dedup_window: Duration::from_secs(600),
        }
    }
}

/// Handles to everything the host keeps on the server.
#[derive(Clone)]
pub struct Cluster {
    /// The JetStream context (publishing, streams, consumers).
    pub js: jetstream::Context,
    /// Partition leases.
    pub leases: kv::Store,
    /// Live workers.
    pub workers: kv::Store,
    /// Checkpoint manifests.
    pub checkpoints: kv::Store,
    /// Tenant snapshots.
    pub snapshots: object_store::ObjectStore,
    /// The partition count everyone agreed on.
    pub partitions: u32,
    /// The lease time to live in force.
    pub lease_ttl: Duration,
}

impl Cluster {
    /// Connect and create what is missing.
    pub async fn connect(url: &str, layout: Layout) -> Result<Cluster> {
        // Data (inputs, actions, checkpoints) and control (leases, heartbeats) use
        // separate connections, so a lease renewal never waits behind a burst of actions.
        let js = connect_context(url).await?;
        let control = connect_context(url).await?;
        let window = layout.dedup_window;
        ensure_stream(&js, INPUT_STREAM, "ol.in.*", window)
            .await
            .map_err(context(INPUT_STREAM))?;
        ensure_stream(&js, OUTPUT_STREAM, "ol.out.*", window)
            .await
            .map_err(context(OUTPUT_STREAM))?;
        ensure_stream(&js, DEAD_STREAM, DEAD_SUBJECT, window)
            .await
            .map_err(context(DEAD_STREAM))?;
        let leases = ensure_kv(&control, LEASE_BUCKET, layout.lease_ttl)
            .await
            .map_err(context(LEASE_BUCKET))?;
        let workers = ensure_kv(&control, WORKER_BUCKET, layout.lease_ttl)
            .await
            .map_err(context(WORKER_BUCKET))?;
        let checkpoints = ensure_kv(&js, CHECKPOINT_BUCKET, Duration::ZERO)
            .await
            .map_err(context(CHECKPOINT_BUCKET))?;
        let meta = ensure_kv(&js, META_BUCKET, Duration::ZERO)
            .await
            .map_err(context(META_BUCKET))?;
        let snapshots = ensure_object_store(&js)
            .await
            .map_err(context(SNAPSHOT_BUCKET))?;
        let partitions = agree_on_partitions(&meta, layout.partitions)
            .await
            .map_err(context(PARTITIONS_KEY))?;
        let lease_ttl = bucket_max_age(&js, LEASE_BUCKET)
            .await
            .map_err(context(LEASE_BUCKET))?;
        Ok(Cluster {
            js,
            leases,
            workers,
            checkpoints,
            snapshots,
            partitions,
            lease_ttl,
        })
    }

    /// The input stream.
    pub async fn input_stream(&self) -> Result<stream::Stream> {
        Ok(self.js.get_stream(INPUT_STREAM).await?)
    }
}

/// Name what was being set up when an error happened.
fn context(what: &'static str) -> impl Fn(Error) -> Error {
    move |e| format!("setting up {what}: {e}").into()
}

/// A JetStream context on its own connection. Publishers keep many acknowledgements
/// outstanding (one window per partition), so the in-flight limit is set high enough
/// that windows can never wait on each other.
async fn connect_context(url: &str) -> Result<jetstream::Context> {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    Ok(jetstream::ContextBuilder::new()
        .timeout(REQUEST_TIMEOUT)
        .ack_timeout(REQUEST_TIMEOUT)
        .max_ack_inflight(MAX_ACKS_IN_FLIGHT)
        .build(client))
}

/// The in-flight acknowledgement limit of a connection: room for 256 partition windows.
pub const MAX_ACKS_IN_FLIGHT: usize = 256 * PUBLISH_WINDOW;

/// How long a JetStream API request may take: short, so that a request lost in a
/// server restart is retried soon.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// Acknowledgements a publisher leaves outstanding before it collects them.
pub const PUBLISH_WINDOW: usize = 1024;

async fn ensure_stream(
    js: &jetstream::Context,
    name: &str,
    subject: &str,
    duplicate_window: Duration,
) -> Result<()> {
    if js.get_stream(name).await.is_ok() {
        return Ok(());
    }
    let config = stream::Config {
        name: name.to_owned(),
        subjects: vec![subject.to_owned()],
        storage: stream::StorageType::File,
        duplicate_window,
        ..Default::default()
    };
    // Another command may create it at the same moment: then it exists.
    if let Err(e) = js.create_stream(config).await {
        js.get_stream(name).await.map_err(|_| e)?;
    }
    Ok(())
}

/// A KV bucket. Its stream is created here with the settings `create_key_value`
/// uses (one value per key, roll-ups, direct gets): async-nats 0.51's
/// `create_key_value` first reads account fields that nats-server 2.9 does not send.
async fn ensure_kv(js: &jetstream::Context, bucket: &str, max_age: Duration) -> Result<kv::Store> {
    if let Ok(store) = js.get_key_value(bucket).await {
        return Ok(store);
    }
    let config = stream::Config {
        name: format!("KV_{bucket}"),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        max_age,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: 1,
        ..Default::default()
    };
    if let Err(e) = js.create_stream(config).await {
        js.get_key_value(bucket).await.map_err(|_| e)?;
    }
    Ok(js.get_key_value(bucket).await?)
}

async fn ensure_object_store(js: &jetstream::Context) -> Result<object_store::ObjectStore> {
    if let Ok(store) = js.get_object_store(SNAPSHOT_BUCKET).await {
        return Ok(store);
    }
    let config = object_store::Config {
        bucket: SNAPSHOT_BUCKET.to_owned(),
        storage: stream::StorageType::File,
        ..Default::default()
    };
    match js.create_object_store(config).await {
        Ok(store) => Ok(store),
        Err(e) => js
            .get_object_store(SNAPSHOT_BUCKET)
            .await
            .map_err(|_| e.into()),
    }
}

/// The first command stores its partition count; everyone else reads it (a
/// compare-and-set on the key, so two first commands cannot disagree). Retried
/// briefly: a command starting together with the first may find the bucket before
/// the key.
async fn agree_on_partitions(meta: &kv::Store, wanted: u32) -> Result<u32> {
    for _ in 0..50 {
        let _ = meta
            .create(PARTITIONS_KEY, wanted.max(1).to_string().into())
            .await;
        if let Ok(Some(stored)) = meta.get(PARTITIONS_KEY).await {
            return Ok(std::str::from_utf8(&stored)?.trim().parse()?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the partition count cannot be stored in the meta bucket".into())
}

async fn bucket_max_age(js: &jetstream::Context, bucket: &str) -> Result<Duration> {
    let mut stream = js.get_stream(format!("KV_{bucket}")).await?;
    Ok(stream.info().await?.config.max_age)
}
