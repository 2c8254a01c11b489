//! Hard constraints: one list from which the exclusion check, the "why is this person not
//! a candidate?" answer, the table's filter bits and the documentation all come.

use serde::Serialize;

use crate::features::{RequestFeatures, WorkerFeatures};
use crate::model::{Level, LiveIn, PermitKind, WorkerStatus};

/// `study` permits allow at most this many hours a week (D.Lgs. 286/1998 art. 39).
pub const STUDY_MAX_HOURS: u8 = 20;

/// A hard constraint, named as in the API (`excluded_by[].constraint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    Availability,
    Job,
    Permit,
    DrivingLicense,
    ItalianMin,
    Languages,
    LiveIn,
    Distance,
}

/// Why a worker cannot be proposed for a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Exclusion {
    Job,
    LiveIn,
    Permit,
    StudyHours,
    Distance { km: f64, max_km: u16 },
    DrivingLicense,
    Italian { required: Level },
    Language { code: String, required: Level },
    Unavailable(WorkerStatus),
}

impl Exclusion {
    /// The constraint this exclusion breaks.
    pub fn constraint(&self) -> Constraint {
        match self {
            Exclusion::Job => Constraint::Job,
            Exclusion::LiveIn => Constraint::LiveIn,
            Exclusion::Permit | Exclusion::StudyHours => Constraint::Permit,
            Exclusion::Distance { .. } => Constraint::Distance,
            Exclusion::DrivingLicense => Constraint::DrivingLicense,
            Exclusion::Italian { .. } => Constraint::ItalianMin,
            Exclusion::Language { .. } => Constraint::Languages,
            Exclusion::Unavailable(_) => Constraint::Availability,
        }
    }

    /// The API's view of it.
    pub fn excluded_by(&self) -> crate::error::ExcludedBy {
        crate::error::ExcludedBy {
            constraint: self.constraint(),
            detail: self.detail(),
        }
    }

    /// Italian explanation for the operator.
    pub fn detail(&self) -> String {
        match self {
            Exclusion::Job => "non cerca questo tipo di lavoro".into(),
            Exclusion::LiveIn => "disponibilità a convivere non compatibile".into(),
            Exclusion::Permit => "il permesso non consente di lavorare alla data di inizio".into(),
            Exclusion::StudyHours => {
                format!("permesso per studio: al massimo {STUDY_MAX_HOURS} ore settimanali")
            }
            Exclusion::Distance { km, max_km } => {
                format!("{km:.0} km, oltre i {max_km} km che può percorrere")
            }
            Exclusion::DrivingLicense => "serve la patente".into(),
            Exclusion::Italian { required } => format!("italiano sotto il livello {required}"),
            Exclusion::Language { code, required } => {
                let name = crate::italian::language(code)
                    .map_or_else(|| format!("lingua «{code}»"), String::from);
                format!("{name} sotto il livello {required}")
            }
            Exclusion::Unavailable(s) => format!("scheda non disponibile ({})", s.label()),
        }
    }
}

/// Filter bits a constraint can be decided on before a row is read. Job bits are the
/// worker's job mask itself (bits 0–7).
pub(crate) mod bits {
    pub const AVAILABLE: u32 = 1 << 30;
    pub const LICENSE: u32 = 1 << 29;
    pub const CAN_LIVE_IN: u32 = 1 << 28;
    pub const CAN_COMMUTE: u32 = 1 << 27;
}

/// How a constraint shows in the packed filter column: `All` bits the request needs, or
/// `AnyOf` a group of which one must be set (at most one constraint may be `AnyOf`).
#[derive(Clone, Copy)]
pub(crate) enum Bits {
    None,
    All {
        worker: fn(&WorkerFeatures) -> u32,
        need: fn(&RequestFeatures) -> u32,
    },
    AnyOf {
        worker: fn(&WorkerFeatures) -> u32,
        any_of: fn(&RequestFeatures) -> u32,
    },
}

/// One hard constraint: its name, what it means (Italian, for the documentation), its
/// check and its filter bits, together.
pub(crate) struct ConstraintUnit {
    pub constraint: Constraint,
    pub doc: &'static str,
    pub check: fn(&WorkerFeatures, &RequestFeatures, f64) -> Result<(), Exclusion>,
    pub bits: Bits,
}

/// Every hard constraint, in the order they are checked (cheapest and most selective
/// first; the first failure is what a scan reports).
pub(crate) const CONSTRAINTS: [ConstraintUnit; 8] = [
    ConstraintUnit {
        constraint: Constraint::Availability,
        doc: "la scheda è disponibile (non collocata, non inattiva)",
        check: |w, _, _| match w.status {
            WorkerStatus::Available => Ok(()),
            s => Err(Exclusion::Unavailable(s)),
        },
        bits: Bits::All {
            worker: |w| {
                if w.status == WorkerStatus::Available {
                    bits::AVAILABLE
                } else {
                    0
                }
            },
            need: |_| bits::AVAILABLE,
        },
    },
    ConstraintUnit {
        constraint: Constraint::Job,
        doc: "cerca il tipo di lavoro richiesto",
        check: |w, r, _| {
            if w.jobs & r.job == 0 {
                Err(Exclusion::Job)
            } else {
                Ok(())
            }
        },
        bits: Bits::All {
            worker: |w| u32::from(w.jobs),
            need: |r| u32::from(r.job),
        },
    },
    ConstraintUnit {
        constraint: Constraint::Permit,
        doc: "il permesso consente di lavorare alla data di inizio (con permesso per studio al massimo 20 ore settimanali)",
        check: |w, r, _| {
            if w.permit_until < r.start_on.days() {
                Err(Exclusion::Permit)
            } else if w.permit == PermitKind::Study && r.hours > STUDY_MAX_HOURS {
                Err(Exclusion::StudyHours)
            } else {
                Ok(())
            }
        },
        bits: Bits::None,
    },
    ConstraintUnit {
        constraint: Constraint::DrivingLicense,
        doc: "ha la patente, se la famiglia la richiede",
        check: |w, r, _| {
            if r.requires_license && !w.driving_license {
                Err(Exclusion::DrivingLicense)
            } else {
                Ok(())
            }
        },
        bits: Bits::All {
            worker: |w| if w.driving_license { bits::LICENSE } else { 0 },
            need: |r| if r.requires_license { bits::LICENSE } else { 0 },
        },
    },
    ConstraintUnit {
        constraint: Constraint::ItalianMin,
        doc: "parla italiano almeno al livello richiesto",
        check: |w, r, _| match r.italian_min {
            Some(required) if w.italian_level().is_none_or(|l| l < required) => {
                Err(Exclusion::Italian { required })
            }
            _ => Ok(()),
        },
        bits: Bits::None,
    },
    ConstraintUnit {
        constraint: Constraint::Languages,
        doc: "parla le altre lingue richieste almeno al livello richiesto",
        check: |w, r, _| {
            for need in r.required_langs.iter().filter(|l| !l.is_empty()) {
                let required = need.level().unwrap_or(Level::A1);
                if w.language_level(need.code()).is_none_or(|l| l < required) {
                    return Err(Exclusion::Language {
                        code: need.code_str(),
                        required,
                    });
                }
            }
            Ok(())
        },
        bits: Bits::None,
    },
    ConstraintUnit {
        constraint: Constraint::LiveIn,
        doc: "convivenza compatibile: chi cerca solo lavoro convivente non va a ore, e viceversa",
        check: |w, r, _| {
            let (live_in, commute) = ways(w, r);
            if live_in || commute {
                Ok(())
            } else {
                Err(Exclusion::LiveIn)
            }
        },
        bits: Bits::AnyOf {
            worker: |w| {
                let mut f = 0;
                if w.live_in != LiveIn::No {
                    f |= bits::CAN_LIVE_IN;
                }
                if w.live_in != LiveIn::Yes {
                    f |= bits::CAN_COMMUTE;
                }
                f
            },
            any_of: |r| match r.live_in {
                LiveIn::Yes => bits::CAN_LIVE_IN,
                LiveIn::No => bits::CAN_COMMUTE,
                LiveIn::Either => bits::CAN_LIVE_IN | bits::CAN_COMMUTE,
            },
        },
    },
    ConstraintUnit {
        constraint: Constraint::Distance,
        doc: "chi lavora a ore abita entro la distanza che può percorrere (chi convive si trasferisce)",
        check: |w, r, km| match ways(w, r) {
            (false, true) if km > f64::from(w.max_travel_km) => Err(Exclusion::Distance {
                km,
                max_km: w.max_travel_km,
            }),
            _ => Ok(()),
        },
        bits: Bits::None,
    },
];

/// Whether the two could agree on living in, and on commuting.
fn ways(w: &WorkerFeatures, r: &RequestFeatures) -> (bool, bool) {
    (
        w.live_in != LiveIn::No && r.live_in != LiveIn::No,
        w.live_in != LiveIn::Yes && r.live_in != LiveIn::Yes,
    )
}

/// How the worker would work for this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    LiveIn,
    Commute,
}

/// Checks every hard constraint, stopping at the first that fails; on success, how the
/// worker would work and how far (`km` between the two comuni, already known).
#[inline]
pub fn check_at(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    km: f64,
) -> Result<(Arrangement, f64), Exclusion> {
    for c in &CONSTRAINTS {
        (c.check)(w, r, km)?;
    }
    let (_, commute) = ways(w, r);
    let arrangement = if commute && km <= f64::from(w.max_travel_km) {
        Arrangement::Commute
    } else {
        // Live-in workers relocate: distance is not a limit.
        Arrangement::LiveIn
    };
    Ok((arrangement, km))
}

/// Every hard constraint the pair fails (empty when the worker is eligible).
pub fn failing(w: &WorkerFeatures, r: &RequestFeatures, km: f64) -> Vec<Exclusion> {
    CONSTRAINTS
        .iter()
        .filter_map(|c| (c.check)(w, r, km).err())
        .collect()
}

/// The filter bits of a worker, from every constraint that has some.
pub(crate) fn worker_bits(w: &WorkerFeatures) -> u32 {
    CONSTRAINTS.iter().fold(0, |acc, c| match c.bits {
        Bits::None => acc,
        Bits::All { worker, .. } | Bits::AnyOf { worker, .. } => acc | worker(w),
    })
}

/// Bits a worker must all have for a request, and the group of which one must be set.
pub(crate) fn required_bits(r: &RequestFeatures) -> (u32, u32) {
    CONSTRAINTS
        .iter()
        .fold((0, 0), |(need, any), c| match c.bits {
            Bits::None => (need, any),
            Bits::All { need: f, .. } => (need | f(r), any),
            Bits::AnyOf { any_of, .. } => (need, any | any_of(r)),
        })
}

/// The constraints as documentation: `(name, meaning)` in check order.
pub fn documentation() -> Vec<(Constraint, &'static str)> {
    CONSTRAINTS.iter().map(|c| (c.constraint, c.doc)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::PackedLang;
    use crate::rank::testing::{day, request, slot, worker};

    fn check(w: &WorkerFeatures, r: &RequestFeatures) -> Result<(Arrangement, f64), Exclusion> {
        check_at(
            w,
            r,
            crate::comuni::Comuni::get().distance_km(w.comune, r.comune),
        )
    }

    #[test]
    fn one_unit_per_constraint_and_one_any_of_group() {
        let mut seen: Vec<Constraint> = CONSTRAINTS.iter().map(|c| c.constraint).collect();
        seen.dedup();
        assert_eq!(seen.len(), CONSTRAINTS.len());
        let any_of = CONSTRAINTS
            .iter()
            .filter(|c| matches!(c.bits, Bits::AnyOf { .. }))
            .count();
        assert!(any_of <= 1, "the table tests a single any-of group");
        for c in &CONSTRAINTS {
            assert!(!c.doc.is_empty());
        }
    }

    #[test]
    fn every_exclusion_names_its_constraint_in_the_contract_vocabulary() {
        let names: Vec<String> = CONSTRAINTS
            .iter()
            .map(|c| {
                serde_json::to_value(c.constraint)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for name in [
            "job",
            "live_in",
            "permit",
            "distance",
            "driving_license",
            "languages",
            "italian_min",
            "availability",
        ] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
    }

    #[test]
    fn failing_lists_every_broken_constraint() {
        let mut w = worker();
        w.driving_license = false;
        w.status = WorkerStatus::Placed;
        let mut r = request();
        r.italian_min = Some(Level::C2);
        let km = 24.0;
        let got: Vec<Constraint> = failing(&w, &r, km)
            .iter()
            .map(Exclusion::constraint)
            .collect();
        assert_eq!(
            got,
            vec![
                Constraint::Availability,
                Constraint::DrivingLicense,
                Constraint::ItalianMin
            ]
        );
        // The first failing one is what the scan's check reports.
        assert_eq!(
            check_at(&w, &r, km),
            Err(Exclusion::Unavailable(WorkerStatus::Placed))
        );
        assert!(failing(&worker(), &request(), km).is_empty());
    }

    // One test per hard constraint.

    #[test]
    fn excludes_other_jobs() {
        let mut r = request();
        r.job = crate::model::Job::Babysitter.bit() as u8;
        assert_eq!(check(&worker(), &r), Err(Exclusion::Job));
    }

    #[test]
    fn excludes_incompatible_live_in() {
        let mut w = worker();
        w.live_in = LiveIn::No;
        assert_eq!(check(&w, &request()), Err(Exclusion::LiveIn));
        let mut r = request();
        r.live_in = LiveIn::No;
        r.hours = 30;
        w.live_in = LiveIn::Yes;
        assert_eq!(check(&w, &r), Err(Exclusion::LiveIn));
    }

    #[test]
    fn excludes_permits_not_valid_at_start() {
        let mut w = worker();
        w.permit = PermitKind::Work;
        w.permit_expires = Some(day("2026-11-30"));
        w.permit_until = day("2026-11-30").days();
        assert_eq!(check(&w, &request()), Err(Exclusion::Permit));
        w.permit_until = day("2026-12-01").days();
        assert!(
            check(&w, &request()).is_ok(),
            "valid on the start day itself"
        );
        w.permit = PermitKind::None;
        w.permit_until = i32::MIN;
        assert_eq!(check(&w, &request()), Err(Exclusion::Permit));
    }

    #[test]
    fn study_permits_allow_twenty_hours() {
        let mut w = worker();
        w.permit = PermitKind::Study;
        assert_eq!(check(&w, &request()), Err(Exclusion::StudyHours));
        let mut r = request();
        r.live_in = LiveIn::No;
        r.comune = w.comune;
        r.hours = 20;
        assert!(check(&w, &r).is_ok());
    }

    #[test]
    fn excludes_beyond_travel_distance_unless_live_in() {
        let mut r = request();
        r.live_in = LiveIn::No;
        r.hours = 30;
        // Grosseto → Scansano is about 24 km as the crow flies.
        let mut w = worker();
        w.max_travel_km = 10;
        assert!(matches!(
            check(&w, &r),
            Err(Exclusion::Distance { max_km: 10, .. })
        ));
        w.max_travel_km = 40;
        assert_eq!(check(&w, &r).unwrap().0, Arrangement::Commute);
        w.max_travel_km = 10;
        r.live_in = LiveIn::Yes;
        assert_eq!(check(&w, &r).unwrap().0, Arrangement::LiveIn);
        // Far away, only live-in: still a candidate, relocating.
        r.comune = slot("015146"); // Milano
        assert_eq!(check(&w, &r).unwrap().0, Arrangement::LiveIn);
    }

    #[test]
    fn excludes_without_required_license() {
        let mut w = worker();
        w.driving_license = false;
        assert_eq!(check(&w, &request()), Err(Exclusion::DrivingLicense));
    }

    #[test]
    fn excludes_below_required_italian_and_languages() {
        let mut r = request();
        r.italian_min = Some(Level::B2);
        assert_eq!(
            check(&worker(), &r),
            Err(Exclusion::Italian {
                required: Level::B2
            })
        );
        let mut r = request();
        r.required_langs[0] = PackedLang::new("en", Level::A2).unwrap();
        assert!(matches!(
            check(&worker(), &r),
            Err(Exclusion::Language { .. })
        ));
        r.required_langs[0] = PackedLang::new("ro", Level::B2).unwrap();
        assert!(check(&worker(), &r).is_ok());
    }

    #[test]
    fn italian_citizens_count_as_native_speakers() {
        let mut w = worker();
        w.permit = PermitKind::Italian;
        w.languages = [PackedLang::default(); 6];
        let mut r = request();
        r.italian_min = Some(Level::C1);
        assert!(check(&w, &r).is_ok());
    }

    #[test]
    fn excludes_unavailable_workers() {
        let mut w = worker();
        w.status = WorkerStatus::Placed;
        assert_eq!(
            check(&w, &request()),
            Err(Exclusion::Unavailable(WorkerStatus::Placed))
        );
    }
}
