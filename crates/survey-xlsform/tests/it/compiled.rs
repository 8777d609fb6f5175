//! Every questionnaire under `questionnaire-specs/` exports to XLSForm and imports back to the same
//! compiled questionnaire (same canonical dump, hence the same content hash). When pyxform's `xls2xform` is
//! installed (`cargo xtask conformance` installs it under `~/.cache/daftar-pyxform-venv`), the exported
//! workbook must also convert without error.

use std::path::{Path, PathBuf};
use std::process::Command;

use survey_spec::{Severity, SourceLoader};

/// Reads files relative to a questionnaire's directory.
struct Dir(PathBuf);

impl SourceLoader for Dir {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(relative_path))
            .map_err(|error| format!("{relative_path}: {error}"))
    }
}

fn specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaire-specs");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&root).expect("questionnaire-specs/") {
        let dir = entry.expect("entry").path();
        for name in [
            "questionnaire.yaml",
            "questionnaire.yml",
            "questionnaire.json",
        ] {
            if dir.join(name).is_file() {
                found.push(dir.join(name));
            }
        }
    }
    found.sort();
    found
}

fn xls2xform() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let path = Path::new(&home).join(".cache/daftar-pyxform-venv/bin/xls2xform");
    path.is_file().then_some(path)
}

#[test]
fn every_questionnaire_spec_round_trips_through_xlsform() {
    let specs = specs();
    assert!(
        !specs.is_empty(),
        "no questionnaire under questionnaire-specs/"
    );
    for spec in specs {
        let dir = Dir(spec.parent().expect("a directory").to_path_buf());
        let file_name = spec.display().to_string();
        let text = std::fs::read_to_string(&spec).expect("readable");
        let (doc, diagnostics) = survey_spec::native::read(&text, &file_name);
        let doc = doc.unwrap_or_else(|| panic!("{file_name}: {diagnostics:#?}"));
        let (original, diagnostics) = survey_spec::compile(&doc, &file_name, &dir);
        let original =
            original.unwrap_or_else(|| panic!("{file_name} does not compile: {diagnostics:#?}"));

        let bytes = survey_xlsform::export(&doc).expect("export");
        let (back, diagnostics) = survey_xlsform::import(&bytes, "exported.xlsx", &dir);
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert!(
            errors.is_empty(),
            "{file_name}: import of the export: {errors:#?}"
        );
        let back = back.expect("a document");
        let (compiled, diagnostics) = survey_spec::compile(&back, "exported.xlsx", &dir);
        let compiled = compiled.unwrap_or_else(|| {
            let errors: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            panic!("{file_name}: the exported workbook does not compile: {errors:#?}")
        });
        let (left, right) = (
            survey_spec::canonical::dump(&original),
            survey_spec::canonical::dump(&compiled),
        );
        if left != right {
            let first = left
                .lines()
                .zip(right.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{file_name}: the round trip changed the questionnaire from dump line {}:\n--- native\n{}\n--- via XLSForm\n{}",
                first + 1,
                left.lines()
                    .skip(first)
                    .take(6)
                    .collect::<Vec<_>>()
                    .join("\n"),
                right
                    .lines()
                    .skip(first)
                    .take(6)
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        assert_eq!(original.content_hash(), compiled.content_hash());

        // `daftar spec import` writes the imported document as native YAML: it must read back (with the
        // native reader) to the same questionnaire.
        let yaml = survey_xlsform::to_native_yaml(&back);
        let (reread, diagnostics) = survey_spec::native::read(&yaml, "imported.yaml");
        let reread = reread.unwrap_or_else(|| {
            panic!("{file_name}: the written YAML does not read: {diagnostics:#?}")
        });
        let (from_yaml, diagnostics) = survey_spec::compile(&reread, "imported.yaml", &dir);
        let from_yaml = from_yaml.unwrap_or_else(|| {
            let errors: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            panic!("{file_name}: the written YAML does not compile: {errors:#?}")
        });
        assert_eq!(
            survey_spec::canonical::dump(&from_yaml),
            left,
            "{file_name}: the YAML written from the import is another questionnaire"
        );

        assert_pyxform_converts(&bytes, &original.id);
    }
}

/// When pyxform's `xls2xform` is installed, it must convert `bytes` without error.
pub fn assert_pyxform_converts(bytes: &[u8], stem: &str) {
    let Some(xls2xform) = xls2xform() else { return };
    let out = tempdir().join(format!("{stem}.xlsx"));
    std::fs::write(&out, bytes).expect("write the workbook");
    let xml = out.with_extension("xml");
    let result = Command::new(&xls2xform)
        .arg("--skip_validate")
        .arg(&out)
        .arg(&xml)
        .output()
        .expect("run xls2xform");
    assert!(
        result.status.success() && xml.is_file(),
        "{stem}: pyxform rejects the exported workbook:\n{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("survey-xlsform-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
