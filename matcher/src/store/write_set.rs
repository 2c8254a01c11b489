//! A write set: the changes one sled transaction applies, all of them or none — records
//! (sealed when applied), their `LINKS` index entries, outcome codes and audit lines.

use rayon::prelude::*;

use super::envelope::{self, encode};
use super::{Kind, Record, TreeName};
use crate::error::Result;
use crate::model::{AuditEntry, Id};

/// What a write set does to one key.
pub(super) enum Value {
    Plain(Vec<u8>),
    /// A record about a person, sealed when the set is applied; `rekey` seals it under
    /// a new key and destroys the old one (de-identification).
    Seal {
        id: Id,
        body: Vec<u8>,
        rekey: bool,
    },
    /// A record sealed under another's key (a proposal under its worker's), which it
    /// never creates: a record whose owner has no key is stored plain, one whose owner
    /// was erased is refused.
    SealUnder {
        owner: Id,
        body: Vec<u8>,
    },
    Remove,
    /// Removes a person's record and destroys its key first.
    Erase(Id),
}

/// Changes to apply in one sled transaction: all of them or none.
#[derive(Default)]
pub struct WriteSet {
    /// Tree, key, and what to do there.
    pub(super) ops: Vec<(usize, Vec<u8>, Value)>,
    /// The index-mirrored records touched, for the change log.
    pub(super) logged: Vec<(Kind, Id)>,
}

impl WriteSet {
    pub fn new() -> WriteSet {
        WriteSet::default()
    }

    pub fn put<T: Record>(&mut self, value: &T) -> Result<&mut WriteSet> {
        self.put_keyed(value, false)
    }

    /// Writes a person's record under a new key and destroys the old one, so earlier
    /// versions left in sled's log become unreadable (de-identification).
    pub fn put_rekeyed<T: Record>(&mut self, value: &T) -> Result<&mut WriteSet> {
        self.put_keyed(value, true)
    }

    fn put_keyed<T: Record>(&mut self, value: &T, rekey: bool) -> Result<&mut WriteSet> {
        let id = value.id();
        let v = match (T::KIND, value.sealed_by()) {
            (Some(kind), _) => {
                self.logged.push((kind, id));
                Value::Seal {
                    id,
                    body: envelope::pack(value)?,
                    rekey,
                }
            }
            (None, Some(owner)) => Value::SealUnder {
                owner,
                body: envelope::pack(value)?,
            },
            (None, None) => Value::Plain(encode(value)?),
        };
        self.ops.push((T::TREE as usize, id.to_key().to_vec(), v));
        for link in T::LINKS {
            self.ops.push((
                link.tree as usize,
                child_key((link.of)(value), id),
                Value::Plain(Vec::new()),
            ));
        }
        Ok(self)
    }

    /// Removes a record; a person's record is erased (its key destroyed).
    pub fn delete<T: Record>(&mut self, id: Id) -> &mut WriteSet {
        let v = match T::KIND {
            Some(kind) => {
                self.logged.push((kind, id));
                Value::Erase(id)
            }
            None => Value::Remove,
        };
        self.ops.push((T::TREE as usize, id.to_key().to_vec(), v));
        self
    }

    /// Removes a record that belongs to another, with its entries in its `LINKS` indexes.
    pub fn remove_child<T: Record>(&mut self, value: &T) -> &mut WriteSet {
        let id = value.id();
        self.ops
            .push((T::TREE as usize, id.to_key().to_vec(), Value::Remove));
        for link in T::LINKS {
            self.ops.push((
                link.tree as usize,
                child_key((link.of)(value), id),
                Value::Remove,
            ));
        }
        self
    }

    /// Maps a public outcome code to its proposal.
    pub fn put_code(&mut self, code: &str, proposal: Id) -> &mut WriteSet {
        self.ops.push((
            TreeName::OutcomeCodes as usize,
            code.as_bytes().to_vec(),
            Value::Plain(proposal.to_key().to_vec()),
        ));
        self
    }

    /// Appends to the audit log, in the same transaction as the change it describes.
    pub fn audit(&mut self, entry: &AuditEntry) -> Result<&mut WriteSet> {
        self.ops.push((
            TreeName::Audit as usize,
            audit_key(entry.at),
            Value::Plain(encode(entry)?),
        ));
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// `records` put one after another, encoded and packed on the rayon pool in parts
    /// of `part` records (a bulk chunk: the packing is the slow part), in order.
    pub(super) fn of_records<T: Record + Sync>(records: &[T], part: usize) -> Result<WriteSet> {
        let parts: Vec<WriteSet> = records
            .par_chunks(part.max(1))
            .map(|part| {
                let mut ws = WriteSet::new();
                for r in part {
                    ws.put(r)?;
                }
                Ok(ws)
            })
            .collect::<Result<_>>()?;
        let mut ws = WriteSet::new();
        for part in parts {
            ws.ops.extend(part.ops);
            ws.logged.extend(part.logged);
        }
        Ok(ws)
    }
}

/// Parent id then child id: the children of a parent are one key prefix.
pub(super) fn child_key(parent: Id, child: Id) -> Vec<u8> {
    let mut key = parent.to_key().to_vec();
    key.extend_from_slice(&child.to_key());
    key
}

/// Time first so the log reads in order; random tail so two entries in the same second
/// never collide.
pub(super) fn audit_key(at: u64) -> Vec<u8> {
    let mut key = at.to_be_bytes().to_vec();
    key.extend_from_slice(&rand::random::<u64>().to_be_bytes());
    key
}
