//! The sled store, DOM's source of truth. Every record is a versioned envelope (format
//! byte + compressed MessagePack, see `envelope`; people's records sealed under a per-record key
//! from the `vault`; stores of an older format are migrated on open, see `migrate`);
//! every change to an indexed record also appends to a change log in the same
//! transaction, so the index can always catch up after a crash.

use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::ConflictableTransactionError;
use sled::{Transactional, Tree};

use crate::error::{Error, Result};
use crate::model::{
    AuditEntry, Contact, FollowUp, Id, Operator, Organisation, Proposal, Request, Worker,
};
use crate::vault::{self, Vault};

mod compact;
pub(crate) mod envelope;
mod migrate;
mod write_set;

pub use compact::{compact, Compaction};
pub use envelope::{decode, encode};
pub use write_set::WriteSet;
use write_set::{audit_key, child_key, Value};

const SEQ_KEY: &[u8] = b"seq";

/// A day as a key prefix that sorts like the dates (sign bit flipped, big-endian).
fn day_key(day: crate::date::Date) -> [u8; 4] {
    ((day.days() as u32) ^ 0x8000_0000).to_be_bytes()
}

/// A record type kept in its own sled tree.
pub trait Record: Serialize + DeserializeOwned + 'static {
    /// Tree name, also used in error messages.
    const TREE: TreeName;
    /// The kind named in a not-found error shown to operators.
    const LABEL: &'static str;
    /// Set for records the index mirrors: their writes go to the change log, and they
    /// are about people, so they are sealed under a per-record key.
    const KIND: Option<Kind> = None;
    /// The trees indexing records by a record they belong to, so "the follow-ups of
    /// this proposal" or "the proposals of this worker" is a prefix scan, not a scan of
    /// every record. The first is the record's `parent`.
    const LINKS: &'static [Link<Self>] = &[];
    fn id(&self) -> Id;
    /// Whose key seals this record when it is not a person's own record (`KIND`): a
    /// proposal carries text derived from the worker's card (wage asked, permit expiry,
    /// note words), so it is sealed under the worker's key and becomes unreadable —
    /// in every old version sled's log still holds — when the worker is erased.
    fn sealed_by(&self) -> Option<Id> {
        None
    }
}

/// One index of a record kind: the tree, and the id (fixed for the record's life) it
/// is filed under.
pub struct Link<T> {
    pub tree: TreeName,
    pub of: fn(&T) -> Id,
}

macro_rules! record {
    ($t:ty, $tree:expr, $label:literal $(, $kind:expr)?) => {
        impl Record for $t {
            const TREE: TreeName = $tree;
            const LABEL: &'static str = $label;
            $(const KIND: Option<Kind> = Some($kind);)?
            fn id(&self) -> Id {
                self.id
            }
        }
    };
    ($t:ty, $tree:expr, $label:literal, by $index:expr, $parent:ident) => {
        impl Record for $t {
            const TREE: TreeName = $tree;
            const LABEL: &'static str = $label;
            const LINKS: &'static [Link<Self>] = &[Link {
                tree: $index,
                of: |r| r.$parent,
            }];
            fn id(&self) -> Id {
                self.id
            }
        }
    };
}

record!(Worker, TreeName::Workers, "scheda lavoratore", Kind::Worker);
record!(Request, TreeName::Requests, "richiesta", Kind::Request);
record!(Organisation, TreeName::Organisations, "organizzazione");
record!(Operator, TreeName::Operators, "operatore");
impl Record for Proposal {
    const TREE: TreeName = TreeName::Proposals;
    const LABEL: &'static str = "proposta";
    const LINKS: &'static [Link<Self>] = &[
        Link {
            tree: TreeName::ProposalsByRequest,
            of: |p| p.request_id,
        },
        // Hiring closes the worker's other proposals; export and erasure gather them.
        Link {
            tree: TreeName::ProposalsByWorker,
            of: |p| p.worker_id,
        },
    ];
    fn id(&self) -> Id {
        self.id
    }
    fn sealed_by(&self) -> Option<Id> {
        // Once stripped (erasure, retention) it holds only what the review counts.
        self.deidentified_on.is_none().then_some(self.worker_id)
    }
}
record!(
    FollowUp,
    TreeName::FollowUps,
    "verifica",
    by TreeName::FollowUpsByProposal,
    proposal_id
);

impl Record for Contact {
    const TREE: TreeName = TreeName::Contacts;
    const LABEL: &'static str = "contatto";
    const LINKS: &'static [Link<Self>] = &[Link {
        tree: TreeName::ContactsByRecord,
        of: |c| c.about,
    }];
    fn id(&self) -> Id {
        self.id
    }
    fn sealed_by(&self) -> Option<Id> {
        // The note is about the person: unreadable once their record's key is gone.
        Some(self.about)
    }
}

/// Every sled tree, in a fixed order (the transaction's order; a tree's slot is its
/// discriminant). Names are the trees' names on disk and in backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeName {
    Workers,
    Requests,
    Organisations,
    Operators,
    Proposals,
    FollowUps,
    OutcomeCodes,
    Audit,
    Changes,
    Meta,
    ProposalsByRequest,
    FollowUpsByProposal,
    /// The anti-discrimination register: one entry per refused request, no text.
    Refusals,
    /// The contact log of worker cards and requests, and its index by record.
    Contacts,
    ContactsByRecord,
    ProposalsByWorker,
}

impl TreeName {
    pub const ALL: [TreeName; 16] = [
        TreeName::Workers,
        TreeName::Requests,
        TreeName::Organisations,
        TreeName::Operators,
        TreeName::Proposals,
        TreeName::FollowUps,
        TreeName::OutcomeCodes,
        TreeName::Audit,
        TreeName::Changes,
        TreeName::Meta,
        TreeName::ProposalsByRequest,
        TreeName::FollowUpsByProposal,
        TreeName::Refusals,
        TreeName::Contacts,
        TreeName::ContactsByRecord,
        TreeName::ProposalsByWorker,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TreeName::Workers => "workers",
            TreeName::Requests => "requests",
            TreeName::Organisations => "organisations",
            TreeName::Operators => "operators",
            TreeName::Proposals => "proposals",
            TreeName::FollowUps => "follow_ups",
            TreeName::OutcomeCodes => "outcome_codes",
            TreeName::Audit => "audit",
            TreeName::Changes => "changes",
            TreeName::Meta => "meta",
            TreeName::ProposalsByRequest => "proposals_by_request",
            TreeName::FollowUpsByProposal => "follow_ups_by_proposal",
            TreeName::Refusals => "refusals",
            TreeName::Contacts => "contacts",
            TreeName::ContactsByRecord => "contacts_by_record",
            TreeName::ProposalsByWorker => "proposals_by_worker",
        }
    }

    /// The tree with this name; `None` for any other (never a default tree).
    pub fn from_name(name: &str) -> Option<TreeName> {
        TreeName::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Which index-mirrored collection a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Worker = 1,
    Request = 2,
}

/// One entry of the change log: record `id` of `kind` was written or erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoggedChange {
    pub seq: u64,
    pub kind: Kind,
    pub id: Id,
}

/// A change log entry: the kind, then the ids of consecutive sequence numbers (the
/// first is the entry's key). A store written before runs were logged together holds
/// one id an entry, which reads the same.
fn log_entry(kind: Kind, ids: impl ExactSizeIterator<Item = Id>) -> Vec<u8> {
    let mut entry = Vec::with_capacity(1 + 8 * ids.len());
    entry.push(kind as u8);
    for id in ids {
        entry.extend_from_slice(&id.to_key());
    }
    entry
}

/// A change log entry's first sequence number, kind and ids (at least one).
fn read_log_entry<'a>(
    key: &[u8],
    value: &'a [u8],
) -> Result<(u64, Kind, impl ExactSizeIterator<Item = Id> + 'a)> {
    let corrupt = || Error::Corrupt {
        what: "changes".into(),
        detail: "voce del registro delle modifiche malformata".into(),
    };
    let first = u64::from_be_bytes(<[u8; 8]>::try_from(key).map_err(|_| corrupt())?);
    let kind = match value.first() {
        Some(1) => Kind::Worker,
        Some(2) => Kind::Request,
        _ => return Err(corrupt()),
    };
    let ids = &value[1..];
    if ids.is_empty() || !ids.len().is_multiple_of(8) {
        return Err(corrupt());
    }
    Ok((
        first,
        kind,
        ids.chunks_exact(8).map(|k| {
            Id(u64::from_be_bytes(
                <[u8; 8]>::try_from(k).unwrap_or_default(),
            ))
        }),
    ))
}

/// Decodes a record that may be sealed. A sealed record whose key was destroyed is
/// `None`: the person was erased and only the ciphertext is left.
pub fn decode_sealed<T: DeserializeOwned>(
    vault: &Vault,
    what: &str,
    bytes: &[u8],
) -> Result<Option<T>> {
    match bytes.first() {
        Some(&f) if envelope::is_sealed(f) => match vault::open_sealed(vault, what, bytes)? {
            Some(body) => envelope::decode_body(what, f, &body).map(Some),
            None => Ok(None),
        },
        _ => decode(what, bytes).map(Some),
    }
}

/// Typed access to one tree.
pub struct Table<T> {
    tree: Tree,
    /// The trees of `T::LINKS`, in that order.
    links: Vec<Tree>,
    vault: Arc<Vault>,
    _record: PhantomData<fn() -> T>,
}

impl<T: Record> Table<T> {
    fn from_trees(all: &[Tree], vault: &Arc<Vault>) -> Table<T> {
        Table {
            tree: all[T::TREE as usize].clone(),
            links: T::LINKS
                .iter()
                .map(|l| all[l.tree as usize].clone())
                .collect(),
            vault: vault.clone(),
            _record: PhantomData,
        }
    }

    /// The records belonging to `parent`: through the first of `T::LINKS`.
    pub fn children(&self, parent: Id) -> Result<Vec<T>> {
        match T::LINKS.first() {
            Some(link) => self.linked(link.tree, parent),
            None => Ok(Vec::new()),
        }
    }

    /// The records filed under `id` in the index `tree` (one of `T::LINKS`).
    pub fn linked(&self, tree: TreeName, id: Id) -> Result<Vec<T>> {
        let Some(index) = T::LINKS
            .iter()
            .position(|l| l.tree == tree)
            .map(|i| &self.links[i])
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for key in index.scan_prefix(id.to_key()).keys() {
            let key = key?;
            if let Some(id) = key.get(8..).and_then(Id::from_key) {
                out.extend(self.get(id)?);
            }
        }
        Ok(out)
    }

    /// Fills the indexes of `T::LINKS` that a store written before them lacks.
    fn build_indexes(&self) -> Result<()> {
        if self.tree.is_empty() {
            return Ok(());
        }
        for (link, index) in T::LINKS.iter().zip(&self.links) {
            if !index.is_empty() {
                continue;
            }
            let mut batch = sled::Batch::default();
            for r in self.iter() {
                let r = r?;
                batch.insert(child_key((link.of)(&r), r.id()), Vec::new());
            }
            index.apply_batch(batch)?;
        }
        Ok(())
    }

    /// The record, if stored and readable; an erased person's leftover ciphertext
    /// reads as absent.
    pub fn get(&self, id: Id) -> Result<Option<T>> {
        match self.tree.get(id.to_key())? {
            Some(bytes) => decode_sealed(&self.vault, T::TREE.name(), &bytes),
            None => Ok(None),
        }
    }

    /// Like `get`, but a missing record is `Error::NotFound`.
    pub fn fetch(&self, id: Id) -> Result<T> {
        self.get(id)?.ok_or_else(|| Error::NotFound {
            kind: T::LABEL,
            id: id.to_string(),
        })
    }

    /// Every record, in key order. A record that cannot be decoded is an error, not a gap.
    pub fn iter(&self) -> impl Iterator<Item = Result<T>> + '_ {
        self.tree.iter().values().filter_map(|v| match v {
            Ok(bytes) => decode_sealed(&self.vault, T::TREE.name(), &bytes).transpose(),
            Err(e) => Some(Err(e.into())),
        })
    }

    /// Whether a record is stored under `id`, readable or not.
    #[cfg(test)]
    pub fn contains(&self, id: Id) -> Result<bool> {
        Ok(self.tree.contains_key(id.to_key())?)
    }

    /// Every record satisfying `keep`, in key order; a record that cannot be decoded
    /// is an error.
    pub fn select(&self, mut keep: impl FnMut(&T) -> bool) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for r in self.iter() {
            let r = r?;
            if keep(&r) {
                out.push(r);
            }
        }
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }
}

pub struct Store {
    db: sled::Db,
    vault: Arc<Vault>,
    pub workers: Table<Worker>,
    pub requests: Table<Request>,
    pub organisations: Table<Organisation>,
    pub operators: Table<Operator>,
    pub proposals: Table<Proposal>,
    pub follow_ups: Table<FollowUp>,
    pub contacts: Table<Contact>,
    codes: Tree,
    audit: Tree,
    changes: Tree,
    meta: Tree,
    /// All trees in `TreeName::ALL` order, for transactions.
    all: Vec<Tree>,
}

/// sled's settings for a store directory, the same at every open (sled refuses a
/// changed segment size).
fn sled_config(dir: &Path) -> sled::Config {
    sled::Config::new()
        .path(dir)
        .mode(sled::Mode::HighThroughput)
}

/// Opens (or creates) the sled database in `dir`. sled releases its file lock from a
/// background thread after the last handle is dropped: a reopen in the same process
/// (a restart, or compaction's own reopen) can race it for a moment.
pub(crate) fn open_db(dir: &Path) -> Result<sled::Db> {
    let config = sled_config(dir);
    let mut tries = 0;
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            // sled reports a held lock only in its message: read it here, once.
            Err(e) if e.to_string().contains("could not acquire lock") => {
                if tries == 30 {
                    return Err(Error::StoreInUse {
                        path: dir.display().to_string(),
                    });
                }
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Write sets at least this long are sealed on the rayon pool (a bulk import's
/// chunks); a single edit is sealed where it is.
const PARALLEL_SEAL: usize = 64;

/// Records per chunk of a bulk write: each is encoded on the pool, then written in one
/// transaction.
const BULK_CHUNK: usize = 1000;

/// One op of a write set with its key taken, ready to seal.
enum Prepared<'a> {
    Plain(&'a [u8]),
    Seal(Id, u32, vault::Key, &'a [u8]),
    /// A record sealed under an owner who has no key: stored packed, in the clear.
    Unsealed(&'a [u8]),
    Remove,
}

impl Prepared<'_> {
    /// The bytes to store (`None`: remove the key).
    fn bytes(self) -> Result<Option<Vec<u8>>> {
        Ok(match self {
            Prepared::Plain(bytes) => Some(bytes.to_vec()),
            Prepared::Seal(id, gen, key, body) => Some(vault::seal(id, gen, &key, body)?),
            Prepared::Unsealed(body) => {
                let mut plain = Vec::with_capacity(body.len() + 1);
                plain.push(envelope::PACKED);
                plain.extend_from_slice(body);
                Some(plain)
            }
            Prepared::Remove => None,
        })
    }
}

/// What must happen to the vault once a write set is durable.
#[derive(Default)]
struct AfterFlush {
    rekeyed: Vec<Id>,
    erased: bool,
    /// People's records written over a stored one (sled's previous value, which the
    /// transaction reads anyway): usually none, as new records get new random ids.
    replaced: Vec<Id>,
}

/// What a bulk write did.
#[derive(Debug)]
pub struct BulkWrite {
    /// The sequence number of its last change.
    pub seq: u64,
    /// The records it wrote over a stored record of the same id, whose older copy the
    /// index must drop; every other record was new to the store.
    pub replaced: Vec<Id>,
}

impl Store {
    /// Opens (or creates) the store in `dir` with its keys in the file `keys`. A folder
    /// that is not a readable sled store, or sealed records whose key file is missing,
    /// is an error; nothing is emptied or recreated behind the operator's back.
    pub fn open(dir: &Path, keys: &Path) -> Result<Store> {
        compact::recover(dir)?;
        let existed = keys.exists();
        let (db, vault) = if existed {
            // Reading the key file (a checksum per slot) and sled's recovery are both
            // start-up's critical path: side by side. A missing key file is created only
            // once sled has opened, as before.
            std::thread::scope(|s| {
                let vault = s.spawn(|| Vault::open(keys, false));
                let db = open_db(dir);
                let vault = vault
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                (db, vault)
            })
        } else {
            let db = open_db(dir)?;
            (Ok(db), Vault::open(keys, true))
        };
        let store = Self::from_db(db?, vault?)?;
        if !existed && store.holds_sealed()? {
            std::fs::remove_file(keys)?;
            return Err(Error::Corrupt {
                what: "chiavi".into(),
                detail: format!(
                    "l'archivio contiene schede cifrate ma il file delle chiavi {} manca",
                    keys.display()
                ),
            });
        }
        // sled "recovers" a damaged log by dropping what it cannot read, which can leave
        // an empty store; keys without any record mean exactly that.
        if store.seq()? == 0 && !store.vault.is_empty() {
            return Err(Error::Corrupt {
                what: "archivio".into(),
                detail: format!(
                    "l'archivio in {} risulta vuoto ma il file delle chiavi contiene {} chiavi: \
                     archivio danneggiato o sostituito, ripristinare da una copia di sicurezza",
                    dir.display(),
                    store.vault.len()
                ),
            });
        }
        store.finish_erasures()?;
        migrate::run(&store)?;
        Ok(store)
    }

    /// A throw-away store for tests and benchmarks.
    pub fn temporary() -> Result<Store> {
        Self::from_db(
            sled::Config::new().temporary(true).open()?,
            Vault::in_memory(),
        )
    }

    fn from_db(db: sled::Db, vault: Vault) -> Result<Store> {
        let vault = Arc::new(vault);
        let all = TreeName::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<std::result::Result<Vec<Tree>, sled::Error>>()?;
        let tree = |t: TreeName| all[t as usize].clone();
        let store = Store {
            workers: Table::from_trees(&all, &vault),
            requests: Table::from_trees(&all, &vault),
            organisations: Table::from_trees(&all, &vault),
            operators: Table::from_trees(&all, &vault),
            proposals: Table::from_trees(&all, &vault),
            follow_ups: Table::from_trees(&all, &vault),
            contacts: Table::from_trees(&all, &vault),
            codes: tree(TreeName::OutcomeCodes),
            audit: tree(TreeName::Audit),
            changes: tree(TreeName::Changes),
            meta: tree(TreeName::Meta),
            all,
            db,
            vault,
        };
        store.proposals.build_indexes()?;
        store.follow_ups.build_indexes()?;
        Ok(store)
    }

    fn holds_sealed(&self) -> Result<bool> {
        for t in [&self.workers.tree, &self.requests.tree] {
            if let Some((_, v)) = t.first()? {
                if v.first().is_some_and(|&f| envelope::is_sealed(f)) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// A crash between destroying a person's key and removing their record leaves
    /// unreadable ciphertext behind: remove it (logging the change, so the index
    /// follows) and free the key slots.
    fn finish_erasures(&self) -> Result<()> {
        let shredded = self.vault.shredded();
        if shredded.is_empty() {
            return Ok(());
        }
        let mut ws = WriteSet::new();
        for s in &shredded {
            for (kind, tree) in [(Kind::Worker, Worker::TREE), (Kind::Request, Request::TREE)] {
                let slot = tree as usize;
                let Some(bytes) = self.all[slot].get(s.id.to_key())? else {
                    continue;
                };
                if vault::sealed_header(&bytes) == Some((s.id, s.gen)) {
                    ws.ops.push((slot, s.id.to_key().to_vec(), Value::Remove));
                    ws.logged.push((kind, s.id));
                }
            }
        }
        if !ws.is_empty() {
            self.apply(&ws)?;
        }
        self.vault.release_shredded()?;
        self.vault.sync()
    }

    /// Applies a write set in one transaction and flushes: durable on return. Logged
    /// records get consecutive sequence numbers; returns the last (or the current
    /// sequence number when nothing was logged).
    pub fn apply(&self, ws: &WriteSet) -> Result<u64> {
        let (seq, after) = self.apply_unflushed(ws)?;
        self.flush()?;
        self.after_flush(after)?;
        Ok(seq)
    }

    /// Seals people's records, destroys the keys of those erased (synced before the
    /// transaction: a crash after it leaves ciphertext nobody can read, which start-up
    /// removes), then writes everything in one transaction.
    fn apply_unflushed(&self, ws: &WriteSet) -> Result<(u64, AfterFlush)> {
        let mut after = AfterFlush::default();
        // Keys first, one op after another, so slots are taken in the same order
        // whatever the pool does; then the sealing itself, which is the costly part.
        let mut keyed: Vec<Prepared> = Vec::with_capacity(ws.ops.len());
        for (_, _, value) in &ws.ops {
            keyed.push(match value {
                Value::Plain(bytes) => Prepared::Plain(bytes),
                Value::Seal { id, body, rekey } => {
                    let (gen, key) = self.vault.sealing_key(*id, *rekey)?;
                    if *rekey {
                        after.rekeyed.push(*id);
                    }
                    Prepared::Seal(*id, gen, key, body)
                }
                Value::SealUnder { owner, body } => match self.vault.current_key(*owner)? {
                    Some((gen, key)) => Prepared::Seal(*owner, gen, key, body),
                    None if self.vault.is_shredded(*owner) => {
                        return Err(Error::Conflict(
                            "la persona è stata cancellata: i suoi dati non si registrano più"
                                .into(),
                        ))
                    }
                    None => Prepared::Unsealed(body),
                },
                Value::Remove => Prepared::Remove,
                Value::Erase(id) => {
                    self.vault.shred(*id)?;
                    after.erased = true;
                    Prepared::Remove
                }
            });
        }
        let prepared: Vec<Option<Vec<u8>>> = if keyed.len() >= PARALLEL_SEAL {
            keyed
                .into_par_iter()
                .map(Prepared::bytes)
                .collect::<Result<_>>()?
        } else {
            keyed
                .into_iter()
                .map(Prepared::bytes)
                .collect::<Result<_>>()?
        };
        self.vault.sync()?;
        let changes_slot = TreeName::Changes as usize;
        let meta_slot = TreeName::Meta as usize;
        let (seq, replaced) = self.all.as_slice().transaction(|trees| {
            let meta = &trees[meta_slot];
            let mut seq = meta
                .get(SEQ_KEY)?
                .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
                .map_or(0, u64::from_be_bytes);
            // Filled afresh by each attempt (sled reruns the closure on a conflict).
            let mut replaced = Vec::new();
            for ((slot, key, op), value) in ws.ops.iter().zip(&prepared) {
                let old = match value {
                    Some(v) => trees[*slot].insert(key.as_slice(), v.as_slice())?,
                    None => trees[*slot].remove(key.as_slice())?,
                };
                if let (Some(_), Value::Seal { id, .. }) = (old, op) {
                    replaced.push(*id);
                }
            }
            // One log entry per run of records of one kind (a bulk chunk is one run):
            // keyed by the run's first sequence number, the ids following in order.
            for run in ws.logged.chunk_by(|a, b| a.0 == b.0) {
                let entry = log_entry(run[0].0, run.iter().map(|(_, id)| *id));
                trees[changes_slot].insert(&(seq + 1).to_be_bytes(), entry)?;
                seq += run.len() as u64;
            }
            meta.insert(SEQ_KEY, &seq.to_be_bytes())?;
            Ok::<_, ConflictableTransactionError<Error>>((seq, replaced))
        })?;
        after.replaced = replaced;
        Ok((seq, after))
    }

    /// Once the new copies are durable, old keys of re-keyed records are destroyed and
    /// the slots of erased ones freed.
    fn after_flush(&self, after: AfterFlush) -> Result<()> {
        for id in &after.rekeyed {
            self.vault.shred_older(*id)?;
        }
        if after.erased || !after.rekeyed.is_empty() {
            self.vault.release_shredded()?;
            self.vault.sync()?;
        }
        Ok(())
    }

    /// Every raw record of every tree, tree by tree (people's records stay sealed).
    pub fn for_each_raw(&self, mut f: impl FnMut(&str, &[u8], &[u8]) -> Result<()>) -> Result<()> {
        for (name, tree) in TreeName::ALL.iter().zip(&self.all) {
            for item in tree.iter() {
                let (k, v) = item?;
                f(name.name(), &k, &v)?;
            }
        }
        Ok(())
    }

    /// Writes raw records into tree `name` (a restore); flushed by the caller.
    pub fn load_raw(&self, name: &str, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<()> {
        let Some(slot) = TreeName::from_name(name).map(|t| t as usize) else {
            return Err(Error::Corrupt {
                what: "copia di sicurezza".into(),
                detail: format!("raccolta sconosciuta \"{name}\""),
            });
        };
        let mut batch = sled::Batch::default();
        for (k, v) in entries {
            batch.insert(k, v);
        }
        self.all[slot].apply_batch(batch)?;
        migrate::forget(self)
    }

    /// Whether nothing at all is stored (a restore only writes into such a store).
    pub fn is_blank(&self) -> bool {
        // A new store holds nothing but the record of its own format.
        let meta_blank = self.meta.len() <= 1 && self.seq().is_ok_and(|seq| seq == 0);
        TreeName::ALL
            .iter()
            .zip(&self.all)
            .all(|(name, t)| *name == TreeName::Meta || t.is_empty())
            && meta_blank
            && self.vault.is_empty()
    }

    /// The key file's live keys, for a backup.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The proposal an outcome code belongs to.
    pub fn proposal_for_code(&self, code: &str) -> Result<Option<Id>> {
        Ok(self
            .codes
            .get(code.as_bytes())?
            .and_then(|v| Id::from_key(&v)))
    }

    /// Appends to the audit log outside any other change (reads). Not flushed here:
    /// sled's periodic flush and the next write make it durable within half a second.
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.audit.insert(audit_key(entry.at), encode(entry)?)?;
        Ok(())
    }

    /// Appends an entry to the refusals register under a key that sorts by `day` (the
    /// random tail keeps two refusals of a day apart), flushed: the register is a count
    /// the protocol relies on.
    pub fn append_refusal(&self, day: crate::date::Date, value: &[u8]) -> Result<()> {
        let mut key = day_key(day).to_vec();
        key.extend_from_slice(&Id::random().to_key());
        self.all[TreeName::Refusals as usize].insert(key, value)?;
        self.flush()
    }

    /// The refusals register's entries of the days in `from..until`, oldest first.
    pub fn refusals_between(
        &self,
        from: crate::date::Date,
        until: crate::date::Date,
    ) -> Result<Vec<Vec<u8>>> {
        self.all[TreeName::Refusals as usize]
            .range(day_key(from)..day_key(until))
            .values()
            .map(|v| Ok(v?.to_vec()))
            .collect()
    }

    /// The audit entries about one record, oldest first.
    pub fn audit_of(&self, record: Id) -> Result<Vec<AuditEntry>> {
        self.audit_where(|e| e.record_id == record)
    }

    /// The audit entries satisfying `keep`, oldest first.
    pub fn audit_where(&self, keep: impl Fn(&AuditEntry) -> bool) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        for v in self.audit.iter().values() {
            let e: AuditEntry = decode("audit", &v?)?;
            if keep(&e) {
                out.push(e);
            }
        }
        Ok(out)
    }

    #[cfg(test)]
    /// Writes or replaces a worker card and logs the change. Durable on return.
    pub fn put_worker(&self, w: &Worker) -> Result<u64> {
        self.apply(WriteSet::new().put(w)?)
    }

    #[cfg(test)]
    /// Removes a worker card and logs the change. Durable on return.
    pub fn delete_worker(&self, id: Id) -> Result<u64> {
        self.apply(WriteSet::new().delete::<Worker>(id))
    }

    /// Writes many records with one flush at the end: bulk import, where nothing is
    /// acknowledged before the whole batch is durable. A chunk is encoded (MessagePack,
    /// compression) on the rayon pool while the one before it is written, one
    /// transaction a chunk, in order.
    pub fn put_bulk<T: Record + Sync>(&self, records: &[T]) -> Result<BulkWrite> {
        let mut done = BulkWrite {
            seq: self.seq()?,
            replaced: Vec::new(),
        };
        let mut wrote = |(seq, after): (u64, AfterFlush)| {
            done.seq = seq;
            done.replaced.extend(after.replaced);
        };
        let mut pending: Option<WriteSet> = None;
        for chunk in records.chunks(BULK_CHUNK) {
            let (written, next) = rayon::join(
                || {
                    pending
                        .as_ref()
                        .map(|ws| self.apply_unflushed(ws))
                        .transpose()
                },
                || WriteSet::of_records(chunk, BULK_CHUNK / 8),
            );
            if let Some(w) = written? {
                wrote(w);
            }
            pending = Some(next?);
        }
        if let Some(ws) = &pending {
            wrote(self.apply_unflushed(ws)?);
        }
        self.flush()?;
        Ok(done)
    }

    #[cfg(test)]
    /// Writes a record that the index does not mirror. Durable on return.
    pub fn put<T: Record>(&self, value: &T) -> Result<()> {
        self.apply(WriteSet::new().put(value)?).map(|_| ())
    }

    /// The sequence number of the last logged change (0 for an empty store).
    pub fn seq(&self) -> Result<u64> {
        Ok(self
            .meta
            .get(SEQ_KEY)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// The oldest change still in the log, if any.
    pub fn first_change_seq(&self) -> Result<Option<u64>> {
        Ok(self
            .changes
            .first()?
            .and_then(|(k, _)| <[u8; 8]>::try_from(k.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Changes after `seq`, oldest first.
    pub fn changes_since(&self, seq: u64) -> Result<Vec<LoggedChange>> {
        // The entry holding `seq + 1` may begin before it.
        let from = match self.changes.range(..=(seq + 1).to_be_bytes()).next_back() {
            Some(item) => item?.0.to_vec(),
            None => (seq + 1).to_be_bytes().to_vec(),
        };
        let mut out = Vec::new();
        for item in self.changes.range(from..) {
            let (k, v) = item?;
            let (first, kind, ids) = read_log_entry(&k, &v)?;
            for (i, id) in ids.enumerate() {
                let s = first + i as u64;
                if s > seq {
                    out.push(LoggedChange { seq: s, kind, id });
                }
            }
        }
        Ok(out)
    }

    /// Forgets changes up to `seq` once the index has committed them: every entry whose
    /// last change is at or before it (one that runs past it stays whole).
    pub fn prune_changes(&self, upto: u64) -> Result<()> {
        let mut batch = sled::Batch::default();
        for item in self.changes.range(..=upto.to_be_bytes()) {
            let (k, v) = item?;
            let (first, _, ids) = read_log_entry(&k, &v)?;
            if first + ids.len() as u64 - 1 <= upto {
                batch.remove(k);
            }
        }
        self.changes.apply_batch(batch)?;
        Ok(())
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Heap bytes of the vault's lookups, for the memory benchmark.
    pub fn key_bytes(&self) -> usize {
        self.vault.heap_bytes()
    }

    /// Bytes the store occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }
}

#[cfg(test)]
pub(crate) mod tests;
