//! Decrypted data for the console: opening a survey's interviews with an unlocked key, and cleaned
//! versions kept sealed to the survey's public key on disk (never in clear).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use survey_data::InterviewRecord;
use survey_spec::Questionnaire;
use sync_proto::keys::{SurveyKeyPair, SurveyPublicKey};
use sync_proto::seal::SealedPayload;
use sync_proto::wire::{InterviewSummary, QuestionnaireFormat};

use crate::error::AppError;
use crate::state::AppState;

/// Compiled questionnaires by (survey, content hash).
#[derive(Default)]
pub struct QuestionnaireCache {
    compiled: Mutex<HashMap<(String, String), Arc<Questionnaire>>>,
}

/// One decrypted interview.
pub struct Opened {
    /// Its clear summary.
    pub summary: InterviewSummary,
    /// Its content.
    pub record: InterviewRecord,
}

fn compile(format: QuestionnaireFormat, content: &[u8]) -> Result<Arc<Questionnaire>, AppError> {
    crate::validation::compile(format, content).map_err(|problems| {
        AppError::internal(format!(
            "stored questionnaire does not compile: {}",
            problems.join("; ")
        ))
    })
}

impl QuestionnaireCache {
    /// The questionnaire of a survey with a content hash, or its latest version.
    pub async fn get(
        &self,
        state: &AppState,
        survey: &str,
        hash: Option<&str>,
    ) -> Result<Arc<Questionnaire>, AppError> {
        let storage = state.storage.clone();
        let survey_id = survey.to_string();
        let wanted = hash.map(str::to_string);
        let row = state
            .blocking(move || {
                let hash = match wanted {
                    Some(h) => Some(h),
                    None => storage
                        .list_versions(&survey_id)?
                        .last()
                        .map(|v| v.content_hash.clone()),
                };
                match hash {
                    Some(h) => storage.questionnaire_version(&survey_id, &h),
                    None => Ok(None),
                }
            })
            .await?;
        let row = match row {
            Some(row) => row,
            None if hash.is_some() => return Box::pin(self.get(state, survey, None)).await,
            None => return Err(AppError::not_found("this survey has no questionnaire")),
        };
        let key = (survey.to_string(), row.info.content_hash.clone());
        if let Some(q) = self
            .compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(q.clone());
        }
        let q = compile(row.info.format, &row.content)?;
        self.compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, q.clone());
        Ok(q)
    }
}

pub use crate::opening::unlock;

/// Opens the latest accepted revision of interviews of a survey visible to a team scope.
pub async fn open_all(
    state: &AppState,
    cache: &QuestionnaireCache,
    survey: &str,
    team: Option<String>,
    key: &Arc<SurveyKeyPair>,
) -> Result<(Arc<Questionnaire>, Vec<Opened>), AppError> {
    let storage = state.storage.clone();
    let survey_id = survey.to_string();
    let details = state
        .blocking(move || {
            let list = storage.list_interviews(Some(&survey_id), team.as_deref())?;
            let mut out = Vec::new();
            for summary in list {
                if let Some(detail) = storage.interview_detail(summary.interview_id)? {
                    out.push(detail);
                }
            }
            Ok(out)
        })
        .await?;
    let q = cache.get(state, survey, None).await?;
    let key = key.clone();
    let opened = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for detail in details {
            let Some(envelope) = crate::opening::latest_accepted(&detail) else {
                continue;
            };
            let record = crate::opening::open_record(envelope, &key, &q)?;
            out.push(Opened {
                summary: detail.summary,
                record,
            });
        }
        Ok::<_, AppError>((q, out))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??;
    Ok(opened)
}

/// What is known in clear about a cleaned version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionMeta {
    /// 1, 2, 3…
    pub number: u32,
    /// Who uploaded it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Why.
    pub reason: String,
    /// Interviews in it.
    pub interviews: usize,
    /// Cells changed, added, deleted against the raw data.
    pub changed: usize,
    /// Cells added.
    pub added: usize,
    /// Cells deleted.
    pub deleted: usize,
}

#[derive(Serialize, Deserialize)]
struct StoredVersion {
    meta: VersionMeta,
    sealed: SealedPayload,
}

#[derive(Serialize, Deserialize)]
struct VersionContent {
    records: Vec<(String, String)>,
}

/// Cleaned versions of surveys, as files `console/<survey>/version-<n>.json` under the data directory:
/// clear provenance and the interviews sealed to the survey's public key. Files are written once (a new
/// name, then a rename) and never changed.
pub struct Versions {
    dir: PathBuf,
    lock: Mutex<()>,
}

fn safe_name(survey: &str) -> String {
    survey
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Versions {
    /// Versions under `data_dir/console`.
    pub fn new(data_dir: PathBuf) -> Versions {
        Versions {
            dir: data_dir.join("console"),
            lock: Mutex::new(()),
        }
    }

    fn survey_dir(&self, survey: &str) -> PathBuf {
        self.dir.join(safe_name(survey))
    }

    fn read_all(&self, survey: &str) -> Vec<StoredVersion> {
        let mut out: Vec<StoredVersion> = std::fs::read_dir(self.survey_dir(survey))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("version-"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        out.sort_by_key(|v: &StoredVersion| v.meta.number);
        out
    }

    /// The versions of a survey, oldest first.
    pub fn list(&self, survey: &str) -> Vec<VersionMeta> {
        self.read_all(survey).into_iter().map(|v| v.meta).collect()
    }

    /// Adds a version; returns its metadata with its number.
    pub fn add(
        &self,
        survey: &str,
        public: &SurveyPublicKey,
        mut meta: VersionMeta,
        records: &[InterviewRecord],
    ) -> Result<VersionMeta, AppError> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        meta.number = self
            .read_all(survey)
            .last()
            .map(|v| v.meta.number + 1)
            .unwrap_or(1);
        let content = VersionContent {
            records: records
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        String::from_utf8_lossy(&r.to_payload()).into_owned(),
                    )
                })
                .collect(),
        };
        let plaintext =
            serde_json::to_vec(&content).map_err(|e| AppError::internal(e.to_string()))?;
        let aad = format!("daftar-cleaned-version-v1:{survey}:{}", meta.number);
        let sealed = sync_proto::seal::seal(public, aad.as_bytes(), &plaintext)
            .map_err(|e| AppError::internal(e.to_string()))?;
        let dir = self.survey_dir(survey);
        std::fs::create_dir_all(&dir).map_err(|e| AppError::internal(e.to_string()))?;
        let stored = StoredVersion {
            meta: meta.clone(),
            sealed,
        };
        let bytes = serde_json::to_vec(&stored).map_err(|e| AppError::internal(e.to_string()))?;
        let path = dir.join(format!("version-{:06}.json", meta.number));
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|e| AppError::internal(e.to_string()))?;
        Ok(meta)
    }

    /// Opens a version's interviews.
    pub fn open(
        &self,
        survey: &str,
        number: u32,
        q: &Questionnaire,
        key: &SurveyKeyPair,
    ) -> Result<(VersionMeta, Vec<InterviewRecord>), AppError> {
        let stored = self
            .read_all(survey)
            .into_iter()
            .find(|v| v.meta.number == number)
            .ok_or_else(|| AppError::not_found(format!("no cleaned version {number}")))?;
        let aad = format!("daftar-cleaned-version-v1:{survey}:{number}");
        let plaintext = sync_proto::seal::open(key, aad.as_bytes(), &stored.sealed)
            .map_err(|e| AppError::invalid("cannot_open", e.to_string()))?;
        let content: VersionContent =
            serde_json::from_slice(&plaintext).map_err(|e| AppError::internal(e.to_string()))?;
        let records = content
            .records
            .iter()
            .map(|(id, payload)| InterviewRecord::from_payload(id, q, payload.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::internal(e.to_string()))?;
        Ok((stored.meta, records))
    }
}
