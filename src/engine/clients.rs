//! Client history: what the engine remembers about each client, per line.
//!
//! Keyed by a stable 64-bit hash of the client id first and the id second, so a lookup
//! compares integers down the tree and the id text only on a hash match (a big
//! helpdesk remembers hundreds of thousands of clients; comparing id text at every
//! level was the biggest cost of a client message). The order is deterministic (the
//! hash is FNV-1a, not a per-process random hash) and colliding ids still work (they
//! are told apart by the id), so crafted ids cannot degrade lookups beyond a B-tree's
//! O(log n).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ClientLine, bulk_map};
use crate::dialog::LineIdx;

/// A client id with its hash (ordered by hash, then id).
#[derive(Debug, Clone)]
pub(crate) struct ClientKey {
    hash: u64,
    id: Box<str>,
}

impl ClientKey {
    fn new(id: &str) -> ClientKey {
        ClientKey {
            hash: fnv1a(id),
            id: id.into(),
        }
    }
}

/// FNV-1a, 64-bit: stable across processes and versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What a lookup compares: (hash, id), owned or borrowed.
trait KeyParts {
    fn parts(&self) -> (u64, &str);
}

impl KeyParts for ClientKey {
    fn parts(&self) -> (u64, &str) {
        (self.hash, &self.id)
    }
}

impl KeyParts for (u64, &str) {
    fn parts(&self) -> (u64, &str) {
        *self
    }
}

impl<'a> Borrow<dyn KeyParts + 'a> for ClientKey {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}
impl Eq for dyn KeyParts + '_ {}
impl PartialOrd for dyn KeyParts + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for dyn KeyParts + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(&other.parts())
    }
}

// The owned key orders exactly like its borrowed form (required by `Borrow`).
impl PartialEq for ClientKey {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}
impl Eq for ClientKey {}
impl PartialOrd for ClientKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ClientKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(&other.parts())
    }
}

impl Serialize for ClientKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.id)
    }
}

impl<'de> Deserialize<'de> for ClientKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ClientKey::new(&id))
    }
}

/// Idle records by when they went idle: (last seen, client hash, line) -> how many
/// records share that key (colliding client ids can).
type IdleIndex = BTreeMap<(DateTime<Utc>, u64, LineIdx), u32>;

/// Every client the engine remembers, with a record per line they wrote to.
///
/// It owns its invariant: every record without an open dialog is in the idle index
/// under its `last_seen`, and no other record is. Records change only through
/// [`ClientHistory::update`] and [`ClientHistory::remove`], which keep the index, so
/// the forget sweep finds the records it forgets without looking at the others.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ClientHistory {
    map: BTreeMap<ClientKey, Vec<ClientLine>>,
    /// Derived from `map` (rebuilt on restore, never persisted).
    idle: IdleIndex,
}

impl Serialize for ClientHistory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ClientHistory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = bulk_map(deserializer)?;
        Ok(ClientHistory {
            idle: idle_index(&map),
            map,
        })
    }
}

/// The idle index a scan of `map` gives.
fn idle_index(map: &BTreeMap<ClientKey, Vec<ClientLine>>) -> IdleIndex {
    let mut idle = IdleIndex::new();
    for (key, lines) in map {
        for record in lines {
            if let Some(k) = idle_key(key.hash, record) {
                *idle.entry(k).or_insert(0) += 1;
            }
        }
    }
    idle
}

/// Where `record` of the client with `hash` sits in the idle index, if it is idle.
fn idle_key(hash: u64, record: &ClientLine) -> Option<(DateTime<Utc>, u64, LineIdx)> {
    record
        .open
        .is_none()
        .then_some((record.last_seen, hash, record.line))
}

fn index_remove(idle: &mut IdleIndex, key: Option<(DateTime<Utc>, u64, LineIdx)>) {
    let Some(key) = key else { return };
    if let Some(count) = idle.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            idle.remove(&key);
        }
    }
}

fn index_add(idle: &mut IdleIndex, key: Option<(DateTime<Utc>, u64, LineIdx)>) {
    if let Some(key) = key {
        *idle.entry(key).or_insert(0) += 1;
    }
}

impl ClientHistory {
    fn lookup(client: &str) -> (u64, &str) {
        (fnv1a(client), client)
    }

    /// A client's records.
    pub fn get(&self, client: &str) -> Option<&Vec<ClientLine>> {
        self.map.get(&Self::lookup(client) as &dyn KeyParts)
    }

    /// A client's record in `line`.
    pub fn line(&self, client: &str, line: LineIdx) -> Option<&ClientLine> {
        self.get(client)?.iter().find(|c| c.line == line)
    }

    /// Change the client's record in `line` (created at `at` when missing) with `f`,
    /// keeping the idle index in step.
    pub fn update<R>(
        &mut self,
        client: &str,
        line: LineIdx,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut ClientLine) -> R,
    ) -> R {
        let hash = fnv1a(client);
        let lookup = (hash, client);
        let lines = if self.map.contains_key(&lookup as &dyn KeyParts) {
            self.map
                .get_mut(&lookup as &dyn KeyParts)
                .expect("invariant: the client was just found")
        } else {
            // The key is copied only here, not on every lookup.
            self.map
                .entry(ClientKey::new(client))
                .or_insert_with(|| Vec::with_capacity(1))
        };
        let pos = match lines.iter().position(|c| c.line == line) {
            Some(pos) => pos,
            None => {
                let record = ClientLine {
                    line,
                    open: None,
                    last_operator: None,
                    dialogs: 0,
                    last_seen: at,
                };
                index_add(&mut self.idle, idle_key(hash, &record));
                lines.push(record);
                lines.len() - 1
            }
        };
        let record = &mut lines[pos];
        let before = idle_key(hash, record);
        let result = f(record);
        let after = idle_key(hash, record);
        if before != after {
            index_remove(&mut self.idle, before);
            index_add(&mut self.idle, after);
        }
        result
    }

    /// Forget a client.
    pub fn remove(&mut self, client: &str) {
        let hash = fnv1a(client);
        if let Some(lines) = self.map.remove(&(hash, client) as &dyn KeyParts) {
            for record in &lines {
                index_remove(&mut self.idle, idle_key(hash, record));
            }
        }
    }

    /// Forget every record without an open dialog last seen at or before `horizon`
    /// (clients left with none are forgotten). Costs the records forgotten, not the
    /// ones kept.
    pub fn forget_idle_since(&mut self, horizon: DateTime<Utc>) {
        while let Some((&(seen, hash, line), _)) = self.idle.first_key_value() {
            if seen > horizon {
                break;
            }
            self.idle.remove(&(seen, hash, line));
            // Every client with this hash (one, unless ids collide).
            let start = (hash, "");
            let keys: Vec<ClientKey> = self
                .map
                .range::<dyn KeyParts, _>((
                    std::ops::Bound::Included(&start as &dyn KeyParts),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(k, _)| k.hash == hash)
                .map(|(k, _)| k.clone())
                .collect();
            for key in keys {
                let Some(lines) = self.map.get_mut(&key) else {
                    continue;
                };
                lines.retain(|c| !(c.line == line && c.open.is_none() && c.last_seen == seen));
                if lines.is_empty() {
                    self.map.remove(&key);
                }
            }
        }
    }

    /// Number of clients remembered.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Every client with their records (in hash order: deterministic, not alphabetical).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Vec<ClientLine>)> {
        self.map.iter().map(|(k, v)| (&*k.id, v))
    }

    /// Whether the idle index is what a scan of the records gives (consistency check).
    #[cfg(any(test, feature = "test-support"))]
    pub fn idle_index_is_fresh(&self) -> bool {
        self.idle == idle_index(&self.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn record(line: u32) -> ClientLine {
        ClientLine {
            line: LineIdx(line),
            open: None,
            last_operator: None,
            dialogs: 0,
            last_seen: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    #[test]
    fn lookups_find_what_was_entered_and_nothing_else() {
        let mut h = ClientHistory::default();
        for i in 0..1000 {
            h.update(&format!("tg:{i}"), LineIdx(i % 3), at(0), |_| ());
        }
        assert_eq!(h.len(), 1000);
        assert_eq!(h.get("tg:7").map(|l| l[0].line), Some(LineIdx(1)));
        assert!(h.get("tg:1000").is_none());
        h.update("tg:8", LineIdx(0), at(0), |r| r.dialogs = 5);
        assert_eq!(h.get("tg:8").unwrap().len(), 2);
        assert_eq!(h.line("tg:8", LineIdx(0)).map(|r| r.dialogs), Some(5));
        assert_eq!(h.line("tg:8", LineIdx(2)).map(|r| r.dialogs), Some(0));
        h.remove("tg:8");
        assert!(h.get("tg:8").is_none());
        assert_eq!(h.iter().count(), h.len());
        assert!(h.idle_index_is_fresh());
    }

    #[test]
    fn the_sweep_forgets_idle_records_up_to_the_horizon_and_nothing_else() {
        let mut h = ClientHistory::default();
        // Idle at 0, 10, 20; one with an open dialog since 0; one reopened.
        h.update("a", LineIdx(0), at(0), |_| ());
        h.update("b", LineIdx(0), at(10), |_| ());
        h.update("c", LineIdx(0), at(20), |_| ());
        h.update("open", LineIdx(0), at(0), |r| r.open = Some(1));
        h.update("back", LineIdx(0), at(0), |_| ());
        h.update("back", LineIdx(0), at(30), |r| r.last_seen = at(30));
        h.update("two", LineIdx(0), at(0), |_| ());
        h.update("two", LineIdx(1), at(20), |_| ());
        assert!(h.idle_index_is_fresh());
        h.forget_idle_since(at(10));
        let left: Vec<&str> = {
            let mut ids: Vec<&str> = h.iter().map(|(id, _)| id).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(left, ["back", "c", "open", "two"]);
        assert_eq!(
            h.get("two").map(Vec::len),
            Some(1),
            "only the old record goes"
        );
        assert!(h.idle_index_is_fresh());
        // Closing the open dialog makes it idle from then on.
        h.update("open", LineIdx(0), at(40), |r| {
            r.open = None;
            r.last_seen = at(40);
        });
        h.forget_idle_since(at(39));
        assert!(h.get("open").is_some() && h.get("c").is_none());
        h.forget_idle_since(at(40));
        assert!(h.get("open").is_none());
        assert!(h.idle_index_is_fresh());
    }

    #[test]
    fn colliding_clients_are_swept_by_their_own_records() {
        let mut h = ClientHistory::default();
        for id in ["a", "b"] {
            let key = ClientKey {
                hash: 42,
                id: id.into(),
            };
            h.map.insert(key, vec![record(0)]);
        }
        h.idle = idle_index(&h.map);
        assert_eq!(h.idle.values().copied().collect::<Vec<_>>(), [2]);
        // "a" opens a dialog: one idle record is left under the shared key.
        h.map.get_mut(&(42u64, "a") as &dyn KeyParts).unwrap()[0].open = Some(1);
        h.idle = idle_index(&h.map);
        h.forget_idle_since(at(3600));
        assert!(h.map.contains_key(&(42u64, "a") as &dyn KeyParts));
        assert!(!h.map.contains_key(&(42u64, "b") as &dyn KeyParts));
        assert!(h.idle_index_is_fresh());
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_the_id() {
        // Two keys forced to one hash behave as two clients.
        let mut map: BTreeMap<ClientKey, u32> = BTreeMap::new();
        for (id, v) in [("a", 1), ("b", 2)] {
            map.insert(
                ClientKey {
                    hash: 42,
                    id: id.into(),
                },
                v,
            );
        }
        assert_eq!(map.get(&(42u64, "b") as &dyn KeyParts), Some(&2));
        assert_eq!(map.get(&(42u64, "c") as &dyn KeyParts), None);
    }

    #[test]
    fn serializes_as_a_map_of_client_ids() {
        let mut h = ClientHistory::default();
        h.update("c1", LineIdx(0), at(0), |_| ());
        let json = serde_json::to_value(&h).unwrap();
        assert!(json.get("c1").is_some(), "{json}");
        let back: ClientHistory = serde_json::from_value(json).unwrap();
        assert_eq!(back, h);
        let bytes = crate::codec::to_vec(&h).unwrap();
        assert_eq!(
            crate::codec::from_slice::<ClientHistory>(&bytes).unwrap(),
            h
        );
    }
}
