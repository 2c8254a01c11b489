//! The review's effectiveness section: over the twelve months ending with the month asked,
//! how often a proposal became a hire by its score band and by the worker's rank when proposed.

use serde::Serialize;

use crate::model::{OutcomeKind, Proposal};
use crate::report::{median, ratio, Month, Records};

/// Score bands, lower bound included: `<50`, `50-60`, `60-70`, `70-80`, `>=80`.
pub const SCORE_BANDS: [&str; 5] = ["<50", "50-60", "60-70", "70-80", ">=80"];
/// Rank groups: `1`, `2-3`, `4-10`, `>10` (an unknown rank counts as `>10`).
pub const RANK_GROUPS: [&str; 4] = ["1", "2-3", "4-10", ">10"];

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BandRow {
    pub band: String,
    pub proposals: u64,
    pub hired: u64,
    /// hired / proposals; null with no proposals.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RankRow {
    pub rank: String,
    pub proposals: u64,
    pub hired: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Effectiveness {
    pub from: String,
    pub to: String,
    pub by_score_band: Vec<BandRow>,
    pub by_rank: Vec<RankRow>,
    /// Proposals of the window whose outcome is known (hired or not hired).
    pub outcome_known_share: Option<f64>,
    /// Days from a proposal to the day its known outcome was recorded.
    pub median_days_proposal_to_outcome: Option<f64>,
}

fn band_of(score: f64) -> usize {
    match score {
        s if s < 50.0 => 0,
        s if s < 60.0 => 1,
        s if s < 70.0 => 2,
        s if s < 80.0 => 3,
        _ => 4,
    }
}

fn rank_group_of(rank: Option<u32>) -> usize {
    match rank {
        Some(1) => 0,
        Some(2..=3) => 1,
        Some(4..=10) => 2,
        // Rank 0 never happens (ranks start at 1); None means it was not in the ranking.
        _ => 3,
    }
}

/// The first month of the twelve ending with `to`.
pub fn window_start(to: Month) -> Month {
    (0..11).fold(to, |m, _| m.previous())
}

/// Effectiveness over the proposals made in the twelve months ending with `to`.
pub fn compute(rec: &Records, to: Month) -> Effectiveness {
    let from = window_start(to);
    let (start, end) = (from.first_day(), to.next().first_day());
    let in_window = |p: &&Proposal| p.proposed_on >= start && p.proposed_on < end;
    let mut bands = [(0u64, 0u64); 5];
    let mut ranks = [(0u64, 0u64); 4];
    let (mut total, mut known) = (0u64, 0u64);
    let mut days = Vec::new();
    for p in rec.proposals.iter().filter(in_window) {
        total += 1;
        let kind = p.outcome.as_ref().map(|o| o.outcome);
        let hired = u64::from(kind == Some(OutcomeKind::Hired));
        let b = &mut bands[band_of(p.score)];
        b.0 += 1;
        b.1 += hired;
        let r = &mut ranks[rank_group_of(p.rank)];
        r.0 += 1;
        r.1 += hired;
        if let Some(o) = p
            .outcome
            .as_ref()
            .filter(|o| matches!(o.outcome, OutcomeKind::Hired | OutcomeKind::NotHired))
        {
            known += 1;
            days.push(o.recorded_on.days_since(p.proposed_on));
        }
    }
    Effectiveness {
        from: from.to_string(),
        to: to.to_string(),
        by_score_band: SCORE_BANDS
            .iter()
            .zip(bands)
            .map(|(band, (n, h))| BandRow {
                band: band.to_string(),
                proposals: n,
                hired: h,
                rate: ratio(h, n),
            })
            .collect(),
        by_rank: RANK_GROUPS
            .iter()
            .zip(ranks)
            .map(|(rank, (n, h))| RankRow {
                rank: rank.to_string(),
                proposals: n,
                hired: h,
                rate: ratio(h, n),
            })
            .collect(),
        outcome_known_share: ratio(known, total),
        median_days_proposal_to_outcome: median(days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::model::{Id, Outcome, Reporter};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn p(
        on: &str,
        score: f64,
        rank: Option<u32>,
        outcome: Option<(OutcomeKind, &str)>,
    ) -> Proposal {
        Proposal {
            id: Id(1),
            request_id: Id(2),
            worker_id: Id(3),
            org_id: Id(4),
            proposed_by: Id(5),
            proposed_on: d(on),
            score,
            rank,
            reasons: vec![],
            warnings: vec![],
            outcome_code: "C".into(),
            needs_review: false,
            history: vec![],
            outcome: outcome.map(|(k, rec)| Outcome {
                outcome: k,
                reported_by: Reporter::Operator,
                reason: None,
                note: String::new(),
                start_on: None,
                contract: None,
                recorded_on: d(rec),
            }),
            deidentified_on: None,
        }
    }

    fn records(proposals: Vec<Proposal>) -> Records {
        Records {
            requests: vec![],
            proposals,
            follow_ups: vec![],
            workers: vec![],
            organisations: Default::default(),
        }
    }

    #[test]
    fn small_case_matches_hand_computed_figures() {
        use OutcomeKind::*;
        let rec = records(vec![
            // Window for 2026-11 is 2025-12 .. 2026-11.
            p("2025-11-30", 90.0, Some(1), Some((Hired, "2025-12-05"))), // outside
            p("2025-12-01", 85.0, Some(1), Some((Hired, "2025-12-11"))), // 10 days
            p("2026-03-10", 80.0, Some(2), Some((NotHired, "2026-03-14"))), // 4 days
            p("2026-05-02", 79.9, Some(3), Some((NoAnswer, "2026-05-09"))),
            p("2026-07-07", 60.0, Some(4), Some((Hired, "2026-07-27"))), // 20 days
            p("2026-09-01", 49.99, None, None),
            p("2026-11-30", 50.0, Some(11), Some((NotHired, "2026-12-02"))), // 2 days
            p("2026-12-01", 70.0, Some(1), None),                            // outside
        ]);
        let e = compute(&rec, "2026-11".parse().unwrap());
        assert_eq!((e.from.as_str(), e.to.as_str()), ("2025-12", "2026-11"));
        let bands: Vec<(&str, u64, u64, Option<f64>)> = e
            .by_score_band
            .iter()
            .map(|b| (b.band.as_str(), b.proposals, b.hired, b.rate))
            .collect();
        assert_eq!(
            bands,
            vec![
                ("<50", 1, 0, Some(0.0)),
                ("50-60", 1, 0, Some(0.0)),
                ("60-70", 1, 1, Some(1.0)),
                ("70-80", 1, 0, Some(0.0)),
                (">=80", 2, 1, Some(0.5)),
            ]
        );
        let ranks: Vec<(&str, u64, u64, Option<f64>)> = e
            .by_rank
            .iter()
            .map(|r| (r.rank.as_str(), r.proposals, r.hired, r.rate))
            .collect();
        assert_eq!(
            ranks,
            vec![
                ("1", 1, 1, Some(1.0)),
                ("2-3", 2, 0, Some(0.0)),
                ("4-10", 1, 1, Some(1.0)),
                (">10", 2, 0, Some(0.0)), // rank 11 and the unknown rank
            ]
        );
        // Known: hired, not hired, hired, not hired = 4 of 6.
        assert_eq!(e.outcome_known_share, Some(0.6667));
        // Days 10, 4, 20, 2 → median of 2, 4, 10, 20 = 7.
        assert_eq!(e.median_days_proposal_to_outcome, Some(7.0));
    }

    #[test]
    fn an_empty_window_has_every_row_and_no_rates() {
        let e = compute(&records(vec![]), "2026-01".parse().unwrap());
        assert_eq!(e.from, "2025-02");
        assert_eq!(e.by_score_band.len(), 5);
        assert_eq!(e.by_rank.len(), 4);
        assert!(e
            .by_rank
            .iter()
            .all(|r| r.proposals == 0 && r.rate.is_none()));
        assert_eq!(e.outcome_known_share, None);
        assert_eq!(e.median_days_proposal_to_outcome, None);
    }
}
