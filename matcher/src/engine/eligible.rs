//! Who was an eligible candidate of past requests, for the fairness audit: every hard
//! constraint checked against the cards as they are now, availability aside.

use std::collections::HashSet;

use super::Engine;
use crate::features::RequestFeatures;
use crate::model::{Id, Request};
use crate::rank::{self, Exclusion};

impl Engine {
    /// The people who meet every hard constraint of at least one of `requests`.
    ///
    /// The store keeps no history of card states, so this reads the current cards: a
    /// card edited since may have been eligible then and not now (or the reverse), and
    /// erased cards are gone. Availability is ignored because it is exactly what a
    /// placement changes: the people hired would otherwise drop out of their own group.
    pub(crate) fn eligible_for_any<'a>(
        &self,
        requests: impl IntoIterator<Item = &'a Request>,
    ) -> HashSet<Id> {
        let features: Vec<RequestFeatures> =
            requests.into_iter().map(RequestFeatures::of).collect();
        let distances: Vec<_> = features
            .iter()
            .map(|rf| self.distances(rf.comune))
            .collect();
        let t = self.tables();
        let mut out = HashSet::new();
        for (w, _) in t.workers.live() {
            let passes = features.iter().zip(&distances).any(|(rf, dist)| {
                let km = dist[w.comune as usize];
                rank::failing(w, rf, km)
                    .iter()
                    .all(|e| matches!(e, Exclusion::Unavailable(_)))
            });
            if passes {
                out.insert(w.id);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::date::Date;
    use crate::engine::Engine;
    use crate::model::{Actor, Id, Role};
    use crate::rank::Exclusion;
    use crate::Eligibility;

    #[test]
    fn eligibility_ignores_only_the_cards_current_availability() {
        let today = Date::from_ymd(2026, 11, 20).unwrap();
        let e = Engine::temporary().unwrap();
        e.seed_demo(today).unwrap();
        let requests = e.store().requests.select(|_| true).unwrap();
        let r = &requests[0];
        let before = e.eligible_for_any([r]);
        let first = *before.iter().min().unwrap();
        let actor = Actor {
            operator_id: Id(1),
            org_id: Id(1),
            role: Role::Admin,
        };
        let inactive = serde_json::json!({"status": "inactive"});
        e.patch_worker(&actor, first, &inactive, today).unwrap();
        let all = e.eligible_for_any([r]);
        assert_eq!(all, before, "an inactive card still counts");
        for w in e.store().workers.select(|_| true).unwrap() {
            let eligible = match e.eligibility(w.id, r, today).unwrap() {
                Eligibility::Eligible(_) => true,
                Eligibility::Excluded(x) => {
                    x.iter().all(|x| matches!(x, Exclusion::Unavailable(_)))
                }
            };
            assert_eq!(all.contains(&w.id), eligible, "{}", w.id);
        }
        assert!(all.len() < e.store().workers.len(), "constraints exclude");
        let union = e.eligible_for_any(&requests);
        assert!(union.is_superset(&all) && union.len() > all.len());
    }
}
