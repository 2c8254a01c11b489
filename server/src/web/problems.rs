//! Every problem of a refused form at once, and the second looks a form asks for before
//! saving (a corrected comune, an implausible monthly wage). The API stops at its first
//! error; the form validates again with each faulty field replaced by a valid stand-in.

use serde_json::Value;

use matcher::model::{Id, RequestInput, WorkerInput};
use matcher::{italian, json, Comuni, Date, Error};

use super::form::{set, steps, Step};

/// Below or above these a monthly wage is more likely a typing slip than a wage.
pub const WAGE_LOW_EUR: f64 = 200.0;
pub const WAGE_HIGH_EUR: f64 = 5_000.0;
/// Control inputs that say "yes, I meant it".
pub const CONFIRM_WAGE: &str = "confirm_wage";

/// A valid worker body whose values stand in for faulty ones while the rest is checked.
/// The permit kind needs no expiry either way, so it cannot cause an error of its own.
fn worker_specimen() -> Value {
    serde_json::json!({
        "given_name": "Anna", "family_name": "Rossi", "birth_year": 1980,
        "phone": "+39 333 1234567", "comune": "Roma", "jobs": ["colf"], "live_in": "no",
        "hours_per_week": {"min": 10, "max": 20},
        "languages": [{"code": "it", "level": "B1"}],
        "experience": [{"kind": "housekeeping", "years": 1}],
        "max_travel_km": 10, "permit": {"kind": "long_term"},
        "wage_expectation": {"monthly_eur": 900}, "notes": "",
        "nationality": "RO", "consent": {"given_on": Date::today().to_string()},
    })
}

fn request_specimen() -> Value {
    serde_json::json!({
        "family_name": "Rossi", "phone": "+39 333 1234567", "comune": "Roma",
        "job": "colf", "live_in": "no", "hours_per_week": 20,
        "start_on": Date::today().add_days(7).to_string(),
        "needs": ["housekeeping"],
        "requires": {"driving_license": false, "languages": [{"code": "en", "level": "B1"}]},
        "offered": {"monthly_eur": 900}, "notes": "",
    })
}

/// Every field error of a worker body (the first is the API's own).
pub fn of_worker(body: &Value, today: Date) -> Vec<Error> {
    collect(body, &worker_specimen(), |v| {
        let input: WorkerInput = json::parse(v.clone())?;
        matcher::validate_worker(input, Id::random(), today).map(|_| ())
    })
}

/// Every field error of a request body, the guard's included.
pub fn of_request(body: &Value, today: Date) -> Vec<Error> {
    collect(body, &request_specimen(), |v| {
        matcher::guard::check_fields(v)?;
        let input: RequestInput = json::parse(v.clone())?;
        matcher::validate_request(input, Id::random(), today).map(|_| ())
    })
}

/// Validates, notes the error, puts the specimen's value (or nothing) where the error
/// was, and again, until the body passes or an error has no field or repeats.
fn collect(
    body: &Value,
    specimen: &Value,
    check: impl Fn(&Value) -> Result<(), Error>,
) -> Vec<Error> {
    let mut body = body.clone();
    let mut found: Vec<Error> = Vec::new();
    // Each round fixes one field; a card has about thirty.
    for _ in 0..40 {
        let e = match check(&body) {
            Ok(()) => break,
            Err(e) => e,
        };
        let Some(field) = e.field().filter(|f| !f.is_empty()).map(str::to_string) else {
            found.push(e);
            break;
        };
        let repeated = found.iter().any(|x| x.field() == Some(field.as_str()));
        if repeated {
            // The stand-in did not help at this depth: replace the whole top-level value.
            let top = field.split(['.', '[']).next().unwrap_or("").to_string();
            match (body.as_object_mut(), specimen.get(&top)) {
                (Some(obj), Some(v)) if obj.get(&top) != Some(v) => {
                    obj.insert(top, v.clone());
                    continue;
                }
                _ => break,
            }
        }
        found.push(e);
        let Some(path) = steps(&field) else {
            break;
        };
        match lookup(specimen, &path) {
            Some(v) => set(&mut body, &path, v.clone()),
            None => remove(&mut body, &path),
        }
    }
    found
}

/// The specimen's value at `path`, every index read as the first row.
fn lookup<'a>(specimen: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut here = specimen;
    for step in path {
        here = match step {
            Step::Key(k) => here.get(k)?,
            Step::Index(_) => here.get(0)?,
        };
    }
    Some(here)
}

fn remove(body: &mut Value, path: &[Step]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = body;
    for step in parents {
        here = match (step, here) {
            (Step::Key(k), Value::Object(m)) => match m.get_mut(k) {
                Some(v) => v,
                None => return,
            },
            (Step::Index(i), Value::Array(a)) if *i < a.len() => &mut a[*i],
            _ => return,
        };
    }
    match (last, here) {
        (Step::Key(k), Value::Object(m)) => {
            m.remove(k);
        }
        (Step::Index(i), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// Where a form shows an error about `field`: a group the form has no input for
/// (`permit`, `hours_per_week`) lands on its first input.
pub fn input_for(field: &str) -> String {
    match field {
        "permit" => "permit.kind",
        "hours_per_week" => "hours_per_week.min",
        "consent" => "consent.given_on",
        "wage_expectation" => "wage_expectation.monthly_eur",
        "offered" => "offered.monthly_eur",
        other => other,
    }
    .to_string()
}

/// What a person reads for an error: the API's message, without serde's English.
pub fn message(e: &Error) -> String {
    match e {
        Error::UnknownComune { suggestions, .. } => {
            let names: Vec<String> = suggestions
                .iter()
                .map(|c| format!("{} ({})", c.name, c.province))
                .collect();
            if names.is_empty() {
                "comune non riconosciuto".to_string()
            } else {
                format!("comune non riconosciuto: forse {}?", names.join(", "))
            }
        }
        Error::Invalid { field, message } => {
            let money = field.ends_with("monthly_eur");
            if message.starts_with("tipo di valore non valido") {
                if money {
                    "importo non riconosciuto (es. 1.100 oppure 1100,50)".to_string()
                } else {
                    "valore non valido: scrivere un numero".to_string()
                }
            } else if message.starts_with("valore non ammesso") {
                "valore non ammesso: sceglierlo dall'elenco".to_string()
            } else if message.starts_with("campo obbligatorio") {
                "campo obbligatorio".to_string()
            } else if field == "nationality" {
                "paese non riconosciuto: sceglierlo dall'elenco".to_string()
            } else {
                message.clone()
            }
        }
        other => other.to_string(),
    }
}

/// `Orbtello` resolved to Orbetello: the name to put in the input and the note to show,
/// when what was typed is not already the comune's name (with or without province).
pub fn comune_correction(typed: &str) -> Option<(String, String)> {
    let typed = typed.trim();
    if typed.is_empty() || typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let c = Comuni::get().resolve("comune", typed).ok()?;
    let full = format!("{} ({})", c.name, c.province);
    let same = |a: &str| a.to_lowercase() == typed.to_lowercase();
    if same(&c.name) || same(&full) {
        return None;
    }
    Some((
        full.clone(),
        format!("{typed} → {full}: controlli il comune corretto e salvi di nuovo"),
    ))
}

/// A monthly wage outside the plausible band, as the note beside the input.
pub fn implausible_wage(eur: f64) -> Option<String> {
    (!(WAGE_LOW_EUR..=WAGE_HIGH_EUR).contains(&eur)).then(|| {
        format!(
            "letto come {} al mese: è davvero l'importo mensile? Se sì, spunti la conferma e salvi di nuovo",
            italian::money(eur)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[Error]) -> Vec<String> {
        errors
            .iter()
            .map(|e| e.field().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn every_faulty_field_of_a_card_is_named_at_once() {
        let mut body = worker_specimen();
        body["given_name"] = "".into();
        body["birth_year"] = "millenovecento".into();
        body["comune"] = "Xqzzyville".into();
        body["nationality"] = "Atlantide".into();
        body["languages"] = serde_json::json!([{"code": "it", "level": "Z9"}]);
        body.as_object_mut().map(|o| o.remove("permit"));
        let found = of_worker(&body, Date::today());
        let mut names = fields(&found);
        names.sort();
        assert_eq!(
            names,
            [
                "birth_year",
                "comune",
                "given_name",
                "languages[0].level",
                "nationality",
                "permit"
            ]
        );
        let messages: Vec<String> = found.iter().map(message).collect();
        assert!(
            messages.iter().all(|m| !m.contains("invalid type")),
            "{messages:?}"
        );
        assert!(of_worker(&worker_specimen(), Date::today()).is_empty());
    }

    #[test]
    fn a_request_lists_its_problems_and_the_guard_too() {
        let mut body = request_specimen();
        body["hours_per_week"] = 0.into();
        body["notes"] = "solo italiane".into();
        body["comune"] = "".into();
        let found = of_request(&body, Date::today());
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found
            .iter()
            .any(|e| matches!(e, Error::Discriminatory { .. })));
    }

    #[test]
    fn a_corrected_comune_and_an_odd_wage_ask_for_a_second_look() {
        let (name, note) = comune_correction("Orbtello").expect("a correction");
        assert_eq!(name, "Orbetello (GR)");
        assert!(note.starts_with("Orbtello → Orbetello (GR)"));
        assert_eq!(comune_correction("orbetello"), None);
        assert_eq!(comune_correction("Orbetello (GR)"), None);
        assert!(implausible_wage(1.1).is_some_and(|n| n.contains("1,10 €")));
        assert!(implausible_wage(1_100.0).is_none());
        assert!(implausible_wage(6_000.0).is_some());
    }
}
