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

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ClientLine, bulk_map};

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

/// Every client the engine remembers, with a record per line they wrote to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct ClientHistory {
    #[serde(deserialize_with = "bulk_map")]
    map: BTreeMap<ClientKey, Vec<ClientLine>>,
}

impl ClientHistory {
    fn lookup(client: &str) -> (u64, &str) {
        (fnv1a(client), client)
    }

    /// A client's records.
    pub fn get(&self, client: &str) -> Option<&Vec<ClientLine>> {
        self.map.get(&Self::lookup(client) as &dyn KeyParts)
    }

    /// A client's records, to change.
    pub fn get_mut(&mut self, client: &str) -> Option<&mut Vec<ClientLine>> {
        self.map.get_mut(&Self::lookup(client) as &dyn KeyParts)
    }

    /// A client's records, created empty (with room for one) when missing.
    pub fn entry(&mut self, client: &str) -> &mut Vec<ClientLine> {
        self.map
            .entry(ClientKey::new(client))
            .or_insert_with(|| Vec::with_capacity(1))
    }

    /// Forget a client.
    pub fn remove(&mut self, client: &str) {
        self.map.remove(&Self::lookup(client) as &dyn KeyParts);
    }

    /// Keep the records `keep` approves of; clients left with none are forgotten.
    pub fn retain(&mut self, mut keep: impl FnMut(&ClientLine) -> bool) {
        self.map.retain(|_, lines| {
            lines.retain(&mut keep);
            !lines.is_empty()
        });
    }

    /// Number of clients remembered.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Every client with their records (in hash order: deterministic, not alphabetical).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Vec<ClientLine>)> {
        self.map.iter().map(|(k, v)| (&*k.id, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn record(line: u32) -> ClientLine {
        ClientLine {
            line,
            open: None,
            last_operator: None,
            dialogs: 0,
            last_seen: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
        }
    }

    #[test]
    fn lookups_find_what_was_entered_and_nothing_else() {
        let mut h = ClientHistory::default();
        for i in 0..1000 {
            h.entry(&format!("tg:{i}")).push(record(i % 3));
        }
        assert_eq!(h.len(), 1000);
        assert_eq!(h.get("tg:7").map(|l| l[0].line), Some(1));
        assert!(h.get("tg:1000").is_none());
        h.get_mut("tg:8").unwrap().push(record(2));
        assert_eq!(h.get("tg:8").unwrap().len(), 2);
        h.remove("tg:8");
        assert!(h.get("tg:8").is_none());
        h.retain(|c| c.line != 0);
        assert!(h.get("tg:3").is_none() && h.get("tg:4").is_some());
        assert_eq!(h.iter().count(), h.len());
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
        h.entry("c1").push(record(0));
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
