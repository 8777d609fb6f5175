//! The export archive: one zip with the data, the labels, the codebook, the paradata and the 10.7.1 tables.
//!
//! ```text
//! README.txt          what is where, the keys, the version exported
//! data/main.csv       one row per interview
//! data/<roster>.csv   one row per roster row
//! labels.do           Stata: import, label, save .dta
//! labels.sps          SPSS: import, label, save .sav
//! codebook.html       printable codebook
//! paradata.csv        interview_id, seq, at, event, path, detail
//! sdg_10_7_1.csv      the 10.7.1 tables of this data
//! ```
//!
//! The same zip (or its `data/*.csv` files alone) is the layout a cleaned batch is uploaded in.

use std::io::{Read as _, Write as _};

use survey_spec::model::Questionnaire;
use zip::write::SimpleFileOptions;

use crate::DataError;
use crate::codebook::{codebook_html, spss_sps, stata_do};
use crate::dataset::{Dataset, paradata_csv};
use crate::record::InterviewRecord;
use crate::sdg::{tables_csv, tables_of};

/// What the archive says about its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInfo {
    /// `raw` or `version N`.
    pub version: String,
    /// Who made that version, when and why (empty for raw).
    pub provenance: String,
}

/// Builds the export zip.
pub fn export_zip(
    q: &Questionnaire,
    dataset: &Dataset,
    records: &[InterviewRecord],
    info: &ExportInfo,
) -> Result<Vec<u8>, DataError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let readme = format!(
        "Daftar export of {id} version {version} (content hash {hash}).\nData: {data}.\n{provenance}\n\n\
Files:\n  data/<level>.csv  one CSV per level; keys interview_id and <roster>_row (1-based) join them:\n\
                    a roster's rows join their parent on interview_id and the parent's row columns.\n\
  labels.do         Stata labels (run in the data folder)\n  labels.sps        SPSS labels\n\
  codebook.html     variables, labels (fr/ar/en), types, choices, relevance, constraints\n\
  paradata.csv      interview events\n  sdg_10_7_1.csv    SDG 10.7.1 tables (see the console for the definitions)\n\
Interviews: {n}.\n",
        id = q.id,
        version = q.version,
        hash = q.content_hash(),
        data = info.version,
        provenance = info.provenance,
        n = dataset.interviews().len(),
    );
    files.push(("README.txt".into(), readme.into_bytes()));
    for table in &dataset.tables {
        files.push((format!("data/{}", table.level.file_name()), table.to_csv()));
    }
    files.push(("labels.do".into(), stata_do(q).into_bytes()));
    files.push(("labels.sps".into(), spss_sps(q).into_bytes()));
    files.push(("codebook.html".into(), codebook_html(q).into_bytes()));
    files.push(("paradata.csv".into(), paradata_csv(records)));
    files.push((
        "sdg_10_7_1.csv".into(),
        tables_csv(&tables_of(dataset)).into_bytes(),
    ));
    write_zip(&files)
}

/// Writes files into a zip (deflated).
pub fn write_zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, DataError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .map_err(|e| DataError::Zip(e.to_string()))?;
        zip.write_all(bytes)
            .map_err(|e| DataError::Zip(e.to_string()))?;
    }
    let cursor = zip.finish().map_err(|e| DataError::Zip(e.to_string()))?;
    Ok(cursor.into_inner())
}

/// The largest file read out of an uploaded zip (256 MiB), against zip bombs.
pub const MAX_UNZIPPED_FILE: u64 = 256 * 1024 * 1024;

/// Reads every file of a zip.
pub fn read_zip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, DataError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DataError::Zip(e.to_string()))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let file = archive
            .by_index(i)
            .map_err(|e| DataError::Zip(e.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let name = file
            .name()
            .map_err(|e| DataError::Zip(e.to_string()))?
            .to_string();
        let mut content = Vec::new();
        file.take(MAX_UNZIPPED_FILE + 1)
            .read_to_end(&mut content)
            .map_err(|e| DataError::Zip(e.to_string()))?;
        if content.len() as u64 > MAX_UNZIPPED_FILE {
            return Err(DataError::Zip(format!("{name} is larger than 256 MiB")));
        }
        out.push((name, content));
    }
    Ok(out)
}

/// Whether bytes look like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}
