//! Shared test fixtures of the ranking: the contract's Ana and the Rossi family as
//! features, and proptest strategies for arbitrary pairs.

use proptest::prelude::*;

use crate::comuni::Comuni;
use crate::date::Date;
use crate::features::{PackedLang, RequestFeatures, WorkerFeatures};
use crate::model::{
    ExperienceKind, Id, Job, Level, LiveIn, PermitKind, RequestStatus, WorkerStatus,
};

pub fn day(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn slot(code: &str) -> u16 {
    Comuni::get().slot(code).unwrap()
}

/// Ana, from the contract: Grosseto, badante, live-in or not, 20–54 h, it B1 ro C2.
pub fn worker() -> WorkerFeatures {
    let mut experience = [crate::features::NO_EXPERIENCE; 10];
    experience[ExperienceKind::Dementia.index()] = 5;
    experience[ExperienceKind::Elderly.index()] = 8;
    let mut languages = [PackedLang::default(); 6];
    languages[0] = PackedLang::new("it", Level::B1).unwrap();
    languages[1] = PackedLang::new("ro", Level::C2).unwrap();
    WorkerFeatures {
        id: Id(1),
        comune: slot("053011"),
        max_travel_km: 30,
        jobs: Job::Badante.bit() as u8,
        live_in: LiveIn::Either,
        status: WorkerStatus::Available,
        driving_license: true,
        permit: PermitKind::EuCitizen,
        possible_duplicate: false,
        hours_min: 20,
        hours_max: 54,
        permit_until: i32::MAX,
        permit_expires: None,
        wage_cents: Some(110_000),
        confirmed_on: day("2026-11-01"),
        waiting_since: day("2026-11-01"),
        experience,
        languages,
    }
}

/// The Rossi family, from the contract: Scansano, live-in, 54 h, dementia + mobility.
pub fn request() -> RequestFeatures {
    RequestFeatures {
        id: Id(2),
        comune: slot("053023"),
        job: Job::Badante.bit() as u8,
        live_in: LiveIn::Yes,
        status: RequestStatus::Open,
        hours: 54,
        start_on: day("2026-12-01"),
        needs: ExperienceKind::Dementia.bit() | ExperienceKind::Mobility.bit(),
        requires_license: true,
        italian_min: Some(Level::A2),
        required_langs: [PackedLang::default(); 6],
        offered_cents: Some(110_000),
    }
}

pub fn arb_worker() -> impl Strategy<Value = WorkerFeatures> {
    (
        (
            0u16..7896,
            0u16..=200,
            1u8..32,
            0usize..3,
            0usize..3,
            any::<bool>(),
        ),
        (
            0usize..9,
            1u8..=54,
            0u8..=54,
            proptest::option::of(50_000u32..300_000),
        ),
        (
            -800i32..400,
            -800i32..0,
            proptest::array::uniform10(prop_oneof![Just(255u8), 0u8..30]),
        ),
        (0usize..6, 0usize..6, any::<bool>()),
    )
        .prop_map(
            |(
                (comune, travel, jobs, live, status, lic),
                (permit, hmin, hextra, wage),
                (until, conf, exp),
                (it, other, dup),
            )| {
                let today = day("2026-11-20");
                let mut languages = [PackedLang::default(); 6];
                languages[0] = PackedLang::new("it", Level::ALL[it]).unwrap();
                languages[1] = PackedLang::new("uk", Level::ALL[other]).unwrap();
                WorkerFeatures {
                    id: Id(u64::from(comune) << 8 | u64::from(jobs)),
                    comune,
                    max_travel_km: travel,
                    jobs,
                    live_in: LiveIn::ALL[live],
                    status: WorkerStatus::ALL[status],
                    driving_license: lic,
                    permit: PermitKind::ALL[permit],
                    possible_duplicate: dup,
                    hours_min: hmin,
                    hours_max: hmin.saturating_add(hextra).min(54),
                    permit_until: today.add_days(until).days(),
                    permit_expires: Some(today.add_days(until)),
                    wage_cents: wage,
                    confirmed_on: today.add_days(conf),
                    waiting_since: today.add_days(conf),
                    experience: exp,
                    languages,
                }
            },
        )
}

pub fn arb_request() -> impl Strategy<Value = RequestFeatures> {
    (
        0u16..7896,
        0usize..5,
        0usize..3,
        1u8..=54,
        0i32..90,
        0u32..1024,
        any::<bool>(),
        proptest::option::of(0usize..6),
        proptest::option::of(50_000u32..300_000),
    )
        .prop_map(
            |(comune, job, live, hours, start, needs, lic, it, offer)| RequestFeatures {
                id: Id(9),
                comune,
                job: Job::ALL[job].bit() as u8,
                live_in: LiveIn::ALL[live],
                status: RequestStatus::Open,
                hours,
                start_on: day("2026-11-20").add_days(start),
                needs,
                requires_license: lic,
                italian_min: it.map(|i| Level::ALL[i]),
                required_langs: [PackedLang::default(); 6],
                offered_cents: offer,
            },
        )
}
