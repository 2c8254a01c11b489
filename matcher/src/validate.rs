//! Turns create bodies into records, checking every field on the way in. An invalid body
//! is an error naming its field; nothing is built from it.

use crate::comuni::Comuni;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::guard;
use crate::model::{
    Consent, ContactInput, HoursRange, Id, LanguageSkill, LiveIn, OrgProfile, Organisation,
    OrganisationPatch, PermitKind, Request, RequestInput, RequestStatus, Wage, Worker, WorkerInput,
    WorkerStatus,
};

pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_NOTES_CHARS: usize = 4000;
/// Farther than this nobody commutes daily; it also bounds the index's geographic filter.
pub const MAX_TRAVEL_KM: u16 = 200;
/// CCNL lavoro domestico art. 14: live-in at most 54 hours a week, others at most 40.
pub const MAX_HOURS_LIVE_IN: u8 = 54;
pub const MAX_HOURS_NOT_LIVE_IN: u8 = 40;
pub const MIN_WORKING_AGE: i32 = 16;
pub const MAX_MONTHLY_EUR: f64 = 20_000.0;
pub const MAX_CONTACT_NOTE_CHARS: usize = 1000;
/// How far back a contact may be logged: the retention of closed requests.
const CONTACT_DAYS_BACK: i32 = 731;

/// Validates a worker card. `id` and the dates that DOM keeps are given by the caller.
pub fn worker(input: WorkerInput, id: Id, today: Date) -> Result<Worker> {
    let given_name = name("given_name", &input.given_name)?;
    let family_name = name("family_name", &input.family_name)?;
    let year = today.year();
    let birth_year = i32::from(input.birth_year);
    if birth_year > year - MIN_WORKING_AGE || birth_year < year - 100 {
        return Err(Error::invalid(
            "birth_year",
            format!(
                "anno di nascita non plausibile: deve essere tra {} e {}",
                year - 100,
                year - MIN_WORKING_AGE
            ),
        ));
    }
    let nationality = match input.nationality {
        Some(n) if n.len() == 2 && n.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(n.to_ascii_uppercase())
        }
        Some(_) => {
            return Err(Error::invalid(
                "nationality",
                "indicare il codice ISO del paese (due lettere, es. RO)",
            ))
        }
        None => None,
    };
    let phone = phone("phone", &input.phone)?;
    let comune = Comuni::get()
        .resolve("comune", &input.comune)?
        .istat
        .clone();
    if input.jobs.is_empty() {
        return Err(Error::invalid("jobs", "indicare almeno un lavoro cercato"));
    }
    no_repeats("jobs", &input.jobs)?;
    hours_range("hours_per_week", input.hours_per_week)?;
    languages("languages", &input.languages)?;
    no_repeats(
        "experience",
        &input.experience.iter().map(|e| e.kind).collect::<Vec<_>>(),
    )?;
    for (i, e) in input.experience.iter().enumerate() {
        if e.years > 60 {
            return Err(Error::invalid(
                format!("experience[{i}].years"),
                "anni di esperienza non plausibili (massimo 60)",
            ));
        }
    }
    if input.max_travel_km > MAX_TRAVEL_KM {
        return Err(Error::invalid(
            "max_travel_km",
            format!("distanza massima oltre {MAX_TRAVEL_KM} km"),
        ));
    }
    match input.permit.kind {
        PermitKind::Work | PermitKind::Family | PermitKind::Protection | PermitKind::Study
            if input.permit.expires_on.is_none() =>
        {
            return Err(Error::invalid(
                "permit.expires_on",
                "indicare la data di scadenza del permesso di soggiorno",
            ));
        }
        PermitKind::EuCitizen | PermitKind::Italian if input.permit.expires_on.is_some() => {
            return Err(Error::invalid(
                "permit.expires_on",
                "i cittadini italiani e dell'UE non hanno un permesso con scadenza",
            ));
        }
        _ => {}
    }
    if let Some(w) = input.wage_expectation {
        money("wage_expectation.monthly_eur", w)?;
    }
    let notes = notes("notes", &input.notes)?;
    let consent = consent(input.consent, today)?;
    Ok(Worker {
        id,
        given_name,
        family_name,
        birth_year: input.birth_year,
        gender: input.gender,
        nationality,
        phone,
        comune,
        jobs: input.jobs,
        live_in: input.live_in,
        hours_per_week: input.hours_per_week,
        languages: input.languages,
        experience: input.experience,
        driving_license: input.driving_license,
        max_travel_km: input.max_travel_km,
        permit: input.permit,
        wage_expectation: input.wage_expectation,
        notes,
        consent,
        status: WorkerStatus::Available,
        org_id: None,
        registered_on: today,
        confirmed_on: today,
        last_proposed_on: None,
        possible_duplicate_of: Vec::new(),
        missing: Vec::new(),
    })
}

/// Validates a family request, including the anti-discrimination guard on its notes.
pub fn request(input: RequestInput, id: Id, today: Date) -> Result<Request> {
    let family_name = name("family_name", &input.family_name)?;
    let phone = phone("phone", &input.phone)?;
    let comune = Comuni::get()
        .resolve("comune", &input.comune)?
        .istat
        .clone();
    let max_hours = match input.live_in {
        LiveIn::No => MAX_HOURS_NOT_LIVE_IN,
        LiveIn::Yes | LiveIn::Either => MAX_HOURS_LIVE_IN,
    };
    if input.hours_per_week == 0 || input.hours_per_week > max_hours {
        return Err(Error::invalid(
            "hours_per_week",
            format!(
                "ore settimanali tra 1 e {max_hours} per un rapporto {} (CCNL lavoro domestico)",
                input.live_in.label()
            ),
        ));
    }
    if input.start_on < today.add_days(-366) || input.start_on > today.add_days(366) {
        return Err(Error::invalid(
            "start_on",
            "la data di inizio deve essere entro un anno da oggi",
        ));
    }
    no_repeats("needs", &input.needs)?;
    languages("requires.languages", &input.requires.languages)?;
    if let Some(w) = input.offered {
        money("offered.monthly_eur", w)?;
    }
    let notes = notes("notes", &input.notes)?;
    guard::check_text("notes", &notes)?;
    if !(1..=5).contains(&input.positions) {
        return Err(Error::invalid(
            "positions",
            "quante persone la famiglia assumerà: da 1 a 5",
        ));
    }
    Ok(Request {
        id,
        org_id: None,
        family_name,
        phone,
        comune,
        job: input.job,
        live_in: input.live_in,
        hours_per_week: input.hours_per_week,
        start_on: input.start_on,
        needs: input.needs,
        requires: input.requires,
        offered: input.offered,
        notes,
        positions: input.positions,
        status: RequestStatus::Open,
        status_reason: None,
        created_on: today,
        closed_on: None,
        deidentified_on: None,
    })
}

/// Validates a contact-log line: a day from the last two years up to today and a note
/// of 1–1000 characters, read by the anti-discrimination guard like every free text.
pub fn contact(input: ContactInput, today: Date) -> Result<ContactInput> {
    if input.on > today {
        return Err(Error::invalid(
            "on",
            "la data del contatto non può essere futura",
        ));
    }
    if input.on < today.add_days(-CONTACT_DAYS_BACK) {
        return Err(Error::invalid(
            "on",
            "la data del contatto deve essere degli ultimi due anni",
        ));
    }
    let note = input.note.trim();
    if note.is_empty() || note.chars().count() > MAX_CONTACT_NOTE_CHARS {
        return Err(Error::invalid(
            "note",
            format!("scrivere una nota da 1 a {MAX_CONTACT_NOTE_CHARS} caratteri"),
        ));
    }
    guard::check_text("note", note)?;
    Ok(ContactInput {
        note: note.to_string(),
        ..input
    })
}

fn name(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "campo obbligatorio"));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!("al massimo {MAX_NAME_CHARS} caratteri"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "caratteri non ammessi"));
    }
    // Embeddings, overrides and isolates reorder what the desk sees on screen and in
    // print (a name can be made to read as another); marks (U+200E/F) stay allowed.
    if value
        .chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(Error::invalid(
            field,
            "caratteri che invertono la direzione del testo non ammessi",
        ));
    }
    // Zero-width characters alone would be a name nobody can see or search for.
    if !value.chars().any(char::is_alphanumeric) {
        return Err(Error::invalid(
            field,
            "il nome deve contenere almeno una lettera visibile",
        ));
    }
    Ok(value.to_string())
}

/// An organisation with an admin's patch applied: every field checked, nothing applied
/// when one is wrong.
pub fn organisation(org: &Organisation, patch: OrganisationPatch) -> Result<Organisation> {
    let mut out = org.clone();
    if let Some(n) = patch.name {
        out.name = profile_text("name", &n, 120, false)?;
        if out.name.is_empty() {
            return Err(Error::invalid("name", "nome obbligatorio"));
        }
    }
    let p = patch.profile;
    let old = &org.profile;
    out.profile = OrgProfile {
        address: keep_or(p.address, &old.address, |v| {
            profile_text("profile.address", v, 200, false)
        })?,
        phone: keep_or(p.phone, &old.phone, |v| phone("profile.phone", v))?,
        email: keep_or(p.email, &old.email, |v| email("profile.email", v))?,
        opening_hours: keep_or(p.opening_hours, &old.opening_hours, |v| {
            profile_text("profile.opening_hours", v, 300, true)
        })?,
    };
    Ok(out)
}

/// A patched profile field: absent keeps the old value, blank clears it, anything else
/// goes through `check`.
fn keep_or(
    new: Option<String>,
    old: &str,
    check: impl Fn(&str) -> Result<String>,
) -> Result<String> {
    match new {
        None => Ok(old.to_string()),
        Some(v) if v.trim().is_empty() => Ok(String::new()),
        Some(v) => check(&v),
    }
}

/// Trimmed text of at most `max` characters; line breaks only where `lines` allows them.
fn profile_text(field: &str, value: &str, max: usize, lines: bool) -> Result<String> {
    let value = value.trim().replace("\r\n", "\n");
    let bad = value
        .chars()
        .any(|c| c.is_control() && !(lines && c == '\n'));
    if bad || value.chars().count() > max {
        let what = if lines {
            "righe di testo"
        } else {
            "una riga di testo"
        };
        return Err(Error::invalid(
            field,
            format!("{what}, al massimo {max} caratteri"),
        ));
    }
    Ok(value)
}

/// A plausible e-mail address (name@domain.tld), as typed.
fn email(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    let plausible = value.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && value.len() <= 120
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if !plausible {
        return Err(Error::invalid(
            field,
            "indirizzo e-mail non valido (es. sportello@comune.grosseto.it)",
        ));
    }
    Ok(value.to_string())
}

/// Keeps the phone as typed (operators read it back) but requires a plausible number.
fn phone(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    let allowed = |c: char| c.is_ascii_digit() || " +-./()".contains(c);
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !value.chars().all(allowed) || !(6..=15).contains(&digits) {
        return Err(Error::invalid(
            field,
            "numero di telefono non valido (da 6 a 15 cifre, es. +39 333 1234567)",
        ));
    }
    Ok(value.to_string())
}

/// Digits only, without the Italian prefix: how two spellings of one number compare.
pub fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("0039").unwrap_or(&digits);
    let digits = if phone.trim_start().starts_with('+') {
        digits.strip_prefix("39").unwrap_or(digits)
    } else {
        digits
    };
    digits.to_string()
}

fn hours_range(field: &str, h: HoursRange) -> Result<()> {
    if h.min == 0 || h.min > h.max {
        return Err(Error::invalid(
            format!("{field}.min"),
            "il minimo di ore deve essere almeno 1 e non superare il massimo",
        ));
    }
    if h.max > MAX_HOURS_LIVE_IN {
        return Err(Error::invalid(
            format!("{field}.max"),
            format!("al massimo {MAX_HOURS_LIVE_IN} ore settimanali (CCNL lavoro domestico)"),
        ));
    }
    Ok(())
}

fn languages(field: &str, langs: &[LanguageSkill]) -> Result<()> {
    for (i, l) in langs.iter().enumerate() {
        if l.code.len() != 2 || !l.code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(Error::invalid(
                format!("{field}[{i}].code"),
                "codice lingua ISO 639-1 di due lettere minuscole (es. it, ro, uk)",
            ));
        }
        if langs[..i].iter().any(|m| m.code == l.code) {
            return Err(Error::invalid(
                format!("{field}[{i}].code"),
                "lingua indicata due volte",
            ));
        }
    }
    Ok(())
}

fn no_repeats<T: PartialEq>(field: &str, items: &[T]) -> Result<()> {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(Error::invalid(
                format!("{field}[{i}]"),
                "valore indicato due volte",
            ));
        }
    }
    Ok(())
}

fn money(field: &str, w: Wage) -> Result<()> {
    let cents = w.monthly_eur * 100.0;
    if !w.monthly_eur.is_finite() || w.monthly_eur <= 0.0 || w.monthly_eur > MAX_MONTHLY_EUR {
        return Err(Error::invalid(
            field,
            "importo mensile in euro non plausibile",
        ));
    }
    if (cents - cents.round()).abs() > 1e-6 {
        return Err(Error::invalid(field, "al massimo due decimali"));
    }
    Ok(())
}

fn notes(field: &str, value: &str) -> Result<String> {
    if value.chars().count() > MAX_NOTES_CHARS {
        return Err(Error::invalid(
            field,
            format!("al massimo {MAX_NOTES_CHARS} caratteri"),
        ));
    }
    Ok(value.trim().to_string())
}

fn consent(consent: Option<Consent>, today: Date) -> Result<Consent> {
    let Some(consent) = consent else {
        return Err(Error::invalid(
            "consent",
            "senza il consenso al trattamento dei dati la scheda non può essere registrata",
        ));
    };
    if consent.given_on > today {
        return Err(Error::invalid(
            "consent.given_on",
            "la data del consenso non può essere futura",
        ));
    }
    if consent.text_version.trim().is_empty() {
        return Err(Error::invalid(
            "consent.text_version",
            "indicare la versione dell'informativa firmata",
        ));
    }
    Ok(consent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> Date {
        "2026-11-20".parse().unwrap()
    }

    fn ana() -> serde_json::Value {
        json!({
          "given_name": "Ana", "family_name": "Popescu", "birth_year": 1975, "gender": "F",
          "phone": "+39 333 1234567", "comune": "053011",
          "jobs": ["badante"], "live_in": "either",
          "hours_per_week": {"min": 20, "max": 54},
          "languages": [{"code": "it", "level": "B1"}, {"code": "ro", "level": "C2"}],
          "experience": [{"kind": "dementia", "years": 5}, {"kind": "elderly", "years": 8}],
          "driving_license": true, "max_travel_km": 30,
          "permit": {"kind": "eu_citizen", "expires_on": null},
          "wage_expectation": {"monthly_eur": 1100.00},
          "notes": "Esperienza con malati di Alzheimer, cucina toscana.",
          "consent": {"given_on": "2026-11-01"}
        })
    }

    fn rossi() -> serde_json::Value {
        json!({
          "family_name": "Rossi", "phone": "+39 0564 000000", "comune": "053023",
          "job": "badante", "live_in": "yes", "hours_per_week": 54, "start_on": "2026-12-01",
          "needs": ["dementia", "mobility"],
          "requires": {"driving_license": true, "italian_min": "A2", "languages": []},
          "offered": {"monthly_eur": 1100.00},
          "notes": "Signora di 86 anni con Alzheimer, vive sola a Scansano."
        })
    }

    fn check_worker(body: serde_json::Value) -> Result<Worker> {
        worker(serde_json::from_value(body).unwrap(), Id(1), today())
    }

    fn check_request(body: serde_json::Value) -> Result<Request> {
        request(serde_json::from_value(body).unwrap(), Id(2), today())
    }

    fn field_of<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().field().unwrap_or("").to_string()
    }

    #[test]
    fn contract_examples_are_valid() {
        let w = check_worker(ana()).unwrap();
        assert_eq!(w.comune, "053011");
        assert_eq!(w.consent.text_version, Consent::current_version());
        let r = check_request(rossi()).unwrap();
        assert_eq!(r.status, RequestStatus::Open);
    }

    #[test]
    fn comune_by_name_is_resolved_to_istat() {
        let mut body = ana();
        body["comune"] = json!("Rocca strada");
        assert_eq!(check_worker(body).unwrap().comune, "053021");
    }

    #[test]
    fn names_in_every_script_are_kept() {
        for n in [
            "Ana-Maria",
            "O'Neill",
            "Олена",
            "محمد\u{200F}",
            "Nguyễn",
            "李",
        ] {
            assert_eq!(name("given_name", n).unwrap(), n);
        }
    }

    #[test]
    fn each_bad_worker_field_is_named() {
        let cases: Vec<(&str, serde_json::Value, &str)> = vec![
            ("/given_name", json!("  "), "given_name"),
            (
                "/given_name",
                json!("\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}"),
                "given_name",
            ),
            ("/family_name", json!("Rossi\u{202E}issoR"), "family_name"),
            ("/family_name", json!("\u{2067}Ana\u{2069}"), "family_name"),
            ("/birth_year", json!(2020), "birth_year"),
            ("/birth_year", json!(1900), "birth_year"),
            ("/phone", json!("call me"), "phone"),
            ("/phone", json!("123"), "phone"),
            ("/comune", json!("Atlantide"), "comune"),
            ("/jobs", json!([]), "jobs"),
            ("/jobs", json!(["colf", "colf"]), "jobs[1]"),
            (
                "/hours_per_week",
                json!({"min": 30, "max": 20}),
                "hours_per_week.min",
            ),
            (
                "/hours_per_week",
                json!({"min": 30, "max": 70}),
                "hours_per_week.max",
            ),
            ("/languages/1/code", json!("RO"), "languages[1].code"),
            ("/languages/1/code", json!("it"), "languages[1].code"),
            ("/experience/0/years", json!(70), "experience[0].years"),
            ("/max_travel_km", json!(500), "max_travel_km"),
            ("/permit", json!({"kind": "work"}), "permit.expires_on"),
            (
                "/permit",
                json!({"kind": "italian", "expires_on": "2030-01-01"}),
                "permit.expires_on",
            ),
            (
                "/wage_expectation",
                json!({"monthly_eur": -5}),
                "wage_expectation.monthly_eur",
            ),
            (
                "/wage_expectation",
                json!({"monthly_eur": 1000.123}),
                "wage_expectation.monthly_eur",
            ),
            (
                "/consent",
                json!({"given_on": "2027-01-01"}),
                "consent.given_on",
            ),
            ("/nationality", json!("Romania"), "nationality"),
        ];
        for (pointer, value, field) in cases {
            let mut body = ana();
            match body.pointer_mut(pointer) {
                Some(slot) => *slot = value,
                None => body[&pointer[1..]] = value,
            }
            assert_eq!(field_of(check_worker(body)), field, "{pointer}");
        }
    }

    #[test]
    fn missing_consent_is_refused() {
        let mut body = ana();
        body.as_object_mut().unwrap().remove("consent");
        assert_eq!(field_of(check_worker(body)), "consent");
    }

    #[test]
    fn each_bad_request_field_is_named() {
        let cases: Vec<(&str, serde_json::Value, &str)> = vec![
            ("/family_name", json!(""), "family_name"),
            ("/family_name", json!("\u{202D}Bianchi"), "family_name"),
            ("/family_name", json!("\u{200B}"), "family_name"),
            ("/hours_per_week", json!(60), "hours_per_week"),
            ("/hours_per_week", json!(0), "hours_per_week"),
            ("/start_on", json!("2030-01-01"), "start_on"),
            ("/needs", json!(["elderly", "elderly"]), "needs[1]"),
            (
                "/requires/languages",
                json!([{"code": "english", "level": "B1"}]),
                "requires.languages[0].code",
            ),
            ("/offered", json!({"monthly_eur": 0}), "offered.monthly_eur"),
        ];
        for (pointer, value, field) in cases {
            let mut body = rossi();
            *body.pointer_mut(pointer).unwrap() = value;
            assert_eq!(field_of(check_request(body)), field, "{pointer}");
        }
        // Not live-in: CCNL caps the week at 40 hours.
        let mut body = rossi();
        body["live_in"] = json!("no");
        body["hours_per_week"] = json!(45);
        assert_eq!(field_of(check_request(body)), "hours_per_week");
    }

    #[test]
    fn discriminatory_notes_are_refused() {
        let mut body = rossi();
        body["notes"] = json!("Signora di 86 anni, solo italiane");
        assert!(matches!(
            check_request(body),
            Err(Error::Discriminatory { ref field, .. }) if field == "notes"
        ));
    }

    #[test]
    fn phone_keys_ignore_formatting_and_prefix() {
        assert_eq!(phone_key("+39 333 1234567"), "3331234567");
        assert_eq!(phone_key("333-123.4567"), "3331234567");
        assert_eq!(phone_key("0039 333 1234567"), "3331234567");
        assert_eq!(phone_key("0564 000000"), "0564000000");
    }

    #[test]
    fn contact_lines_need_a_past_day_and_a_note() {
        let line = |on: &str, note: &str| -> Result<ContactInput> {
            let body = json!({"on": on, "channel": "phone", "note": note});
            contact(crate::json::parse(body)?, today())
        };
        let ok = line("2026-11-20", "  chiamata, non risponde ").unwrap();
        assert_eq!(ok.note, "chiamata, non risponde");
        assert_eq!(field_of(line("2026-11-21", "domani")), "on");
        assert_eq!(field_of(line("2024-01-01", "vecchia")), "on");
        assert_eq!(field_of(line("2026-02-30", "data impossibile")), "on");
        assert_eq!(field_of(line("2026-11-20", "   ")), "note");
        assert_eq!(field_of(line("2026-11-20", &"x".repeat(1001))), "note");
        let body = json!({"on": "2026-11-20", "channel": "fax", "note": "x"});
        assert_eq!(
            field_of(crate::json::parse::<ContactInput>(body)),
            "channel"
        );
    }

    #[test]
    fn an_organisation_patch_keeps_what_it_omits_and_refuses_bad_fields_whole() {
        let org = Organisation {
            id: Id(1),
            name: "Sportello".into(),
            kind: crate::model::OrgKind::Desk,
            comune: None,
            profile: OrgProfile {
                phone: "0564 000000".into(),
                email: "a@b.it".into(),
                ..OrgProfile::default()
            },
        };
        let patch: OrganisationPatch = serde_json::from_value(json!({"profile": {
            "address": " Via Roma 1, Grosseto ", "email": "", "opening_hours": "lun 9-13\r\nmer 15-18"
        }}))
        .unwrap();
        let out = organisation(&org, patch).unwrap();
        assert_eq!(out.profile.address, "Via Roma 1, Grosseto");
        assert_eq!(out.profile.phone, "0564 000000", "kept");
        assert_eq!(out.profile.email, "", "cleared");
        assert_eq!(out.profile.opening_hours, "lun 9-13\nmer 15-18");
        assert_eq!(out.name, "Sportello");
        for (body, field) in [
            (json!({"profile": {"phone": "chiamare"}}), "profile.phone"),
            (json!({"profile": {"email": "sportello@"}}), "profile.email"),
            (json!({"profile": {"address": "a\nb"}}), "profile.address"),
            (
                json!({"profile": {"opening_hours": "x".repeat(301)}}),
                "profile.opening_hours",
            ),
            (json!({"name": "  "}), "name"),
        ] {
            let patch: OrganisationPatch = serde_json::from_value(body).unwrap();
            let err = organisation(&org, patch).unwrap_err();
            assert_eq!(err.field(), Some(field));
        }
        let unknown = serde_json::from_value::<OrganisationPatch>(json!({"profile": {"fax": "1"}}));
        assert!(unknown.is_err(), "unknown fields are refused");
    }
}
