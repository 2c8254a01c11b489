//! Tests of `sheet::values`.
use super::*;
use crate::sheet::test_util::today;

fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

#[test]
fn dates_in_every_desk_spelling() {
    for (s, want) in [
        ("01/03/2026", ymd(2026, 3, 1)),
        ("1/3/26", ymd(2026, 3, 1)),
        ("1-3-2026", ymd(2026, 3, 1)),
        ("01.03.2026", ymd(2026, 3, 1)),
        ("2026-03-01", ymd(2026, 3, 1)),
        ("2026-03-01T00:00:00", ymd(2026, 3, 1)),
        ("01/03/2026 00:00", ymd(2026, 3, 1)),
        ("3 marzo 2026", ymd(2026, 3, 3)),
        ("3 mar 2026", ymd(2026, 3, 3)),
        ("12/5/75", ymd(1975, 5, 12)),
        ("12/5/40", ymd(2040, 5, 12)),
        ("45658", ymd(2025, 1, 1)),
    ] {
        assert_eq!(date(&t(s), today()), Ok(want), "{s}");
    }
    assert_eq!(date(&Cell::Number(45658.0), today()), Ok(ymd(2025, 1, 1)));
    assert_eq!(
        date(&Cell::Date(ymd(2024, 2, 29)), today()),
        Ok(ymd(2024, 2, 29))
    );
    assert!(date(&t("31/02/2026"), today())
        .unwrap_err()
        .contains("impossibile"));
    assert!(date(&t("ieri"), today()).unwrap_err().contains("«ieri»"));
}

#[test]
fn years_from_numbers_text_or_dates() {
    assert_eq!(year(&Cell::Number(1975.0), today()), Ok(1975));
    assert_eq!(year(&t("1980"), today()), Ok(1980));
    assert_eq!(year(&t("12/05/1969"), today()), Ok(1969));
    assert!(year(&t("2090"), today()).is_err());
}

#[test]
fn yes_and_no_the_italian_way() {
    for s in ["sì", "si", "Sì", "x", "X", "1", "vero", "SI."] {
        assert_eq!(yes_no(&t(s)), Ok(true), "{s}");
    }
    for s in ["no", "NO", "0", "falso", "-"] {
        assert_eq!(yes_no(&t(s)), Ok(false), "{s}");
    }
    assert_eq!(yes_no(&Cell::Bool(true)), Ok(true));
    assert!(yes_no(&t("forse")).is_err());
}

#[test]
fn money_the_italian_way() {
    for (s, want) in [
        ("1.100", 1100.0),
        ("1.100,50", 1100.5),
        ("1,5", 1.5),
        ("€ 900", 900.0),
        ("900 €", 900.0),
        ("900 euro", 900.0),
        ("1100", 1100.0),
        ("1100.50", 1100.5),
        ("950 €/mese", 950.0),
        ("1.250.000", 1_250_000.0),
    ] {
        assert_eq!(money(&t(s)), Ok(want), "{s}");
    }
    assert_eq!(money(&Cell::Number(1100.456)), Ok(1100.46));
    assert!(money(&t("8 €/ora")).unwrap_err().contains("mensile"));
    assert!(money(&t("tanto")).is_err());
    assert!(money(&t("1,100,50")).is_err());
}

#[test]
fn phone_spellings_become_one() {
    let want = "+39 333 1234567";
    for cell in [
        t("333 1234567"),
        t("+39 333-123-4567"),
        t("0039 333.123.4567"),
        t("3331234567"),
        t("(+39) 333/1234567"),
        t("393331234567"),
        Cell::Number(3331234567.0),
    ] {
        assert_eq!(phone(&cell).map(|p| p.0), Ok(want.to_string()), "{cell:?}");
    }
    assert_eq!(
        phone(&Cell::Number(564123456.0)).unwrap().0,
        "+39 0564123456"
    );
    assert_eq!(phone(&t("0564 123456")).unwrap().0, "+39 0564123456");
    assert_eq!(phone(&t("+40 721 234 567")).unwrap().0, "+40721234567");
    let (first, rest) = phone(&t("333 1234567 / 0564 123456")).unwrap();
    assert_eq!(
        (first.as_str(), rest.as_deref()),
        (want, Some("0564 123456"))
    );
    assert_eq!(
        phone(&t("333 1234567 (figlia)")).unwrap().1.as_deref(),
        Some("figlia")
    );
    assert!(phone(&t("12")).is_err());
    assert!(phone(&t("nessuno")).is_err());
}

#[test]
fn jobs_in_desk_words() {
    assert_eq!(jobs("badante"), Ok(vec![Job::Badante]));
    assert_eq!(jobs("Assistente familiare"), Ok(vec![Job::Badante]));
    assert_eq!(
        jobs("colf, domestica e baby-sitter"),
        Ok(vec![Job::Colf, Job::Babysitter])
    );
    assert_eq!(
        jobs("assistenza notturna"),
        Ok(vec![Job::AssistenzaNotturna])
    );
    assert_eq!(jobs("badnte"), Ok(vec![Job::Badante]));
    assert!(jobs("giardiniere").unwrap_err().contains("«giardiniere»"));
}

#[test]
fn live_in_words() {
    for (s, want) in [
        ("convivente", LiveIn::Yes),
        ("sì", LiveIn::Yes),
        ("no", LiveIn::No),
        ("ad ore", LiveIn::No),
        ("non convivente", LiveIn::No),
        ("indifferente", LiveIn::Either),
        ("sì/no", LiveIn::Either),
        ("either", LiveIn::Either),
    ] {
        assert_eq!(live_in(&t(s)), Ok(want), "{s}");
    }
    assert!(live_in(&t("boh")).is_err());
}

#[test]
fn permits_in_desk_words() {
    for (s, want) in [
        ("carta di soggiorno", PermitKind::LongTerm),
        (
            "Permesso UE per soggiornanti di lungo periodo",
            PermitKind::LongTerm,
        ),
        ("in rinnovo", PermitKind::RenewalPending),
        ("ricevuta postale", PermitKind::RenewalPending),
        ("rinnovo permesso per lavoro", PermitKind::RenewalPending),
        ("lavoro subordinato", PermitKind::Work),
        ("motivi familiari", PermitKind::Family),
        ("protezione sussidiaria", PermitKind::Protection),
        ("asilo politico", PermitKind::Protection),
        ("studio", PermitKind::Study),
        ("cittadina UE", PermitKind::EuCitizen),
        ("comunitaria", PermitKind::EuCitizen),
        ("italiana", PermitKind::Italian),
        ("nessuno", PermitKind::None),
        ("long_term", PermitKind::LongTerm),
    ] {
        assert_eq!(permit(s, today()).map(|p| p.0), Ok(want), "{s}");
    }
    assert_eq!(
        permit("lavoro scad. 12/05/2027", today()),
        Ok((PermitKind::Work, Some(ymd(2027, 5, 12))))
    );
    assert!(permit("boh", today()).is_err());
}

#[test]
fn languages_with_levels() {
    assert_eq!(
        languages("rumeno madrelingua, italiano B1, inglese buono"),
        Ok(vec![
            ("ro", Some(Level::C2)),
            ("it", Some(Level::B1)),
            ("en", Some(Level::B2))
        ])
    );
    assert_eq!(languages("romeno"), Ok(vec![("ro", None)]));
    assert_eq!(
        languages("Italiano (b2)"),
        Ok(vec![("it", Some(Level::B2))])
    );
    assert_eq!(
        languages("lingua madre rumena"),
        Ok(vec![("ro", Some(Level::C2))])
    );
    assert!(languages("klingon B1").is_err());
    assert!(languages("italiano benissimo").is_err());
    assert_eq!(level("madrelingua"), Ok(Level::C2));
    assert_eq!(level("discreto"), Ok(Level::B1));
}

#[test]
fn experience_with_years() {
    assert_eq!(
        experience("anziani 8 anni, Alzheimer 5"),
        Ok(vec![
            (ExperienceKind::Elderly, Some(8)),
            (ExperienceKind::Dementia, Some(5))
        ])
    );
    assert_eq!(
        experience("anziani allettati"),
        Ok(vec![
            (ExperienceKind::Elderly, None),
            (ExperienceKind::Mobility, None)
        ])
    );
    assert_eq!(experience("bambini e neonati").map(|v| v.len()), Ok(2));
    assert!(experience("giardinaggio").is_err());
}

#[test]
fn gender_and_nationality() {
    assert_eq!(gender("F"), Ok(Gender::F));
    assert_eq!(gender("donna"), Ok(Gender::F));
    assert_eq!(gender("Femmina"), Ok(Gender::F));
    assert_eq!(gender("uomo"), Ok(Gender::M));
    assert!(gender("?").is_err());
    assert_eq!(nationality("ucraina"), Ok("UA"));
    assert!(nationality("Narnia").is_err());
}

#[test]
fn hours_ranges() {
    assert_eq!(hours(&t("20-54")), Ok((20, 54)));
    assert_eq!(hours(&t("da 20 a 40")), Ok((20, 40)));
    assert_eq!(hours(&Cell::Number(25.0)), Ok((25, 25)));
    assert!(hours(&t("tante")).is_err());
    assert!(hours(&t("25,5")).is_err());
}
