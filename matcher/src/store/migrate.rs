//! Brings a store written by an older DOM to the current format when it opens: store
//! format 1 kept JSON bodies; format 2 keeps MessagePack (`envelope`). Records are
//! rewritten in flushed batches and each carries its own format byte, so a migration a
//! crash interrupted simply resumes; the store's format is recorded only once all are done.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{envelope, Record, Store, TreeName};
use crate::engine::Refusal;
use crate::error::{Error, Result};
use crate::model::{
    AuditEntry, Contact, FollowUp, Operator, Organisation, Proposal, Request, Worker,
};
use crate::vault;

/// The store format this DOM writes. A store of a newer format is refused, never guessed at.
pub const FORMAT_VERSION: u8 = 2;

/// Meta key of the store's format; absent in format 1 (and after a raw restore).
const FORMAT_KEY: &[u8] = b"format";

/// Records rewritten per sled batch (and flush).
const BATCH: usize = 1000;

/// Migrates the store to `FORMAT_VERSION` unless it is there already; refuses a newer one.
pub(super) fn run(store: &Store) -> Result<()> {
    match format(store)? {
        Some(FORMAT_VERSION) => return Ok(()),
        Some(newer) if newer > FORMAT_VERSION => {
            return Err(Error::Corrupt {
                what: "archivio".into(),
                detail: format!(
                    "formato {newer} dell'archivio sconosciuto \
                     (archivio di una versione più recente di DOM?)"
                ),
            })
        }
        _ => {}
    }
    records::<Worker>(store)?;
    records::<Request>(store)?;
    records::<Organisation>(store)?;
    records::<Operator>(store)?;
    records::<Proposal>(store)?;
    records::<FollowUp>(store)?;
    records::<Contact>(store)?;
    tree::<AuditEntry>(store, TreeName::Audit)?;
    tree::<Refusal>(store, TreeName::Refusals)?;
    store
        .meta
        .insert(FORMAT_KEY, &[FORMAT_VERSION])
        .map_err(Error::from)?;
    store.flush()
}

/// The format the store records about itself (`None`: format 1, or not known).
pub(super) fn format(store: &Store) -> Result<Option<u8>> {
    Ok(store.meta.get(FORMAT_KEY)?.and_then(|v| v.first().copied()))
}

/// Forgets the store's format: raw records were loaded (a restore) whose format only a
/// pass over them can tell, so the next open makes that pass.
pub(super) fn forget(store: &Store) -> Result<()> {
    store.meta.remove(FORMAT_KEY)?;
    Ok(())
}

pub(super) fn records<T: Record>(store: &Store) -> Result<()> {
    tree::<T>(store, T::TREE)
}

/// Rewrites every record of `name` still in store format 1, as a `T`.
fn tree<T: Serialize + DeserializeOwned>(store: &Store, name: TreeName) -> Result<()> {
    let tree = &store.all[name as usize];
    let mut batch = sled::Batch::default();
    let mut pending = 0;
    for item in tree.iter() {
        let (key, bytes) = item?;
        let Some(new) = rewrite::<T>(store, name.name(), &bytes)? else {
            continue;
        };
        batch.insert(key, new);
        pending += 1;
        if pending == BATCH {
            tree.apply_batch(std::mem::take(&mut batch))?;
            store.flush()?;
            pending = 0;
        }
    }
    if pending > 0 {
        tree.apply_batch(batch)?;
        store.flush()?;
    }
    Ok(())
}

/// The record in the current format, or `None` when it needs no rewrite: already
/// current, or sealed under a key destroyed by an erasure (unreadable by design; start-up
/// removes such leftovers).
pub(super) fn rewrite<T: Serialize + DeserializeOwned>(
    store: &Store,
    what: &str,
    bytes: &[u8],
) -> Result<Option<Vec<u8>>> {
    match bytes.first() {
        Some(&envelope::JSON) => {
            let value: T = envelope::decode(what, bytes)?;
            envelope::encode(&value).map(Some)
        }
        Some(&envelope::SEALED_JSON) => {
            let Some((id, gen)) = vault::sealed_header(bytes) else {
                return Err(corrupt(what));
            };
            let Some(key) = store.vault.key(id, gen)? else {
                return Ok(None);
            };
            let Some(json) = vault::open_sealed(&store.vault, what, bytes)? else {
                return Ok(None);
            };
            let value: T = envelope::decode_body(what, envelope::SEALED_JSON, &json)?;
            // The same key: a migration changes the encoding, never who can read it.
            vault::seal(id, gen, &key, &envelope::pack(&value)?).map(Some)
        }
        _ => Ok(None),
    }
}

fn corrupt(what: &str) -> Error {
    Error::Corrupt {
        what: what.to_string(),
        detail: "intestazione cifrata malformata".into(),
    }
}
