//! The fairness audit of the desks' own choices: over twelve months, proposal and hire
//! rates per group (gender, nationality group, age band) of the eligible candidates,
//! with the ratio to the best-treated group and the four-fifths flag.
//!
//! This is the one place gender, nationality and age are read, and only to count;
//! scoring never sees them.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::date::Date;
use crate::engine::Engine;
use crate::error::Result;
use crate::model::{Gender, Id, OutcomeKind, PermitKind, Request, Worker};
use crate::report::Month;

/// Months the audit looks back over, the month asked included.
pub const WINDOW_MONTHS: u32 = 12;
/// A group whose proposal rate is under this share of the best group's is flagged
/// (the four-fifths rule).
pub const FOUR_FIFTHS: f64 = 0.8;
/// Groups with fewer eligible people are folded into [`OTHERS`]: never finer than that.
pub const MIN_GROUP: u64 = 5;
pub const OTHERS: &str = "altri";

/// The 27 member states of the European Union (ISO 3166-1 alpha-2), Italy included.
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Gender,
    NationalityGroup,
    AgeBand,
}

impl Attribute {
    pub const ALL: [Attribute; 3] = [
        Attribute::Gender,
        Attribute::NationalityGroup,
        Attribute::AgeBand,
    ];

    /// The contract name.
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Gender => "gender",
            Attribute::NationalityGroup => "nationality_group",
            Attribute::AgeBand => "age_band",
        }
    }

    /// The attribute in the coordinator's words.
    pub fn label(self) -> &'static str {
        match self {
            Attribute::Gender => "genere",
            Attribute::NationalityGroup => "cittadinanza",
            Attribute::AgeBand => "fascia d'età",
        }
    }

    /// Every group the attribute has, in display order.
    fn groups(self) -> &'static [&'static str] {
        match self {
            Attribute::Gender => &["donna", "uomo", "altro o non indicato"],
            Attribute::NationalityGroup => &["italiana", "UE", "extra UE"],
            Attribute::AgeBand => &["<30", "30–44", "45–59", "≥60"],
        }
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FairnessRow {
    pub attribute: Attribute,
    pub group: String,
    /// People eligible for at least one request proposed for in the window.
    pub eligible: u64,
    /// Of those, proposed at least once in the window.
    pub proposed: u64,
    /// Of those, hired from a proposal of the window.
    pub hired: u64,
    /// proposed / eligible.
    pub proposal_rate: f64,
    /// hired / eligible (an addition to the contract).
    pub hire_rate: f64,
    /// proposal_rate / the best group's of the same attribute; none when nobody of the
    /// attribute was proposed.
    pub ratio_to_best: Option<f64>,
    /// ratio_to_best < 0.8.
    pub flag: bool,
}

/// One eligible person, as the audit sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub gender: Option<Gender>,
    /// ISO 3166-1 alpha-2 code, as on the card.
    pub nationality: Option<String>,
    pub permit: PermitKind,
    pub birth_year: u16,
    pub proposed: bool,
    pub hired: bool,
}

impl Person {
    fn of(w: &Worker, proposed: bool, hired: bool) -> Person {
        Person {
            gender: w.gender,
            nationality: w.nationality.clone(),
            permit: w.permit.kind,
            birth_year: w.birth_year,
            proposed,
            hired,
        }
    }

    /// The person's group for `attribute`; ages are counted at the end of `year`.
    fn group(&self, attribute: Attribute, year: i32) -> &'static str {
        match attribute {
            Attribute::Gender => match self.gender {
                Some(Gender::F) => "donna",
                Some(Gender::M) => "uomo",
                Some(Gender::X) | None => "altro o non indicato",
            },
            // Citizenship as the permit states it comes first (an Italian citizen of
            // foreign birth is Italian); then the nationality on the card; a residence
            // permit with no nationality recorded means a non-EU citizen.
            Attribute::NationalityGroup => match (self.permit, self.nationality.as_deref()) {
                (PermitKind::Italian, _) | (_, Some("IT")) => "italiana",
                (PermitKind::EuCitizen, _) => "UE",
                (_, Some(code)) if EU.contains(&code) => "UE",
                _ => "extra UE",
            },
            Attribute::AgeBand => match year - i32::from(self.birth_year) {
                ..=29 => "<30",
                30..=44 => "30–44",
                45..=59 => "45–59",
                _ => "≥60",
            },
        }
    }
}

fn rate(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0
    }
}

/// The audit's rows, attribute by attribute: groups under [`MIN_GROUP`] people folded
/// into "altri", each group's rates, its ratio to the best group and the flag.
pub fn audit(people: &[Person], year: i32) -> Vec<FairnessRow> {
    let mut rows = Vec::new();
    for attribute in Attribute::ALL {
        // eligible, proposed, hired per group
        let mut counts: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
        for p in people {
            let c = counts.entry(p.group(attribute, year)).or_default();
            c.0 += 1;
            c.1 += u64::from(p.proposed);
            c.2 += u64::from(p.hired);
        }
        let mut groups: Vec<(String, (u64, u64, u64))> = Vec::new();
        let mut others = (0, 0, 0);
        for g in attribute.groups() {
            match counts.get(g) {
                None => {}
                Some(&c) if c.0 < MIN_GROUP => {
                    others = (others.0 + c.0, others.1 + c.1, others.2 + c.2);
                }
                Some(&c) => groups.push((g.to_string(), c)),
            }
        }
        if others.0 > 0 {
            groups.push((OTHERS.to_string(), others));
        }
        let raw = |c: (u64, u64, u64)| c.1 as f64 / c.0 as f64;
        let best = groups.iter().map(|(_, c)| raw(*c)).fold(0.0, f64::max);
        for (group, c) in groups {
            let ratio_to_best = (best > 0.0).then(|| (raw(c) / best * 10_000.0).round() / 10_000.0);
            rows.push(FairnessRow {
                attribute,
                group,
                eligible: c.0,
                proposed: c.1,
                hired: c.2,
                proposal_rate: rate(c.1, c.0),
                hire_rate: rate(c.2, c.0),
                ratio_to_best,
                // On the rounded ratio, so the flag agrees with the figure shown.
                flag: ratio_to_best.is_some_and(|r| r < FOUR_FIFTHS),
            });
        }
    }
    rows
}

/// The window of the audit for `month`: its first day and the day after it ends.
pub fn window(month: Month) -> (Date, Date) {
    let mut first = month;
    for _ in 1..WINDOW_MONTHS {
        first = first.previous();
    }
    (first.first_day(), month.next().first_day())
}

impl Engine {
    /// The fairness audit over the twelve months ending with `month`: the people
    /// eligible for the requests proposed for in the window (and everyone proposed:
    /// they were eligible when proposed), with what the desks did for each group.
    pub fn fairness(&self, month: Month) -> Result<Vec<FairnessRow>> {
        let (from, until) = window(month);
        let store = self.store();
        let proposals = store
            .proposals
            .select(|p| p.proposed_on >= from && p.proposed_on < until)?;
        let mut requests: Vec<Request> = Vec::new();
        let mut seen = HashSet::new();
        for p in &proposals {
            if seen.insert(p.request_id) {
                requests.extend(store.requests.get(p.request_id)?);
            }
        }
        let mut proposed: HashSet<Id> = HashSet::new();
        let mut hired: HashSet<Id> = HashSet::new();
        for p in &proposals {
            proposed.insert(p.worker_id);
            if p.outcome.as_ref().map(|o| o.outcome) == Some(OutcomeKind::Hired) {
                hired.insert(p.worker_id);
            }
        }
        let mut eligible = self.eligible_for_any(&requests);
        eligible.extend(&proposed);
        let mut people = Vec::with_capacity(eligible.len());
        for id in eligible {
            // Erased people are gone, their statistics with them.
            if let Some(w) = store.workers.get(id)? {
                people.push(Person::of(&w, proposed.contains(&id), hired.contains(&id)));
            }
        }
        Ok(audit(&people, month.year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(
        g: Option<Gender>,
        nat: &str,
        permit: PermitKind,
        born: u16,
        p: bool,
        h: bool,
    ) -> Person {
        Person {
            gender: g,
            nationality: (!nat.is_empty()).then(|| nat.to_string()),
            permit,
            birth_year: born,
            proposed: p,
            hired: h,
        }
    }

    fn row<'a>(rows: &'a [FairnessRow], a: Attribute, g: &str) -> &'a FairnessRow {
        rows.iter()
            .find(|r| r.attribute == a && r.group == g)
            .unwrap_or_else(|| panic!("{a:?} {g} in {rows:#?}"))
    }

    /// 16 people, counted in 2026. Gender: women 10 (5 proposed, 2 hired) → 0.5; men 5
    /// (2 proposed) → 0.4; X 1 (proposed) → folded into "altri" at 1.0, which is the
    /// best: women (0.5) and men (0.4) are both flagged.
    fn people() -> Vec<Person> {
        use Gender::*;
        use PermitKind::*;
        let mut v = Vec::new();
        // 10 women: 6 Romanian EU citizens born 1990 (36), 4 Ukrainians on a work permit
        // born 1970 (56); proposed: 3 Romanians (2 hired), 2 Ukrainians.
        for i in 0..6 {
            v.push(person(Some(F), "RO", EuCitizen, 1990, i < 3, i < 2));
        }
        for i in 0..4 {
            v.push(person(Some(F), "UA", Work, 1970, i < 2, false));
        }
        // 5 men: Italians born 2000 (26), 2 proposed; one with no nationality recorded.
        for i in 0..4 {
            v.push(person(Some(M), "IT", Italian, 2000, i < 2, false));
        }
        v.push(person(Some(M), "", Italian, 2000, false, false));
        // One person of gender X, Moroccan, no nationality group peers, proposed.
        v.push(person(Some(X), "MA", LongTerm, 1960, true, false));
        v
    }

    #[test]
    fn groups_rates_folding_and_the_four_fifths_flag() {
        let rows = audit(&people(), 2026);
        let women = row(&rows, Attribute::Gender, "donna");
        assert_eq!((women.eligible, women.proposed, women.hired), (10, 5, 2));
        assert_eq!((women.proposal_rate, women.hire_rate), (0.5, 0.2));
        let others = row(&rows, Attribute::Gender, OTHERS);
        assert_eq!((others.eligible, others.proposed), (1, 1));
        assert_eq!(others.ratio_to_best, Some(1.0));
        assert!(!others.flag);
        assert_eq!(women.ratio_to_best, Some(0.5));
        assert!(women.flag);
        let men = row(&rows, Attribute::Gender, "uomo");
        assert_eq!(
            (men.eligible, men.proposal_rate, men.ratio_to_best),
            (5, 0.4, Some(0.4))
        );
        assert!(rows.iter().all(|r| r.group != "altro o non indicato"));

        // Nationality: italiana 5 (2 proposed) 0.4; UE 6 (3) 0.5; extra UE 4 + 1 = 5
        // (3 proposed) 0.6 — the Moroccan and the Ukrainians together reach 5: no folding.
        let it = row(&rows, Attribute::NationalityGroup, "italiana");
        let eu = row(&rows, Attribute::NationalityGroup, "UE");
        let non_eu = row(&rows, Attribute::NationalityGroup, "extra UE");
        assert_eq!((it.eligible, eu.eligible, non_eu.eligible), (5, 6, 5));
        assert_eq!(non_eu.ratio_to_best, Some(1.0));
        assert_eq!(eu.ratio_to_best, Some(0.8333));
        assert!(!eu.flag);
        assert_eq!(it.ratio_to_best, Some(0.6667));
        assert!(it.flag);
        assert!(!rows
            .iter()
            .any(|r| r.attribute == Attribute::NationalityGroup && r.group == OTHERS));

        // Age: <30 5 (2) 0.4; 30–44 6 (3) 0.5; 45–59 4 (2) and ≥60 1 (1) → altri 5 (3) 0.6.
        let young = row(&rows, Attribute::AgeBand, "<30");
        let mid = row(&rows, Attribute::AgeBand, "30–44");
        let folded = row(&rows, Attribute::AgeBand, OTHERS);
        assert_eq!((young.eligible, mid.eligible, folded.eligible), (5, 6, 5));
        assert_eq!(folded.proposed, 3);
        assert_eq!(young.ratio_to_best, Some(0.6667));
        assert!(young.flag);
        assert!(!rows.iter().any(|r| r.group == "45–59" || r.group == "≥60"));
        assert_eq!(rows.len(), 3 + 3 + 3);
    }

    #[test]
    fn exactly_four_fifths_is_not_flagged_and_nobody_proposed_flags_nobody() {
        use Gender::*;
        let mut v = Vec::new();
        for i in 0..5 {
            v.push(person(
                Some(F),
                "IT",
                PermitKind::Italian,
                1980,
                i < 5,
                false,
            ));
            v.push(person(
                Some(M),
                "IT",
                PermitKind::Italian,
                1980,
                i < 4,
                false,
            ));
        }
        let rows = audit(&v, 2026);
        let men = row(&rows, Attribute::Gender, "uomo");
        assert_eq!(men.ratio_to_best, Some(0.8));
        assert!(!men.flag);
        for p in &mut v {
            p.proposed = false;
        }
        let rows = audit(&v, 2026);
        assert!(rows.iter().all(|r| r.ratio_to_best.is_none() && !r.flag));
        assert!(audit(&[], 2026).is_empty());
    }

    /// The audit's cost on a large store: `cargo test -p matcher --release --lib
    /// fairness::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        use crate::model::{Actor, Role};
        let today = Date::from_ymd(2026, 11, 20).unwrap();
        let e = Engine::temporary().unwrap();
        e.seed_demo(today).unwrap();
        e.import_workers(&crate::synth::Synth::new(7, today).workers(20_000))
            .unwrap();
        let actor = Actor {
            operator_id: Id(1),
            org_id: Id(1),
            role: Role::Operator,
        };
        let policy = crate::FollowUpPolicy::default();
        let mut proposed = 0;
        for r in e.store().requests.select(|_| true).unwrap() {
            for c in e.candidates(r.id, 3, today).unwrap() {
                if e.propose(&actor, r.id, c.worker_id, &policy, today).is_ok() {
                    proposed += 1;
                }
            }
        }
        let t = std::time::Instant::now();
        let rows = e.fairness(Month::of(today)).unwrap();
        let eligible: u64 = rows
            .iter()
            .filter(|r| r.attribute == Attribute::Gender)
            .map(|r| r.eligible)
            .sum();
        println!(
            "fairness over {} cards, {proposed} proposals: {eligible} eligible, {:?}",
            e.store().workers.len(),
            t.elapsed()
        );
        assert!(eligible >= proposed);
    }

    #[test]
    fn the_window_is_twelve_months_ending_with_the_month() {
        let (from, until) = window("2026-11".parse().unwrap());
        assert_eq!(
            (from.to_string(), until.to_string()),
            ("2025-12-01".into(), "2026-12-01".into())
        );
    }
}
