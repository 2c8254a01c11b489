//! DOM's matching core: the domain model, the sled store (source of truth), the tantivy
//! index derived from it, and explained compatibility scoring. Knows nothing of HTTP.
//!
//! Everything goes through [`Engine`]: it owns the store, the index and the in-memory
//! tables, and is the only writer. The modules are private; this page is the API.

pub mod backup;
pub mod ccnl;
mod check;
mod comuni;
mod contact;
mod date;
mod dedupe;
mod demo;
mod effectiveness;
mod engine;
mod error;
mod fairness;
mod features;
pub mod fixtures;
mod followup;
pub mod guard;
mod import;
mod incomplete;
mod index;
pub mod italian;
pub mod json;
pub mod model;
pub mod names;
mod outcome;
mod partition;
mod privacy;
mod rank;
mod relevance;
mod report;
mod review_tables;
#[cfg(feature = "schema")]
mod schema;
pub mod sheet;
mod slots;
mod snapshot;
mod store;
pub mod synth;
mod table;
mod text;
mod validate;
mod vault;

pub use check::CheckReport;
pub use comuni::{Comune, ComuneMatch, Comuni};
pub use date::Date;
pub use effectiveness::Effectiveness;
pub use engine::{Change, DueFollowUp, Eligibility, Engine, Recovery, RequestScope, WhyNot};
pub use engine::{DuplicateRow, ImportOptions, ImportedRow, RefusedRow, RowGroup, SheetReport};
pub use engine::{Refusal, RefusedRequests};
pub use error::{Error, ExcludedBy, Result};
pub use fairness::{Attribute as FairnessAttribute, FairnessRow};
pub use followup::{normalise_code, FollowUpPolicy, ProposalView, Sweep, CODE_LEN};
pub use import::{parse_line, parse_request_line, ImportReport};
pub use index::WorkerFilter;
pub use outcome::{Correction, OutcomeInput, PublicAnswer, PublicOutcome};
pub use privacy::{RetentionPass, WorkerExport};
pub use rank::{
    documentation as constraint_documentation, Constraint, Exclusion, Factor, MAX_LIMIT,
};
pub use report::AntiDiscrimination;
pub use report::{monthly, Month, MonthlyReport};
pub use store::Compaction;
pub use validate::{request as validate_request, worker as validate_worker};

pub mod bench;
