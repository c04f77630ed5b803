//! Client history: what the engine remembers about each client, per line.
//!
//! Clients live in a slab and are named by a [`ClientHandle`]: an open dialog keeps
//! its client's handle, so everything a dialog does to its client's records after
//! opening (assignment, transfer, closing) is an index into the slab, not a lookup by
//! id. Only a client message looks a client up by id, once.
//!
//! That lookup is a B-tree keyed by a stable 64-bit hash of the id (FNV-1a), so it
//! compares integers down the tree and the id text only on a hash match; ids that
//! share a hash sit in one bucket sorted by id, so crafted ids cannot degrade a lookup
//! beyond O(log n). Iteration is in (hash, id) order: deterministic, whatever the
//! slab's layout, so snapshots do not depend on the order clients came and went.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ClientLine;
use crate::dialog::LineIdx;

/// A remembered client: its slot in the [`ClientHistory`]. Valid while the client is
/// remembered, which an open dialog guarantees (a client with an open dialog is
/// neither forgotten on request nor swept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ClientHandle(u32);

impl ClientHandle {
    /// No client: a dialog's handle before restore resolves it.
    pub const NONE: ClientHandle = ClientHandle(u32::MAX);

    fn index(self) -> usize {
        self.0 as usize
    }
}

impl Default for ClientHandle {
    fn default() -> Self {
        ClientHandle::NONE
    }
}

/// FNV-1a, 64-bit: stable across processes and versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One client: its id and a record per line they wrote to.
#[derive(Debug, Clone, PartialEq)]
struct Client {
    /// Inline up to 24 bytes (no allocation for ids as hosts use them).
    id: CompactString,
    lines: Records,
}

/// A client's records, one per line: inline for the common client of one line (no
/// allocation), a vector beyond.
#[derive(Debug, Clone, PartialEq)]
enum Records {
    One(ClientLine),
    Many(Vec<ClientLine>),
}

impl Records {
    fn as_slice(&self) -> &[ClientLine] {
        match self {
            Records::One(record) => std::slice::from_ref(record),
            Records::Many(records) => records,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [ClientLine] {
        match self {
            Records::One(record) => std::slice::from_mut(record),
            Records::Many(records) => records,
        }
    }

    fn from_vec(mut records: Vec<ClientLine>) -> Records {
        match records.len() {
            1 => Records::One(records.remove(0)),
            _ => Records::Many(records),
        }
    }

    fn push(&mut self, record: ClientLine) {
        match self {
            Records::Many(records) if records.is_empty() => *self = Records::One(record),
            Records::Many(records) => records.push(record),
            Records::One(first) => {
                let first = first.clone();
                *self = Records::Many(vec![first, record]);
            }
        }
    }

    fn retain(&mut self, keep: impl FnMut(&ClientLine) -> bool) {
        let mut records = match std::mem::replace(self, Records::Many(Vec::new())) {
            Records::One(record) => vec![record],
            Records::Many(records) => records,
        };
        records.retain(keep);
        *self = Records::from_vec(records);
    }
}

/// In `by_hash`: the hash is shared by several clients, listed in `shared`.
const SHARED: ClientHandle = ClientHandle(u32::MAX - 1);

/// Idle records by when they went idle: (last seen, client, line).
type IdleIndex = BTreeSet<(DateTime<Utc>, ClientHandle, LineIdx)>;

/// Every client the engine remembers, with a record per line they wrote to.
///
/// It owns its invariants: the id index names exactly the occupied slots; every record
/// without an open dialog is in the idle index under its `last_seen`, and no other
/// record is. Records change only through [`ClientHistory::update`], and clients go
/// only through [`ClientHistory::remove`] and [`ClientHistory::forget_idle_since`],
/// which keep both indexes, so the forget sweep finds the records it forgets without
/// looking at the others.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientHistory {
    slots: Vec<Option<Client>>,
    /// Vacant slots, reused last-freed first.
    free: Vec<u32>,
    /// Each id hash's client, or [`SHARED`] when several ids have that hash.
    by_hash: BTreeMap<u64, ClientHandle>,
    /// The clients of each shared hash (two or more), sorted by id.
    shared: BTreeMap<u64, Vec<ClientHandle>>,
    /// Derived from the records (rebuilt on restore, never persisted).
    idle: IdleIndex,
}

impl PartialEq for ClientHistory {
    /// The same clients with the same records (wherever their slots are).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Serialize for ClientHistory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (id, lines) in self.iter() {
            map.serialize_entry(id, lines)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ClientHistory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = ClientHistory;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of client ids to their records")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut history = ClientHistory::default();
                while let Some((id, lines)) =
                    map.next_entry::<std::borrow::Cow<'de, str>, Vec<ClientLine>>()?
                {
                    // A later duplicate id wins, as with a map.
                    let handle = history.ensure(&id);
                    history.client_mut(handle).lines = Records::from_vec(lines);
                }
                history.idle = history.fresh_idle_index();
                Ok(history)
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

impl ClientHistory {
    fn client(&self, handle: ClientHandle) -> &Client {
        self.slots[handle.index()]
            .as_ref()
            .expect("invariant: a handle names a remembered client")
    }

    fn client_mut(&mut self, handle: ClientHandle) -> &mut Client {
        self.slots[handle.index()]
            .as_mut()
            .expect("invariant: a handle names a remembered client")
    }

    /// The clients whose ids have this hash (almost always one), sorted by id.
    fn bucket(&self, hash: u64) -> &[ClientHandle] {
        match self.by_hash.get(&hash) {
            None => &[],
            Some(&SHARED) => self.shared.get(&hash).map_or(&[], Vec::as_slice),
            Some(handle) => std::slice::from_ref(handle),
        }
    }

    /// Where `id` is in the bucket of its hash: found, or where it would go.
    fn search(&self, hash: u64, id: &str) -> Result<ClientHandle, usize> {
        let bucket = self.bucket(hash);
        bucket
            .binary_search_by(|&h| (*self.client(h).id).cmp(id))
            .map(|i| bucket[i])
    }

    /// The handle of a remembered client.
    pub fn lookup(&self, id: &str) -> Option<ClientHandle> {
        self.search(fnv1a(id), id).ok()
    }

    /// The handle of a client, remembering them (with no records yet) if new.
    pub fn ensure(&mut self, id: &str) -> ClientHandle {
        let hash = fnv1a(id);
        let position = match self.search(hash, id) {
            Ok(handle) => return handle,
            Err(position) => position,
        };
        let client = Client {
            id: id.into(),
            lines: Records::Many(Vec::new()),
        };
        let handle = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(client);
                ClientHandle(slot)
            }
            None => {
                self.slots.push(Some(client));
                ClientHandle(u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 clients"))
            }
        };
        match self.by_hash.insert(hash, handle) {
            None => {}
            Some(SHARED) => {
                self.by_hash.insert(hash, SHARED);
                let shared = self
                    .shared
                    .get_mut(&hash)
                    .expect("a shared hash has its list");
                shared.insert(position, handle);
            }
            Some(other) => {
                self.by_hash.insert(hash, SHARED);
                let mut both = vec![other];
                both.insert(position, handle);
                self.shared.insert(hash, both);
            }
        }
        handle
    }

    /// Whether `handle` names a remembered client.
    pub fn is_remembered(&self, handle: ClientHandle) -> bool {
        self.slots.get(handle.index()).is_some_and(Option::is_some)
    }

    /// A client's id.
    pub fn id(&self, handle: ClientHandle) -> &str {
        &self.client(handle).id
    }

    /// A client's records.
    pub fn records(&self, handle: ClientHandle) -> &[ClientLine] {
        self.client(handle).lines.as_slice()
    }

    /// A client's record in `line`.
    pub fn line(&self, handle: ClientHandle, line: LineIdx) -> Option<&ClientLine> {
        self.records(handle).iter().find(|c| c.line == line)
    }

    /// The record in `line` of the client with this id, if remembered.
    #[cfg(test)]
    pub fn line_of(&self, id: &str, line: LineIdx) -> Option<&ClientLine> {
        self.line(self.lookup(id)?, line)
    }

    /// Change the client's record in `line` (created at `at` when missing) with `f`,
    /// keeping the idle index in step.
    pub fn update<R>(
        &mut self,
        handle: ClientHandle,
        line: LineIdx,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut ClientLine) -> R,
    ) -> R {
        let client = self.slots[handle.index()]
            .as_mut()
            .expect("invariant: a handle names a remembered client");
        let lines = &mut client.lines;
        // A record made here enters the idle index only as `f` leaves it (a new
        // client's record is usually opened at once: no insert and remove).
        let (pos, before) = match lines.as_slice().iter().position(|c| c.line == line) {
            Some(pos) => (pos, idle_key(handle, &lines.as_slice()[pos])),
            None => {
                lines.push(ClientLine {
                    line,
                    open: None,
                    last_operator: None,
                    dialogs: 0,
                    last_seen: at,
                });
                (lines.as_slice().len() - 1, None)
            }
        };
        let record = &mut lines.as_mut_slice()[pos];
        let result = f(record);
        let after = idle_key(handle, record);
        if before != after {
            if let Some(k) = before {
                self.idle.remove(&k);
            }
            if let Some(k) = after {
                self.idle.insert(k);
            }
        }
        result
    }

    /// Forget a client.
    pub fn remove(&mut self, id: &str) {
        if let Some(handle) = self.lookup(id) {
            self.release(handle);
        }
    }

    /// Take a client out of the slab and both indexes.
    fn release(&mut self, handle: ClientHandle) {
        let Some(hash) = self.slots[handle.index()].as_ref().map(|c| fnv1a(&c.id)) else {
            return;
        };
        self.release_with_hash(handle, hash);
    }

    /// [`ClientHistory::release`] of a client whose id has `hash`.
    fn release_with_hash(&mut self, handle: ClientHandle, hash: u64) {
        let Some(client) = self.slots[handle.index()].take() else {
            return;
        };
        for record in client.lines.as_slice() {
            if let Some(k) = idle_key(handle, record) {
                self.idle.remove(&k);
            }
        }
        if self.by_hash.get(&hash) == Some(&SHARED) {
            let shared = self
                .shared
                .get_mut(&hash)
                .expect("a shared hash has its list");
            shared.retain(|&h| h != handle);
            if let [only] = shared[..] {
                self.shared.remove(&hash);
                self.by_hash.insert(hash, only);
            }
        } else {
            self.by_hash.remove(&hash);
        }
        self.free.push(handle.0);
    }

    /// Forget every record without an open dialog last seen at or before `horizon`
    /// (clients left with none are forgotten). Costs the records forgotten, not the
    /// ones kept.
    pub fn forget_idle_since(&mut self, horizon: DateTime<Utc>) {
        while let Some(&(seen, handle, line)) = self.idle.first() {
            if seen > horizon {
                break;
            }
            self.idle.remove(&(seen, handle, line));
            let client = self.client_mut(handle);
            client
                .lines
                .retain(|c| !(c.line == line && c.open.is_none() && c.last_seen == seen));
            if client.lines.as_slice().is_empty() {
                self.release(handle);
            }
        }
    }

    /// Number of clients remembered.
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Every client with their records (in hash order: deterministic, not alphabetical).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[ClientLine])> {
        self.handles().map(|h| {
            let client = self.client(h);
            (&*client.id, client.lines.as_slice())
        })
    }

    /// Every client's handle, in the order of [`ClientHistory::iter`].
    pub fn handles(&self) -> impl Iterator<Item = ClientHandle> + '_ {
        self.by_hash
            .keys()
            .flat_map(|&hash| self.bucket(hash).iter().copied())
    }

    /// The idle index a scan of the records gives.
    fn fresh_idle_index(&self) -> IdleIndex {
        self.handles()
            .flat_map(|h| {
                self.records(h)
                    .iter()
                    .filter_map(move |record| idle_key(h, record))
            })
            .collect()
    }

    /// Whether the idle index is what a scan of the records gives, and the id index
    /// names exactly the occupied slots (consistency check).
    #[cfg(any(test, feature = "test-support"))]
    pub fn idle_index_is_fresh(&self) -> bool {
        let occupied = self.slots.iter().filter(|s| s.is_some()).count();
        let indexed = self.handles().count();
        let hashes_match = self.by_hash.keys().all(|&hash| {
            let bucket = self.bucket(hash);
            bucket.iter().all(|&h| fnv1a(self.id(h)) == hash)
                && bucket.windows(2).all(|w| self.id(w[0]) < self.id(w[1]))
                && (bucket.len() == 1) == (self.by_hash[&hash] != SHARED)
        }) && self
            .shared
            .keys()
            .all(|hash| self.by_hash.get(hash) == Some(&SHARED));
        occupied == indexed
            && occupied == self.len()
            && hashes_match
            && self.idle == self.fresh_idle_index()
    }
}

/// Where `record` of client `handle` sits in the idle index, if it is idle.
fn idle_key(
    handle: ClientHandle,
    record: &ClientLine,
) -> Option<(DateTime<Utc>, ClientHandle, LineIdx)> {
    record
        .open
        .is_none()
        .then_some((record.last_seen, handle, record.line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    /// `update` of the client with this id (remembered first if new).
    fn touch<R>(
        h: &mut ClientHistory,
        id: &str,
        line: u32,
        when: i64,
        f: impl FnOnce(&mut ClientLine) -> R,
    ) -> R {
        let handle = h.ensure(id);
        h.update(handle, LineIdx(line), at(when), f)
    }

    #[test]
    fn lookups_find_what_was_entered_and_nothing_else() {
        let mut h = ClientHistory::default();
        for i in 0..1000 {
            touch(&mut h, &format!("tg:{i}"), i % 3, 0, |_| ());
        }
        assert_eq!(h.len(), 1000);
        let seven = h.lookup("tg:7").unwrap();
        assert_eq!(h.id(seven), "tg:7");
        assert_eq!(h.records(seven)[0].line, LineIdx(1));
        assert!(h.lookup("tg:1000").is_none());
        touch(&mut h, "tg:8", 0, 0, |r| r.dialogs = 5);
        let eight = h.lookup("tg:8").unwrap();
        assert_eq!(h.records(eight).len(), 2);
        assert_eq!(h.line_of("tg:8", LineIdx(0)).map(|r| r.dialogs), Some(5));
        assert_eq!(h.line_of("tg:8", LineIdx(2)).map(|r| r.dialogs), Some(0));
        h.remove("tg:8");
        assert!(h.lookup("tg:8").is_none());
        assert_eq!(h.iter().count(), h.len());
        assert!(h.idle_index_is_fresh());
        // The freed slot is reused, and the new client is found by its own id.
        touch(&mut h, "new", 0, 0, |_| ());
        assert_eq!(h.lookup("new"), Some(eight));
        assert_eq!(h.id(eight), "new");
        assert!(h.idle_index_is_fresh());
    }

    #[test]
    fn the_sweep_forgets_idle_records_up_to_the_horizon_and_nothing_else() {
        let mut h = ClientHistory::default();
        // Idle at 0, 10, 20; one with an open dialog since 0; one reopened.
        touch(&mut h, "a", 0, 0, |_| ());
        touch(&mut h, "b", 0, 10, |_| ());
        touch(&mut h, "c", 0, 20, |_| ());
        touch(&mut h, "open", 0, 0, |r| r.open = Some(1));
        touch(&mut h, "back", 0, 0, |_| ());
        touch(&mut h, "back", 0, 30, |r| r.last_seen = at(30));
        touch(&mut h, "two", 0, 0, |_| ());
        touch(&mut h, "two", 1, 20, |_| ());
        assert!(h.idle_index_is_fresh());
        h.forget_idle_since(at(10));
        let left: Vec<&str> = {
            let mut ids: Vec<&str> = h.iter().map(|(id, _)| id).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(left, ["back", "c", "open", "two"]);
        assert_eq!(
            h.lookup("two").map(|t| h.records(t).len()),
            Some(1),
            "only the old record goes"
        );
        assert!(h.idle_index_is_fresh());
        // Closing the open dialog makes it idle from then on.
        touch(&mut h, "open", 0, 40, |r| {
            r.open = None;
            r.last_seen = at(40);
        });
        h.forget_idle_since(at(39));
        assert!(h.lookup("open").is_some() && h.lookup("c").is_none());
        h.forget_idle_since(at(40));
        assert!(h.lookup("open").is_none());
        assert!(h.idle_index_is_fresh());
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_the_id() {
        // Three clients forced under one hash behave as three clients.
        let mut h = ClientHistory::default();
        for id in ["b", "a", "c"] {
            let handle = ClientHandle(h.slots.len() as u32);
            h.slots.push(Some(Client {
                id: id.into(),
                lines: Records::Many(Vec::new()),
            }));
            let mut handles = h.shared.remove(&42).unwrap_or_default();
            handles.push(handle);
            handles.sort_by(|&x, &y| h.client(x).id.cmp(&h.client(y).id));
            h.shared.insert(42, handles);
            h.by_hash.insert(42, SHARED);
        }
        let find = |h: &ClientHistory, id: &str| h.search(42, id).ok();
        assert_eq!(find(&h, "b"), Some(ClientHandle(0)));
        assert_eq!(find(&h, "d"), None);
        assert_eq!(h.handles().count(), 3);
        // Forgetting one leaves the others under the shared hash, found by id; the
        // last but one makes the hash a single client's again.
        let a = find(&h, "a").unwrap();
        h.release_with_hash(a, 42);
        assert_eq!(h.bucket(42).len(), 2);
        assert!(find(&h, "a").is_none() && find(&h, "c").is_some());
        let c = find(&h, "c").unwrap();
        h.release_with_hash(c, 42);
        assert_eq!(h.by_hash.get(&42), Some(&ClientHandle(0)));
        assert!(h.shared.is_empty());
        assert_eq!(find(&h, "b"), Some(ClientHandle(0)));
    }

    #[test]
    fn records_stay_inline_for_one_line_and_grow_beyond() {
        let mut h = ClientHistory::default();
        touch(&mut h, "x", 0, 0, |_| ());
        let x = h.lookup("x").unwrap();
        assert!(matches!(h.client(x).lines, Records::One(_)));
        touch(&mut h, "x", 1, 0, |_| ());
        touch(&mut h, "x", 2, 0, |r| r.open = Some(3));
        assert_eq!(h.records(x).len(), 3);
        h.forget_idle_since(at(0));
        assert!(
            matches!(h.client(x).lines, Records::One(_)),
            "back to one record"
        );
        assert_eq!(h.records(x)[0].open, Some(3));
        assert!(h.idle_index_is_fresh());
    }

    #[test]
    fn iteration_does_not_depend_on_slot_layout() {
        let mut churned = ClientHistory::default();
        for i in 0..50 {
            touch(&mut churned, &format!("gone:{i}"), 0, 0, |_| ());
        }
        for i in 0..20 {
            touch(&mut churned, &format!("c:{i}"), 0, 5, |_| ());
        }
        churned.forget_idle_since(at(1));
        let mut fresh = ClientHistory::default();
        for i in (0..20).rev() {
            touch(&mut fresh, &format!("c:{i}"), 0, 5, |_| ());
        }
        assert_eq!(churned, fresh);
        assert!(churned.iter().eq(fresh.iter()));
    }

    #[test]
    fn serializes_as_a_map_of_client_ids() {
        let mut h = ClientHistory::default();
        touch(&mut h, "c1", 0, 0, |_| ());
        let json = serde_json::to_value(&h).unwrap();
        assert!(json.get("c1").is_some(), "{json}");
        let back: ClientHistory = serde_json::from_value(json).unwrap();
        assert_eq!(back, h);
        assert!(back.idle_index_is_fresh());
        let bytes = crate::codec::to_vec(&h).unwrap();
        assert_eq!(
            crate::codec::from_slice::<ClientHistory>(&bytes).unwrap(),
            h
        );
    }
}
