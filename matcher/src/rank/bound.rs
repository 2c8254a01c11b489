//! A per-row upper bound on the full score, from a small column kept beside the table's
//! rows, so a scan dismisses most rows without reading their `WorkerFeatures`.
//!
//! A national live-in request scans a quarter of the table; reading each row (80 B, a
//! cache miss) is what such a scan pays, not the arithmetic. `Hot` packs in 24 B the
//! request-dependent inputs of the soft factors (experience as nibbles, the two dates as
//! days, hours, wage in euros, languages, the notes' signature); `RowBound`, built once
//! per request, turns a `Hot` and the row's distance into a number never below the row's
//! full score. Every factor goes through `factor.rs`'s own arithmetic, so the bound
//! cannot drift from the score; where `Hot` holds less than the row (a rounded-down wage,
//! languages counted without the request's exclusions, a date out of range) the factor
//! only moves up.

use crate::date::Date;
use crate::features::{RequestFeatures, WorkerFeatures, NO_EXPERIENCE};
use crate::model::Level;
use crate::relevance::{DocTerms, TextQuery};

use super::constraint::Arrangement;
use super::factor::{self, Factor, FACTORS};

/// Experience kinds, one nibble each.
const KINDS: usize = 10;
/// The nibble of a kind the card does not list.
const NO_YEARS: u8 = 0xF;
/// A date outside what a `u16` of days since 1970 holds: the bound gives full marks.
const NO_DAY: u16 = 0;
/// No wage asked.
const NO_WAGE: u16 = u16::MAX;
/// Other languages counted (the bonus stops at two; one more keeps the count honest).
const MAX_OTHERS: u8 = 3;
/// The exact score rounds each factor to 0.1 and then the sum (at most 0.05 up each
/// time) and is compared in f32; the bound rounds nothing.
const SLACK: f64 = 0.05 * (FACTORS as f64 + 1.0) + 1e-3;

/// What the soft factors read of a row, beyond its place: 24 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Hot {
    /// The notes' signature and length (`DocTerms::signature`).
    sig: u64,
    text_len: u16,
    /// Days since 1970, `NO_DAY` when out of range.
    confirmed: u16,
    waiting: u16,
    /// Whole euros rounded down, `NO_WAGE` when none is asked.
    wage_eur: u16,
    /// Years (0–10, more counts as 10) per experience kind, two to a byte.
    experience: [u8; KINDS / 2],
    hours_min: u8,
    hours_max: u8,
    /// Bits 0–2: Italian level + 1 (0: none); bits 3–4: other languages at B1 or more.
    langs: u8,
}

/// `date` as days in a `u16`, `NO_DAY` when it does not fit.
fn short_day(date: Date) -> u16 {
    match u16::try_from(date.days()) {
        Ok(NO_DAY) | Err(_) => NO_DAY,
        Ok(d) => d,
    }
}

impl Hot {
    pub fn of(w: &WorkerFeatures, terms: &DocTerms) -> Hot {
        let mut experience = [0u8; KINDS / 2];
        for (k, &years) in w.experience.iter().enumerate() {
            let nibble = match years {
                NO_EXPERIENCE => NO_YEARS,
                y => y.min(10),
            };
            experience[k / 2] |= nibble << (4 * (k % 2));
        }
        let it = crate::features::lang_code("it").unwrap_or(0);
        let others = w
            .languages
            .iter()
            .filter(|l| !l.is_empty() && l.code() != it)
            .filter(|l| l.level().is_some_and(|lv| lv >= Level::B1))
            .count()
            .min(usize::from(MAX_OTHERS)) as u8;
        let italian = w.italian_level().map_or(0, |l| l.index() as u8 + 1);
        let (sig, text_len) = terms.signature();
        Hot {
            sig,
            text_len,
            confirmed: short_day(w.confirmed_on),
            waiting: short_day(w.waiting_since),
            wage_eur: w
                .wage_cents
                .map_or(NO_WAGE, |c| (c / 100).min(u32::from(NO_WAGE - 1)) as u16),
            experience,
            hours_min: w.hours_min,
            hours_max: w.hours_max,
            langs: italian | others << 3,
        }
    }

    fn years_nibble(&self, kind: usize) -> usize {
        usize::from(self.experience[kind / 2] >> (4 * (kind % 2)) & 0xF)
    }
}

/// Live-in distance points are tabled by whole km up to here; the share is flat beyond.
const LIVE_IN_KM: usize = 300;
/// Ages (days since confirmation) tabled for recency: from here on it gives nothing.
const RECENCY_AGES: usize = factor::RECENCY_ZERO_DAYS as usize + 1;
/// The wage asked above the offer is tabled in steps of this many euros, up to
/// `WAGE_STEPS` steps. A step's points are those at its start, never below those of a
/// wage in it (the share never rises as the wage asked rises); a wage past the last step
/// reads the last one. The table reaches the share's zero for offers up to 4,760 € a
/// month (30% below what is asked); past that the bound is only looser.
const WAGE_STEP: u32 = 8;
const WAGE_STEPS: usize = 256;
/// Days of waiting tabled: from here on the waiting points are full.
const WAITING_DAYS: usize = factor::WAITING_FULL_DAYS as usize + 1;

/// One request's bound: what does not depend on the row, computed once. Most factors are
/// tables of points built by `factor.rs`'s own share functions (by years, by hours of
/// gap, by whole km, by days), so bounding a row is a handful of lookups and one sum in
/// `f32` — a national scan bounds a quarter of the table.
pub(crate) struct RowBound<'q> {
    today: i32,
    hours: u8,
    /// Whether commuting is an arrangement the request accepts.
    commute: bool,
    /// The offer in whole euros rounded down (`None`: no offer, the wage points are
    /// `wage_silent`), and the wage points by how many steps of `WAGE_STEP` euros above it
    /// the card asks.
    offer_eur: Option<u32>,
    wage_silent: f32,
    wage_by_step: [f32; WAGE_STEPS],
    /// The experience kinds the request counts, and the points one of them gives for
    /// each nibble.
    needs: [u8; KINDS],
    n_needs: usize,
    experience: [f32; 16],
    /// Language points by Italian nibble and other languages.
    languages: [[f32; MAX_OTHERS as usize + 1]; 8],
    /// Hours points by the gap (hours) between the request's hours and the card's range.
    hours_by_gap: [f32; 256],
    /// Live-in distance points by whole km: the share falls with distance, so the points
    /// at a row's km rounded down are never below its own.
    live_in_by_km: [f32; LIVE_IN_KM + 1],
    /// Recency points by age in days (a negative age counts as 0), waiting points by
    /// days waited (negative: 0); both clamped where the share stops changing.
    recency_by_age: [f32; RECENCY_AGES],
    waiting_by_days: [f32; WAITING_DAYS],
    max: [f64; FACTORS],
    query: &'q TextQuery,
}

fn points(max: f64, share: f64) -> f64 {
    max * share.clamp(0.0, 1.0)
}

/// `max` points at each share of `table`'s index, in `f32`.
fn tabled<const N: usize>(max: f64, share: impl Fn(usize) -> f64) -> [f32; N] {
    std::array::from_fn(|i| points(max, share(i)) as f32)
}

impl<'q> RowBound<'q> {
    pub fn new(r: &RequestFeatures, query: &'q TextQuery, today: Date) -> RowBound<'q> {
        let mut max = [0.0; FACTORS];
        for f in Factor::all() {
            max[f as usize] = f.max_points();
        }
        let mut needs = [0u8; KINDS];
        let mut n_needs = 0;
        for k in factor::needs_of(r) {
            needs[n_needs] = k.index() as u8;
            n_needs += 1;
        }
        // The exact factor averages the needs' shares: each need carries 1/n of it.
        let experience = tabled(
            max[Factor::Experience as usize] / n_needs.max(1) as f64,
            |nibble| {
                let years = (nibble != usize::from(NO_YEARS)).then_some(nibble as u8);
                factor::experience_share(years)
            },
        );
        let languages = std::array::from_fn(|it| {
            let level = it.checked_sub(1).and_then(|i| Level::ALL.get(i)).copied();
            tabled(max[Factor::Languages as usize], |others| {
                factor::language_points(level, others, r) / factor::LANGUAGE_BONUS_MAX
            })
        });
        let offer_eur = r.offered_cents.map(|c| c / 100);
        let wage_max = max[Factor::Wage as usize];
        RowBound {
            today: today.days(),
            hours: r.hours,
            commute: r.live_in != crate::model::LiveIn::Yes,
            offer_eur,
            wage_silent: points(wage_max, factor::wage_share(None, None)) as f32,
            // A step's start, in cents, as the card's whole euros give it.
            wage_by_step: tabled(wage_max, |step| {
                let start = offer_eur.unwrap_or(0) + WAGE_STEP * step as u32;
                factor::wage_share(Some(start * 100), r.offered_cents)
            }),
            needs,
            n_needs,
            experience,
            languages,
            // A gap of `g` hours is what a range starting `g` above the request's hours
            // leaves.
            hours_by_gap: tabled(max[Factor::Hours as usize], |gap| {
                factor::hours_share(0, gap as u8, u8::MAX)
            }),
            live_in_by_km: tabled(max[Factor::Distance as usize], |km| {
                factor::distance_share(Arrangement::LiveIn, km as f64, 0)
            }),
            recency_by_age: tabled(max[Factor::Recency as usize], |age| {
                factor::recency_share(age as i32)
            }),
            waiting_by_days: tabled(max[Factor::Waiting as usize], |days| {
                factor::waiting_share(days as i32)
            }),
            max,
            query,
        }
    }

    /// Never below the full score (text included) of the row `hot` describes, at `km`
    /// from the request and travelling up to `reach` km, when it passes the constraints.
    /// (The scan asks `reaching`; this is what it is checked against.)
    #[cfg(test)]
    pub fn points(&self, hot: &Hot, km: f64, reach: u16) -> f32 {
        self.without_text(hot, km, reach) + self.text(hot)
    }

    /// `points` when it reaches `cut`. The text's bound (a loop over the signature's
    /// bits) is computed only when the rest does not settle it: most rows of a national
    /// scan are short of the cut by more than text can give.
    #[inline]
    pub fn reaching(&self, hot: &Hot, km: f64, reach: u16, cut: f32) -> Option<f32> {
        let rest = self.without_text(hot, km, reach);
        if rest + (self.max[Factor::Text as usize] as f32) < cut {
            return None;
        }
        let p = rest + self.text(hot);
        (p >= cut).then_some(p)
    }

    /// The text's bound, from the notes' signature.
    #[inline]
    fn text(&self, hot: &Hot) -> f32 {
        let share = self.query.share_bound_of(hot.sig, hot.text_len);
        points(self.max[Factor::Text as usize], share) as f32
    }

    /// `points` but for text, slack included.
    #[inline]
    fn without_text(&self, hot: &Hot, km: f64, reach: u16) -> f32 {
        let experience = self.needs[..self.n_needs].iter().fold(0.0, |p, &k| {
            p + self.experience[hot.years_nibble(usize::from(k))]
        });
        let gap = if self.hours < hot.hours_min {
            hot.hours_min - self.hours
        } else {
            self.hours.saturating_sub(hot.hours_max)
        };
        let hours = self.hours_by_gap[usize::from(gap)];
        // The constraints pick the arrangement; either may be the better one here. (A
        // distance that is not a number reads the table at 0 km: full marks.)
        let live_in = self.live_in_by_km[(km as usize).min(LIVE_IN_KM)];
        let distance = if self.commute && km <= f64::from(reach) {
            let commute = factor::distance_share(Arrangement::Commute, km, reach);
            live_in.max(points(self.max[Factor::Distance as usize], commute) as f32)
        } else {
            live_in
        };
        let wage = match self.offer_eur {
            Some(offer) if hot.wage_eur != NO_WAGE => {
                let above = u32::from(hot.wage_eur).saturating_sub(offer) / WAGE_STEP;
                self.wage_by_step[(above as usize).min(WAGE_STEPS - 1)]
            }
            _ => self.wage_silent,
        };
        let languages = self.languages[usize::from(hot.langs & 7)][usize::from(hot.langs >> 3)];
        let recency = match hot.confirmed {
            NO_DAY => self.recency_by_age[0],
            d => self.recency_by_age[self.days_since(d).min(RECENCY_AGES - 1)],
        };
        let waiting = match hot.waiting {
            NO_DAY => self.waiting_by_days[WAITING_DAYS - 1],
            d => self.waiting_by_days[self.days_since(d).min(WAITING_DAYS - 1)],
        };
        // Summed as a tree, not a chain: a chain of eight dependent adds was most of a
        // row's latency, and a national scan bounds a quarter of the table.
        ((experience + hours) + (distance + wage))
            + ((languages + recency) + (waiting + SLACK as f32))
    }

    /// Days from `day` to the request's today, 0 when `day` is later.
    #[inline]
    fn days_since(&self, day: u16) -> usize {
        (self.today - i32::from(day)).max(0) as usize
    }

    /// The most this row's notes can give (text points), from its signature.
    #[inline]
    pub fn text_points(&self, hot: &Hot) -> f64 {
        factor::text_points(self.query.share_bound_of(hot.sig, hot.text_len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comuni::Comuni;
    use crate::rank::factor::{score_at, Context};
    use crate::rank::testing::{arb_request, arb_worker, day, request, worker};
    use crate::relevance::{doc_terms, TermStats};
    use proptest::prelude::*;

    fn words(ids: &[usize]) -> String {
        ids.iter()
            .map(|i| format!("parola{i}x"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A corpus of notes and a query over the same few words.
    fn texts(docs: &[Vec<usize>], query: &[usize]) -> (Vec<DocTerms>, TextQuery) {
        let docs: Vec<DocTerms> = docs.iter().map(|d| doc_terms(&words(d))).collect();
        let mut stats = TermStats::default();
        for d in &docs {
            stats.add(d);
        }
        let q = stats.query(&doc_terms(&words(query)));
        (docs, q)
    }

    #[test]
    fn the_hot_column_fits_twenty_four_bytes_and_keeps_its_inputs() {
        assert_eq!(std::mem::size_of::<Hot>(), 24);
        let w = worker();
        let h = Hot::of(&w, &DocTerms::default());
        assert_eq!(
            h.years_nibble(crate::model::ExperienceKind::Dementia.index()),
            5
        );
        assert_eq!(
            h.years_nibble(crate::model::ExperienceKind::Mobility.index()),
            15
        );
        assert_eq!(h.wage_eur, 1100);
        assert_eq!(h.confirmed, day("2026-11-01").days() as u16);
        // Italian B1 (index 2, stored + 1) and Romanian C2 as one other language.
        assert_eq!(h.langs, 3 | 1 << 3);
    }

    #[test]
    fn the_bound_is_close_for_the_contract_pair() {
        let (docs, q) = texts(&[vec![1, 2]], &[1]);
        let (w, r, today) = (worker(), request(), day("2026-11-20"));
        let km = Comuni::get().distance_km(w.comune, r.comune);
        let ctx = Context {
            today,
            text_share: q.share(&docs[0]),
        };
        let exact = score_at(&w, &r, km, &ctx).unwrap().total();
        let bound = f64::from(RowBound::new(&r, &q, today).points(
            &Hot::of(&w, &docs[0]),
            km,
            w.max_travel_km,
        ));
        // Every input of the pair is in `Hot` exactly: only the slack (and the text
        // signature's own looseness, none for a one-term query) separates them.
        assert!(bound >= exact && bound <= exact + 1.0, "{bound} vs {exact}");
    }

    proptest! {
        /// The bound is never below the full score, whatever the pair, the notes and
        /// the day.
        #[test]
        fn the_bound_is_never_below_the_full_score(
            w in arb_worker(),
            r in arb_request(),
            waited in -800i32..400,
            days_later in -30i32..900,
            docs in proptest::collection::vec(proptest::collection::vec(0usize..30, 0..16), 1..4),
            query in proptest::collection::vec(0usize..30, 0..8),
        ) {
            let (docs, q) = texts(&docs, &query);
            let today = day("2026-11-20").add_days(days_later);
            let mut w = w;
            w.waiting_since = day("2026-11-20").add_days(waited);
            let km = Comuni::get().distance_km(w.comune, r.comune);
            let bound = RowBound::new(&r, &q, today);
            for d in &docs {
                let ctx = Context { today, text_share: 0.0 };
                if let Ok(mut b) = score_at(&w, &r, km, &ctx) {
                    let share = q.share(d);
                    // As the scan computes it: the score without text, then text.
                    let full = (b.total() + factor::text_points(share)) as f32;
                    b.set_text(share);
                    let hi = bound.points(&Hot::of(&w, d), km, w.max_travel_km);
                    prop_assert!(hi >= full, "bound {} < scan score {}", hi, full);
                    prop_assert!(f64::from(hi) >= b.total(), "bound {} < score {}", hi, b.total());
                }
            }
        }

        /// Better inputs never lower the bound: more years, a later confirmation, a
        /// longer wait, a smaller wage asked.
        #[test]
        fn the_bound_never_falls_as_a_card_improves(
            w in arb_worker(),
            r in arb_request(),
            kind in 0usize..10,
            extra in 1u8..5,
            later in 1i32..200,
        ) {
            let (docs, q) = texts(&[vec![1]], &[1]);
            let today = day("2026-11-20");
            let km = Comuni::get().distance_km(w.comune, r.comune);
            let bound = RowBound::new(&r, &q, today);
            let of = |w: &WorkerFeatures| bound.points(&Hot::of(w, &docs[0]), km, w.max_travel_km);
            let base = of(&w);
            let mut better = w;
            better.experience[kind] = match w.experience[kind] {
                NO_EXPERIENCE => 0,
                y => y.saturating_add(extra).min(NO_EXPERIENCE - 1),
            };
            prop_assert!(of(&better) >= base);
            let mut better = w;
            better.confirmed_on = w.confirmed_on.add_days(later);
            prop_assert!(of(&better) >= base);
            let mut better = w;
            better.waiting_since = w.waiting_since.add_days(-later);
            prop_assert!(of(&better) >= base);
            let mut better = w;
            better.wage_cents = w.wage_cents.map(|c| c.saturating_sub(later as u32 * 1000));
            prop_assert!(of(&better) >= base);
        }
    }

    proptest! {
        /// `reaching` is `points` when that reaches the cut, and nothing otherwise.
        #[test]
        fn reaching_is_points_at_or_above_the_cut(
            w in arb_worker(),
            r in arb_request(),
            docs in proptest::collection::vec(proptest::collection::vec(0usize..30, 0..16), 1..4),
            query in proptest::collection::vec(0usize..30, 0..8),
            cut in 0.0f32..110.0,
        ) {
            let (docs, q) = texts(&docs, &query);
            let today = day("2026-11-20");
            let km = Comuni::get().distance_km(w.comune, r.comune);
            let bound = RowBound::new(&r, &q, today);
            for d in &docs {
                let hot = Hot::of(&w, d);
                let p = bound.points(&hot, km, w.max_travel_km);
                let got = bound.reaching(&hot, km, w.max_travel_km, cut);
                prop_assert_eq!(got, (p >= cut).then_some(p));
            }
        }
    }

    #[test]
    fn dates_out_of_range_give_full_marks() {
        let (docs, q) = texts(&[vec![1]], &[1]);
        let (r, today) = (request(), day("2026-11-20"));
        let bound = RowBound::new(&r, &q, today);
        let mut w = worker();
        w.confirmed_on = day("2020-01-01");
        let stale = bound.points(&Hot::of(&w, &docs[0]), 10.0, 30);
        w.confirmed_on = Date::from_days(-5);
        assert_eq!(Hot::of(&w, &docs[0]).confirmed, NO_DAY);
        let unknown = bound.points(&Hot::of(&w, &docs[0]), 10.0, 30);
        // A stale card has no recency points; one whose date `Hot` cannot hold gets all.
        assert!((unknown - stale - 10.0).abs() < 1e-3, "{unknown} {stale}");
    }
}
