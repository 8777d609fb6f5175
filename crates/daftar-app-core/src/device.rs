//! The device state: enrolment (with the device token and signing key), sync cursor, last sync, quota
//! fill, supervisors' reviews and receipts.
//!
//! It is needed before the PIN is given (enrolment comes first, and the start screen shows where the tablet
//! is enrolled), so it is sealed under the device key, not the enumerator's data key:
//! `device.sealed` next to the store, a [`survey_store::SealedFile`] (AES-256-GCM, mode 0600, atomic
//! replace). A `device.json` left by an earlier version is sealed and removed the first time it is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use survey_store::{KeyProvider, SealedFile};

use crate::error::{AppError, Result};

/// The purpose bound into the device state's key and associated data.
const PURPOSE: &str = "device-state";

/// A supervisor's review of one interview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewNote {
    /// The decision: `approve` or `reject`.
    pub decision: String,
    /// Comments by question path.
    pub comments: BTreeMap<String, String>,
    /// A comment on the whole interview.
    pub note: Option<String>,
    /// The revision reviewed.
    pub revision: u32,
}

/// A quota cell as last downloaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaFill {
    /// Quota name.
    pub quota: String,
    /// Cell coordinates.
    pub cell: BTreeMap<String, String>,
    /// Target.
    pub target: u32,
    /// Fill.
    pub fill: u32,
}

/// How many interviews an assignment asks for, and how many the server had received at the last sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentLimit {
    /// Interviews wanted; `None` for no limit.
    pub quantity: Option<u32>,
    /// Distinct interviews the server had received for it (from any tablet).
    pub used: u32,
}

/// Everything the device remembers outside the encrypted store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceFile {
    /// The sync server's base URL.
    pub server: Option<String>,
    /// The device id the server gave.
    pub device_id: Option<String>,
    /// The device token (a secret).
    pub device_token: Option<String>,
    /// The server's receipt-signing public key, base64.
    pub server_public_key: Option<String>,
    /// The device's Ed25519 key, PKCS#8 base64 (a secret).
    pub device_key: Option<String>,
    /// The enumerator's id on the server.
    pub enumerator_id: Option<String>,
    /// The enumerator's name.
    pub display_name: Option<String>,
    /// Survey public keys by survey id, base64.
    pub survey_keys: BTreeMap<String, String>,
    /// The newest questionnaire version (server content hash) by survey id.
    pub latest_versions: BTreeMap<String, String>,
    /// The change cursor.
    pub cursor: u64,
    /// Last successful sync, ms.
    pub last_sync_ms: Option<i64>,
    /// Quota fill.
    pub quotas: Vec<QuotaFill>,
    /// Reviews by interview id.
    pub reviews: BTreeMap<String, ReviewNote>,
    /// Receipts by interview id: `revision`, server sequence, received at.
    pub receipts: BTreeMap<String, (u32, u64, String)>,
    /// Quantity and use of assignments by assignment id, as of the last sync.
    #[serde(default)]
    pub assignment_limits: BTreeMap<String, AssignmentLimit>,
}

impl DeviceFile {
    /// The sealed file in a data directory.
    pub fn sealed_in(dir: &Path) -> SealedFile {
        SealedFile::new(dir.join("device.sealed"), PURPOSE)
    }

    /// Where earlier versions kept it in clear.
    fn legacy_path_in(dir: &Path) -> PathBuf {
        dir.join("device.json")
    }

    /// Reads it, or an empty one the first time. A clear `device.json` of an earlier version is sealed,
    /// then removed.
    pub fn load(dir: &Path, keys: &dyn KeyProvider) -> Result<DeviceFile> {
        let sealed = Self::sealed_in(dir);
        if let Some(bytes) = sealed.read_with_device_secret(keys)? {
            return serde_json::from_slice(&bytes)
                .map_err(|e| AppError::Local(format!("{}: {e}", sealed.path().display())));
        }
        let legacy = Self::legacy_path_in(dir);
        match std::fs::read(&legacy) {
            Ok(bytes) => {
                let device: DeviceFile = serde_json::from_slice(&bytes)
                    .map_err(|e| AppError::Local(format!("{}: {e}", legacy.display())))?;
                device.save(dir, keys)?;
                std::fs::remove_file(&legacy)
                    .map_err(|e| AppError::Local(format!("{}: {e}", legacy.display())))?;
                Ok(device)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DeviceFile::default()),
            Err(e) => Err(AppError::Local(format!("{}: {e}", legacy.display()))),
        }
    }

    /// Seals and writes it atomically.
    pub fn save(&self, dir: &Path, keys: &dyn KeyProvider) -> Result<()> {
        let bytes = zeroize::Zeroizing::new(
            serde_json::to_vec(self).map_err(|e| AppError::Local(e.to_string()))?,
        );
        Self::sealed_in(dir).write_with_device_secret(keys, &bytes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use survey_store::FileKeyProvider;

    use super::*;

    fn enrolled() -> DeviceFile {
        DeviceFile {
            server: Some("https://survey.example".into()),
            device_token: Some("TOKEN-CANARY-9f2c".into()),
            device_key: Some("KEY-CANARY-77a1".into()),
            cursor: 41,
            reviews: BTreeMap::from([(
                "0190".into(),
                ReviewNote {
                    decision: "reject".into(),
                    comments: BTreeMap::from([("a3_age".into(), "COMMENT-CANARY-5e".into())]),
                    note: None,
                    revision: 2,
                },
            )]),
            ..DeviceFile::default()
        }
    }

    fn in_clear(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(6).any(|w| w == b"CANARY") {
                found.push(path.display().to_string());
            }
        }
        found
    }

    #[test]
    fn the_device_state_is_sealed_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let keys = FileKeyProvider::in_dir(dir.path());
        assert_eq!(
            DeviceFile::load(dir.path(), &keys).unwrap(),
            DeviceFile::default()
        );
        let device = enrolled();
        device.save(dir.path(), &keys).unwrap();
        assert_eq!(in_clear(dir.path()), Vec::<String>::new());
        assert!(!dir.path().join("device.json").exists());
        assert_eq!(DeviceFile::load(dir.path(), &keys).unwrap(), device);

        // Altered on disk: a clear error naming the file, and the file is left as it was.
        let path = DeviceFile::sealed_in(dir.path()).path().to_path_buf();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let error = DeviceFile::load(dir.path(), &keys).unwrap_err();
        assert!(error.to_string().contains("device.sealed"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn a_clear_device_file_of_an_earlier_version_is_sealed_then_removed() {
        let dir = tempfile::tempdir().unwrap();
        let keys = FileKeyProvider::in_dir(dir.path());
        let device = enrolled();
        std::fs::write(
            dir.path().join("device.json"),
            serde_json::to_vec(&device).unwrap(),
        )
        .unwrap();
        assert_eq!(DeviceFile::load(dir.path(), &keys).unwrap(), device);
        assert!(!dir.path().join("device.json").exists());
        assert_eq!(in_clear(dir.path()), Vec::<String>::new());
        assert_eq!(DeviceFile::load(dir.path(), &keys).unwrap(), device);
    }
}
