//! Reading a workbook's sheets into plain, located text tables.
//!
//! calamine reads `.xlsx`, `.xlsm`, `.xls` (BIFF) and `.ods`. Every cell becomes text the way pyxform
//! renders it (`xlsx_value_to_str`): whole floats lose their `.0`, booleans read `TRUE`/`FALSE`, and
//! non-breaking spaces become spaces. Cells keep their 1-based row and column so that every diagnostic
//! can name `sheet!C12`.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

/// A sheet as text: its name and its non-empty rows.
#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    /// The sheet name as written in the workbook.
    pub name: Arc<str>,
    /// Rows that have at least one non-empty cell, in order.
    pub rows: Vec<Row>,
}

/// One row of a sheet.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// 1-based row number in the sheet.
    pub number: u32,
    /// Non-empty cells: 1-based column and trimmed text.
    pub cells: Vec<(u32, String)>,
}

impl Row {
    /// The text in `col`, if that cell is not empty.
    pub fn get(&self, col: u32) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, text)| text.as_str())
    }
}

/// Why a workbook could not be opened at all.
pub(crate) struct Unreadable(pub String);

/// Reads every sheet of the workbook in `bytes`.
///
/// calamine is a parser of untrusted, deeply structured input (ZIP, XML, BIFF records). A panic inside it
/// on a malformed file must not take the CLI or the app down, so the whole read runs under
/// `catch_unwind` and a panic is reported like any other unreadable workbook.
///
/// Only the sheets `wanted(name, number_of_sheets)` accepts are parsed; the others are listed with no rows
/// (real workbooks carry notes, lookup tables and million-row leftovers the importer never reads).
pub(crate) fn read_sheets(
    bytes: &[u8],
    wanted: &dyn Fn(&str, usize) -> bool,
) -> Result<Vec<Sheet>, Unreadable> {
    let result = catch_unwind(AssertUnwindSafe(|| read_sheets_inner(bytes, wanted)));
    match result {
        Ok(result) => result,
        Err(_) => Err(Unreadable(
            "the workbook is malformed (the spreadsheet reader gave up on it)".into(),
        )),
    }
}

fn read_sheets_inner(
    bytes: &[u8],
    wanted: &dyn Fn(&str, usize) -> bool,
) -> Result<Vec<Sheet>, Unreadable> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|error| {
        Unreadable(format!(
            "not a readable .xlsx, .xls or .ods workbook ({error})"
        ))
    })?;
    let mut sheets = Vec::new();
    let names = workbook.sheet_names();
    for name in &names {
        if !wanted(name, names.len()) {
            sheets.push(Sheet {
                name: name.as_str().into(),
                rows: Vec::new(),
            });
            continue;
        }
        let range = match workbook.worksheet_range(name) {
            Ok(range) => range,
            Err(error) => {
                return Err(Unreadable(format!(
                    "sheet `{name}` cannot be read ({error})"
                )));
            }
        };
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (index, cells) in range.rows().enumerate() {
            let mut row = Row {
                number: row0 + index as u32 + 1,
                cells: Vec::new(),
            };
            for (column, cell) in cells.iter().enumerate() {
                let text = cell_text(cell);
                let text = text.trim();
                if !text.is_empty() {
                    row.cells.push((col0 + column as u32 + 1, text.to_string()));
                }
            }
            if !row.cells.is_empty() {
                rows.push(row);
            }
        }
        sheets.push(Sheet {
            name: name.as_str().into(),
            rows,
        });
    }
    Ok(sheets)
}

/// A cell as pyxform would read it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(text) => text.replace('\u{a0}', " "),
        Data::Int(value) => value.to_string(),
        Data::Float(value) => number_text(*value),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::DateTime(value) => excel_serial_text(value.as_f64()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
    }
}

/// A number without a spurious `.0`.
pub(crate) fn number_text(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// An Excel date serial (days since 1899-12-30) as an ISO date, or date and time when it has a fraction.
///
/// XLSForm authors type default dates into cells that Excel then formats as dates; pyxform reads them back
/// as dates, and so do we.
fn excel_serial_text(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return number_text(serial);
    }
    let days = serial.floor() as i64;
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if days == 0 && seconds > 0 {
        return format!(
            "{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
    }
    // 1899-12-30 is day 0; convert through the civil-from-days algorithm (days since 1970-01-01).
    let (year, month, day) = civil_from_days(days - 25_569);
    if seconds == 0 {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

/// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_read_as_iso_dates() {
        assert_eq!(excel_serial_text(45_658.0), "2025-01-01");
        assert_eq!(excel_serial_text(45_658.5), "2025-01-01T12:00:00");
        assert_eq!(excel_serial_text(0.25), "06:00:00");
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(2.5), "2.5");
    }
}
