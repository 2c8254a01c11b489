//! Cards imported without everything matching needs (`incomplete`): which missing fields
//! a card may be stored without, the placeholders that stand in for them until the desk
//! completes the card, and what a later edit completes.

use serde_json::{json, Map, Value};

use crate::date::Date;
use crate::model::PermitKind;

/// Fields an imported card may lack and still be kept as `incomplete`, with the Italian
/// name the desk knows them by. Names, phone and comune are not here: without them the
/// desk could not recognise, call or place the person, so such a row is refused.
const COMPLETABLE: [(&str, &str); 7] = [
    ("birth_year", "anno di nascita"),
    ("jobs", "mansione"),
    ("live_in", "convivenza"),
    ("hours_per_week", "ore settimanali"),
    ("permit", "permesso di soggiorno"),
    ("permit.expires_on", "scadenza del permesso"),
    ("consent", "data del consenso"),
];

/// Italian names of the create-body fields a sheet row can lack.
pub fn label(key: &str) -> &str {
    match key {
        "given_name" => "nome",
        "family_name" => "cognome",
        "phone" => "telefono",
        "comune" => "comune",
        "job" => "mansione",
        "start_on" => "data di inizio",
        other => COMPLETABLE
            .iter()
            .find(|(k, _)| *k == other)
            .map_or(other, |(_, l)| l),
    }
}

/// The first missing field a card cannot be kept without, if any.
pub fn blocking(missing: &[&str]) -> Option<&'static str> {
    const NEEDED: [&str; 4] = ["given_name", "family_name", "phone", "comune"];
    NEEDED.into_iter().find(|k| missing.contains(k))
}

/// The version recorded on a placeholder consent, so nobody can mistake it for a signed
/// notice.
pub const NO_CONSENT_VERSION: &str = "consenso-da-raccogliere";

/// Fills `body` with placeholders for the `missing` completable fields so the card
/// passes validation; the card keeps the list and is never a candidate meanwhile.
pub fn fill_placeholders(body: &mut Map<String, Value>, missing: &[&str], today: Date) {
    for key in missing {
        match *key {
            "birth_year" => {
                body.insert(key.to_string(), json!(today.year() - 40));
            }
            "jobs" => {
                body.insert(key.to_string(), json!(["colf"]));
            }
            "live_in" => {
                body.insert(key.to_string(), json!("either"));
            }
            "hours_per_week" => {
                body.insert(key.to_string(), json!({"min": 1, "max": 40}));
            }
            "permit" => {
                body.insert(key.to_string(), json!({"kind": PermitKind::None}));
            }
            "permit.expires_on" => {
                if let Some(p) = body.get_mut("permit").and_then(Value::as_object_mut) {
                    p.insert("expires_on".into(), json!(today));
                }
            }
            "consent" => {
                body.insert(
                    key.to_string(),
                    json!({"given_on": today, "text_version": NO_CONSENT_VERSION}),
                );
            }
            _ => {}
        }
    }
}

/// What an incomplete card still lacks after `patch` (a JSON merge patch): a field the
/// patch sets is completed (a new `permit` completes its expiry too).
pub fn still_missing(missing: &[String], patch: &Map<String, Value>) -> Vec<String> {
    let given = |k: &str| patch.get(k).is_some_and(|v| !v.is_null());
    missing
        .iter()
        .filter(|k| match k.as_str() {
            "permit.expires_on" => {
                let permit = patch.get("permit");
                let dated = permit
                    .and_then(|p| p.get("expires_on"))
                    .is_some_and(|v| !v.is_null());
                // Italian and EU citizens hold no permit, so nothing expires.
                let needs_none = permit
                    .and_then(|p| p.get("kind"))
                    .and_then(Value::as_str)
                    .and_then(PermitKind::parse)
                    .is_some_and(|k| matches!(k, PermitKind::EuCitizen | PermitKind::Italian));
                !(dated || needs_none)
            }
            k => !given(k),
        })
        .cloned()
        .collect()
}

/// "mancano: data del consenso, ore settimanali".
pub fn describe(missing: &[impl AsRef<str>]) -> String {
    let names: Vec<&str> = missing.iter().map(|k| label(k.as_ref())).collect();
    match names.as_slice() {
        [one] => format!("manca: {one}"),
        _ => format!("mancano: {}", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_make_a_valid_card() {
        let today: Date = "2026-11-20".parse().unwrap();
        let mut body = json!({
            "given_name": "Oksana", "family_name": "Kovalenko", "phone": "+39 347 9876543",
            "comune": "Grosseto", "max_travel_km": 15,
            "permit": {"kind": "work", "expires_on": null}
        });
        let missing = [
            "birth_year",
            "jobs",
            "live_in",
            "hours_per_week",
            "permit.expires_on",
            "consent",
        ];
        fill_placeholders(body.as_object_mut().unwrap(), &missing, today);
        let input: crate::model::WorkerInput = serde_json::from_value(body).unwrap();
        let w = crate::validate::worker(input, crate::model::Id(1), today).unwrap();
        assert_eq!(w.consent.text_version, NO_CONSENT_VERSION);
        assert_eq!(w.permit.expires_on, Some(today));
    }

    #[test]
    fn a_patch_completes_what_it_sets() {
        let missing: Vec<String> = ["consent", "permit.expires_on", "hours_per_week"]
            .map(String::from)
            .to_vec();
        let patch =
            json!({"consent": {"given_on": "2026-11-01"}, "permit": {"kind": "eu_citizen"}});
        assert_eq!(
            still_missing(&missing, patch.as_object().unwrap()),
            vec!["hours_per_week".to_string()]
        );
        let none = json!({"notes": "x"});
        assert_eq!(still_missing(&missing, none.as_object().unwrap()), missing);
    }

    #[test]
    fn names_phone_and_comune_block_a_card() {
        assert_eq!(blocking(&["consent", "phone"]), Some("phone"));
        assert_eq!(blocking(&["consent", "permit"]), None);
        assert_eq!(describe(&["consent"]), "manca: data del consenso");
        assert_eq!(
            describe(&["consent", "hours_per_week"]),
            "mancano: data del consenso, ore settimanali"
        );
    }
}
