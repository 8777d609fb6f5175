//! The device file: enrolment, sync cursor, last sync, quota fill, reviews and receipts.
//!
//! It lives next to the store in the app's data directory with mode 0600. It holds no answer; the device
//! token and signing key are in it until the store offers a sealed place for device secrets (requested).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{AppError, Result};

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
}

impl DeviceFile {
    /// The file's path in a data directory.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join("device.json")
    }

    /// Reads it, or an empty one the first time.
    pub fn load(dir: &Path) -> Result<DeviceFile> {
        let path = Self::path_in(dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| AppError::Local(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DeviceFile::default()),
            Err(e) => Err(AppError::Local(format!("{}: {e}", path.display()))),
        }
    }

    /// Writes it atomically (temporary file, then rename), readable by the app only.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = Self::path_in(dir);
        let tmp = dir.join("device.json.tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| AppError::Local(e.to_string()))?;
        let io = |e: std::io::Error| AppError::Local(format!("{}: {e}", path.display()));
        write_private(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    }
}

/// Writes a file with mode 0600 on Unix.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
