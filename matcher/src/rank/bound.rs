//! Block-max bounds: a 28-byte summary of every factor's input over a block of workers,
//! and for a request an upper bound on the full score (text included) of anyone in it, so
//! a scan visits blocks best bound first and stops at the first that cannot reach its floor.

use crate::date::Date;
use crate::features::{RequestFeatures, WorkerFeatures, NO_EXPERIENCE};
use crate::model::{Id, Level, LiveIn, PermitKind, WorkerStatus};

use super::constraint::Arrangement;
use super::factor::{language_points, points_of, Context, Factor, Pair, UNITS};

/// Years past which experience earns nothing more: a summary keeps no more than this.
const YEARS_CAP: u8 = 10;

/// For each factor, the most favourable input any worker of the block has: most years per
/// experience kind, widest hours, lowest wage asked, best Italian, most other languages,
/// latest confirmation, longest wait. It only widens as workers are added; a removal
/// leaves it wide (still an upper bound) until the block is summarised again. Dates are
/// kept, not points, so a summary stays valid whatever the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Years + 1 per kind, capped at `YEARS_CAP + 1`; 0: nobody has it.
    experience: [u8; 10],
    hours_min: u8,
    hours_max: u8,
    /// Lowest wage asked (cents), `u32::MAX` when nobody named one.
    wage_min: u32,
    wage_unspecified: bool,
    /// Best Italian level's index + 1; 0: nobody states one.
    italian: u8,
    /// Most other languages at B1 or above on one card (at most 2 count).
    others: u8,
    confirmed_on: i32,
    waiting_since: i32,
}

impl Default for Summary {
    fn default() -> Summary {
        Summary {
            experience: [0; 10],
            hours_min: u8::MAX,
            hours_max: 0,
            wage_min: u32::MAX,
            wage_unspecified: false,
            italian: 0,
            others: 0,
            confirmed_on: i32::MIN,
            waiting_since: i32::MAX,
        }
    }
}

impl Summary {
    /// Widens the summary to cover `w`.
    pub fn add(&mut self, w: &WorkerFeatures) {
        for (best, &years) in self.experience.iter_mut().zip(&w.experience) {
            if years != NO_EXPERIENCE {
                *best = (*best).max(years.min(YEARS_CAP) + 1);
            }
        }
        self.hours_min = self.hours_min.min(w.hours_min);
        self.hours_max = self.hours_max.max(w.hours_max);
        match w.wage_cents {
            Some(c) => self.wage_min = self.wage_min.min(c),
            None => self.wage_unspecified = true,
        }
        let italian = w.italian_level().map_or(0, |l| l.index() as u8 + 1);
        self.italian = self.italian.max(italian);
        let it = crate::features::lang_code("it").unwrap_or(0);
        let others = w
            .languages
            .iter()
            .filter(|l| !l.is_empty() && l.code() != it)
            .filter(|l| l.level().is_some_and(|lv| lv >= Level::B1))
            .count()
            .min(2) as u8;
        self.others = self.others.max(others);
        self.confirmed_on = self.confirmed_on.max(w.confirmed_on.days());
        self.waiting_since = self.waiting_since.min(w.waiting_since.days());
    }

    /// Whether no worker was ever added.
    fn is_empty(&self) -> bool {
        self.confirmed_on == i32::MIN
    }

    /// A worker with the block's best input for every factor whose unit can read it
    /// straight from a worker (experience, hours, wage, recency, waiting).
    fn stand_in(&self, wage_cents: Option<u32>) -> WorkerFeatures {
        let mut experience = [NO_EXPERIENCE; 10];
        for (years, &best) in experience.iter_mut().zip(&self.experience) {
            if best > 0 {
                *years = best - 1;
            }
        }
        WorkerFeatures {
            id: Id(0),
            comune: 0,
            max_travel_km: u16::MAX,
            jobs: u8::MAX,
            live_in: LiveIn::Either,
            status: WorkerStatus::Available,
            driving_license: true,
            permit: PermitKind::EuCitizen,
            possible_duplicate: false,
            hours_min: self.hours_min,
            hours_max: self.hours_max,
            permit_until: i32::MAX,
            permit_expires: None,
            wage_cents,
            confirmed_on: Date::from_days(self.confirmed_on),
            waiting_since: Date::from_days(self.waiting_since),
            experience,
            languages: Default::default(),
        }
    }

    /// The most any worker of the block can score for `r` on `today`, text included
    /// (−∞ for a block nobody was added to). Each factor's points never fall as its
    /// input improves, so the block's best inputs bound every member's points, factor by
    /// factor; distance and text count at full marks.
    pub fn bound(&self, r: &RequestFeatures, today: Date) -> f64 {
        if self.is_empty() {
            return f64::NEG_INFINITY;
        }
        let wage = (self.wage_min != u32::MAX).then_some(self.wage_min);
        let (with_wage, without_wage) = (self.stand_in(wage), self.stand_in(None));
        let ctx = Context {
            today,
            text_share: 1.0,
        };
        // At no distance a commuter earns the distance factor's full marks.
        let best = Pair {
            w: &with_wage,
            r,
            km: 0.0,
            arrangement: Arrangement::Commute,
            ctx: &ctx,
        };
        let unspecified = Pair {
            w: &without_wage,
            ..best
        };
        let italian = self
            .italian
            .checked_sub(1)
            .and_then(|i| Level::ALL.get(usize::from(i)).copied());
        UNITS
            .iter()
            .map(|u| {
                let share = match u.factor {
                    // As the unit divides it: the raw bonus is out of 5.
                    Factor::Languages => {
                        language_points(italian, usize::from(self.others), r) / 5.0
                    }
                    Factor::Wage if self.wage_unspecified => {
                        (u.share)(&best).max((u.share)(&unspecified))
                    }
                    _ => (u.share)(&best),
                };
                points_of(u, share)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comuni::Comuni;
    use crate::rank::score_at;
    use crate::rank::testing::{arb_request, arb_worker, day, request, worker};
    use proptest::prelude::*;

    #[test]
    fn a_summary_is_small() {
        assert!(std::mem::size_of::<Summary>() <= 28);
    }

    #[test]
    fn a_lone_worker_bounds_at_their_score_next_door_with_full_text() {
        let mut s = Summary::default();
        assert_eq!(s.bound(&request(), day("2026-11-20")), f64::NEG_INFINITY);
        let w = worker();
        s.add(&w);
        let r = request();
        let ctx = Context {
            today: day("2026-11-20"),
            text_share: 1.0,
        };
        let b = score_at(&w, &r, 0.0, &ctx).unwrap();
        assert_eq!(b.get(Factor::Distance), Factor::Distance.max_points());
        assert!((s.bound(&r, ctx.today) - b.total()).abs() < 1e-9);
    }

    #[test]
    fn the_bound_follows_the_day() {
        let mut s = Summary::default();
        s.add(&worker());
        let r = request();
        let soon = s.bound(&r, day("2026-11-20"));
        let later = s.bound(&r, day("2027-11-20"));
        // A year on, the card is stale (no recency) and the wait full.
        assert!(later < soon, "{later} {soon}");
    }

    proptest! {
        /// Nobody in a block scores above its bound, whatever the request, the day or
        /// the text relevance.
        #[test]
        fn nobody_beats_the_bound(
            ws in proptest::collection::vec(arb_worker(), 1..12),
            r in arb_request(),
            days in 0i32..800,
            share in 0.0f64..=1.0,
        ) {
            let mut s = Summary::default();
            for w in &ws {
                s.add(w);
            }
            let today = day("2026-01-01").add_days(days);
            let ctx = Context { today, text_share: share };
            let bound = s.bound(&r, today);
            for w in &ws {
                let km = Comuni::get().distance_km(w.comune, r.comune);
                if let Ok(b) = score_at(w, &r, km, &ctx) {
                    prop_assert!(b.total() <= bound + 1e-9, "{} > {}", b.total(), bound);
                }
            }
        }
    }
}
