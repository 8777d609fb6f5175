//! The native questionnaire loader on arbitrary text: it never panics, and whatever it accepts survives a
//! write-out in the native format and a reload with the same content hash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use survey_spec::NoFiles;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (document, _) = survey_spec::native::read(text, "fuzz.yaml");
    let Some(document) = document else { return };
    let (questionnaire, _) = survey_spec::compile(&document, "fuzz.yaml", &NoFiles);
    let Some(questionnaire) = questionnaire else { return };
    let written = survey_xlsform::to_native_yaml(&document);
    let (again, diagnostics) = survey_spec::load(&written, "again.yaml", &NoFiles);
    let again = again.unwrap_or_else(|| panic!("the written questionnaire does not load: {diagnostics:?}\n{written}"));
    assert_eq!(questionnaire.content_hash(), again.content_hash(), "{written}");
});
