//! Builders shared by the spreadsheet module's unit tests: a grid of text cells and the
//! fixed day the expected values are written for.

use super::read::{Cell, Format, Grid};
use crate::date::Date;

/// An XLSX-like grid of text cells; an empty string is an empty cell.
pub fn grid(rows: &[&[&str]]) -> Grid {
    Grid {
        format: Format::Xlsx,
        sheet: None,
        rows: rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|s| {
                        if s.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(s.to_string())
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

/// The cells of one row written as a line with `|` between cells ("a||b": three cells,
/// the middle one empty), so that a wide row reads as the desk typed it.
pub fn cells(line: &str) -> Vec<&str> {
    line.split('|').collect()
}

/// The day the tests' dates (consents, permit expiries) are judged against.
pub fn today() -> Date {
    // Unwrap: a constant, valid date.
    Date::from_ymd(2026, 11, 23).unwrap()
}

#[test]
fn empty_strings_are_empty_cells() {
    let g = grid(&[&cells("a||b")]);
    assert_eq!(g.rows[0].len(), 3);
    assert!(matches!(g.rows[0][0], Cell::Text(ref t) if t == "a"));
    assert!(matches!(g.rows[0][1], Cell::Empty));
}
