//! Tables that open right in Italian Excel and LibreOffice: CSV (UTF-8 with BOM, `;`,
//! decimal comma, `66,7%`, dd/mm/yyyy) and XLSX; and the desk's worker cards as such a
//! table, under the headings the importer recognises, so export → import round-trips.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::comuni::Comuni;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{ExperienceKind, Job, LiveIn, PermitKind, Worker};
use crate::names;

/// One typed cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    Empty,
    Text(String),
    Integer(i64),
    /// Shown with up to two decimals.
    Decimal(f64),
    /// A fraction: 0.667 is shown as 66,7%.
    Percent(f64),
    Date(Date),
    /// Euro, two decimals.
    Money(f64),
}

impl From<&str> for TableCell {
    fn from(s: &str) -> TableCell {
        TableCell::Text(s.to_string())
    }
}

impl From<String> for TableCell {
    fn from(s: String) -> TableCell {
        TableCell::Text(s)
    }
}

/// A titled table: one section of a review, or a list of cards.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

/// How several tables share an XLSX file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XlsxLayout {
    /// One sheet per table, named after its title.
    SheetPerTable,
    /// All on one sheet, a blank row between tables (like the CSV).
    Stacked,
}

fn comma_decimal(x: f64, places: usize) -> String {
    format!("{x:.places$}").replace('.', ",")
}

/// Up to two decimals, trailing zeros dropped: 1.5 → "1,5", 2.0 → "2".
fn short_decimal(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first: names and notes
/// come from users, and phones start with `+`) behind an apostrophe, which shows it as
/// typed; the importer takes the apostrophe off again.
fn formula_guarded(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The cell as Italian Excel reads it from a CSV.
pub fn csv_text(cell: &TableCell) -> String {
    match cell {
        TableCell::Empty => String::new(),
        TableCell::Text(s) => formula_guarded(s),
        TableCell::Integer(i) => i.to_string(),
        TableCell::Decimal(x) => short_decimal(*x),
        TableCell::Percent(x) => format!("{}%", comma_decimal(x * 100.0, 1)),
        TableCell::Date(d) => {
            let (y, m, dd) = d.ymd();
            format!("{dd:02}/{m:02}/{y:04}")
        }
        TableCell::Money(x) => comma_decimal(*x, 2),
    }
}

/// The tables as one CSV for Italian Excel: UTF-8 with BOM (so accents survive), `;`
/// (the comma is the decimal mark), CRLF, each table under a title line and separated
/// from the next by a blank line.
pub fn write_csv(tables: &[Table]) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        // Writing to a Vec cannot fail; a failure would only lose this table's lines.
        let _ = w.write_record([table.title.as_str()]);
        let _ = w.write_record(&table.headings);
        for row in &table.rows {
            let _ = w.write_record(row.iter().map(csv_text));
        }
        if let Ok(bytes) = w.into_inner() {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Io(std::io::Error::other(format!(
        "scrittura XLSX non riuscita: {e}"
    )))
}

struct Formats {
    title: Format,
    heading: Format,
    integer: Format,
    decimal: Format,
    percent: Format,
    date: Format,
    money: Format,
    text: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            heading: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            integer: Format::new().set_num_format("0"),
            decimal: Format::new().set_num_format("#,##0.##"),
            percent: Format::new().set_num_format("0.0%"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            money: Format::new().set_num_format("#,##0.00 \"€\""),
            // Text stays text: "0564…" phones and "20-54" hours must not become numbers.
            text: Format::new().set_num_format("@"),
        }
    }
}

/// Writes one table from `row`; returns the next free row.
fn put_table(ws: &mut Worksheet, f: &Formats, table: &Table, row: u32) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, &table.title, &f.title)?;
    for (c, h) in table.headings.iter().enumerate() {
        ws.write_string_with_format(row + 1, c as u16, h, &f.heading)?;
    }
    let mut r = row + 2;
    for cells in &table.rows {
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                TableCell::Empty => {}
                TableCell::Text(s) => {
                    ws.write_string_with_format(r, c, s, &f.text)?;
                }
                TableCell::Integer(i) => {
                    ws.write_number_with_format(r, c, *i as f64, &f.integer)?;
                }
                TableCell::Decimal(x) => {
                    ws.write_number_with_format(r, c, *x, &f.decimal)?;
                }
                TableCell::Percent(x) => {
                    ws.write_number_with_format(r, c, *x, &f.percent)?;
                }
                TableCell::Money(x) => {
                    ws.write_number_with_format(r, c, *x, &f.money)?;
                }
                TableCell::Date(d) => {
                    let (y, m, dd) = d.ymd();
                    match ExcelDateTime::from_ymd(y as u16, m as u8, dd as u8) {
                        Ok(dt) => ws.write_datetime_with_format(r, c, &dt, &f.date)?,
                        Err(_) => ws.write_string(r, c, csv_text(cell))?,
                    };
                }
            }
        }
        r += 1;
    }
    Ok(r)
}

/// A valid, unique sheet name from a title (at most 31 characters, no `[]:*?/\`).
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .collect::<String>()
        .trim()
        .trim_matches('\'')
        .chars()
        .take(28)
        .collect();
    let base = if clean.is_empty() {
        "Foglio".to_string()
    } else {
        clean
    };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

/// The tables as an XLSX file: bold headings, Italian number formats, real date cells.
pub fn write_xlsx(tables: &[Table], layout: XlsxLayout) -> Result<Vec<u8>> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let mut used = Vec::new();
    match layout {
        XlsxLayout::SheetPerTable => {
            for table in tables {
                let ws = book.add_worksheet();
                ws.set_name(sheet_name(&table.title, &mut used))
                    .map_err(xlsx_error)?;
                put_table(ws, &f, table, 0).map_err(xlsx_error)?;
                ws.autofit();
            }
        }
        XlsxLayout::Stacked => {
            let ws = book.add_worksheet();
            ws.set_name("Dati").map_err(xlsx_error)?;
            let mut row = 0;
            for table in tables {
                row = put_table(ws, &f, table, row).map_err(xlsx_error)? + 1;
            }
            ws.autofit();
        }
    }
    if tables.is_empty() {
        book.add_worksheet();
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// The headings of the worker export: each one is a heading the importer recognises.
pub const WORKER_HEADINGS: [&str; 19] = [
    "Nome",
    "Cognome",
    "Anno di nascita",
    "Sesso",
    "Cittadinanza",
    "Telefono",
    "Comune",
    "Mansione",
    "Convivenza",
    "Ore settimanali",
    "Lingue",
    "Esperienza",
    "Patente",
    "Distanza massima (km)",
    "Permesso di soggiorno",
    "Scadenza permesso",
    "Paga richiesta",
    "Note",
    "Data consenso",
];

/// A job in the words desks use (and the importer reads back).
pub fn job_words(job: Job) -> &'static str {
    match job {
        Job::Colf => "colf",
        Job::Badante => "badante",
        Job::Babysitter => "baby sitter",
        Job::AssistenzaNotturna => "assistenza notturna",
        Job::AssistenzaOspedaliera => "assistenza ospedaliera",
    }
}

fn live_in_words(l: LiveIn) -> &'static str {
    match l {
        LiveIn::Yes => "convivente",
        LiveIn::No => "non convivente",
        LiveIn::Either => "indifferente",
    }
}

/// Experience in desk words that name one kind only.
pub fn experience_words(k: ExperienceKind) -> &'static str {
    match k {
        ExperienceKind::Elderly => "anziani",
        ExperienceKind::Dementia => "demenza",
        ExperienceKind::Disability => "disabilità",
        ExperienceKind::Children => "bambini",
        ExperienceKind::Newborn => "neonati",
        ExperienceKind::Housekeeping => "pulizie",
        ExperienceKind::Cooking => "cucina",
        ExperienceKind::Mobility => "mobilità ridotta",
        ExperienceKind::NightCare => "assistenza notturna",
        ExperienceKind::Hospital => "assistenza in ospedale",
    }
}

/// A permit in desk words.
pub fn permit_words(k: PermitKind) -> &'static str {
    match k {
        PermitKind::EuCitizen => "cittadinanza UE",
        PermitKind::Italian => "cittadinanza italiana",
        PermitKind::Work => "lavoro",
        PermitKind::Family => "motivi familiari",
        PermitKind::LongTerm => "soggiornante di lungo periodo",
        PermitKind::Protection => "protezione",
        PermitKind::Study => "studio",
        PermitKind::RenewalPending => "in rinnovo",
        PermitKind::None => "nessuno",
    }
}

/// The comune's name, with its province when the name alone is shared by several.
fn comune_words(istat: &str) -> String {
    let comuni = Comuni::get();
    match comuni.by_code(istat) {
        Some(c) => match comuni.resolve("comune", &c.name) {
            Ok(found) if found.istat == c.istat => c.name.clone(),
            _ => format!("{} ({})", c.name, c.province),
        },
        None => istat.to_string(),
    }
}

fn text_or_empty(s: String) -> TableCell {
    if s.is_empty() {
        TableCell::Empty
    } else {
        TableCell::Text(s)
    }
}

/// The desk's worker cards as a table with the importer's own headings.
pub fn workers_table(workers: &[Worker]) -> Table {
    // A desk's cards name a few comuni many times; resolving a name scans every comune.
    let mut comuni: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    let rows = workers
        .iter()
        .map(|w| {
            let comune = comuni
                .entry(w.comune.as_str())
                .or_insert_with(|| comune_words(&w.comune))
                .clone();
            let join = |v: Vec<String>| text_or_empty(v.join(", "));
            // An incomplete card's placeholders are not the desk's data: left blank, so
            // the card comes back incomplete from an import of this table.
            let known = |key: &str, cell: TableCell| {
                if w.missing.iter().any(|m| m == key) {
                    TableCell::Empty
                } else {
                    cell
                }
            };
            vec![
                TableCell::Text(w.given_name.clone()),
                TableCell::Text(w.family_name.clone()),
                known("birth_year", TableCell::Integer(i64::from(w.birth_year))),
                w.gender.map_or(TableCell::Empty, |g| g.as_str().into()),
                w.nationality.as_deref().map_or(TableCell::Empty, |c| {
                    names::country_name(c).unwrap_or(c).into()
                }),
                TableCell::Text(w.phone.clone()),
                TableCell::Text(comune),
                known(
                    "jobs",
                    join(w.jobs.iter().map(|j| job_words(*j).to_string()).collect()),
                ),
                known("live_in", live_in_words(w.live_in).into()),
                known(
                    "hours_per_week",
                    TableCell::Text(if w.hours_per_week.min == w.hours_per_week.max {
                        w.hours_per_week.max.to_string()
                    } else {
                        format!("{}-{}", w.hours_per_week.min, w.hours_per_week.max)
                    }),
                ),
                join(
                    w.languages
                        .iter()
                        .map(|l| {
                            format!(
                                "{} {}",
                                names::language_name(&l.code).unwrap_or(&l.code),
                                l.level
                            )
                        })
                        .collect(),
                ),
                join(
                    w.experience
                        .iter()
                        .map(|e| format!("{} {} anni", experience_words(e.kind), e.years))
                        .collect(),
                ),
                (if w.driving_license { "sì" } else { "no" }).into(),
                TableCell::Integer(i64::from(w.max_travel_km)),
                known("permit", permit_words(w.permit.kind).into()),
                known(
                    "permit.expires_on",
                    w.permit
                        .expires_on
                        .map_or(TableCell::Empty, TableCell::Date),
                ),
                w.wage_expectation
                    .map_or(TableCell::Empty, |m| TableCell::Money(m.monthly_eur)),
                text_or_empty(w.notes.clone()),
                known("consent", TableCell::Date(w.consent.given_on)),
            ]
        })
        .collect();
    Table {
        title: "Schede lavoratori".to_string(),
        headings: WORKER_HEADINGS.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Table> {
        vec![
            Table {
                title: "Esiti".into(),
                headings: vec![
                    "Fascia".into(),
                    "Proposte".into(),
                    "Tasso".into(),
                    "Data".into(),
                    "Paga".into(),
                ],
                rows: vec![vec![
                    "70-80".into(),
                    TableCell::Integer(3),
                    TableCell::Percent(2.0 / 3.0),
                    TableCell::Date(Date::from_ymd(2026, 3, 1).unwrap()),
                    TableCell::Money(1100.5),
                ]],
            },
            Table {
                title: "Città".into(),
                headings: vec!["Comune".into(), "Media".into()],
                rows: vec![vec!["Orbetello; GR".into(), TableCell::Decimal(1.5)]],
            },
        ]
    }

    #[test]
    fn csv_is_what_italian_excel_expects() {
        let bytes = write_csv(&sample());
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "Esiti\r\nFascia;Proposte;Tasso;Data;Paga\r\n70-80;3;66,7%;01/03/2026;1100,50\r\n\r\nCittà\r\nComune;Media\r\n\"Orbetello; GR\";1,5\r\n"
        );
    }

    #[test]
    fn xlsx_opens_with_typed_cells() {
        let bytes = write_xlsx(&sample(), XlsxLayout::SheetPerTable).unwrap();
        let grid = crate::sheet::read::read_table(&bytes, None).unwrap();
        use crate::sheet::read::Cell;
        assert_eq!(grid.sheet.as_deref(), Some("Esiti"));
        assert_eq!(grid.rows[2][1], Cell::Number(3.0));
        assert_eq!(
            grid.rows[2][3],
            Cell::Date(Date::from_ymd(2026, 3, 1).unwrap())
        );
        assert_eq!(grid.rows[2][4], Cell::Number(1100.5));
        let stacked = write_xlsx(&sample(), XlsxLayout::Stacked).unwrap();
        let grid = crate::sheet::read::read_table(&stacked, None).unwrap();
        assert_eq!(grid.rows[4], vec![Cell::Text("Città".into())]);
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        assert_eq!(
            sheet_name("Esiti: per fascia [2026]", &mut used),
            "Esiti per fascia 2026"
        );
        assert_eq!(
            sheet_name("Esiti: per fascia [2026]", &mut used),
            "Esiti per fascia 2026 2"
        );
        assert_eq!(sheet_name("", &mut used), "Foglio");
    }
}
