//! What a worker does with partitions each period, decided from what it sees: who
//! owns which partition and which workers are alive. Pure, so it is tested alone.
//!
//! Rules: a worker's share is `ceil(P / live workers)`; it takes free partitions up to
//! its share. A dead worker's heartbeat expires no later than its leases, so when its
//! partitions come free the survivors' shares have grown to cover them. A worker gives
//! partitions back (down to its share) only when no partition is free and another live
//! worker has fewer than the even share: handing one over to nobody would just move it
//! back and forth.

use std::collections::{BTreeMap, BTreeSet};

/// What a worker sees at the start of a period.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    /// The owner of each held partition.
    pub owners: BTreeMap<u32, String>,
    /// Live workers (including this one).
    pub live: BTreeSet<String>,
}

/// What to do this period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Partitions to try to take, in order.
    pub take: Vec<u32>,
    /// How many owned partitions to give back.
    pub release: usize,
}

/// How many partitions each of `workers` should own: the ceiling of the even share.
pub fn fair_share(partitions: u32, workers: usize) -> usize {
    (partitions as usize).div_ceil(workers.max(1))
}

/// Decide a period. `order` is the worker's probe order.
pub fn plan(me: &str, order: &[u32], survey: &Survey) -> Plan {
    let workers = survey.live.len().max(1);
    let share = fair_share(order.len() as u32, workers);
    let mine = survey.owners.values().filter(|o| o.as_str() == me).count();
    let free: Vec<u32> = order
        .iter()
        .copied()
        .filter(|p| !survey.owners.contains_key(p))
        .collect();
    let mut plan = Plan {
        take: free
            .iter()
            .copied()
            .take(share.saturating_sub(mine))
            .collect(),
        release: 0,
    };
    if mine > share && free.is_empty() && someone_hungry(me, survey, order.len(), workers) {
        plan.release = mine - share;
    }
    plan
}

/// A live worker other than `me` owns fewer than the even share (rounded down).
fn someone_hungry(me: &str, survey: &Survey, partitions: usize, workers: usize) -> bool {
    let floor = partitions / workers;
    survey
        .live
        .iter()
        .filter(|w| w.as_str() != me)
        .any(|w| survey.owners.values().filter(|o| *o == w).count() < floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(owners: &[(u32, &str)], live: &[&str]) -> Survey {
        Survey {
            owners: owners.iter().map(|(p, w)| (*p, (*w).to_owned())).collect(),
            live: live.iter().map(|w| (*w).to_owned()).collect(),
        }
    }

    const ORDER: [u32; 6] = [0, 1, 2, 3, 4, 5];

    #[test]
    fn fair_share_covers_every_partition() {
        assert_eq!(fair_share(12, 3), 4);
        assert_eq!(fair_share(12, 5), 3);
        assert_eq!(fair_share(12, 0), 12);
        for w in 1..20 {
            assert!(fair_share(12, w) * w >= 12);
        }
    }

    #[test]
    fn takes_free_partitions_up_to_its_share() {
        let s = survey(&[(0, "b")], &["a", "b", "c"]);
        let p = plan("a", &ORDER, &s);
        assert_eq!(p.take, vec![1, 2]);
        assert_eq!(p.release, 0);
    }

    #[test]
    fn survivors_take_a_dead_workers_partitions() {
        // c died: its leases and its heartbeat expired, the share grew to 3.
        let s = survey(&[(0, "a"), (1, "a"), (2, "b"), (3, "b")], &["a", "b"]);
        assert_eq!(plan("a", &ORDER, &s).take, vec![4]);
        assert_eq!(plan("b", &[4, 5, 0, 1, 2, 3], &s).take, vec![4]);
    }

    #[test]
    fn gives_back_down_to_its_share_when_another_has_less() {
        let s = survey(
            &[(0, "a"), (1, "a"), (2, "a"), (3, "a"), (4, "b"), (5, "b")],
            &["a", "b"],
        );
        assert_eq!(plan("a", &ORDER, &s).release, 1);
        assert_eq!(plan("b", &ORDER, &s).release, 0);
        let s = survey(
            &[(0, "a"), (1, "a"), (2, "a"), (3, "a"), (4, "b"), (5, "b")],
            &["a", "b", "c"],
        );
        assert_eq!(plan("a", &ORDER, &s).release, 2);
    }

    #[test]
    fn does_not_give_back_while_a_partition_is_free() {
        let s = survey(
            &[(0, "a"), (1, "a"), (2, "a"), (3, "a"), (4, "b")],
            &["a", "b", "c"],
        );
        assert_eq!(plan("a", &ORDER, &s).release, 0);
    }
}
