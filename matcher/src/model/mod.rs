//! The domain types of DOM, in one place: what the desks, the families and the workers
//! are, as stored records and as the create bodies of API v1 (`*Input`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::date::Date;

mod vocabulary;
pub use vocabulary::*;

/// A record identifier: random 64 bits, shown as 16 lowercase hex digits. Random rather
/// than sequential so that ids reveal neither volumes nor registration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub u64);

impl Id {
    pub fn random() -> Id {
        Id(rand::random::<u64>())
    }

    pub fn to_key(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    pub fn from_key(key: &[u8]) -> Option<Id> {
        Some(Id(u64::from_be_bytes(key.try_into().ok()?)))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl FromStr for Id {
    type Err = ();
    fn from_str(s: &str) -> Result<Id, ()> {
        if s.len() != 16 {
            return Err(());
        }
        u64::from_str_radix(s, 16).map(Id).map_err(|_| ())
    }
}

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Id {
    fn schema_name() -> String {
        "Id".to_string()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        crate::schema::id()
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom("identificativo non valido"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HoursRange {
    #[cfg_attr(
        feature = "schema",
        schemars(range(min = 1, max = "crate::validate::MAX_HOURS_LIVE_IN"))
    )]
    pub min: u8,
    #[cfg_attr(
        feature = "schema",
        schemars(range(min = 1, max = "crate::validate::MAX_HOURS_LIVE_IN"))
    )]
    pub max: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LanguageSkill {
    /// ISO 639-1 code, lowercase (`it`, `ro`, `uk`, …).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = "^[a-z]{2}$")))]
    pub code: String,
    pub level: Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Experience {
    pub kind: ExperienceKind,
    #[cfg_attr(feature = "schema", schemars(range(max = 60)))]
    pub years: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Permit {
    pub kind: PermitKind,
    #[serde(default)]
    pub expires_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Wage {
    #[cfg_attr(
        feature = "schema",
        schemars(range(min = 0.01, max = "crate::validate::MAX_MONTHLY_EUR"))
    )]
    pub monthly_eur: f64,
}

/// The person's consent to keep their card; without it nothing may be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub given_on: Date,
    /// Which version of the information notice the person signed.
    #[serde(default = "Consent::current_version")]
    pub text_version: String,
}

impl Consent {
    pub fn current_version() -> String {
        "informativa-2026-01".to_string()
    }
}

/// The body of `POST /api/v1/workers`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "crate::validate::MAX_NAME_CHARS"))
    )]
    pub given_name: String,
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "crate::validate::MAX_NAME_CHARS"))
    )]
    pub family_name: String,
    pub birth_year: u16,
    #[serde(default)]
    pub gender: Option<Gender>,
    /// ISO 3166 country code, kept for the desk's statistics only.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(regex(pattern = "^[A-Za-z]{2}$")))]
    pub nationality: Option<String>,
    #[cfg_attr(
        feature = "schema",
        schemars(regex(pattern = r"^[0-9 +\-./()]{6,40}$"))
    )]
    pub phone: String,
    /// ISTAT code or name of the comune of residence.
    pub comune: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub jobs: Vec<Job>,
    pub live_in: LiveIn,
    pub hours_per_week: HoursRange,
    #[serde(default)]
    pub languages: Vec<LanguageSkill>,
    #[serde(default)]
    pub experience: Vec<Experience>,
    #[serde(default)]
    pub driving_license: bool,
    #[cfg_attr(
        feature = "schema",
        schemars(range(max = "crate::validate::MAX_TRAVEL_KM"))
    )]
    pub max_travel_km: u16,
    pub permit: Permit,
    #[serde(default)]
    pub wage_expectation: Option<Wage>,
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = "crate::validate::MAX_NOTES_CHARS"))
    )]
    pub notes: String,
    /// Optional so that its absence is a clear 422 naming `consent`, not a parse error.
    #[serde(default)]
    pub consent: Option<Consent>,
}

/// A worker card (scheda) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Worker {
    pub id: Id,
    pub given_name: String,
    pub family_name: String,
    pub birth_year: u16,
    pub gender: Option<Gender>,
    pub nationality: Option<String>,
    pub phone: String,
    /// ISTAT code.
    pub comune: String,
    pub jobs: Vec<Job>,
    pub live_in: LiveIn,
    pub hours_per_week: HoursRange,
    pub languages: Vec<LanguageSkill>,
    pub experience: Vec<Experience>,
    pub driving_license: bool,
    pub max_travel_km: u16,
    pub permit: Permit,
    pub wage_expectation: Option<Wage>,
    pub notes: String,
    pub consent: Consent,
    pub status: WorkerStatus,
    /// The organisation whose desk registered the card.
    pub org_id: Option<Id>,
    pub registered_on: Date,
    /// Last time the person confirmed the card is still true.
    pub confirmed_on: Date,
    /// Last time the person was proposed to a family.
    #[serde(default)]
    pub last_proposed_on: Option<Date>,
    /// Cards the operator chose to keep although they looked like this one.
    #[serde(default)]
    pub possible_duplicate_of: Vec<Id>,
    /// Create-body fields an imported `incomplete` card still lacks (`consent`,
    /// `permit`, `hours_per_week`…); their values on the card are placeholders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl Worker {
    /// The card as an editable create body (what a PATCH merges into).
    pub fn to_input(&self) -> WorkerInput {
        WorkerInput {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            birth_year: self.birth_year,
            gender: self.gender,
            nationality: self.nationality.clone(),
            phone: self.phone.clone(),
            comune: self.comune.clone(),
            jobs: self.jobs.clone(),
            live_in: self.live_in,
            hours_per_week: self.hours_per_week,
            languages: self.languages.clone(),
            experience: self.experience.clone(),
            driving_license: self.driving_license,
            max_travel_km: self.max_travel_km,
            permit: self.permit,
            wage_expectation: self.wage_expectation,
            notes: self.notes.clone(),
            consent: Some(self.consent.clone()),
        }
    }

    /// What a family or a referrer may see: no contact, permit, address, age or origin.
    pub fn family_card(&self) -> FamilyCard {
        FamilyCard {
            worker_id: self.id,
            given_name: self.given_name.clone(),
            jobs: self.jobs.clone(),
            experience: self.experience.clone(),
            languages: self.languages.clone(),
            live_in: self.live_in,
            hours_per_week: self.hours_per_week,
            driving_license: self.driving_license,
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    pub fn language_level(&self, code: &str) -> Option<Level> {
        self.languages
            .iter()
            .filter(|l| l.code == code)
            .map(|l| l.level)
            .max()
    }

    pub fn experience_years(&self, kind: ExperienceKind) -> Option<u8> {
        self.experience
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.years)
            .max()
    }
}

/// The card a family receives: first name, experience, languages, availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FamilyCard {
    pub worker_id: Id,
    pub given_name: String,
    pub jobs: Vec<Job>,
    pub experience: Vec<Experience>,
    pub languages: Vec<LanguageSkill>,
    pub live_in: LiveIn,
    pub hours_per_week: HoursRange,
    pub driving_license: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    #[serde(default)]
    pub driving_license: bool,
    #[serde(default)]
    pub italian_min: Option<Level>,
    #[serde(default)]
    pub languages: Vec<LanguageSkill>,
}

/// The body of `POST /api/v1/requests`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "crate::validate::MAX_NAME_CHARS"))
    )]
    pub family_name: String,
    #[cfg_attr(
        feature = "schema",
        schemars(regex(pattern = r"^[0-9 +\-./()]{6,40}$"))
    )]
    pub phone: String,
    pub comune: String,
    pub job: Job,
    pub live_in: LiveIn,
    #[cfg_attr(
        feature = "schema",
        schemars(range(min = 1, max = "crate::validate::MAX_HOURS_LIVE_IN"))
    )]
    pub hours_per_week: u8,
    pub start_on: Date,
    #[serde(default)]
    pub needs: Vec<ExperienceKind>,
    #[serde(default)]
    pub requires: Requirements,
    #[serde(default)]
    pub offered: Option<Wage>,
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = "crate::validate::MAX_NOTES_CHARS"))
    )]
    pub notes: String,
    /// How many people the family will hire (1–5).
    #[serde(default = "one_position")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 5)))]
    pub positions: u8,
}

fn one_position() -> u8 {
    1
}

/// A family request as stored. `notes` may describe the health of the person cared for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Request {
    pub id: Id,
    pub org_id: Option<Id>,
    pub family_name: String,
    pub phone: String,
    pub comune: String,
    pub job: Job,
    pub live_in: LiveIn,
    pub hours_per_week: u8,
    pub start_on: Date,
    pub needs: Vec<ExperienceKind>,
    pub requires: Requirements,
    pub offered: Option<Wage>,
    pub notes: String,
    /// How many people the family will hire: `hired` outcomes never exceed it.
    #[serde(default = "one_position")]
    pub positions: u8,
    pub status: RequestStatus,
    /// Why it was last closed or reopened, as the operator or referrer wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    pub created_on: Date,
    /// When it became `filled` or `closed`: the monthly review counts closures by it.
    #[serde(default)]
    pub closed_on: Option<Date>,
    /// Set when retention removed the family's name, phone and notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deidentified_on: Option<Date>,
}

impl Request {
    /// The request as an editable create body (what a PATCH merges into).
    pub fn to_input(&self) -> RequestInput {
        RequestInput {
            family_name: self.family_name.clone(),
            phone: self.phone.clone(),
            comune: self.comune.clone(),
            job: self.job,
            live_in: self.live_in,
            hours_per_week: self.hours_per_week,
            start_on: self.start_on,
            needs: self.needs.clone(),
            requires: self.requires.clone(),
            offered: self.offered,
            notes: self.notes.clone(),
            positions: self.positions,
        }
    }

    /// Whether workers may still be proposed for it.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            RequestStatus::Open | RequestStatus::ProposalsSent
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Organisation {
    pub id: Id,
    pub name: String,
    pub kind: OrgKind,
    /// Where it is, for the monthly review by area.
    pub comune: Option<String>,
    /// How families reach it; empty until the admin fills it in.
    #[serde(default)]
    pub profile: OrgProfile,
}

/// How a family reaches an organisation's desk: printed on the cards handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OrgProfile {
    pub address: String,
    pub phone: String,
    pub email: String,
    /// Free text, one line per opening (`lun–ven 9:00–13:00`).
    pub opening_hours: String,
}

/// An admin's change to an organisation: an absent field is kept, `""` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub profile: OrgProfilePatch,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OrgProfilePatch {
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub opening_hours: Option<String>,
}

/// A person who uses DOM for an organisation. Only a hash of the token is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Operator {
    pub id: Id,
    pub org_id: Id,
    pub name: String,
    pub role: Role,
    /// SHA-256 of the bearer token, hex.
    pub token_sha256: String,
    pub created_on: Date,
    /// When the token was revoked; a revoked operator is refused for good.
    #[serde(default)]
    pub revoked_on: Option<Date>,
    /// The last day the token is accepted (`None`: no expiry).
    #[serde(default)]
    pub expires_on: Option<Date>,
    /// The last day the token was used, noted at most once a day.
    #[serde(default)]
    pub last_used_on: Option<Date>,
}

impl Operator {
    /// Whether the token is accepted on `today`: not revoked and not past its expiry.
    pub fn active_on(&self, today: Date) -> bool {
        self.revoked_on.is_none() && self.expires_on.is_none_or(|e| today <= e)
    }
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reason {
    /// The factor: experience, hours, distance, wage, languages, text, recency, waiting.
    // Borrowed when DOM writes it (a ranking writes eight a candidate), owned when read.
    pub factor: std::borrow::Cow<'static, str>,
    pub points: f64,
    pub detail: String,
}

/// A worker proposed to a family, with the score as it was when proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Proposal {
    pub id: Id,
    pub request_id: Id,
    pub worker_id: Id,
    pub org_id: Id,
    pub proposed_by: Id,
    pub proposed_on: Date,
    pub score: f64,
    /// The worker's place in the request's ranking when proposed (1 = first); `None`
    /// when below the longest ranking (`MAX_LIMIT`), or for proposals made before DOM
    /// recorded it. The review compares hire rates by rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<String>,
    /// Short code printed on the card so the family or worker can report the outcome.
    pub outcome_code: String,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// A report contradicted the recorded outcome: the desk must look at it.
    #[serde(default)]
    pub needs_review: bool,
    /// Every report of the outcome, oldest first, applied or not.
    #[serde(default)]
    pub history: Vec<OutcomeReport>,
    /// Set when retention (or the worker's erasure) removed the explanations and notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deidentified_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractShape {
    pub live_in: LiveIn,
    #[serde(default)]
    pub hours_per_week: Option<u8>,
    /// CCNL lavoro domestico level (A, AS, B, BS, C, CS, D, DS) when known.
    #[serde(default)]
    pub ccnl_level: Option<CcnlLevel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CcnlLevel {
    A,
    AS,
    B,
    BS,
    C,
    CS,
    D,
    DS,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outcome {
    pub outcome: OutcomeKind,
    pub reported_by: Reporter,
    pub reason: Option<NotHiredReason>,
    pub note: String,
    pub start_on: Option<Date>,
    pub contract: Option<ContractShape>,
    pub recorded_on: Date,
}

/// One report of a proposal's outcome: who said what, when, and whether it was applied
/// (a public answer that contradicts the recorded outcome is kept, not applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutcomeReport {
    pub outcome: OutcomeKind,
    pub reported_by: Reporter,
    pub on: Date,
    #[serde(default)]
    pub start_on: Option<Date>,
    #[serde(default)]
    pub reason: Option<NotHiredReason>,
    pub applied: bool,
    /// Set when a desk operator corrected a decided outcome: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<String>,
}

/// A dated question to ask about a proposal: did it become a job, is it still going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FollowUp {
    pub id: Id,
    pub proposal_id: Id,
    pub org_id: Id,
    pub kind: FollowUpKind,
    pub due_on: Date,
    pub status: FollowUpStatus,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// For retention checks: whether the job was still going, and when that was said.
    #[serde(default)]
    pub retained: Option<bool>,
    #[serde(default)]
    pub done_on: Option<Date>,
}

/// The body of `POST …/contacts`: one line of a contact log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The day of the contact: within the last two years, not after today.
    pub on: Date,
    pub channel: ContactChannel,
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "crate::validate::MAX_CONTACT_NOTE_CHARS"))
    )]
    pub note: String,
}

/// One line of the contact log of a worker card or a request ("chiamata 20/11, non
/// risponde"). Sealed under the key of the record it is about, so it is erased with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Contact {
    pub id: Id,
    /// The worker card or the request the contact is about.
    pub about: Id,
    pub about_kind: RecordKind,
    pub on: Date,
    pub channel: ContactChannel,
    pub note: String,
    pub operator_id: Id,
    pub org_id: Id,
    /// Seconds since the Unix epoch: orders two contacts of the same day.
    pub recorded_at: u64,
}

/// Who is acting: an operator of an organisation with a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub operator_id: Id,
    pub org_id: Id,
    pub role: Role,
}

/// One line of the append-only audit log: who did what to which record, when. It never
/// holds the record's content (no health, no permit details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    /// Seconds since the Unix epoch.
    pub at: u64,
    pub operator_id: Option<Id>,
    pub org_id: Option<Id>,
    pub via: Via,
    pub action: AuditAction,
    pub record_kind: RecordKind,
    pub record_id: Id,
}

impl AuditEntry {
    /// An entry for `actor` (or the system, when `None`) doing `action` now.
    pub fn by(actor: Option<&Actor>, action: AuditAction, kind: RecordKind, id: Id) -> AuditEntry {
        AuditEntry {
            at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            operator_id: actor.map(|a| a.operator_id),
            org_id: actor.map(|a| a.org_id),
            via: if actor.is_some() {
                Via::Token
            } else {
                Via::System
            },
            action,
            record_kind: kind,
            record_id: id,
        }
    }
}

/// An existing card that looks like the one being registered, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DuplicateMatch {
    pub worker_id: Id,
    pub name_similarity: f64,
    pub same_birth_year: bool,
    pub same_phone: bool,
}

/// One ranked match with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Candidate {
    pub worker_id: Id,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<String>,
}

/// One ranked open request for a worker (the reverse direction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Opening {
    pub request_id: Id,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_roundtrips_as_hex() {
        let id = Id(0x00ab_cdef_0123_4567);
        assert_eq!(id.to_string(), "00abcdef01234567");
        assert_eq!("00abcdef01234567".parse::<Id>(), Ok(id));
        assert!("xyz".parse::<Id>().is_err());
        assert!("00abcdef0123456g".parse::<Id>().is_err());
    }

    #[test]
    fn vocabularies_use_contract_names() {
        assert_eq!(Job::AssistenzaNotturna.as_str(), "assistenza_notturna");
        assert_eq!(Job::parse("badante"), Some(Job::Badante));
        assert_eq!(
            serde_json::to_string(&PermitKind::RenewalPending).unwrap(),
            "\"renewal_pending\""
        );
        assert!(Level::A2 < Level::B1 && Level::C1 < Level::C2);
        assert!(
            ExperienceKind::ALL.len() <= 32,
            "kinds must fit a u32 bitset"
        );
    }
}
