//! Partition ownership, decided by JetStream: a KV key per partition whose value
//! names the owner. The bucket's `max_age` is the lease's time to live; the owner
//! renews by compare-and-set on the revision it holds; a lease nobody renews expires
//! and the next `create` on it wins. Workers announce themselves in a second bucket
//! with the same time to live, so each knows how many share the partitions.

use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::cluster::{Cluster, Result};
use crate::names::partition_key;
use crate::plan::Survey;

/// The value of a lease key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The owning worker.
    pub worker: String,
}

impl Lease {
    fn bytes(&self) -> bytes::Bytes {
        serde_json::to_vec(self).unwrap_or_default().into()
    }
}

/// Take a free partition; `Some(revision)` when this worker now owns it.
pub async fn acquire(cluster: &Cluster, partition: u32, worker: &str) -> Option<u64> {
    let lease = Lease {
        worker: worker.to_owned(),
    };
    cluster
        .leases
        .create(partition_key(partition), lease.bytes())
        .await
        .ok()
}

/// Renew an owned lease; `None` when it was lost (expired and taken, or deleted).
pub async fn renew(cluster: &Cluster, partition: u32, worker: &str, revision: u64) -> Option<u64> {
    let lease = Lease {
        worker: worker.to_owned(),
    };
    cluster
        .leases
        .update(partition_key(partition), lease.bytes(), revision)
        .await
        .ok()
}

/// Give a partition up (only if still ours).
pub async fn release(cluster: &Cluster, partition: u32, revision: u64) {
    let _ = cluster
        .leases
        .delete_expect_revision(partition_key(partition), Some(revision))
        .await;
}

/// The owner of a partition, if any.
pub async fn owner(cluster: &Cluster, partition: u32) -> Result<Option<String>> {
    let value = cluster.leases.get(partition_key(partition)).await?;
    Ok(value
        .filter(|v| !v.is_empty())
        .and_then(|v| serde_json::from_slice::<Lease>(&v).ok())
        .map(|l| l.worker))
}

/// Say this worker is alive (expires with the lease time to live).
pub async fn heartbeat(cluster: &Cluster, worker: &str) -> Result<()> {
    cluster.workers.put(worker, "alive".into()).await?;
    Ok(())
}

/// Who owns what and who is alive, for [`crate::plan::plan`].
pub async fn survey(cluster: &Cluster) -> Result<Survey> {
    let mut survey = Survey::default();
    let mut keys = cluster.workers.keys().await?;
    while let Some(key) = keys.next().await {
        survey.live.insert(key?);
    }
    for partition in 0..cluster.partitions {
        if let Some(worker) = owner(cluster, partition).await? {
            survey.owners.insert(partition, worker);
        }
    }
    Ok(survey)
}

/// The order in which a worker tries free partitions: starting at a point picked
/// from its id, so workers starting together do not all race for partition 0.
pub fn probe_order(partitions: u32, worker: &str) -> Vec<u32> {
    let start = crate::names::partition_of(worker, partitions);
    (0..partitions).map(|i| (start + i) % partitions).collect()
}

/// How often to renew: three times per time to live.
pub fn renew_period(ttl: Duration) -> Duration {
    (ttl / 3).max(Duration::from_millis(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_order_visits_each_partition_once() {
        let mut order = probe_order(12, "worker-a");
        order.sort_unstable();
        assert_eq!(order, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn renews_well_before_expiry() {
        assert_eq!(renew_period(Duration::from_secs(3)), Duration::from_secs(1));
    }
}
