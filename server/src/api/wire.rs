//! The API's answers that are not a stored record as such (pages, envelopes, views) and
//! its small request bodies, typed so the handlers serialise exactly what the OpenAPI
//! document derives from them.

use matcher::model::{
    Candidate, FamilyCard, FollowUp, Id, Job, LiveIn, Opening, Operator, OrgKind, Organisation,
    Outcome, OutcomeReport, Reason, Request, Role, Worker, WorkerStatus,
};
use matcher::{Date, DueFollowUp, ProposalView};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `GET /healthz`.
#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// Always `ok`: the service answers with its store and index open.
    pub status: &'static str,
}

/// One row of a worker search: a summary, never contact, permit or notes.
#[derive(Serialize, JsonSchema)]
pub struct WorkerSummary {
    pub id: Id,
    pub given_name: String,
    pub family_name: String,
    /// ISTAT code.
    pub comune: String,
    pub jobs: Vec<Job>,
    pub live_in: LiveIn,
    pub status: WorkerStatus,
    pub confirmed_on: Date,
    /// Whether the operator kept the card although it looked like another one.
    pub possible_duplicate: bool,
}

impl From<&Worker> for WorkerSummary {
    fn from(w: &Worker) -> WorkerSummary {
        WorkerSummary {
            id: w.id,
            given_name: w.given_name.clone(),
            family_name: w.family_name.clone(),
            comune: w.comune.clone(),
            jobs: w.jobs.clone(),
            live_in: w.live_in,
            status: w.status,
            confirmed_on: w.confirmed_on,
            possible_duplicate: !w.possible_duplicate_of.is_empty(),
        }
    }
}

/// A page of worker search results.
#[derive(Serialize, JsonSchema)]
pub struct WorkerPage {
    /// How many cards match, over all pages.
    pub total: usize,
    pub offset: usize,
    pub workers: Vec<WorkerSummary>,
}

/// Open requests that fit a worker, best first.
#[derive(Serialize, JsonSchema)]
pub struct Openings {
    pub worker_id: Id,
    pub openings: Vec<Opening>,
}

/// A page of requests, newest first.
#[derive(Serialize, JsonSchema)]
pub struct RequestPage {
    pub total: usize,
    pub offset: usize,
    pub requests: Vec<Request>,
}

/// Ranked candidates of a request, with the reasons of each score.
#[derive(Serialize, JsonSchema)]
pub struct Candidates {
    pub request_id: Id,
    pub candidates: Vec<Candidate>,
}

/// A proposal as its reader may see it: desks get the score and its reasons, referrers
/// only what the family needs (the desk-only fields are then absent).
#[derive(Serialize, JsonSchema)]
pub struct ProposalOut {
    pub id: Id,
    pub request_id: Id,
    pub worker_id: Id,
    pub proposed_on: Date,
    /// Code printed on the card: the family reports the outcome with it.
    pub outcome_code: String,
    pub outcome: Option<Outcome>,
    pub needs_review: bool,
    pub history: Vec<OutcomeReport>,
    pub follow_ups: Vec<FollowUp>,
    /// The worker's family card; `null` once the worker's card was erased.
    pub worker: Option<FamilyCard>,
    #[serde(flatten)]
    pub desk: Option<DeskOnly>,
}

/// What only desk operators see of a proposal.
#[derive(Serialize, JsonSchema)]
pub struct DeskOnly {
    pub org_id: Id,
    pub proposed_by: Id,
    pub score: f64,
    /// Place in the request's ranking when proposed (1 = first), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deidentified_on: Option<Date>,
}

impl ProposalOut {
    /// `view` with the worker's family card, with the desk's fields when `desk`.
    pub fn new(view: ProposalView, worker: Option<FamilyCard>, desk: bool) -> ProposalOut {
        let ProposalView {
            proposal: p,
            follow_ups,
        } = view;
        ProposalOut {
            desk: desk.then_some(DeskOnly {
                org_id: p.org_id,
                proposed_by: p.proposed_by,
                score: p.score,
                rank: p.rank,
                reasons: p.reasons,
                warnings: p.warnings,
                deidentified_on: p.deidentified_on,
            }),
            id: p.id,
            request_id: p.request_id,
            worker_id: p.worker_id,
            proposed_on: p.proposed_on,
            outcome_code: p.outcome_code,
            outcome: p.outcome,
            needs_review: p.needs_review,
            history: p.history,
            follow_ups,
            worker,
        }
    }
}

/// The proposals of a request.
#[derive(Serialize, JsonSchema)]
pub struct Proposals {
    pub request_id: Id,
    pub proposals: Vec<ProposalOut>,
}

/// `POST /api/v1/requests/{id}/proposals`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeBody {
    pub worker_id: Id,
}

/// Follow-ups due before a day, oldest first.
#[derive(Serialize, JsonSchema)]
pub struct DueFollowUps {
    pub due_before: Date,
    pub follow_ups: Vec<DueFollowUp>,
}

/// `POST /api/v1/follow-ups/{id}/retention`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionBody {
    /// Whether the person still works for the family 90 days on.
    pub still_employed: bool,
}

/// What a public outcome report did: `recorded` (or it agrees with what was recorded,
/// HTTP 200), or `needs_review` (it contradicts the recorded outcome and is kept for the
/// desk to check, HTTP 202).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    Recorded,
    NeedsReview,
}

/// The answer to a family's outcome report: a status and an Italian message to show.
#[derive(Serialize, JsonSchema)]
pub struct PublicReply {
    pub status: PublicStatus,
    pub message: String,
}

/// Whether an outcome was already reported with this code.
#[derive(Serialize, JsonSchema)]
pub struct PublicState {
    pub recorded: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct Organisations {
    pub organisations: Vec<Organisation>,
}

/// `POST /api/v1/organisations`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[schemars(length(min = 1, max = 80))]
    pub name: String,
    pub kind: OrgKind,
    /// ISTAT code or name of the comune.
    #[serde(default)]
    pub comune: Option<String>,
}

/// `POST /api/v1/operators`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOperator {
    pub org_id: Id,
    #[schemars(length(min = 1, max = 80))]
    pub name: String,
    pub role: Role,
    /// The last day the token is accepted; none by default.
    #[serde(default)]
    pub expires_on: Option<Date>,
}

/// `PATCH /api/v1/operators/{id}`: `expires_on` is required, `null` removes the expiry.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiryPatch {
    #[schemars(required)]
    pub expires_on: Option<Date>,
}

/// An operator as the administration sees it: never the token's hash.
#[derive(Serialize, JsonSchema)]
pub struct OperatorListed {
    pub id: Id,
    pub org_id: Id,
    pub name: String,
    pub role: Role,
    pub created_on: Date,
    pub last_used_on: Option<Date>,
    pub revoked: bool,
    pub revoked_on: Option<Date>,
    pub expires_on: Option<Date>,
}

impl From<&Operator> for OperatorListed {
    fn from(op: &Operator) -> OperatorListed {
        OperatorListed {
            id: op.id,
            org_id: op.org_id,
            name: op.name.clone(),
            role: op.role,
            created_on: op.created_on,
            last_used_on: op.last_used_on,
            revoked: op.revoked_on.is_some(),
            revoked_on: op.revoked_on,
            expires_on: op.expires_on,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct Operators {
    pub operators: Vec<OperatorListed>,
}

/// A new operator with its token, shown only in this answer.
#[derive(Serialize, JsonSchema)]
pub struct CreatedOperator {
    pub id: Id,
    pub org_id: Id,
    pub name: String,
    pub role: Role,
    pub expires_on: Option<Date>,
    pub token: String,
}

/// A new token, shown only in this answer.
#[derive(Serialize, JsonSchema)]
pub struct NewToken {
    pub token: String,
}

/// The audit lines of one record, oldest first.
#[derive(Serialize, JsonSchema)]
pub struct AuditTrail {
    pub record: Id,
    pub entries: Vec<matcher::model::AuditEntry>,
}

/// A contact log, newest first.
#[derive(Serialize, JsonSchema)]
pub struct Contacts {
    pub contacts: Vec<matcher::model::Contact>,
}
