//! A hash table of slot numbers whose key is read back from the slot itself, so a table
//! of a million rows does not hold each key a second time: the worker table's id → row,
//! the dedupe index's id → slot and phone → first slot of its chain.

use std::hash::{BuildHasher, Hash, RandomState};

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

/// Slot numbers filed by a key that `key_of(slot)` reads from the slot; every call passes
/// the same `key_of`, and a slot's key must be written before the slot is filed.
#[derive(Default)]
pub(crate) struct SlotTable {
    table: HashTable<u32>,
    /// Keyed (SipHash): some keys (phone numbers) come from outside.
    hasher: RandomState,
}

impl SlotTable {
    pub fn with_capacity(n: usize) -> SlotTable {
        SlotTable {
            table: HashTable::with_capacity(n),
            hasher: RandomState::new(),
        }
    }

    /// The slot filed under `key`.
    pub fn get<K: Hash + Eq>(&self, key: K, key_of: impl Fn(u32) -> K) -> Option<u32> {
        self.table
            .find(self.hasher.hash_one(&key), |&s| key_of(s) == key)
            .copied()
    }

    /// Files `slot` under `key`; returns the slot filed there before.
    pub fn set<K: Hash + Eq>(
        &mut self,
        key: K,
        slot: u32,
        key_of: impl Fn(u32) -> K,
    ) -> Option<u32> {
        let hasher = &self.hasher;
        match self.table.entry(
            hasher.hash_one(&key),
            |&s| key_of(s) == key,
            |&s| hasher.hash_one(key_of(s)),
        ) {
            Entry::Occupied(mut e) => Some(std::mem::replace(e.get_mut(), slot)),
            Entry::Vacant(e) => {
                e.insert(slot);
                None
            }
        }
    }

    /// Takes `key` out; returns the slot it was filed under.
    pub fn remove<K: Hash + Eq>(&mut self, key: K, key_of: impl Fn(u32) -> K) -> Option<u32> {
        let found = self
            .table
            .find_entry(self.hasher.hash_one(&key), |&s| key_of(s) == key);
        found.ok().map(|e| e.remove().0)
    }

    pub fn reserve<K: Hash>(&mut self, n: usize, key_of: impl Fn(u32) -> K) {
        let hasher = &self.hasher;
        self.table.reserve(n, |&s| hasher.hash_one(key_of(s)));
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Heap bytes, for the memory benchmark.
    pub fn allocation_size(&self) -> usize {
        self.table.allocation_size()
    }
}
