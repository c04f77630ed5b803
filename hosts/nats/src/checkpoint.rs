//! Checkpoints: each tenant's snapshot in the object store (one immutable object per
//! tenant and stream sequence), and per partition a manifest in KV naming the objects
//! and the stream sequence they cover. The manifest is written with compare-and-set,
//! so a stale owner cannot overwrite a newer checkpoint; an object is only read
//! through the manifest that names it, so a half-written checkpoint is never used.

use std::collections::BTreeMap;
use std::time::Instant;

use openlines::Engine;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::cluster::{Cluster, Result};
use crate::names::{partition_key, snapshot_object};
use crate::tenants::Tenants;

/// One tenant's entry in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantCheckpoint {
    /// The last stream sequence applied to the tenant in this snapshot.
    pub seq: u64,
    /// Size of the snapshot in bytes.
    pub bytes: u64,
}

/// A partition's checkpoint: every tenant's state after stream sequence `through`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Every message of the partition up to this stream sequence is applied.
    pub through: u64,
    /// Each tenant's snapshot.
    pub tenants: BTreeMap<String, TenantCheckpoint>,
    /// The worker that wrote it.
    pub worker: String,
    /// When it was written (milliseconds since the Unix epoch, wall clock: for people).
    pub written_ms: i64,
}

/// The manifest as read, with the KV revision to compare-and-set against (0: none yet).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The manifest (empty when the partition was never checkpointed).
    pub manifest: Manifest,
    /// Its KV revision.
    pub revision: u64,
}

/// What writing a checkpoint cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost {
    /// Tenants whose snapshot was written.
    pub tenants: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Time spent snapshotting and writing, in microseconds.
    pub micros: u128,
}

/// Read a partition's manifest.
pub async fn read_manifest(cluster: &Cluster, partition: u32) -> Result<Loaded> {
    match cluster.checkpoints.entry(partition_key(partition)).await? {
        Some(entry) if !entry.value.is_empty() => Ok(Loaded {
            manifest: serde_json::from_slice(&entry.value)?,
            revision: entry.revision,
        }),
        _ => Ok(Loaded::default()),
    }
}

/// Restore every tenant a manifest names.
pub async fn restore(cluster: &Cluster, manifest: &Manifest) -> Result<Tenants> {
    let mut tenants = Tenants::new();
    for (tenant, checkpoint) in &manifest.tenants {
        let mut object = cluster
            .snapshots
            .get(snapshot_object(tenant, checkpoint.seq))
            .await?;
        let mut bytes = Vec::new();
        object.read_to_end(&mut bytes).await?;
        let engine = Engine::restore_bytes(&bytes)
            .map_err(|e| format!("snapshot of {tenant} at {}: {e}", checkpoint.seq))?;
        tenants.restore(tenant.clone(), engine, checkpoint.seq);
    }
    Ok(tenants)
}

/// Write the snapshots of the changed tenants, then the manifest (compare-and-set on
/// `loaded.revision`); on success `loaded` holds the new manifest and revision and
/// the replaced objects are deleted. A failed compare-and-set is an error: someone
/// else wrote the partition's checkpoint, so this worker's view is stale.
pub async fn write(
    cluster: &Cluster,
    partition: u32,
    through: u64,
    tenants: &mut Tenants,
    loaded: &mut Loaded,
    worker: &str,
) -> Result<Cost> {
    let started = Instant::now();
    let mut next = loaded.manifest.clone();
    let mut cost = Cost::default();
    let snapshots: Vec<(String, u64, Vec<u8>)> = tenants
        .dirty()
        .map(|(tenant, state)| {
            (
                tenant.clone(),
                state.last_seq,
                state.engine.snapshot_bytes(),
            )
        })
        .collect();
    // The puts go out together: a checkpoint costs about one round trip, not one per tenant.
    let puts = snapshots.iter().map(|(tenant, seq, bytes)| async move {
        let name = snapshot_object(tenant, *seq);
        cluster
            .snapshots
            .put(name.as_str(), &mut bytes.as_slice())
            .await
    });
    futures_util::future::try_join_all(puts).await?;
    for (tenant, seq, bytes) in snapshots {
        let size = bytes.len() as u64;
        next.tenants
            .insert(tenant, TenantCheckpoint { seq, bytes: size });
        cost.tenants += 1;
        cost.bytes += size;
    }
    next.through = through;
    next.worker = worker.to_owned();
    next.written_ms = crate::log::now_ms();
    let value = serde_json::to_vec(&next)?.into();
    let key = partition_key(partition);
    let revision = if loaded.revision == 0 {
        cluster.checkpoints.create(&key, value).await?
    } else {
        cluster
            .checkpoints
            .update(&key, value, loaded.revision)
            .await?
    };
    let replaced = replaced_objects(&loaded.manifest, &next);
    *loaded = Loaded {
        manifest: next,
        revision,
    };
    tenants.mark_clean();
    cost.micros = started.elapsed().as_micros();
    let store = cluster.snapshots.clone();
    tokio::spawn(async move {
        // Best effort, off the partition's path: an object left behind is never read.
        for name in replaced {
            let _ = store.delete(&name).await;
        }
    });
    Ok(cost)
}

/// The objects of `old` that `new` no longer names.
fn replaced_objects(old: &Manifest, new: &Manifest) -> Vec<String> {
    old.tenants
        .iter()
        .filter(|(t, c)| new.tenants.get(*t).is_none_or(|n| n.seq != c.seq))
        .map(|(t, c)| snapshot_object(t, c.seq))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(entries: &[(&str, u64)]) -> Manifest {
        Manifest {
            tenants: entries
                .iter()
                .map(|(t, s)| ((*t).to_owned(), TenantCheckpoint { seq: *s, bytes: 1 }))
                .collect(),
            ..Manifest::default()
        }
    }

    #[test]
    fn only_superseded_objects_are_deleted() {
        let old = manifest(&[("a", 5), ("b", 7)]);
        let new = manifest(&[("a", 9), ("b", 7), ("c", 9)]);
        assert_eq!(replaced_objects(&old, &new), vec!["a/5".to_owned()]);
    }

    #[test]
    fn manifest_round_trips_as_json() {
        let m = manifest(&[("a", 5)]);
        let back: Manifest = serde_json::from_slice(&serde_json::to_vec(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
