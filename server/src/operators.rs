//! Operator token actions shared by the API and the admin page: revoke, rotate, set the
//! expiry, and write the queued first uses of the day. Each runs the engine command, then
//! updates the in-memory token table and ends the operator's web sessions.

use matcher::fixtures::token_hash;
use matcher::model::{Actor, Id, Operator};
use matcher::Date;
use serde_json::Value;

use crate::app::State;
use crate::auth::new_token;
use crate::error::ApiError;

/// Every operator, with the uses noted so far written first so `last_used_on` is current.
pub fn list(s: &State) -> Result<Vec<Operator>, ApiError> {
    record_uses(s);
    Ok(s.engine.operators()?)
}

/// An admin may not lock themselves out: another admin has to do it.
fn not_self(actor: &Actor, id: Id) -> Result<(), ApiError> {
    if actor.operator_id == id {
        return Err(matcher::Error::Conflict(
            "non è possibile revocare o cambiare il proprio codice da qui".into(),
        )
        .into());
    }
    Ok(())
}

/// Revokes `id`'s token: refused (401) from the next request, its web sessions ended.
pub fn revoke(s: &State, actor: &Actor, id: Id) -> Result<Operator, ApiError> {
    not_self(actor, id)?;
    let op = s.engine.revoke_operator(Some(actor), id, Date::today())?;
    s.auth.update(op.clone());
    s.sessions.end_operator(id);
    Ok(op)
}

/// Gives `id` a new token, returned here only; the old one is refused at once.
pub fn rotate(s: &State, actor: &Actor, id: Id) -> Result<(Operator, String), ApiError> {
    not_self(actor, id)?;
    let token = new_token();
    let op = s
        .engine
        .rotate_operator(Some(actor), id, token_hash(&token))?;
    s.auth.update(op.clone());
    s.sessions.end_operator(id);
    Ok((op, token))
}

/// Sets or clears the last day `id`'s token is accepted.
pub fn set_expiry(
    s: &State,
    actor: &Actor,
    id: Id,
    expires_on: Option<Date>,
) -> Result<Operator, ApiError> {
    let op = s.engine.set_operator_expiry(Some(actor), id, expires_on)?;
    s.auth.update(op.clone());
    if !op.active_on(Date::today()) {
        s.sessions.end_operator(id);
    }
    Ok(op)
}

/// Writes the first uses of the day that `Auth` queued (one engine write per operator
/// per day); failures are put back and retried on the next round. Runs on the blocking
/// pool: from the commit loop, and before each listing.
pub fn record_uses(s: &State) {
    let _round = s.auth.writing_uses();
    let mut failed = Vec::new();
    for (id, day) in s.auth.take_uses() {
        if let Err(e) = s.engine.note_operator_use(id, day) {
            // An operator can only vanish if the store was replaced; do not retry that.
            if !matches!(e, matcher::Error::NotFound { .. }) {
                tracing::warn!(error = %e, "ultimo uso dell'operatore non registrato");
                failed.push((id, day));
            }
        }
    }
    s.auth.return_uses(failed);
}

/// The `expires_on` of a PATCH body: required, a date or `null` (no expiry).
pub fn expiry_field(body: &[u8]) -> Result<Option<Date>, ApiError> {
    let value: serde_json::Map<String, Value> = matcher::json::parse_bytes(body)?;
    if let Some(k) = value.keys().find(|k| *k != "expires_on") {
        return Err(matcher::Error::invalid(k.as_str(), "campo non previsto").into());
    }
    match value.get("expires_on") {
        None => Err(matcher::Error::invalid(
            "expires_on",
            "indicare una data AAAA-MM-GG oppure null",
        )
        .into()),
        Some(Value::Null) => Ok(None),
        Some(Value::String(d)) => d.parse::<Date>().map(Some).map_err(|_| {
            matcher::Error::invalid("expires_on", "data non valida (AAAA-MM-GG)").into()
        }),
        Some(_) => {
            Err(matcher::Error::invalid("expires_on", "data non valida (AAAA-MM-GG)").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_body_is_a_date_or_null_and_nothing_else() {
        assert_eq!(
            expiry_field(br#"{"expires_on": "2027-01-31"}"#).unwrap(),
            Date::from_ymd(2027, 1, 31)
        );
        assert_eq!(expiry_field(br#"{"expires_on": null}"#).unwrap(), None);
        for bad in [
            &br#"{}"#[..],
            br#"{"expires_on": "31/01/2027"}"#,
            br#"{"expires_on": 5}"#,
            br#"{"expires_on": null, "role": "admin"}"#,
        ] {
            assert!(
                expiry_field(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn listing_never_shows_the_hash() {
        let op = Operator {
            id: Id(1),
            org_id: Id(2),
            name: "x".into(),
            role: matcher::model::Role::Operator,
            token_sha256: "ab".repeat(32),
            created_on: Date::from_days(0),
            revoked_on: Some(Date::from_days(3)),
            expires_on: None,
            last_used_on: None,
        };
        let v = serde_json::to_value(crate::api::wire::OperatorListed::from(&op)).unwrap();
        assert!(!v.to_string().contains(&op.token_sha256));
        assert_eq!(v["revoked"], true);
        assert!(v["expires_on"].is_null());
    }
}
