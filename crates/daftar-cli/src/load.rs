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

/// The loader for a questionnaire's side files (the folder it is in).
pub fn loader_for(path: &Path) -> DirLoader {
    DirLoader {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    }
}

/// Whether a path names a questionnaire bundle (a zip of the questionnaire and its CSV files).
pub fn is_bundle(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Vec<Diagnostic>> {
    std::fs::read(path).map_err(|e| {
        vec![file_error(
            &path.display().to_string(),
            format!("cannot read the file: {e}"),
        )]
    })
}

/// Reads a questionnaire file as written: an XLSForm workbook (`.xlsx`) or the native YAML/JSON format.
pub fn read_document(path: &Path) -> (Option<Document>, Vec<Diagnostic>) {
    match read_bytes(path) {
        Ok(bytes) => {
            survey_xlsform::read_document(&path.display().to_string(), &bytes, &loader_for(path))
        }
        Err(diagnostics) => (None, diagnostics),
    }
}

/// Loads and compiles a questionnaire file: native, XLSForm, or a bundle (`.zip`). Returns the
/// questionnaire when it has no error, and every diagnostic.
pub fn load(path: &Path) -> (Option<Arc<Questionnaire>>, Vec<Diagnostic>) {
    let bytes = match read_bytes(path) {
        Ok(bytes) => bytes,
        Err(diagnostics) => return (None, diagnostics),
    };
    if is_bundle(path) {
        return survey_xlsform::load_bundle(&bytes);
    }
    survey_xlsform::load(&path.display().to_string(), &bytes, &loader_for(path))
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
