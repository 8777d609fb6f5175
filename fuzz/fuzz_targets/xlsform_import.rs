//! The XLSForm importer never panics, whatever the bytes; every location it reports is a real cell; and
//! whatever document it recovers can be written as native YAML and as a workbook that imports again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use survey_spec::{Loc, NoFiles};

fuzz_target!(|bytes: &[u8]| {
    let (doc, diagnostics) = survey_xlsform::import(bytes, "fuzz.xlsx", &NoFiles);
    for diagnostic in &diagnostics {
        if let Loc::Cell { row, col, .. } = &diagnostic.loc {
            assert!(*row >= 1 && *col >= 1, "{diagnostic}");
        }
    }
    let Some(doc) = doc else {
        assert!(!diagnostics.is_empty(), "no document and no diagnostic");
        return;
    };
    let _ = survey_xlsform::to_native_yaml(&doc);
    if let Ok(exported) = survey_xlsform::export(&doc) {
        let (again, diagnostics) = survey_xlsform::import(&exported, "again.xlsx", &NoFiles);
        assert!(
            again.is_some(),
            "an exported workbook does not import: {diagnostics:?}"
        );
    }
});
