//! Online backup and restore. A backup is one file holding every tree's raw records
//! (people's records stay sealed) and the live keys, with a SHA-256 over the whole;
//! writes wait while it is taken, so it is one consistent moment of the store.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::Id;
use crate::store::Store;

const MAGIC: &[u8; 8] = b"DOMBAK01";
const RECORD: u8 = 1;
const KEY: u8 = 2;
const END: u8 = 0;
/// Records written to sled per batch during a restore.
const BATCH: usize = 10_000;

/// Folders DOM creates hold personal data: only the service's user may enter them.
pub const DIR_MODE: u32 = 0o700;
/// Nor read its files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents with mode 0700 (existing ones are left as
/// they are).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
}

/// A new temporary file in `dir` (mode 0600), named `.<stem>-<random>.partial` and
/// opened with `create_new`: a name planted in advance (a symbolic link to somewhere
/// else) is never followed, and cannot be guessed to be planted.
pub fn private_temp(dir: &Path, stem: &str) -> std::io::Result<(PathBuf, File)> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut last = None;
    for _ in 0..16 {
        let path = dir.join(format!(".{stem}-{:016x}.partial", rand::random::<u64>()));
        match std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("nessun nome temporaneo libero")))
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BackupSummary {
    pub records: u64,
    pub keys: u64,
    pub seq: u64,
}

fn corrupt(detail: impl Into<String>) -> Error {
    Error::Corrupt {
        what: "copia di sicurezza".into(),
        detail: detail.into(),
    }
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Engine {
    /// Writes a backup of the whole store to `out`. Writes wait until it is done.
    pub fn backup(&self, out: impl Write) -> Result<BackupSummary> {
        let _w = self.lock_writes();
        let store = self.store();
        let mut out = Hashing {
            inner: BufWriter::new(out),
            hash: Sha256::new(),
        };
        out.write_all(MAGIC)?;
        let mut summary = BackupSummary {
            records: 0,
            keys: 0,
            seq: store.seq()?,
        };
        store.for_each_raw(|tree, k, v| {
            out.write_all(&[RECORD, tree.len() as u8])?;
            out.write_all(tree.as_bytes())?;
            out.write_all(&(k.len() as u32).to_le_bytes())?;
            out.write_all(k)?;
            out.write_all(&(v.len() as u32).to_le_bytes())?;
            out.write_all(v)?;
            summary.records += 1;
            Ok(())
        })?;
        for (id, gen, key) in store.vault().live_keys()? {
            out.write_all(&[KEY])?;
            out.write_all(&id.0.to_le_bytes())?;
            out.write_all(&gen.to_le_bytes())?;
            out.write_all(&key)?;
            summary.keys += 1;
        }
        out.write_all(&[END])?;
        for n in [summary.records, summary.keys, summary.seq] {
            out.write_all(&n.to_le_bytes())?;
        }
        let digest = out.hash.finalize_reset();
        out.inner.write_all(&digest)?;
        out.inner.flush()?;
        Ok(summary)
    }

    /// Writes a backup into `dir` as `dom-<seq>-<unix time>.dombak`, atomically (a
    /// temporary file, synced, then renamed). Returns the file and what it holds.
    pub fn backup_to_dir(&self, dir: &Path) -> Result<(PathBuf, BackupSummary)> {
        create_private_dir(dir)?;
        let (tmp, file) = private_temp(dir, "dom-backup")?;
        let written = self.backup(&file).and_then(|summary| {
            file.sync_all()?;
            Ok(summary)
        });
        let summary = match written {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        let path = dir.join(backup_name(summary.seq));
        std::fs::rename(&tmp, &path)?;
        File::open(dir)?.sync_all()?;
        Ok((path, summary))
    }
}

pub fn backup_name(seq: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("dom-{now}-{seq:010}.dombak")
}

/// The newest backup file in `dir` (or `path` itself when it is a file).
pub fn latest_in(path: &Path) -> Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "dombak"))
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| corrupt(format!("nessuna copia .dombak in {}", path.display())))
}

struct Reader<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Reader<R> {
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; n];
        self.inner
            .read_exact(&mut buf)
            .map_err(|_| corrupt("file troncato"))?;
        self.hash.update(&buf);
        Ok(buf)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        Ok(u64::from_le_bytes(a))
    }
}

/// One entry of a backup file.
enum Item {
    Record(String, Vec<u8>, Vec<u8>),
    Key(Id, u32, [u8; 32]),
}

/// Reads a whole backup, handing each entry to `f`; fails (having told `f` of entries
/// already read) if it is truncated, malformed or its checksum does not match.
fn read_backup(path: &Path, mut f: impl FnMut(Item) -> Result<()>) -> Result<BackupSummary> {
    let mut r = Reader {
        inner: BufReader::new(File::open(path)?),
        hash: Sha256::new(),
    };
    if r.bytes(MAGIC.len())? != MAGIC {
        return Err(corrupt(format!(
            "{} non è una copia di DOM",
            path.display()
        )));
    }
    loop {
        match r.u8()? {
            RECORD => {
                let n = r.u8()? as usize;
                let tree =
                    String::from_utf8(r.bytes(n)?).map_err(|_| corrupt("nome non valido"))?;
                let kl = r.u32()? as usize;
                let k = r.bytes(kl)?;
                let vl = r.u32()? as usize;
                let v = r.bytes(vl)?;
                f(Item::Record(tree, k, v))?;
            }
            KEY => {
                let id = Id(r.u64()?);
                let gen = r.u32()?;
                let mut key = [0u8; 32];
                key.copy_from_slice(&r.bytes(32)?);
                f(Item::Key(id, gen, key))?;
            }
            END => break,
            other => return Err(corrupt(format!("voce di tipo {other} sconosciuta"))),
        }
    }
    let summary = BackupSummary {
        records: r.u64()?,
        keys: r.u64()?,
        seq: r.u64()?,
    };
    let expected = r.hash.finalize_reset();
    let mut stored = [0u8; 32];
    r.inner
        .read_exact(&mut stored)
        .map_err(|_| corrupt("file troncato"))?;
    if stored[..] != expected[..] {
        return Err(corrupt("checksum errato: il file è danneggiato"));
    }
    Ok(summary)
}

/// Checks a backup file end to end without restoring it.
pub fn verify(path: &Path) -> Result<BackupSummary> {
    let (mut records, mut keys) = (0u64, 0u64);
    let summary = read_backup(path, |item| {
        match item {
            Item::Record(..) => records += 1,
            Item::Key(..) => keys += 1,
        }
        Ok(())
    })?;
    if (records, keys) != (summary.records, summary.keys) {
        return Err(corrupt("conteggi non corrispondenti"));
    }
    Ok(summary)
}

/// Restores a backup into an empty data folder: verifies the whole file first, then
/// writes the store and keys, then opens the engine once so the index and tables are
/// rebuilt and checked against the store.
pub fn restore(path: &Path, data: &Path) -> Result<BackupSummary> {
    let summary = verify(path)?;
    create_private_dir(data)?;
    for derived in ["index", "tables.snap"] {
        if data.join(derived).exists() && !data.join("store").exists() {
            return Err(Error::Conflict(format!(
                "la cartella {} contiene già dati di DOM",
                data.display()
            )));
        }
    }
    {
        let store = Store::open(&data.join("store"), &data.join("keys"))?;
        if !store.is_blank() {
            return Err(Error::Conflict(format!(
                "la cartella {} contiene già un archivio: il ripristino va fatto in una cartella vuota",
                data.display()
            )));
        }
        let mut pending: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut tree = String::new();
        read_backup(path, |item| {
            match item {
                Item::Record(t, k, v) => {
                    if (t != tree || pending.len() >= BATCH) && !pending.is_empty() {
                        store.load_raw(&tree, std::mem::take(&mut pending))?;
                    }
                    tree = t;
                    pending.push((k, v));
                }
                Item::Key(id, gen, key) => store.vault().restore_key(id, gen, key)?,
            }
            Ok(())
        })?;
        if !pending.is_empty() {
            store.load_raw(&tree, pending)?;
        }
        store.vault().sync()?;
        store.flush()?;
    }
    let engine = Engine::open(data)?;
    let report = engine.check()?;
    if !report.is_consistent() {
        return Err(corrupt(report.problems.join("; ")));
    }
    engine.close()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    fn today() -> Date {
        Date::from_ymd(2026, 11, 20).unwrap()
    }

    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn backups_are_private_and_temporary_names_unguessable() {
        let dir = tempfile::tempdir().unwrap();
        let e = Engine::open(&dir.path().join("live")).unwrap();
        let bak = dir.path().join("bak").join("nightly");
        let (file, _) = e.backup_to_dir(&bak).unwrap();
        assert_eq!((mode(&bak), mode(&file)), (DIR_MODE, FILE_MODE));
        assert_eq!(std::fs::read_dir(&bak).unwrap().count(), 1, "no temp left");
        let (a, _) = private_temp(dir.path(), "x").unwrap();
        let (b, _) = private_temp(dir.path(), "x").unwrap();
        assert_ne!(a, b);
        assert_eq!(mode(&a), FILE_MODE);
        let restored = dir.path().join("restored");
        restore(&file, &restored).unwrap();
        assert_eq!(mode(&restored), DIR_MODE);
    }

    #[test]
    fn restore_gives_back_every_record_identically() {
        let dir = tempfile::tempdir().unwrap();
        let e = Engine::open(&dir.path().join("live")).unwrap();
        e.seed_demo(today()).unwrap();
        let (file, summary) = e.backup_to_dir(&dir.path().join("bak")).unwrap();
        assert_eq!(summary.keys as usize, 64 + 16);
        let restored = restore(&file, &dir.path().join("copy")).unwrap();
        assert_eq!(restored, summary);
        let copy = Engine::open(&dir.path().join("copy")).unwrap();
        let all = |e: &Engine| {
            (
                e.store().workers.select(|_| true).unwrap(),
                e.store().requests.select(|_| true).unwrap(),
                e.store().organisations.select(|_| true).unwrap(),
                e.store().operators.select(|_| true).unwrap(),
                e.store().seq().unwrap(),
            )
        };
        assert_eq!(all(&copy), all(&e));
        let r = e.store().requests.iter().next().unwrap().unwrap();
        assert_eq!(
            copy.candidates(r.id, 10, today()).unwrap(),
            e.candidates(r.id, 10, today()).unwrap()
        );
        // Restoring over existing data is refused and changes nothing.
        drop(copy);
        assert!(matches!(
            restore(&file, &dir.path().join("copy")),
            Err(Error::Conflict(_))
        ));
    }

    #[test]
    fn a_damaged_backup_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let e = Engine::temporary().unwrap();
        e.seed_demo(today()).unwrap();
        let (file, _) = e.backup_to_dir(dir.path()).unwrap();
        assert_eq!(latest_in(dir.path()).unwrap(), file);
        let mut bytes = std::fs::read(&file).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x20;
        std::fs::write(&file, &bytes).unwrap();
        let target = dir.path().join("copy");
        assert!(matches!(
            restore(&file, &target),
            Err(Error::Corrupt { .. })
        ));
        assert!(!target.exists());
        bytes.truncate(mid);
        std::fs::write(&file, &bytes).unwrap();
        assert!(matches!(verify(&file), Err(Error::Corrupt { .. })));
    }
}
