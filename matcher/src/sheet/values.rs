//! Italian cell values → the API's vocabulary: dates, yes/no, money the Italian way,
//! phones in any spelling, jobs, live-in, permits, languages with levels, experience.
//! Every function answers either the value or an Italian sentence saying what is wrong.

use crate::date::Date;
use crate::model::{ExperienceKind, Gender, Job, Level, LiveIn, PermitKind};
use crate::names;
use crate::text::fold;

use super::read::Cell;

/// A value understood, or why not (Italian, shown to the operator beside the cell).
pub type Understood<T> = std::result::Result<T, String>;

/// Folded words of `s` (lowercase, accents removed, split at anything not a letter or
/// digit): "Sì, convivente!" → ["si", "convivente"].
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Folded words joined by one space: "Totale:" → "totale".
pub fn fold_words(s: &str) -> String {
    words(s).join(" ")
}

/// The parts of a list cell: "badante, colf e baby sitter" → three items.
pub fn items(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in s.split([',', ';', '/', '+', '\n', '|']) {
        for piece in part.split(" e ") {
            let piece = piece.trim().trim_matches(['-', '.', '(', ')']).trim();
            if !piece.is_empty() {
                out.push(piece.to_string());
            }
        }
    }
    out
}

/// Whether `phrase` (folded words) occurs in `ws` as consecutive words, a word of five
/// letters or more allowed one typo ("convivnte", "badnte").
fn contains_phrase(ws: &[String], phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split(' ').collect();
    if p.is_empty() || p.len() > ws.len() {
        return false;
    }
    ws.windows(p.len()).any(|win| {
        win.iter().zip(&p).all(|(w, p)| {
            w == p
                || (p.len() >= 5
                    && w.len().abs_diff(p.len()) <= 1
                    && strsim::osa_distance(w, p) <= 1)
        })
    })
}

/// The first value whose phrase occurs in `text`, in the table's order (so "non
/// convivente" is tried before "convivente").
fn first_match<T: Copy>(text: &str, table: &[(&str, T)]) -> Option<T> {
    let ws = words(text);
    table
        .iter()
        .find(|(phrase, _)| contains_phrase(&ws, phrase))
        .map(|(_, v)| *v)
}

fn quoted(s: &str) -> String {
    format!("«{}»", s.trim())
}

// ---------------------------------------------------------------------------------------
// Dates and numbers

use crate::italian::MONTHS;

/// A date as desks write it: `dd/mm/yyyy`, `d/m/yy`, `dd-mm-yyyy`, `dd.mm.yyyy`, ISO
/// `yyyy-mm-dd` (with or without a time), "3 marzo 2026", a spreadsheet date cell, or a
/// spreadsheet serial number. Two-digit years are read as the nearest plausible century
/// around `today`.
pub fn date(cell: &Cell, today: Date) -> Understood<Date> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Number(n) => serial(*n).ok_or_else(|| format!("data non valida: {}", cell.display())),
        Cell::Text(s) => date_text(s, today),
        Cell::Bool(_) | Cell::Empty => Err("data mancante".to_string()),
    }
}

/// A spreadsheet serial (days since 1899-12-30 in the 1900 system every modern file
/// uses): 45 658 is 2025-01-01.
pub fn serial(n: f64) -> Option<Date> {
    if !(1.0..=2_958_465.0).contains(&n) {
        return None;
    }
    // 25 569 is 1970-01-01; serials 1–60 are off by Excel's fictitious 1900-02-29, and
    // no desk records a date in early 1900.
    let days = n.floor() as i32 - 25_569;
    Some(Date::from_days(days))
}

fn date_text(s: &str, today: Date) -> Understood<Date> {
    let t = s.trim();
    let bad = || {
        format!(
            "data non riconosciuta: {} (usare gg/mm/aaaa, es. 01/03/2026)",
            quoted(s)
        )
    };
    // "2026-03-01T00:00:00", "01/03/2026 00:00".
    let t = t
        .split(['T', ' '])
        .next()
        .filter(|head| head.len() >= 6 && head.bytes().any(|b| !b.is_ascii_alphabetic()))
        .unwrap_or(t);
    if t.len() == 10 && t.as_bytes()[4] == b'-' {
        return t.parse::<Date>().map_err(|_| bad());
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let (d, m, y) = (num(parts[0])?, num(parts[1])?, parts[2]);
        let year = match y.len() {
            2 => full_year(num(y)? as i32, today),
            4 => num(y)? as i32,
            _ => return Err(bad()),
        };
        return Date::from_ymd(year, m, d)
            .ok_or_else(|| format!("data impossibile: {}", quoted(s)));
    }
    // A serial typed as text ("45658"), as some exports do.
    if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<f64>().ok().and_then(serial).ok_or_else(bad);
    }
    // "3 marzo 2026", "3 mar. 2026".
    let ws = words(t);
    if ws.len() == 3 {
        let day = ws[0].parse::<u32>().ok();
        let month = MONTHS
            .iter()
            .position(|m| ws[1].len() >= 3 && m.starts_with(ws[1].as_str()))
            .map(|i| i as u32 + 1);
        let year = ws[2].parse::<i32>().ok().map(|y| {
            if ws[2].len() == 2 {
                full_year(y, today)
            } else {
                y
            }
        });
        if let (Some(d), Some(m), Some(y)) = (day, month, year) {
            return Date::from_ymd(y, m, d)
                .ok_or_else(|| format!("data impossibile: {}", quoted(s)));
        }
    }
    Err(bad())
}

/// "75" → 1975 and "27" → 2027 when today is in 2026: dates more than 20 years ahead
/// are births, not permit expiries.
fn full_year(yy: i32, today: Date) -> i32 {
    let year = 2000 + yy;
    if year > today.year() + 20 {
        year - 100
    } else {
        year
    }
}

/// A year of birth: a number, "1975", or a full date of birth.
pub fn year(cell: &Cell, today: Date) -> Understood<u16> {
    let plausible = |y: i64| (1900..=i64::from(today.year())).contains(&y);
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && plausible(*n as i64) => Ok(*n as u16),
        Cell::Text(s) if s.trim().len() == 4 && s.trim().bytes().all(|b| b.is_ascii_digit()) => {
            match s.trim().parse::<i64>() {
                Ok(y) if plausible(y) => Ok(y as u16),
                _ => Err(format!("anno di nascita non plausibile: {}", quoted(s))),
            }
        }
        other => date(other, today).map(|d| d.year() as u16).map_err(|_| {
            format!(
                "anno o data di nascita non riconosciuti: {}",
                quoted(&other.display())
            )
        }),
    }
}

/// A whole number in a cell: 30, "30", "30 km", "max 30".
pub fn integer(cell: &Cell) -> Understood<i64> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 => Ok(*n as i64),
        Cell::Text(s) => {
            let nums = numbers(s);
            match nums.as_slice() {
                [n] => Ok(*n),
                _ => Err(format!("numero intero non riconosciuto: {}", quoted(s))),
            }
        }
        other => Err(format!(
            "numero intero non riconosciuto: {}",
            quoted(&other.display())
        )),
    }
}

/// Every run of digits in `s` as a number (fractions refused: "25,5" gives two runs,
/// which callers reject).
fn numbers(s: &str) -> Vec<i64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Weekly hours as a range: "20-54", "da 20 a 54", "25/30", or one number.
pub fn hours(cell: &Cell) -> Understood<(u8, u8)> {
    let bad = || {
        format!(
            "ore settimanali non riconosciute: {} (es. 25 oppure 20-40)",
            quoted(&cell.display())
        )
    };
    let nums: Vec<i64> = match cell {
        Cell::Number(n) if n.fract() == 0.0 => vec![*n as i64],
        Cell::Text(s) if !s.contains(',') && !s.contains('.') => numbers(s),
        _ => return Err(bad()),
    };
    let to_u8 = |n: i64| u8::try_from(n).map_err(|_| bad());
    match nums.as_slice() {
        [n] => Ok((to_u8(*n)?, to_u8(*n)?)),
        [a, b] => {
            let (a, b) = (to_u8(*a)?, to_u8(*b)?);
            Ok((a.min(b), a.max(b)))
        }
        _ => Err(bad()),
    }
}

/// Yes or no: "sì", "si", "x", "1", "vero", "ok" / "no", "0", "falso", "-".
pub fn yes_no(cell: &Cell) -> Understood<bool> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) if *n == 1.0 => Ok(true),
        Cell::Number(n) if *n == 0.0 => Ok(false),
        Cell::Text(s) => {
            let f = fold(s.trim());
            let f = f.trim_end_matches('.');
            match f {
                "si" | "s" | "x" | "1" | "vero" | "true" | "yes" | "y" | "ok" | "v" | "sì" => {
                    Ok(true)
                }
                "no" | "n" | "0" | "falso" | "false" | "-" | "nessuna" | "nessuno" => Ok(false),
                _ if f.starts_with("si ") || f.starts_with("si,") => Ok(true),
                _ if f.starts_with("no ") || f.starts_with("no,") => Ok(false),
                _ => Err(format!("indicare sì o no, non {}", quoted(s))),
            }
        }
        other => Err(format!(
            "indicare sì o no, non {}",
            quoted(&other.display())
        )),
    }
}

/// A monthly amount in euro written the Italian way: "1.100" is 1100, "1.100,50" is
/// 1100.5, "1,5" is 1.5; "€ 900", "900 euro", "900 €/mese" are 900.
pub fn money(cell: &Cell) -> Understood<f64> {
    let bad = |s: &str| {
        format!(
            "importo non riconosciuto: {} (es. 1.100 oppure 1100,50)",
            quoted(s)
        )
    };
    let value = match cell {
        Cell::Number(n) => *n,
        Cell::Text(s) => {
            let f = fold(s);
            if ["ora", "orari", "ore", "/h", "giorn"]
                .iter()
                .any(|w| f.contains(w))
            {
                return Err(format!(
                    "indicare la paga mensile in euro, non oraria o giornaliera: {}",
                    quoted(s)
                ));
            }
            let mut t: String = f
                .replace("euro", "")
                .replace("eur", "")
                .replace(['€', ' ', '\u{a0}', '\''], "");
            for suffix in [
                "/mese", "almese", "mensili", "mensile", "/mensili", "netti", "netto", "lordi",
            ] {
                if let Some(stripped) = t.strip_suffix(suffix) {
                    t = stripped.to_string();
                }
            }
            let t = t.trim_end_matches([',', '.', '-', '/']);
            if t.is_empty()
                || !t
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
            {
                return Err(bad(s));
            }
            let normalised = if t.contains(',') {
                // Italian: the comma is the decimal mark, dots group thousands.
                if t.matches(',').count() > 1 {
                    return Err(bad(s));
                }
                t.replace('.', "").replace(',', ".")
            } else if is_grouped_thousands(t) {
                t.replace('.', "")
            } else {
                t.to_string()
            };
            normalised.parse::<f64>().map_err(|_| bad(s))?
        }
        other => return Err(bad(&other.display())),
    };
    if !value.is_finite() || value < 0.0 {
        return Err(bad(&cell.display()));
    }
    Ok((value * 100.0).round() / 100.0)
}

/// "1.100" or "12.500.000": dots every three digits, which in Italy group thousands.
fn is_grouped_thousands(t: &str) -> bool {
    let mut parts = t.split('.');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && rest
            .iter()
            .all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------------------------------
// Phones

/// A phone number in any spelling ("333 1234567", "+39 333-123-4567", "0039 333.123.4567",
/// a number cell that lost its leading zero) → one spelling: "+39 333 1234567" for
/// Italian mobiles, "+39 0564123456" for landlines, "+<digits>" abroad. Returns the
/// number and any further numbers the cell held ("333 1234567 / 0564 123456").
pub fn phone(cell: &Cell) -> Understood<(String, Option<String>)> {
    let (first, rest, from_number) = match cell {
        Cell::Number(n) if n.fract() == 0.0 && *n > 0.0 => (cell.display(), None, true),
        Cell::Text(s) => {
            let mut parts = s
                .split([';', ',', '\n'])
                .flat_map(|p| p.split(" / "))
                .flat_map(|p| p.split(" o "))
                .map(str::trim)
                .filter(|p| !p.is_empty());
            let first = parts.next().unwrap_or("").to_string();
            let rest: Vec<&str> = parts.collect();
            (first, (!rest.is_empty()).then(|| rest.join(", ")), false)
        }
        other => {
            return Err(format!(
                "numero di telefono non valido: {}",
                quoted(&other.display())
            ))
        }
    };
    let bad = || {
        format!(
            "numero di telefono non valido: {} (es. 333 1234567 oppure +39 0564 123456)",
            quoted(&cell.display())
        )
    };
    // Words around the number ("cell. 333…", "(figlia)") are not part of it.
    let start = first
        .find(|c: char| c.is_ascii_digit() || c == '+')
        .ok_or_else(bad)?;
    let body = &first[start..];
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || " +-./()".contains(c)))
        .unwrap_or(body.len());
    let body = body[..end].trim();
    let leftover = first[start + end..].trim();
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let international = body.starts_with('+') || digits.starts_with("00");
    let digits = digits.strip_prefix("00").unwrap_or(&digits).to_string();
    let national = if international {
        match digits.strip_prefix("39") {
            Some(n) => n.to_string(),
            None if (7..=15).contains(&digits.len()) => {
                return Ok((format!("+{digits}"), join_rest(rest, leftover)));
            }
            None => return Err(bad()),
        }
    } else if digits.len() == 12 && digits.starts_with("393") {
        digits[2..].to_string()
    } else if from_number && !digits.starts_with('3') {
        // A number cell drops the leading zero of a landline (0564… → 564…).
        format!("0{digits}")
    } else {
        digits
    };
    if !(6..=11).contains(&national.len())
        || !(national.starts_with('3') || national.starts_with('0'))
    {
        return Err(bad());
    }
    let spelled = if national.starts_with('3') && national.len() >= 9 {
        format!("+39 {} {}", &national[..3], &national[3..])
    } else {
        format!("+39 {national}")
    };
    Ok((spelled, join_rest(rest, leftover)))
}

fn join_rest(rest: Option<String>, leftover: &str) -> Option<String> {
    let leftover = leftover.trim_matches(['(', ')', ' ', '-']);
    match (rest, leftover.is_empty()) {
        (Some(r), true) => Some(r),
        (Some(r), false) => Some(format!("{leftover}; {r}")),
        (None, false) => Some(leftover.to_string()),
        (None, true) => None,
    }
}

// ---------------------------------------------------------------------------------------
// Vocabularies

const JOBS: &[(&str, Job)] = &[
    ("assistenza notturna", Job::AssistenzaNotturna),
    ("notturna", Job::AssistenzaNotturna),
    ("notturno", Job::AssistenzaNotturna),
    ("notti", Job::AssistenzaNotturna),
    ("assistenza ospedaliera", Job::AssistenzaOspedaliera),
    ("ospedaliera", Job::AssistenzaOspedaliera),
    ("ospedale", Job::AssistenzaOspedaliera),
    ("badante", Job::Badante),
    ("badanti", Job::Badante),
    ("assistente familiare", Job::Badante),
    ("assistente domiciliare", Job::Badante),
    ("assistenza anziani", Job::Badante),
    ("assistenza domiciliare", Job::Badante),
    ("cura anziani", Job::Badante),
    ("colf", Job::Colf),
    ("domestica", Job::Colf),
    ("domestico", Job::Colf),
    ("collaboratrice domestica", Job::Colf),
    ("pulizie", Job::Colf),
    ("governante", Job::Colf),
    ("babysitter", Job::Babysitter),
    ("baby sitter", Job::Babysitter),
    ("bambinaia", Job::Babysitter),
    ("tata", Job::Babysitter),
    ("assistenza bambini", Job::Babysitter),
];

/// One job: "badante", "assistente familiare", "colf", "domestica", "baby sitter"…
pub fn job(s: &str) -> Understood<Job> {
    Job::parse(s.trim())
        .or_else(|| first_match(s, JOBS))
        .ok_or_else(|| {
            format!(
                "lavoro non riconosciuto: {} (es. badante, colf, baby sitter, assistenza notturna, assistenza ospedaliera)",
                quoted(s)
            )
        })
}

/// Several jobs in one cell ("badante, colf"), without repeats, in the order written.
pub fn jobs(s: &str) -> Understood<Vec<Job>> {
    let mut out = Vec::new();
    for item in items(s) {
        let j = job(&item)?;
        if !out.contains(&j) {
            out.push(j);
        }
    }
    if out.is_empty() {
        return Err("indicare almeno un lavoro".to_string());
    }
    Ok(out)
}

const LIVE_IN: &[(&str, LiveIn)] = &[
    ("indifferente", LiveIn::Either),
    ("entrambi", LiveIn::Either),
    ("entrambe", LiveIn::Either),
    ("entrambi i casi", LiveIn::Either),
    ("si no", LiveIn::Either),
    ("si o no", LiveIn::Either),
    ("anche convivente", LiveIn::Either),
    ("qualsiasi", LiveIn::Either),
    ("either", LiveIn::Either),
    ("non convivente", LiveIn::No),
    ("giorno e notte", LiveIn::Yes),
    ("notte e giorno", LiveIn::Yes),
    ("h24", LiveIn::Yes),
    ("24 ore", LiveIn::Yes),
    ("convivente", LiveIn::Yes),
    ("conviventi", LiveIn::Yes),
    ("convivenza", LiveIn::Yes),
    ("fissa", LiveIn::Yes),
    ("coabitazione", LiveIn::Yes),
    ("yes", LiveIn::Yes),
    ("ad ore", LiveIn::No),
    ("a ore", LiveIn::No),
    ("a ora", LiveIn::No),
    ("ore", LiveIn::No),
    ("giornaliera", LiveIn::No),
    ("a giornata", LiveIn::No),
    ("diurna", LiveIn::No),
    ("esterna", LiveIn::No),
    ("part time", LiveIn::No),
];

/// Live-in: "convivente", "sì" / "non convivente", "ad ore", "no" / "indifferente".
pub fn live_in(cell: &Cell) -> Understood<LiveIn> {
    let s = cell.display();
    if let Ok(yes) = yes_no(cell) {
        return Ok(if yes { LiveIn::Yes } else { LiveIn::No });
    }
    LiveIn::parse(s.trim())
        .or_else(|| first_match(&s, LIVE_IN))
        .ok_or_else(|| {
            format!(
                "convivenza non riconosciuta: {} (convivente, non convivente / ad ore, indifferente)",
                quoted(&s)
            )
        })
}

const PERMITS: &[(&str, PermitKind)] = &[
    ("in rinnovo", PermitKind::RenewalPending),
    ("rinnovo", PermitKind::RenewalPending),
    ("ricevuta", PermitKind::RenewalPending),
    ("cedolino", PermitKind::RenewalPending),
    ("nessuno", PermitKind::None),
    ("nessun permesso", PermitKind::None),
    ("senza", PermitKind::None),
    ("irregolare", PermitKind::None),
    ("carta di soggiorno", PermitKind::LongTerm),
    ("lungo periodo", PermitKind::LongTerm),
    ("lungo soggiornante", PermitKind::LongTerm),
    ("lungosoggiornante", PermitKind::LongTerm),
    ("illimitato", PermitKind::LongTerm),
    ("protezione", PermitKind::Protection),
    ("asilo", PermitKind::Protection),
    ("rifugiata", PermitKind::Protection),
    ("rifugiato", PermitKind::Protection),
    ("umanitario", PermitKind::Protection),
    ("umanitari", PermitKind::Protection),
    ("sussidiaria", PermitKind::Protection),
    ("studio", PermitKind::Study),
    ("studente", PermitKind::Study),
    ("studentessa", PermitKind::Study),
    ("motivi familiari", PermitKind::Family),
    ("familiari", PermitKind::Family),
    ("familiare", PermitKind::Family),
    ("famiglia", PermitKind::Family),
    ("coesione", PermitKind::Family),
    ("lavoro", PermitKind::Work),
    ("subordinato", PermitKind::Work),
    ("autonomo", PermitKind::Work),
    ("attesa occupazione", PermitKind::Work),
    ("cittadinanza ue", PermitKind::EuCitizen),
    ("ue", PermitKind::EuCitizen),
    ("comunitaria", PermitKind::EuCitizen),
    ("comunitario", PermitKind::EuCitizen),
    ("neocomunitaria", PermitKind::EuCitizen),
    ("europea", PermitKind::EuCitizen),
    ("unione europea", PermitKind::EuCitizen),
    ("eu citizen", PermitKind::EuCitizen),
    ("italiana", PermitKind::Italian),
    ("italiano", PermitKind::Italian),
    ("cittadinanza italiana", PermitKind::Italian),
];

/// A permit in desk wording, with an expiry date when the cell holds one ("lavoro
/// subordinato scad. 12/05/2027").
pub fn permit(s: &str, today: Date) -> Understood<(PermitKind, Option<Date>)> {
    let kind = PermitKind::parse(s.trim())
        .or_else(|| (fold(s.trim()) == "no").then_some(PermitKind::None))
        .or_else(|| first_match(s, PERMITS))
        .ok_or_else(|| {
            format!(
                "permesso di soggiorno non riconosciuto: {} (es. carta di soggiorno, lavoro subordinato, motivi familiari, in rinnovo, cittadina UE)",
                quoted(s)
            )
        })?;
    let expiry = s
        .split_whitespace()
        .filter(|w| w.bytes().filter(u8::is_ascii_digit).count() >= 4)
        .find_map(|w| date_text(w.trim_matches(['(', ')', ',', ';']), today).ok());
    Ok((kind, expiry))
}

/// Gender as desks write it: "F", "donna", "femmina" / "M", "uomo", "maschio".
pub fn gender(s: &str) -> Understood<Gender> {
    match fold(s.trim()).trim_end_matches('.') {
        "f" | "donna" | "femmina" | "femminile" | "d" | "signora" => Ok(Gender::F),
        "m" | "uomo" | "maschio" | "maschile" | "u" | "signore" => Ok(Gender::M),
        "x" | "altro" | "non indicato" | "nd" | "n.d" | "non binario" => Ok(Gender::X),
        _ => Err(format!(
            "sesso non riconosciuto: {} (F, M o altro)",
            quoted(s)
        )),
    }
}

const LEVEL_WORDS: &[(&str, Level)] = &[
    ("madrelingua", Level::C2),
    ("madre lingua", Level::C2),
    ("madre", Level::C2),
    ("nativa", Level::C2),
    ("nativo", Level::C2),
    ("ottimo", Level::C1),
    ("ottima", Level::C1),
    ("fluente", Level::C1),
    ("avanzato", Level::C1),
    ("avanzata", Level::C1),
    ("eccellente", Level::C1),
    ("buono", Level::B2),
    ("buona", Level::B2),
    ("bene", Level::B2),
    ("discreto", Level::B1),
    ("discreta", Level::B1),
    ("intermedio", Level::B1),
    ("intermedia", Level::B1),
    ("medio", Level::B1),
    ("sufficiente", Level::A2),
    ("base", Level::A2),
    ("elementare", Level::A2),
    ("scolastico", Level::A2),
    ("scarso", Level::A1),
    ("scarsa", Level::A1),
    ("minimo", Level::A1),
    ("poco", Level::A1),
    ("principiante", Level::A1),
];

/// A language level: CEFR ("B1", "b1") or in words ("madrelingua", "buono", "base").
pub fn level(s: &str) -> Understood<Level> {
    let t = s.trim().to_ascii_uppercase();
    Level::parse(&t)
        .or_else(|| {
            let f = words(s).join(" ");
            LEVEL_WORDS.iter().find(|(w, _)| *w == f).map(|(_, l)| *l)
        })
        .ok_or_else(|| {
            format!(
                "livello di lingua non riconosciuto: {} (A1…C2, oppure madrelingua, ottimo, buono, discreto, base)",
                quoted(s)
            )
        })
}

/// Languages with optional levels: "rumeno madrelingua, italiano B1, inglese buono".
pub fn languages(s: &str) -> Understood<Vec<(&'static str, Option<Level>)>> {
    let mut out: Vec<(&'static str, Option<Level>)> = Vec::new();
    for item in items(s) {
        let (code, lvl) = language_item(&item)?;
        match out.iter_mut().find(|(c, _)| *c == code) {
            Some(existing) => existing.1 = existing.1.max(lvl),
            None => out.push((code, lvl)),
        }
    }
    Ok(out)
}

fn language_item(item: &str) -> Understood<(&'static str, Option<Level>)> {
    let ws: Vec<String> = words(item)
        .into_iter()
        .filter(|w| !matches!(w.as_str(), "lingua" | "livello" | "liv"))
        .collect();
    let bad = || {
        format!(
            "lingua non riconosciuta: {} (es. rumeno madrelingua, italiano B1)",
            quoted(item)
        )
    };
    // Level words first: "buono" must never be read as a language with a typo.
    let is_level = |w: &str| level(w).is_ok() || w == "madre" || w == "lingua";
    for span in [2usize, 1] {
        for i in 0..ws.len() {
            if i + span > ws.len() || ws[i..i + span].iter().any(|w| is_level(w)) {
                continue;
            }
            let name = ws[i..i + span].join(" ");
            if let Some(lang) = names::language(&name) {
                let rest: Vec<&str> = ws[..i]
                    .iter()
                    .chain(&ws[i + span..])
                    .map(String::as_str)
                    .collect();
                if rest.is_empty() {
                    return Ok((lang.code, None));
                }
                return level(&rest.join(" "))
                    .map(|l| (lang.code, Some(l)))
                    .map_err(|e| format!("{e} in {}", quoted(item)));
            }
        }
    }
    Err(bad())
}

const EXPERIENCE: &[(&str, ExperienceKind)] = &[
    ("anziani", ExperienceKind::Elderly),
    ("anziano", ExperienceKind::Elderly),
    ("anziana", ExperienceKind::Elderly),
    ("terza eta", ExperienceKind::Elderly),
    ("alzheimer", ExperienceKind::Dementia),
    ("demenza", ExperienceKind::Dementia),
    ("demenze", ExperienceKind::Dementia),
    ("demenza alzheimer", ExperienceKind::Dementia),
    ("disabili", ExperienceKind::Disability),
    ("disabile", ExperienceKind::Disability),
    ("disabilita", ExperienceKind::Disability),
    ("handicap", ExperienceKind::Disability),
    ("neonati", ExperienceKind::Newborn),
    ("neonato", ExperienceKind::Newborn),
    ("lattanti", ExperienceKind::Newborn),
    ("bambini", ExperienceKind::Children),
    ("bambino", ExperienceKind::Children),
    ("bimbi", ExperienceKind::Children),
    ("minori", ExperienceKind::Children),
    ("pulizie", ExperienceKind::Housekeeping),
    ("pulizia", ExperienceKind::Housekeeping),
    ("casa", ExperienceKind::Housekeeping),
    ("stiro", ExperienceKind::Housekeeping),
    ("domestici", ExperienceKind::Housekeeping),
    ("cucina", ExperienceKind::Cooking),
    ("cucinare", ExperienceKind::Cooking),
    ("cuoca", ExperienceKind::Cooking),
    ("mobilita", ExperienceKind::Mobility),
    ("allettati", ExperienceKind::Mobility),
    ("allettato", ExperienceKind::Mobility),
    ("allettata", ExperienceKind::Mobility),
    ("carrozzina", ExperienceKind::Mobility),
    ("sollevamento", ExperienceKind::Mobility),
    ("deambulazione", ExperienceKind::Mobility),
    ("notturna", ExperienceKind::NightCare),
    ("notte", ExperienceKind::NightCare),
    ("notti", ExperienceKind::NightCare),
    ("ospedale", ExperienceKind::Hospital),
    ("ospedaliera", ExperienceKind::Hospital),
];

/// Kinds of experience, each with years when written ("anziani 8 anni, Alzheimer 5").
pub fn experience(s: &str) -> Understood<Vec<(ExperienceKind, Option<u8>)>> {
    let mut out: Vec<(ExperienceKind, Option<u8>)> = Vec::new();
    for item in items(s) {
        let found = experience_kinds(&item);
        if found.is_empty() {
            return Err(format!(
                "esperienza non riconosciuta: {} (es. anziani, Alzheimer, disabilità, bambini, neonati, pulizie, cucina, mobilità ridotta)",
                quoted(&item)
            ));
        }
        let years = match numbers(&item).as_slice() {
            [] => None,
            [n] => Some(
                u8::try_from(*n)
                    .map_err(|_| format!("anni di esperienza non plausibili: {}", quoted(&item)))?,
            ),
            _ => return Err(format!("anni di esperienza non chiari: {}", quoted(&item))),
        };
        for kind in found {
            match out.iter_mut().find(|(k, _)| *k == kind) {
                Some(existing) => existing.1 = existing.1.max(years),
                None => out.push((kind, years)),
            }
        }
    }
    Ok(out)
}

/// Every kind named in one item ("anziani allettati" is elderly and mobility).
pub fn experience_kinds(item: &str) -> Vec<ExperienceKind> {
    if let Some(k) = ExperienceKind::parse(item.trim()) {
        return vec![k];
    }
    let ws = words(item);
    let mut kinds = Vec::new();
    for (phrase, kind) in EXPERIENCE {
        if contains_phrase(&ws, phrase) && !kinds.contains(kind) {
            kinds.push(*kind);
        }
    }
    kinds
}

/// A country as a nationality: "Ucraina", "rumena", "RO".
pub fn nationality(s: &str) -> Understood<&'static str> {
    names::country_code(s).ok_or_else(|| {
        format!(
            "paese non riconosciuto: {} (es. Romania, ucraina, Perù)",
            quoted(s)
        )
    })
}

#[cfg(test)]
mod tests;
