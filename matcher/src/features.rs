//! Compact, copyable summaries of workers and requests: exactly what scoring reads, packed
//! so that hundreds of thousands of them fit in cache-friendly vectors, kept in step with
//! the store by the engine.

use crate::comuni::Comuni;
use crate::date::Date;
use crate::model::{
    ExperienceKind, Id, LanguageSkill, Level, LiveIn, PermitKind, Request, RequestStatus, Worker,
    WorkerStatus,
};

/// How many languages a profile keeps inline. Cards rarely list more; extra ones still
/// live in the store and only lose the "extra languages" bonus beyond this.
pub const MAX_LANGS: usize = 6;
/// Years of experience for each `ExperienceKind`, `NO_EXPERIENCE` when not listed.
pub const NO_EXPERIENCE: u8 = u8::MAX;
const N_KINDS: usize = 10;

/// A language and level packed in two bytes: 10 bits of code, 3 bits of level + 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackedLang(u16);

impl PackedLang {
    pub fn new(code: &str, level: Level) -> Option<PackedLang> {
        let b = code.as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_lowercase) {
            return None;
        }
        let code = u16::from(b[0] - b'a') * 26 + u16::from(b[1] - b'a');
        Some(PackedLang((code << 3) | (level.index() as u16 + 1)))
    }

    pub fn code(self) -> u16 {
        self.0 >> 3
    }

    pub fn level(self) -> Option<Level> {
        Level::ALL
            .get(usize::from(self.0 & 7).checked_sub(1)?)
            .copied()
    }

    pub fn code_str(self) -> String {
        let c = self.code();
        let a = (b'a' + (c / 26) as u8) as char;
        let b = (b'a' + (c % 26) as u8) as char;
        format!("{a}{b}")
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn raw(self) -> u16 {
        self.0
    }

    pub fn from_raw(raw: u16) -> PackedLang {
        PackedLang(raw)
    }
}

pub fn lang_code(code: &str) -> Option<u16> {
    PackedLang::new(code, Level::A1).map(PackedLang::code)
}

fn pack_langs(langs: &[LanguageSkill]) -> [PackedLang; MAX_LANGS] {
    let mut out = [PackedLang::default(); MAX_LANGS];
    for (slot, l) in out.iter_mut().zip(
        langs
            .iter()
            .filter_map(|l| PackedLang::new(&l.code, l.level)),
    ) {
        *slot = l;
    }
    out
}

/// What scoring knows of a worker: about 60 bytes, no name, phone or free text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkerFeatures {
    pub id: Id,
    pub comune: u16,
    pub max_travel_km: u16,
    pub jobs: u8,
    pub live_in: LiveIn,
    pub status: WorkerStatus,
    pub driving_license: bool,
    pub permit: PermitKind,
    pub possible_duplicate: bool,
    pub hours_min: u8,
    pub hours_max: u8,
    /// Last day the permit allows work (`i32::MAX`: no end; `i32::MIN`: never).
    pub permit_until: i32,
    /// Permit expiry date when it has one, for the "expiring soon" warning.
    pub permit_expires: Option<Date>,
    pub wage_cents: Option<u32>,
    pub confirmed_on: Date,
    /// Last proposal, or registration if never proposed: start of the current wait.
    pub waiting_since: Date,
    pub experience: [u8; N_KINDS],
    pub languages: [PackedLang; MAX_LANGS],
}

impl WorkerFeatures {
    pub fn of(w: &Worker) -> WorkerFeatures {
        let comuni = Comuni::get();
        let mut experience = [NO_EXPERIENCE; N_KINDS];
        for e in &w.experience {
            let slot = &mut experience[e.kind.index()];
            *slot = if *slot == NO_EXPERIENCE {
                e.years
            } else {
                (*slot).max(e.years)
            };
        }
        WorkerFeatures {
            id: w.id,
            // Validation guarantees a known comune; slot 0 only for records an older
            // comuni table knew and this one does not.
            comune: comuni.slot(&w.comune).unwrap_or(0),
            max_travel_km: w.max_travel_km,
            jobs: w.jobs.iter().fold(0, |acc, j| acc | j.bit() as u8),
            live_in: w.live_in,
            status: w.status,
            driving_license: w.driving_license,
            permit: w.permit.kind,
            possible_duplicate: !w.possible_duplicate_of.is_empty(),
            hours_min: w.hours_per_week.min,
            hours_max: w.hours_per_week.max,
            permit_until: permit_until(w.permit.kind, w.permit.expires_on),
            permit_expires: w.permit.expires_on,
            wage_cents: w
                .wage_expectation
                .map(|x| (x.monthly_eur * 100.0).round() as u32),
            confirmed_on: w.confirmed_on,
            waiting_since: w.last_proposed_on.unwrap_or(w.registered_on),
            experience,
            languages: pack_langs(&w.languages),
        }
    }

    pub fn experience_years(&self, kind: ExperienceKind) -> Option<u8> {
        match self.experience[kind.index()] {
            NO_EXPERIENCE => None,
            y => Some(y),
        }
    }

    pub fn language_level(&self, code: u16) -> Option<Level> {
        self.languages
            .iter()
            .filter(|l| !l.is_empty() && l.code() == code)
            .find_map(|l| l.level())
    }

    /// Italian level, counting Italian citizens as native speakers when the card is silent.
    pub fn italian_level(&self) -> Option<Level> {
        let it = lang_code("it").unwrap_or(0);
        self.language_level(it).or(match self.permit {
            PermitKind::Italian => Some(Level::C2),
            _ => None,
        })
    }
}

/// The last day on which this residence status allows work.
pub fn permit_until(kind: PermitKind, expires_on: Option<Date>) -> i32 {
    match kind {
        PermitKind::EuCitizen | PermitKind::Italian | PermitKind::RenewalPending => i32::MAX,
        PermitKind::None => i32::MIN,
        _ => expires_on.map_or(i32::MAX, Date::days),
    }
}

/// What scoring knows of a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestFeatures {
    pub id: Id,
    pub comune: u16,
    pub job: u8,
    pub live_in: LiveIn,
    pub status: RequestStatus,
    pub hours: u8,
    pub start_on: Date,
    pub needs: u32,
    pub requires_license: bool,
    pub italian_min: Option<Level>,
    pub required_langs: [PackedLang; MAX_LANGS],
    pub offered_cents: Option<u32>,
}

impl RequestFeatures {
    pub fn of(r: &Request) -> RequestFeatures {
        RequestFeatures {
            id: r.id,
            comune: Comuni::get().slot(&r.comune).unwrap_or(0),
            job: r.job.bit() as u8,
            live_in: r.live_in,
            status: r.status,
            hours: r.hours_per_week,
            start_on: r.start_on,
            needs: r.needs.iter().fold(0, |acc, n| acc | n.bit()),
            requires_license: r.requires.driving_license,
            italian_min: r.requires.italian_min,
            required_langs: pack_langs(&r.requires.languages),
            offered_cents: r.offered.map(|x| (x.monthly_eur * 100.0).round() as u32),
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            RequestStatus::Open | RequestStatus::ProposalsSent
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_pack_into_two_bytes() {
        let p = PackedLang::new("uk", Level::B2).unwrap();
        assert_eq!(p.code_str(), "uk");
        assert_eq!(p.level(), Some(Level::B2));
        assert!(PackedLang::new("UK", Level::B2).is_none());
        assert!(PackedLang::default().is_empty());
        assert!(std::mem::size_of::<WorkerFeatures>() <= 80);
    }

    #[test]
    fn permits_map_to_last_working_day() {
        let d: Date = "2027-03-01".parse().unwrap();
        assert_eq!(permit_until(PermitKind::Work, Some(d)), d.days());
        assert_eq!(permit_until(PermitKind::RenewalPending, Some(d)), i32::MAX);
        assert_eq!(permit_until(PermitKind::LongTerm, None), i32::MAX);
        assert_eq!(permit_until(PermitKind::None, None), i32::MIN);
    }
}
