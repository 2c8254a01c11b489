//! Consistency check: the index and the in-memory tables are derived data, so they must
//! answer exactly as ones rebuilt from the store would. Used by `dom check` and the crash
//! test after every restart.

use std::collections::BTreeSet;

use crate::engine::Engine;
use crate::error::Result;
use crate::features::WorkerFeatures;
use crate::index::{SearchIndex, WorkerFilter};
use crate::model::Id;

/// What the check compared and every difference found (empty when consistent).
#[derive(Debug, Default)]
pub struct CheckReport {
    pub workers: usize,
    pub requests: usize,
    pub queries: usize,
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Requests whose candidate sets are compared (all of them on a desk-sized store).
const MAX_QUERIES: usize = 200;

impl Engine {
    /// Decodes every record (an unreadable one is an error), rebuilds an index in
    /// memory from them, and compares it, the live index and the tables.
    pub fn check(&self) -> Result<CheckReport> {
        self.commit()?;
        let mut report = CheckReport::default();
        let workers = self.store().workers.select(|_| true)?;
        let requests = self.store().requests.select(|_| true)?;
        report.workers = workers.len();
        report.requests = requests.len();
        let (fresh, _, _) = SearchIndex::open(None)?;
        for w in &workers {
            fresh.stage_worker(w, 1)?;
        }
        for r in &requests {
            fresh.stage_request(r, 1)?;
        }
        fresh.commit()?;

        let everyone = WorkerFilter::default();
        let ids = |hits: Vec<(Id, f32)>| hits.into_iter().map(|h| h.0).collect::<BTreeSet<Id>>();
        let stored: BTreeSet<Id> = workers.iter().map(|w| w.id).collect();
        let mut differ = |what: String, a: &BTreeSet<Id>, b: &BTreeSet<Id>| {
            if a != b {
                let only_a: Vec<_> = a.difference(b).take(5).collect();
                let only_b: Vec<_> = b.difference(a).take(5).collect();
                report.problems.push(format!(
                    "{what}: solo indice {only_a:?}, solo ricostruzione {only_b:?}"
                ));
            }
        };
        differ(
            "schede indicizzate".into(),
            &ids(self.index().search_workers(&everyone)?),
            &stored,
        );
        let all_requests = tantivy::query::AllQuery;
        differ(
            "richieste indicizzate".into(),
            &ids(self.index().requests.search(&all_requests)?),
            &requests.iter().map(|r| r.id).collect(),
        );
        for r in requests.iter().take(MAX_QUERIES) {
            differ(
                format!("candidati della richiesta {}", r.id),
                &ids(self.index().workers_for(r)?),
                &ids(fresh.workers_for(r)?),
            );
            report.queries += 1;
        }
        for w in &workers {
            if self.worker_features(w.id) != Some(WorkerFeatures::of(w)) {
                report.problems.push(format!(
                    "tabella in memoria diversa dall'archivio per {}",
                    w.id
                ));
            }
        }
        if self.worker_count() != workers.len() {
            report.problems.push(format!(
                "tabella in memoria con {} schede, archivio con {}",
                self.worker_count(),
                workers.len()
            ));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use crate::date::Date;
    use crate::engine::Engine;

    #[test]
    fn a_fresh_demo_store_is_consistent_and_a_stale_table_is_caught() {
        let e = Engine::temporary().unwrap();
        e.seed_demo(Date::from_ymd(2026, 11, 20).unwrap()).unwrap();
        let report = e.check().unwrap();
        assert!(report.is_consistent(), "{:?}", report.problems);
        assert_eq!(report.workers, 64);
        assert_eq!(report.queries, report.requests);
        // A card changed in the store behind the engine's back.
        let mut w = e.store().workers.iter().next().unwrap().unwrap();
        w.max_travel_km = w.max_travel_km.saturating_add(7);
        e.store().put_worker(&w).unwrap();
        let report = e.check().unwrap();
        assert!(!report.is_consistent());
        assert!(
            report.problems[0].contains(&w.id.to_string()),
            "{:?}",
            report.problems
        );
    }
}
