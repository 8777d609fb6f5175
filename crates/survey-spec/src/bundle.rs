//! A questionnaire bundle: one zip archive holding a questionnaire file and the CSV files it refers to.
//!
//! A questionnaire with choice lists or lookup tables in CSV files is several files on a designer's disk,
//! but it must travel as one blob: uploaded to the server as one questionnaire version, downloaded by
//! tablets, hashed and stored as one thing. The bundle's main file is the one file at the root of the
//! archive whose name ends in `.yaml`, `.yml`, `.json` or `.xlsx`; every other entry is a side file read
//! through [`SourceLoader`] with its path relative to the root.
//!
//! Archives from outside are read defensively: absolute paths and `..` are refused, and the number of
//! entries and their total size are bounded, so a crafted archive cannot exhaust memory.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use crate::SourceLoader;

/// The most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 1_000;
/// The most bytes a bundle's files may hold once uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

const MAIN_EXTENSIONS: [&str; 4] = [".yaml", ".yml", ".json", ".xlsx"];

/// A questionnaire and its side files, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    main: String,
    files: BTreeMap<String, Vec<u8>>,
}

fn safe_name(name: &str) -> Result<String, String> {
    let name = name.replace('\\', "/");
    if name.starts_with('/')
        || name.split('/').any(|part| part == ".." || part.is_empty())
        || name.contains(':')
    {
        return Err(format!("bundle entry `{name}` has an unsafe path"));
    }
    Ok(name)
}

impl Bundle {
    /// A bundle of a main file (e.g. `questionnaire.yaml`) with no side files yet.
    pub fn new(main_name: &str, main: Vec<u8>) -> Result<Bundle, String> {
        let main_name = safe_name(main_name)?;
        if main_name.contains('/') || !MAIN_EXTENSIONS.iter().any(|e| main_name.ends_with(e)) {
            return Err(format!(
                "`{main_name}` cannot be a bundle's questionnaire: it must be a .yaml, .json or .xlsx file at the root"
            ));
        }
        Ok(Bundle {
            files: BTreeMap::from([(main_name.clone(), main)]),
            main: main_name,
        })
    }

    /// Adds a side file at `path` (relative, `/`-separated).
    pub fn add(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        let path = safe_name(path)?;
        if path == self.main {
            return Err(format!("`{path}` is the bundle's questionnaire"));
        }
        self.files.insert(path, bytes);
        Ok(())
    }

    /// The questionnaire file's name and bytes.
    pub fn main(&self) -> (&str, &[u8]) {
        (&self.main, &self.files[&self.main])
    }

    /// Every file's path, the questionnaire included.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Reads a bundle from zip bytes.
    pub fn from_zip(bytes: &[u8]) -> Result<Bundle, String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("not a questionnaire bundle (zip): {e}"))?;
        if archive.len() > MAX_ENTRIES {
            return Err(format!(
                "the bundle has {} entries; at most {MAX_ENTRIES} are accepted",
                archive.len()
            ));
        }
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| format!("bundle entry {i} cannot be read: {e}"))?;
            if entry.is_dir() {
                continue;
            }
            let raw = entry
                .name()
                .map_err(|e| format!("bundle entry {i} has an unreadable name: {e}"))?
                .to_string();
            let name = safe_name(&raw)?;
            let mut content = Vec::new();
            let budget = MAX_TOTAL_BYTES - total;
            (&mut entry)
                .take(budget + 1)
                .read_to_end(&mut content)
                .map_err(|e| format!("bundle entry `{name}` cannot be read: {e}"))?;
            total += content.len() as u64;
            if total > MAX_TOTAL_BYTES {
                return Err(format!(
                    "the bundle's files exceed {MAX_TOTAL_BYTES} bytes once uncompressed"
                ));
            }
            files.insert(name, content);
        }
        let mains: Vec<&String> = files
            .keys()
            .filter(|n| !n.contains('/') && MAIN_EXTENSIONS.iter().any(|e| n.ends_with(e)))
            .collect();
        match mains.as_slice() {
            [main] => Ok(Bundle {
                main: (*main).clone(),
                files,
            }),
            [] => {
                Err("the bundle holds no questionnaire (.yaml, .json or .xlsx) at its root".into())
            }
            several => Err(format!(
                "the bundle holds several questionnaires at its root ({}); keep one",
                several
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Writes the bundle as zip bytes. The same bundle always gives the same bytes (entries in path order,
    /// fixed timestamps), so its hash identifies its content.
    pub fn to_zip(&self) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for (name, bytes) in &self.files {
            // Writing to memory cannot fail for lack of space; a failure here is a bug in the zip crate.
            if writer
                .start_file(name.as_str(), options)
                .and_then(|()| writer.write_all(bytes).map_err(Into::into))
                .is_err()
            {
                continue;
            }
        }
        writer.finish().map(Cursor::into_inner).unwrap_or_default()
    }
}

impl SourceLoader for Bundle {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        let path = safe_name(relative_path)?;
        self.files
            .get(&path)
            .cloned()
            .ok_or_else(|| format!("the bundle has no file `{path}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_round_trips_through_zip_byte_for_byte() {
        let mut bundle = Bundle::new("questionnaire.yaml", b"daftar: 1\n".to_vec()).unwrap();
        bundle
            .add("lists/countries.csv", b"name,label\nMAR,Maroc\n".to_vec())
            .unwrap();
        let zip = bundle.to_zip();
        let back = Bundle::from_zip(&zip).unwrap();
        assert_eq!(back, bundle);
        assert_eq!(back.to_zip(), zip, "the same bundle gives the same bytes");
        assert_eq!(
            back.read("lists/countries.csv").unwrap(),
            b"name,label\nMAR,Maroc\n"
        );
        assert_eq!(
            back.read("lists/none.csv").unwrap_err(),
            "the bundle has no file `lists/none.csv`"
        );
    }

    #[test]
    fn unsafe_or_ambiguous_bundles_are_refused() {
        let mut bundle = Bundle::new("q.yaml", Vec::new()).unwrap();
        assert_eq!(
            bundle.add("../etc/passwd", Vec::new()).unwrap_err(),
            "bundle entry `../etc/passwd` has an unsafe path"
        );
        assert_eq!(
            bundle.add("/abs.csv", Vec::new()).unwrap_err(),
            "bundle entry `/abs.csv` has an unsafe path"
        );
        assert!(Bundle::new("lists/q.yaml", Vec::new()).is_err());
        bundle.add("second.json", Vec::new()).unwrap();
        assert_eq!(
            Bundle::from_zip(&bundle.to_zip()).unwrap_err(),
            "the bundle holds several questionnaires at its root (q.yaml, second.json); keep one"
        );
        assert!(
            Bundle::from_zip(b"not a zip")
                .unwrap_err()
                .starts_with("not a questionnaire bundle (zip)")
        );
    }
}
