//! Integration tests of survey-xlsform: hand-built workbooks imported into native YAML, one input per
//! diagnostic code, export/import round trips, and a seeded corruption test that asserts no panic.

mod compiled;
mod corrupt;
mod diagnostics;
mod engine;
mod import;
mod round_trip;
mod yaml;

use std::collections::HashMap;

use expect_test::Expect;
use rust_xlsxwriter::Workbook;
use survey_spec::SourceLoader;

/// A workbook from `(sheet name, rows)`; every cell is written as a string, empty cells are skipped.
pub fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// Files next to the form, in memory.
#[derive(Default)]
pub struct Files(pub HashMap<String, Vec<u8>>);

impl SourceLoader for Files {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        self.0
            .get(relative_path)
            .cloned()
            .ok_or_else(|| format!("no `{relative_path}`"))
    }
}

/// Imports `bytes` and renders the diagnostics followed by the document as native YAML.
pub fn render(bytes: &[u8], files: &dyn SourceLoader) -> String {
    let (doc, diagnostics) = survey_xlsform::import(bytes, "form.xlsx", files);
    let mut out = String::new();
    for diagnostic in &diagnostics {
        out.push_str(&format!("{diagnostic}\n"));
    }
    if !diagnostics.is_empty() {
        out.push_str("---\n");
    }
    match doc {
        Some(doc) => out.push_str(&survey_xlsform::to_native_yaml(&doc)),
        None => out.push_str("(no document)\n"),
    }
    out
}

#[track_caller]
pub fn check(sheets: &[(&str, &[&[&str]])], expect: Expect) {
    expect.assert_eq(&render(&workbook(sheets), &Files::default()));
}
