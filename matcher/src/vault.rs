//! Per-person keys and sealing: every worker and request record is stored encrypted
//! under its own key, so erasing the key erases the person everywhere sled may still
//! hold an old copy of the record (its log, its free pages, a backup taken later).
//!
//! The keys live outside sled, in a file of fixed 64-byte slots that is overwritten in
//! place: destroying a key rewrites its slot, which no log or copy-on-write keeps.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::Id;

/// Envelope format byte of a sealed record (format 1 is plain JSON).
pub const SEALED_FORMAT: u8 = 2;
const HEADER: &[u8; 8] = b"DOMKEYS1";
const SLOT: usize = 64;
const NONCE: usize = 12;
/// Format byte, id, key generation: authenticated with the ciphertext.
const SEALED_HEADER: usize = 1 + 8 + 4;

const FREE: u8 = 0;
const LIVE: u8 = 1;
/// The key is destroyed but the record it sealed may still be in the store: start-up
/// finishes the erasure, then frees the slot.
const SHREDDED: u8 = 2;

pub type Key = [u8; 32];

#[derive(Clone, Copy)]
struct Entry {
    gen: u32,
    slot: u32,
    key: Key,
}

#[derive(Default)]
struct Inner {
    /// The key new writes of a record use (its highest generation).
    current: HashMap<u64, Entry>,
    /// Keys a re-keyed record no longer uses, until the new copy is durable.
    older: HashMap<(u64, u32), Entry>,
    /// Slots holding a destroyed key, to free once the record is gone from the store.
    shredded: Vec<(Id, u32, u32)>,
    free: Vec<u32>,
    slots: u32,
    dirty: bool,
}

impl Inner {
    /// Files a live key: the highest generation of an id is its current key.
    fn add(&mut self, id: u64, e: Entry) {
        match self.current.get(&id).copied() {
            Some(c) if c.gen > e.gen => {
                self.older.insert((id, e.gen), e);
            }
            Some(c) => {
                self.older.insert((id, c.gen), c);
                self.current.insert(id, e);
            }
            None => {
                self.current.insert(id, e);
            }
        }
    }
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
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .mode(crate::backup::FILE_MODE)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let corrupt = |detail: String| Error::Corrupt {
            what: "chiavi".into(),
            detail,
        };
        let mut inner = Inner::default();
        if bytes.is_empty() {
            file.write_all_at(HEADER, 0)?;
            file.sync_all()?;
        } else if bytes.len() < HEADER.len() || &bytes[..HEADER.len()] != HEADER {
            return Err(corrupt(format!(
                "{} non è un file di chiavi DOM",
                path.display()
            )));
        }
        // A slot being appended when the machine stopped may be partial: it held no
        // acknowledged key (keys are synced before their record is written).
        let whole = bytes.len().saturating_sub(SLOT) / SLOT;
        for n in 0..whole {
            let s = &bytes[SLOT * (n + 1)..SLOT * (n + 2)];
            let slot = n as u32;
            match s[12] {
                FREE => inner.free.push(slot),
                state @ (LIVE | SHREDDED) => {
                    if s[48..56] != check(&s[..48]) {
                        return Err(corrupt(format!("slot {n} danneggiato")));
                    }
                    let id = u64::from_le_bytes(s[0..8].try_into().unwrap_or_default());
                    let gen = u32::from_le_bytes(s[8..12].try_into().unwrap_or_default());
                    if state == SHREDDED {
                        inner.shredded.push((Id(id), gen, slot));
                        continue;
                    }
                    let mut key = [0u8; 32];
                    key.copy_from_slice(&s[16..48]);
                    let e = Entry { gen, slot, key };
                    inner.add(id, e);
                }
                other => return Err(corrupt(format!("slot {n}: stato {other} sconosciuto"))),
            }
        }
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
        if let Some(f) = &self.file {
            f.write_all_at(bytes, (SLOT as u64) * (u64::from(slot) + 1))?;
        }
        Ok(())
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
        let current = inner.current.get(&id.0).copied();
        if let (Some(e), false) = (current, fresh) {
            return Ok((e.gen, e.key));
        }
        let gen = current.map_or(0, |e| e.gen + 1);
        let key: Key = rand::random();
        let slot = Self::new_slot(&mut inner);
        self.write_slot(&mut inner, slot, &slot_bytes(id, gen, LIVE, &key))?;
        if let Some(old) = current {
            inner.older.insert((id.0, old.gen), old);
        }
        inner.current.insert(id.0, Entry { gen, slot, key });
        Ok((gen, key))
    }

    /// The current key of `id`, if it has one (never creates it).
    pub fn current_key(&self, id: Id) -> Option<(u32, Key)> {
        self.inner().current.get(&id.0).map(|e| (e.gen, e.key))
    }

    /// The key of generation `gen` of `id`, if it still exists.
    pub fn key(&self, id: Id, gen: u32) -> Option<Key> {
        let inner = self.inner();
        match inner.current.get(&id.0) {
            Some(e) if e.gen == gen => Some(e.key),
            _ => inner.older.get(&(id.0, gen)).map(|e| e.key),
        }
    }

    /// Destroys every key of `id` (not yet synced): whatever they sealed is unreadable.
    pub fn shred(&self, id: Id) -> Result<()> {
        let mut inner = self.inner();
        let mut gone = Self::take_older(&mut inner, id);
        gone.extend(inner.current.remove(&id.0));
        for e in gone {
            self.tombstone(&mut inner, id, e)?;
        }
        Ok(())
    }

    /// Destroys the keys of `id` older than its current one (after a re-keyed copy of
    /// the record is durable).
    pub fn shred_older(&self, id: Id) -> Result<()> {
        let mut inner = self.inner();
        for e in Self::take_older(&mut inner, id) {
            self.tombstone(&mut inner, id, e)?;
        }
        Ok(())
    }

    fn take_older(inner: &mut Inner, id: Id) -> Vec<Entry> {
        let keys: Vec<(u64, u32)> = inner
            .older
            .keys()
            .filter(|(i, _)| *i == id.0)
            .copied()
            .collect();
        keys.iter().filter_map(|k| inner.older.remove(k)).collect()
    }

    fn tombstone(&self, inner: &mut Inner, id: Id, e: Entry) -> Result<()> {
        self.write_slot(inner, e.slot, &slot_bytes(id, e.gen, SHREDDED, &[0; 32]))?;
        inner.shredded.push((id, e.gen, e.slot));
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
                f.sync_data()?;
            }
            inner.dirty = false;
        }
        Ok(())
    }

    /// Every live key, for a backup.
    pub fn live_keys(&self) -> Vec<(Id, u32, Key)> {
        let inner = self.inner();
        let mut out: Vec<(Id, u32, Key)> = inner
            .current
            .iter()
            .map(|(id, e)| (Id(*id), e.gen, e.key))
            .chain(
                inner
                    .older
                    .iter()
                    .map(|((id, _), e)| (Id(*id), e.gen, e.key)),
            )
            .collect();
        out.sort_by_key(|(id, gen, _)| (id.0, *gen));
        out
    }

    /// Adds a key read from a backup (not yet synced).
    pub fn restore_key(&self, id: Id, gen: u32, key: Key) -> Result<()> {
        let mut inner = self.inner();
        let slot = Self::new_slot(&mut inner);
        self.write_slot(&mut inner, slot, &slot_bytes(id, gen, LIVE, &key))?;
        let e = Entry { gen, slot, key };
        inner.add(id.0, e);
        Ok(())
    }

    pub fn len(&self) -> usize {
        let inner = self.inner();
        inner.current.len() + inner.older.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check(bytes: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
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

/// Seals `plain` (a record's JSON) for record `id` under key generation `gen`.
pub fn seal(id: Id, gen: u32, key: &Key, plain: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(SEALED_HEADER + NONCE + plain.len() + 16);
    out.push(SEALED_FORMAT);
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
    if bytes.len() < SEALED_HEADER || bytes[0] != SEALED_FORMAT {
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
    let Some(key) = vault.key(id, gen) else {
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
        assert_eq!(v.key(Id(2), 0), Some(k2));
        assert_eq!(v.key(Id(1), 0), None);
        assert_eq!(v.shredded(), vec![Shredded { id: Id(1), gen: 0 }]);
        v.release_shredded().unwrap();
        // The freed slot is reused rather than the file growing.
        let len = std::fs::metadata(&path).unwrap().len();
        v.sealing_key(Id(3), false).unwrap();
        v.sync().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
    }

    #[test]
    fn rekeying_keeps_the_old_key_until_it_is_retired() {
        let v = Vault::in_memory();
        let (g0, k0) = v.sealing_key(Id(5), false).unwrap();
        let (g1, k1) = v.sealing_key(Id(5), true).unwrap();
        assert_eq!((g0, g1), (0, 1));
        assert_ne!(k0, k1);
        assert_eq!(v.key(Id(5), 0), Some(k0));
        assert_eq!(v.sealing_key(Id(5), false).unwrap(), (1, k1));
        v.shred_older(Id(5)).unwrap();
        assert_eq!(v.key(Id(5), 0), None);
        assert_eq!(v.key(Id(5), 1), Some(k1));
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
}
