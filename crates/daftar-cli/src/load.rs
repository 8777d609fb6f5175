//! Reading questionnaire files from disk: the only place the CLI turns paths into questionnaires.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use survey_spec::{Diagnostic, Questionnaire, Severity, SourceLoader};

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

/// Loads and compiles a questionnaire file (native YAML/JSON). Returns the questionnaire when it has no
/// error, and every diagnostic.
pub fn load(path: &Path) -> (Option<Arc<Questionnaire>>, Vec<Diagnostic>) {
    let name = path.display().to_string();
    let loader = DirLoader {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return (
                None,
                vec![file_error(&name, format!("cannot read the file: {e}"))],
            );
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return (
                None,
                vec![file_error(
                    &name,
                    format!(
                        "the file is not UTF-8 text (byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                )],
            );
        }
    };
    survey_spec::load(&text, &name, &loader)
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
