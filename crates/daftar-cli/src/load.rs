//! Reading questionnaire files from disk: the only place the CLI turns paths into questionnaires.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use survey_spec::{Diagnostic, Document, Questionnaire, Severity, SourceLoader};

/// Reads side files (CSV lists and tables) relative to the questionnaire's folder, refusing paths that
/// leave it.
pub struct DirLoader {
    pub dir: PathBuf,
}

impl SourceLoader for DirLoader {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        let relative = Path::new(relative_path);
        if relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err("side files must be inside the questionnaire's folder".into());
        }
        std::fs::read(self.dir.join(relative)).map_err(|e| e.to_string())
    }
}

/// Whether a path names an XLSForm workbook.
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// The loader for a questionnaire's side files (the folder it is in).
pub fn loader_for(path: &Path) -> DirLoader {
    DirLoader {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    }
}

/// Reads a questionnaire file as written: an XLSForm workbook (`.xlsx`) or the native YAML/JSON format.
pub fn read_document(path: &Path) -> (Option<Document>, Vec<Diagnostic>) {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return (
                None,
                vec![file_error(&name, format!("cannot read the file: {e}"))],
            );
        }
    };
    if is_workbook(path) {
        return survey_xlsform::import(&bytes, &name, &loader_for(path));
    }
    match String::from_utf8(bytes) {
        Ok(text) => survey_spec::native::read(&text, &name),
        Err(e) => (
            None,
            vec![file_error(
                &name,
                format!(
                    "the file is not UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )],
        ),
    }
}

/// Loads and compiles a questionnaire file (XLSForm or native). Returns the questionnaire when it has no
/// error, and every diagnostic.
pub fn load(path: &Path) -> (Option<Arc<Questionnaire>>, Vec<Diagnostic>) {
    let (document, mut diagnostics) = read_document(path);
    let Some(document) = document else {
        return (None, diagnostics);
    };
    let had_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let (questionnaire, more) =
        survey_spec::compile(&document, &path.display().to_string(), &loader_for(path));
    diagnostics.extend(more);
    if had_errors {
        (None, diagnostics)
    } else {
        (questionnaire, diagnostics)
    }
}

fn file_error(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        file: file.into(),
        loc: survey_spec::Loc::Unknown,
        severity: Severity::Error,
        code: "F001",
        message,
    }
}
