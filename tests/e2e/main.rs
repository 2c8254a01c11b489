//! Black-box tests: they run the real `dom` binary on a random port against a temporary
//! data folder and talk to it as a client would.

mod access;
mod antidiscrimination;
mod backup;
mod browser;
mod browser_contacts;
mod browser_desk;
mod browser_forms;
mod browser_print;
mod candidates_cache;
mod cli;
mod contacts;
mod crash;
mod deploy;
mod flow;
mod forms;
mod hardening;
mod health;
mod history;
mod imports;
mod inputs;
mod italian;
mod limits;
mod matrix;
mod openapi;
mod operators;
mod outcomes;
mod privacy;
mod props;
mod util;
mod web;
mod web_desk;

/// Demo tokens of the API contract (and the demo admin).
pub const DESK: &str = "demo-sportello";
pub const DESK_FOLLONICA: &str = "demo-follonica";
pub const PUNTO: &str = "demo-punto-insieme";
pub const SOCIAL: &str = "demo-servizi-sociali";
pub const COORD: &str = "demo-coordinatore";
pub const ADMIN: &str = "demo-admin";

/// Contract example request (Rossi, Scansano) and a worker who fits it.
pub const ROSSI: &str = "b000000000000001";
pub const NATALIA: &str = "a000000000000017";

/// Words of the Rossi request and of Natalia's card that no refusal may show.
pub const ROSSI_NATALIA_SECRETS: [&str; 5] =
    ["Rossi", "Alzheimer", "0564 000000", "Popa", "328 7070707"];

pub fn today() -> String {
    // Same clock as the server: UTC days.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = (secs / 86_400) as i64;
    civil(days)
}

pub fn in_days(n: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    civil((secs / 86_400) as i64 + n)
}

fn civil(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A worker body that fits a colf request in Grosseto.
pub fn worker_body(given: &str, phone: &str) -> serde_json::Value {
    serde_json::json!({
        "given_name": given, "family_name": "Testova", "birth_year": 1980, "gender": "F",
        "phone": phone, "comune": "Grosseto",
        "jobs": ["colf"], "live_in": "no", "hours_per_week": {"min": 10, "max": 30},
        "languages": [{"code": "it", "level": "B2"}, {"code": "uk", "level": "C2"}],
        "experience": [{"kind": "housekeeping", "years": 6}],
        "driving_license": true, "max_travel_km": 20,
        "permit": {"kind": "protection", "expires_on": in_days(400)},
        "wage_expectation": {"monthly_eur": 700.0},
        "notes": "Pulizie accurate, stiro e cucina casalinga.",
        "consent": {"given_on": today()}
    })
}

pub fn request_body() -> serde_json::Value {
    serde_json::json!({
        "family_name": "Bianchini", "phone": "+39 0564 123456", "comune": "053011",
        "job": "colf", "live_in": "no", "hours_per_week": 15, "start_on": in_days(10),
        "needs": ["housekeeping"],
        "requires": {"driving_license": false, "italian_min": "A2", "languages": []},
        "offered": {"monthly_eur": 750.0},
        "notes": "Pulizie e stiro in appartamento, signora anziana con diabete."
    })
}
