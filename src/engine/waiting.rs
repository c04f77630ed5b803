//! The waiting dialogs of one line, indexed so that dispatching costs the dialogs
//! that can move, not every dialog that waits.
//!
//! Besides the line's whole queue in dispatch order (priority, then age), it groups
//! the waiting dialogs by what they require of an operator (their skills and
//! language), and keeps apart the dialogs held for the line's opening and those with
//! an affinity (a CRM responsible or previous operator who may take them from outside
//! the queue). An operator who frees up looks only at the groups they qualify for; a
//! line whose config changed or that opened looks at the groups some ready operator
//! qualifies for, its held dialogs and its dialogs with an affinity.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use super::affinity::WaitingKey;

/// What a waiting dialog requires of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Need {
    /// Every skill the operator must have.
    pub skills: Box<[String]>,
    /// The language the operator must speak ("" = any).
    pub language: Box<str>,
}

impl Need {
    fn is(&self, skills: &[String], language: &str) -> bool {
        *self.skills == *skills && *self.language == *language
    }
}

/// Waiting dialogs that share one [`Need`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NeedGroup {
    /// What they require.
    pub need: Need,
    /// The dialogs, in dispatch order.
    pub dialogs: BTreeSet<WaitingKey>,
}

/// The waiting dialogs of one line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LineWaiting {
    /// The waiting dialogs grouped by need: by a stable hash of the need, then the
    /// groups that share the hash (one, unless needs collide). The whole queue in
    /// dispatch order is the merge of the groups (no second copy of every key).
    by_need: BTreeMap<u64, Vec<NeedGroup>>,
    /// How many dialogs wait.
    count: usize,
    /// The dialogs held until the line opens (queued for `off_hours`).
    held: BTreeSet<WaitingKey>,
    /// The dialogs that an operator outside the queue may take.
    affine: BTreeSet<WaitingKey>,
}

/// FNV-1a over the need's parts (stable across processes, so iteration is
/// deterministic).
fn need_hash(skills: &[String], language: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so ["ab"] and ["a", "b"] differ.
        h = (h ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3);
    };
    for skill in skills {
        eat(skill.as_bytes());
    }
    eat(b"\0lang");
    eat(language.as_bytes());
    h
}

impl LineWaiting {
    /// Add a waiting dialog with its need, whether it is held for the opening and
    /// whether it has an affinity.
    pub fn insert(
        &mut self,
        key: WaitingKey,
        skills: &[String],
        language: &str,
        held: bool,
        affine: bool,
    ) {
        let groups = self.by_need.entry(need_hash(skills, language)).or_default();
        match groups.iter_mut().find(|g| g.need.is(skills, language)) {
            Some(group) => {
                if !group.dialogs.insert(key) {
                    return;
                }
            }
            None => groups.push(NeedGroup {
                need: Need {
                    skills: skills.into(),
                    language: language.into(),
                },
                dialogs: BTreeSet::from([key]),
            }),
        }
        self.count += 1;
        self.set_held(key, held);
        self.set_affine(key, affine);
    }

    /// Take a dialog out (with the need it was added with).
    pub fn remove(&mut self, key: WaitingKey, skills: &[String], language: &str) {
        let hash = need_hash(skills, language);
        if let Some(groups) = self.by_need.get_mut(&hash) {
            if let Some(i) = groups.iter().position(|g| g.need.is(skills, language)) {
                if groups[i].dialogs.remove(&key) {
                    self.count -= 1;
                }
                if groups[i].dialogs.is_empty() {
                    groups.swap_remove(i);
                }
            }
            if groups.is_empty() {
                self.by_need.remove(&hash);
            }
        }
        self.held.remove(&key);
        self.affine.remove(&key);
    }

    /// Mark a waiting dialog as held for the opening, or not.
    pub fn set_held(&mut self, key: WaitingKey, held: bool) {
        if held {
            self.held.insert(key);
        } else {
            self.held.remove(&key);
        }
    }

    /// Mark a waiting dialog as having an affinity, or not.
    pub fn set_affine(&mut self, key: WaitingKey, affine: bool) {
        if affine {
            self.affine.insert(key);
        } else {
            self.affine.remove(&key);
        }
    }

    /// Every waiting dialog, in dispatch order (a merge of the groups: for views and
    /// bulk changes, which may cost the whole queue).
    pub fn iter(&self) -> impl Iterator<Item = WaitingKey> + '_ {
        let mut heads: Vec<_> = self
            .groups()
            .map(|g| g.dialogs.iter().copied().peekable())
            .collect();
        std::iter::from_fn(move || {
            let (i, _) = heads
                .iter_mut()
                .enumerate()
                .filter_map(|(i, h)| h.peek().map(|k| (i, *k)))
                .min_by_key(|&(_, k)| k)?;
            heads[i].next()
        })
    }

    /// Whether `key` waits here.
    pub fn contains(&self, key: &WaitingKey) -> bool {
        self.groups().any(|g| g.dialogs.contains(key))
    }

    /// How many dialogs wait.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The groups of waiting dialogs by need.
    pub fn groups(&self) -> impl Iterator<Item = &NeedGroup> {
        self.by_need.values().flatten()
    }

    /// The first dialog after `cursor` (in dispatch order) that a line-wide change can
    /// move: held, with an affinity, or in a group whose need `live` accepts.
    pub fn next_movable(
        &self,
        cursor: Option<WaitingKey>,
        mut live: impl FnMut(&Need) -> bool,
    ) -> Option<WaitingKey> {
        let lower = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let first =
            |set: &BTreeSet<WaitingKey>| set.range((lower, Bound::Unbounded)).next().copied();
        let mut best = first(&self.held)
            .into_iter()
            .chain(first(&self.affine))
            .min();
        for group in self.groups() {
            if let Some(key) = first(&group.dialogs)
                && best.is_none_or(|b| key < b)
                && live(&group.need)
            {
                best = Some(key);
            }
        }
        best
    }

    /// Whether the groups agree with the whole queue (consistency check): every
    /// waiting dialog in exactly one non-empty group filed under its need's hash, and
    /// the marks only on waiting dialogs.
    #[cfg(any(test, feature = "test-support"))]
    pub fn is_consistent(&self) -> bool {
        let all: BTreeSet<WaitingKey> = self.iter().collect();
        let grouped: usize = self.groups().map(|g| g.dialogs.len()).sum();
        grouped == self.count
            && all.len() == self.count
            && all.iter().copied().eq(self.iter())
            && self.by_need.iter().all(|(&hash, groups)| {
                !groups.is_empty()
                    && groups.iter().all(|g| {
                        need_hash(&g.need.skills, &g.need.language) == hash && !g.dialogs.is_empty()
                    })
            })
            && self.held.is_subset(&all)
            && self.affine.is_subset(&all)
    }

    /// The same content in a form that does not depend on the order the groups were
    /// made in (to compare with a rebuild).
    #[cfg(any(test, feature = "test-support"))]
    pub fn normalized(&self) -> impl PartialEq + std::fmt::Debug {
        let mut groups: Vec<(Vec<String>, String, Vec<WaitingKey>)> = self
            .groups()
            .map(|g| {
                (
                    g.need.skills.to_vec(),
                    g.need.language.to_string(),
                    g.dialogs.iter().copied().collect(),
                )
            })
            .collect();
        groups.sort();
        (groups, self.held.clone(), self.affine.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;

    fn key(priority: i32, id: u64) -> WaitingKey {
        (Reverse(priority), id)
    }

    fn skills(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn groups_by_need_and_keeps_dispatch_order() {
        let mut w = LineWaiting::default();
        w.insert(key(0, 1), &skills(&["vip"]), "", false, false);
        w.insert(key(0, 2), &[], "en", false, false);
        w.insert(key(5, 3), &skills(&["vip"]), "", false, false);
        w.insert(key(0, 4), &[], "", false, false);
        let order: Vec<u64> = w.iter().map(|k| k.1).collect();
        assert_eq!(order, [3, 1, 2, 4]);
        assert!(w.contains(&key(0, 2)) && !w.contains(&key(1, 2)));
        assert_eq!(w.groups().count(), 3);
        assert!(w.is_consistent());
        w.remove(key(0, 2), &[], "en");
        assert_eq!(w.groups().count(), 2, "an emptied group goes");
        assert_eq!(w.len(), 3);
        assert!(w.is_consistent());
    }

    #[test]
    fn needs_that_only_differ_in_how_skills_split_are_apart() {
        let mut w = LineWaiting::default();
        w.insert(key(0, 1), &skills(&["ab"]), "", false, false);
        w.insert(key(0, 2), &skills(&["a", "b"]), "", false, false);
        w.insert(key(0, 3), &skills(&["a"]), "b", false, false);
        assert_eq!(w.groups().count(), 3);
        assert!(w.is_consistent());
    }

    #[test]
    fn next_movable_takes_held_affine_and_live_groups_only() {
        let mut w = LineWaiting::default();
        w.insert(key(0, 1), &skills(&["vip"]), "", false, false);
        w.insert(key(0, 2), &[], "", false, false);
        w.insert(key(0, 3), &skills(&["vip"]), "", true, false);
        w.insert(key(0, 4), &skills(&["vip"]), "", false, true);
        w.insert(key(0, 5), &[], "", false, false);
        let plain = |n: &Need| n.skills.is_empty();
        let mut seen = Vec::new();
        let mut cursor = None;
        while let Some(k) = w.next_movable(cursor, plain) {
            seen.push(k.1);
            cursor = Some(k);
        }
        assert_eq!(seen, [2, 3, 4, 5]);
        assert_eq!(w.next_movable(None, |_| true).map(|k| k.1), Some(1));
        w.set_held(key(0, 3), false);
        w.set_affine(key(0, 4), false);
        assert_eq!(w.next_movable(Some(key(0, 2)), |_| false), None);
        assert!(w.is_consistent());
    }
}
