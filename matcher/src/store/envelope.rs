//! The envelope of every stored record: one format byte, then the body. It says how the
//! body is encoded (JSON before store format 2; since, MessagePack compressed with zstd
//! and a built-in dictionary) and whether it is sealed, so records of both formats
//! decode while a migration is under way.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// Store format 1's plain record: JSON.
pub const JSON: u8 = 1;
/// Store format 1's sealed record: the vault's header, then sealed JSON.
pub const SEALED_JSON: u8 = 2;
/// A plain record: compressed MessagePack with field names.
pub const PACKED: u8 = 3;
/// A sealed record: the vault's header, then sealed compressed MessagePack.
pub const SEALED_PACKED: u8 = 4;

/// What every record shares (field names, vocabularies, the shapes of ids and dates),
/// trained by `cargo run -p matcher --example store_dictionary`. Part of the format: a
/// body compressed with it needs it forever, so a new dictionary means a new format byte.
static DICTIONARY: &[u8] = include_bytes!("records.dict");
/// zstd's default level: higher ones gain a few bytes a record for several times the time.
const LEVEL: i32 = 3;
/// A body claiming to be larger than this once decompressed is corrupt (records are a
/// few kB): never allocate what a damaged length asks for.
const MAX_BODY: u64 = 16 << 20;
/// The id zstd gave the dictionary when it was trained.
#[cfg(test)]
const DICTIONARY_ID: u32 = 513_309_143;

thread_local! {
    // One context per thread, each with the dictionary loaded once.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { RefCell::new(None) };
}

fn compress(raw: &[u8]) -> Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let compressor = match &mut *cell {
            Some(c) => c,
            empty => empty.insert(
                zstd::bulk::Compressor::with_dictionary(LEVEL, DICTIONARY)
                    .map_err(|e| serialisation(e.to_string()))?,
            ),
        };
        compressor
            .compress(raw)
            .map_err(|e| serialisation(e.to_string()))
    })
}

fn decompress(what: &str, body: &[u8]) -> Result<Vec<u8>> {
    let corrupt = |detail: String| Error::Corrupt {
        what: what.to_string(),
        detail,
    };
    let size = match zstd::zstd_safe::get_frame_content_size(body) {
        Ok(Some(size)) if size <= MAX_BODY => size as usize,
        _ => return Err(corrupt("corpo compresso malformato".into())),
    };
    DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let decompressor = match &mut *cell {
            Some(d) => d,
            empty => empty.insert(
                zstd::bulk::Decompressor::with_dictionary(DICTIONARY)
                    .map_err(|e| corrupt(e.to_string()))?,
            ),
        };
        decompressor
            .decompress(body, size)
            .map_err(|e| corrupt(e.to_string()))
    })
}

fn serialisation(detail: String) -> Error {
    Error::Corrupt {
        what: "serializzazione".into(),
        detail,
    }
}

/// Whether a record with this format byte is sealed under a vault key.
pub fn is_sealed(format: u8) -> bool {
    format == SEALED_JSON || format == SEALED_PACKED
}

/// Whether a record with this format byte was written by store format 1.
#[cfg(test)]
pub fn is_legacy(format: u8) -> bool {
    format == JSON || format == SEALED_JSON
}

/// The body of a record: MessagePack with field names, not positions. Field names cost
/// bytes, but they keep what JSON tolerated: `skip_serializing_if`, fields added later
/// with `#[serde(default)]`, and records written before a field existed.
pub fn pack<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let raw = rmp_serde::to_vec_named(value).map_err(|e| serialisation(e.to_string()))?;
    compress(&raw)
}

/// A plain record: format byte and body.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = vec![PACKED];
    out.extend_from_slice(&pack(value)?);
    Ok(out)
}

/// Decodes a body written in `format` (sealed or not: the body only).
pub fn decode_body<T: DeserializeOwned>(what: &str, format: u8, body: &[u8]) -> Result<T> {
    let corrupt = |detail: String| Error::Corrupt {
        what: what.to_string(),
        detail,
    };
    match format {
        JSON | SEALED_JSON => serde_json::from_slice(body).map_err(|e| corrupt(e.to_string())),
        PACKED | SEALED_PACKED => {
            rmp_serde::from_slice(&decompress(what, body)?).map_err(|e| corrupt(e.to_string()))
        }
        v => Err(corrupt(format!(
            "formato {v} sconosciuto (archivio di una versione più recente di DOM?)"
        ))),
    }
}

/// Decodes a plain record (either format).
pub fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&f, body)) if !is_sealed(f) => decode_body(what, f, body),
        Some(_) => Err(Error::Corrupt {
            what: what.to_string(),
            detail: "record cifrato letto come in chiaro".into(),
        }),
        None => Err(Error::Corrupt {
            what: what.to_string(),
            detail: "record vuoto".into(),
        }),
    }
}

/// Store format 1's plain record, for tests that write what an older DOM wrote.
#[cfg(test)]
pub fn encode_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![JSON];
    serde_json::to_writer(&mut out, value).expect("JSON");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_compressed_with_the_dictionary_of_format_2() {
        // The dictionary is part of the format: replacing it would make every stored
        // body unreadable.
        let id = zstd::zstd_safe::get_dict_id_from_dict(DICTIONARY).map(|id| id.get());
        assert_eq!(id, Some(DICTIONARY_ID));
        let mut synth = crate::synth::Synth::new(3, crate::fixtures::reference_date());
        let workers = synth.workers(500);
        let json: usize = workers
            .iter()
            .map(|w| serde_json::to_vec(w).unwrap().len())
            .sum();
        let packed: Vec<Vec<u8>> = workers.iter().map(|w| pack(w).unwrap()).collect();
        let size: usize = packed.iter().map(Vec::len).sum();
        // Notes are free text the dictionary does not hold; structure compresses well.
        assert!(size * 2 < json, "{size} B packed against {json} B of JSON");
        for (w, p) in workers.iter().zip(&packed) {
            assert_eq!(
                &decode_body::<crate::model::Worker>("t", PACKED, p).unwrap(),
                w
            );
        }
    }

    #[test]
    fn damaged_bodies_are_errors_not_allocations() {
        let body = pack(&"una nota").unwrap();
        assert_eq!(
            decode_body::<String>("t", PACKED, &body).unwrap(),
            "una nota"
        );
        for bad in [
            &b""[..],
            &body[..body.len() / 2],
            &[0x28, 0xb5, 0x2f, 0xfd, 0xff][..],
        ] {
            assert!(matches!(
                decode_body::<String>("t", PACKED, bad),
                Err(Error::Corrupt { .. })
            ));
        }
        // Uncompressed MessagePack is not a format-2 body.
        let raw = rmp_serde::to_vec_named(&"una nota").unwrap();
        assert!(decode_body::<String>("t", PACKED, &raw).is_err());
    }
}
