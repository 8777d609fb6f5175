//! Server configuration: defaults, then a TOML file, then `DAFTAR_*` environment variables, then
//! command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything the server reads at start.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The data directory: database, server signing key. `DAFTAR_DATA_DIR`.
    pub data_dir: PathBuf,
    /// The listening address. `DAFTAR_BIND`.
    pub bind: SocketAddr,
    /// A PEM certificate chain; with `tls_key`, the server speaks HTTPS. `DAFTAR_TLS_CERT`.
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `tls_cert`. `DAFTAR_TLS_KEY`.
    pub tls_key: Option<PathBuf>,
    /// The URL devices use to reach the server, put in enrolment QR codes. `DAFTAR_PUBLIC_URL`.
    pub public_url: String,
    /// The largest request body accepted, after decompression, in bytes. `DAFTAR_MAX_BODY_BYTES`.
    pub max_body_bytes: usize,
    /// How long a login session lasts, in seconds. `DAFTAR_SESSION_TTL_SECONDS`.
    pub session_ttl_seconds: i64,
    /// How long an enrolment code stays valid, in seconds. `DAFTAR_ENROLMENT_CODE_TTL_SECONDS`.
    pub enrolment_code_ttl_seconds: i64,
    /// Login attempts allowed per minute per client address and per account. `DAFTAR_LOGIN_RATE_PER_MINUTE`.
    pub login_rate_per_minute: u32,
    /// Enrolment attempts allowed per minute per client address. `DAFTAR_ENROL_RATE_PER_MINUTE`.
    pub enrol_rate_per_minute: u32,
    /// Seconds to let in-flight requests finish on shutdown. `DAFTAR_SHUTDOWN_GRACE_SECONDS`.
    pub shutdown_grace_seconds: u64,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy). `DAFTAR_TRUST_PROXY`.
    pub trust_proxy: bool,
    /// Log filter (tracing `EnvFilter` syntax). `DAFTAR_LOG`.
    pub log: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("daftar-data"),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls_cert: None,
            tls_key: None,
            public_url: "http://127.0.0.1:8080".into(),
            max_body_bytes: 8 * 1024 * 1024,
            session_ttl_seconds: 12 * 3600,
            enrolment_code_ttl_seconds: 15 * 60,
            login_rate_per_minute: 10,
            enrol_rate_per_minute: 10,
            shutdown_grace_seconds: 30,
            trust_proxy: false,
            log: "info".into(),
        }
    }
}

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this config.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message with line and column.
        message: String,
    },
    /// An environment variable has a bad value.
    #[error("invalid value of environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Why.
        message: String,
    },
}

impl Config {
    /// Loads defaults, the optional file, then the environment (`lookup` is `std::env::var` in the binary).
    pub fn load(
        file: Option<&Path>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = match file {
            None => Config::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                toml::from_str(&text).map_err(|error| ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: error.to_string(),
                })?
            }
        };
        config.apply_env(lookup)?;
        Ok(config)
    }

    fn apply_env(&mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|error: T::Err| ConfigError::Env {
                name,
                message: error.to_string(),
            })
        }
        if let Some(v) = lookup("DAFTAR_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = lookup("DAFTAR_BIND") {
            self.bind = parse("DAFTAR_BIND", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_TLS_CERT") {
            self.tls_cert = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("DAFTAR_TLS_KEY") {
            self.tls_key = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("DAFTAR_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = lookup("DAFTAR_MAX_BODY_BYTES") {
            self.max_body_bytes = parse("DAFTAR_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_SESSION_TTL_SECONDS") {
            self.session_ttl_seconds = parse("DAFTAR_SESSION_TTL_SECONDS", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_ENROLMENT_CODE_TTL_SECONDS") {
            self.enrolment_code_ttl_seconds = parse("DAFTAR_ENROLMENT_CODE_TTL_SECONDS", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_LOGIN_RATE_PER_MINUTE") {
            self.login_rate_per_minute = parse("DAFTAR_LOGIN_RATE_PER_MINUTE", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_ENROL_RATE_PER_MINUTE") {
            self.enrol_rate_per_minute = parse("DAFTAR_ENROL_RATE_PER_MINUTE", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_SHUTDOWN_GRACE_SECONDS") {
            self.shutdown_grace_seconds = parse("DAFTAR_SHUTDOWN_GRACE_SECONDS", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_TRUST_PROXY") {
            self.trust_proxy = parse("DAFTAR_TRUST_PROXY", &v)?;
        }
        if let Some(v) = lookup("DAFTAR_LOG") {
            self.log = v;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("daftar.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/daftar\"\nbind = \"0.0.0.0:8443\"\nlogin_rate_per_minute = 5\n",
        )
        .unwrap();
        let environment = |name: &str| match name {
            "DAFTAR_BIND" => Some("127.0.0.1:9000".to_string()),
            "DAFTAR_TRUST_PROXY" => Some("true".to_string()),
            _ => None,
        };
        let config = Config::load(Some(&file), environment).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/daftar"));
        assert_eq!(config.bind, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.login_rate_per_minute, 5);
        assert!(config.trust_proxy);
        assert_eq!(
            config.session_ttl_seconds,
            Config::default().session_ttl_seconds
        );
    }

    #[test]
    fn bad_files_and_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("daftar.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:8443\"\nbnid = 1\n").unwrap();
        let error = Config::load(Some(&file), |_| None).unwrap_err().to_string();
        assert!(
            error.contains("daftar.toml") && error.contains("bnid"),
            "{error}"
        );
        let error = Config::load(None, |name| {
            (name == "DAFTAR_MAX_BODY_BYTES").then(|| "lots".to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(error.contains("DAFTAR_MAX_BODY_BYTES"), "{error}");
    }
}
