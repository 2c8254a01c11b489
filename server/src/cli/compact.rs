//! `dom compact` on a stopped store, and after `dom import` of many cards: the store
//! rewritten into a fresh sled directory (one copy of each record) and swapped in.

use super::*;

/// Imports of at least this many records are followed by a compaction: a bulk import
/// leaves sled's log several times the size of its records; a desk's sheet of a few
/// hundred rows is not worth rewriting the store for.
pub(super) const AFTER_IMPORT: usize = 10_000;

pub(super) fn compact(data: &Path) -> Result {
    must_exist(data)?;
    maintenance::restrict(data)?;
    let c = Engine::compact(data).map_err(|e| open_error(data, &e))?;
    let mb = |b: u64| italian::number(b as f64 / 1e6, 1);
    say!(
        "archivio compattato: {} MB → {} MB ({} voci)",
        mb(c.bytes_before),
        mb(c.bytes_after),
        italian::number(c.entries as f64, 0)
    )?;
    Ok(())
}
