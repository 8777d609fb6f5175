//! Enumerator profiles: creating the data key, unlocking it with the PIN, lockout, wipe, PIN change and
//! custodian recovery.
//!
//! # PBKDF2 iteration count
//!
//! [`DEFAULT_PBKDF2_ITERATIONS`] is 400,000. Measured on the development server (one x86-64 core,
//! release build, ring 0.17), one PBKDF2-HMAC-SHA256 iteration costs about 0.28 µs (see `BENCHMARKS.md`),
//! so 400,000 iterations take ≈ 0.11 s there and ≈ 0.33–0.56 s on a mid-range Android tablet core, which
//! is 3–5× slower (≈ 0.45 s at 4×): the ≈ 0.5 s unlock the design asks for. The count is stored per profile
//! (`kdf_iterations`) and [`Store::set_kdf_iterations`] raises it later by re-wrapping the data key.
//!
//! A 6-digit PIN has only 10⁶ values, so PBKDF2 alone cannot protect a copied database; what does is the
//! device secret (the Keystore on Android), which makes offline guessing impossible without the device, and
//! the lockout, which makes online guessing slow.
//!
//! # Lockout
//!
//! Every attempt is counted *before* the PIN is checked, in a durable transaction, and the count is reset
//! only after a success: killing the app mid-check does not give a free guess. After
//! [`LockoutPolicy::free_attempts`] failures in a row, each further attempt must wait
//! `base_delay × 2^(failures − free_attempts − 1)`, capped at `max_delay`, counted from the last failure;
//! an attempt made earlier is refused with [`StoreError::TooManyAttempts`] without being checked. The
//! library never sleeps. If [`LockoutPolicy::wipe_after`] is set, reaching that many failures destroys the
//! PIN-wrapped key: the data is then readable only with the custodian's recovery key.

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::Store;
use crate::crypto::{self, DataKey, NonceSource, PinKdf, SealingPrivateKey, SealingPublicKey};
use crate::error::{Result, SqlContext, StoreError};
use crate::keys::{Clock, KeyProvider};
use crate::schema;

/// PBKDF2 iterations for a new profile: ≈ 0.5 s on a mid-range tablet (see the module docs).
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 400_000;

const RECOVERY_INFO: &[u8] = b"daftar-store/v1/recovery-data-key";

/// What happens after wrong PINs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures in a row allowed without delay.
    pub free_attempts: u32,
    /// The delay after the first failure beyond the free ones; it doubles with each further failure.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Destroy the PIN-wrapped key after this many failures in a row (`None`: never).
    pub wipe_after: Option<u32>,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            free_attempts: 5,
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(60 * 60),
            wipe_after: None,
        }
    }
}

impl LockoutPolicy {
    /// How long after the last failure the next attempt must wait, given `failures` in a row.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free_attempts.max(1) {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_attempts.max(1)).min(30);
        self.base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }
}

/// What is needed to create an enumerator profile. Its `Debug` does not show the PIN.
#[derive(Clone)]
pub struct NewProfile {
    /// A stable id for the enumerator (from enrolment).
    pub enumerator_id: String,
    /// The name shown on the unlock screen.
    pub display_name: String,
    /// The PIN the enumerator chose. Never stored.
    pub pin: String,
    /// The survey's recovery public key.
    pub recovery_public_key: SealingPublicKey,
    /// PBKDF2 iterations ([`DEFAULT_PBKDF2_ITERATIONS`] in the app).
    pub kdf_iterations: u32,
    /// Wrong-PIN policy.
    pub lockout: LockoutPolicy,
}

impl std::fmt::Debug for NewProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewProfile")
            .field("enumerator_id", &self.enumerator_id)
            .field("display_name", &self.display_name)
            .field("pin", &"<hidden>")
            .field("recovery_public_key", &self.recovery_public_key)
            .field("kdf_iterations", &self.kdf_iterations)
            .field("lockout", &self.lockout)
            .finish()
    }
}

impl NewProfile {
    /// A profile with the default iteration count and lockout policy.
    pub fn new(
        enumerator_id: impl Into<String>,
        display_name: impl Into<String>,
        pin: impl Into<String>,
        recovery_public_key: SealingPublicKey,
    ) -> Self {
        NewProfile {
            enumerator_id: enumerator_id.into(),
            display_name: display_name.into(),
            pin: pin.into(),
            recovery_public_key,
            kdf_iterations: DEFAULT_PBKDF2_ITERATIONS,
            lockout: LockoutPolicy::default(),
        }
    }
}

/// A profile as the unlock screen lists it (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSummary {
    /// The enumerator id.
    pub enumerator_id: String,
    /// The name to show.
    pub display_name: String,
    /// Wrong PINs in a row so far.
    pub failed_attempts: u32,
    /// Whether the PIN-wrapped key was destroyed.
    pub wiped: bool,
}

struct ProfileRow {
    kdf: PinKdf,
    wrapped: Option<Vec<u8>>,
    failed_attempts: u32,
    last_failure_at: Option<i64>,
    policy: LockoutPolicy,
    wiped: bool,
}

fn check_pin(pin: &str) -> Result<()> {
    if pin.is_empty() {
        return Err(StoreError::InvalidArgument("the PIN is empty".to_owned()));
    }
    Ok(())
}

fn iterations(n: u32) -> Result<NonZeroU32> {
    NonZeroU32::new(n)
        .ok_or_else(|| StoreError::InvalidArgument("zero PBKDF2 iterations".to_owned()))
}

fn new_kdf(iterations_count: u32) -> Result<PinKdf> {
    let mut salt = [0; 16];
    crypto::random_fill(&mut salt)?;
    Ok(PinKdf {
        salt,
        iterations: iterations(iterations_count)?,
    })
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn recovery_aad(enumerator_id: &str) -> Vec<u8> {
    enumerator_id.as_bytes().to_vec()
}

fn read_profile(conn: &rusqlite::Connection, enumerator_id: &str) -> Result<ProfileRow> {
    let row = conn
        .query_row(
            "SELECT kdf_salt, kdf_iterations, pin_wrapped_key, failed_attempts, last_failure_at,
                    lockout_free_attempts, lockout_base_delay_ms, lockout_max_delay_ms,
                    wipe_after_failures, wiped_at
             FROM profiles WHERE enumerator_id = ?1",
            [enumerator_id],
            |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, Option<Vec<u8>>>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, i64>(6)?,
                    row.get::<_, i64>(7)?,
                    row.get::<_, Option<i64>>(8)?,
                    row.get::<_, Option<i64>>(9)?,
                ))
            },
        )
        .optional()
        .context(|| format!("reading profile {enumerator_id}"))?
        .ok_or_else(|| StoreError::NoSuchProfile {
            enumerator_id: enumerator_id.to_owned(),
        })?;
    let (salt, iters, wrapped, failed, last, free, base, max, wipe, wiped_at) = row;
    let salt: [u8; 16] = salt
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Tampered {
            table: "profiles",
            id: enumerator_id.to_owned(),
            column: "kdf_salt",
        })?;
    let bad_number = |column| StoreError::Tampered {
        table: "profiles",
        id: enumerator_id.to_owned(),
        column,
    };
    Ok(ProfileRow {
        kdf: PinKdf {
            salt,
            iterations: u32::try_from(iters)
                .ok()
                .and_then(NonZeroU32::new)
                .ok_or_else(|| bad_number("kdf_iterations"))?,
        },
        wrapped,
        failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
        last_failure_at: last,
        policy: LockoutPolicy {
            free_attempts: u32::try_from(free).unwrap_or(0),
            base_delay: Duration::from_millis(u64::try_from(base).unwrap_or(0)),
            max_delay: Duration::from_millis(u64::try_from(max).unwrap_or(0)),
            wipe_after: wipe.map(|w| u32::try_from(w).unwrap_or(1)),
        },
        wiped: wiped_at.is_some(),
    })
}

/// Copies the write-ahead log into the database and truncates it, so that old page images (holding a
/// wrapped key that was just destroyed or replaced) do not stay in the `-wal` file; `secure_delete` has
/// already zeroed the freed cells in the database pages.
fn purge_old_pages(conn: &rusqlite::Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .context(|| "checkpointing after a key change".to_owned())
}

impl Store {
    /// Creates an enumerator profile with a fresh random data key (and the database file if it does not
    /// exist yet), and returns the unlocked store.
    pub fn create_profile(
        db_path: &Path,
        profile: &NewProfile,
        keys: &dyn KeyProvider,
        clock: Arc<dyn Clock>,
    ) -> Result<Store> {
        check_pin(&profile.pin)?;
        if profile.enumerator_id.is_empty() {
            return Err(StoreError::InvalidArgument(
                "empty enumerator id".to_owned(),
            ));
        }
        let mut conn = schema::open_connection(db_path, true)?;
        schema::migrate_to(&mut conn, schema::SCHEMA_VERSION)?;
        let device_secret = keys.device_secret()?;
        let key = DataKey::generate()?;
        let kdf = new_kdf(profile.kdf_iterations)?;
        let wrapped = crypto::wrap_data_key(
            &key,
            &profile.pin,
            &kdf,
            &device_secret[..],
            &profile.enumerator_id,
        )?;
        let recovery_sealed = crypto::hpke_seal(
            &profile.recovery_public_key,
            RECOVERY_INFO,
            &recovery_aad(&profile.enumerator_id),
            key.raw(),
        )?;
        let context = || format!("creating profile {}", profile.enumerator_id);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM profiles WHERE enumerator_id = ?1)",
                [&profile.enumerator_id],
                |row| row.get(0),
            )
            .context(context)?;
        if exists {
            return Err(StoreError::ProfileExists {
                enumerator_id: profile.enumerator_id.clone(),
            });
        }
        tx.execute(
            "INSERT INTO profiles (enumerator_id, display_name, created_at, kdf_salt, kdf_iterations,
                 pin_wrapped_key, recovery_public_key, recovery_sealed_key, lockout_free_attempts,
                 lockout_base_delay_ms, lockout_max_delay_ms, wipe_after_failures)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                profile.enumerator_id,
                profile.display_name,
                clock.now_millis(),
                &kdf.salt[..],
                i64::from(kdf.iterations.get()),
                wrapped,
                &profile.recovery_public_key.to_bytes()[..],
                recovery_sealed,
                i64::from(profile.lockout.free_attempts),
                millis(profile.lockout.base_delay),
                millis(profile.lockout.max_delay),
                profile.lockout.wipe_after.map(i64::from),
            ],
        )
        .context(context)?;
        tx.commit().context(context)?;
        Ok(Store {
            conn,
            enumerator_id: profile.enumerator_id.clone(),
            key,
            nonces: NonceSource::new()?,
            clock,
            recovered: false,
        })
    }

    /// The profiles in a database, for the unlock screen. Needs no PIN.
    pub fn list_profiles(db_path: &Path) -> Result<Vec<ProfileSummary>> {
        let mut conn = schema::open_connection(db_path, false)?;
        schema::migrate_to(&mut conn, schema::SCHEMA_VERSION)?;
        let context = || "listing profiles".to_owned();
        let mut stmt = conn
            .prepare(
                "SELECT enumerator_id, display_name, failed_attempts, wiped_at IS NOT NULL
                 FROM profiles ORDER BY display_name, enumerator_id",
            )
            .context(context)?;
        stmt.query_map([], |row| {
            Ok(ProfileSummary {
                enumerator_id: row.get(0)?,
                display_name: row.get(1)?,
                failed_attempts: u32::try_from(row.get::<_, i64>(2)?).unwrap_or(u32::MAX),
                wiped: row.get(3)?,
            })
        })
        .context(context)?
        .collect::<Result<Vec<_>, _>>()
        .context(context)
    }

    /// Unlocks an enumerator's data with the PIN (and the device secret from `keys`).
    ///
    /// Errors: [`StoreError::WrongPin`], [`StoreError::TooManyAttempts`] (nothing was checked),
    /// [`StoreError::Wiped`], [`StoreError::NoSuchProfile`].
    pub fn open(
        db_path: &Path,
        enumerator_id: &str,
        pin: &str,
        keys: &dyn KeyProvider,
        clock: Arc<dyn Clock>,
    ) -> Result<Store> {
        let mut conn = schema::open_connection(db_path, false)?;
        schema::migrate_to(&mut conn, schema::SCHEMA_VERSION)?;
        let context = || format!("unlocking profile {enumerator_id}");
        let now = clock.now_millis();
        // Before counting the attempt: a device that cannot give its secret is not a wrong PIN.
        let device_secret = keys.device_secret()?;

        // Check the lockout and count this attempt in one durable transaction, before any PIN check.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        let profile = read_profile(&tx, enumerator_id)?;
        if profile.wiped {
            return Err(StoreError::Wiped {
                enumerator_id: enumerator_id.to_owned(),
            });
        }
        let delay = profile.policy.delay_after(profile.failed_attempts);
        if let Some(last) = profile.last_failure_at {
            // A clock set backwards makes `now < last`; then the delay runs from now, not from a future
            // instant that might be years away.
            let last = last.min(now);
            let wait_until = last.saturating_add(millis(delay));
            if now < wait_until {
                if profile.last_failure_at != Some(last) {
                    tx.execute(
                        "UPDATE profiles SET last_failure_at = ?1 WHERE enumerator_id = ?2",
                        params![last, enumerator_id],
                    )
                    .context(context)?;
                    tx.commit().context(context)?;
                }
                return Err(StoreError::TooManyAttempts {
                    enumerator_id: enumerator_id.to_owned(),
                    retry_after: Duration::from_millis((wait_until - now) as u64),
                });
            }
        }
        let failed_attempts = profile.failed_attempts.saturating_add(1);
        tx.execute(
            "UPDATE profiles SET failed_attempts = ?1, last_failure_at = ?2 WHERE enumerator_id = ?3",
            params![i64::from(failed_attempts), now, enumerator_id],
        )
        .context(context)?;
        tx.commit().context(context)?;

        let wrapped = profile.wrapped.as_deref().unwrap_or_default();
        let unwrapped = crypto::unwrap_data_key(
            wrapped,
            pin,
            &profile.kdf,
            &device_secret[..],
            enumerator_id,
        );
        let Some(key) = unwrapped else {
            if profile
                .policy
                .wipe_after
                .is_some_and(|limit| failed_attempts >= limit)
            {
                conn.execute(
                    "UPDATE profiles SET pin_wrapped_key = NULL, wiped_at = ?1 WHERE enumerator_id = ?2",
                    params![now, enumerator_id],
                )
                .context(|| format!("wiping the key of profile {enumerator_id}"))?;
                purge_old_pages(&conn)?;
                return Err(StoreError::Wiped {
                    enumerator_id: enumerator_id.to_owned(),
                });
            }
            return Err(StoreError::WrongPin {
                enumerator_id: enumerator_id.to_owned(),
                failed_attempts,
            });
        };
        conn.execute(
            "UPDATE profiles SET failed_attempts = 0, last_failure_at = NULL WHERE enumerator_id = ?1",
            [enumerator_id],
        )
        .context(context)?;
        Ok(Store {
            conn,
            enumerator_id: enumerator_id.to_owned(),
            key,
            nonces: NonceSource::new()?,
            clock,
            recovered: false,
        })
    }

    /// Opens an enumerator's data with the survey's recovery private key, for the data custodian when the
    /// PIN is forgotten or the key was wiped. Needs neither the PIN nor the device secret, and ignores
    /// the lockout. The custodian can then set a new PIN with [`Store::reset_pin`].
    pub fn recover_with_custodian_key(
        db_path: &Path,
        enumerator_id: &str,
        custodian_key: &SealingPrivateKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Store> {
        let mut conn = schema::open_connection(db_path, false)?;
        schema::migrate_to(&mut conn, schema::SCHEMA_VERSION)?;
        let sealed: Vec<u8> = conn
            .query_row(
                "SELECT recovery_sealed_key FROM profiles WHERE enumerator_id = ?1",
                [enumerator_id],
                |row| row.get(0),
            )
            .optional()
            .context(|| format!("reading the recovery key of profile {enumerator_id}"))?
            .ok_or_else(|| StoreError::NoSuchProfile {
                enumerator_id: enumerator_id.to_owned(),
            })?;
        let raw = crypto::hpke_open(
            custodian_key,
            RECOVERY_INFO,
            &recovery_aad(enumerator_id),
            &sealed,
        )
        .ok_or_else(|| StoreError::WrongCustodianKey {
            enumerator_id: enumerator_id.to_owned(),
        })?;
        Ok(Store {
            conn,
            enumerator_id: enumerator_id.to_owned(),
            key: DataKey::from_bytes(&raw)?,
            nonces: NonceSource::new()?,
            clock,
            recovered: true,
        })
    }

    /// Changes the PIN: re-wraps the same data key under the new PIN (new salt); no data is re-encrypted.
    /// The old PIN must be given again, so an unlocked tablet left alone cannot have its PIN changed.
    pub fn change_pin(
        &mut self,
        old_pin: &str,
        new_pin: &str,
        keys: &dyn KeyProvider,
    ) -> Result<()> {
        check_pin(new_pin)?;
        let profile = read_profile(&self.conn, &self.enumerator_id)?;
        self.verify_pin(&profile, old_pin, keys)?;
        self.rewrap(new_pin, profile.kdf.iterations.get(), keys)
    }

    /// Raises (or lowers) the PBKDF2 iteration count by re-wrapping the data key with the same PIN.
    pub fn set_kdf_iterations(
        &mut self,
        pin: &str,
        iterations_count: u32,
        keys: &dyn KeyProvider,
    ) -> Result<()> {
        let profile = read_profile(&self.conn, &self.enumerator_id)?;
        self.verify_pin(&profile, pin, keys)?;
        self.rewrap(pin, iterations_count, keys)
    }

    /// Sets a new PIN on a store opened with [`Store::recover_with_custodian_key`], lifting a wipe and
    /// the lockout.
    pub fn reset_pin(&mut self, new_pin: &str, keys: &dyn KeyProvider) -> Result<()> {
        if !self.recovered {
            return Err(StoreError::InvalidArgument(
                "reset_pin needs a store opened with the custodian key; use change_pin".to_owned(),
            ));
        }
        check_pin(new_pin)?;
        let profile = read_profile(&self.conn, &self.enumerator_id)?;
        self.rewrap(new_pin, profile.kdf.iterations.get(), keys)
    }

    /// The PBKDF2 iteration count stored for this profile.
    pub fn kdf_iterations(&self) -> Result<u32> {
        Ok(read_profile(&self.conn, &self.enumerator_id)?
            .kdf
            .iterations
            .get())
    }

    fn verify_pin(&self, profile: &ProfileRow, pin: &str, keys: &dyn KeyProvider) -> Result<()> {
        let device_secret = keys.device_secret()?;
        let wrapped = profile.wrapped.as_deref().unwrap_or_default();
        match crypto::unwrap_data_key(
            wrapped,
            pin,
            &profile.kdf,
            &device_secret[..],
            &self.enumerator_id,
        ) {
            Some(_) => Ok(()),
            None => Err(StoreError::WrongPin {
                enumerator_id: self.enumerator_id.clone(),
                failed_attempts: profile.failed_attempts,
            }),
        }
    }

    fn rewrap(&mut self, pin: &str, iterations_count: u32, keys: &dyn KeyProvider) -> Result<()> {
        let device_secret = keys.device_secret()?;
        let kdf = new_kdf(iterations_count)?;
        let wrapped = crypto::wrap_data_key(
            &self.key,
            pin,
            &kdf,
            &device_secret[..],
            &self.enumerator_id,
        )?;
        self.conn
            .execute(
                "UPDATE profiles SET kdf_salt = ?1, kdf_iterations = ?2, pin_wrapped_key = ?3,
                     failed_attempts = 0, last_failure_at = NULL, wiped_at = NULL
                 WHERE enumerator_id = ?4",
                params![
                    &kdf.salt[..],
                    i64::from(kdf.iterations.get()),
                    wrapped,
                    self.enumerator_id
                ],
            )
            .context(|| format!("re-wrapping the key of profile {}", self.enumerator_id))?;
        purge_old_pages(&self.conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_the_free_attempts_up_to_the_cap() {
        let policy = LockoutPolicy::default();
        let delays: Vec<u64> = [0, 4, 5, 6, 7, 8, 10, 11, 12, 40, u32::MAX]
            .iter()
            .map(|&failures| policy.delay_after(failures).as_secs())
            .collect();
        expect_test::expect!["[0, 0, 30, 60, 120, 240, 960, 1920, 3600, 3600, 3600]"]
            .assert_eq(&format!("{delays:?}"));
    }
}
