//! Italian formatting for people: dates, months, numbers, money, percentages, scores, and
//! the one place that holds the Italian labels of the codes a page shows (vocabularies,
//! CCNL levels, score factors, languages).

use crate::model::{CcnlLevel, ExperienceKind, Job, Level, LiveIn, PermitKind};
use crate::Date;

/// Month names, January first.
pub const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// `23/11/2026`.
pub fn date(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{day:02}/{m:02}/{y}")
}

/// The Italian name of a month (1–12), lowercase as Italian writes it.
pub fn month_name(month: u32) -> Option<&'static str> {
    let i = usize::try_from(month).ok()?.checked_sub(1)?;
    MONTHS.get(i).copied()
}

/// `novembre 2026`; an impossible month falls back to `13/2026` rather than hiding it.
pub fn month(year: i32, month: u32) -> String {
    match month_name(month) {
        Some(name) => format!("{name} {year}"),
        None => format!("{month:02}/{year}"),
    }
}

/// `1.100,5` for `number(1100.5, 1)`: thousands point, decimal comma, halves rounded away
/// from zero on the number as written (so 1,005 rounds to 1,01, as a person expects).
pub fn number(x: f64, decimals: u8) -> String {
    let Some(r) = Rounded::new(x, decimals) else {
        return "n.d.".to_string();
    };
    let mut out = String::new();
    if r.negative {
        out.push('-');
    }
    out.push_str(&group_thousands(&r.int));
    if !r.frac.is_empty() {
        out.push(',');
        out.push_str(&r.frac);
    }
    out
}

/// `1.100,00 €`.
pub fn money(eur: f64) -> String {
    format!("{} €", number(eur, 2))
}

/// `66,7%` for `percent(0.6667, 1)`: the argument is a share between 0 and 1.
pub fn percent(share: f64, decimals: u8) -> String {
    format!("{}%", number(share * 100.0, decimals))
}

/// A matching score as shown beside a candidate: one decimal, `26,3`.
pub fn score(points: f64) -> String {
    number(points, 1)
}

/// `x` rounded to `decimals`, halves away from zero on its shortest decimal form: the
/// rounding money needs (0,125 € → 0,13 €), which `f64::round` on `x * 100` gets wrong
/// for values such as 1,005 whose binary form lies just below the half.
pub fn round(x: f64, decimals: u8) -> f64 {
    let Some(r) = Rounded::new(x, decimals) else {
        return x;
    };
    let text = format!(
        "{}{}.{}",
        if r.negative { "-" } else { "" },
        r.int,
        if r.frac.is_empty() { "0" } else { &r.frac }
    );
    text.parse().unwrap_or(x)
}

/// A finite number's digits after decimal half-up rounding.
struct Rounded {
    negative: bool,
    int: String,
    frac: String,
}

impl Rounded {
    fn new(x: f64, decimals: u8) -> Option<Rounded> {
        if !x.is_finite() {
            return None;
        }
        let decimals = usize::from(decimals);
        // Display of f64 is the shortest form that reads back to the same value and never
        // uses an exponent, so the digits are the number as a person would write it.
        let shown = format!("{}", x.abs());
        let (int_part, frac_part) = shown.split_once('.').unwrap_or((&shown, ""));
        let mut digits: Vec<u8> = int_part
            .bytes()
            .chain(
                frac_part
                    .bytes()
                    .chain(std::iter::repeat(b'0'))
                    .take(decimals),
            )
            .map(|b| b - b'0')
            .collect();
        let round_up = frac_part
            .as_bytes()
            .get(decimals)
            .is_some_and(|&b| b >= b'5');
        if round_up {
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, 1);
                    break;
                }
                i -= 1;
                if digits[i] == 9 {
                    digits[i] = 0;
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        let split = digits.len() - decimals;
        let int: String = digits[..split]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect();
        let int = match int.trim_start_matches('0') {
            "" => "0".to_string(),
            trimmed => trimmed.to_string(),
        };
        let frac: String = digits[split..]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect();
        // "-0,00" would tell a family they owe something negative.
        let is_zero = digits.iter().all(|&d| d == 0);
        Some(Rounded {
            negative: x.is_sign_negative() && !is_zero,
            int,
            frac,
        })
    }
}

fn group_thousands(int: &str) -> String {
    let len = int.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

// Labels. The vocabularies declared with `vocabulary!` in `model` carry their Italian
// label beside the wire code (the macro requires one per variant); these functions are
// the single entry point pages use, and add the labels `model` does not have.

/// The kind of work, as a family reads it.
pub fn job(j: Job) -> &'static str {
    j.label()
}

/// Live-in or not.
pub fn live_in(l: LiveIn) -> &'static str {
    l.label()
}

/// A kind of experience or need.
pub fn experience(e: ExperienceKind) -> &'static str {
    e.label()
}

/// A residence status.
pub fn permit(p: PermitKind) -> &'static str {
    p.label()
}

/// A CEFR level with its Italian name: `B2 (intermedio superiore)`.
pub fn language_level(l: Level) -> &'static str {
    match l {
        Level::A1 => "A1 (principiante)",
        Level::A2 => "A2 (elementare)",
        Level::B1 => "B1 (intermedio)",
        Level::B2 => "B2 (intermedio superiore)",
        Level::C1 => "C1 (avanzato)",
        Level::C2 => "C2 (padronanza)",
    }
}

/// The CCNL level's name as the contract writes it (`B super` for BS).
pub fn ccnl_level(l: CcnlLevel) -> &'static str {
    match l {
        CcnlLevel::A => "livello A",
        CcnlLevel::AS => "livello A super",
        CcnlLevel::B => "livello B",
        CcnlLevel::BS => "livello B super",
        CcnlLevel::C => "livello C",
        CcnlLevel::CS => "livello C super",
        CcnlLevel::D => "livello D",
        CcnlLevel::DS => "livello D super",
    }
}

/// The code printed in tables (`BS`), for the same levels.
pub fn ccnl_level_code(l: CcnlLevel) -> &'static str {
    match l {
        CcnlLevel::A => "A",
        CcnlLevel::AS => "AS",
        CcnlLevel::B => "B",
        CcnlLevel::BS => "BS",
        CcnlLevel::C => "C",
        CcnlLevel::CS => "CS",
        CcnlLevel::D => "D",
        CcnlLevel::DS => "DS",
    }
}

/// Who belongs to a CCNL level (CCNL art. 9), in a few words for a family.
pub fn ccnl_level_who(l: CcnlLevel) -> &'static str {
    match l {
        CcnlLevel::A => "collaboratore familiare senza esperienza (meno di 12 mesi)",
        CcnlLevel::AS => "compagnia a persone autosufficienti",
        CcnlLevel::B => "collaboratore familiare con esperienza (colf)",
        CcnlLevel::BS => "assistenza a persone autosufficienti, baby-sitter",
        CcnlLevel::C => "cuoco/a",
        CcnlLevel::CS => "assistenza a persone non autosufficienti",
        CcnlLevel::D => "maggiordomo, governante, amministratore, istitutore",
        CcnlLevel::DS => "assistenza a persone non autosufficienti con formazione specifica",
    }
}

/// The Italian name of a score factor as the API names it (`Reason::factor`); the API
/// keeps its codes, pages show these.
pub fn factor(name: &str) -> Option<&'static str> {
    crate::rank::Factor::from_name(name).map(crate::rank::Factor::label)
}

/// The Italian name of a language by its ISO 639-1 code (the codes DOM stores), from
/// the names table (`names`); `None` for a code it lacks, which callers show as
/// `language_skill` does rather than printing the bare code.
pub fn language(code: &str) -> Option<&'static str> {
    crate::names::language_name(code)
}

/// The Italian name of a country by its ISO 3166-1 code (`UA` → `Ucraina`).
pub fn country(code: &str) -> Option<&'static str> {
    crate::names::country_name(code)
}

/// `georgiano C2`; a code without a name reads `lingua «xx» C2`, never a bare code.
pub fn language_skill(code: &str, level: Level) -> String {
    match language(code) {
        Some(name) => format!("{name} {}", level.as_str()),
        None => format!("lingua «{code}» {}", level.as_str()),
    }
}

/// Every CCNL level, in the contract's order.
pub const CCNL_LEVELS: [CcnlLevel; 8] = [
    CcnlLevel::A,
    CcnlLevel::AS,
    CcnlLevel::B,
    CcnlLevel::BS,
    CcnlLevel::C,
    CcnlLevel::CS,
    CcnlLevel::D,
    CcnlLevel::DS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_day_month_year_zero_padded() {
        let d = Date::from_ymd(2026, 11, 23).expect("valid date");
        assert_eq!(date(d), "23/11/2026");
        let d = Date::from_ymd(2027, 1, 5).expect("valid date");
        assert_eq!(date(d), "05/01/2027");
    }

    #[test]
    fn months_are_named_in_lowercase_italian() {
        assert_eq!(month(2026, 11), "novembre 2026");
        assert_eq!(month(2027, 1), "gennaio 2027");
        assert_eq!(month(2027, 12), "dicembre 2027");
        assert_eq!(month_name(0), None);
        assert_eq!(month_name(13), None);
        assert_eq!(month(2026, 13), "13/2026");
    }

    #[test]
    fn numbers_use_thousands_point_and_decimal_comma() {
        assert_eq!(number(1100.5, 1), "1.100,5");
        assert_eq!(number(1100.5, 2), "1.100,50");
        assert_eq!(number(1e6, 0), "1.000.000");
        assert_eq!(number(1e6, 2), "1.000.000,00");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1000.0, 0), "1.000");
        assert_eq!(number(0.0, 2), "0,00");
        assert_eq!(number(12345678.9, 1), "12.345.678,9");
    }

    #[test]
    fn halves_round_away_from_zero_as_written() {
        assert_eq!(number(0.005, 2), "0,01");
        assert_eq!(number(1.005, 2), "1,01");
        assert_eq!(number(0.125, 2), "0,13");
        assert_eq!(number(0.004, 2), "0,00");
        assert_eq!(number(9.995, 2), "10,00");
        assert_eq!(number(999.5, 0), "1.000");
        assert_eq!(number(-1.005, 2), "-1,01");
        assert_eq!(round(1.005, 2), 1.01);
        assert_eq!(round(116.136_666, 2), 116.14);
        assert_eq!(round(-2.5, 0), -3.0);
    }

    #[test]
    fn negative_numbers_keep_their_sign_but_zero_has_none() {
        assert_eq!(number(-1234.5, 2), "-1.234,50");
        assert_eq!(number(-0.001, 2), "0,00");
        assert_eq!(number(-0.0, 1), "0,0");
        assert_eq!(money(-5.0), "-5,00 €");
    }

    #[test]
    fn not_a_number_is_not_printed_as_digits() {
        assert_eq!(number(f64::NAN, 2), "n.d.");
        assert_eq!(number(f64::INFINITY, 0), "n.d.");
    }

    #[test]
    fn money_percent_and_score() {
        assert_eq!(money(1100.0), "1.100,00 €");
        assert_eq!(money(1193.84), "1.193,84 €");
        assert_eq!(money(0.0), "0,00 €");
        assert_eq!(money(19_673.18), "19.673,18 €");
        assert_eq!(percent(0.6667, 1), "66,7%");
        assert_eq!(percent(1.0, 0), "100%");
        assert_eq!(percent(0.0, 1), "0,0%");
        assert_eq!(score(26.3), "26,3");
        assert_eq!(score(87.45), "87,5");
        assert_eq!(score(100.0), "100,0");
    }

    #[test]
    fn every_vocabulary_value_has_an_italian_label_that_is_not_its_code() {
        for j in Job::ALL {
            assert!(!job(*j).is_empty());
            assert!(!job(*j).contains('_'), "{j:?} shows its code");
        }
        for e in ExperienceKind::ALL {
            assert_ne!(experience(*e), e.as_str(), "{e:?} shows its code");
        }
        for p in PermitKind::ALL {
            assert_ne!(permit(*p), p.as_str(), "{p:?} shows its code");
        }
        for l in LiveIn::ALL {
            assert_ne!(live_in(*l), l.as_str(), "{l:?} shows its code");
        }
        for l in Level::ALL {
            assert!(language_level(*l).starts_with(l.as_str()));
            assert!(language_level(*l).len() > l.as_str().len() + 3);
        }
        for l in CCNL_LEVELS {
            assert!(ccnl_level(l).starts_with("livello "));
            assert!(!ccnl_level_who(l).is_empty());
        }
    }

    #[test]
    fn every_score_factor_has_an_italian_name() {
        for f in crate::rank::Factor::all() {
            let it = factor(f.name()).unwrap_or_else(|| panic!("{f:?} has no label"));
            assert_ne!(it, f.name());
        }
        assert_eq!(factor("wage"), Some("retribuzione"));
        assert_eq!(factor("unknown"), None);
    }

    #[test]
    fn languages_are_named_and_unknown_codes_are_marked() {
        assert_eq!(language("ka"), Some("georgiano"));
        assert_eq!(language("IT"), Some("italiano"));
        assert_eq!(language_skill("it", Level::B2), "italiano B2");
        assert_eq!(language_skill("ar", Level::C2), "arabo C2");
        assert_eq!(language_skill("xx", Level::A1), "lingua «xx» A1");
        // Every language of the demo cards has a name.
        for code in [
            "ar", "bg", "bm", "bn", "de", "en", "es", "fr", "ig", "it", "ka", "pl", "ro", "ru",
            "sq", "tl", "tr", "uk", "uz", "wo",
        ] {
            assert!(language(code).is_some(), "{code}");
        }
    }

    #[test]
    fn ccnl_codes_match_the_wire_form() {
        for l in CCNL_LEVELS {
            let wire = serde_json::to_string(&l).expect("serialises");
            assert_eq!(wire, format!("\"{}\"", ccnl_level_code(l)));
        }
        assert_eq!(ccnl_level(CcnlLevel::DS), "livello D super");
    }
}
