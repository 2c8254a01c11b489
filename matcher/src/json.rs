//! Typed parsing of JSON bodies with errors that name the field at fault
//! (`languages[1].level`), and RFC 7396 merge patches for partial updates.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Parses `value` as `T`; a wrong type, a missing or unknown field is `Error::Invalid`
/// naming the field by its JSON path.
pub fn parse<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut field = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde names an unknown or missing field in the message, not in the path.
        for marker in ["unknown field `", "missing field `"] {
            if let Some(rest) = inner.split(marker).nth(1) {
                if let Some(name) = rest.split('`').next() {
                    if field.ends_with(name) {
                        continue;
                    }
                    field = if field == "." || field.is_empty() {
                        name.to_string()
                    } else {
                        format!("{field}.{name}")
                    };
                }
            }
        }
        if field == "." {
            field.clear();
        }
        Error::invalid(field, italian(&inner))
    })
}

/// Parses raw bytes as `T`. Read straight from the bytes first (no intermediate JSON
/// value: a third of the parse of a card); bytes that do not read so are read again
/// through `parse_value` and `parse`, which decide what they mean (a key given twice:
/// the last wins) or name the field at fault.
pub fn parse_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match serde_json::from_slice(bytes) {
        Ok(parsed) => Ok(parsed),
        Err(_) => parse(parse_value(bytes)?),
    }
}

/// Raw bytes to a JSON value; malformed JSON is `Error::Invalid` with no field.
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::invalid(
            "",
            format!(
                "JSON non valido (riga {}, colonna {})",
                e.line(),
                e.column()
            ),
        )
    })
}

fn italian(serde_message: &str) -> String {
    let m = serde_message;
    if m.starts_with("unknown field") {
        "campo non previsto".to_string()
    } else if m.starts_with("missing field") {
        "campo obbligatorio mancante".to_string()
    } else if m.starts_with("invalid type") {
        format!("tipo di valore non valido ({m})")
    } else if m.starts_with("unknown variant") {
        format!("valore non ammesso ({m})")
    } else {
        m.to_string()
    }
}

/// `current` with a merge patch applied, parsed back: how an edit becomes a create body
/// to validate again.
pub fn patched<T: serde::Serialize + DeserializeOwned>(
    current: &T,
    patch: &serde_json::Value,
) -> Result<T> {
    let mut body = serde_json::to_value(current).map_err(|e| Error::Corrupt {
        what: "patch".into(),
        detail: e.to_string(),
    })?;
    merge_patch(&mut body, patch);
    parse(body)
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match patch {
        serde_json::Value::Object(p) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            if let serde_json::Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkerInput;
    use serde_json::json;

    fn field_of(v: serde_json::Value) -> String {
        match parse::<WorkerInput>(v) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    fn body() -> serde_json::Value {
        json!({
          "given_name": "Ana", "family_name": "Popescu", "birth_year": 1975,
          "phone": "+39 333 1234567", "comune": "053011", "jobs": ["badante"],
          "live_in": "either", "hours_per_week": {"min": 20, "max": 54},
          "languages": [{"code": "it", "level": "B1"}, {"code": "ro", "level": "C2"}],
          "max_travel_km": 30, "permit": {"kind": "eu_citizen"},
          "consent": {"given_on": "2026-11-01"}
        })
    }

    #[test]
    fn errors_name_the_json_path() {
        let mut b = body();
        b["languages"][1]["level"] = json!("Z9");
        assert_eq!(field_of(b), "languages[1].level");
        let mut b = body();
        b["birth_year"] = json!("1975");
        assert_eq!(field_of(b), "birth_year");
        let mut b = body();
        b["hours_per_week"]["maximum"] = json!(3);
        assert_eq!(field_of(b), "hours_per_week.maximum");
        let mut b = body();
        b["favourite_colour"] = json!("blu");
        assert_eq!(field_of(b), "favourite_colour");
        let mut b = body();
        b.as_object_mut().unwrap().remove("phone");
        assert_eq!(field_of(b), "phone");
        assert!(parse::<WorkerInput>(body()).is_ok());
    }

    #[test]
    fn malformed_json_is_invalid() {
        assert!(matches!(
            parse_value(b"{\"a\": "),
            Err(Error::Invalid { .. })
        ));
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut t = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut t, &json!({"a": null, "b": {"c": 5}, "e": [1]}));
        assert_eq!(t, json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }
}
