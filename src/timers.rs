//! The timer table: one entry per timer (a dialog's timer of each kind, each line's
//! opening, the forget sweep), earliest deadline at hand.
//!
//! Like quinn's `TimerTable`, generalised to many owners: arming a key that is
//! already armed moves it, so each timer fires at most once per arming.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DialogId;
use crate::timestamp::LAST_DEADLINE;

/// A dialog's timer. The order here breaks ties between timers of one dialog that
/// fall due at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// An offer times out.
    OfferExpiry,
    /// A parked dialog starts a new offer cycle.
    Retry,
    /// The bot hands the dialog to a human.
    BotHandoff,
    /// The dialog gets the unanswered mark.
    Unanswered,
    /// First-response target missed.
    KpiFirst,
    /// Next-response target missed.
    KpiNext,
    /// The client has been silent too long.
    AutoClose,
    /// The rating window ends.
    RatingWindow,
    /// A waiting client gets their queue position again.
    QueuePosition,
}

impl TimerKind {
    /// The first kind in tie order (the start of a dialog's keys in the table).
    const FIRST: TimerKind = TimerKind::OfferExpiry;
}

/// A timer's identity. At the same instant, engine-wide timers fire first (line
/// openings by line, then the forget sweep), then dialog timers by dialog id and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKey {
    /// A line opens (the line's index).
    LineOpening(u32),
    /// Sweep client history older than the forget horizon.
    ForgetSweep,
    /// A timer of one open dialog.
    Dialog(DialogId, TimerKind),
}

impl TimerKey {
    /// The dialog that owns this timer, if any.
    pub fn dialog(self) -> Option<DialogId> {
        match self {
            TimerKey::Dialog(id, _) => Some(id),
            TimerKey::LineOpening(_) | TimerKey::ForgetSweep => None,
        }
    }
}

/// All armed timers, ordered by (deadline, dialog, kind).
///
/// One owner, two parts that only this type touches:
/// - `by_key`, each armed timer's deadline (the truth: a timer is armed exactly when
///   its key is here), a B-tree, so iteration is in key order for snapshots and the
///   dialogs an engine is busy with (the newest ids) sit on paths that stay in cache;
/// - `queue`, a binary min-heap of (deadline, key) with lazy deletion: cancelling or
///   moving a timer leaves its old entry behind, and an entry counts only while
///   `by_key` still holds its deadline. Arming is one B-tree insert and one heap push,
///   cancelling one B-tree remove (the old table did two B-tree updates for each).
///
/// The heap's first entry is always live (`dropped` drops stale ones when the first
/// entry goes stale), so [`TimerTable::next_deadline`] reads it at once; when stale entries
/// outnumber live ones the heap is rebuilt from `by_key`, so memory stays within a
/// constant factor of the armed timers and every operation stays amortised O(log n).
#[derive(Debug, Clone, Default)]
pub struct TimerTable {
    by_key: BTreeMap<TimerKey, DateTime<Utc>>,
    queue: BinaryHeap<Reverse<(DateTime<Utc>, TimerKey)>>,
}

impl TimerTable {
    /// Arm (or move) a timer. A deadline past [`LAST_DEADLINE`] disarms the timer
    /// instead: no accepted input time reaches it, so it could never fire (and
    /// `next_deadline` stays a time every binding can represent).
    pub fn arm(&mut self, key: TimerKey, deadline: DateTime<Utc>) {
        if deadline > LAST_DEADLINE {
            self.cancel(key);
            return;
        }
        let old = self.by_key.insert(key, deadline);
        if old == Some(deadline) {
            return; // armed already at this deadline: its queue entry is live
        }
        if let Some(old) = old {
            self.dropped(old, key);
        }
        self.queue.push(Reverse((deadline, key)));
        self.compact();
    }

    /// A table holding `entries` (a later entry for the same key wins, as with
    /// [`TimerTable::arm`]); built in bulk, in linear time when the entries come in
    /// key order, as [`TimerTable::iter`] gives them.
    pub fn from_entries(entries: Vec<(TimerKey, DateTime<Utc>)>) -> TimerTable {
        // A later entry for a key wins: `collect` keeps the last of equal keys.
        let by_key: BTreeMap<TimerKey, DateTime<Utc>> = entries.into_iter().collect();
        let queue = by_key
            .iter()
            .map(|(&key, &at)| Reverse((at, key)))
            .collect();
        TimerTable { by_key, queue }
    }

    /// Disarm a timer; returns whether it was armed.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        match self.by_key.remove(&key) {
            Some(old) => {
                self.dropped(old, key);
                true
            }
            None => false,
        }
    }

    /// Disarm every timer of a dialog.
    pub fn cancel_dialog(&mut self, dialog: DialogId) {
        // The dialog's keys are adjacent in `by_key`.
        let first = TimerKey::Dialog(dialog, TimerKind::FIRST);
        while let Some((&key, &old)) = self.by_key.range(first..).next()
            && key.dialog() == Some(dialog)
        {
            self.by_key.remove(&key);
            self.dropped(old, key);
        }
    }

    /// The deadline of a timer, if armed.
    pub fn deadline(&self, key: TimerKey) -> Option<DateTime<Utc>> {
        self.by_key.get(&key).copied()
    }

    /// The earliest armed deadline.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.queue.peek().map(|Reverse((at, _))| *at)
    }

    /// Remove and return the earliest timer if it is due at or before `at`.
    pub fn pop_due(&mut self, at: DateTime<Utc>) -> Option<(DateTime<Utc>, TimerKey)> {
        let &Reverse(first) = self.queue.peek()?;
        if first.0 > at {
            return None;
        }
        self.queue.pop();
        self.by_key.remove(&first.1);
        self.drop_stale_top();
        Some(first)
    }

    /// Number of armed timers.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Every armed timer in key order (for snapshots and checks): (deadline, key).
    pub fn iter(&self) -> impl Iterator<Item = (DateTime<Utc>, TimerKey)> + '_ {
        self.by_key.iter().map(|(&key, &at)| (at, key))
    }

    /// Whether the heap's first entry is live, every live timer has a heap entry and the
    /// heap is within its size bound (consistency check).
    #[cfg(any(test, feature = "test-support"))]
    pub fn is_consistent(&self) -> bool {
        let entries: std::collections::BTreeSet<(DateTime<Utc>, TimerKey)> =
            self.queue.iter().map(|Reverse(e)| *e).collect();
        let top_live = self
            .queue
            .peek()
            .is_none_or(|Reverse((at, key))| self.by_key.get(key) == Some(at));
        top_live
            && self.queue.len() <= self.heap_bound()
            && self
                .by_key
                .iter()
                .all(|(&key, &at)| entries.contains(&(at, key)))
            && (self.queue.is_empty() == self.by_key.is_empty())
    }

    /// The most heap entries (live and stale) the table keeps before rebuilding.
    fn heap_bound(&self) -> usize {
        2 * self.by_key.len() + 64
    }

    /// The entry (`at`, `key`) just went stale (its timer moved or was disarmed): keep
    /// the first entry live. Only when the stale entry was first does this look further.
    fn dropped(&mut self, at: DateTime<Utc>, key: TimerKey) {
        if self.queue.peek() == Some(&Reverse((at, key))) {
            self.queue.pop();
            self.drop_stale_top();
        }
        self.compact();
    }

    /// Pop stale entries until the first one is live (or the heap is empty).
    fn drop_stale_top(&mut self) {
        while let Some(Reverse((at, key))) = self.queue.peek()
            && self.by_key.get(key) != Some(at)
        {
            self.queue.pop();
        }
    }

    /// Rebuild the heap from `by_key` when stale entries outnumber live ones.
    fn compact(&mut self) {
        if self.queue.len() > self.heap_bound() {
            self.queue = self
                .by_key
                .iter()
                .map(|(&key, &at)| Reverse((at, key)))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    fn key(dialog: DialogId, kind: TimerKind) -> TimerKey {
        TimerKey::Dialog(dialog, kind)
    }

    #[test]
    fn fires_in_deadline_order_ties_by_dialog_then_kind() {
        let mut table = TimerTable::default();
        table.arm(key(2, TimerKind::OfferExpiry), t(10));
        table.arm(key(1, TimerKind::AutoClose), t(10));
        table.arm(key(1, TimerKind::Unanswered), t(10));
        table.arm(key(3, TimerKind::Retry), t(5));
        table.arm(TimerKey::ForgetSweep, t(10));
        table.arm(TimerKey::LineOpening(4), t(10));
        assert_eq!(table.next_deadline(), Some(t(5)));
        let order: Vec<TimerKey> =
            std::iter::from_fn(|| table.pop_due(t(10)).map(|x| x.1)).collect();
        assert_eq!(
            order,
            vec![
                key(3, TimerKind::Retry),
                TimerKey::LineOpening(4),
                TimerKey::ForgetSweep,
                key(1, TimerKind::Unanswered),
                key(1, TimerKind::AutoClose),
                key(2, TimerKind::OfferExpiry)
            ]
        );
        assert!(table.is_empty());
    }

    #[test]
    fn rearming_moves_and_cancel_removes() {
        let mut table = TimerTable::default();
        let k = key(1, TimerKind::OfferExpiry);
        table.arm(k, t(10));
        table.arm(k, t(20));
        assert_eq!(table.len(), 1);
        assert_eq!(table.pop_due(t(15)), None);
        assert_eq!(table.deadline(k), Some(t(20)));
        assert!(table.cancel(k));
        assert!(!table.cancel(k));
        assert_eq!(table.next_deadline(), None);
    }

    #[test]
    fn deadlines_past_the_last_one_are_not_armed() {
        let mut table = TimerTable::default();
        let k = key(1, TimerKind::KpiFirst);
        table.arm(k, LAST_DEADLINE);
        assert_eq!(table.deadline(k), Some(LAST_DEADLINE));
        table.arm(k, LAST_DEADLINE + chrono::Duration::seconds(1));
        assert_eq!(table.deadline(k), None, "moving it past the end disarms it");
        assert!(table.is_empty());
    }

    #[test]
    fn pop_due_is_inclusive_and_fires_once() {
        let mut table = TimerTable::default();
        table.arm(key(1, TimerKind::KpiFirst), t(10));
        assert_eq!(table.pop_due(t(9)), None);
        assert_eq!(
            table.pop_due(t(10)),
            Some((t(10), key(1, TimerKind::KpiFirst)))
        );
        assert_eq!(table.pop_due(t(10)), None);
    }

    #[test]
    fn from_entries_matches_arming_one_by_one() {
        let entries = vec![
            (key(1, TimerKind::KpiFirst), t(10)),
            (key(2, TimerKind::AutoClose), t(5)),
            (key(1, TimerKind::KpiFirst), t(12)),
            (TimerKey::ForgetSweep, t(12)),
        ];
        let mut armed = TimerTable::default();
        for &(k, at) in &entries {
            armed.arm(k, at);
        }
        let bulk = TimerTable::from_entries(entries);
        assert_eq!(bulk.len(), 3);
        assert!(bulk.iter().eq(armed.iter()));
        assert_eq!(bulk.deadline(key(1, TimerKind::KpiFirst)), Some(t(12)));
    }

    #[test]
    fn cancel_dialog_leaves_other_owners() {
        let mut table = TimerTable::default();
        table.arm(key(1, TimerKind::KpiFirst), t(10));
        table.arm(key(1, TimerKind::AutoClose), t(11));
        table.arm(key(2, TimerKind::KpiFirst), t(12));
        table.arm(TimerKey::LineOpening(0), t(13));
        table.arm(TimerKey::ForgetSweep, t(12));
        table.cancel_dialog(1);
        assert_eq!(table.len(), 3);
        assert_eq!(table.next_deadline(), Some(t(12)));
        table.cancel_dialog(2);
        assert_eq!(
            table.iter().map(|x| x.1).collect::<Vec<_>>(),
            vec![TimerKey::LineOpening(0), TimerKey::ForgetSweep],
            "engine-wide timers stay (in key order)"
        );
    }
}
