//! `daftar keys new`: the survey's key pair, kept by the data manager.
//!
//! Interviews are sealed on the tablets to the survey's public key; only the private key opens them. The
//! private key is written to a file readable by its owner only (0600), never printed; the public key is
//! printed for `sync-server` (upload it with the survey) and written next to the private key.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use sync_proto::keys::SurveyKeyPair;

use crate::{BadInput, say};

pub fn new(out: &Path) -> Result<ExitCode> {
    let public_path = out.with_extension("pub.pem");
    for path in [out, public_path.as_path()] {
        if path.exists() {
            return Err(BadInput(format!(
                "{} already exists; a survey key is never overwritten",
                path.display()
            ))
            .into());
        }
    }
    let pair = SurveyKeyPair::generate();
    write_private(out, pair.to_pem().as_bytes())?;
    let public = pair.public_key().to_pem();
    std::fs::write(&public_path, &public)
        .map_err(|e| BadInput(format!("cannot write {}: {e}", public_path.display())))?;
    say!("{}", public.trim_end());
    eprintln!(
        "daftar: private key written to {} (mode 0600); keep it offline and backed up: without it no interview can be read",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| BadInput(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| BadInput(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
