//! Per-person keys and sealing: every worker and request record is stored encrypted
//! under its own key, so erasing the key erases the person everywhere sled may still
//! hold an old copy of the record (its log, its free pages, a backup taken later).
//!
//! The keys live outside sled, in a file of fixed 64-byte slots that is overwritten in
//! place: destroying a key rewrites its slot, which no log or copy-on-write keeps. Keys
//! are read from their slot when needed, through a small bounded cache; memory holds
//! only which slot is whose (`SlotIndex`, 12 bytes a person).

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::Id;
use crate::store::envelope;

const HEADER: &[u8; 8] = b"DOMKEYS1";
const SLOT: usize = 64;
const NONCE: usize = 12;
/// Format byte, id, key generation: authenticated with the ciphertext.
const SEALED_HEADER: usize = 1 + 8 + 4;
/// Slots read per call when the file is scanned at open.
const SCAN: usize = 4096;
/// Keys kept in memory after use. A worker's record, its proposals and contacts share
/// one key, and a page or a sweep touches a few hundred records at most.
const CACHE: usize = 4096;
/// Slots held back at most before they are written out (a restore writes every key
/// before its one sync).
const UNWRITTEN: usize = 4096;

const FREE: u8 = 0;
const LIVE: u8 = 1;
/// The key is destroyed but the record it sealed may still be in the store: start-up
/// finishes the erasure, then frees the slot.
const SHREDDED: u8 = 2;

pub type Key = [u8; 32];

/// A live key as read from its slot.
#[derive(Clone, Copy)]
struct Live {
    id: u64,
    gen: u32,
    key: Key,
}

/// Id → slot of its current key. Ids known at open sit in two sorted arrays (12 bytes
/// each); ids added since sit in a small map, merged into the arrays as it grows, so
/// the map never holds more than an eighth of the keys.
#[derive(Default)]
struct SlotIndex {
    ids: Vec<u64>,
    /// `GONE` where the id's key was removed since the last merge.
    slots: Vec<u32>,
    recent: HashMap<u64, u32>,
    len: usize,
}

const GONE: u32 = u32::MAX;

impl SlotIndex {
    /// From pairs sorted by id, each id once.
    fn from_sorted(pairs: &[(u64, u32)]) -> SlotIndex {
        SlotIndex {
            ids: pairs.iter().map(|p| p.0).collect(),
            slots: pairs.iter().map(|p| p.1).collect(),
            recent: HashMap::new(),
            len: pairs.len(),
        }
    }

    fn get(&self, id: u64) -> Option<u32> {
        if let Some(&slot) = self.recent.get(&id) {
            return Some(slot);
        }
        let i = self.ids.binary_search(&id).ok()?;
        Some(self.slots[i]).filter(|&s| s != GONE)
    }

    fn insert(&mut self, id: u64, slot: u32) {
        if let Ok(i) = self.ids.binary_search(&id) {
            if self.slots[i] == GONE {
                self.len += 1;
            }
            self.slots[i] = slot;
            return;
        }
        if self.recent.insert(id, slot).is_none() {
            self.len += 1;
        }
        if self.recent.len() >= (self.ids.len() / 8).max(1024) {
            self.merge();
        }
    }

    fn remove(&mut self, id: u64) -> Option<u32> {
        if let Some(slot) = self.recent.remove(&id) {
            self.len -= 1;
            return Some(slot);
        }
        let i = self.ids.binary_search(&id).ok()?;
        let slot = std::mem::replace(&mut self.slots[i], GONE);
        if slot == GONE {
            return None;
        }
        self.len -= 1;
        Some(slot)
    }

    /// Folds the recent ids into the sorted arrays, dropping removed ones.
    fn merge(&mut self) {
        let mut recent: Vec<(u64, u32)> = self.recent.drain().collect();
        recent.sort_unstable();
        let mut pairs = Vec::with_capacity(self.len);
        let mut old = self
            .ids
            .iter()
            .zip(&self.slots)
            .filter(|(_, &s)| s != GONE)
            .map(|(&i, &s)| (i, s))
            .peekable();
        let mut new = recent.into_iter().peekable();
        loop {
            let next = match (old.peek(), new.peek()) {
                (Some(a), Some(b)) if a.0 < b.0 => old.next(),
                (Some(_), Some(_)) | (None, Some(_)) => new.next(),
                (Some(_), None) => old.next(),
                (None, None) => break,
            };
            pairs.extend(next);
        }
        *self = SlotIndex::from_sorted(&pairs);
    }

    fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.ids
            .iter()
            .zip(&self.slots)
            .filter(|(_, &s)| s != GONE)
            .map(|(&i, &s)| (i, s))
            .chain(self.recent.iter().map(|(&i, &s)| (i, s)))
    }
}

/// Keys read recently, by slot, at most `CACHE`: two generations, the older dropped
/// whole when the newer fills (a hit in the older moves the key to the newer).
#[derive(Default)]
struct KeyCache {
    hot: HashMap<u32, Live>,
    cold: HashMap<u32, Live>,
}

impl KeyCache {
    fn get(&mut self, slot: u32) -> Option<Live> {
        if let Some(&k) = self.hot.get(&slot) {
            return Some(k);
        }
        let k = self.cold.remove(&slot)?;
        self.put(slot, k);
        Some(k)
    }

    fn put(&mut self, slot: u32, k: Live) {
        if self.hot.len() >= CACHE / 2 {
            self.cold = std::mem::take(&mut self.hot);
        }
        self.hot.insert(slot, k);
    }

    fn forget(&mut self, slot: u32) {
        self.hot.remove(&slot);
        self.cold.remove(&slot);
    }
}

#[derive(Default)]
struct Inner {
    /// The slot of the key new writes of a record use (its highest generation).
    current: SlotIndex,
    /// Slots of keys a re-keyed record no longer uses, until the new copy is durable.
    older: HashMap<(u64, u32), u32>,
    /// Slots holding a destroyed key, to free once the record is gone from the store.
    shredded: Vec<(Id, u32, u32)>,
    free: Vec<u32>,
    slots: u32,
    dirty: bool,
    /// Slots changed since the last sync and not yet written to the file: a batch's new
    /// keys sit side by side at its end and go out as one write at the sync, not one
    /// each. Read before the file.
    unwritten: BTreeMap<u32, [u8; SLOT]>,
    cache: KeyCache,
    /// The slots of a vault without a file (temporary stores).
    memory: Vec<[u8; SLOT]>,
}

/// The key file (or, for temporary stores, keys held only in memory).
pub struct Vault {
    file: Option<File>,
    inner: Mutex<Inner>,
}

/// A slot that held a key destroyed before a crash, whose record start-up must remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shredded {
    pub id: Id,
    pub gen: u32,
}

impl Vault {
    pub fn in_memory() -> Vault {
        Vault {
            file: None,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Opens the key file, creating it only when `create` (a new store): a store
    /// whose key file went missing must not quietly get an empty one.
    pub fn open(path: &Path, create: bool) -> Result<Vault> {
        // Readable by the service's user only: these keys unseal every person's record.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .mode(crate::backup::FILE_MODE)
            .open(path)?;
        let corrupt = |detail: String| Error::Corrupt {
            what: "chiavi".into(),
            detail,
        };
        let size = file.metadata()?.len();
        if size == 0 {
            file.write_all_at(HEADER, 0)?;
            file.sync_all()?;
        } else {
            let mut header = [0u8; HEADER.len()];
            if size < HEADER.len() as u64
                || file.read_exact_at(&mut header, 0).is_err()
                || &header != HEADER
            {
                return Err(corrupt(format!(
                    "{} non è un file di chiavi DOM",
                    path.display()
                )));
            }
        }
        // A slot being appended when the machine stopped may be partial: it held no
        // acknowledged key (keys are synced before their record is written).
        let whole = (size.saturating_sub(SLOT as u64) / SLOT as u64) as usize;
        let mut inner = Inner::default();
        let mut live: Vec<(u64, u32, u32)> = Vec::new();
        let mut block = vec![0u8; SCAN * SLOT];
        for first in (0..whole).step_by(SCAN) {
            let n = SCAN.min(whole - first);
            let bytes = &mut block[..n * SLOT];
            file.read_exact_at(bytes, (SLOT * (first + 1)) as u64)?;
            for (i, s) in bytes.chunks_exact(SLOT).enumerate() {
                let slot = (first + i) as u32;
                match s[12] {
                    FREE => inner.free.push(slot),
                    state @ (LIVE | SHREDDED) => {
                        if s[48..56] != check(&s[..48]) {
                            return Err(corrupt(format!("slot {} danneggiato", first + i)));
                        }
                        let (id, gen) = slot_owner(s);
                        if state == SHREDDED {
                            inner.shredded.push((Id(id), gen, slot));
                        } else {
                            live.push((id, gen, slot));
                        }
                    }
                    other => {
                        return Err(corrupt(format!(
                            "slot {}: stato {other} sconosciuto",
                            first + i
                        )))
                    }
                }
            }
        }
        // The highest generation of an id is its current key; any other is older.
        live.sort_unstable();
        let mut current = Vec::with_capacity(live.len());
        for (i, &(id, gen, slot)) in live.iter().enumerate() {
            if live.get(i + 1).is_some_and(|next| next.0 == id) {
                inner.older.insert((id, gen), slot);
            } else {
                current.push((id, slot));
            }
        }
        drop(live);
        inner.current = SlotIndex::from_sorted(&current);
        inner.slots = whole as u32;
        Ok(Vault {
            file: Some(file),
            inner: Mutex::new(inner),
        })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write_slot(&self, inner: &mut Inner, slot: u32, bytes: &[u8; SLOT]) -> Result<()> {
        inner.dirty = true;
        inner.cache.forget(slot);
        match &self.file {
            Some(f) => {
                inner.unwritten.insert(slot, *bytes);
                if inner.unwritten.len() >= UNWRITTEN {
                    Self::write_out(f, inner)?;
                }
            }
            None => {
                let i = slot as usize;
                if inner.memory.len() <= i {
                    inner.memory.resize(i + 1, [0; SLOT]);
                }
                inner.memory[i] = *bytes;
            }
        }
        Ok(())
    }

    /// Writes the held-back slots, one write per run of neighbouring slots.
    fn write_out(f: &File, inner: &mut Inner) -> Result<()> {
        let mut run: Vec<u8> = Vec::new();
        let mut first = 0u32;
        let mut next = None;
        for (slot, bytes) in std::mem::take(&mut inner.unwritten) {
            if next != Some(slot) && !run.is_empty() {
                f.write_all_at(&run, (SLOT as u64) * (u64::from(first) + 1))?;
                run.clear();
            }
            if run.is_empty() {
                first = slot;
            }
            run.extend_from_slice(&bytes);
            next = slot.checked_add(1);
        }
        if !run.is_empty() {
            f.write_all_at(&run, (SLOT as u64) * (u64::from(first) + 1))?;
        }
        Ok(())
    }

    /// The live key in `slot`, which must belong to `id`: a slot that does not (freed,
    /// destroyed, damaged) is an error, as the index says it does.
    fn read_slot(&self, inner: &mut Inner, slot: u32, id: u64) -> Result<Live> {
        if let Some(k) = inner.cache.get(slot) {
            if k.id == id {
                return Ok(k);
            }
        }
        let mut s = [0u8; SLOT];
        match &self.file {
            Some(f) => match inner.unwritten.get(&slot) {
                Some(held) => s = *held,
                None => f.read_exact_at(&mut s, (SLOT as u64) * (u64::from(slot) + 1))?,
            },
            None => {
                s = inner
                    .memory
                    .get(slot as usize)
                    .copied()
                    .unwrap_or([0; SLOT])
            }
        }
        let (owner, gen) = slot_owner(&s);
        if s[12] != LIVE || owner != id || s[48..56] != check(&s[..48]) {
            return Err(Error::Corrupt {
                what: "chiavi".into(),
                detail: format!("slot {slot} non contiene la chiave attesa"),
            });
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(&s[16..48]);
        let k = Live { id, gen, key };
        inner.cache.put(slot, k);
        Ok(k)
    }

    fn current(&self, inner: &mut Inner, id: Id) -> Result<Option<(u32, Live)>> {
        match inner.current.get(id.0) {
            Some(slot) => Ok(Some((slot, self.read_slot(inner, slot, id.0)?))),
            None => Ok(None),
        }
    }

    fn new_slot(inner: &mut Inner) -> u32 {
        inner.free.pop().unwrap_or_else(|| {
            inner.slots += 1;
            inner.slots - 1
        })
    }

    /// The key to seal `id` with: its current one, or a new generation when `fresh`
    /// (re-keying) or when it has none. A new key is written but not yet synced.
    pub fn sealing_key(&self, id: Id, fresh: bool) -> Result<(u32, Key)> {
        let mut inner = self.inner();
        let current = self.current(&mut inner, id)?;
        if let (Some((_, k)), false) = (current, fresh) {
            return Ok((k.gen, k.key));
        }
        let gen = current.map_or(0, |(_, k)| k.gen + 1);
        let key: Key = rand::random();
        let slot = Self::new_slot(&mut inner);
        self.write_slot(&mut inner, slot, &slot_bytes(id, gen, LIVE, &key))?;
        if let Some((old, k)) = current {
            inner.older.insert((id.0, k.gen), old);
        }
        inner.current.insert(id.0, slot);
        Ok((gen, key))
    }

    /// The current key of `id`, if it has one (never creates it).
    pub fn current_key(&self, id: Id) -> Result<Option<(u32, Key)>> {
        let mut inner = self.inner();
        Ok(self.current(&mut inner, id)?.map(|(_, k)| (k.gen, k.key)))
    }

    /// The key of generation `gen` of `id`, if it still exists.
    pub fn key(&self, id: Id, gen: u32) -> Result<Option<Key>> {
        let mut inner = self.inner();
        if let Some((_, k)) = self.current(&mut inner, id)? {
            if k.gen == gen {
                return Ok(Some(k.key));
            }
        }
        match inner.older.get(&(id.0, gen)).copied() {
            Some(slot) => Ok(Some(self.read_slot(&mut inner, slot, id.0)?.key)),
            None => Ok(None),
        }
    }

    /// Destroys every key of `id` (not yet synced): whatever they sealed is unreadable.
    pub fn shred(&self, id: Id) -> Result<()> {
        let mut inner = self.inner();
        let mut gone = Self::take_older(&mut inner, id);
        if let Some((slot, k)) = self.current(&mut inner, id)? {
            inner.current.remove(id.0);
            gone.push((k.gen, slot));
        }
        for (gen, slot) in gone {
            self.tombstone(&mut inner, id, gen, slot)?;
        }
        Ok(())
    }

    /// Destroys the keys of `id` older than its current one (after a re-keyed copy of
    /// the record is durable).
    pub fn shred_older(&self, id: Id) -> Result<()> {
        let mut inner = self.inner();
        for (gen, slot) in Self::take_older(&mut inner, id) {
            self.tombstone(&mut inner, id, gen, slot)?;
        }
        Ok(())
    }

    /// The older keys of `id`, as (generation, slot), taken out of the map.
    fn take_older(inner: &mut Inner, id: Id) -> Vec<(u32, u32)> {
        let keys: Vec<(u64, u32)> = inner
            .older
            .keys()
            .filter(|(i, _)| *i == id.0)
            .copied()
            .collect();
        keys.iter()
            .filter_map(|k| inner.older.remove(k).map(|slot| (k.1, slot)))
            .collect()
    }

    fn tombstone(&self, inner: &mut Inner, id: Id, gen: u32, slot: u32) -> Result<()> {
        self.write_slot(inner, slot, &slot_bytes(id, gen, SHREDDED, &[0; 32]))?;
        inner.shredded.push((id, gen, slot));
        Ok(())
    }

    /// Whether a key of `id` was destroyed and its record may not be removed yet.
    pub fn is_shredded(&self, id: Id) -> bool {
        self.inner().shredded.iter().any(|(i, _, _)| *i == id)
    }

    /// Keys destroyed whose records the store may still hold (found at start-up).
    pub fn shredded(&self) -> Vec<Shredded> {
        self.inner()
            .shredded
            .iter()
            .map(|&(id, gen, _)| Shredded { id, gen })
            .collect()
    }

    /// Frees the slots of destroyed keys once their records are gone from the store.
    pub fn release_shredded(&self) -> Result<()> {
        let mut inner = self.inner();
        let slots: Vec<u32> = inner.shredded.drain(..).map(|(_, _, s)| s).collect();
        for slot in slots {
            self.write_slot(&mut inner, slot, &[0; SLOT])?;
            inner.free.push(slot);
        }
        Ok(())
    }

    /// Makes every key written or destroyed so far durable.
    pub fn sync(&self) -> Result<()> {
        let mut inner = self.inner();
        if inner.dirty {
            if let Some(f) = &self.file {
                Self::write_out(f, &mut inner)?;
                f.sync_data()?;
            }
            inner.dirty = false;
        }
        Ok(())
    }

    /// Every live key, for a backup.
    pub fn live_keys(&self) -> Result<Vec<(Id, u32, Key)>> {
        let mut inner = self.inner();
        let slots: Vec<(u64, u32)> = inner
            .current
            .iter()
            .chain(inner.older.iter().map(|(&(id, _), &slot)| (id, slot)))
            .collect();
        let mut out = Vec::with_capacity(slots.len());
        for (id, slot) in slots {
            let k = self.read_slot(&mut inner, slot, id)?;
            out.push((Id(id), k.gen, k.key));
        }
        out.sort_by_key(|(id, gen, _)| (id.0, *gen));
        Ok(out)
    }

    /// Adds a key read from a backup (not yet synced).
    pub fn restore_key(&self, id: Id, gen: u32, key: Key) -> Result<()> {
        let mut inner = self.inner();
        let slot = Self::new_slot(&mut inner);
        self.write_slot(&mut inner, slot, &slot_bytes(id, gen, LIVE, &key))?;
        match self.current(&mut inner, id)? {
            Some((_, c)) if c.gen > gen => {
                inner.older.insert((id.0, gen), slot);
            }
            Some((old, c)) => {
                inner.older.insert((id.0, c.gen), old);
                inner.current.insert(id.0, slot);
            }
            None => inner.current.insert(id.0, slot),
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        let inner = self.inner();
        inner.current.len + inner.older.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Approximate heap bytes of the id → key slot lookup and the key cache, for the
    /// memory benchmark (a map entry counted as its key, value and control byte).
    pub fn heap_bytes(&self) -> usize {
        fn map<K, V>(m: &HashMap<K, V>) -> usize {
            m.capacity() * (std::mem::size_of::<(K, V)>() + 1)
        }
        let inner = self.inner();
        let c = &inner.current;
        c.ids.capacity() * 8
            + c.slots.capacity() * 4
            + map(&c.recent)
            + map(&inner.older)
            + map(&inner.cache.hot)
            + map(&inner.cache.cold)
            + inner.shredded.capacity() * std::mem::size_of::<(Id, u32, u32)>()
            + inner.free.capacity() * 4
            + inner.memory.capacity() * SLOT
    }
}

impl Drop for Vault {
    /// Slots not yet synced were never promised durable, but what was written before
    /// the held-back slots existed reached the file too: keep that.
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
            // Nothing to report to at drop; a failed write only loses unsynced keys.
            let _ = Self::write_out(f, inner);
        }
    }
}

fn check(bytes: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// The id and generation a slot names.
fn slot_owner(s: &[u8]) -> (u64, u32) {
    let id = u64::from_le_bytes(s[0..8].try_into().unwrap_or_default());
    let gen = u32::from_le_bytes(s[8..12].try_into().unwrap_or_default());
    (id, gen)
}

fn slot_bytes(id: Id, gen: u32, state: u8, key: &Key) -> [u8; SLOT] {
    let mut s = [0u8; SLOT];
    s[0..8].copy_from_slice(&id.0.to_le_bytes());
    s[8..12].copy_from_slice(&gen.to_le_bytes());
    s[12] = state;
    s[16..48].copy_from_slice(key);
    let c = check(&s[..48]);
    s[48..56].copy_from_slice(&c);
    s
}

/// Seals `plain` (a record's body) for record `id` under key generation `gen`.
pub fn seal(id: Id, gen: u32, key: &Key, plain: &[u8]) -> Result<Vec<u8>> {
    seal_as(envelope::SEALED_PACKED, id, gen, key, plain)
}

/// Seals with store format 1's envelope byte, for tests that write what it wrote.
#[cfg(test)]
pub fn seal_json(id: Id, gen: u32, key: &Key, json: &[u8]) -> Vec<u8> {
    seal_as(envelope::SEALED_JSON, id, gen, key, json).expect("sealed")
}

fn seal_as(format: u8, id: Id, gen: u32, key: &Key, plain: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(SEALED_HEADER + NONCE + plain.len() + 16);
    out.push(format);
    out.extend_from_slice(&id.0.to_le_bytes());
    out.extend_from_slice(&gen.to_le_bytes());
    let nonce: [u8; NONCE] = rand::random();
    let cipher = ChaCha20Poly1305::new(key.into());
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &out[..SEALED_HEADER],
            },
        )
        .map_err(|_| Error::Corrupt {
            what: "cifratura".into(),
            detail: "cifratura non riuscita".into(),
        })?;
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The id and key generation a sealed record names, read without its key.
pub fn sealed_header(bytes: &[u8]) -> Option<(Id, u32)> {
    if bytes.len() < SEALED_HEADER || !envelope::is_sealed(bytes[0]) {
        return None;
    }
    let id = u64::from_le_bytes(bytes[1..9].try_into().ok()?);
    let gen = u32::from_le_bytes(bytes[9..13].try_into().ok()?);
    Some((Id(id), gen))
}

/// Opens a sealed record. A destroyed key is `None` (the person is being erased); a
/// key that is simply missing, or a record that fails authentication, is corrupt.
pub fn open_sealed(vault: &Vault, what: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>> {
    let corrupt = |detail: &str| Error::Corrupt {
        what: what.to_string(),
        detail: detail.to_string(),
    };
    let (id, gen) =
        sealed_header(bytes).ok_or_else(|| corrupt("intestazione cifrata malformata"))?;
    let Some(key) = vault.key(id, gen)? else {
        if vault.is_shredded(id) {
            return Ok(None);
        }
        return Err(corrupt("chiave di cifratura mancante"));
    };
    let rest = &bytes[SEALED_HEADER..];
    if rest.len() < NONCE {
        return Err(corrupt("record cifrato troncato"));
    }
    let cipher = ChaCha20Poly1305::new((&key).into());
    cipher
        .decrypt(
            Nonce::from_slice(&rest[..NONCE]),
            Payload {
                msg: &rest[NONCE..],
                aad: &bytes[..SEALED_HEADER],
            },
        )
        .map(Some)
        .map_err(|_| corrupt("record cifrato non autentico"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_records_open_only_with_their_key() {
        let v = Vault::in_memory();
        let (gen, key) = v.sealing_key(Id(7), false).unwrap();
        let sealed = seal(Id(7), gen, &key, b"{\"given_name\":\"Natalia\"}").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"Natalia"));
        assert_eq!(
            open_sealed(&v, "t", &sealed).unwrap().unwrap(),
            b"{\"given_name\":\"Natalia\"}"
        );
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(open_sealed(&v, "t", &tampered).is_err());
        // The id is authenticated: a record copied under another id does not open.
        let mut moved = sealed.clone();
        moved[1] ^= 1;
        assert!(open_sealed(&v, "t", &moved).is_err());
        v.shred(Id(7)).unwrap();
        assert_eq!(open_sealed(&v, "t", &sealed).unwrap(), None);
        // Once the erasure is complete, a leftover copy is an error, not an absence.
        v.release_shredded().unwrap();
        assert!(open_sealed(&v, "t", &sealed).is_err());
    }

    #[test]
    fn keys_survive_reopening_and_shredding_overwrites_the_slot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        assert!(Vault::open(&path, false).is_err(), "never created unasked");
        let (k1, k2) = {
            let v = Vault::open(&path, true).unwrap();
            let k1 = v.sealing_key(Id(1), false).unwrap().1;
            let k2 = v.sealing_key(Id(2), false).unwrap().1;
            v.sync().unwrap();
            v.shred(Id(1)).unwrap();
            v.sync().unwrap();
            (k1, k2)
        };
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(32).any(|w| w == k1),
            "destroyed key still on disk"
        );
        assert!(bytes.windows(32).any(|w| w == k2));
        let v = Vault::open(&path, false).unwrap();
        assert_eq!(v.key(Id(2), 0).unwrap(), Some(k2));
        assert_eq!(v.key(Id(1), 0).unwrap(), None);
        assert_eq!(v.shredded(), vec![Shredded { id: Id(1), gen: 0 }]);
        v.release_shredded().unwrap();
        // The freed slot is reused rather than the file growing.
        let len = std::fs::metadata(&path).unwrap().len();
        v.sealing_key(Id(3), false).unwrap();
        v.sync().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
    }

    #[test]
    fn new_keys_reach_the_file_together_at_the_sync_and_read_back_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let v = Vault::open(&path, true).unwrap();
        let keys: Vec<Key> = (0..100)
            .map(|id| v.sealing_key(Id(id), false).unwrap().1)
            .collect();
        let header = HEADER.len() as u64;
        assert_eq!(std::fs::metadata(&path).unwrap().len(), header, "held back");
        for (id, key) in (0..100).zip(&keys) {
            assert_eq!(v.current_key(Id(id)).unwrap(), Some((0, *key)));
        }
        v.shred(Id(3)).unwrap();
        v.sync().unwrap();
        // The header takes the first slot's place; then the 100 slots.
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 101 * SLOT as u64);
        assert!(v.inner().unwritten.is_empty());
        drop(v);
        let v = Vault::open(&path, false).unwrap();
        for (id, key) in (0..100).zip(&keys) {
            let expected = (id != 3).then_some(*key);
            assert_eq!(v.key(Id(id), 0).unwrap(), expected);
        }
        assert_eq!(v.shredded(), vec![Shredded { id: Id(3), gen: 0 }]);
    }

    #[test]
    fn held_back_slots_are_bounded_and_written_at_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let n = UNWRITTEN as u64 + 10;
        let v = Vault::open(&path, true).unwrap();
        for id in 0..n {
            v.restore_key(Id(id), 0, [id as u8; 32]).unwrap();
        }
        assert_eq!(v.inner().unwritten.len(), 10);
        drop(v);
        let v = Vault::open(&path, false).unwrap();
        assert_eq!(v.len(), n as usize);
        assert_eq!(v.key(Id(n - 1), 0).unwrap(), Some([(n - 1) as u8; 32]));
    }

    #[test]
    fn rekeying_keeps_the_old_key_until_it_is_retired() {
        let v = Vault::in_memory();
        let (g0, k0) = v.sealing_key(Id(5), false).unwrap();
        let (g1, k1) = v.sealing_key(Id(5), true).unwrap();
        assert_eq!((g0, g1), (0, 1));
        assert_ne!(k0, k1);
        assert_eq!(v.key(Id(5), 0).unwrap(), Some(k0));
        assert_eq!(v.sealing_key(Id(5), false).unwrap(), (1, k1));
        v.shred_older(Id(5)).unwrap();
        assert_eq!(v.key(Id(5), 0).unwrap(), None);
        assert_eq!(v.key(Id(5), 1).unwrap(), Some(k1));
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_an_empty_vault() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, b"not a key file at all").unwrap();
        assert!(matches!(
            Vault::open(&path, false),
            Err(Error::Corrupt { .. })
        ));
        {
            let v = Vault::open(&dir.path().join("k2"), true).unwrap();
            v.sealing_key(Id(9), false).unwrap();
            v.sync().unwrap();
        }
        let mut bytes = std::fs::read(dir.path().join("k2")).unwrap();
        bytes[SLOT + 20] ^= 0xff;
        std::fs::write(dir.path().join("k2"), &bytes).unwrap();
        assert!(matches!(
            Vault::open(&dir.path().join("k2"), false),
            Err(Error::Corrupt { .. })
        ));
    }

    #[test]
    fn keys_are_read_from_the_file_through_a_bounded_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let n = CACHE as u64 * 2 + 10;
        let mut keys = Vec::new();
        {
            let v = Vault::open(&path, true).unwrap();
            for id in 0..n {
                keys.push(v.sealing_key(Id(id * 7919), false).unwrap().1);
            }
            v.sync().unwrap();
            let inner = v.inner();
            assert!(inner.cache.hot.len() + inner.cache.cold.len() <= CACHE);
        }
        let v = Vault::open(&path, false).unwrap();
        assert_eq!(v.len(), n as usize);
        // Twice over every key: each read from its slot at least once, the cache bounded.
        for _ in 0..2 {
            for (id, key) in (0..n).zip(&keys) {
                assert_eq!(v.key(Id(id * 7919), 0).unwrap(), Some(*key));
                assert_eq!(v.current_key(Id(id * 7919)).unwrap(), Some((0, *key)));
            }
        }
        let inner = v.inner();
        assert!(inner.cache.hot.len() + inner.cache.cold.len() <= CACHE);
        assert!(
            inner.current.recent.is_empty(),
            "keys known at open are in the arrays"
        );
        drop(inner);
        assert_eq!(v.key(Id(1), 0).unwrap(), None);
    }

    #[test]
    fn a_slot_holding_another_key_is_an_error_not_a_wrong_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let v = Vault::open(&path, true).unwrap();
        v.sealing_key(Id(1), false).unwrap();
        v.sync().unwrap();
        // Another process (or a damaged disk) rewrites the slot under the vault's feet.
        let f = OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all_at(&slot_bytes(Id(2), 0, LIVE, &[9; 32]), SLOT as u64)
            .unwrap();
        v.inner().cache = KeyCache::default();
        assert!(matches!(v.key(Id(1), 0), Err(Error::Corrupt { .. })));
    }

    proptest::proptest! {
        /// The slot index answers like a map through inserts, removals and merges.
        #[test]
        fn slot_index_behaves_like_a_map(
            start in proptest::collection::btree_map(0u64..5000, 0u32..1000, 0..3000),
            ops in proptest::collection::vec((0u64..5000, proptest::option::of(0u32..1000)), 0..4000),
        ) {
            let pairs: Vec<(u64, u32)> = start.iter().map(|(&i, &s)| (i, s)).collect();
            let mut index = SlotIndex::from_sorted(&pairs);
            let mut model: HashMap<u64, u32> = start.into_iter().collect();
            for (id, slot) in ops {
                match slot {
                    Some(slot) => {
                        index.insert(id, slot);
                        model.insert(id, slot);
                    }
                    None => {
                        proptest::prop_assert_eq!(index.remove(id), model.remove(&id));
                    }
                }
                proptest::prop_assert_eq!(index.get(id), model.get(&id).copied());
            }
            proptest::prop_assert_eq!(index.len, model.len());
            let mut all: Vec<(u64, u32)> = index.iter().collect();
            all.sort_unstable();
            let mut expected: Vec<(u64, u32)> = model.into_iter().collect();
            expected.sort_unstable();
            proptest::prop_assert_eq!(all, expected);
        }
    }
}
