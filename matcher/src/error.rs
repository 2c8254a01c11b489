//! The one error type of the matching core. Messages meant for desk operators are in
//! Italian; the server maps each variant to an HTTP status exactly once.

use crate::comuni::ComuneMatch;
use crate::model::DuplicateMatch;
use crate::rank::Constraint;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One hard constraint a worker fails for a request, as the API shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExcludedBy {
    pub constraint: Constraint,
    pub detail: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input field is missing, malformed or out of range. `field` is a JSON path
    /// such as `languages[1].level`.
    #[error("{message}")]
    Invalid { field: String, message: String },

    /// The input asks to select workers by a protected ground (D.Lgs. 276/2003 art. 10
    /// and the law of each ground); nothing is stored. `words` triggered it, `message`
    /// names the law in one sentence, `suggestion` is a lawful rewording in Italian.
    #[error("{message}")]
    Discriminatory {
        field: String,
        ground: crate::guard::Ground,
        words: Vec<String>,
        suggestion: String,
        message: String,
    },

    /// A comune name that matches no comune, or several equally well.
    #[error("comune non riconosciuto: \"{query}\"")]
    UnknownComune {
        field: String,
        query: String,
        suggestions: Vec<ComuneMatch>,
    },

    /// A worker being registered looks like someone already on file.
    #[error("possibile doppione: la persona sembra già registrata")]
    PossibleDuplicate { duplicates: Vec<DuplicateMatch> },

    /// The record does not exist (or was erased).
    #[error("{kind} non trovato: {id}")]
    NotFound { kind: &'static str, id: String },

    /// The worker fails hard constraints of the request: every one, with its sentence.
    #[error("non proponibile per questa richiesta: {}", .excluded_by.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>().join("; "))]
    NotEligible { excluded_by: Vec<ExcludedBy> },

    /// The change is not allowed in the record's current state.
    #[error("{0}")]
    Conflict(String),

    /// A stored record could not be decoded: the store is damaged or from a newer DOM.
    /// Never answered by silently dropping the record.
    #[error("record illeggibile nell'archivio ({what}): {detail}")]
    Corrupt { what: String, detail: String },

    /// Another process (a running `dom serve`?) holds the store's lock.
    #[error("l'archivio {path} è già in uso da un altro processo (un `dom serve` attivo?)")]
    StoreInUse { path: String },

    /// The sled store failed.
    #[error("errore dell'archivio: {0}")]
    Store(#[from] sled::Error),

    /// The tantivy index failed.
    #[error("errore dell'indice: {0}")]
    Index(#[from] tantivy::TantivyError),

    /// A file could not be read or written.
    #[error("errore di I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The input field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. }
            | Error::Discriminatory { field, .. }
            | Error::UnknownComune { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<sled::transaction::TransactionError<Error>> for Error {
    fn from(e: sled::transaction::TransactionError<Error>) -> Error {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => Error::Store(e),
        }
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for Error {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Error {
        Error::Index(e.into())
    }
}

impl From<tantivy::query::QueryParserError> for Error {
    fn from(e: tantivy::query::QueryParserError) -> Error {
        Error::Index(e.into())
    }
}
