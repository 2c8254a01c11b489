//! Soft factors: each one a unit holding its most points, its computation and its Italian
//! explanation, so adding a factor touches one place and the explanation cannot drift from
//! the computation. Pure functions over `features`: nationality, gender and age are not
//! inputs, because `WorkerFeatures` does not carry them.

use std::fmt::Write as _;

use crate::comuni::Comuni;
use crate::date::Date;
use crate::features::{lang_code, RequestFeatures, WorkerFeatures};
use crate::model::{ExperienceKind, Job, Level, PermitKind, Reason};

use super::constraint::{check_at, Arrangement, Exclusion};

/// Days after which a card counts as stale (warning) and scores no recency.
pub const STALE_AFTER_DAYS: i32 = 182;
pub const RECENCY_FULL_DAYS: i32 = 30;
pub const RECENCY_ZERO_DAYS: i32 = 365;
pub const WAITING_FULL_DAYS: i32 = 180;
/// Permits expiring within this many days of the start date are flagged.
pub const PERMIT_WARNING_DAYS: i32 = 60;

/// The soft factors, in display order (the order of `reasons`).
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

/// How many factors there are.
pub const FACTORS: usize = UNITS.len();

impl Factor {
    /// Every factor, in display order.
    pub fn all() -> impl Iterator<Item = Factor> {
        UNITS.iter().map(|u| u.factor)
    }

    fn unit(self) -> &'static FactorUnit {
        &UNITS[self as usize]
    }

    pub fn max_points(self) -> f64 {
        self.unit().max_points
    }

    /// The name in the API (`reasons[].factor`).
    pub fn name(self) -> &'static str {
        self.unit().name
    }

    /// The Italian name people read.
    pub fn label(self) -> &'static str {
        self.unit().label
    }

    /// The factor with this API name.
    pub fn from_name(name: &str) -> Option<Factor> {
        UNITS.iter().find(|u| u.name == name).map(|u| u.factor)
    }
}

/// The facts a score is built from, beyond the two profiles.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub today: Date,
    /// BM25 relevance of this worker's notes to the request's, as an absolute share
    /// (0–1, see `relevance`): a pair scores the same whoever else is stored.
    pub text_share: f64,
}

/// What a factor sees of one pair.
pub(crate) struct Pair<'a> {
    pub w: &'a WorkerFeatures,
    pub r: &'a RequestFeatures,
    pub km: f64,
    pub arrangement: Arrangement,
    pub ctx: &'a Context,
}

/// One soft factor, whole.
pub(crate) struct FactorUnit {
    pub factor: Factor,
    pub name: &'static str,
    /// What people read: the factor's Italian name.
    pub label: &'static str,
    pub max_points: f64,
    /// Lower runs earlier: the most decisive factors first, so a scan dismisses most
    /// workers after one or two (recency first: cards are spread over years of
    /// confirmations, and a stale one loses all ten points). The last one is never used to cut a score short
    /// (`Text`, which callers may add afterwards).
    pub order: u8,
    /// The share (0–1) of `max_points` this pair earns.
    pub share: fn(&Pair) -> f64,
    /// The operator's sentence for this pair; `shared` are the notes' common words.
    pub explain: fn(&Pair, shared: &[String]) -> String,
}

pub(super) const UNITS: [FactorUnit; 8] = [
    FactorUnit {
        factor: Factor::Experience,
        name: "experience",
        label: "esperienza",
        max_points: 30.0,
        order: 1,
        share: |p| {
            let (sum, n) = needs_of(p.r).fold((0.0, 0u32), |(acc, n), k| {
                (acc + experience_share(p.w.experience_years(k)), n + 1)
            });
            sum / f64::from(n.max(1))
        },
        explain: |p, _| {
            // One string written in place: a ranking explains twenty candidates.
            let mut out = String::with_capacity(64);
            for k in needs_of(p.r) {
                if !out.is_empty() {
                    out.push_str("; ");
                }
                out.push_str(k.label());
                match p.w.experience_years(k) {
                    Some(0) => out.push_str(": meno di un anno"),
                    Some(1) => out.push_str(": 1 anno"),
                    Some(y) => {
                        let _ = write!(out, ": {y} anni");
                    }
                    None => out.push_str(": nessuna esperienza indicata"),
                }
            }
            out
        },
    },
    FactorUnit {
        factor: Factor::Hours,
        name: "hours",
        label: "orario",
        max_points: 10.0,
        order: 3,
        share: |p| hours_share(p.r.hours, p.w.hours_min, p.w.hours_max),
        explain: |p, _| {
            format!(
                "disponibile {}–{} ore settimanali, richieste {}",
                p.w.hours_min, p.w.hours_max, p.r.hours
            )
        },
    },
    FactorUnit {
        factor: Factor::Distance,
        name: "distance",
        label: "distanza",
        max_points: 15.0,
        order: 2,
        share: |p| distance_share(p.arrangement, p.km, p.w.max_travel_km),
        explain: |p, _| {
            let place = &Comuni::get().by_slot(p.w.comune).name;
            match p.arrangement {
                Arrangement::LiveIn => format!(
                    "convivente: si trasferisce presso la famiglia (vive a {place}, {:.0} km)",
                    p.km
                ),
                Arrangement::Commute => format!(
                    "{:.0} km da {place} (percorre fino a {} km)",
                    p.km, p.w.max_travel_km
                ),
            }
        },
    },
    FactorUnit {
        factor: Factor::Wage,
        name: "wage",
        label: "retribuzione",
        max_points: 10.0,
        order: 4,
        share: |p| wage_share(p.w.wage_cents, p.r.offered_cents),
        explain: |p, _| match (p.w.wage_cents, p.r.offered_cents) {
            (Some(want), Some(offer)) => format!(
                "chiede {} €/mese, offerti {} €/mese",
                euros(want),
                euros(offer)
            ),
            (None, _) => "nessuna richiesta economica indicata".to_string(),
            (_, None) => "retribuzione da concordare".to_string(),
        },
    },
    FactorUnit {
        factor: Factor::Languages,
        name: "languages",
        label: "lingue",
        max_points: 5.0,
        order: 6,
        share: |p| language_bonus(p.w, p.r) / LANGUAGE_BONUS_MAX,
        explain: |p, _| {
            let mut out = String::with_capacity(64);
            out.push_str("italiano ");
            match p.w.italian_level() {
                Some(level) => out.push_str(level.as_str()),
                None => out.push_str("non indicato"),
            }
            let others =
                p.w.languages
                    .iter()
                    .filter(|l| !l.is_empty() && l.code_str() != "it");
            for (i, (l, level)) in others.filter_map(|l| Some((l, l.level()?))).enumerate() {
                out.push_str(if i == 0 { "; altre lingue: " } else { ", " });
                out.push_str(&crate::italian::language_skill(&l.code_str(), level));
            }
            out
        },
    },
    FactorUnit {
        factor: Factor::Text,
        name: "text",
        label: "note affini",
        max_points: 15.0,
        order: 7,
        share: |p| p.ctx.text_share,
        explain: |_, shared| {
            if shared.is_empty() {
                "nessuna parola in comune tra le note".to_string()
            } else {
                format!("note affini: {}", shared.join(", "))
            }
        },
    },
    FactorUnit {
        factor: Factor::Recency,
        name: "recency",
        label: "scheda aggiornata",
        max_points: 10.0,
        order: 0,
        share: |p| recency_share(p.ctx.today.days_since(p.w.confirmed_on)),
        explain: |p, _| {
            format!(
                "scheda confermata il {} ({} giorni fa)",
                crate::italian::date(p.w.confirmed_on),
                p.ctx.today.days_since(p.w.confirmed_on).max(0)
            )
        },
    },
    FactorUnit {
        factor: Factor::Waiting,
        name: "waiting",
        label: "attesa di una proposta",
        // Small on purpose: it breaks ties toward people who waited, it never
        // outweighs fitness for the job.
        max_points: 5.0,
        order: 5,
        share: |p| waiting_share(p.ctx.today.days_since(p.w.waiting_since)),
        explain: |p, _| {
            format!(
                "in attesa di una proposta da {} giorni",
                p.ctx.today.days_since(p.w.waiting_since).max(0)
            )
        },
    },
];

/// Unit indices in computation order (by `order`), fixed at compile time.
const EVAL_ORDER: [usize; FACTORS] = {
    let mut order = [0; FACTORS];
    let mut i = 0;
    while i < FACTORS {
        order[i] = i;
        i += 1;
    }
    let mut i = 1;
    while i < FACTORS {
        let mut j = i;
        while j > 0 && UNITS[order[j - 1]].order > UNITS[order[j]].order {
            let t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    order
};

/// The most the text factor adds: what a scan without text must leave room for.
pub const TEXT_MAX_POINTS: f64 = UNITS[Factor::Text as usize].max_points;

/// Points per factor (rounded to 0.1), in display order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breakdown {
    pub points: [f64; FACTORS],
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
        self.points[Factor::Text as usize] = points_of(Factor::Text.unit(), share);
    }
}

fn round1(x: f64) -> f64 {
    round_half_away(x * 10.0) / 10.0
}

/// Exactly `f64::round`, without the library call it compiles to on baseline x86-64 (no
/// SSE4.1): a scan rounds every factor of every row it scores, and the call cost more
/// than the factor.
#[inline]
fn round_half_away(y: f64) -> f64 {
    // Past 2^52 every f64 is whole; NaN and infinities take the library path too.
    if y.is_nan() || y.abs() >= 4_503_599_627_370_496.0 {
        return y.round();
    }
    // The cast truncates toward zero, and `y - t` is exact in this range.
    let t = y as i64 as f64;
    let d = y - t;
    let r = if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    };
    // -0.3 rounds to -0, as the library's does (a bit operation).
    r.copysign(y)
}

pub(super) fn points_of(u: &FactorUnit, share: f64) -> f64 {
    round1(u.max_points * share.clamp(0.0, 1.0))
}

/// Text points for a share, as `set_text` rounds them.
pub fn text_points(share: f64) -> f64 {
    points_of(Factor::Text.unit(), share)
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
        points: [0.0; FACTORS],
        distance_km: km,
        arrangement: Arrangement::Commute,
    }))
}

/// `score_at`, but gives up (`Ok(None)`) as soon as full marks on the factors still to
/// compute could not bring the total to `floor`: a scan passes the score it must beat,
/// and most candidates are dismissed after a factor or two.
#[inline]
pub fn score_reaching(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    km: f64,
    ctx: &Context,
    floor: f64,
) -> Result<Option<Breakdown>, Exclusion> {
    let (arrangement, km) = check_at(w, r, km)?;
    let pair = Pair {
        w,
        r,
        km,
        arrangement,
        ctx,
    };
    let mut points = [0.0; FACTORS];
    let mut sum = 0.0;
    let mut left: f64 = UNITS.iter().map(|u| u.max_points).sum();
    for (n, &i) in EVAL_ORDER.iter().enumerate() {
        let u = &UNITS[i];
        let p = points_of(u, (u.share)(&pair));
        points[i] = p;
        sum += p;
        left -= u.max_points;
        if n + 1 < FACTORS && sum + left < floor {
            return Ok(None);
        }
    }
    Ok(Some(Breakdown {
        points,
        distance_km: km,
        arrangement,
    }))
}

/// The Italian explanation of a breakdown, one reason per factor, in display order.
pub fn reasons(
    w: &WorkerFeatures,
    r: &RequestFeatures,
    b: &Breakdown,
    ctx: &Context,
    shared: &[String],
) -> Vec<Reason> {
    let pair = Pair {
        w,
        r,
        km: b.distance_km,
        arrangement: b.arrangement,
        ctx,
    };
    UNITS
        .iter()
        .map(|u| Reason {
            factor: u.name.into(),
            points: b.get(u.factor),
            detail: (u.explain)(&pair, shared),
        })
        .collect()
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
            out.push(format!(
                "permesso in scadenza il {}",
                crate::italian::date(exp)
            ));
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
            crate::italian::date(w.confirmed_on)
        ));
    }
    if w.possible_duplicate {
        out.push("possibile doppione di un'altra scheda: verificare".to_string());
    }
    out
}

// The factors' arithmetic, one function each, shared by the exact score (`UNITS`) and the
// per-row bound (`bound.rs`): a bound computed by other arithmetic could drift below the
// score and silently drop a candidate.

/// Share (0–1 before clamping) of the hours points: a tenth lost per hour outside the
/// worker's range.
pub(super) fn hours_share(hours: u8, min: u8, max: u8) -> f64 {
    let gap = if hours < min {
        min - hours
    } else {
        hours.saturating_sub(max)
    };
    1.0 - f64::from(gap) / 10.0
}

/// Share of the distance points at `km`, for a worker who travels up to `reach` km.
pub(super) fn distance_share(arrangement: Arrangement, km: f64, reach: u16) -> f64 {
    match arrangement {
        // Close still helps a live-in worker (visits home, knows the area), a little.
        Arrangement::LiveIn => 2.0 / 3.0 + (1.0 - km.min(300.0) / 300.0) / 3.0,
        Arrangement::Commute => 1.0 - 0.8 * km / f64::from(reach.max(1)),
    }
}

/// Share (before clamping) of the wage points: full when the offer covers what the
/// worker asks, nothing 30% below it, 0.7 when either side is silent. Never falls as
/// `want` falls, which is what lets the bound use a rounded-down `want`.
pub(super) fn wage_share(want: Option<u32>, offer: Option<u32>) -> f64 {
    match (want, offer) {
        (Some(want), Some(offer)) if offer >= want => 1.0,
        (Some(want), Some(offer)) => 1.0 - f64::from(want - offer) / f64::from(want) / 0.3,
        _ => 0.7,
    }
}

/// Share (before clamping) of the recency points for a card confirmed `days` ago.
pub(super) fn recency_share(days: i32) -> f64 {
    1.0 - f64::from((days - RECENCY_FULL_DAYS).max(0))
        / f64::from(RECENCY_ZERO_DAYS - RECENCY_FULL_DAYS)
}

/// Share of the waiting points after `days` without a proposal.
pub(super) fn waiting_share(days: i32) -> f64 {
    f64::from(days.clamp(0, WAITING_FULL_DAYS)) / f64::from(WAITING_FULL_DAYS)
}

/// Needs that count for experience: those the family named, or the job's core one.
/// (Scoring runs this for every candidate: an iterator over a bitset, no allocation.)
pub(super) fn needs_of(r: &RequestFeatures) -> impl Iterator<Item = ExperienceKind> + Clone {
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
pub(super) fn experience_share(years: Option<u8>) -> f64 {
    years.map_or(0.0, |y| 0.5 + 0.5 * f64::from(y.min(10)) / 10.0)
}

/// The raw language bonus that earns full language points.
pub(super) const LANGUAGE_BONUS_MAX: f64 = 5.0;

/// Raw language bonus (0–5): Italian above what is needed, other languages at B1+.
fn language_bonus(w: &WorkerFeatures, r: &RequestFeatures) -> f64 {
    let it = lang_code("it").unwrap_or(0);
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
        .count();
    language_points(w.italian_level(), others, r)
}

/// The language bonus (0–5) of an Italian level and a number of other languages at B1+
/// the request does not already require. It never falls as either grows, which is what
/// lets the row bound (`bound.rs`) count languages without the request's exclusions.
pub(super) fn language_points(italian: Option<Level>, others: usize, r: &RequestFeatures) -> f64 {
    let floor = r.italian_min.unwrap_or(Level::A2).index() as f64;
    let above = italian.map_or(0.0, |l| (l.index() as f64 - floor).max(0.0));
    above.min(3.0) + (others as f64).min(2.0)
}

/// `1.100` or `1.100,50`: whole euros without decimals, as people say wages.
fn euros(cents: u32) -> String {
    let decimals = if cents.is_multiple_of(100) { 0 } else { 2 };
    crate::italian::number(f64::from(cents) / 100.0, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::PackedLang;
    use crate::model::{LiveIn, WorkerStatus};
    use crate::rank::testing::{arb_request, arb_worker, day, request, worker};
    use proptest::prelude::*;

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
    fn units_are_in_display_order_and_maxima_sum_to_100() {
        for (i, u) in UNITS.iter().enumerate() {
            assert_eq!(u.factor as usize, i, "{}", u.name);
        }
        let sum: f64 = Factor::all().map(Factor::max_points).sum();
        assert_eq!(sum, 100.0);
        // Text is computed last: the scan adds it afterwards and never cuts on it.
        assert_eq!(EVAL_ORDER[FACTORS - 1], Factor::Text as usize);
        assert_eq!(TEXT_MAX_POINTS, Factor::Text.max_points());
    }

    /// Each unit's points and sentence agree: the sentence is built from the same pair
    /// the points are, and changes when the points do.
    #[test]
    fn every_factor_explains_what_it_computes() {
        let c = ctx();
        let b = score(&worker(), &request(), &c).unwrap();
        let rs = reasons(&worker(), &request(), &b, &c, &["alzheimer".to_string()]);
        for (u, reason) in UNITS.iter().zip(&rs) {
            assert_eq!(reason.factor, u.name);
            assert_eq!(reason.points, b.get(u.factor));
            assert!(!reason.detail.is_empty(), "{}", u.name);
        }
        // Move every factor off its value and check the sentence moves with it.
        let mut w = worker();
        w.experience[ExperienceKind::Mobility.index()] = 10;
        w.hours_max = 40;
        w.wage_cents = Some(150_000);
        w.languages[2] = PackedLang::new("en", Level::C1).unwrap();
        w.confirmed_on = day("2026-06-01");
        w.waiting_since = day("2026-06-01");
        let mut r = request();
        r.comune = w.comune;
        let c2 = Context {
            today: c.today,
            text_share: 0.0,
        };
        let b2 = score(&w, &r, &c2).unwrap();
        let rs2 = reasons(&w, &r, &b2, &c2, &[]);
        for ((u, a), z) in UNITS.iter().zip(&rs).zip(&rs2) {
            assert_ne!(a.points, z.points, "{} points did not move", u.name);
            assert_ne!(a.detail, z.detail, "{} sentence did not move", u.name);
        }
    }

    #[test]
    fn contract_pair_is_a_candidate() {
        let b = score(&worker(), &request(), &ctx()).unwrap();
        assert_eq!(b.arrangement, Arrangement::LiveIn);
        assert!(b.total() > 50.0, "{b:?}");
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
        assert_eq!(warns[0], "permesso in scadenza il 10/01/2027");
        assert!(warnings(&worker(), &request(), day("2026-11-20")).is_empty());
    }

    #[test]
    fn reasons_name_every_factor_in_italian() {
        let b = score(&worker(), &request(), &ctx()).unwrap();
        let rs = reasons(&worker(), &request(), &b, &ctx(), &["alzheimer".into()]);
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

    #[test]
    fn rounding_matches_the_library_at_halves_and_edges() {
        for y in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            4.5e15,
            -4.5e15,
            1e300,
        ] {
            assert_eq!(round_half_away(y).to_bits(), y.round().to_bits(), "{y}");
        }
        assert!(round_half_away(f64::NAN).is_nan());
        assert_eq!(round_half_away(f64::INFINITY), f64::INFINITY);
    }

    proptest! {
        #[test]
        fn rounding_matches_the_library(y in -1.0e6f64..1.0e6, halves in -2000i32..2000) {
            prop_assert_eq!(round_half_away(y).to_bits(), y.round().to_bits());
            let h = f64::from(halves) + 0.5;
            prop_assert_eq!(round_half_away(h), h.round());
        }

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
                let rs = reasons(&w, &r, &b, &c, &[]);
                let sum: f64 = rs.iter().map(|x| x.points).sum();
                prop_assert!((sum - b.total()).abs() < 1e-9);
                prop_assert!((0.0..=100.0).contains(&b.total()));
                for (f, p) in Factor::all().zip(b.points) {
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
