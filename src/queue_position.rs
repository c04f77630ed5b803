//! The queue position message: where a waiting dialog stands in its line's queue and
//! how long it may still wait (the line option `queue_position`).
//!
//! Three parts, each a pure helper the engine calls:
//!
//! - [`RankTree`]: an order-statistic tree (a treap whose nodes count their subtree).
//!   The engine keeps one per line beside its waiting queue, keyed like it (priority,
//!   then age), so a dialog's place in dispatch order is found in O(log n) instead of
//!   by walking the queue.
//! - [`WaitEstimate`]: the line's dispatch rate, persisted with the line. It keeps a
//!   long-memory mean of the gaps between dialogs leaving the queue for an operator,
//!   measured only while the queue is not empty (a plain average of the first
//!   [`MEMORY`] gaps, then exponentially weighted with weight 1 / [`MEMORY`]). A dialog
//!   at position `k` needs `k` such departures, so its estimate is `k` × the mean gap.
//!   The memory is long on purpose: a queue is long exactly when the recent gaps were
//!   long, so a short memory (the previous 1/8) overestimates long queues' waits
//!   (measured on M/M/c: 12-18% per message, up to 28% from position 8); with 1/1024 the
//!   estimate is within 6% of the realised mean wait at every position (see
//!   docs/behaviour.md and `cli/tests/wait_estimate.rs`).
//! - [`render`] and [`wait_text`]: the message text, with `#WAIT#` in words a client
//!   reads ("less than a minute", "3 min", "1 h 5 min").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The mean gap averages the first `MEMORY` gaps equally, then weighs the newest one
/// 1 / `MEMORY` (it follows roughly the last thousand departures).
pub(crate) const MEMORY: i64 = 1024;

/// Bits of the packed mean that hold the mean gap in microseconds (about 203 days);
/// the bits above hold how many gaps it averages (at most [`MEMORY`]).
const MEAN_BITS: u32 = 44;
const MEAN_MASK: i64 = (1 << MEAN_BITS) - 1;

/// What `#WAIT#` says before the line has seen any waiting dialog served (no rate yet).
pub(crate) const NO_ESTIMATE: &str = "a few minutes";

/// No node.
const NIL: u32 = u32::MAX;

/// One node of a [`RankTree`].
#[derive(Debug, Clone)]
struct Node<K> {
    key: K,
    /// Heap priority (a treap is a search tree by key and a heap by priority).
    priority: u64,
    left: u32,
    right: u32,
    /// Keys in this node's subtree, itself included.
    size: u32,
}

/// An ordered set of keys that also answers "how many keys are smaller than this one"
/// in O(log n) expected time: a treap whose nodes count their subtree, in an arena.
///
/// Priorities come from a counter mixed by SplitMix64, so the shape is deterministic;
/// only the set of keys is observable ([`RankTree::rank`], [`RankTree::keys`]).
#[derive(Debug, Clone)]
pub(crate) struct RankTree<K> {
    nodes: Vec<Node<K>>,
    free: Vec<u32>,
    root: u32,
    counter: u64,
}

impl<K> Default for RankTree<K> {
    fn default() -> Self {
        RankTree {
            nodes: Vec::new(),
            free: Vec::new(),
            root: NIL,
            counter: 0,
        }
    }
}

impl<K: Ord + Copy> RankTree<K> {
    /// How many keys the tree holds.
    #[cfg(any(test, feature = "test-support"))]
    pub fn len(&self) -> usize {
        self.size(self.root) as usize
    }

    /// Whether the tree holds no key.
    pub fn is_empty(&self) -> bool {
        self.root == NIL
    }

    /// Whether `key` is in the tree.
    pub fn contains(&self, key: &K) -> bool {
        let mut n = self.root;
        while n != NIL {
            let node = &self.nodes[n as usize];
            match key.cmp(&node.key) {
                std::cmp::Ordering::Less => n = node.left,
                std::cmp::Ordering::Greater => n = node.right,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// How many keys in the tree are smaller than `key` (whether or not `key` is in it).
    pub fn rank(&self, key: &K) -> usize {
        let mut n = self.root;
        let mut below = 0usize;
        while n != NIL {
            let node = &self.nodes[n as usize];
            if *key <= node.key {
                n = node.left;
            } else {
                below += self.size(node.left) as usize + 1;
                n = node.right;
            }
        }
        below
    }

    /// Add `key`; false when it was already there.
    pub fn insert(&mut self, key: K) -> bool {
        if self.contains(&key) {
            return false;
        }
        self.counter = self.counter.wrapping_add(1);
        let node = Node {
            key,
            priority: splitmix64(self.counter),
            left: NIL,
            right: NIL,
            size: 1,
        };
        let n = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        let (below, above) = self.split(self.root, &key);
        let left = self.merge(below, n);
        self.root = self.merge(left, above);
        true
    }

    /// Remove `key`; false when it was not there.
    pub fn remove(&mut self, key: &K) -> bool {
        let (root, found) = self.erase(self.root, key);
        self.root = root;
        found
    }

    /// Every key in order (bulk: the consistency check).
    #[cfg(any(test, feature = "test-support"))]
    pub fn keys(&self) -> Vec<K> {
        let mut out = Vec::with_capacity(self.len());
        let mut stack = Vec::new();
        let mut n = self.root;
        while n != NIL || !stack.is_empty() {
            while n != NIL {
                stack.push(n);
                n = self.nodes[n as usize].left;
            }
            if let Some(top) = stack.pop() {
                out.push(self.nodes[top as usize].key);
                n = self.nodes[top as usize].right;
            }
        }
        out
    }

    fn size(&self, n: u32) -> u32 {
        if n == NIL {
            0
        } else {
            self.nodes[n as usize].size
        }
    }

    fn resize(&mut self, n: u32) {
        let node = &self.nodes[n as usize];
        let size = 1 + self.size(node.left) + self.size(node.right);
        self.nodes[n as usize].size = size;
    }

    /// Split the subtree at `n` into keys smaller than `key` and the rest.
    fn split(&mut self, n: u32, key: &K) -> (u32, u32) {
        if n == NIL {
            return (NIL, NIL);
        }
        if self.nodes[n as usize].key < *key {
            let (below, above) = self.split(self.nodes[n as usize].right, key);
            self.nodes[n as usize].right = below;
            self.resize(n);
            (n, above)
        } else {
            let (below, above) = self.split(self.nodes[n as usize].left, key);
            self.nodes[n as usize].left = above;
            self.resize(n);
            (below, n)
        }
    }

    /// Join two subtrees, every key of `a` smaller than every key of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].priority > self.nodes[b as usize].priority {
            let right = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = right;
            self.resize(a);
            a
        } else {
            let left = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = left;
            self.resize(b);
            b
        }
    }

    /// Remove `key` from the subtree at `n`: the new subtree root and whether it was found.
    fn erase(&mut self, n: u32, key: &K) -> (u32, bool) {
        if n == NIL {
            return (NIL, false);
        }
        let node = &self.nodes[n as usize];
        match key.cmp(&node.key) {
            std::cmp::Ordering::Equal => {
                let (left, right) = (node.left, node.right);
                self.free.push(n);
                (self.merge(left, right), true)
            }
            std::cmp::Ordering::Less => {
                let (left, found) = self.erase(node.left, key);
                self.nodes[n as usize].left = left;
                if found {
                    self.resize(n);
                }
                (n, found)
            }
            std::cmp::Ordering::Greater => {
                let (right, found) = self.erase(node.right, key);
                self.nodes[n as usize].right = right;
                if found {
                    self.resize(n);
                }
                (n, found)
            }
        }
    }
}

/// SplitMix64's output function: a well-mixed 64-bit value from a counter.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A line's dispatch rate, for `#WAIT#` (persisted with the line).
///
/// Only departures to an operator count (a dialog leaving the waiting queue for an
/// offer or an assignment), and only the time while the queue was not empty: each
/// gap runs from the later of the previous departure and the moment the queue
/// stopped being empty. Dialogs held for the opening (`off_hours`) leave at the
/// opening, not by service: their departures restart the gap but are not measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WaitEstimate {
    /// The mean gap between departures, packed: microseconds in the low
    /// [`MEAN_BITS`] bits, the number of gaps averaged (1 to [`MEMORY`]) above them.
    /// A value with no count (an older snapshot's mean in milliseconds) is read as one
    /// gap of that many milliseconds. None measured yet: `None`.
    pub mean_gap_ms: Option<i64>,
    /// Where the gap being measured started.
    #[serde(with = "crate::timestamp::option")]
    pub since: Option<DateTime<Utc>>,
}

impl WaitEstimate {
    /// The queue was empty and a dialog entered it at `now`.
    pub fn queue_started(&mut self, now: DateTime<Utc>) {
        self.since = Some(now);
    }

    /// The mean gap in microseconds and how many gaps it averages.
    fn unpacked(&self) -> Option<(i64, i64)> {
        let packed = self.mean_gap_ms?.max(0);
        let count = packed >> MEAN_BITS;
        if count == 0 {
            // An older snapshot: a plain mean in milliseconds.
            return Some(((packed.saturating_mul(1000)).min(MEAN_MASK), 1));
        }
        Some((packed & MEAN_MASK, count.min(MEMORY)))
    }

    /// A waiting dialog left the queue for an operator at `now`; `measured` is false
    /// for a dialog held for the opening.
    pub fn served(&mut self, now: DateTime<Utc>, measured: bool) {
        if measured && let Some(since) = self.since {
            let gap = (now - since)
                .num_microseconds()
                .unwrap_or(i64::MAX)
                .clamp(0, MEAN_MASK);
            let (mean, count) = match self.unpacked() {
                None => (gap, 1),
                Some((mean, count)) => {
                    let count = (count + 1).min(MEMORY);
                    // |gap - mean| < 2^44, so neither step can overflow.
                    (mean + (gap - mean) / count, count)
                }
            };
            self.mean_gap_ms = Some((count << MEAN_BITS) | mean.clamp(0, MEAN_MASK));
        }
        self.since = Some(now);
    }

    /// The mean gap between departures, in milliseconds (`None` before the first).
    #[cfg(test)]
    pub fn mean_gap_millis(&self) -> Option<i64> {
        self.unpacked().map(|(us, _)| us / 1000)
    }

    /// The expected wait, in seconds, of the dialog at 1-based `position`: `position`
    /// departures at the mean gap. `None` before the first measured departure.
    pub fn wait_secs(&self, position: usize) -> Option<i64> {
        let (mean, _) = self.unpacked()?;
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        Some(mean.saturating_mul(position) / 1_000_000)
    }
}

/// `#WAIT#` in words: "less than a minute" under a minute, then whole minutes
/// (rounded half up) as "3 min", "1 h", "1 h 5 min"; [`NO_ESTIMATE`] without one.
pub(crate) fn wait_text(secs: Option<i64>) -> String {
    let Some(secs) = secs else {
        return NO_ESTIMATE.to_owned();
    };
    if secs < 60 {
        return "less than a minute".to_owned();
    }
    let minutes = secs.saturating_add(30) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The message: `#POSITION#` becomes the 1-based position, `#WAIT#` the estimate.
pub(crate) fn render(template: &str, position: usize, wait_secs: Option<i64>) -> String {
    template
        .replace("#POSITION#", &position.to_string())
        .replace("#WAIT#", &wait_text(wait_secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn rank_counts_smaller_keys() {
        let mut t = RankTree::default();
        for k in [50, 10, 30, 20, 40] {
            assert!(t.insert(k));
        }
        assert!(!t.insert(30));
        assert_eq!(t.len(), 5);
        assert_eq!(t.rank(&10), 0);
        assert_eq!(t.rank(&30), 2);
        assert_eq!(t.rank(&35), 3);
        assert_eq!(t.rank(&99), 5);
        assert!(t.remove(&30));
        assert!(!t.remove(&30));
        assert_eq!(t.rank(&40), 2);
        assert_eq!(t.keys(), vec![10, 20, 40, 50]);
        for k in [10, 20, 40, 50] {
            assert!(t.remove(&k));
        }
        assert!(t.is_empty());
        assert_eq!(t.rank(&1), 0);
    }

    #[test]
    fn slots_are_reused() {
        let mut t = RankTree::default();
        for round in 0..10u64 {
            for k in 0..100u64 {
                t.insert(k + round);
            }
            for k in 0..100u64 {
                t.remove(&(k + round));
            }
        }
        assert!(t.is_empty());
        assert!(t.nodes.len() <= 100);
    }

    #[test]
    fn a_long_run_of_ascending_keys_stays_shallow() {
        // Dialog ids arrive in order: a plain search tree would become a list.
        let mut t = RankTree::default();
        for k in 0..100_000u64 {
            t.insert(k);
        }
        fn depth(t: &RankTree<u64>, n: u32) -> usize {
            if n == NIL {
                0
            } else {
                let node = &t.nodes[n as usize];
                1 + depth(t, node.left).max(depth(t, node.right))
            }
        }
        assert!(depth(&t, t.root) < 100, "depth {}", depth(&t, t.root));
        assert_eq!(t.rank(&77_777), 77_777);
    }

    proptest! {
        #[test]
        fn rank_agrees_with_a_naive_count(
            ops in proptest::collection::vec((any::<bool>(), -20i32..20, 0u64..40), 0..300),
            probes in proptest::collection::vec((-21i32..21, 0u64..41), 1..20),
        ) {
            let mut tree = RankTree::default();
            let mut naive = std::collections::BTreeSet::new();
            for (add, priority, id) in ops {
                let key = (std::cmp::Reverse(priority), id);
                if add {
                    prop_assert_eq!(tree.insert(key), naive.insert(key));
                } else {
                    prop_assert_eq!(tree.remove(&key), naive.remove(&key));
                }
                prop_assert_eq!(tree.len(), naive.len());
            }
            prop_assert_eq!(tree.keys(), naive.iter().copied().collect::<Vec<_>>());
            for (priority, id) in probes {
                let key = (std::cmp::Reverse(priority), id);
                prop_assert_eq!(tree.rank(&key), naive.range(..key).count());
                prop_assert_eq!(tree.contains(&key), naive.contains(&key));
            }
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn the_estimate_follows_the_gaps_while_the_queue_is_not_empty() {
        let mut w = WaitEstimate::default();
        assert_eq!(w.wait_secs(3), None);
        w.queue_started(at(0));
        w.served(at(120), true);
        assert_eq!(w.mean_gap_millis(), Some(120_000));
        assert_eq!(w.wait_secs(3), Some(360));
        // The queue empties; it starts again much later: the idle time is not a gap.
        w.queue_started(at(10_000));
        w.served(at(10_040), true);
        // The first gaps are averaged equally.
        assert_eq!(w.mean_gap_millis(), Some(80_000));
        // A dialog held for the opening restarts the gap without measuring it.
        w.served(at(50_000), false);
        assert_eq!(w.mean_gap_millis(), Some(80_000));
        assert_eq!(w.since, Some(at(50_000)));
        w.served(at(50_020), true);
        assert_eq!(w.mean_gap_millis(), Some(60_000));
        // Extreme restored values saturate instead of overflowing.
        w.mean_gap_ms = Some(i64::MIN);
        w.served(at(50_021), true);
        assert!(w.mean_gap_millis().is_some());
        w.mean_gap_ms = Some(i64::MAX);
        assert!(w.wait_secs(usize::MAX).is_some());
        w.served(at(60_000), true);
        assert!(w.mean_gap_millis().is_some());
        // An older snapshot's plain mean in milliseconds reads as one gap.
        w.mean_gap_ms = Some(90_000);
        assert_eq!(w.mean_gap_millis(), Some(90_000));
        w.served(at(60_030), true);
        assert_eq!(w.mean_gap_millis(), Some(60_000));
    }

    #[test]
    fn after_the_memory_fills_the_newest_gap_weighs_one_in_memory() {
        let mut w = WaitEstimate::default();
        for k in 0..(MEMORY + 10) {
            w.queue_started(at(k * 1000));
            w.served(at(k * 1000 + 60), true);
        }
        assert_eq!(w.mean_gap_millis(), Some(60_000));
        w.queue_started(at(10_000_000));
        w.served(at(10_000_000 + 60 + 1024), true);
        assert_eq!(w.mean_gap_millis(), Some(61_000));
    }

    #[test]
    fn wait_in_words() {
        assert_eq!(wait_text(None), "a few minutes");
        assert_eq!(wait_text(Some(0)), "less than a minute");
        assert_eq!(wait_text(Some(59)), "less than a minute");
        assert_eq!(wait_text(Some(60)), "1 min");
        assert_eq!(wait_text(Some(89)), "1 min");
        assert_eq!(wait_text(Some(90)), "2 min");
        assert_eq!(wait_text(Some(180)), "3 min");
        assert_eq!(wait_text(Some(3599)), "1 h");
        assert_eq!(wait_text(Some(3600 + 5 * 60)), "1 h 5 min");
        assert_eq!(wait_text(Some(26 * 3600)), "26 h");
    }

    #[test]
    fn renders_the_template() {
        assert_eq!(
            render(
                "You are #POSITION# in line, about #WAIT# to wait",
                2,
                Some(300)
            ),
            "You are 2 in line, about 5 min to wait"
        );
    }
}
