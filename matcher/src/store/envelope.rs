//! The envelope of every stored record: one format byte, then the body. It says how the
//! body is encoded (JSON before store format 2, MessagePack since) and whether it is
//! sealed, so records of both formats decode while a migration is under way.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// Store format 1's plain record: JSON.
pub const JSON: u8 = 1;
/// Store format 1's sealed record: the vault's header, then sealed JSON.
pub const SEALED_JSON: u8 = 2;
/// A plain record: MessagePack with field names.
pub const PACKED: u8 = 3;
/// A sealed record: the vault's header, then sealed MessagePack.
pub const SEALED_PACKED: u8 = 4;

/// Whether a record with this format byte is sealed under a vault key.
pub fn is_sealed(format: u8) -> bool {
    format == SEALED_JSON || format == SEALED_PACKED
}

/// Whether a record with this format byte was written by store format 1.
pub fn is_legacy(format: u8) -> bool {
    format == JSON || format == SEALED_JSON
}

/// The body of a record: MessagePack with field names, not positions. Field names cost
/// bytes, but they keep what JSON tolerated: `skip_serializing_if`, fields added later
/// with `#[serde(default)]`, and records written before a field existed.
pub fn pack<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    rmp_serde::to_vec_named(value).map_err(|e| Error::Corrupt {
        what: "serializzazione".into(),
        detail: e.to_string(),
    })
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
        PACKED | SEALED_PACKED => rmp_serde::from_slice(body).map_err(|e| corrupt(e.to_string())),
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
