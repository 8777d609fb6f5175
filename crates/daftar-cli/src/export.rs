//! `daftar export`: the survey's data as one zip (CSV per roster level, Stata/SPSS labels, codebook,
//! paradata, SDG 10.7.1 tables), fetched from the sync server's console API.
//!
//! Secrets never appear in the command line or the URL: the account password comes from
//! `DAFTAR_PASSWORD` or the first line of standard input, the survey key's passphrase from
//! `DAFTAR_SURVEY_PASSPHRASE` or the next line. The passphrase travels in the `X-Survey-Passphrase`
//! header of one request (use HTTPS); the server unwraps the key for that request only.

use std::io::BufRead as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use crate::BadInput;

/// Reads a secret from an environment variable or the next line of standard input.
fn secret(
    variable: &str,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    what: &str,
) -> Result<String> {
    if let Ok(value) = std::env::var(variable)
        && !value.is_empty()
    {
        return Ok(value);
    }
    match lines.next() {
        Some(Ok(line)) if !line.trim_end_matches(['\r', '\n']).is_empty() => {
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
        _ => Err(BadInput(format!(
            "give the {what} in {variable} or on standard input"
        ))
        .into()),
    }
}

fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(300).collect())
}

/// Runs `daftar export`.
pub fn run(
    server: &str,
    user: &str,
    survey: &str,
    version: Option<&str>,
    out: &Path,
) -> Result<ExitCode> {
    if out.exists() {
        return Err(BadInput(format!("{} already exists", out.display())).into());
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let password = secret("DAFTAR_PASSWORD", &mut lines, "account password")?;
    let passphrase = secret(
        "DAFTAR_SURVEY_PASSPHRASE",
        &mut lines,
        "survey key passphrase",
    )?;
    let base = server.trim_end_matches('/').to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the HTTP client")?;
    let zip = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .build()
            .context("cannot build the HTTP client")?;
        let login = client
            .post(format!("{base}/api/v1/auth/login"))
            .header(
                sync_proto::PROTOCOL_HEADER,
                sync_proto::PROTOCOL_VERSION.to_string(),
            )
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .await
            .with_context(|| format!("cannot reach {base}"))?;
        let status = login.status();
        let body = login.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("login refused ({status}): {}", error_message(&body));
        }
        let token = serde_json::from_str::<serde_json::Value>(&body)?["token"]
            .as_str()
            .map(str::to_string)
            .context("the server's login answer has no token")?;
        let mut url = reqwest::Url::parse(&format!("{base}/console/surveys/"))
            .with_context(|| format!("{base} is not a URL"))?;
        url.path_segments_mut()
            .map_err(|()| anyhow::anyhow!("{base} cannot be a base URL"))?
            .pop_if_empty()
            .push(survey)
            .push("export");
        url.query_pairs_mut()
            .append_pair("version", version.unwrap_or("raw"));
        let response = client
            .post(url)
            .bearer_auth(&token)
            .header("X-Survey-Passphrase", passphrase)
            .send()
            .await
            .context("export request failed")?;
        let status = response.status();
        let bytes = response.bytes().await.context("export download failed")?;
        // The session ends whatever happened.
        let _ = client
            .post(format!("{base}/api/v1/auth/logout"))
            .header(
                sync_proto::PROTOCOL_HEADER,
                sync_proto::PROTOCOL_VERSION.to_string(),
            )
            .bearer_auth(&token)
            .send()
            .await;
        if !status.is_success() {
            bail!(
                "export refused ({status}): {}",
                error_message(&String::from_utf8_lossy(&bytes))
            );
        }
        Ok(bytes.to_vec())
    })?;
    let temporary = out.with_extension("partial");
    std::fs::write(&temporary, &zip)
        .and_then(|()| std::fs::rename(&temporary, out))
        .with_context(|| format!("cannot write {}", out.display()))?;
    crate::emit(format_args!("{} ({} bytes)", out.display(), zip.len()));
    Ok(ExitCode::SUCCESS)
}
