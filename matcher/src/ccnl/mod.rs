//! The CCNL lavoro domestico figures of each year (embedded from `fixtures/ccnl/`), the
//! CCNL level a request implies (`estimate`), and what that job costs the family, line by
//! line.

mod estimate;

pub use estimate::{
    estimate, estimate_at, suggest_level, CostEstimate, CostLine, LevelSuggestion, LineKind,
    WorkerProfile,
};

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::italian::{self, money, round};
use crate::model::CcnlLevel;
use crate::Date;

/// One year's tables as published; every block names its source document and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearTable {
    pub year: i32,
    pub contract: Contract,
    pub wages: Wages,
    pub night: Night,
    pub allowances: Allowances,
    pub board_and_lodging: BoardAndLodging,
    pub inps: Inps,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub name_it: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub source: String,
    pub date: Date,
    /// Where the figures were read, for whoever checks them; not printed for families.
    pub transcribed_from: String,
}

/// Minimum pay by level (tables A, B and C of the CCNL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wages {
    pub valid_from: Date,
    pub source: String,
    /// Short citation used inside a cost line's rule.
    pub cite_it: String,
    pub date: Date,
    pub transcribed_from: String,
    pub levels: Vec<LevelWage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelWage {
    pub level: CcnlLevel,
    pub who_it: String,
    pub hourly_not_live_in: f64,
    pub monthly_live_in: f64,
    /// Live-in with at most 30 hours a week (levels B, BS, C only).
    #[serde(default)]
    pub monthly_live_in_reduced: Option<f64>,
    /// The D and DS function allowance, due every month on top of the minimum.
    #[serde(default)]
    pub function_allowance_monthly: Option<f64>,
}

/// Night care (CCNL art. 10) and night presence (art. 11) monthly minimums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Night {
    pub source: String,
    pub cite_it: String,
    pub date: Date,
    pub transcribed_from: String,
    pub assistance: Vec<NightAssistance>,
    pub presence_monthly: f64,
    pub rule_it: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NightAssistance {
    pub level: CcnlLevel,
    pub who_it: String,
    pub monthly: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowances {
    pub source: String,
    pub cite_it: String,
    pub date: Date,
    /// A caveat on the figures that must be resolved before printing them as due.
    #[serde(default)]
    pub check: Option<String>,
    pub items: Vec<Allowance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowance {
    pub code: String,
    pub label_it: String,
    pub article: String,
    pub levels: Vec<CcnlLevel>,
    #[serde(default)]
    pub monthly_live_in: Option<f64>,
    #[serde(default)]
    pub monthly_live_in_reduced: Option<f64>,
    #[serde(default)]
    pub hourly: Option<f64>,
    #[serde(default)]
    pub monthly: Option<f64>,
}

/// Conventional value of board and lodging for live-in workers (CCNL art. 36).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardAndLodging {
    pub source: String,
    pub cite_it: String,
    pub date: Date,
    pub transcribed_from: String,
    pub lunch: f64,
    pub dinner: f64,
    pub lodging: f64,
    pub daily_total: f64,
    /// Days in the monthly value; the 2025 renewal fixed it at 30, earlier texts did not.
    #[serde(default)]
    pub days_per_month: Option<u32>,
    pub rule_it: String,
}

/// INPS hourly contributions for domestic work in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inps {
    pub source: String,
    pub cite_it: String,
    pub date: Date,
    pub transcribed_from: String,
    /// By effective hourly pay, ascending; the last band has no upper bound.
    pub bands: Vec<InpsBand>,
    /// Flat hourly amounts when the contract is over 24 hours a week.
    pub over_24_hours: InpsRate,
    /// Extra share of the conventional pay for fixed-term contracts (not replacements).
    pub fixed_term_extra_rate: f64,
    pub due_it: String,
    pub rule_it: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InpsBand {
    /// Effective hourly pay up to which the band applies; `None` for the top band.
    #[serde(default)]
    pub up_to_hourly: Option<f64>,
    pub conventional_hourly: f64,
    /// Total hourly contribution, CUAF included (the usual case).
    pub with_cuaf: f64,
    pub without_cuaf: f64,
    /// Part of the total the employer withholds from the worker's pay.
    pub worker_share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InpsRate {
    pub conventional_hourly: f64,
    pub with_cuaf: f64,
    pub without_cuaf: f64,
    pub worker_share: f64,
}

/// A rule of the contract or the law in plain Italian, with its article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub topic_it: String,
    pub text_it: String,
    pub source: String,
    pub date: Date,
}

/// A block's provenance, for the sheet's list of sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source<'a> {
    pub block: &'static str,
    pub source: &'a str,
    pub date: Date,
}

impl YearTable {
    /// The minimums of a level (every table holds all eight; checked when loaded).
    pub fn level(&self, level: CcnlLevel) -> Option<&LevelWage> {
        self.wages.levels.iter().find(|l| l.level == level)
    }

    /// The night-care minimum of a level, where the table has one (BS, CS, DS).
    pub fn night_assistance(&self, level: CcnlLevel) -> Option<&NightAssistance> {
        self.night.assistance.iter().find(|n| n.level == level)
    }

    pub fn allowance(&self, code: &str, level: CcnlLevel) -> Option<&Allowance> {
        self.allowances
            .items
            .iter()
            .find(|a| a.code == code && a.levels.contains(&level))
    }

    /// The contribution band for an effective hourly pay and weekly hours.
    pub fn inps_rate(&self, effective_hourly: f64, hours_per_week: u8) -> (InpsRate, String) {
        if hours_per_week > 24 {
            return (
                self.inps.over_24_hours,
                "orario oltre 24 ore settimanali".to_string(),
            );
        }
        let mut lower = None;
        for band in &self.inps.bands {
            let fits = band.up_to_hourly.is_none_or(|top| effective_hourly <= top);
            if fits {
                let label = match (lower, band.up_to_hourly) {
                    (None, Some(top)) => {
                        format!("fascia fino a {} di paga oraria effettiva", money(top))
                    }
                    (Some(low), Some(top)) => format!(
                        "fascia oltre {} e fino a {} di paga oraria effettiva",
                        money(low),
                        money(top)
                    ),
                    (Some(low), None) => {
                        format!("fascia oltre {} di paga oraria effettiva", money(low))
                    }
                    (None, None) => "fascia unica".to_string(),
                };
                let rate = InpsRate {
                    conventional_hourly: band.conventional_hourly,
                    with_cuaf: band.with_cuaf,
                    without_cuaf: band.without_cuaf,
                    worker_share: band.worker_share,
                };
                return (rate, label);
            }
            lower = band.up_to_hourly;
        }
        // Unreachable for a checked table (its last band is open); answer with the top
        // band's flat rate rather than nothing.
        (self.inps.over_24_hours, "fascia non trovata".to_string())
    }

    /// Every block's source and date, in the order the sheet lists them.
    pub fn sources(&self) -> Vec<Source<'_>> {
        let mut out = vec![
            Source {
                block: "contratto",
                source: &self.contract.source,
                date: self.contract.date,
            },
            Source {
                block: "minimi retributivi",
                source: &self.wages.source,
                date: self.wages.date,
            },
            Source {
                block: "assistenza e presenza notturna",
                source: &self.night.source,
                date: self.night.date,
            },
            Source {
                block: "indennità",
                source: &self.allowances.source,
                date: self.allowances.date,
            },
            Source {
                block: "vitto e alloggio",
                source: &self.board_and_lodging.source,
                date: self.board_and_lodging.date,
            },
            Source {
                block: "contributi INPS",
                source: &self.inps.source,
                date: self.inps.date,
            },
        ];
        out.extend(self.rules.iter().map(|r| Source {
            block: "regole",
            source: &r.source,
            date: r.date,
        }));
        out
    }

    /// What a loaded table must satisfy before DOM prints from it.
    fn check(&self) -> Result<(), String> {
        for level in italian::CCNL_LEVELS {
            let n = self
                .wages
                .levels
                .iter()
                .filter(|l| l.level == level)
                .count();
            if n != 1 {
                return Err(format!("livello {level:?} presente {n} volte"));
            }
        }
        if self.wages.valid_from.year() != self.year {
            return Err("minimi di un anno diverso da quello della tabella".to_string());
        }
        let amounts = self.wages.levels.iter().flat_map(|l| {
            [l.hourly_not_live_in, l.monthly_live_in]
                .into_iter()
                .chain(l.monthly_live_in_reduced)
                .chain(l.function_allowance_monthly)
        });
        let night = self.night.assistance.iter().map(|n| n.monthly);
        let inps = self.inps.bands.iter().flat_map(|b| {
            [
                b.conventional_hourly,
                b.with_cuaf,
                b.without_cuaf,
                b.worker_share,
            ]
        });
        let board = [
            self.board_and_lodging.lunch,
            self.board_and_lodging.dinner,
            self.board_and_lodging.lodging,
        ];
        if let Some(bad) = amounts
            .chain(night)
            .chain(inps)
            .chain(board)
            .find(|x| !x.is_finite() || *x <= 0.0)
        {
            return Err(format!("importo non valido: {bad}"));
        }
        let daily = round(board.iter().sum(), 2);
        if (daily - self.board_and_lodging.daily_total).abs() > 0.005 {
            return Err(format!(
                "vitto e alloggio: la somma {daily} non è il totale giornaliero {}",
                self.board_and_lodging.daily_total
            ));
        }
        let tops: Vec<Option<f64>> = self.inps.bands.iter().map(|b| b.up_to_hourly).collect();
        let open_last = matches!(tops.last(), Some(None));
        let ascending = tops
            .windows(2)
            .all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a < b) || w[1].is_none());
        if !open_last || !ascending || tops[..tops.len() - 1].iter().any(Option::is_none) {
            return Err("fasce INPS non crescenti o senza l'ultima fascia aperta".to_string());
        }
        for s in self.sources() {
            if s.source.trim().is_empty() {
                return Err(format!("blocco «{}» senza fonte", s.block));
            }
        }
        Ok(())
    }
}

/// No table for the year asked: the sheet must say so instead of printing old figures
/// as if they were current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("tabella CCNL lavoro domestico {year} non disponibile")]
pub struct Missing {
    pub year: i32,
    /// The most recent year DOM has, if any.
    pub latest_available: Option<i32>,
}

impl Missing {
    /// The sentence for a family's sheet.
    pub fn notice_it(&self) -> String {
        match self.latest_available {
            Some(latest) => format!(
                "I minimi ufficiali {} del CCNL lavoro domestico non sono ancora disponibili: \
                 gli importi indicati sono quelli del {latest} e vanno aggiornati.",
                self.year
            ),
            None => format!(
                "I minimi ufficiali {} del CCNL lavoro domestico non sono disponibili.",
                self.year
            ),
        }
    }
}

/// The set of year tables DOM knows.
#[derive(Debug, Clone, Default)]
pub struct Ccnl {
    tables: Vec<YearTable>,
    rejected: Vec<(String, String)>,
}

/// The tables shipped in the binary, one file per year.
const EMBEDDED: [(&str, &str); 2] = [
    (
        "fixtures/ccnl/2025.json",
        include_str!("../../../fixtures/ccnl/2025.json"),
    ),
    (
        "fixtures/ccnl/2026.json",
        include_str!("../../../fixtures/ccnl/2026.json"),
    ),
];

impl Ccnl {
    /// The embedded tables, parsed once.
    pub fn embedded() -> &'static Ccnl {
        static TABLES: OnceLock<Ccnl> = OnceLock::new();
        TABLES.get_or_init(|| Ccnl::from_files(&EMBEDDED))
    }

    /// Parses `(name, json)` files. A file that does not parse or fails the checks is
    /// left out (and listed by `rejected`), so its year reads as missing rather than
    /// printing wrong figures.
    pub fn from_files(files: &[(&str, &str)]) -> Ccnl {
        let mut ccnl = Ccnl::default();
        for (name, text) in files {
            let parsed = serde_json::from_str::<YearTable>(text)
                .map_err(|e| e.to_string())
                .and_then(|t| t.check().map(|()| t));
            match parsed {
                Ok(t) if ccnl.tables.iter().any(|o| o.year == t.year) => ccnl
                    .rejected
                    .push((name.to_string(), format!("anno {} ripetuto", t.year))),
                Ok(t) => ccnl.tables.push(t),
                Err(e) => ccnl.rejected.push((name.to_string(), e)),
            }
        }
        ccnl.tables.sort_by_key(|t| t.year);
        ccnl
    }

    pub fn for_year(&self, year: i32) -> Option<&YearTable> {
        self.tables.iter().find(|t| t.year == year)
    }

    /// The table of `today`'s year, or what is missing and what DOM has instead.
    pub fn current(&self, today: Date) -> Result<&YearTable, Missing> {
        let year = today.year();
        self.for_year(year).ok_or(Missing {
            year,
            latest_available: self.latest().map(|t| t.year),
        })
    }

    pub fn latest(&self) -> Option<&YearTable> {
        self.tables.last()
    }

    pub fn years(&self) -> Vec<i32> {
        self.tables.iter().map(|t| t.year).collect()
    }

    /// Files left out, with why.
    pub fn rejected(&self) -> &[(String, String)] {
        &self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExperienceKind, Job, LiveIn, Request};
    use crate::model::{Id, RequestStatus, Requirements, Wage};

    fn request(job: Job, live_in: LiveIn, hours: u8, needs: &[ExperienceKind]) -> Request {
        let day = Date::from_ymd(2026, 12, 1).expect("valid date");
        Request {
            id: Id(1),
            org_id: None,
            family_name: "Rossi".to_string(),
            phone: "+39 0564 000000".to_string(),
            comune: "053023".to_string(),
            job,
            live_in,
            hours_per_week: hours,
            start_on: day,
            needs: needs.to_vec(),
            requires: Requirements::default(),
            offered: Some(Wage {
                monthly_eur: 1100.0,
            }),
            notes: String::new(),
            positions: 1,
            status: RequestStatus::Open,
            status_reason: None,
            created_on: day,
            closed_on: None,
            deidentified_on: None,
        }
    }

    /// The contract's example request: Scansano, live-in badante, 54 hours.
    fn rossi() -> Request {
        request(
            Job::Badante,
            LiveIn::Yes,
            54,
            &[ExperienceKind::Dementia, ExperienceKind::Mobility],
        )
    }

    fn t2026() -> &'static YearTable {
        Ccnl::embedded()
            .for_year(2026)
            .expect("2026 table embedded")
    }

    fn amount(e: &CostEstimate, label_start: &str) -> f64 {
        e.lines
            .iter()
            .find(|l| l.label_it.starts_with(label_start))
            .map(|l| l.amount_eur)
            .unwrap_or_else(|| panic!("no line «{label_start}» in {:#?}", e.lines))
    }

    #[test]
    fn every_embedded_table_parses_and_passes_its_checks() {
        let ccnl = Ccnl::embedded();
        assert!(ccnl.rejected().is_empty(), "{:?}", ccnl.rejected());
        assert_eq!(ccnl.years(), vec![2025, 2026]);
    }

    #[test]
    fn the_2026_table_has_all_eight_levels_from_the_february_minutes() {
        let t = t2026();
        for level in italian::CCNL_LEVELS {
            assert!(t.level(level).is_some(), "{level:?} missing");
        }
        assert_eq!(
            t.wages.valid_from,
            Date::from_ymd(2026, 1, 1).expect("date")
        );
        assert_eq!(t.wages.date, Date::from_ymd(2026, 2, 11).expect("date"));
        let cs = t.level(CcnlLevel::CS).expect("CS");
        assert_eq!((cs.hourly_not_live_in, cs.monthly_live_in), (8.30, 1193.84));
        let a = t.level(CcnlLevel::A).expect("A");
        assert_eq!((a.hourly_not_live_in, a.monthly_live_in), (6.51, 908.10));
        let ds = t.level(CcnlLevel::DS).expect("DS");
        assert_eq!(ds.function_allowance_monthly, Some(207.69));
        assert_eq!(t.board_and_lodging.daily_total, 6.66);
        assert_eq!(t.inps.over_24_hours.with_cuaf, 1.24);
        assert!(t.inps.source.contains("circolare n. 9"));
    }

    #[test]
    fn the_2026_minimums_are_the_renewal_table_revalued_by_0_9_percent() {
        // Renewal of 28/10/2025, live-in monthly from 1/1/2026 before the ISTAT update;
        // the commission applied 90% of the 1.0% ISTAT change. A transcription slip in
        // the fixture would break this.
        let renewal = [
            (CcnlLevel::A, 900.00, 6.45),
            (CcnlLevel::AS, 950.00, 6.70),
            (CcnlLevel::B, 974.39, 6.95),
            (CcnlLevel::BS, 1043.99, 7.38),
            (CcnlLevel::C, 1113.61, 7.79),
            (CcnlLevel::CS, 1183.19, 8.23),
            (CcnlLevel::D, 1391.98, 9.48),
            (CcnlLevel::DS, 1461.58, 9.88),
        ];
        let t = t2026();
        for (level, monthly, hourly) in renewal {
            let w = t.level(level).expect("level");
            assert_eq!(w.monthly_live_in, round(monthly * 1.009, 2), "{level:?}");
            assert_eq!(w.hourly_not_live_in, round(hourly * 1.009, 2), "{level:?}");
        }
    }

    #[test]
    fn every_block_names_a_source_and_a_date() {
        for t in [2025, 2026].map(|y| Ccnl::embedded().for_year(y).expect("table")) {
            let sources = t.sources();
            assert!(sources.len() >= 6 + 8, "{} sources", sources.len());
            for s in sources {
                assert!(s.source.len() > 10, "{}: «{}»", s.block, s.source);
                assert!(
                    s.date.year() >= 1998 && s.date.year() <= t.year,
                    "{}",
                    s.block
                );
                for banned in ["zhrexpert", "blu-way", "circuitolavoro", ".it/", "http"] {
                    assert!(!s.source.contains(banned), "{}: {}", s.block, s.source);
                }
            }
            for cite in [
                &t.wages.cite_it,
                &t.night.cite_it,
                &t.allowances.cite_it,
                &t.board_and_lodging.cite_it,
                &t.inps.cite_it,
            ] {
                assert!(!cite.is_empty());
            }
        }
    }

    #[test]
    fn a_missing_year_says_so_and_names_the_latest_available() {
        let ccnl = Ccnl::embedded();
        let today = Date::from_ymd(2026, 11, 23).expect("date");
        assert_eq!(ccnl.current(today).map(|t| t.year), Ok(2026));
        let next = Date::from_ymd(2027, 1, 2).expect("date");
        let missing = ccnl.current(next).expect_err("no 2027 table");
        assert_eq!(
            missing,
            Missing {
                year: 2027,
                latest_available: Some(2026)
            }
        );
        assert!(missing.notice_it().contains("2027"));
        assert!(missing.notice_it().contains("quelli del 2026"));
        assert!(ccnl.for_year(2024).is_none());
        let empty = Ccnl::from_files(&[]);
        let none = empty.current(today).expect_err("nothing loaded");
        assert_eq!(none.latest_available, None);
        assert!(!none.notice_it().contains("quelli del"));
    }

    #[test]
    fn a_broken_or_incomplete_file_is_rejected_not_printed() {
        let good = EMBEDDED[1].1;
        let without_ds = {
            let mut v: serde_json::Value = serde_json::from_str(good).expect("json");
            let levels = v["wages"]["levels"].as_array_mut().expect("levels");
            levels.retain(|l| l["level"] != "DS");
            v.to_string()
        };
        let ccnl = Ccnl::from_files(&[
            ("broken.json", "{"),
            ("no-ds.json", &without_ds),
            ("2026.json", good),
            ("again.json", good),
        ]);
        assert_eq!(ccnl.years(), vec![2026]);
        let names: Vec<&str> = ccnl.rejected().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["broken.json", "no-ds.json", "again.json"]);
        assert!(ccnl.rejected()[1].1.contains("DS"));
    }

    #[test]
    fn levels_follow_the_job_and_the_needs() {
        let none = WorkerProfile::default();
        let trained = WorkerProfile {
            trained_carer: true,
            ..none
        };
        let novice = WorkerProfile {
            without_experience: true,
            ..none
        };
        assert_eq!(suggest_level(&rossi(), none).level, CcnlLevel::CS);
        assert!(suggest_level(&rossi(), none).reason_it.contains("demenza"));
        assert_eq!(suggest_level(&rossi(), trained).level, CcnlLevel::DS);
        let elderly = request(Job::Badante, LiveIn::No, 20, &[ExperienceKind::Elderly]);
        assert_eq!(suggest_level(&elderly, none).level, CcnlLevel::BS);
        let colf = request(Job::Colf, LiveIn::No, 20, &[ExperienceKind::Housekeeping]);
        assert_eq!(suggest_level(&colf, none).level, CcnlLevel::B);
        assert_eq!(suggest_level(&colf, novice).level, CcnlLevel::A);
        let sitter = request(Job::Babysitter, LiveIn::No, 20, &[ExperienceKind::Children]);
        assert_eq!(suggest_level(&sitter, none).level, CcnlLevel::BS);
        let night = request(
            Job::AssistenzaNotturna,
            LiveIn::No,
            40,
            &[ExperienceKind::Dementia],
        );
        let s = suggest_level(&night, none);
        assert_eq!((s.level, s.night_care), (CcnlLevel::CS, true));
        assert!(s.reason_it.contains("art. 10"));
    }

    #[test]
    fn rossi_live_in_badante_matches_the_hand_computed_estimate_to_the_cent() {
        // CS live-in 1.193,84; board 6,66 × 30 = 199,80; month with board 1.393,64.
        // 13th 1.393,64 (116,14 a month); wages 14.326,08; TFR 1.393,64 × 13 ÷ 13,5 =
        // 1.342,02 (111,84 a month); INPS over 24 h: 54 × 52 = 2.808 h × 1,24 = 3.481,92,
        // worker 2.808 × 0,31 = 870,48, family 2.611,44, quarterly 870,48.
        // Total 14.326,08 + 1.393,64 + 1.342,02 + 2.611,44 = 19.673,18.
        let e = estimate(&rossi(), t2026());
        assert_eq!(e.level.level, CcnlLevel::CS);
        assert_eq!(e.year, 2026);
        let expected = [
            ("Retribuzione lorda mensile", 1193.84, LineKind::Monthly),
            ("Vitto e alloggio", 199.80, LineKind::InKind),
            ("Retribuzioni lorde dell'anno", 14326.08, LineKind::Yearly),
            ("Tredicesima: quota", 116.14, LineKind::Monthly),
            ("Tredicesima (si paga", 1393.64, LineKind::Yearly),
            ("TFR: quota", 111.84, LineKind::Monthly),
            ("TFR accantonato", 1342.02, LineKind::Yearly),
            (
                "Contributi INPS a carico della famiglia",
                2611.44,
                LineKind::Yearly,
            ),
            (
                "Contributi INPS a carico del lavoratore",
                870.48,
                LineKind::Info,
            ),
            ("Versamento INPS", 870.48, LineKind::Info),
            ("Costo annuo", 19673.18, LineKind::Total),
        ];
        assert_eq!(e.lines.len(), expected.len(), "{:#?}", e.lines);
        for ((label, value, kind), line) in expected.iter().zip(&e.lines) {
            assert!(
                line.label_it.starts_with(label),
                "{} vs {label}",
                line.label_it
            );
            assert_eq!(line.amount_eur, *value, "{label}");
            assert_eq!(line.kind, *kind, "{label}");
            assert!(!line.rule_it.is_empty());
        }
        assert_eq!(e.total_yearly, 19673.18);
        let inps = &e.lines[7].rule_it;
        assert!(inps.contains("circolare n. 9"), "{inps}");
        assert!(inps.contains("oltre 24 ore"), "{inps}");
        assert!(e.lines[0].rule_it.contains("11/02/2026"));
        assert!(e.lines[4].rule_it.contains("art. 39"));
        assert!(e.lines[6].rule_it.contains("art. 41"));
        assert_eq!(
            e.basis_it,
            "convivente, 54 ore settimanali, livello C super"
        );
        // The contract's example offers 1.100 € a month, under the CS minimum.
        let under = e.notes_it.iter().find(|n| n.contains("sotto il minimo"));
        assert!(under.is_some_and(|n| n.contains("1.100,00 €") && n.contains("1.193,84 €")));
    }

    #[test]
    fn a_twenty_hour_colf_is_paid_by_the_hour() {
        // B 7,01 € × 20 h × 52 ÷ 12 = 607,53 a month; wages 7.290,36; 13th 607,53
        // (50,63 a month); TFR 607,53 × 13 ÷ 13,5 = 585,03 (48,75); effective hourly
        // 607,53 × 13 ÷ 1.040 = 7,59 ≤ 9,61 → 1,70 (0,43): 1.040 h → 1.768,00, worker
        // 447,20, family 1.320,80, quarterly 442,00. Total 9.803,72.
        let colf = request(Job::Colf, LiveIn::No, 20, &[ExperienceKind::Housekeeping]);
        let e = estimate(&colf, t2026());
        assert_eq!(e.level.level, CcnlLevel::B);
        assert_eq!(amount(&e, "Retribuzione lorda mensile"), 607.53);
        assert_eq!(amount(&e, "Retribuzioni lorde dell'anno"), 7290.36);
        assert_eq!(amount(&e, "Tredicesima (si paga"), 607.53);
        assert_eq!(amount(&e, "Tredicesima: quota"), 50.63);
        assert_eq!(amount(&e, "TFR accantonato"), 585.03);
        assert_eq!(amount(&e, "TFR: quota"), 48.75);
        assert_eq!(
            amount(&e, "Contributi INPS a carico della famiglia"),
            1320.80
        );
        assert_eq!(
            amount(&e, "Contributi INPS a carico del lavoratore"),
            447.20
        );
        assert_eq!(amount(&e, "Versamento INPS"), 442.00);
        assert_eq!(e.total_yearly, 9803.72);
        assert!(
            e.line(LineKind::InKind).next().is_none(),
            "no board when not live-in"
        );
        // 1.100 € offered is above 607,53 €: no warning.
        assert!(!e.notes_it.iter().any(|n| n.contains("sotto il minimo")));
        let wage_rule = &e.lines[0].rule_it;
        assert!(
            wage_rule.contains("7,01 €") && wage_rule.contains("20 ore"),
            "{wage_rule}"
        );
        let inps_rule = &amount_rule(&e, "Contributi INPS a carico della famiglia");
        assert!(inps_rule.contains("fino a 9,61 €"), "{inps_rule}");
        assert!(inps_rule.contains("7,59 €"), "{inps_rule}");
    }

    fn amount_rule(e: &CostEstimate, label_start: &str) -> String {
        e.lines
            .iter()
            .find(|l| l.label_it.starts_with(label_start))
            .map(|l| l.rule_it.clone())
            .unwrap_or_default()
    }

    #[test]
    fn the_total_is_the_sum_of_the_yearly_lines_for_every_job_and_arrangement() {
        let t = t2026();
        for job in Job::ALL {
            for live_in in LiveIn::ALL {
                for hours in [0u8, 10, 24, 25, 30, 40, 54] {
                    let r = request(*job, *live_in, hours, &[ExperienceKind::Newborn]);
                    let e = estimate(&r, t);
                    let sum: f64 = e.line(LineKind::Yearly).map(|l| l.amount_eur).sum();
                    assert_eq!(e.total_yearly, round(sum, 2), "{job:?} {live_in:?} {hours}");
                    for l in &e.lines {
                        assert!(l.amount_eur.is_finite() && l.amount_eur >= 0.0, "{l:?}");
                        assert_eq!(l.amount_eur, round(l.amount_eur, 2), "{l:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn d_super_adds_the_function_allowance_and_a_newborn_the_babysitter_one() {
        let t = t2026();
        let trained = suggest_level(
            &rossi(),
            WorkerProfile {
                trained_carer: true,
                ..WorkerProfile::default()
            },
        );
        let e = estimate_at(&rossi(), t, trained);
        assert_eq!(amount(&e, "Indennità di funzione"), 207.69);
        // (1.474,73 + 207,69) × 12
        assert_eq!(amount(&e, "Retribuzioni lorde dell'anno"), 20189.04);
        let baby = request(Job::Babysitter, LiveIn::No, 20, &[ExperienceKind::Newborn]);
        let e = estimate(&baby, t);
        // 0,84 × 20 × 52 ÷ 12 = 72,80 on top of 7,45 × 20 × 52 ÷ 12 = 645,67
        assert_eq!(amount(&e, "Indennità per l'assistenza di bambini"), 72.80);
        assert_eq!(
            amount(&e, "Retribuzioni lorde dell'anno"),
            round((645.67 + 72.80) * 12.0, 2)
        );
        let older = request(Job::Babysitter, LiveIn::No, 20, &[ExperienceKind::Children]);
        let e = estimate(&older, t);
        assert!(e.notes_it.iter().any(|n| n.contains("meno di 6 anni")));
    }

    #[test]
    fn night_care_uses_the_night_minimum_and_reduced_live_in_its_table() {
        let t = t2026();
        let night = request(
            Job::AssistenzaNotturna,
            LiveIn::No,
            40,
            &[ExperienceKind::Dementia],
        );
        let e = estimate(&night, t);
        assert_eq!(amount(&e, "Retribuzione lorda mensile"), 1372.91);
        assert!(e.notes_it.iter().any(|n| n.contains("art. 10")));
        let part = request(Job::Colf, LiveIn::Yes, 30, &[]);
        let e = estimate(&part, t);
        assert_eq!(amount(&e, "Retribuzione lorda mensile"), 702.25);
        assert!(e.lines[0].rule_it.contains("fino a 30 ore"));
    }

    #[test]
    fn the_2025_table_prints_the_2025_board_values_not_the_2024_ones() {
        let t = Ccnl::embedded().for_year(2025).expect("2025");
        assert_eq!(t.board_and_lodging.daily_total, 6.60);
        assert_eq!(t.inps.bands[0].with_cuaf, 1.68);
        // Without a fixed monthly rule in 2025 the estimate uses the renewal's 30 days.
        let e = estimate(&rossi(), t);
        assert_eq!(amount(&e, "Vitto e alloggio"), 198.00);
        assert_eq!(amount(&e, "Retribuzione lorda mensile"), 1137.86);
    }
}
