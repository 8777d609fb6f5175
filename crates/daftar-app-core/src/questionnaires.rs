//! Questionnaire sources on the device, as the server sends them (the bytes the survey firm uploaded): a
//! native YAML or JSON file, a bundle (zip of the questionnaire and its CSV side files, `daftar spec
//! bundle`), or an XLSForm workbook; and the app's own JSON bundle of the built-in Morocco pilot.

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

/// Compiles a stored source: a zip (a bundle, else an XLSForm workbook), the built-in JSON bundle, or
/// plain native text.
pub fn compile(label: &str, source: &[u8]) -> Result<Arc<Questionnaire>> {
    let (q, diagnostics) = if source.starts_with(b"PK\x03\x04") {
        if survey_spec::Bundle::from_zip(source).is_ok() {
            survey_xlsform::load_bundle(source)
        } else {
            survey_xlsform::load("questionnaire.xlsx", source, &survey_spec::NoFiles)
        }
    } else {
        let text = std::str::from_utf8(source).map_err(|_| AppError::Questionnaire {
            id: label.to_string(),
            message: "neither UTF-8 text nor a zip (bundle or workbook)".into(),
        })?;
        if text.trim_start().starts_with("{\"daftar_bundle\"") {
            let bundle: Bundle =
                serde_json::from_str(text).map_err(|e| AppError::Questionnaire {
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
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pilot_zip() -> Vec<u8> {
        let pilot = morocco_pilot();
        let mut bundle =
            survey_spec::Bundle::new("questionnaire.yaml", pilot.main.into_bytes()).unwrap();
        for (path, text) in pilot.files {
            bundle.add(&path, text.into_bytes()).unwrap();
        }
        bundle.to_zip()
    }

    #[test]
    fn every_form_the_server_sends_compiles_to_the_same_questionnaire() {
        let builtin = compile("builtin", &serde_json::to_vec(&morocco_pilot()).unwrap()).unwrap();
        let zipped = compile("bundle", &pilot_zip()).unwrap();
        assert_eq!(zipped.content_hash(), builtin.content_hash());

        let small = "daftar: 1\nid: tiny\nversion: \"1\"\ntitle: {fr: Petit}\nlanguages: [fr]\n\
                     default_language: fr\nitems:\n  - {name: age, type: integer, label: {fr: Âge}}\n";
        let native = compile("yaml", small.as_bytes()).unwrap();
        let (document, _) = survey_spec::native::read(small, "tiny.yaml");
        let workbook = survey_xlsform::export(&document.unwrap()).unwrap();
        let from_workbook = compile("xlsx", &workbook).unwrap();
        assert_eq!(from_workbook.content_hash(), native.content_hash());
    }

    #[test]
    fn a_broken_source_is_a_clear_error_naming_the_version() {
        for bytes in [
            &b"PK\x03\x04 not a zip"[..],
            &[0xff, 0xfe, 0x00][..],
            &b"daftar: 1\nid: ["[..],
        ] {
            let error = compile("households@7", bytes).unwrap_err();
            assert!(error.to_string().contains("households@7"), "{error}");
        }
    }
}
