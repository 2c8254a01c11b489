//! Compatibility between a worker and a family request: hard constraints that exclude,
//! soft factors that rank (points summing to 0–100), and the Italian explanation of both.
//! Pure functions over `features`: no I/O, so they run in parallel and test in isolation.
//! Nationality, gender and age are not inputs: `WorkerFeatures` does not carry them.

use crate::comuni::Comuni;
use crate::date::Date;
use crate::features::{lang_code, RequestFeatures, WorkerFeatures};
use crate::model::{ExperienceKind, Job, Level, LiveIn, PermitKind, Reason, WorkerStatus};

/// Soft factors in display order, with the most points each can give. They sum to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Experience,
    Hours,
    Distance,
    Wage,
    Languages,
    Text,
    Recency,
    Waiting,
}

impl Factor {
    pub const ALL: [Factor; 8] = [
        Factor::Experience,
        Factor::Hours,
        Factor::Distance,
        Factor::Wage,
        Factor::Languages,
        Factor::Text,
        Factor::Recency,
        Factor::Waiting,
    ];

    pub fn max_points(self) -> f64 {
        match self {
            Factor::Experience => 30.0,
            Factor::Hours => 10.0,
            Factor::Distance => 15.0,
            Factor::Wage => 10.0,
            Factor::Languages => 5.0,
            Factor::Text => 15.0,
            Factor::Recency => 10.0,
            // Small on purpose: it breaks ties toward people who waited, it never
            // outweighs fitness for the job.
            Factor::Waiting => 5.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Factor::Experience => "experience",
            Factor::Hours => "hours",
            Factor::Distance => "distance",
            Factor::Wage => "wage",
            Factor::Languages => "languages",
            Factor::Text => "text",
            Factor::Recency => "recency",
            Factor::Waiting => "waiting",
        }
    }
}

/// Days after which a card counts as stale (warning) and scores no recency.
pub const STALE_AFTER_DAYS: i32 = 182;
pub const RECENCY_FULL_DAYS: i32 = 30;
pub const RECENCY_ZERO_DAYS: i32 = 365;
pub const WAITING_FULL_DAYS: i32 = 180;
/// Permits expiring within this many days of the start date are flagged.
pub const PERMIT_WARNING_DAYS: i32 = 60;
/// `study` permits allow at most this many hours a week (D.Lgs. 286/1998 art. 39).
pub const STUDY_MAX_HOURS: u8 = 20;

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
                format!("lingua {code} sotto il livello {required}")
            }
            Exclusion::Unavailable(s) => format!("scheda non disponibile ({})", s.label()),
        }
    }
}

/// How the worker would work for this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    LiveIn,
    Commute,
}

/// The facts a score is built from, beyond the two profiles.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub today: Date,
    /// BM25 of this worker's notes against the request's, as a share (0–1) of the best
    /// BM25 among the candidates.
    pub text_share: f64,
}

/// Points per factor (rounded to 0.1), in `Factor::ALL` order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breakdown {
    pub points: [f64; 8],
    pub distance_km: f64,
    pub arrangement: Arrangement,
}

impl Breakdown {
    /// The score: exactly the sum of the factors' points.
    pub fn total(&self) -> f64 {
        round1(self.points.iter().sum())
    }

    pub fn get(&self, f: Factor) -> f64 {
        self.points[f as usize]
    }

    /// Sets the text factor from a relevance share (0–1), as `score` would have.
    pub fn set_text(&mut self, share: f64) {
        let f = Factor::Text;
        self.points[f as usize] = round1(f.max_points() * share.clamp(0.0, 1.0));
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Checks every hard constraint; on success, how the worker would work and how far.
pub fn check(w: &WorkerFeatures, r: &RequestFeatures) -> Result<(Arrangement, f64), Exclusion> {
    check_at(w, r, Comuni::get().distance_km(w.comune, r.comune))
}

/// `check` with the distance between the two comuni already known (`km`).
pub fn check_at(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    km: f64,
) -> Result<(Arrangement, f64), Exclusion> {
    if w.status != WorkerStatus::Available {
        return Err(Exclusion::Unavailable(w.status));
    }
    if w.jobs & r.job == 0 {
        return Err(Exclusion::Job);
    }
    if w.permit_until < r.start_on.days() {
        return Err(Exclusion::Permit);
    }
    if w.permit == PermitKind::Study && r.hours > STUDY_MAX_HOURS {
        return Err(Exclusion::StudyHours);
    }
    if r.requires_license && !w.driving_license {
        return Err(Exclusion::DrivingLicense);
    }
    if let Some(required) = r.italian_min {
        if w.italian_level().is_none_or(|l| l < required) {
            return Err(Exclusion::Italian { required });
        }
    }
    for need in r.required_langs.iter().filter(|l| !l.is_empty()) {
        let required = need.level().unwrap_or(Level::A1);
        if w.language_level(need.code()).is_none_or(|l| l < required) {
            return Err(Exclusion::Language {
                code: need.code_str(),
                required,
            });
        }
    }
    let can_live_in = w.live_in != LiveIn::No && r.live_in != LiveIn::No;
    let can_commute = w.live_in != LiveIn::Yes && r.live_in != LiveIn::Yes;
    if !can_live_in && !can_commute {
        return Err(Exclusion::LiveIn);
    }
    let within_reach = km <= f64::from(w.max_travel_km);
    let arrangement = match (can_live_in, can_commute) {
        // Live-in workers relocate: distance is not a limit.
        (true, false) => Arrangement::LiveIn,
        (false, true) if within_reach => Arrangement::Commute,
        (false, true) => {
            return Err(Exclusion::Distance {
                km,
                max_km: w.max_travel_km,
            })
        }
        _ if within_reach => Arrangement::Commute,
        _ => Arrangement::LiveIn,
    };
    Ok((arrangement, km))
}

/// Needs that count for experience: those the family named, or the job's core one.
/// (Scoring runs this for every candidate: an iterator over a bitset, no allocation.)
fn needs_of(r: &RequestFeatures) -> impl Iterator<Item = ExperienceKind> + Clone {
    let mask = if r.needs != 0 {
        r.needs
    } else {
        let job = Job::ALL.iter().find(|j| j.bit() as u8 == r.job);
        match job {
            Some(Job::Colf) => ExperienceKind::Housekeeping,
            Some(Job::Babysitter) => ExperienceKind::Children,
            Some(Job::AssistenzaNotturna) => ExperienceKind::NightCare,
            Some(Job::AssistenzaOspedaliera) => ExperienceKind::Hospital,
            _ => ExperienceKind::Elderly,
        }
        .bit()
    };
    ExperienceKind::ALL
        .iter()
        .copied()
        .filter(move |k| mask & k.bit() != 0)
}

/// Share (0–1) of one need's points for `years` of experience: half for having it at
/// all, the rest growing to ten years.
fn experience_share(years: Option<u8>) -> f64 {
    years.map_or(0.0, |y| 0.5 + 0.5 * f64::from(y.min(10)) / 10.0)
}

/// Scores a worker for a request: `Err` with the first hard constraint that fails.
pub fn score(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    ctx: &Context,
) -> Result<Breakdown, Exclusion> {
    score_at(w, r, Comuni::get().distance_km(w.comune, r.comune), ctx)
}

/// `score` with the distance between the two comuni already known (`km`).
pub fn score_at(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    km: f64,
    ctx: &Context,
) -> Result<Breakdown, Exclusion> {
    let scored = score_reaching(w, r, km, ctx, f64::NEG_INFINITY)?;
    // With no floor nothing is cut short.
    Ok(scored.unwrap_or(Breakdown {
        points: [0.0; 8],
        distance_km: km,
        arrangement: Arrangement::Commute,
    }))
}

/// `score_at`, but gives up (`Ok(None)`) as soon as full marks on the factors still to
/// compute could not bring the total to `floor`: a scan passes the score it must beat,
/// and most candidates are dismissed after a factor or two. Factors are computed most
/// decisive first.
pub fn score_reaching(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    km: f64,
    ctx: &Context,
    floor: f64,
) -> Result<Option<Breakdown>, Exclusion> {
    let (arrangement, km) = check_at(w, r, km)?;
    let mut points = [0.0; 8];
    let mut sum = 0.0;
    let mut left: f64 = Factor::ALL.iter().map(|f| f.max_points()).sum();
    let mut set = |f: Factor, share: f64| -> bool {
        let p = round1(f.max_points() * share.clamp(0.0, 1.0));
        points[f as usize] = p;
        sum += p;
        left -= f.max_points();
        sum + left >= floor
    };

    let (exp_sum, n) = needs_of(r).fold((0.0, 0u32), |(acc, n), k| {
        (acc + experience_share(w.experience_years(k)), n + 1)
    });
    if !set(Factor::Experience, exp_sum / f64::from(n.max(1))) {
        return Ok(None);
    }

    let gap = if r.hours < w.hours_min {
        w.hours_min - r.hours
    } else {
        r.hours.saturating_sub(w.hours_max)
    };
    if !set(Factor::Hours, 1.0 - f64::from(gap) / 10.0) {
        return Ok(None);
    }

    let wage = match (w.wage_cents, r.offered_cents) {
        (Some(want), Some(offer)) if offer >= want => 1.0,
        (Some(want), Some(offer)) => 1.0 - f64::from(want - offer) / f64::from(want) / 0.3,
        _ => 0.7,
    };
    if !set(Factor::Wage, wage) {
        return Ok(None);
    }

    let since_confirmed = ctx.today.days_since(w.confirmed_on);
    let recency = 1.0
        - f64::from((since_confirmed - RECENCY_FULL_DAYS).max(0))
            / f64::from(RECENCY_ZERO_DAYS - RECENCY_FULL_DAYS);
    if !set(Factor::Recency, recency) {
        return Ok(None);
    }

    let distance = match arrangement {
        // Close still helps a live-in worker (visits home, knows the area), a little.
        Arrangement::LiveIn => 2.0 / 3.0 + (1.0 - km.min(300.0) / 300.0) / 3.0,
        Arrangement::Commute => 1.0 - 0.8 * km / f64::from(w.max_travel_km.max(1)),
    };
    if !set(Factor::Distance, distance) {
        return Ok(None);
    }

    let waited = ctx
        .today
        .days_since(w.waiting_since)
        .clamp(0, WAITING_FULL_DAYS);
    if !set(
        Factor::Waiting,
        f64::from(waited) / f64::from(WAITING_FULL_DAYS),
    ) {
        return Ok(None);
    }

    if !set(Factor::Languages, language_bonus(w, r) / 5.0) {
        return Ok(None);
    }
    // Text last and unchecked: callers that score without it add it afterwards.
    set(Factor::Text, ctx.text_share);

    Ok(Some(Breakdown {
        points,
        distance_km: km,
        arrangement,
    }))
}

/// Raw language bonus (0–5): Italian above what is needed, other languages at B1+.
fn language_bonus(w: &WorkerFeatures, r: &RequestFeatures) -> f64 {
    let it = lang_code("it").unwrap_or(0);
    let floor = r.italian_min.unwrap_or(Level::A2).index() as f64;
    let above = w
        .italian_level()
        .map_or(0.0, |l| (l.index() as f64 - floor).max(0.0));
    let required = |code: u16| {
        r.required_langs
            .iter()
            .any(|l| !l.is_empty() && l.code() == code)
    };
    let others = w
        .languages
        .iter()
        .filter(|l| !l.is_empty() && l.code() != it && !required(l.code()))
        .filter(|l| l.level().is_some_and(|lv| lv >= Level::B1))
        .count() as f64;
    above.min(3.0) + others.min(2.0)
}

/// Warnings that do not exclude but the operator must see.
pub fn warnings(w: &WorkerFeatures, r: &RequestFeatures, today: Date) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(exp), true) = (
        w.permit_expires,
        matches!(
            w.permit,
            PermitKind::Work
                | PermitKind::Family
                | PermitKind::Protection
                | PermitKind::Study
                | PermitKind::LongTerm
        ),
    ) {
        if exp.days_since(r.start_on) <= PERMIT_WARNING_DAYS {
            out.push(format!("permesso in scadenza il {exp}"));
        }
    }
    if w.permit == PermitKind::RenewalPending {
        out.push("permesso in rinnovo: verificare la ricevuta postale".to_string());
    }
    let since = today.days_since(w.confirmed_on);
    if since >= STALE_AFTER_DAYS {
        out.push(format!(
            "scheda non confermata da {} mesi (ultima conferma {})",
            since / 30,
            w.confirmed_on
        ));
    }
    if w.possible_duplicate {
        out.push("possibile doppione di un'altra scheda: verificare".to_string());
    }
    out
}

/// Words shared by the two notes, as the request wrote them, for the text reason.
pub type SharedWords = Vec<String>;

/// The Italian explanation of a breakdown, one reason per factor.
pub fn reasons(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    b: &Breakdown,
    ctx: &Context,
    shared: &SharedWords,
) -> Vec<Reason> {
    let comuni = Comuni::get();
    Factor::ALL
        .iter()
        .map(|&f| {
            let detail = match f {
                Factor::Experience => needs_of(r)
                    .map(|k| match w.experience_years(k) {
                        Some(0) => format!("{}: meno di un anno", k.label()),
                        Some(1) => format!("{}: 1 anno", k.label()),
                        Some(y) => format!("{}: {y} anni", k.label()),
                        None => format!("{}: nessuna esperienza indicata", k.label()),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                Factor::Hours => format!(
                    "disponibile {}–{} ore settimanali, richieste {}",
                    w.hours_min, w.hours_max, r.hours
                ),
                Factor::Distance => {
                    let place = &comuni.by_slot(w.comune).name;
                    match b.arrangement {
                        Arrangement::LiveIn => format!(
                            "convivente: si trasferisce presso la famiglia (vive a {place}, {:.0} km)",
                            b.distance_km
                        ),
                        Arrangement::Commute => format!(
                            "{:.0} km da {place} (percorre fino a {} km)",
                            b.distance_km, w.max_travel_km
                        ),
                    }
                }
                Factor::Wage => match (w.wage_cents, r.offered_cents) {
                    (Some(want), Some(offer)) => format!(
                        "chiede {} €/mese, offerti {} €/mese",
                        euros(want),
                        euros(offer)
                    ),
                    (None, _) => "nessuna richiesta economica indicata".to_string(),
                    (_, None) => "retribuzione da concordare".to_string(),
                },
                Factor::Languages => {
                    let it = w
                        .italian_level()
                        .map_or("non indicato".to_string(), |l| l.to_string());
                    let others: Vec<String> = w
                        .languages
                        .iter()
                        .filter(|l| !l.is_empty() && l.code_str() != "it")
                        .filter_map(|l| Some(format!("{} {}", l.code_str(), l.level()?)))
                        .collect();
                    if others.is_empty() {
                        format!("italiano {it}")
                    } else {
                        format!("italiano {it}; altre lingue: {}", others.join(", "))
                    }
                }
                Factor::Text => {
                    if shared.is_empty() {
                        "nessuna parola in comune tra le note".to_string()
                    } else {
                        format!("note affini: {}", shared.join(", "))
                    }
                }
                Factor::Recency => format!(
                    "scheda confermata il {} ({} giorni fa)",
                    w.confirmed_on,
                    ctx.today.days_since(w.confirmed_on).max(0)
                ),
                Factor::Waiting => format!(
                    "in attesa di una proposta da {} giorni",
                    ctx.today.days_since(w.waiting_since).max(0)
                ),
            };
            Reason {
                factor: f.name().to_string(),
                points: b.get(f),
                detail,
            }
        })
        .collect()
}

fn euros(cents: u32) -> String {
    if cents.is_multiple_of(100) {
        format!("{}", cents / 100)
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::PackedLang;
    use crate::model::{Id, RequestStatus};
    use proptest::prelude::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn slot(code: &str) -> u16 {
        Comuni::get().slot(code).unwrap()
    }

    /// Ana, from the contract: Grosseto, badante, live-in or not, 20–54 h, it B1 ro C2.
    fn worker() -> WorkerFeatures {
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
    fn request() -> RequestFeatures {
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

    fn ctx() -> Context {
        Context {
            today: day("2026-11-20"),
            text_share: 0.5,
        }
    }

    fn points(w: &WorkerFeatures, r: &RequestFeatures, f: Factor) -> f64 {
        score(w, r, &ctx()).unwrap().get(f)
    }

    #[test]
    fn contract_pair_is_a_candidate() {
        let b = score(&worker(), &request(), &ctx()).unwrap();
        assert_eq!(b.arrangement, Arrangement::LiveIn);
        assert!(b.total() > 50.0, "{b:?}");
    }

    #[test]
    fn factor_maxima_sum_to_100() {
        let sum: f64 = Factor::ALL.iter().map(|f| f.max_points()).sum();
        assert_eq!(sum, 100.0);
    }

    // One test per hard constraint.

    #[test]
    fn excludes_other_jobs() {
        let mut r = request();
        r.job = Job::Babysitter.bit() as u8;
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
        w.languages = [PackedLang::default(); 6];
        w.permit = PermitKind::Italian;
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

    // One test per soft factor.

    #[test]
    fn experience_counts_needs_and_years() {
        // Dementia 5 y (0.75 of its half) + mobility none (0) = 0.375 × 30.
        assert_eq!(points(&worker(), &request(), Factor::Experience), 11.3);
        let mut w = worker();
        w.experience[ExperienceKind::Mobility.index()] = 10;
        w.experience[ExperienceKind::Dementia.index()] = 10;
        assert_eq!(points(&w, &request(), Factor::Experience), 30.0);
        // No needs named: the job's core experience (elderly for a badante) counts.
        let mut r = request();
        r.needs = 0;
        assert_eq!(points(&worker(), &r, Factor::Experience), 27.0);
    }

    #[test]
    fn hours_outside_range_lose_points() {
        assert_eq!(points(&worker(), &request(), Factor::Hours), 10.0);
        let mut w = worker();
        w.hours_max = 49;
        assert_eq!(points(&w, &request(), Factor::Hours), 5.0);
        w.hours_max = 30;
        assert_eq!(points(&w, &request(), Factor::Hours), 0.0);
    }

    #[test]
    fn nearer_is_better() {
        let mut r = request();
        r.live_in = LiveIn::No;
        r.hours = 30;
        let mut w = worker();
        w.max_travel_km = 100;
        let far = points(&w, &r, Factor::Distance);
        r.comune = w.comune;
        let here = points(&w, &r, Factor::Distance);
        assert_eq!(here, 15.0);
        assert!(far < here && far > 0.0);
    }

    #[test]
    fn wage_below_expectation_loses_points() {
        assert_eq!(points(&worker(), &request(), Factor::Wage), 10.0);
        let mut r = request();
        r.offered_cents = Some(99_000); // 10% below: a third of the margin
        assert_eq!(points(&worker(), &r, Factor::Wage), 6.7);
        r.offered_cents = Some(50_000);
        assert_eq!(points(&worker(), &r, Factor::Wage), 0.0);
        r.offered_cents = None;
        assert_eq!(points(&worker(), &r, Factor::Wage), 7.0);
    }

    #[test]
    fn extra_languages_add_points() {
        // Italian B1 is one above A2, Romanian C2 is one other language.
        assert_eq!(points(&worker(), &request(), Factor::Languages), 2.0);
        let mut w = worker();
        w.languages[0] = PackedLang::new("it", Level::C2).unwrap();
        w.languages[2] = PackedLang::new("en", Level::B1).unwrap();
        assert_eq!(points(&w, &request(), Factor::Languages), 5.0);
    }

    #[test]
    fn text_share_scales_text_points() {
        let mut c = ctx();
        c.text_share = 1.0;
        assert_eq!(
            score(&worker(), &request(), &c).unwrap().get(Factor::Text),
            15.0
        );
        c.text_share = 0.0;
        assert_eq!(
            score(&worker(), &request(), &c).unwrap().get(Factor::Text),
            0.0
        );
    }

    #[test]
    fn recently_confirmed_cards_rank_higher() {
        assert_eq!(points(&worker(), &request(), Factor::Recency), 10.0);
        let mut w = worker();
        w.confirmed_on = day("2025-11-20");
        assert_eq!(points(&w, &request(), Factor::Recency), 0.0);
    }

    #[test]
    fn waiting_boost_is_bounded() {
        let mut w = worker();
        w.waiting_since = day("2020-01-01");
        assert_eq!(points(&w, &request(), Factor::Waiting), 5.0);
        w.waiting_since = day("2026-11-20");
        assert_eq!(points(&w, &request(), Factor::Waiting), 0.0);
    }

    #[test]
    fn warnings_flag_expiring_permit_stale_card_and_duplicate() {
        let mut w = worker();
        w.permit = PermitKind::Work;
        w.permit_expires = Some(day("2027-01-10"));
        w.permit_until = day("2027-01-10").days();
        w.confirmed_on = day("2026-03-01");
        w.possible_duplicate = true;
        let warns = warnings(&w, &request(), day("2026-11-20"));
        assert_eq!(warns.len(), 3, "{warns:?}");
        assert_eq!(warns[0], "permesso in scadenza il 2027-01-10");
        assert!(warnings(&worker(), &request(), day("2026-11-20")).is_empty());
    }

    #[test]
    fn reasons_name_every_factor_in_italian() {
        let b = score(&worker(), &request(), &ctx()).unwrap();
        let rs = reasons(&worker(), &request(), &b, &ctx(), &vec!["alzheimer".into()]);
        assert_eq!(rs.len(), 8);
        assert!(
            rs[0].detail.contains("demenza/Alzheimer: 5 anni"),
            "{}",
            rs[0].detail
        );
        assert!(rs[2].detail.contains("convivente"));
        assert_eq!(rs[5].detail, "note affini: alzheimer");
        let sum: f64 = rs.iter().map(|r| r.points).sum();
        assert!((sum - b.total()).abs() < 1e-9);
    }

    fn arb_worker() -> impl Strategy<Value = WorkerFeatures> {
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

    fn arb_request() -> impl Strategy<Value = RequestFeatures> {
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
            .prop_map(|(comune, job, live, hours, start, needs, lic, it, offer)| {
                RequestFeatures {
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
                }
            })
    }

    proptest! {
        #[test]
        fn a_floor_only_cuts_scores_below_it(w in arb_worker(), r in arb_request(), floor in 0.0f64..100.0) {
            let c = ctx();
            let km = Comuni::get().distance_km(w.comune, r.comune);
            match (score_at(&w, &r, km, &c), score_reaching(&w, &r, km, &c, floor)) {
                (Ok(full), Ok(Some(cut))) => prop_assert_eq!(full, cut),
                (Ok(full), Ok(None)) => prop_assert!(full.total() < floor),
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
            }
        }

        #[test]
        fn score_is_sum_of_reasons_and_in_range(w in arb_worker(), r in arb_request(), share in 0.0f64..=1.0) {
            let c = Context { today: day("2026-11-20"), text_share: share };
            if let Ok(b) = score(&w, &r, &c) {
                let rs = reasons(&w, &r, &b, &c, &vec![]);
                let sum: f64 = rs.iter().map(|x| x.points).sum();
                prop_assert!((sum - b.total()).abs() < 1e-9);
                prop_assert!((0.0..=100.0).contains(&b.total()));
                for (f, p) in Factor::ALL.iter().zip(b.points) {
                    prop_assert!((0.0..=f.max_points()).contains(&p));
                }
            }
        }

        #[test]
        fn scored_workers_satisfy_every_hard_constraint(w in arb_worker(), r in arb_request()) {
            if let Ok(b) = score(&w, &r, &ctx()) {
                prop_assert_eq!(w.status, WorkerStatus::Available);
                prop_assert!(w.jobs & r.job != 0);
                prop_assert!(w.permit_until >= r.start_on.days());
                prop_assert!(!r.requires_license || w.driving_license);
                if let Some(min) = r.italian_min {
                    prop_assert!(w.italian_level().is_some_and(|l| l >= min));
                }
                if b.arrangement == Arrangement::Commute {
                    prop_assert!(b.distance_km <= f64::from(w.max_travel_km));
                    prop_assert!(w.live_in != LiveIn::Yes && r.live_in != LiveIn::Yes);
                } else {
                    prop_assert!(w.live_in != LiveIn::No && r.live_in != LiveIn::No);
                }
            }
        }
    }
}
