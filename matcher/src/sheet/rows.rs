//! Sheet rows → create bodies in exactly the API's JSON shape, with every value that
//! could not be understood reported by row, column and value, and the fields matching
//! needs but the row lacks listed apart (such a row is stored as `incomplete`).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::comuni::Comuni;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{ExperienceKind, Job, Level, LiveIn, PermitKind};
use crate::names;

use super::header::{find_header, Column, Field, Header, Kind};
use super::mapping::Mapping;
use super::read::{Cell, Grid};
use super::values::{self, fold_words, Understood};

/// Used when a sheet has no distance column: desks rarely record it, and a card
/// without one could never be matched. Every row that gets it says so in `notices`.
pub const DEFAULT_MAX_TRAVEL_KM: u16 = 15;

/// One value DOM could not take, or took with an assumption, as the operator should
/// see it: where it is in their sheet and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CellProblem {
    /// 1-based, as the spreadsheet numbers rows.
    pub row: usize,
    /// The column's heading in the sheet.
    pub column: String,
    /// The cell as shown.
    pub value: String,
    /// Italian.
    pub message: String,
}

/// What one data row gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowOutcome {
    /// 1-based, as the spreadsheet numbers rows.
    pub row: usize,
    /// The create body built from the row (fields understood only); `None` when a
    /// value was refused (see `problems`): nothing is created from such a row.
    pub input: Option<Value>,
    /// Create-body fields matching needs that the row lacks (`consent`, `permit`,
    /// `hours_per_week`…): the row can only be stored as `incomplete`.
    pub missing: Vec<&'static str>,
    /// Values refused; the row is not imported until they are corrected.
    pub problems: Vec<CellProblem>,
    /// Values taken with an assumption or left out, for the operator to check.
    pub notices: Vec<CellProblem>,
}

/// What the import should do with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Complete and understood: create it (after the usual duplicate check).
    Ready,
    /// Understood but lacking fields matching needs: store as `incomplete`.
    Incomplete,
    /// A value was refused: create nothing, report `problems`.
    Refused,
}

impl RowOutcome {
    pub fn status(&self) -> RowStatus {
        if !self.problems.is_empty() {
            RowStatus::Refused
        } else if !self.missing.is_empty() {
            RowStatus::Incomplete
        } else {
            RowStatus::Ready
        }
    }
}

/// A row left out on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Skipped {
    pub row: usize,
    /// Italian: "riga vuota", "riga dei totali", "intestazione ripetuta".
    pub reason: &'static str,
}

/// How a column of the sheet was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ColumnUse {
    pub column: String,
    /// The create-body field it fills; `None`: not recognised, not imported.
    pub field: Option<&'static str>,
    /// Another column already gave this field; this one was not imported.
    pub duplicate: bool,
}

/// Everything read from one sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parsed {
    /// What the file was, in Italian ("CSV (windows-1252, separatore ;)").
    pub file: String,
    /// The sheet read, for spreadsheets with several.
    pub sheet: Option<String>,
    /// 1-based row of the headings.
    pub header_row: usize,
    pub columns: Vec<ColumnUse>,
    pub rows: Vec<RowOutcome>,
    pub skipped: Vec<Skipped>,
    /// Italian sentences about the whole sheet (defaults applied to every row).
    pub assumptions: Vec<String>,
}

/// Reads worker cards from a sheet.
pub fn parse_workers(grid: &Grid, mapping: Option<&Mapping>, today: Date) -> Result<Parsed> {
    parse(grid, Kind::Workers, mapping, today)
}

/// Reads family requests from a sheet.
pub fn parse_requests(grid: &Grid, mapping: Option<&Mapping>, today: Date) -> Result<Parsed> {
    parse(grid, Kind::Requests, mapping, today)
}

/// Reads rows of `kind` from a sheet.
pub fn parse(grid: &Grid, kind: Kind, mapping: Option<&Mapping>, today: Date) -> Result<Parsed> {
    let header = find_header(grid, kind, mapping)?;
    let columns = header
        .columns
        .iter()
        .filter(|c| c.field != Some(Field::Ignore))
        .map(|c| ColumnUse {
            column: c.label.clone(),
            field: c.field.map(Field::key),
            duplicate: c.duplicate,
        })
        .collect();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut comuni = HashMap::new();
    for r in header.row + 1..grid.rows.len() {
        if let Some(reason) = skip_reason(grid, &header, kind, r) {
            skipped.push(Skipped { row: r + 1, reason });
            continue;
        }
        let mut b = RowBuilder {
            grid,
            header: &header,
            mapping,
            today,
            r,
            comuni: &mut comuni,
            body: Map::new(),
            missing: Vec::new(),
            problems: Vec::new(),
            notices: Vec::new(),
        };
        match kind {
            Kind::Workers => b.worker(),
            Kind::Requests => b.request(),
        }
        rows.push(b.finish());
    }
    if rows.is_empty() {
        return Err(Error::invalid(
            "file",
            format!(
                "nessuna riga di dati sotto l'intestazione (riga {})",
                header.row + 1
            ),
        ));
    }
    let mut assumptions = Vec::new();
    let km_default = mapping.is_some_and(|m| m.default_for(Field::MaxTravelKm).is_some());
    if kind == Kind::Workers && header.column(Field::MaxTravelKm).is_none() && !km_default {
        assumptions.push(format!(
            "nessuna colonna per la distanza massima: per ogni scheda {DEFAULT_MAX_TRAVEL_KM} km (si può cambiare con [defaults] max_travel_km nel file di corrispondenze)"
        ));
    }
    Ok(Parsed {
        file: grid.format.describe(),
        sheet: grid.sheet.clone(),
        header_row: header.row + 1,
        columns,
        rows,
        skipped,
        assumptions,
    })
}

fn is_numeric(cell: &Cell) -> bool {
    match cell {
        Cell::Number(_) => true,
        Cell::Text(s) => {
            let t = s
                .trim()
                .trim_start_matches('€')
                .trim_end_matches(['€', '%'])
                .trim();
            !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || ".,- ".contains(c))
        }
        _ => false,
    }
}

fn skip_reason(grid: &Grid, header: &Header, kind: Kind, r: usize) -> Option<&'static str> {
    let row = &grid.rows[r];
    let filled: Vec<&Cell> = row.iter().filter(|c| !c.is_blank()).collect();
    if filled.is_empty() {
        return Some("riga vuota");
    }
    let first = fold_words(&filled[0].display());
    if [
        "totale",
        "totali",
        "tot",
        "somma",
        "media",
        "conteggio",
        "numero totale",
    ]
    .iter()
    .any(|w| first == *w || first.starts_with(&format!("{w} ")))
    {
        return Some("riga dei totali");
    }
    let name_fields: &[Field] = match kind {
        Kind::Workers => &[
            Field::GivenName,
            Field::FamilyName,
            Field::FullName,
            Field::FullNameReversed,
        ],
        Kind::Requests => &[Field::FamilyName],
    };
    let named = name_fields.iter().any(|f| {
        header
            .column(*f)
            .is_some_and(|c| !grid.cell(r, c.index).is_blank())
    });
    if !named && filled.iter().all(|c| is_numeric(c)) {
        return Some("riga dei totali");
    }
    let repeats = header
        .columns
        .iter()
        .filter(|c| grid.cell(r, c.index).display() == c.label && !c.label.is_empty())
        .count();
    if repeats >= 2 {
        return Some("intestazione ripetuta");
    }
    None
}

struct RowBuilder<'a> {
    grid: &'a Grid,
    header: &'a Header,
    mapping: Option<&'a Mapping>,
    today: Date,
    r: usize,
    /// Comune text → ISTAT code or refusal: a sheet names the same few comuni over and
    /// over, and fuzzy resolution costs a scan of every comune.
    comuni: &'a mut HashMap<String, std::result::Result<String, String>>,
    body: Map<String, Value>,
    missing: Vec<&'static str>,
    problems: Vec<CellProblem>,
    notices: Vec<CellProblem>,
}

/// A cell and where it came from, for messages.
struct Source {
    column: String,
    cell: Cell,
}

impl<'a> RowBuilder<'a> {
    fn finish(self) -> RowOutcome {
        RowOutcome {
            row: self.r + 1,
            input: self.problems.is_empty().then_some(Value::Object(self.body)),
            missing: self.missing,
            problems: self.problems,
            notices: self.notices,
        }
    }

    /// The non-blank cell for `field`, or the mapping file's default for it.
    fn get(&self, field: Field) -> Option<Source> {
        let from_sheet = self.header.column(field).and_then(|c: &Column| {
            let cell = self.grid.cell(self.r, c.index);
            (!cell.is_blank()).then(|| Source {
                column: c.label.clone(),
                cell: cell.clone(),
            })
        });
        from_sheet.or_else(|| {
            self.mapping
                .and_then(|m| m.default_for(field))
                .map(|cell| Source {
                    column: format!("{} (valore predefinito)", field.key()),
                    cell: cell.clone(),
                })
        })
    }

    fn problem(&mut self, src: &Source, message: String) {
        self.problems.push(CellProblem {
            row: self.r + 1,
            column: src.column.clone(),
            value: src.cell.display(),
            message,
        });
    }

    fn notice(&mut self, src: &Source, message: String) {
        self.notices.push(CellProblem {
            row: self.r + 1,
            column: src.column.clone(),
            value: src.cell.display(),
            message,
        });
    }

    /// Understands `field` with `parse`, reporting a refusal against its cell.
    fn take<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&Source) -> Understood<T>,
    ) -> Option<(T, Source)> {
        let src = self.get(field)?;
        match parse(&src) {
            Ok(v) => Some((v, src)),
            Err(message) => {
                self.problem(&src, message);
                None
            }
        }
    }

    /// The mapping file's word for a whole cell or one item of it.
    fn mapped(&self, field: Field, value: &str) -> Option<&'a str> {
        self.mapping.and_then(|m| m.value(field, value))
    }

    fn set(&mut self, key: &str, value: Value) {
        self.body.insert(key.to_string(), value);
    }

    fn require(&mut self, key: &'static str) {
        if !self.body.contains_key(key) && !self.missing.contains(&key) {
            self.missing.push(key);
        }
    }

    fn text(&mut self, field: Field, key: &str) {
        if let Some(src) = self.get(field) {
            self.set(key, json!(src.cell.display()));
        }
    }

    fn names(&mut self) {
        self.text(Field::GivenName, "given_name");
        self.text(Field::FamilyName, "family_name");
        for (field, given_first) in [(Field::FullName, true), (Field::FullNameReversed, false)] {
            if self.body.contains_key("given_name") && self.body.contains_key("family_name") {
                break;
            }
            let Some(src) = self.get(field) else { continue };
            let full = src.cell.display();
            let mut parts = full.split_whitespace();
            let (given, family) = if given_first {
                let given = parts.next().unwrap_or("").to_string();
                (given, parts.collect::<Vec<_>>().join(" "))
            } else {
                let family = parts.next().unwrap_or("").to_string();
                (parts.collect::<Vec<_>>().join(" "), family)
            };
            if given.is_empty() || family.is_empty() {
                self.problem(&src, "indicare nome e cognome".to_string());
                continue;
            }
            self.notice(
                &src,
                format!("diviso in nome «{given}» e cognome «{family}»: verificare"),
            );
            self.body.entry("given_name").or_insert(json!(given));
            self.body.entry("family_name").or_insert(json!(family));
        }
    }

    fn phone(&mut self) {
        if let Some(((number, rest), src)) = self.take(Field::Phone, |s| values::phone(&s.cell)) {
            self.set("phone", json!(number));
            if let Some(rest) = rest {
                // Not put in the notes: notes are indexed, and numbers never are.
                self.notice(
                    &src,
                    format!("importato solo il primo numero; non importato: «{rest}»"),
                );
            }
        }
    }

    fn comune(&mut self) {
        let Some(src) = self.get(Field::Comune) else {
            return;
        };
        let query = match &src.cell {
            // A number cell holding an ISTAT code has lost its leading zeros.
            Cell::Number(n) if n.fract() == 0.0 && *n > 0.0 => format!("{:06}", *n as i64),
            other => other.display(),
        };
        let resolved = self
            .comuni
            .entry(query.clone())
            .or_insert_with(|| resolve_comune(&query))
            .clone();
        match resolved {
            Ok(istat) => self.set("comune", json!(istat)),
            Err(message) => self.problem(&src, message),
        }
    }

    fn live_in(&mut self) {
        let mapping = self.mapping;
        if let Some((v, _)) = self.take(Field::LiveIn, |s| {
            match mapping.and_then(|m| m.value(Field::LiveIn, &s.cell.display())) {
                Some(word) => LiveIn::parse(word).ok_or_else(|| word.to_string()),
                None => values::live_in(&s.cell),
            }
        }) {
            self.set("live_in", json!(v));
        }
    }

    fn money(&mut self, field: Field, key: &str) {
        if let Some((v, _)) = self.take(field, |s| values::money(&s.cell)) {
            self.set(key, json!({ "monthly_eur": v }));
        }
    }

    fn yes_no(&mut self, field: Field) -> Option<bool> {
        self.take(field, |s| values::yes_no(&s.cell))
            .map(|(v, _)| v)
    }

    /// Items of a list cell, each through the mapping file first, then `parse`.
    fn list<T>(
        &mut self,
        field: Field,
        parse: impl Fn(&str) -> Understood<T>,
        from_word: impl Fn(&str) -> Option<T>,
    ) -> Option<(Vec<T>, Source)> {
        let src = self.get(field)?;
        let text = src.cell.display();
        if let Some(v) = self.mapped(field, &text).and_then(&from_word) {
            return Some((vec![v], src));
        }
        let mut out = Vec::new();
        for item in values::items(&text) {
            let parsed = match self.mapped(field, &item) {
                Some(word) => from_word(word).ok_or_else(|| word.to_string()),
                None => parse(&item),
            };
            match parsed {
                Ok(v) => out.push(v),
                Err(message) => {
                    self.problem(&src, message);
                    return None;
                }
            }
        }
        Some((out, src))
    }

    /// Languages, with the levels said or assumed (and the assumption noticed).
    fn language_list(&mut self, field: Field, native: Option<&str>) -> Option<Vec<Value>> {
        let (langs, src) = self.list(
            field,
            |item| {
                let mut v = values::languages(item)?;
                v.pop().ok_or_else(|| "lingua mancante".to_string())
            },
            |word| names::language(word).map(|l| (l.code, None)),
        )?;
        let mut out: Vec<(&'static str, Level)> = Vec::new();
        for (code, level) in langs {
            let level = match level {
                Some(l) => l,
                None if native == Some(code) => {
                    self.notice(&src, format!("{}: livello non indicato, considerato C2 (lingua del paese di cittadinanza)", lang_label(code)));
                    Level::C2
                }
                None => {
                    self.notice(
                        &src,
                        format!(
                            "{}: livello non indicato, considerato A2: verificare",
                            lang_label(code)
                        ),
                    );
                    Level::A2
                }
            };
            match out.iter_mut().find(|(c, _)| *c == code) {
                Some(e) => e.1 = e.1.max(level),
                None => out.push((code, level)),
            }
        }
        Some(
            out.into_iter()
                .map(|(code, level)| json!({ "code": code, "level": level }))
                .collect(),
        )
    }

    fn worker(&mut self) {
        self.names();
        let today = self.today;
        if let Some((y, _)) = self.take(Field::BirthYear, |s| values::year(&s.cell, today)) {
            self.set("birth_year", json!(y));
        }
        let mapping = self.mapping;
        if let Some((g, _)) = self.take(Field::Gender, |s| {
            match mapping.and_then(|m| m.value(Field::Gender, &s.cell.display())) {
                Some(word) => crate::model::Gender::parse(word).ok_or_else(|| word.to_string()),
                None => values::gender(&s.cell.display()),
            }
        }) {
            self.set("gender", json!(g));
        }
        let nationality = self
            .take(Field::Nationality, |s| {
                match mapping.and_then(|m| m.value(Field::Nationality, &s.cell.display())) {
                    Some(code) => Ok(names::country(code).map_or("", |c| c.code)),
                    None => values::nationality(&s.cell.display()),
                }
            })
            .map(|(code, _)| code);
        if let Some(code) = nationality {
            self.set("nationality", json!(code));
        }
        self.phone();
        self.comune();
        if let Some((jobs, _)) = self.list(Field::Jobs, values::job, Job::parse) {
            self.set("jobs", json!(jobs));
        }
        self.live_in();
        self.worker_hours();
        let native = nationality
            .and_then(names::country)
            .and_then(|c| c.language);
        let mut langs = self
            .language_list(Field::Languages, native)
            .unwrap_or_default();
        if let Some((level, _)) = self.take(Field::ItalianLevel, |s| {
            match mapping.and_then(|m| m.value(Field::ItalianLevel, &s.cell.display())) {
                Some(word) => Level::parse(word).ok_or_else(|| word.to_string()),
                None => values::level(&s.cell.display()),
            }
        }) {
            langs.retain(|l| l["code"] != "it");
            langs.insert(0, json!({ "code": "it", "level": level }));
        }
        if !langs.is_empty() {
            self.set("languages", Value::Array(langs));
        }
        self.worker_experience();
        if let Some(v) = self.yes_no(Field::DrivingLicense) {
            self.set("driving_license", json!(v));
        }
        match self.take(Field::MaxTravelKm, |s| {
            values::integer(&s.cell).and_then(|n| {
                u16::try_from(n).map_err(|_| format!("distanza non plausibile: {n} km"))
            })
        }) {
            Some((km, _)) => self.set("max_travel_km", json!(km)),
            None if self.get(Field::MaxTravelKm).is_none() => {
                self.set("max_travel_km", json!(DEFAULT_MAX_TRAVEL_KM));
            }
            None => {}
        }
        self.permit(nationality);
        self.money(Field::Wage, "wage_expectation");
        self.notes();
        if let Some((d, _)) = self.take(Field::ConsentDate, |s| {
            if matches!(values::yes_no(&s.cell), Ok(true)) {
                return Err("consenso indicato senza data: scrivere la data in cui la persona ha firmato l'informativa".to_string());
            }
            values::date(&s.cell, today)
        }) {
            self.set("consent", json!({ "given_on": d }));
        }
        for key in [
            "given_name",
            "family_name",
            "birth_year",
            "phone",
            "comune",
            "jobs",
            "live_in",
            "hours_per_week",
            "permit",
            "consent",
        ] {
            self.require(key);
        }
        let needs_expiry = self
            .body
            .get("permit")
            .and_then(|p| p["kind"].as_str())
            .and_then(PermitKind::parse)
            .is_some_and(|k| {
                matches!(
                    k,
                    PermitKind::Work
                        | PermitKind::Family
                        | PermitKind::Protection
                        | PermitKind::Study
                )
            })
            && self
                .body
                .get("permit")
                .is_some_and(|p| p["expires_on"].is_null());
        if needs_expiry {
            self.missing.push("permit.expires_on");
        }
    }

    fn worker_hours(&mut self) {
        let range = self
            .take(Field::Hours, |s| values::hours(&s.cell))
            .map(|(r, _)| r);
        let hour = |b: &mut Self, f: Field| {
            b.take(f, |s| {
                values::integer(&s.cell)
                    .and_then(|n| u8::try_from(n).map_err(|_| format!("ore non plausibili: {n}")))
            })
            .map(|(v, _)| v)
        };
        let min = hour(self, Field::HoursMin);
        let max = hour(self, Field::HoursMax);
        let (min, max) = match (range, min, max) {
            (_, Some(a), Some(b)) => (a, b),
            (Some((a, b)), None, None) => (a, b),
            (Some((a, _)), None, Some(b)) => (a.min(b), b),
            (Some((_, b)), Some(a), None) => (a, b.max(a)),
            (None, Some(a), None) => (a, a),
            (None, None, Some(b)) => (b, b),
            (None, None, None) => return,
        };
        self.set("hours_per_week", json!({ "min": min, "max": max }));
    }

    fn worker_experience(&mut self) {
        let mapping = self.mapping;
        let years_col = self.take(Field::ExperienceYears, |s| {
            values::integer(&s.cell).and_then(|n| {
                u8::try_from(n).map_err(|_| format!("anni di esperienza non plausibili: {n}"))
            })
        });
        let kinds = self.get(Field::Experience).map(|src| {
            let text = src.cell.display();
            let parsed = match mapping.and_then(|m| m.value(Field::Experience, &text)) {
                Some(word) => ExperienceKind::parse(word)
                    .map(|k| vec![(k, None)])
                    .ok_or_else(|| word.to_string()),
                None => values::items(&text)
                    .iter()
                    .map(
                        |item| match mapping.and_then(|m| m.value(Field::Experience, item)) {
                            Some(word) => ExperienceKind::parse(word)
                                .map(|k| vec![(k, None)])
                                .ok_or_else(|| word.to_string()),
                            None => values::experience(item),
                        },
                    )
                    .collect::<Understood<Vec<_>>>()
                    .map(|v| v.concat()),
            };
            (parsed, src)
        });
        let (list, src) = match kinds {
            Some((Ok(list), src)) => (list, src),
            Some((Err(message), src)) => {
                self.problem(&src, message);
                return;
            }
            None => match years_col {
                // Years without kinds: the kind the jobs imply.
                Some((years, ref src)) => {
                    let src = Source {
                        column: src.column.clone(),
                        cell: src.cell.clone(),
                    };
                    let kinds: Vec<ExperienceKind> = self
                        .body
                        .get("jobs")
                        .and_then(|j| j.as_array())
                        .map(|jobs| {
                            jobs.iter()
                                .filter_map(|j| j.as_str().and_then(Job::parse))
                                .map(job_experience)
                                .collect()
                        })
                        .unwrap_or_default();
                    if kinds.is_empty() {
                        return;
                    }
                    self.notice(
                        &src,
                        format!(
                            "anni riferiti a: {}",
                            kinds
                                .iter()
                                .map(|k| k.label())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    (kinds.into_iter().map(|k| (k, Some(years))).collect(), src)
                }
                None => return,
            },
        };
        let mut out: Vec<(ExperienceKind, u8)> = Vec::new();
        for (kind, years) in list {
            let years = match (years, &years_col) {
                (Some(y), _) => y,
                (None, Some((y, _))) => *y,
                (None, None) => {
                    self.notice(
                        &src,
                        format!("{}: anni non indicati, considerato 1", kind.label()),
                    );
                    1
                }
            };
            match out.iter_mut().find(|(k, _)| *k == kind) {
                Some(e) => e.1 = e.1.max(years),
                None => out.push((kind, years)),
            }
        }
        if !out.is_empty() {
            let v: Vec<Value> = out
                .into_iter()
                .map(|(kind, years)| json!({ "kind": kind, "years": years }))
                .collect();
            self.set("experience", Value::Array(v));
        }
    }

    fn permit(&mut self, nationality: Option<&str>) {
        let today = self.today;
        let mapping = self.mapping;
        let parsed = self.take(Field::Permit, |s| {
            let text = s.cell.display();
            match mapping.and_then(|m| m.value(Field::Permit, &text)) {
                Some(word) => PermitKind::parse(word)
                    .map(|k| (k, None))
                    .ok_or_else(|| word.to_string()),
                None => values::permit(&text, today),
            }
        });
        let expiry_col = self.take(Field::PermitExpiry, |s| values::date(&s.cell, today));
        let (kind, inline_expiry) = match parsed {
            Some(((kind, expiry), _)) => (kind, expiry),
            None if self.get(Field::Permit).is_some() => return,
            None => {
                // EU and Italian citizens hold no permit: the nationality says it all.
                let kind = match nationality {
                    Some("IT") => PermitKind::Italian,
                    Some(code) if is_eu(code) => PermitKind::EuCitizen,
                    _ => return,
                };
                if let Some(src) = self.get(Field::Nationality) {
                    self.notice(
                        &src,
                        format!(
                            "permesso non indicato: «{}» dalla cittadinanza",
                            kind.label()
                        ),
                    );
                }
                (kind, None)
            }
        };
        let mut expires_on = expiry_col.as_ref().map(|(d, _)| *d).or(inline_expiry);
        if matches!(kind, PermitKind::EuCitizen | PermitKind::Italian) && expires_on.is_some() {
            if let Some((_, src)) = &expiry_col {
                let src = Source {
                    column: src.column.clone(),
                    cell: src.cell.clone(),
                };
                self.notice(&src, "scadenza non importata: i cittadini italiani e dell'UE non hanno un permesso con scadenza".to_string());
            }
            expires_on = None;
        }
        self.set("permit", json!({ "kind": kind, "expires_on": expires_on }));
    }

    fn notes(&mut self) {
        let cols: Vec<&Column> = self
            .header
            .columns
            .iter()
            .filter(|c| c.field == Some(Field::Notes))
            .collect();
        let filled: Vec<(String, String)> = cols
            .iter()
            .map(|c| (c.label.clone(), self.grid.cell(self.r, c.index).display()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let notes = match filled.as_slice() {
            [] => return,
            [(_, v)] => v.clone(),
            many => many
                .iter()
                .map(|(label, v)| format!("{label}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        self.set("notes", json!(notes));
    }

    fn request(&mut self) {
        self.text(Field::FamilyName, "family_name");
        self.phone();
        self.comune();
        let mapping = self.mapping;
        if let Some((jobs, src)) = self.list(Field::Job, values::job, Job::parse) {
            match jobs.as_slice() {
                [job] => self.set("job", json!(job)),
                _ => self.problem(
                    &src,
                    "una richiesta riguarda un solo lavoro: registrare una richiesta per ciascuno"
                        .to_string(),
                ),
            }
        }
        self.live_in();
        if let Some(((min, max), src)) = self.take(Field::Hours, |s| values::hours(&s.cell)) {
            if min == max {
                self.set("hours_per_week", json!(max));
            } else {
                self.problem(
                    &src,
                    "indicare un solo numero di ore settimanali".to_string(),
                );
            }
        }
        let today = self.today;
        if let Some((d, _)) = self.take(Field::StartOn, |s| values::date(&s.cell, today)) {
            self.set("start_on", json!(d));
        }
        if let Some((needs, _)) = self.list(
            Field::Needs,
            |item| {
                let kinds = values::experience_kinds(item);
                if kinds.is_empty() {
                    values::experience(item).map(|_| Vec::new())
                } else {
                    Ok(kinds)
                }
            },
            |word| ExperienceKind::parse(word).map(|k| vec![k]),
        ) {
            let mut flat: Vec<ExperienceKind> = Vec::new();
            for k in needs.concat() {
                if !flat.contains(&k) {
                    flat.push(k);
                }
            }
            self.set("needs", json!(flat));
        }
        let mut requires = Map::new();
        if let Some(v) = self.yes_no(Field::RequiresLicense) {
            requires.insert("driving_license".into(), json!(v));
        }
        if let Some((level, _)) = self.take(Field::ItalianMin, |s| {
            match mapping.and_then(|m| m.value(Field::ItalianMin, &s.cell.display())) {
                Some(word) => Level::parse(word).ok_or_else(|| word.to_string()),
                None => values::level(&s.cell.display()),
            }
        }) {
            requires.insert("italian_min".into(), json!(level));
        }
        if let Some(langs) = self.language_list(Field::RequiredLanguages, None) {
            requires.insert("languages".into(), Value::Array(langs));
        }
        if !requires.is_empty() {
            self.set("requires", Value::Object(requires));
        }
        self.money(Field::Offered, "offered");
        self.notes();
        for key in [
            "family_name",
            "phone",
            "comune",
            "job",
            "live_in",
            "hours_per_week",
            "start_on",
        ] {
            self.require(key);
        }
    }
}

/// The ISTAT code of a comune as written, or why it is not one (with close names).
fn resolve_comune(query: &str) -> std::result::Result<String, String> {
    match Comuni::get().resolve("comune", query) {
        Ok(c) => Ok(c.istat.clone()),
        Err(Error::UnknownComune { suggestions, .. }) => {
            let hint = suggestions
                .iter()
                .map(|s| format!("{} ({})", s.name, s.province))
                .collect::<Vec<_>>()
                .join(", ");
            Err(if hint.is_empty() {
                format!("comune non riconosciuto: «{query}»")
            } else {
                format!("comune non riconosciuto: «{query}» (forse: {hint})")
            })
        }
        Err(e) => Err(e.to_string()),
    }
}

fn lang_label(code: &str) -> String {
    names::language_name(code).unwrap_or(code).to_string()
}

/// The experience a job implies, for a sheet that gives years but no kinds.
fn job_experience(job: Job) -> ExperienceKind {
    match job {
        Job::Badante => ExperienceKind::Elderly,
        Job::Colf => ExperienceKind::Housekeeping,
        Job::Babysitter => ExperienceKind::Children,
        Job::AssistenzaNotturna => ExperienceKind::NightCare,
        Job::AssistenzaOspedaliera => ExperienceKind::Hospital,
    }
}

/// Member states of the European Union (Italy apart), whose citizens need no permit.
fn is_eu(code: &str) -> bool {
    const EU: [&str; 26] = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
        "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ];
    EU.contains(&code)
}

#[cfg(test)]
mod tests;
