//! The server's errors and their one mapping to HTTP: status, contract code, message
//! and field, rendered as `{"error": {...}}`.

use serde::Serialize;
use warp::http::StatusCode;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The matching core refused or failed.
    #[error(transparent)]
    Matcher(#[from] matcher::Error),
    /// No valid bearer token.
    #[error("autenticazione richiesta: token mancante o non valido")]
    Unauthorized,
    /// The token's role or organisation may not do this.
    #[error("operazione non consentita per questo profilo")]
    Forbidden,
    /// No such route or record.
    #[error("risorsa non trovata")]
    NotFound,
    /// The body is larger than the limit.
    #[error("richiesta troppo grande")]
    TooLarge,
    /// Malformed JSON, a wrong type, an unknown field, a bad query parameter.
    #[error("{message}")]
    BadInput {
        field: Option<String>,
        message: String,
    },
    /// Too many requests from this client or for this code.
    #[error("troppi tentativi: riprovare più tardi")]
    TooManyRequests,
    /// The method is not allowed on this path.
    /// With the methods the path does serve, for the `Allow` header, when known.
    #[error("metodo non consentito")]
    MethodNotAllowed(Option<String>),
    /// A task could not be completed (e.g. a blocking task panicked).
    #[error("errore interno")]
    Internal(String),
}

/// The contract's error object, `{"error": {...}}`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "Error")]
pub struct ErrorBody<'a> {
    error: Detail<'a>,
}

#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "ErrorDetail")]
struct Detail<'a> {
    #[schemars(schema_with = "error_codes")]
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestions: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicates: Option<serde_json::Value>,
    /// A discriminatory refusal's protected ground, trigger words and lawful rewording.
    #[serde(skip_serializing_if = "Option::is_none")]
    ground: Option<matcher::guard::Ground>,
    #[serde(skip_serializing_if = "Option::is_none")]
    words: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
    /// Every hard constraint an ineligible worker fails (a refused proposal).
    #[serde(skip_serializing_if = "Option::is_none")]
    excluded_by: Option<&'a [matcher::ExcludedBy]>,
}

/// Every `error.code` the API answers.
pub const ERROR_CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "invalid",
    "discriminatory_criterion",
    "conflict",
    "too_large",
    "too_many_requests",
    "method_not_allowed",
    "internal",
];

fn error_codes(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    serde_json::from_value(serde_json::json!({"type": "string", "enum": ERROR_CODES}))
        .unwrap_or(schemars::schema::Schema::Bool(true))
}

impl ApiError {
    /// What the log may say of a server error: never a record's content, so a damaged
    /// record is named by its kind only (a decoder's message can quote a value).
    pub fn log_line(&self) -> String {
        match self {
            ApiError::Matcher(matcher::Error::Corrupt { what, .. }) => {
                format!("record illeggibile ({what})")
            }
            ApiError::Internal(detail) => format!("errore interno: {detail}"),
            other => other.to_string(),
        }
    }

    /// Status and contract code.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use matcher::Error as M;
        match self {
            ApiError::Matcher(e) => match e {
                M::Invalid { .. } | M::UnknownComune { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
                }
                M::Discriminatory { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "discriminatory_criterion")
                }
                M::PossibleDuplicate { .. } | M::Conflict(_) | M::NotEligible { .. } => {
                    (StatusCode::CONFLICT, "conflict")
                }
                M::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
                M::Corrupt { .. } | M::StoreInUse { .. } | M::Store(_) | M::Index(_) | M::Io(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            },
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::BadInput { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The JSON body of the contract's error shape.
    pub fn to_json(&self) -> serde_json::Value {
        let (status, code) = self.status_and_code();
        let field = match self {
            ApiError::Matcher(e) => e.field(),
            ApiError::BadInput { field, .. } => field.as_deref(),
            _ => None,
        };
        // Internal details go to the log, not to the client.
        let message = if status.is_server_error() {
            "errore interno del servizio: riprovare; se persiste, avvisare l'amministratore"
                .to_string()
        } else {
            self.to_string()
        };
        let (suggestions, duplicates) = match self {
            ApiError::Matcher(matcher::Error::UnknownComune { suggestions, .. }) => {
                (serde_json::to_value(suggestions).ok(), None)
            }
            ApiError::Matcher(matcher::Error::PossibleDuplicate { duplicates }) => {
                (None, serde_json::to_value(duplicates).ok())
            }
            _ => (None, None),
        };
        let (ground, words, suggestion) = match self {
            ApiError::Matcher(matcher::Error::Discriminatory {
                ground,
                words,
                suggestion,
                ..
            }) => (
                Some(*ground),
                Some(words.as_slice()),
                Some(suggestion.as_str()),
            ),
            _ => (None, None, None),
        };
        serde_json::to_value(ErrorBody {
            error: Detail {
                code,
                message,
                field,
                suggestions,
                duplicates,
                ground,
                words,
                suggestion,
                excluded_by: match self {
                    ApiError::Matcher(matcher::Error::NotEligible { excluded_by }) => {
                        Some(excluded_by.as_slice())
                    }
                    _ => None,
                },
            },
        })
        .unwrap_or_default()
    }
}

impl warp::reject::Reject for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_errors_map_to_contract_codes() {
        let invalid = ApiError::from(matcher::Error::invalid("languages[1].level", "livello"));
        assert_eq!(
            invalid.status_and_code(),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
        );
        assert_eq!(invalid.to_json()["error"]["field"], "languages[1].level");
        let disc = ApiError::from(matcher::Error::Discriminatory {
            field: "notes".into(),
            ground: matcher::guard::Ground::SkinColour,
            words: vec!["solo".into(), "bianche".into()],
            suggestion: "Descrivete i compiti".into(),
            message: "no".into(),
        });
        assert_eq!(disc.status_and_code().1, "discriminatory_criterion");
        let body = disc.to_json();
        assert_eq!(body["error"]["ground"], "skin_colour");
        assert_eq!(
            body["error"]["words"],
            serde_json::json!(["solo", "bianche"])
        );
        assert_eq!(body["error"]["suggestion"], "Descrivete i compiti");
        assert!(invalid.to_json()["error"].get("ground").is_none());
        assert_eq!(
            ApiError::TooLarge.status_and_code().0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn internal_details_are_not_sent() {
        let e = ApiError::Internal("stack trace with secrets".into());
        let body = e.to_json().to_string();
        assert!(!body.contains("secrets"));
        assert!(e.to_json()["error"].get("field").is_none());
    }
}
