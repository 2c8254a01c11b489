//! DOM's matching core: the domain model, the sled store (source of truth), the tantivy
//! index derived from it, and explained compatibility scoring. Knows nothing of HTTP.

pub mod backup;
pub mod check;
pub mod comuni;
pub mod date;
pub mod dedupe;
pub mod engine;
pub mod error;
pub mod features;
pub mod fixtures;
pub mod followup;
pub mod guard;
pub mod import;
pub mod index;
pub mod json;
pub mod model;
pub mod names;
pub mod privacy;
pub mod relevance;
pub mod report;
pub mod score;
pub mod sheet;
pub mod snapshot;
pub mod store;
pub mod synth;
pub mod table;
pub mod text;
pub mod validate;
pub mod vault;

pub use date::Date;
pub use engine::{Engine, Recovery};
pub use error::{Error, Result};
