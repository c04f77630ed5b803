//! The worker: joins the group, keeps its fair share of partitions (leases in KV),
//! runs one task per owned partition, and gives partitions up when it has too many
//! (a worker joined) or when it is asked to stop.

use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cluster::{Cluster, Result};
use crate::lease;
use crate::log;
use crate::partition::{self, Settings};
use crate::plan;

/// How long a stopping worker tries to checkpoint and hand over its partitions.
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(10);

/// A partition this worker owns.
struct Owned {
    revision: u64,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    releasing: bool,
}

/// Run a worker until Ctrl-C / SIGTERM; then checkpoint and release every partition.
pub async fn run(cluster: Cluster, settings: Settings) -> Result<()> {
    let mut owned: BTreeMap<u32, Owned> = BTreeMap::new();
    let mut timer = tokio::time::interval(lease::renew_period(cluster.lease_ttl));
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    log::event(
        "worker_started",
        json!({"worker": settings.worker, "partitions": cluster.partitions,
               "lease_ttl_ms": cluster.lease_ttl.as_millis() as u64}),
    );
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    // Announce this worker for one period before taking partitions, so workers that
    // start together see each other and split the partitions at once.
    let mut joined = false;
    let order = lease::probe_order(cluster.partitions, &settings.worker);
    loop {
        tokio::select! {
            _ = timer.tick() => {}
            _ = &mut shutdown => break,
        }
        if let Err(e) = lease::heartbeat(&cluster, &settings.worker).await {
            log::event("heartbeat_failed", json!({"error": e.to_string()}));
        }
        renew(&cluster, &settings, &mut owned).await;
        release_finished(&cluster, &mut owned).await;
        let survey = match lease::survey(&cluster).await {
            Ok(s) => s,
            Err(e) => {
                log::event("survey_failed", json!({"error": e.to_string()}));
                continue;
            }
        };
        let plan = plan::plan(&settings.worker, &order, &survey);
        start_release(&mut owned, plan.release);
        if joined {
            acquire(&cluster, &settings, &mut owned, &plan.take).await;
        }
        joined = true;
    }
    // Checkpoint and hand over everything, renewing the leases meanwhile; bounded, so
    // a worker whose server is gone still stops (its leases then simply expire).
    start_release(&mut owned, usize::MAX);
    let hand_over = async {
        while !owned.is_empty() {
            timer.tick().await;
            renew(&cluster, &settings, &mut owned).await;
            release_finished(&cluster, &mut owned).await;
        }
    };
    if tokio::time::timeout(SHUTDOWN_LIMIT, hand_over)
        .await
        .is_err()
    {
        log::event("hand_over_timed_out", json!({"worker": settings.worker}));
    }
    let _ = cluster.workers.delete(&settings.worker).await;
    log::event("worker_stopped", json!({"worker": settings.worker}));
    Ok(())
}

/// Renew every lease; a lease that cannot be renewed was lost: stop its task at once
/// (no checkpoint: the new owner's state is the truth).
async fn renew(cluster: &Cluster, settings: &Settings, owned: &mut BTreeMap<u32, Owned>) {
    let mut lost = Vec::new();
    for (&partition, o) in owned.iter_mut() {
        match lease::renew(cluster, partition, &settings.worker, o.revision).await {
            Some(revision) => o.revision = revision,
            None => lost.push(partition),
        }
    }
    for partition in lost {
        if let Some(o) = owned.remove(&partition) {
            o.task.abort();
            log::event("lost", json!({"partition": partition}));
        }
    }
}

/// Try to take each of `partitions` (another worker may be faster: then it is theirs).
async fn acquire(
    cluster: &Cluster,
    settings: &Settings,
    owned: &mut BTreeMap<u32, Owned>,
    partitions: &[u32],
) {
    for &partition in partitions {
        if let Some(revision) = lease::acquire(cluster, partition, &settings.worker).await {
            log::event("acquired", json!({"partition": partition}));
            let (stop, stopped) = watch::channel(false);
            let task = tokio::spawn(partition::run(
                cluster.clone(),
                partition,
                settings.clone(),
                stopped,
            ));
            let releasing = false;
            owned.insert(
                partition,
                Owned {
                    revision,
                    stop,
                    task,
                    releasing,
                },
            );
        }
    }
}

/// Ask `count` more partitions (the highest-numbered first) to checkpoint and stop,
/// unless some are stopping already. Their leases stay renewed meanwhile.
fn start_release(owned: &mut BTreeMap<u32, Owned>, count: usize) {
    if owned.values().any(|o| o.releasing) {
        return;
    }
    for (partition, o) in owned
        .iter_mut()
        .rev()
        .filter(|(_, o)| !o.releasing)
        .take(count)
    {
        o.releasing = true;
        let _ = o.stop.send(true);
        log::event("releasing", json!({"partition": partition}));
    }
}

/// Delete the lease of every released partition whose task has checkpointed and
/// stopped, so another worker takes it at once.
async fn release_finished(cluster: &Cluster, owned: &mut BTreeMap<u32, Owned>) {
    let done: Vec<u32> = owned
        .iter()
        .filter(|(_, o)| o.releasing && o.task.is_finished())
        .map(|(p, _)| *p)
        .collect();
    for partition in done {
        if let Some(o) = owned.remove(&partition) {
            lease::release(cluster, partition, o.revision).await;
            log::event("released", json!({"partition": partition}));
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
