//! Compaction: a stopped store rewritten, tree by tree in key order, into a fresh sled
//! directory that is then swapped in, so sled's log holds one copy of each record (a bulk
//! import leaves many) and the next open reads sled's snapshot instead of replaying it.
//!
//! Crash safety: the old directory stays authoritative until the copy is complete and
//! renamed `<store>.new`; `recover`, run by every open, finishes a swap that a crash
//! interrupted, or drops a copy that was never completed.

use std::path::{Path, PathBuf};

use super::open_db;
use crate::error::Result;

/// Entries written to the new store per sled batch.
const BATCH: usize = 10_000;

/// What a compaction did: bytes on disk before and after, entries copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub entries: u64,
}

/// `<store>.<suffix>` beside the store directory.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    dir.with_file_name(name)
}

/// Where a copy is built; incomplete while it has this name.
fn building(dir: &Path) -> PathBuf {
    sibling(dir, "compacting")
}

/// A complete copy waiting to be swapped in.
fn complete(dir: &Path) -> PathBuf {
    sibling(dir, "new")
}

/// The replaced store, until it is removed.
fn replaced(dir: &Path) -> PathBuf {
    sibling(dir, "old")
}

/// Makes renames inside the folder holding `dir` durable.
fn sync_parent(dir: &Path) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(parent)?.sync_all()?;
    Ok(())
}

/// Finishes or discards a compaction a crash interrupted, leaving exactly one store in
/// `dir`. A complete copy holds everything the old store held (nothing writes to a store
/// being compacted: it is held open until the swap), so either may become the store.
pub fn recover(dir: &Path) -> Result<()> {
    let building = building(dir);
    if building.exists() {
        std::fs::remove_dir_all(&building)?;
    }
    let (complete, replaced) = (complete(dir), replaced(dir));
    if complete.exists() {
        if dir.exists() {
            std::fs::rename(dir, &replaced)?;
        }
        std::fs::rename(&complete, dir)?;
        sync_parent(dir)?;
    } else if replaced.exists() && !dir.exists() {
        // Not a state compaction leaves (the copy is renamed in before the old store is
        // removed); put the old store back rather than start an empty one.
        std::fs::rename(&replaced, dir)?;
        sync_parent(dir)?;
    }
    if replaced.exists() {
        std::fs::remove_dir_all(&replaced)?;
    }
    Ok(())
}

/// Copies every tree of `old` into a new sled directory, then opens it once so sled
/// writes its snapshot, and renames it `<dir>.new`: complete and durable on return.
fn build_copy(dir: &Path, old: &sled::Db) -> Result<(u64, u64)> {
    let building = building(dir);
    if building.exists() {
        std::fs::remove_dir_all(&building)?;
    }
    let mut entries = 0;
    {
        let new = open_db(&building)?;
        for name in old.tree_names() {
            let (src, dst) = (old.open_tree(&name)?, new.open_tree(&name)?);
            let mut batch = sled::Batch::default();
            let mut pending = 0;
            for item in src.iter() {
                let (k, v) = item?;
                batch.insert(k, v);
                pending += 1;
                if pending == BATCH {
                    dst.apply_batch(std::mem::take(&mut batch))?;
                    entries += pending as u64;
                    pending = 0;
                }
            }
            dst.apply_batch(batch)?;
            entries += pending as u64;
        }
        new.flush()?;
    }
    // sled writes its snapshot only while recovering at open: without this, the first
    // real open would replay the whole new log.
    let bytes_after = {
        let new = open_db(&building)?;
        new.flush()?;
        new.size_on_disk()?
    };
    // The copy's own files must be durable before its name says it is complete.
    std::fs::File::open(&building)?.sync_all()?;
    std::fs::rename(&building, complete(dir))?;
    sync_parent(dir)?;
    Ok((entries, bytes_after))
}

/// Compacts the stopped store in `dir` (see the module doc).
pub fn compact(dir: &Path) -> Result<Compaction> {
    recover(dir)?;
    let old = open_db(dir)?;
    let bytes_before = old.size_on_disk()?;
    let (entries, bytes_after) = build_copy(dir, &old)?;
    // Swap while the old store is still held open, so no other process opens and writes
    // it in between.
    let (complete, replaced) = (complete(dir), replaced(dir));
    std::fs::rename(dir, &replaced)?;
    std::fs::rename(&complete, dir)?;
    sync_parent(dir)?;
    drop(old);
    std::fs::remove_dir_all(&replaced)?;
    Ok(Compaction {
        bytes_before,
        bytes_after,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, WriteSet};

    /// A store with workers (sealed, logged), some rewritten and one erased, closed.
    fn filled(dir: &Path, keys: &Path) -> Vec<(String, Vec<u8>, Vec<u8>)> {
        let store = Store::open(dir, keys).unwrap();
        let today = crate::fixtures::reference_date();
        let workers = crate::synth::Synth::new(3, today).workers(300);
        store.put_bulk(&workers).unwrap();
        for w in workers.iter().step_by(5) {
            let mut w = w.clone();
            w.notes = "Riscritta più volte.".into();
            store.apply(WriteSet::new().put(&w).unwrap()).unwrap();
        }
        store.delete_worker(workers[1].id).unwrap();
        raw(&store)
    }

    fn raw(store: &Store) -> Vec<(String, Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        store
            .for_each_raw(|t, k, v| {
                out.push((t.to_string(), k.to_vec(), v.to_vec()));
                Ok(())
            })
            .unwrap();
        out
    }

    fn reopened(dir: &Path, keys: &Path) -> Vec<(String, Vec<u8>, Vec<u8>)> {
        let store = Store::open(dir, keys).unwrap();
        let r = raw(&store);
        assert_eq!(store.workers.len(), 299, "every readable card is back");
        r
    }

    #[test]
    fn compaction_keeps_every_entry_and_shrinks_the_log() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, keys) = (tmp.path().join("store"), tmp.path().join("keys"));
        let before = filled(&dir, &keys);
        let c = compact(&dir).unwrap();
        assert_eq!(c.entries as usize, before.len());
        assert!(c.bytes_after <= c.bytes_before, "{c:?}");
        assert_eq!(reopened(&dir, &keys), before);
        for leftover in [building(&dir), complete(&dir), replaced(&dir)] {
            assert!(!leftover.exists(), "{}", leftover.display());
        }
    }

    #[test]
    fn an_interrupted_compaction_leaves_one_whole_store_at_every_step() {
        // Each state a crash can leave, rebuilt by hand: open finishes or discards it.
        for step in ["copying", "copied", "old moved away", "new moved in"] {
            let tmp = tempfile::tempdir().unwrap();
            let (dir, keys) = (tmp.path().join("store"), tmp.path().join("keys"));
            let before = filled(&dir, &keys);
            let old = open_db(&dir).unwrap();
            build_copy(&dir, &old).unwrap();
            drop(old);
            match step {
                "copying" => std::fs::rename(complete(&dir), building(&dir)).unwrap(),
                "copied" => {}
                "old moved away" => std::fs::rename(&dir, replaced(&dir)).unwrap(),
                _ => {
                    std::fs::rename(&dir, replaced(&dir)).unwrap();
                    std::fs::rename(complete(&dir), &dir).unwrap();
                }
            }
            assert_eq!(reopened(&dir, &keys), before, "{step}");
            for leftover in [building(&dir), complete(&dir), replaced(&dir)] {
                assert!(!leftover.exists(), "{step}: {}", leftover.display());
            }
        }
    }
}
