//! HTML forms ↔ the API's JSON bodies. Inputs are named by the JSON path the API
//! validates (`hours_per_week.min`, `languages[1].level`), so a refusal naming a field
//! lands beside the input that caused it.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::html::FormState;

/// How a path's text becomes JSON (indices stripped: `languages[].level`).
pub struct Shape {
    pub numbers: &'static [&'static str],
    pub booleans: &'static [&'static str],
    /// Repeated checkboxes that make a list of strings.
    pub lists: &'static [&'static str],
    /// Amounts in euro, read the Italian way ("1.100" is 1100, "1,5" is 1.5).
    pub money: &'static [&'static str],
}

pub const WORKER: Shape = Shape {
    numbers: &[
        "birth_year",
        "hours_per_week.min",
        "hours_per_week.max",
        "experience[].years",
        "max_travel_km",
        "wage_expectation.monthly_eur",
    ],
    booleans: &["driving_license"],
    lists: &["jobs"],
    money: &["wage_expectation.monthly_eur"],
};

pub const REQUEST: Shape = Shape {
    numbers: &["hours_per_week", "offered.monthly_eur", "positions"],
    booleans: &["requires.driving_license"],
    lists: &["needs"],
    money: &["offered.monthly_eur"],
};

/// Fields of the form that are not part of the body.
const CONTROL: &[&str] = &["csrf", "allow_duplicate", super::problems::CONFIRM_WAGE];

/// The typed values, as the form will show them again.
pub fn state_of(pairs: &[(String, String)]) -> FormState {
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        values.entry(k.clone()).or_default().push(v.clone());
    }
    FormState {
        values,
        ..FormState::default()
    }
}

/// One step of a field's path: a key or a row of a repeated group.
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// The deepest field the forms have is `languages[1].level` (3 steps); anything much
/// deeper or longer is not a field of ours but a probe, refused before any JSON is built.
pub const MAX_SEGMENTS: usize = 8;
pub const MAX_NAME_BYTES: usize = 200;

/// The key an oversized field name becomes in the body: no input shape has it, so the
/// API's validation refuses the body ("campo non previsto") and nothing is stored, even
/// for a caller that did not run [`check_names`] first.
pub const REFUSED_NAME: &str = "nome_di_campo_non_valido";

/// A form whose field names are longer or deeper than any of ours, refused with an
/// Italian message (the pages may call it before [`to_json`] for a clearer banner).
pub fn check_names(pairs: &[(String, String)]) -> Result<(), matcher::Error> {
    match pairs.iter().find(|(k, _)| !name_fits(k)) {
        None => Ok(()),
        Some(_) => Err(matcher::Error::invalid(
            "",
            format!(
                "modulo non valido: un nome di campo supera {MAX_NAME_BYTES} caratteri \
                 o {MAX_SEGMENTS} livelli"
            ),
        )),
    }
}

fn name_fits(name: &str) -> bool {
    name.len() <= MAX_NAME_BYTES && name.split('.').count() <= MAX_SEGMENTS
}

/// `languages[1].level` as steps; `None` for a name none of our fields could have.
pub(crate) fn steps(path: &str) -> Option<Vec<Step>> {
    if !name_fits(path) {
        return None;
    }
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if name.is_empty() {
            return None;
        }
        out.push(Step::Key(name.to_string()));
        if !rest.is_empty() {
            out.push(Step::Index(
                rest.strip_suffix(']')?.parse().ok().filter(|i| *i < 10)?,
            ));
        }
    }
    Some(out)
}

/// Walks (creating as needed) down `steps` and stores `v` there. A loop, not recursion:
/// the depth comes from the client.
pub(crate) fn set(root: &mut Value, steps: &[Step], v: Value) {
    let mut here = root;
    for step in steps {
        here = match step {
            Step::Key(k) => {
                if !here.is_object() {
                    *here = Value::Object(Map::new());
                }
                match here {
                    Value::Object(m) => m.entry(k.clone()).or_insert(Value::Null),
                    _ => return,
                }
            }
            Step::Index(i) => {
                if !here.is_array() {
                    *here = Value::Array(Vec::new());
                }
                match here {
                    Value::Array(a) => {
                        while a.len() <= *i {
                            a.push(Value::Null);
                        }
                        &mut a[*i]
                    }
                    _ => return,
                }
            }
        };
    }
    *here = v;
}

fn shape_key(path: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push_str("[]");
            }
            ']' => skipping = false,
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

/// The JSON body a form stands for. Empty inputs are left out (optional fields absent,
/// required ones then named by validation); rows of a repeated group left entirely empty
/// are dropped; numbers that do not parse stay text, so validation names them.
pub fn to_json(pairs: &[(String, String)], shape: &Shape) -> Value {
    let mut root = Value::Object(Map::new());
    for list in shape.lists {
        let items: Vec<Value> = pairs
            .iter()
            .filter(|(k, v)| k == list && !v.is_empty())
            .map(|(_, v)| Value::String(v.clone()))
            .collect();
        set(
            &mut root,
            &[Step::Key((*list).to_string())],
            Value::Array(items),
        );
    }
    for boolean in shape.booleans {
        let on = pairs.iter().any(|(k, v)| k == boolean && v == "true");
        if let Some(s) = steps(boolean) {
            set(&mut root, &s, Value::Bool(on));
        }
    }
    for (k, v) in pairs {
        let v = v.trim();
        if v.is_empty()
            || CONTROL.contains(&k.as_str())
            || shape.lists.contains(&k.as_str())
            || shape.booleans.contains(&k.as_str())
        {
            continue;
        }
        let Some(s) = steps(k) else {
            if !name_fits(k) {
                set(
                    &mut root,
                    &[Step::Key(REFUSED_NAME.to_string())],
                    Value::Bool(true),
                );
            }
            continue;
        };
        let value = if shape.money.contains(&shape_key(k).as_str()) {
            euros(v).map_or_else(|| Value::String(v.to_string()), number)
        } else if shape.numbers.contains(&shape_key(k).as_str()) {
            v.replace(',', ".")
                .parse::<f64>()
                .ok()
                .and_then(|n| {
                    if n.fract() == 0.0 && n.abs() < 1e15 {
                        Some(Value::from(n as i64))
                    } else {
                        serde_json::Number::from_f64(n).map(Value::Number)
                    }
                })
                .unwrap_or_else(|| Value::String(v.to_string()))
        } else {
            Value::String(v.to_string())
        };
        set(&mut root, &s, value);
    }
    drop_empty_rows(&mut root);
    root
}

/// An amount as a person writes it, or `None` (left as text for validation to name).
pub fn euros(text: &str) -> Option<f64> {
    let cell = matcher::sheet::Cell::Text(text.to_string());
    matcher::sheet::values::money(&cell).ok()
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Inputs that take a country or language by its Italian name (from a list), which the
/// body carries as a code.
fn named_input(key: &str) -> Option<fn(&str) -> Option<&'static str>> {
    if key == "nationality" {
        Some(matcher::names::country_code)
    } else if key.ends_with(".code") && key.contains("languages[") {
        Some(matcher::names::language_code)
    } else {
        None
    }
}

/// The form as typed, with country and language names turned into the codes the API
/// takes; a name not recognised stays as typed, for validation to name.
pub fn with_codes(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| {
            let code = named_input(k).and_then(|to_code| to_code(v));
            (k.clone(), code.map_or_else(|| v.clone(), str::to_string))
        })
        .collect()
}

/// A record's form values with country and language codes shown by their names, and
/// amounts with a decimal comma.
pub fn with_names(mut values: HashMap<String, Vec<String>>) -> HashMap<String, Vec<String>> {
    for (k, vs) in values.iter_mut() {
        for v in vs.iter_mut() {
            if k == "nationality" {
                if let Some(n) = matcher::names::country_name(v) {
                    *v = n.to_string();
                }
            } else if named_input(k).is_some() {
                if let Some(n) = matcher::names::language_name(v) {
                    *v = n.to_string();
                }
            } else if k.ends_with("monthly_eur") {
                if let Ok(n) = v.parse::<f64>() {
                    let decimals = if n.fract() == 0.0 { 0 } else { 2 };
                    *v = matcher::italian::number(n, decimals);
                }
            }
        }
    }
    values
}

/// The lists the name inputs choose from (`list="paesi"`, `list="lingue"`): every
/// country and language by its Italian name, sorted as people look for them.
pub fn datalists() -> &'static str {
    static LISTS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        let options = |mut names: Vec<&str>| {
            names.sort_by_key(|n| n.to_lowercase());
            names
                .iter()
                .map(|n| format!("<option value=\"{}\">", super::html::esc(n)))
                .collect::<String>()
        };
        format!(
            "<datalist id=\"paesi\">{}</datalist><datalist id=\"lingue\">{}</datalist>",
            options(
                matcher::names::all_countries()
                    .iter()
                    .map(|c| c.name)
                    .collect()
            ),
            options(
                matcher::names::all_languages()
                    .iter()
                    .map(|l| l.name)
                    .collect()
            ),
        )
    })
}

/// `[null, {...}, null]` → `[{...}]`: unused rows of a repeated group. An explicit
/// stack rather than recursion, so no body can exhaust the thread's stack.
fn drop_empty_rows(v: &mut Value) {
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Array(a) => {
                a.retain(|x| !x.is_null());
                todo.extend(a.iter_mut());
            }
            Value::Object(m) => todo.extend(m.values_mut()),
            _ => {}
        }
    }
}

/// A record's editable form as form values (for editing a card).
pub fn values_of(body: &Value) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    fn walk(prefix: &str, v: &Value, out: &mut HashMap<String, Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, v, out);
                }
            }
            Value::Array(a) if a.iter().all(Value::is_string) => {
                out.insert(
                    prefix.to_string(),
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect(),
                );
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, out);
                }
            }
            Value::Null => {}
            Value::Bool(b) => {
                if *b {
                    out.insert(prefix.to_string(), vec!["true".into()]);
                }
            }
            Value::Number(n) => {
                out.insert(prefix.to_string(), vec![n.to_string()]);
            }
            Value::String(s) => {
                out.insert(prefix.to_string(), vec![s.clone()]);
            }
        }
    }
    walk("", body, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_form_becomes_the_api_body() {
        let body = to_json(
            &pairs(&[
                ("csrf", "x"),
                ("given_name", "Ana"),
                ("birth_year", "1975"),
                ("hours_per_week.min", "20"),
                ("jobs", "colf"),
                ("jobs", "badante"),
                ("languages[0].code", "it"),
                ("languages[0].level", "B1"),
                ("languages[1].code", ""),
                ("languages[2].code", "ro"),
                ("wage_expectation.monthly_eur", "950,50"),
                ("max_travel_km", "venti"),
                ("notes", "  "),
            ]),
            &WORKER,
        );
        assert_eq!(body["given_name"], "Ana");
        assert_eq!(body["birth_year"], 1975);
        assert_eq!(body["hours_per_week"]["min"], 20);
        assert_eq!(body["jobs"], serde_json::json!(["colf", "badante"]));
        assert_eq!(
            body["languages"],
            serde_json::json!([{"code": "it", "level": "B1"}, {"code": "ro"}])
        );
        assert_eq!(body["wage_expectation"]["monthly_eur"], 950.5);
        for (typed, read) in [
            ("1.100", 1100.0),
            ("1,5", 1.5),
            ("1.100,50", 1100.5),
            ("900 €", 900.0),
        ] {
            let body = to_json(&pairs(&[("wage_expectation.monthly_eur", typed)]), &WORKER);
            assert_eq!(
                body["wage_expectation"]["monthly_eur"].as_f64(),
                Some(read),
                "{typed}"
            );
        }
        assert_eq!(
            body["max_travel_km"], "venti",
            "left for validation to name"
        );
        assert_eq!(body["driving_license"], false);
        assert!(body.get("notes").is_none() && body.get("csrf").is_none());
    }

    #[test]
    fn deep_or_long_names_are_refused_not_followed() {
        let deep = vec!["a"; 10_000].join(".");
        let long = "x".repeat(MAX_NAME_BYTES + 1);
        for name in [&deep, &long] {
            let p = pairs(&[("given_name", "Ana"), (name.as_str(), "1")]);
            assert!(check_names(&p).is_err());
            let body = to_json(&p, &REQUEST);
            assert_eq!(body[REFUSED_NAME], true, "the body cannot validate");
            assert_eq!(body["given_name"], "Ana");
            assert_eq!(body.as_object().map(|m| m.len()), Some(4));
        }
        let ok = ["a"; MAX_SEGMENTS].join(".");
        let p = pairs(&[(ok.as_str(), "1")]);
        assert!(check_names(&p).is_ok());
        assert_eq!(
            to_json(&p, &REQUEST)["a"]["a"]["a"]["a"]["a"]["a"]["a"]["a"],
            "1"
        );
    }

    #[test]
    fn set_and_drop_empty_rows_handle_deep_values_without_recursion() {
        let path: Vec<Step> = (0..100_000).map(|_| Step::Index(0)).collect();
        let mut root = Value::Null;
        set(&mut root, &path, Value::from(1));
        drop_empty_rows(&mut root);
        let mut depth = 0;
        let mut here = &root;
        while let Value::Array(a) = here {
            depth += 1;
            here = &a[0];
        }
        assert_eq!((depth, here.clone()), (100_000, Value::from(1)));
        // Dropping a 100,000-deep value would recurse too: leak it in the test.
        std::mem::forget(root);
    }

    #[test]
    fn countries_and_languages_go_by_name_in_the_form_and_by_code_in_the_body() {
        let coded = with_codes(&pairs(&[
            ("nationality", "Ucraina"),
            ("languages[0].code", "romeno"),
            ("requires.languages[1].code", "inglese"),
            ("given_name", "Ucraina"),
            ("nationality", "Atlantide"),
        ]));
        let values: Vec<&str> = coded.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(values, ["UA", "ro", "en", "Ucraina", "Atlantide"]);
        let mut back = HashMap::new();
        back.insert("nationality".to_string(), vec!["UA".to_string()]);
        back.insert("languages[0].code".to_string(), vec!["ro".to_string()]);
        back.insert(
            "wage_expectation.monthly_eur".to_string(),
            vec!["1100".to_string()],
        );
        let shown = with_names(back);
        assert_eq!(shown["nationality"], ["Ucraina"]);
        assert_eq!(shown["languages[0].code"], ["rumeno"]);
        assert_eq!(shown["wage_expectation.monthly_eur"], ["1.100"]);
    }

    #[test]
    fn a_record_fills_the_form_back() {
        let v = values_of(
            &serde_json::json!({"jobs": ["colf"], "hours_per_week": {"min": 5},
            "languages": [{"code": "it"}], "driving_license": true, "notes": "x"}),
        );
        assert_eq!(v["jobs"], vec!["colf"]);
        assert_eq!(v["hours_per_week.min"], vec!["5"]);
        assert_eq!(v["languages[0].code"], vec!["it"]);
        assert_eq!(v["driving_license"], vec!["true"]);
    }
}
