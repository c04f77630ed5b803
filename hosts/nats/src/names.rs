//! The names this host uses on the NATS server: streams, subjects, buckets and
//! idempotency keys. One place, so every command agrees.

/// The stream that holds every input, partitioned by subject token.
pub const INPUT_STREAM: &str = "OL_IN";
/// The stream that holds every action, one subject per tenant.
pub const OUTPUT_STREAM: &str = "OL_OUT";
/// The stream that holds rejected stream records with the reason.
pub const DEAD_STREAM: &str = "OL_DEAD";
/// The dead-letter subject.
pub const DEAD_SUBJECT: &str = "ol.dead";
/// KV bucket: partition leases (`p{n}` = the owner), entries expire with the lease TTL.
pub const LEASE_BUCKET: &str = "ol_leases";
/// KV bucket: live workers (`{worker id}`), entries expire with the lease TTL.
pub const WORKER_BUCKET: &str = "ol_workers";
/// KV bucket: one checkpoint manifest per partition (`p{n}`).
pub const CHECKPOINT_BUCKET: &str = "ol_checkpoints";
/// KV bucket: settings shared by every command (`partitions`).
pub const META_BUCKET: &str = "ol_meta";
/// Object store bucket: tenant snapshots, one object per (tenant, sequence).
pub const SNAPSHOT_BUCKET: &str = "ol_snapshots";
/// The key of the partition count in [`META_BUCKET`].
pub const PARTITIONS_KEY: &str = "partitions";

/// The input subject of a partition: `ol.in.{partition}`.
pub fn input_subject(partition: u32) -> String {
    format!("ol.in.{partition}")
}

/// The output subject of a tenant: `ol.out.{tenant}`.
pub fn output_subject(tenant: &str) -> String {
    format!("ol.out.{tenant}")
}

/// The KV key of a partition (lease and checkpoint manifest): `p{partition}`.
pub fn partition_key(partition: u32) -> String {
    format!("p{partition}")
}

/// The durable consumer of a partition: `ol-p{partition}`.
pub fn consumer_name(partition: u32) -> String {
    format!("ol-p{partition}")
}

/// The object holding a tenant's snapshot taken after stream sequence `seq`.
pub fn snapshot_object(tenant: &str, seq: u64) -> String {
    format!("{tenant}/{seq}")
}

/// The idempotency key (`Nats-Msg-Id`) of an action: tenant, input sequence, action index.
pub fn action_id(tenant: &str, seq: u64, index: usize) -> String {
    format!("{tenant}:{seq}:{index}")
}

/// The idempotency key of the dead letter for stream sequence `seq`.
pub fn dead_letter_id(seq: u64) -> String {
    format!("dead:{seq}")
}

/// The idempotency key of a tick a worker puts on the stream for a tenant's deadline.
pub fn tick_id(tenant: &str, at_ms: i64) -> String {
    format!("tick:{tenant}:{at_ms}")
}

/// A tenant id is one subject token and one object-name segment: 1 to 64 ASCII
/// letters, digits, `_` or `-`.
pub fn valid_tenant(tenant: &str) -> bool {
    (1..=64).contains(&tenant.len())
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The partition of a tenant: FNV-1a (64 bit) of its id, modulo the partition count.
/// Stable across machines and versions: it decides where a tenant's inputs live.
pub fn partition_of(tenant: &str, partitions: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tenant.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % u64::from(partitions.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_is_stable_and_in_range() {
        // Pinned values: changing the hash would move tenants between partitions.
        assert_eq!(partition_of("acme", 12), partition_of("acme", 12));
        assert_eq!(partition_of("", 12), (0xcbf2_9ce4_8422_2325u64 % 12) as u32);
        for i in 0..200 {
            assert!(partition_of(&format!("t{i}"), 7) < 7);
        }
        assert_eq!(partition_of("anything", 0), 0);
    }

    #[test]
    fn partitions_spread_tenants() {
        let mut counts = [0u32; 12];
        for i in 0..1200 {
            counts[partition_of(&format!("tenant{i:04}"), 12) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 50), "{counts:?}");
    }

    #[test]
    fn tenant_ids_must_be_one_token() {
        assert!(valid_tenant("acme-01_x"));
        for bad in ["", "a.b", "a b", "a*", "a>", &"x".repeat(65)] {
            assert!(!valid_tenant(bad), "{bad:?}");
        }
    }

    #[test]
    fn keys_name_tenant_sequence_and_index() {
        assert_eq!(action_id("acme", 42, 3), "acme:42:3");
        assert_eq!(input_subject(5), "ol.in.5");
        assert_eq!(output_subject("acme"), "ol.out.acme");
        assert_eq!(snapshot_object("acme", 9), "acme/9");
    }
}
