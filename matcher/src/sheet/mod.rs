//! Desks' spreadsheets in and tables out: reads CSV/XLSX/ODS lists of workers or family
//! requests into API create bodies with per-cell problems, and writes tables that open in
//! Italian Excel. Knows nothing of the store: the engine decides what to create.
//!
//! ```text
//! bytes ─► read_table ─► Grid ─► parse_workers / parse_requests (+ Mapping) ─► Parsed
//!                                  header: heading row, columns    rows: RowOutcome per row
//! [Table] ─► write_csv / write_xlsx          &[Worker] ─► workers_table ─► Table
//! ```

pub mod header;
pub mod mapping;
pub mod read;
pub mod rows;
pub mod values;
pub mod write;

pub use header::{Field, Kind};
pub use mapping::Mapping;
pub use read::{read_table, Cell, Format, Grid};
pub use rows::{
    parse, parse_requests, parse_workers, CellProblem, ColumnUse, Parsed, RowOutcome, RowStatus,
    Skipped, DEFAULT_MAX_TRAVEL_KM,
};
pub use write::{workers_table, write_csv, write_xlsx, Table, TableCell, XlsxLayout};

use crate::date::Date;
use crate::error::Result;

/// Reads an uploaded file of `kind` in one call: `hint` is its content type or name,
/// `mapping` the optional `--mapping` file's text.
pub fn parse_file(
    bytes: &[u8],
    hint: Option<&str>,
    kind: Kind,
    mapping: Option<&str>,
    today: Date,
) -> Result<Parsed> {
    let mapping = mapping.map(Mapping::from_toml).transpose()?;
    let grid = read_table(bytes, hint)?;
    parse(&grid, kind, mapping.as_ref(), today)
}

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod test_util;
