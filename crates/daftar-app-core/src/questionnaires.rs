//! Questionnaire sources on the device: a native YAML file as downloaded, or a bundle (the YAML with its
//! CSV side files) such as the built-in Morocco pilot.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use survey_spec::Questionnaire;

use crate::error::{AppError, Result};

/// A questionnaire with its side files, stored as JSON in the store's questionnaire table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Marker and format version: 1.
    pub daftar_bundle: u32,
    /// The native questionnaire text.
    pub main: String,
    /// Side files by relative path (`lists/countries.csv`).
    pub files: BTreeMap<String, String>,
}

struct BundleFiles<'a>(&'a BTreeMap<String, String>);

impl survey_spec::SourceLoader for BundleFiles<'_> {
    fn read(&self, relative_path: &str) -> std::result::Result<Vec<u8>, String> {
        self.0
            .get(relative_path)
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| format!("`{relative_path}` is not in the questionnaire bundle"))
    }
}

/// Compiles a stored source (a bundle, or plain native text).
pub fn compile(label: &str, source: &[u8]) -> Result<Arc<Questionnaire>> {
    let text = std::str::from_utf8(source).map_err(|_| AppError::Questionnaire {
        id: label.to_string(),
        message: "not UTF-8 text".into(),
    })?;
    let (q, diagnostics) = if text.trim_start().starts_with("{\"daftar_bundle\"") {
        let bundle: Bundle = serde_json::from_str(text).map_err(|e| AppError::Questionnaire {
            id: label.to_string(),
            message: e.to_string(),
        })?;
        survey_spec::load(
            &bundle.main,
            "questionnaire.yaml",
            &BundleFiles(&bundle.files),
        )
    } else {
        survey_spec::load(text, "questionnaire.yaml", &survey_spec::NoFiles)
    };
    q.ok_or_else(|| AppError::Questionnaire {
        id: label.to_string(),
        message: diagnostics
            .iter()
            .take(3)
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    })
}

macro_rules! pilot_file {
    ($name:literal) => {
        (
            concat!("lists/", $name),
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../questionnaire-specs/morocco-pilot/lists/",
                $name
            )),
        )
    };
}

/// The Morocco pilot questionnaire, built into the app for training and offline work.
pub fn morocco_pilot() -> Bundle {
    let files = [
        pilot_file!("bracket_mad.csv"),
        pilot_file!("countries.csv"),
        pilot_file!("countries_plus.csv"),
        pilot_file!("currencies.csv"),
        pilot_file!("fx_rates.csv"),
        pilot_file!("isco_major.csv"),
        pilot_file!("isco_submajor.csv"),
        pilot_file!("isic_sections.csv"),
        pilot_file!("provinces.csv"),
        pilot_file!("regions.csv"),
    ];
    Bundle {
        daftar_bundle: 1,
        main: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../questionnaire-specs/morocco-pilot/questionnaire.yaml"
        ))
        .to_string(),
        files: files
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
    }
}

/// The id and version under which the built-in pilot is stored.
pub const PILOT_ID: &str = "morocco-pilot";
/// See [`PILOT_ID`].
pub const PILOT_VERSION: &str = "builtin";
