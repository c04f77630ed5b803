//! The affinity index: waiting dialogs that a specific operator may take from outside
//! their line's queue (their CRM responsible, their previous operator).
//!
//! A CRM responsible may name an id that is not an operator yet; such dialogs wait
//! under that id, and move to the operator when one with that id is added, so adding
//! an operator costs the dialogs that name them, not a scan of every waiting dialog.

use std::collections::BTreeMap;

use crate::dialog::OperatorIdx;
use crate::routing::WaitingQueue;

/// Who a waiting dialog has an affinity to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AffinityTarget {
    /// A known operator.
    Operator(OperatorIdx),
    /// A CRM responsible id that is no operator (yet).
    Unknown(Box<str>),
}

/// Waiting dialogs by the operator (or unknown id) they have an affinity to.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Affinity {
    by_operator: BTreeMap<OperatorIdx, WaitingQueue>,
    by_unknown_id: BTreeMap<Box<str>, WaitingQueue>,
}

/// A waiting dialog's key in the waiting queues: priority first, then age.
pub(crate) type WaitingKey = (std::cmp::Reverse<i32>, crate::DialogId);

impl Affinity {
    /// Index a waiting dialog under its targets.
    pub fn insert(&mut self, key: WaitingKey, targets: Vec<AffinityTarget>) {
        for target in targets {
            match target {
                AffinityTarget::Operator(op) => {
                    self.by_operator.entry(op).or_default().insert(key);
                }
                AffinityTarget::Unknown(id) => {
                    self.by_unknown_id.entry(id).or_default().insert(key);
                }
            }
        }
    }

    /// Take a dialog out from under its targets.
    pub fn remove(&mut self, key: WaitingKey, targets: Vec<AffinityTarget>) {
        for target in targets {
            match target {
                AffinityTarget::Operator(op) => remove_from(&mut self.by_operator, &op, key),
                AffinityTarget::Unknown(id) => remove_from(&mut self.by_unknown_id, &id, key),
            }
        }
    }

    /// The waiting dialogs `op` has an affinity to.
    pub fn of(&self, op: OperatorIdx) -> Option<&WaitingQueue> {
        self.by_operator.get(&op)
    }

    /// An operator with id `id` was added as `op`: the dialogs waiting under that id
    /// now wait for them.
    pub fn resolve(&mut self, id: &str, op: OperatorIdx) {
        if let Some(waiting) = self.by_unknown_id.remove(id) {
            self.by_operator.entry(op).or_default().extend(waiting);
        }
    }
}

fn remove_from<K, Q>(map: &mut BTreeMap<K, WaitingQueue>, target: &Q, key: WaitingKey)
where
    K: std::borrow::Borrow<Q> + Ord,
    Q: Ord + ?Sized,
{
    if let Some(set) = map.get_mut(target) {
        set.remove(&key);
        if set.is_empty() {
            map.remove(target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;

    #[test]
    fn unknown_ids_move_to_the_operator_added_with_that_id() {
        let mut a = Affinity::default();
        a.insert(
            (Reverse(0), 7),
            vec![
                AffinityTarget::Unknown("zoe".into()),
                AffinityTarget::Operator(OperatorIdx(1)),
            ],
        );
        a.insert((Reverse(2), 9), vec![AffinityTarget::Unknown("zoe".into())]);
        assert_eq!(a.of(OperatorIdx(1)).map(|w| w.len()), Some(1));
        assert!(a.of(OperatorIdx(4)).is_none());
        a.resolve("zoe", OperatorIdx(4));
        let waiting: Vec<_> = a.of(OperatorIdx(4)).unwrap().iter().copied().collect();
        assert_eq!(waiting, vec![(Reverse(2), 9), (Reverse(0), 7)]);
        // Removal names the targets as they resolve now.
        a.remove(
            (Reverse(0), 7),
            vec![
                AffinityTarget::Operator(OperatorIdx(4)),
                AffinityTarget::Operator(OperatorIdx(1)),
            ],
        );
        a.remove(
            (Reverse(2), 9),
            vec![AffinityTarget::Operator(OperatorIdx(4))],
        );
        assert_eq!(a, Affinity::default(), "empty sets are dropped");
    }
}
