//! Finds the heading row of a desk's sheet (below title rows, possibly under merged group
//! headings) and recognises its columns by the names desks use, without configuration.

use crate::error::{Error, Result};

use super::mapping::Mapping;
use super::read::Grid;
use super::values::words;

/// What a sheet describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Workers,
    Requests,
}

/// A column's meaning: a field of the create body, or a source of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    GivenName,
    FamilyName,
    /// "Nome e cognome": given name first.
    FullName,
    /// "Cognome e nome": family name first.
    FullNameReversed,
    BirthYear,
    Gender,
    Nationality,
    Phone,
    Comune,
    Jobs,
    LiveIn,
    Hours,
    HoursMin,
    HoursMax,
    Languages,
    ItalianLevel,
    Experience,
    ExperienceYears,
    DrivingLicense,
    MaxTravelKm,
    Permit,
    PermitExpiry,
    Wage,
    Notes,
    ConsentDate,
    Job,
    StartOn,
    Needs,
    RequiredLanguages,
    ItalianMin,
    RequiresLicense,
    Offered,
    /// Named in a mapping file as a column to leave out, so it is not reported.
    Ignore,
}

impl Field {
    /// The name used in mapping files: the create body's JSON path where there is one.
    pub fn key(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::FullName => "full_name",
            Field::FullNameReversed => "full_name_reversed",
            Field::BirthYear => "birth_year",
            Field::Gender => "gender",
            Field::Nationality => "nationality",
            Field::Phone => "phone",
            Field::Comune => "comune",
            Field::Jobs => "jobs",
            Field::LiveIn => "live_in",
            Field::Hours => "hours_per_week",
            Field::HoursMin => "hours_per_week.min",
            Field::HoursMax => "hours_per_week.max",
            Field::Languages => "languages",
            Field::ItalianLevel => "italian_level",
            Field::Experience => "experience",
            Field::ExperienceYears => "experience_years",
            Field::DrivingLicense => "driving_license",
            Field::MaxTravelKm => "max_travel_km",
            Field::Permit => "permit",
            Field::PermitExpiry => "permit.expires_on",
            Field::Wage => "wage_expectation",
            Field::Notes => "notes",
            Field::ConsentDate => "consent",
            Field::Job => "job",
            Field::StartOn => "start_on",
            Field::Needs => "needs",
            Field::RequiredLanguages => "requires.languages",
            Field::ItalianMin => "requires.italian_min",
            Field::RequiresLicense => "requires.driving_license",
            Field::Offered => "offered",
            Field::Ignore => "ignore",
        }
    }

    /// The field a mapping file names, for a sheet of `kind`.
    pub fn from_key(kind: Kind, key: &str) -> Option<Field> {
        let key = key.trim();
        fields(kind)
            .iter()
            .map(|(f, _)| *f)
            .chain([Field::Ignore])
            .find(|f| f.key() == key)
    }
}

/// The phone headings of both kinds of sheet with `$extra` ones before "phone": a macro,
/// as a const slice cannot be extended.
macro_rules! phone_headings {
    ($($extra:literal),*) => {
        &[
            "telefono", "cellulare", "tel", "cell", "recapito", "recapito telefonico",
            "numero di telefono", $($extra,)* "phone",
        ]
    };
}

/// The weekly hours headings of both kinds of sheet with `$extra` ones among them.
macro_rules! hours_headings {
    ($($extra:literal),*) => {
        &[
            "ore settimanali", "ore", "ore a settimana", "ore sett", "ore alla settimana",
            $($extra,)* "orario settimanale", "hours per week",
        ]
    };
}

/// Headings desks use, folded (lowercase, no accents, words separated by one space).
const WORKER_FIELDS: &[(Field, &[&str])] = &[
    (
        Field::GivenName,
        &[
            "nome",
            "nome di battesimo",
            "first name",
            "given name",
            "nome lavoratrice",
            "nome lavoratore",
        ],
    ),
    (
        Field::FamilyName,
        &[
            "cognome",
            "cognome lavoratrice",
            "cognome lavoratore",
            "family name",
            "surname",
        ],
    ),
    (
        Field::FullName,
        &[
            "nome e cognome",
            "nome cognome",
            "nominativo",
            "nome completo",
            "lavoratrice",
            "lavoratore",
        ],
    ),
    (Field::FullNameReversed, &["cognome e nome", "cognome nome"]),
    (
        Field::BirthYear,
        &[
            "anno di nascita",
            "anno nascita",
            "data di nascita",
            "data nascita",
            "nata il",
            "nato il",
            "nascita",
            "birth year",
        ],
    ),
    (Field::Gender, &["sesso", "genere", "m f", "gender"]),
    (
        Field::Nationality,
        &[
            "cittadinanza",
            "nazionalita",
            "paese di origine",
            "paese",
            "provenienza",
            "nazione",
            "stato di nascita",
            "nationality",
        ],
    ),
    (
        Field::Phone,
        phone_headings!("n telefono", "telefono cellulare"),
    ),
    (
        Field::Comune,
        &[
            "comune",
            "residenza",
            "comune di residenza",
            "comune residenza",
            "citta",
            "domicilio",
            "localita",
            "comune di domicilio",
        ],
    ),
    (
        Field::Jobs,
        &[
            "mansione",
            "mansioni",
            "lavoro cercato",
            "lavoro",
            "tipo di lavoro",
            "lavori",
            "profilo",
            "jobs",
        ],
    ),
    (
        Field::LiveIn,
        &[
            "convivenza",
            "convivente",
            "disponibile convivenza",
            "disponibilita convivenza",
            "tipo di rapporto",
            "live in",
        ],
    ),
    (Field::Hours, hours_headings!("disponibilita oraria")),
    (
        Field::HoursMin,
        &[
            "ore minime",
            "ore min",
            "minimo ore",
            "ore settimanali minime",
        ],
    ),
    (
        Field::HoursMax,
        &[
            "ore massime",
            "ore max",
            "massimo ore",
            "ore settimanali massime",
        ],
    ),
    (
        Field::Languages,
        &[
            "lingue",
            "lingue parlate",
            "lingue conosciute",
            "altre lingue",
            "lingua",
            "languages",
        ],
    ),
    (
        Field::ItalianLevel,
        &[
            "livello italiano",
            "livello di italiano",
            "italiano",
            "conoscenza italiano",
            "conoscenza lingua italiana",
            "livello lingua italiana",
        ],
    ),
    (
        Field::Experience,
        &[
            "esperienza",
            "esperienze",
            "esperienza con",
            "esperienze lavorative",
            "competenze",
            "experience",
        ],
    ),
    (
        Field::ExperienceYears,
        &[
            "anni di esperienza",
            "anni esperienza",
            "anni di lavoro",
            "anni",
        ],
    ),
    (
        Field::DrivingLicense,
        &[
            "patente",
            "patente b",
            "patente di guida",
            "automunita",
            "automunito",
            "driving license",
        ],
    ),
    (
        Field::MaxTravelKm,
        &[
            "distanza massima",
            "distanza massima km",
            "distanza max",
            "km",
            "max km",
            "km massimi",
            "raggio km",
            "spostamenti km",
            "distanza",
        ],
    ),
    (
        Field::Permit,
        &[
            "permesso di soggiorno",
            "permesso",
            "tipo permesso",
            "tipo di permesso",
            "titolo di soggiorno",
            "pds",
            "permit",
        ],
    ),
    (
        Field::PermitExpiry,
        &[
            "scadenza permesso",
            "scadenza permesso di soggiorno",
            "scadenza",
            "scadenza pds",
            "data scadenza permesso",
            "valido fino al",
            "scadenza titolo di soggiorno",
        ],
    ),
    (
        Field::Wage,
        &[
            "paga richiesta",
            "paga",
            "retribuzione richiesta",
            "stipendio richiesto",
            "compenso richiesto",
            "richiesta economica",
            "stipendio",
            "retribuzione",
            "paga mensile",
        ],
    ),
    (
        Field::Notes,
        &["note", "annotazioni", "osservazioni", "commenti", "notes"],
    ),
    (
        Field::ConsentDate,
        &[
            "data consenso",
            "consenso",
            "consenso privacy",
            "data consenso privacy",
            "privacy",
            "data firma privacy",
            "informativa firmata il",
        ],
    ),
];

const REQUEST_FIELDS: &[(Field, &[&str])] = &[
    (
        Field::FamilyName,
        &[
            "famiglia",
            "cognome",
            "cognome famiglia",
            "nome famiglia",
            "referente",
            "richiedente",
            "nominativo",
            "datore di lavoro",
            "nome e cognome",
            "cognome e nome",
        ],
    ),
    (Field::Phone, phone_headings!()),
    (
        Field::Comune,
        &[
            "comune",
            "residenza",
            "comune di residenza",
            "citta",
            "localita",
            "comune di lavoro",
            "luogo di lavoro",
        ],
    ),
    (
        Field::Job,
        &[
            "mansione",
            "lavoro",
            "figura richiesta",
            "tipo di lavoro",
            "profilo richiesto",
            "figura",
            "job",
        ],
    ),
    (
        Field::LiveIn,
        &["convivenza", "convivente", "tipo di rapporto", "live in"],
    ),
    (Field::Hours, hours_headings!()),
    (
        Field::StartOn,
        &[
            "data inizio",
            "inizio",
            "dal",
            "decorrenza",
            "a partire da",
            "data di inizio",
            "inizio lavoro",
            "start on",
        ],
    ),
    (
        Field::Needs,
        &[
            "esigenze",
            "bisogni",
            "necessita",
            "assistenza richiesta",
            "esperienza richiesta",
            "needs",
        ],
    ),
    (
        Field::RequiresLicense,
        &[
            "patente",
            "patente richiesta",
            "serve patente",
            "automunita",
        ],
    ),
    (
        Field::ItalianMin,
        &[
            "italiano minimo",
            "livello italiano",
            "italiano",
            "livello italiano minimo",
            "livello minimo italiano",
        ],
    ),
    (
        Field::RequiredLanguages,
        &["lingue richieste", "lingue", "altre lingue"],
    ),
    (
        Field::Offered,
        &[
            "paga offerta",
            "paga",
            "retribuzione",
            "stipendio",
            "compenso",
            "retribuzione offerta",
            "offerta economica",
            "paga mensile",
        ],
    ),
    (
        Field::Notes,
        &[
            "note",
            "descrizione",
            "situazione",
            "annotazioni",
            "osservazioni",
            "notes",
        ],
    ),
];

/// The fields a sheet of `kind` may hold, with the headings that name them.
pub fn fields(kind: Kind) -> &'static [(Field, &'static [&'static str])] {
    match kind {
        Kind::Workers => WORKER_FIELDS,
        Kind::Requests => REQUEST_FIELDS,
    }
}

/// One column of the sheet and what it was recognised as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// 0-based.
    pub index: usize,
    /// The heading as the sheet shows it (group heading included when it decided).
    pub label: String,
    /// `None`: not recognised (reported to the operator, values not imported).
    pub field: Option<Field>,
    /// Another column already gave this field; this one is not imported.
    pub duplicate: bool,
}

/// The heading row found and its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 0-based index of the heading row; data starts on the next row.
    pub row: usize,
    pub columns: Vec<Column>,
}

impl Header {
    /// The column giving `field`, if any.
    pub fn column(&self, field: Field) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.field == Some(field) && !c.duplicate)
    }
}

/// How many rows from the top a heading row is looked for (titles, logos, dates).
const SEARCH_ROWS: usize = 30;
/// Fewer recognised columns than this is not a heading row but a stray word.
const MIN_RECOGNISED: usize = 2;

/// Folded heading: "Anno di nascita*" → "anno di nascita".
pub fn fold_label(s: &str) -> String {
    words(s).join(" ")
}

/// The field `label` names for `kind`, exactly or with a small typo; `None` when nothing
/// or two fields match equally well.
pub fn recognise(kind: Kind, label: &str) -> Option<Field> {
    let key = fold_label(label);
    if key.is_empty() {
        return None;
    }
    let table = fields(kind);
    if let Some((f, _)) = table
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
    {
        return Some(*f);
    }
    let tolerance = match key.chars().count() {
        0..=4 => return None,
        5..=9 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, Field)> = None;
    let mut tie = false;
    for (f, names) in table {
        for name in *names {
            if name.len().abs_diff(key.len()) > tolerance {
                continue;
            }
            let d = strsim::osa_distance(&key, name);
            if d > tolerance {
                continue;
            }
            match best {
                Some((bd, bf)) if d == bd && bf != *f => tie = true,
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, *f));
                    tie = false;
                }
            }
        }
    }
    match (best, tie) {
        (Some((_, f)), false) => Some(f),
        _ => None,
    }
}

/// Finds the heading row: the row among the first ones whose columns name the most
/// known fields, reading a group heading above it (merged over several columns) where a
/// column's own heading says nothing ("Permesso di soggiorno" over "Tipo" | "Scadenza").
pub fn find_header(grid: &Grid, kind: Kind, mapping: Option<&Mapping>) -> Result<Header> {
    let mut best: Option<(usize, Header)> = None;
    for r in 0..grid.rows.len().min(SEARCH_ROWS) {
        let row = &grid.rows[r];
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let header = columns_at(grid, r, kind, mapping);
        let score = header
            .columns
            .iter()
            .filter(|c| c.field.is_some() && !c.duplicate && c.field != Some(Field::Ignore))
            .count();
        if score >= MIN_RECOGNISED && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, header));
        }
    }
    best.map(|(_, h)| h).ok_or_else(|| {
        let expected = match kind {
            Kind::Workers => "Nome, Cognome, Telefono, Comune, Mansione",
            Kind::Requests => "Famiglia, Telefono, Comune, Mansione, Data inizio",
        };
        Error::invalid(
            "file",
            format!(
                "riga di intestazione non trovata nelle prime {SEARCH_ROWS} righe: servono colonne come {expected} (oppure un file di corrispondenze --mapping)"
            ),
        )
    })
}

fn columns_at(grid: &Grid, r: usize, kind: Kind, mapping: Option<&Mapping>) -> Header {
    let own = &grid.rows[r];
    let above = r.checked_sub(1).map(|a| &grid.rows[a]);
    let width = own.len().max(above.map_or(0, Vec::len));
    let mut group = String::new();
    let mut columns: Vec<Column> = Vec::new();
    for c in 0..width {
        let sub = grid.cell(r, c).display();
        if let Some(above) = above {
            match above.get(c).map(|cell| cell.display()) {
                Some(text) if !text.is_empty() => group = text,
                // A merged group heading (ODS and CSV keep it in the first cell only)
                // covers the columns to its right that have headings of their own.
                _ if sub.is_empty() => group.clear(),
                _ => {}
            }
        }
        let find = |label: &str| -> Option<Field> {
            mapping
                .and_then(|m| m.column(kind, label))
                .or_else(|| recognise(kind, label))
        };
        let (label, field) = match (sub.is_empty(), group.is_empty()) {
            (true, true) => continue,
            (true, false) => (group.clone(), find(&group)),
            (false, true) => (sub.clone(), find(&sub)),
            (false, false) => {
                let combined = format!("{group} {sub}");
                match mapping
                    .and_then(|m| m.column(kind, &combined))
                    .or_else(|| find(&sub))
                {
                    Some(f) => (sub.clone(), Some(f)),
                    None => match find(&group) {
                        Some(f) => (combined, Some(f)),
                        None => (sub.clone(), None),
                    },
                }
            }
        };
        // Notes may come from several columns; any other field from one only.
        let duplicate = field.is_some_and(|f| {
            !matches!(f, Field::Ignore | Field::Notes)
                && columns.iter().any(|c| c.field == Some(f) && !c.duplicate)
        });
        columns.push(Column {
            index: c,
            label,
            field,
            duplicate,
        });
    }
    Header { row: r, columns }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::test_util::grid;

    #[test]
    fn headings_ignore_case_accents_punctuation_and_typos() {
        let k = Kind::Workers;
        assert_eq!(recognise(k, "NAZIONALITÀ"), Some(Field::Nationality));
        assert_eq!(recognise(k, "Anno di nascita*"), Some(Field::BirthYear));
        assert_eq!(recognise(k, "Data di nascita"), Some(Field::BirthYear));
        assert_eq!(recognise(k, "Cellulare"), Some(Field::Phone));
        assert_eq!(recognise(k, "Permesso di sogiorno"), Some(Field::Permit));
        assert_eq!(recognise(k, "Ore settimanli"), Some(Field::Hours));
        assert_eq!(recognise(k, "Residenza"), Some(Field::Comune));
        assert_eq!(recognise(k, "Data consenso"), Some(Field::ConsentDate));
        assert_eq!(recognise(k, "Nome e cognome"), Some(Field::FullName));
        assert_eq!(recognise(k, "E-mail"), None);
        assert_eq!(
            recognise(Kind::Requests, "Patente"),
            Some(Field::RequiresLicense)
        );
        assert_eq!(recognise(Kind::Requests, "Paga"), Some(Field::Offered));
    }

    #[test]
    fn every_listed_heading_is_recognised_as_itself() {
        for kind in [Kind::Workers, Kind::Requests] {
            for (field, names) in fields(kind) {
                for name in *names {
                    assert_eq!(recognise(kind, name), Some(*field), "{name}");
                }
            }
        }
    }

    #[test]
    fn title_rows_are_skipped_and_group_headings_read() {
        let g = grid(&[
            &["Elenco lavoratrici - Sportello di Grosseto"],
            &[],
            &["Anagrafica", "", "Permesso di soggiorno", "", "Contatti"],
            &["Nome", "Cognome", "Tipo", "Scadenza", "", "Email"],
            &[
                "Ana",
                "Pop",
                "lavoro",
                "01/01/2027",
                "333 1234567",
                "a@b.it",
            ],
        ]);
        let h = find_header(&g, Kind::Workers, None).unwrap();
        assert_eq!(h.row, 3);
        let fields: Vec<Option<Field>> = h.columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            vec![
                Some(Field::GivenName),
                Some(Field::FamilyName),
                Some(Field::Permit),
                Some(Field::PermitExpiry),
                None,
                None
            ]
        );
        assert_eq!(h.columns[2].label, "Permesso di soggiorno Tipo");
        assert_eq!(h.columns[5].label, "Email");
    }

    #[test]
    fn a_second_column_for_the_same_field_is_marked() {
        let g = grid(&[&["Nome", "Cognome", "Telefono", "Cellulare"]]);
        let h = find_header(&g, Kind::Workers, None).unwrap();
        assert!(!h.columns[2].duplicate && h.columns[3].duplicate);
        assert_eq!(h.column(Field::Phone).map(|c| c.index), Some(2));
    }

    #[test]
    fn no_heading_row_is_an_italian_error() {
        let g = grid(&[&["a", "b"], &["c", "d"]]);
        let err = find_header(&g, Kind::Workers, None).unwrap_err();
        assert!(err.to_string().contains("intestazione"), "{err}");
    }
}
