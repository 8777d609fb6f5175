//! Small files sealed outside the database: the app's device state and its cached upload envelopes.
//!
//! Some things the tablet keeps are not interview records but still must not lie on the flash in clear:
//! the device token and signing key, supervisors' comments, receipts, and the sealed upload envelopes whose
//! monitoring fields travel in clear to the server. They live in files next to the database, each sealed
//! with AES-256-GCM as `"DSF1" || nonce (12 bytes) || ciphertext || tag`, under one of two keys:
//!
//! * the **device key**, `HKDF-SHA256(salt = "daftar-store/v1/sealed-file/device", ikm = device secret,
//!   info = purpose)`, for what the app needs before the PIN is given (enrolment comes before the PIN is
//!   chosen, and the start screen shows where the tablet is enrolled). The device secret comes from the
//!   [`KeyProvider`] (the Android Keystore on tablets);
//! * the **data key** of the open profile, `HKDF-SHA256(salt = "daftar-store/v1/sealed-file/data",
//!   ikm = data key, info = purpose)`, for what holds answers ([`Store::write_sealed_file`]), so that
//!   reading it needs the PIN as the interview records do.
//!
//! The associated data is `"daftar-store/v1/sealed-file/" || purpose`, so a file cannot be passed off
//! as another kind. Nonces are random: a file is rewritten a few times per sync, far below the 2^32
//! messages per key where random 96-bit nonces stop being safe. Writes go to a temporary file (mode
//! `0600`), are flushed to disk and renamed over the old one, so a crash leaves the old or the new file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf;
use zeroize::Zeroizing;

use crate::Store;
use crate::crypto::random_fill;
use crate::error::{Result, StoreError};
use crate::keys::KeyProvider;

const MAGIC: &[u8; 4] = b"DSF1";
const NONCE_LEN: usize = 12;
const DEVICE_SALT: &[u8] = b"daftar-store/v1/sealed-file/device";
const DATA_SALT: &[u8] = b"daftar-store/v1/sealed-file/data";

/// A file sealed for one purpose (which is bound into its key and its associated data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedFile {
    path: PathBuf,
    purpose: &'static str,
}

impl SealedFile {
    /// A sealed file at `path` for `purpose` (a short constant such as `"device-state"`).
    pub fn new(path: impl Into<PathBuf>, purpose: &'static str) -> Self {
        SealedFile {
            path: path.into(),
            purpose,
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Reads it with the device key: `None` when there is no file yet.
    pub fn read_with_device_secret(
        &self,
        keys: &dyn KeyProvider,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let secret = keys.device_secret()?;
        self.read(&file_key(DEVICE_SALT, &secret[..], self.purpose))
    }

    /// Writes it with the device key.
    pub fn write_with_device_secret(&self, keys: &dyn KeyProvider, plaintext: &[u8]) -> Result<()> {
        let secret = keys.device_secret()?;
        self.write(&file_key(DEVICE_SALT, &secret[..], self.purpose), plaintext)
    }

    /// Removes the file if it is there.
    pub fn remove(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(self.io("removing", source)),
        }
    }

    fn aad(&self) -> Vec<u8> {
        let mut aad = b"daftar-store/v1/sealed-file/".to_vec();
        aad.extend_from_slice(self.purpose.as_bytes());
        aad
    }

    fn tampered(&self) -> StoreError {
        StoreError::Tampered {
            table: "sealed file",
            id: self.path.display().to_string(),
            column: self.purpose,
        }
    }

    fn io(&self, what: &str, source: std::io::Error) -> StoreError {
        StoreError::Io {
            context: format!("{what} sealed file {}", self.path.display()),
            source,
        }
    }

    fn read(&self, key: &LessSafeKey) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io("reading", source)),
        };
        let header = MAGIC.len() + NONCE_LEN;
        if bytes.len() < header + AES_256_GCM.tag_len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(self.tampered());
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[MAGIC.len()..header]);
        let mut buffer = Zeroizing::new(bytes[header..].to_vec());
        let len = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.aad()),
                &mut buffer[..],
            )
            .map_err(|_| self.tampered())?
            .len();
        buffer.truncate(len);
        Ok(Some(buffer))
    }

    fn write(&self, key: &LessSafeKey, plaintext: &[u8]) -> Result<()> {
        let mut nonce = [0u8; NONCE_LEN];
        random_fill(&mut nonce)?;
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + plaintext.len() + 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.aad()),
                &mut out[MAGIC.len() + NONCE_LEN..],
            )
            .map_err(|_| StoreError::InvalidArgument("file too large to seal".to_owned()))?;
        out.extend_from_slice(tag.as_ref());

        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .map_err(|source| self.io("creating", source))?;
        file.write_all(&out)
            .and_then(|()| file.sync_all())
            .map_err(|source| self.io("writing", source))?;
        std::fs::rename(&tmp, &self.path).map_err(|source| self.io("replacing", source))?;
        if let Some(dir) = self.path.parent() {
            // The rename itself reaches the disk when the directory is flushed (best effort: not every
            // platform lets a directory be opened for that).
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

fn file_key(salt: &[u8], ikm: &[u8], purpose: &str) -> LessSafeKey {
    let info = [purpose.as_bytes()];
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let okm = prk
        .expand(&info, &AES_256_GCM)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    LessSafeKey::new(UnboundKey::from(okm))
}

impl Store {
    /// Reads a file sealed under this profile's data key: `None` when there is no file yet.
    pub fn read_sealed_file(&self, file: &SealedFile) -> Result<Option<Zeroizing<Vec<u8>>>> {
        file.read(&file_key(DATA_SALT, self.key.raw(), file.purpose))
    }

    /// Writes a file sealed under this profile's data key (readable only once the PIN is given).
    pub fn write_sealed_file(&self, file: &SealedFile, plaintext: &[u8]) -> Result<()> {
        file.write(
            &file_key(DATA_SALT, self.key.raw(), file.purpose),
            plaintext,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::FileKeyProvider;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn round_trip_with_the_device_secret_and_no_clear_text_on_disk() {
        let dir = dir();
        let keys = FileKeyProvider::in_dir(dir.path());
        let file = SealedFile::new(dir.path().join("device.sealed"), "device-state");
        assert_eq!(file.read_with_device_secret(&keys).unwrap(), None);
        let secret = b"{\"device_token\":\"CANARY-TOKEN-4b1d\"}";
        file.write_with_device_secret(&keys, secret).unwrap();
        let on_disk = std::fs::read(file.path()).unwrap();
        assert!(!on_disk.windows(12).any(|w| w == b"CANARY-TOKEN"));
        assert_eq!(&on_disk[..4], MAGIC);
        assert_eq!(
            file.read_with_device_secret(&keys)
                .unwrap()
                .unwrap()
                .as_slice(),
            secret
        );
        // Rewritten with a fresh nonce: other bytes, same content.
        file.write_with_device_secret(&keys, secret).unwrap();
        assert_ne!(std::fs::read(file.path()).unwrap(), on_disk);
        assert!(!dir.path().join("device.sealed.tmp").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn an_altered_byte_another_purpose_or_another_device_is_refused_naming_the_file() {
        let dir = dir();
        let keys = FileKeyProvider::in_dir(dir.path());
        let file = SealedFile::new(dir.path().join("state"), "device-state");
        file.write_with_device_secret(&keys, b"cursor 42").unwrap();
        let good = std::fs::read(file.path()).unwrap();

        for index in [0, 5, good.len() / 2, good.len() - 1] {
            let mut bad = good.clone();
            bad[index] ^= 0x01;
            std::fs::write(file.path(), &bad).unwrap();
            let error = file.read_with_device_secret(&keys).unwrap_err();
            assert!(matches!(error, StoreError::Tampered { .. }), "{error}");
            assert!(error.to_string().contains("state"), "{error}");
        }
        std::fs::write(file.path(), &good[..10]).unwrap();
        assert!(matches!(
            file.read_with_device_secret(&keys),
            Err(StoreError::Tampered { .. })
        ));

        std::fs::write(file.path(), &good).unwrap();
        let other_purpose = SealedFile::new(file.path(), "outbox-envelope");
        assert!(matches!(
            other_purpose.read_with_device_secret(&keys),
            Err(StoreError::Tampered { .. })
        ));
        let elsewhere = self::dir();
        let other_device = FileKeyProvider::in_dir(elsewhere.path());
        assert!(matches!(
            file.read_with_device_secret(&other_device),
            Err(StoreError::Tampered { .. })
        ));
        assert_eq!(
            file.read_with_device_secret(&keys)
                .unwrap()
                .unwrap()
                .as_slice(),
            b"cursor 42"
        );
    }

    #[test]
    fn files_under_the_data_key_need_the_profiles_pin() {
        use std::sync::Arc;

        use crate::{Clock, NewProfile, RecoveryKeyPair, SystemClock};

        let dir = dir();
        let db = dir.path().join("daftar.db");
        let device = FileKeyProvider::in_dir(dir.path());
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let recovery = RecoveryKeyPair::generate().unwrap();
        for (id, pin) in [("enum-1", "482913"), ("enum-2", "771204")] {
            let profile = NewProfile {
                kdf_iterations: 1_000,
                ..NewProfile::new(id, id, pin, recovery.public.clone())
            };
            Store::create_profile(&db, &profile, &device, clock.clone())
                .unwrap()
                .close()
                .unwrap();
        }
        let file = SealedFile::new(dir.path().join("envelope.sealed"), "outbox-envelope");
        let store = Store::open(&db, "enum-1", "482913", &device, clock.clone()).unwrap();
        store
            .write_sealed_file(&file, b"monitoring: sex=2")
            .unwrap();
        store.close().unwrap();

        // Not with the device key alone, not with another enumerator's data key.
        assert!(file.read_with_device_secret(&device).is_err());
        let other = Store::open(&db, "enum-2", "771204", &device, clock.clone()).unwrap();
        assert!(matches!(
            other.read_sealed_file(&file),
            Err(StoreError::Tampered { .. })
        ));
        other.close().unwrap();
        let again = Store::open(&db, "enum-1", "482913", &device, clock).unwrap();
        assert_eq!(
            again.read_sealed_file(&file).unwrap().unwrap().as_slice(),
            b"monitoring: sex=2"
        );
    }
}
