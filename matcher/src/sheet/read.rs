//! Bytes of an uploaded file → a grid of cells: CSV in whatever encoding and separator a
//! desk's Excel or LibreOffice produced, XLSX, ODS and old XLS through calamine.

use std::io::Cursor;

use calamine::{Data, Reader};

use crate::date::Date;
use crate::error::{Error, Result};

/// Largest file read (desks' lists are a few hundred kB; this bounds memory per upload).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// One cell as the file holds it; text is kept as typed, understanding comes later.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A spreadsheet date cell (the spreadsheet already knew it was a date).
    Date(Date),
}

impl Cell {
    /// Whether the cell holds nothing, or only spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a person would read it on screen (numbers without a trailing `.0`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string().replace('.', ","),
            Cell::Bool(true) => "VERO".to_string(),
            Cell::Bool(false) => "FALSO".to_string(),
            Cell::Date(d) => {
                let (y, m, dd) = d.ymd();
                format!("{dd:02}/{m:02}/{y:04}")
            }
        }
    }
}

/// What kind of file the bytes were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv {
        /// `"UTF-8"`, `"UTF-16LE"`, `"windows-1252"`…
        encoding: &'static str,
        delimiter: u8,
    },
    Xlsx,
    Xls,
    Ods,
}

impl Format {
    /// The file as the operator would describe it: "CSV (windows-1252, separatore ;)".
    pub fn describe(self) -> String {
        match self {
            Format::Csv {
                encoding,
                delimiter,
            } => {
                let sep = match delimiter {
                    b'\t' => "tabulazione".to_string(),
                    d => (d as char).to_string(),
                };
                format!("CSV ({encoding}, separatore {sep})")
            }
            Format::Xlsx => "Excel (.xlsx)".to_string(),
            Format::Xls => "Excel 97-2003 (.xls)".to_string(),
            Format::Ods => "LibreOffice/OpenOffice (.ods)".to_string(),
        }
    }
}

/// A sheet as rows of cells. `rows[i]` is the row the user sees numbered `i + 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub format: Format,
    /// The sheet read, for spreadsheets (the first one with data).
    pub sheet: Option<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// The cell at 0-based `row` and `col`, `Empty` outside the data.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    /// The widest row's length.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// Reads a CSV, XLSX, ODS or XLS file. `hint` is a content type or a file name; the
/// content decides what the file is (desks rename files, browsers guess types), the hint
/// only helps say what an unsupported file is.
pub fn read_table(bytes: &[u8], hint: Option<&str>) -> Result<Grid> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(
            "file",
            format!(
                "file troppo grande (al massimo {} MB)",
                MAX_BYTES / 1024 / 1024
            ),
        ));
    }
    match sniff(bytes, hint.unwrap_or("")) {
        Kind::Zip => read_zip(bytes),
        Kind::Ole => read_spreadsheet(bytes, Format::Xls),
        Kind::Text => read_csv(bytes),
        Kind::Document(what) => Err(Error::invalid(
            "file",
            format!(
                "{what}: DOM legge solo fogli di calcolo. Copiare la tabella in Excel o LibreOffice Calc e salvarla come .xlsx, .ods o .csv"
            ),
        )),
    }
}

enum Kind {
    Zip,
    Ole,
    Text,
    /// A word-processor or PDF file: desks keep cards in them, DOM cannot read them.
    Document(&'static str),
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn sniff(bytes: &[u8], hint: &str) -> Kind {
    let hint = hint.to_ascii_lowercase();
    if bytes.starts_with(b"%PDF") {
        return Kind::Document("file PDF");
    }
    if bytes.starts_with(b"{\\rtf") {
        return Kind::Document("documento RTF");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // The zip's directory names the parts: a .docx has word/, an .odt says so.
        if contains(bytes, b"word/document.xml") {
            return Kind::Document("documento Word (.docx)");
        }
        if contains(bytes, b"application/vnd.oasis.opendocument.text") {
            return Kind::Document("documento di testo OpenDocument (.odt)");
        }
        return Kind::Zip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // Old .doc and .xls share one container; only the name tells them apart cheaply.
        if hint.ends_with(".doc") || hint.contains("msword") {
            return Kind::Document("documento Word (.doc)");
        }
        return Kind::Ole;
    }
    Kind::Text
}

fn read_zip(bytes: &[u8]) -> Result<Grid> {
    // An ODS file stores its type uncompressed as the first member, at offset 30.
    let ods = bytes
        .get(30..)
        .is_some_and(|b| b.starts_with(b"mimetypeapplication/vnd.oasis.opendocument"));
    if ods {
        read_spreadsheet(bytes, Format::Ods)
    } else {
        read_spreadsheet(bytes, Format::Xlsx)
    }
}

fn unreadable(format: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid(
        "file",
        format!("file {format} illeggibile o danneggiato ({e}); salvarlo di nuovo come .xlsx, .ods o .csv"),
    )
}

fn read_spreadsheet(bytes: &[u8], format: Format) -> Result<Grid> {
    let cursor = Cursor::new(bytes);
    let (sheet, range, merged) = match format {
        Format::Xlsx => {
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(cursor).map_err(|e| unreadable("Excel", e))?;
            let (name, range) = first_sheet(&mut book).map_err(|e| unreadable("Excel", e))?;
            // Merged cells hold their value only in the top-left cell; spreading it keeps
            // a heading merged over two columns, or a comune merged over several rows,
            // attached to every cell it covers.
            let merged = match book.load_merged_regions() {
                Ok(()) => book
                    .merged_regions_by_sheet(&name)
                    .into_iter()
                    .map(|(_, _, d)| (d.start, d.end))
                    .collect(),
                Err(_) => Vec::new(),
            };
            (name, range, merged)
        }
        Format::Ods => {
            let mut book: calamine::Ods<_> = calamine::open_workbook_from_rs(cursor)
                .map_err(|e| unreadable("OpenDocument", e))?;
            let (name, range) =
                first_sheet(&mut book).map_err(|e| unreadable("OpenDocument", e))?;
            (name, range, Vec::new())
        }
        Format::Xls | Format::Csv { .. } => {
            let mut book: calamine::Xls<_> = calamine::open_workbook_from_rs(cursor)
                .map_err(|e| unreadable("Excel 97-2003", e))?;
            let (name, range) =
                first_sheet(&mut book).map_err(|e| unreadable("Excel 97-2003", e))?;
            let merged = book
                .worksheet_merge_cells(&name)
                .unwrap_or_default()
                .into_iter()
                .map(|d| (d.start, d.end))
                .collect();
            (name, range, merged)
        }
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    if let Some((r0, c0)) = range.start() {
        let (r0, c0) = (r0 as usize, c0 as usize);
        rows.resize(r0, Vec::new());
        for row in range.rows() {
            let mut out = vec![Cell::Empty; c0];
            out.extend(row.iter().map(cell_of));
            trim_trailing(&mut out);
            rows.push(out);
        }
    }
    // A merged region reaching past the data (a whole row or column merged, or a
    // damaged file) is clipped to it, so it can neither panic nor allocate at will.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for ((r1, c1), (r2, c2)) in merged {
        let (r1, c1) = (r1 as usize, c1 as usize);
        let r2 = (r2 as usize).min(rows.len().saturating_sub(1));
        let c2 = (c2 as usize).min(width.saturating_sub(1));
        let value = rows
            .get(r1)
            .and_then(|r| r.get(c1))
            .cloned()
            .unwrap_or_default();
        if value.is_blank() || r1 > r2 || c1 > c2 {
            continue;
        }
        for row in &mut rows[r1..=r2] {
            if row.len() <= c2 {
                row.resize(c2 + 1, Cell::Empty);
            }
            for cell in &mut row[c1..=c2] {
                if cell.is_blank() {
                    *cell = value.clone();
                }
            }
        }
    }
    while rows.last().is_some_and(|r| r.iter().all(Cell::is_blank)) {
        rows.pop();
    }
    Ok(Grid {
        format,
        sheet: Some(sheet),
        rows,
    })
}

/// The first sheet holding any value: desks often keep an empty "Foglio1" in front.
fn first_sheet<R, RS>(book: &mut R) -> std::result::Result<(String, calamine::Range<Data>), String>
where
    R: Reader<RS>,
    RS: std::io::Read + std::io::Seek,
    R::Error: std::fmt::Display,
{
    let names = book.sheet_names();
    let mut first: Option<(String, calamine::Range<Data>)> = None;
    for name in names {
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        if range.used_cells().any(|(_, _, d)| !is_blank_data(d)) {
            return Ok((name, range));
        }
        first.get_or_insert((name, range));
    }
    first.ok_or_else(|| "nessun foglio".to_string())
}

fn is_blank_data(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Date::from_ymd(i32::from(y), u32::from(m), u32::from(d))
                .map(Cell::Date)
                .unwrap_or_else(|| Cell::Number(dt.as_f64()))
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        // ODS writes dates as ISO text with an optional time part.
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| d.parse().ok())
            .map(Cell::Date)
            .unwrap_or_else(|| Cell::Text(s.clone())),
        Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

fn trim_trailing(row: &mut Vec<Cell>) {
    while row.last().is_some_and(Cell::is_blank) {
        row.pop();
    }
}

/// Decodes text the way desks' files come: UTF-8 (Excel's "CSV UTF-8" adds a BOM),
/// UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252 — what Italian Excel
/// writes for plain "CSV", and a superset of ISO-8859-1.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), encoding_rs::WINDOWS_1252.name())
        }
    }
}

/// The separator that splits the first lines into the same number of fields most
/// consistently. Italian Excel writes `;` because `,` is the decimal mark, so `;` wins
/// ties, then tab, then `,`.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b';', 0usize);
    for delim in [b';', b'\t', b','] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, delim))
            .collect();
        let mut freq: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(c).or_default() += 1;
        }
        // Lines agreeing on the most common (non-zero) count, weighted a little by the
        // count so "a;b;c;d" beats a stray comma in every line.
        let score = freq
            .iter()
            .map(|(&count, &lines)| lines * 4 + count.min(3))
            .max()
            .unwrap_or(0);
        if score > best.1 {
            best = (delim, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delim: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delim && !quoted {
            n += 1;
        }
    }
    n
}

fn read_csv(bytes: &[u8]) -> Result<Grid> {
    let (text, encoding) = decode(bytes);
    if text.contains('\0') {
        return Err(Error::invalid(
            "file",
            "il file non è un foglio di calcolo né un CSV: caricare un file .csv, .xlsx o .ods",
        ));
    }
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // The csv crate drops blank lines, but a spreadsheet shows them as rows: put them
    // back so row numbers in messages match what the operator sees. A record's position
    // is just after the previous record's line break (inside it, for CRLF); the line
    // breaks from there to the record are blank lines.
    let bytes = text.as_bytes();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::invalid("file", format!("CSV non leggibile alla riga {line}: {e}"))
        })?;
        if let Some(pos) = record.position() {
            let mut i = pos.byte() as usize;
            if i > 0 && bytes.get(i) == Some(&b'\n') && bytes.get(i - 1) == Some(&b'\r') {
                i += 1;
            }
            let mut blank = 0usize;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'\n' => blank += 1,
                    b'\r' if bytes.get(i + 1) != Some(&b'\n') => blank += 1,
                    b'\r' => {}
                    _ => break,
                }
                i += 1;
            }
            rows.extend(std::iter::repeat_n(Vec::new(), blank));
        }
        let mut row: Vec<Cell> = record
            .iter()
            .map(|f| {
                if f.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(unguarded(f).to_string())
                }
            })
            .collect();
        trim_trailing(&mut row);
        rows.push(row);
    }
    while rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    Ok(Grid {
        format: Format::Csv {
            encoding,
            delimiter,
        },
        sheet: None,
        rows,
    })
}

/// A CSV field without the apostrophe that keeps a spreadsheet from reading `+39 …` or
/// `=…` as a formula (`write_csv` adds it; Excel users type it).
fn unguarded(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formula_guard_is_taken_off() {
        assert_eq!(unguarded("'+39 333 1234567"), "+39 333 1234567");
        assert_eq!(unguarded("'=1+1"), "=1+1");
        assert_eq!(unguarded("l'Aquila"), "l'Aquila");
        assert_eq!(unguarded("'ciao"), "'ciao");
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn windows_1252_is_detected_and_decoded() {
        // "Nicoletà;Peña" in Windows-1252: à = 0xE0, ñ = 0xF1.
        let bytes = b"Nome;Cognome\r\nNicolet\xE0;Pe\xF1a\r\n";
        let grid = read_table(bytes, Some("text/csv")).unwrap();
        assert_eq!(
            grid.format,
            Format::Csv {
                encoding: "windows-1252",
                delimiter: b';'
            }
        );
        assert_eq!(grid.rows[1], vec![text("Nicoletà"), text("Peña")]);
    }

    #[test]
    fn utf8_bom_is_removed_and_accents_kept() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("Nome,Città\nIoana,Bălan\n".as_bytes());
        let grid = read_table(&bytes, None).unwrap();
        assert_eq!(grid.rows[0], vec![text("Nome"), text("Città")]);
        assert_eq!(grid.rows[1][1], text("Bălan"));
        assert!(matches!(
            grid.format,
            Format::Csv {
                encoding: "UTF-8",
                delimiter: b','
            }
        ));
    }

    #[test]
    fn delimiter_detection_prefers_consistent_separators() {
        assert_eq!(detect_delimiter("a;b;c\n1,5;2;3\n4;5,5;6\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(detect_delimiter("a,b,c\n1,2,3\n\"x;y\",2,3\n"), b',');
        // A title line without separators does not decide.
        assert_eq!(
            detect_delimiter("Elenco 2025\nNome;Cognome\nAna;Pop\n"),
            b';'
        );
    }

    #[test]
    fn quoted_fields_keep_separators_and_new_lines() {
        let grid = read_table(b"Nome;Note\nAna;\"cucina; stira\nbene\"\n", None).unwrap();
        assert_eq!(grid.rows[1][1], text("cucina; stira\nbene"));
        assert_eq!(grid.rows.len(), 2);
        // Blank lines stay rows, so row numbers match the spreadsheet's.
        for file in [
            &b"Nome;Note\n\nAna;\"a\nb\"\n\nIoana;x\n"[..],
            &b"Nome;Note\r\n\r\nAna;\"a\r\nb\"\r\n\r\nIoana;x\r\n"[..],
            &b"\nNome;Note\r\rAna;\"a\rb\"\r\rIoana;x"[..],
        ] {
            let grid = read_table(file, None).unwrap();
            let first = grid.rows.iter().position(|r| !r.is_empty()).unwrap();
            let rows = &grid.rows[first..];
            assert_eq!(rows.len(), 5, "{grid:?}");
            assert_eq!(rows[4][0], text("Ioana"));
            assert!(rows[1].is_empty() && rows[3].is_empty());
        }
    }

    #[test]
    fn binary_garbage_is_refused_with_an_italian_message() {
        let err = read_table(b"PK\x03\x04garbage", None).unwrap_err();
        assert!(err.to_string().contains("illeggibile"), "{err}");
        let err = read_table(&[0u8, 1, 2, 0, 0], None).unwrap_err();
        assert_eq!(err.field(), Some("file"));
    }

    #[test]
    fn word_and_pdf_files_are_named_in_the_refusal() {
        let err = read_table(b"%PDF-1.7 ...", Some("schede.pdf")).unwrap_err();
        assert!(err.to_string().starts_with("file PDF"), "{err}");
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml....";
        let err = read_table(docx, None).unwrap_err();
        assert!(err.to_string().contains("Word (.docx)"), "{err}");
        let err = read_table(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], Some("Schede 2019.DOC")).unwrap_err();
        assert!(err.to_string().contains("Word (.doc)"), "{err}");
        // The same container named .xls is read as a spreadsheet (here: a broken one).
        let err = read_table(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], Some("elenco.xls")).unwrap_err();
        assert!(err.to_string().contains("Excel 97-2003"), "{err}");
    }

    #[test]
    fn cells_display_as_on_screen() {
        assert_eq!(Cell::Number(3331234567.0).display(), "3331234567");
        assert_eq!(Cell::Number(1.5).display(), "1,5");
        assert_eq!(
            Cell::Date(Date::from_ymd(2026, 3, 1).unwrap()).display(),
            "01/03/2026"
        );
        assert!(text("  ").is_blank() && !Cell::Number(0.0).is_blank());
    }
}
