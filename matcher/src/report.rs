//! The monthly placement-outcome review: what the desks received, proposed and learned
//! in a month, computed from the records (never kept as running counters), with the
//! change from the month before. JSON through serde, CSV for spreadsheets.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::comuni::Comuni;
use crate::date::Date;
use crate::engine::{Engine, RefusedRequests};
use crate::error::{Error, Result};
use crate::fairness::FairnessRow;
use crate::model::{FollowUp, FollowUpStatus, Id, OutcomeKind, Proposal, Request, WorkerStatus};

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(d: Date) -> Month {
        let (year, month, _) = d.ymd();
        Month { year, month }
    }

    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or(Date::from_days(0))
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn contains(self, d: Date) -> bool {
        d >= self.first_day() && d < self.next().first_day()
    }
}

impl FromStr for Month {
    type Err = Error;
    fn from_str(s: &str) -> Result<Month> {
        let bad = || Error::invalid("month", "mese non valido: usare AAAA-MM (es. 2026-11)");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4
            || m.len() != 2
            || !s.bytes().filter(|b| *b != b'-').all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let month = Month {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
        };
        if !(1..=12).contains(&month.month) || !(2000..=2999).contains(&month.year) {
            return Err(bad());
        }
        Ok(month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestsReceived {
    pub total: u64,
    pub by_organisation: BTreeMap<String, u64>,
    pub by_job: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FollowUps {
    /// Falling due in the month.
    pub due: u64,
    /// Of those, answered.
    pub done: u64,
    /// Of those, past their date and still unanswered.
    pub overdue: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outcomes {
    /// Proposals made in the month whose outcome is known (hired or not).
    pub known: u64,
    /// Proposals made in the month with no outcome yet (or only "no answer").
    pub unknown: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetentionChecks {
    /// 90-day checks answered in the month.
    pub checked: u64,
    pub still_employed: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cards {
    pub active: u64,
    pub placed: u64,
    pub inactive: u64,
    /// Imported cards still to complete (`incomplete`).
    pub incomplete: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ByComune {
    pub requests: u64,
    pub placements: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonthOverMonth {
    pub requests_received: i64,
    pub proposals_made: i64,
    pub placements: i64,
    /// Difference in placement rate (fraction), when both months have one.
    pub placement_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonthlyReport {
    pub month: String,
    pub requests_received: RequestsReceived,
    pub proposals_made: u64,
    pub follow_ups: FollowUps,
    pub outcomes: Outcomes,
    /// Hires whose job started in the month.
    pub placements: u64,
    /// Requests filled or closed in the month.
    pub requests_closed: u64,
    /// placements / requests_closed.
    pub placement_rate: Option<f64>,
    pub median_days_request_to_first_proposal: Option<f64>,
    pub median_days_proposal_to_start: Option<f64>,
    pub failure_reasons: BTreeMap<String, u64>,
    /// The anti-discrimination register of the month and the twelve-month fairness audit.
    pub anti_discrimination: AntiDiscrimination,
    pub retention_90_days: RetentionChecks,
    /// Cards by state when the report is made (the store keeps no history of states).
    pub cards: Cards,
    pub by_comune: BTreeMap<String, ByComune>,
    pub change_from_previous_month: MonthOverMonth,
    /// Hire rate by score band and by rank over the twelve months ending with this one.
    pub effectiveness: crate::effectiveness::Effectiveness,
}

/// What the anti-discrimination protocol asks the review to show.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AntiDiscrimination {
    /// Requests the guard refused in the month (creates and edits, API and web form).
    pub refused_requests: RefusedRequests,
    /// Over the twelve months ending with the month: see `fairness`.
    pub fairness: Vec<FairnessRow>,
}

/// Everything a report reads, loaded once.
pub struct Records {
    pub requests: Vec<Request>,
    pub proposals: Vec<Proposal>,
    pub follow_ups: Vec<FollowUp>,
    pub workers: Vec<WorkerStatus>,
    pub organisations: HashMap<Id, String>,
}

pub(crate) fn median(mut xs: Vec<i32>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        f64::from(xs[n / 2])
    } else {
        f64::from(xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

/// `a / b` to four decimals; `None` when there is nothing to divide by.
pub(crate) fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0)
}

/// The review of `month` alone (without the comparison).
pub fn compute(rec: &Records, month: Month, today: Date) -> MonthlyReport {
    let mut r = MonthlyReport {
        month: month.to_string(),
        ..MonthlyReport::default()
    };
    let requests: HashMap<Id, &Request> = rec.requests.iter().map(|q| (q.id, q)).collect();
    for q in rec.requests.iter().filter(|q| month.contains(q.created_on)) {
        r.requests_received.total += 1;
        let org = q
            .org_id
            .and_then(|o| rec.organisations.get(&o).cloned())
            .unwrap_or_else(|| "non indicata".to_string());
        *r.requests_received.by_organisation.entry(org).or_default() += 1;
        *r.requests_received
            .by_job
            .entry(q.job.as_str().to_string())
            .or_default() += 1;
        r.by_comune
            .entry(Comuni::get().name_of(&q.comune))
            .or_default()
            .requests += 1;
    }
    r.requests_closed = rec
        .requests
        .iter()
        .filter(|q| q.closed_on.is_some_and(|d| month.contains(d)))
        .count() as u64;

    let mut first_proposal: HashMap<Id, Date> = HashMap::new();
    for p in &rec.proposals {
        let e = first_proposal.entry(p.request_id).or_insert(p.proposed_on);
        *e = (*e).min(p.proposed_on);
    }
    r.median_days_request_to_first_proposal = median(
        first_proposal
            .iter()
            .filter(|(_, d)| month.contains(**d))
            .filter_map(|(id, d)| Some(d.days_since(requests.get(id)?.created_on)))
            .collect(),
    );

    let mut to_start = Vec::new();
    for p in &rec.proposals {
        let outcome = p.outcome.as_ref();
        if month.contains(p.proposed_on) {
            r.proposals_made += 1;
            match outcome.map(|o| o.outcome) {
                Some(OutcomeKind::Hired | OutcomeKind::NotHired) => r.outcomes.known += 1,
                _ => r.outcomes.unknown += 1,
            }
        }
        let Some(o) = outcome else { continue };
        if let (OutcomeKind::Hired, Some(start)) = (o.outcome, o.start_on) {
            if month.contains(start) {
                r.placements += 1;
                to_start.push(start.days_since(p.proposed_on));
                if let Some(q) = requests.get(&p.request_id) {
                    r.by_comune
                        .entry(Comuni::get().name_of(&q.comune))
                        .or_default()
                        .placements += 1;
                }
            }
        }
        if o.outcome == OutcomeKind::NotHired && month.contains(o.recorded_on) {
            let reason = o.reason.map_or("other", |x| x.as_str()).to_string();
            *r.failure_reasons.entry(reason).or_default() += 1;
        }
    }
    r.median_days_proposal_to_start = median(to_start);
    r.placement_rate = ratio(r.placements, r.requests_closed);

    for f in &rec.follow_ups {
        if month.contains(f.due_on) {
            r.follow_ups.due += 1;
            match f.status {
                FollowUpStatus::Done => r.follow_ups.done += 1,
                FollowUpStatus::Due | FollowUpStatus::Overdue if f.due_on < today => {
                    r.follow_ups.overdue += 1
                }
                _ => {}
            }
        }
        if let (Some(kept), Some(done)) = (f.retained, f.done_on) {
            if month.contains(done) {
                r.retention_90_days.checked += 1;
                r.retention_90_days.still_employed += u64::from(kept);
            }
        }
    }
    r.retention_90_days.rate = ratio(
        r.retention_90_days.still_employed,
        r.retention_90_days.checked,
    );

    for s in &rec.workers {
        match s {
            WorkerStatus::Available => r.cards.active += 1,
            WorkerStatus::Placed => r.cards.placed += 1,
            WorkerStatus::Inactive => r.cards.inactive += 1,
            WorkerStatus::Incomplete => r.cards.incomplete += 1,
        }
    }
    r
}

/// The review of `month` with the change from the month before.
pub fn monthly(rec: &Records, month: Month, today: Date) -> MonthlyReport {
    let mut r = compute(rec, month, today);
    let prev = compute(rec, month.previous(), today);
    r.change_from_previous_month = MonthOverMonth {
        requests_received: r.requests_received.total as i64 - prev.requests_received.total as i64,
        proposals_made: r.proposals_made as i64 - prev.proposals_made as i64,
        placements: r.placements as i64 - prev.placements as i64,
        placement_rate: match (r.placement_rate, prev.placement_rate) {
            (Some(a), Some(b)) => Some(((a - b) * 10_000.0).round() / 10_000.0),
            _ => None,
        },
    };
    r.effectiveness = crate::effectiveness::compute(rec, month);
    r
}

impl Engine {
    /// Loads the records a review reads.
    pub fn report_records(&self) -> Result<Records> {
        let s = self.store();
        Ok(Records {
            requests: s.requests.iter().collect::<Result<_>>()?,
            proposals: s.proposals.iter().collect::<Result<_>>()?,
            follow_ups: s.follow_ups.iter().collect::<Result<_>>()?,
            workers: self.worker_statuses(),
            organisations: s
                .organisations
                .iter()
                .map(|o| o.map(|o| (o.id, o.name)))
                .collect::<Result<_>>()?,
        })
    }

    pub fn monthly_report(&self, month: Month, today: Date) -> Result<MonthlyReport> {
        let rec = self.report_records()?;
        let mut r = monthly(&rec, month, today);
        r.anti_discrimination = self.anti_discrimination(month, &rec.organisations)?;
        Ok(r)
    }

    /// The month's refusals register and the fairness audit ending with the month.
    pub fn anti_discrimination(
        &self,
        month: Month,
        organisations: &HashMap<Id, String>,
    ) -> Result<AntiDiscrimination> {
        Ok(AntiDiscrimination {
            refused_requests: RefusedRequests::of(&self.refusals_in(month)?, organisations),
            fairness: self.fairness(month)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        FollowUpKind, Job, LiveIn, NotHiredReason, Outcome, Reporter, RequestStatus, Requirements,
    };

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn request(id: u64, created: &str, closed: Option<&str>, comune: &str, job: Job) -> Request {
        Request {
            id: Id(id),
            org_id: Some(Id(1)),
            family_name: "X".into(),
            phone: "0564 000000".into(),
            comune: comune.into(),
            job,
            live_in: LiveIn::No,
            hours_per_week: 20,
            start_on: d(created),
            needs: vec![],
            requires: Requirements::default(),
            offered: None,
            notes: String::new(),
            positions: 1,
            status_reason: None,
            status: if closed.is_some() {
                RequestStatus::Closed
            } else {
                RequestStatus::Open
            },
            created_on: d(created),
            closed_on: closed.map(d),
            deidentified_on: None,
        }
    }

    fn proposal(
        id: u64,
        request: u64,
        on: &str,
        outcome: Option<(OutcomeKind, &str, Option<&str>)>,
    ) -> Proposal {
        Proposal {
            id: Id(id),
            request_id: Id(request),
            worker_id: Id(id + 100),
            org_id: Id(1),
            proposed_by: Id(9),
            proposed_on: d(on),
            score: 50.0,
            rank: None,
            reasons: vec![],
            warnings: vec![],
            outcome_code: format!("C{id}"),
            needs_review: false,
            history: vec![],
            outcome: outcome.map(|(k, recorded, start)| Outcome {
                outcome: k,
                reported_by: Reporter::Operator,
                reason: (k == OutcomeKind::NotHired).then_some(NotHiredReason::Wage),
                note: String::new(),
                start_on: start.map(d),
                contract: None,
                recorded_on: d(recorded),
            }),
            deidentified_on: None,
        }
    }

    fn follow(
        id: u64,
        due: &str,
        status: FollowUpStatus,
        retained: Option<(bool, &str)>,
    ) -> FollowUp {
        FollowUp {
            id: Id(id),
            proposal_id: Id(1),
            org_id: Id(1),
            kind: if retained.is_some() {
                FollowUpKind::Retention
            } else {
                FollowUpKind::Outcome
            },
            due_on: d(due),
            status,
            outcome: None,
            retained: retained.map(|r| r.0),
            done_on: retained.map(|r| d(r.1)),
        }
    }

    /// A hand-computed November 2026 (and its October, for the change).
    fn records() -> Records {
        Records {
            requests: vec![
                request(1, "2026-11-02", Some("2026-11-20"), "053011", Job::Badante), // Grosseto
                request(2, "2026-11-05", None, "053011", Job::Colf),
                request(3, "2026-11-10", Some("2026-11-25"), "053009", Job::Badante), // Follonica
                request(
                    4,
                    "2026-10-20",
                    Some("2026-11-03"),
                    "053009",
                    Job::Babysitter,
                ),
                request(5, "2026-10-01", Some("2026-10-15"), "053011", Job::Badante),
            ],
            proposals: vec![
                // req 1: first proposal 11-04 (2 days), hired, start 11-20 (16 days)
                proposal(
                    11,
                    1,
                    "2026-11-04",
                    Some((OutcomeKind::Hired, "2026-11-18", Some("2026-11-20"))),
                ),
                proposal(
                    12,
                    1,
                    "2026-11-06",
                    Some((OutcomeKind::NotHired, "2026-11-18", None)),
                ),
                // req 3: first proposal 11-14 (4 days), no answer yet
                proposal(
                    13,
                    3,
                    "2026-11-14",
                    Some((OutcomeKind::NoAnswer, "2026-11-21", None)),
                ),
                // req 4: proposed in October, hired, started 11-03 (10 days)
                proposal(
                    14,
                    4,
                    "2026-10-24",
                    Some((OutcomeKind::Hired, "2026-11-01", Some("2026-11-03"))),
                ),
                // req 5: proposed and hired in October
                proposal(
                    15,
                    5,
                    "2026-10-05",
                    Some((OutcomeKind::Hired, "2026-10-10", Some("2026-10-12"))),
                ),
            ],
            follow_ups: vec![
                follow(21, "2026-11-11", FollowUpStatus::Done, None),
                follow(22, "2026-11-21", FollowUpStatus::Overdue, None),
                follow(23, "2026-11-28", FollowUpStatus::Due, None),
                follow(24, "2026-12-04", FollowUpStatus::Due, None),
                follow(
                    25,
                    "2026-11-12",
                    FollowUpStatus::Done,
                    Some((true, "2026-11-12")),
                ),
                follow(
                    26,
                    "2026-11-15",
                    FollowUpStatus::Done,
                    Some((false, "2026-11-16")),
                ),
            ],
            workers: vec![
                WorkerStatus::Available,
                WorkerStatus::Available,
                WorkerStatus::Placed,
                WorkerStatus::Inactive,
            ],
            organisations: [(Id(1), "Sportello Info Immigrati Grosseto".to_string())].into(),
        }
    }

    #[test]
    fn november_matches_the_hand_computed_figures() {
        let r = monthly(&records(), "2026-11".parse().unwrap(), d("2026-11-26"));
        assert_eq!(r.requests_received.total, 3);
        assert_eq!(r.requests_received.by_job["badante"], 2);
        assert_eq!(r.requests_received.by_job["colf"], 1);
        assert_eq!(
            r.requests_received.by_organisation["Sportello Info Immigrati Grosseto"],
            3
        );
        assert_eq!(r.proposals_made, 3);
        assert_eq!(
            r.outcomes,
            Outcomes {
                known: 2,
                unknown: 1
            }
        );
        // Due in November: 21, 22, 23, 25, 26; done 21, 25, 26; overdue 22 (23 is not yet).
        assert_eq!(
            r.follow_ups,
            FollowUps {
                due: 5,
                done: 3,
                overdue: 1
            }
        );
        assert_eq!(r.placements, 2); // req 1 (start 11-20) and req 4 (start 11-03)
        assert_eq!(r.requests_closed, 3); // 1, 3, 4
        assert_eq!(r.placement_rate, Some(0.6667));
        assert_eq!(r.median_days_request_to_first_proposal, Some(3.0)); // 2 and 4
        assert_eq!(r.median_days_proposal_to_start, Some(13.0)); // 16 and 10
        assert_eq!(r.failure_reasons["wage"], 1);
        assert_eq!(r.retention_90_days.checked, 2);
        assert_eq!(r.retention_90_days.still_employed, 1);
        assert_eq!(r.retention_90_days.rate, Some(0.5));
        assert_eq!(
            r.cards,
            Cards {
                active: 2,
                placed: 1,
                inactive: 1,
                incomplete: 0,
            }
        );
        assert_eq!(
            r.by_comune["Grosseto"],
            ByComune {
                requests: 2,
                placements: 1
            }
        );
        assert_eq!(
            r.by_comune["Follonica"],
            ByComune {
                requests: 1,
                placements: 1
            }
        );
        // October: 2 received, 2 proposals, 1 placement, 1 closed (rate 1.0).
        let c = &r.change_from_previous_month;
        assert_eq!(
            (c.requests_received, c.proposals_made, c.placements),
            (1, 1, 1)
        );
        assert_eq!(c.placement_rate, Some(-0.3333));
    }

    #[test]
    fn csv_has_every_section_and_is_safe() {
        let mut rec = records();
        rec.organisations
            .insert(Id(1), "=HYPERLINK(\"x\"), Grosseto".into());
        let csv = monthly(&rec, "2026-11".parse().unwrap(), d("2026-11-26")).to_csv();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("\u{feff}Rapporto mensile 2026-11\r\nVoce;Valore\r\n"));
        assert!(csv.contains("Tasso di collocamento;66,7%\r\n"), "{csv}");
        assert!(
            csv.contains("accordo economico non raggiunto;1\r\n"),
            "{csv}"
        );
        assert!(csv.contains("'=HYPERLINK(\"\"x\"\"), Grosseto"), "{csv}");
    }

    #[test]
    fn csv_carries_the_anti_discrimination_sections() {
        use crate::fairness::{Attribute, FairnessRow};
        let mut r = monthly(&records(), "2026-11".parse().unwrap(), d("2026-11-26"));
        r.anti_discrimination.refused_requests.total = 2;
        r.anti_discrimination
            .refused_requests
            .by_ground
            .insert("age".into(), 2);
        r.anti_discrimination
            .refused_requests
            .by_organisation
            .insert("Caritas".into(), 2);
        r.anti_discrimination.fairness.push(FairnessRow {
            attribute: Attribute::AgeBand,
            group: "≥60".into(),
            eligible: 5,
            proposed: 1,
            hired: 0,
            proposal_rate: 0.2,
            hire_rate: 0.0,
            ratio_to_best: Some(0.4),
            flag: true,
        });
        let csv = String::from_utf8(r.to_csv()).unwrap();
        for line in [
            "Totale;2\r\n",
            "per motivo: età;2\r\n",
            "per organizzazione: Caritas;2\r\n",
            "fascia d'età;≥60;5;1;0;20,0%;0,0%;40,0%;sì\r\n",
        ] {
            assert!(csv.contains(line), "{line} in {csv}");
        }
        let json = serde_json::to_value(&r).unwrap();
        let row = &json["anti_discrimination"]["fairness"][0];
        assert_eq!(row["attribute"], "age_band");
        assert_eq!(row["flag"], true);
        assert_eq!(
            json["anti_discrimination"]["refused_requests"]["by_ground"]["age"],
            2
        );
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(
            "2026-11".parse::<Month>().unwrap().next().to_string(),
            "2026-12"
        );
        assert_eq!(
            "2026-01".parse::<Month>().unwrap().previous().to_string(),
            "2025-12"
        );
        for bad in [
            "2026-13", "2026-1", "26-11", "2026/11", "", "2026-00", "abcd-ef",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }
}
