//! Enrolment and sync: the store seen through `sync-client`'s `Outbox` and `ChangeSink` seams.
//!
//! An upload's sealed plaintext is the store's own export of the interview (already sealed to the survey
//! key by `survey-store`), so the device keeps one definition of what was sent: the store's journal hash.
//! The envelope for a revision is made once and kept in `outbox/` (it holds only sealed bytes and clear
//! monitoring fields), so a retry after a lost receipt sends the same bytes and the server answers with the
//! same receipt instead of a conflict.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use survey_spec::Answer;
use survey_store::{FileKeyProvider, SealedFile, Store, SyncReceipt};
use sync_client::{ChangeSink, ClientError, Outbox, OutboxItem, RetryPolicy, SyncClient};
use sync_proto::keys::{SigningKeyPair, SurveyPublicKey, VerifyingKey};
use sync_proto::wire::{
    ChangesResponse, DraftReport, MonitoringValue, Receipt, ReviewDecision, UploadEnvelope,
};
use uuid::Uuid;

use crate::AppCore;
use crate::device::{AssignmentLimit, DeviceFile, QuotaFill, ReviewNote};
use crate::dto::{ReceiptDto, StatusDto, SyncProgressDto, SyncReportDto};
use crate::error::{AppError, Result};

/// A progress callback for the progress bar.
pub type SyncProgressFn<'a> = &'a (dyn Fn(SyncProgressDto) + Send + Sync);

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Retries suited to an enumerator waiting with the app open: a few quick attempts, not minutes.
fn retry_policy() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(300),
        max: Duration::from_secs(4),
        max_attempts: 3,
        request_timeout: Duration::from_secs(30),
    }
}

fn local(e: impl std::fmt::Display) -> ClientError {
    ClientError::Local(e.to_string())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedEnvelope {
    export_hash: String,
    envelope: UploadEnvelope,
}

struct Bridge<'a> {
    store: &'a mut Store,
    device: &'a mut DeviceFile,
    dir: &'a Path,
    keys: &'a FileKeyProvider,
    pending: Vec<OutboxItem>,
    export_hashes: HashMap<(Uuid, u32), [u8; 32]>,
    receipts: Vec<ReceiptDto>,
    assignments: u32,
    rejected: u32,
}

impl Bridge<'_> {
    /// Seals every completed interview not yet acknowledged (or reuses its envelope).
    fn prepare(&mut self, device_key: &SigningKeyPair) -> Result<()> {
        let outbox_dir = self.dir.join("outbox");
        std::fs::create_dir_all(&outbox_dir).map_err(|e| AppError::Local(e.to_string()))?;
        let mut compiled = Compiled::new();
        for meta in self.store.outbox()? {
            // Interviews on the built-in questionnaire are training: the server does not know it.
            if meta.questionnaire_version == crate::questionnaires::PILOT_VERSION {
                continue;
            }
            let revision = meta.revision as u32;
            // The envelope is cached so that a re-send is byte for byte the same (the server's
            // idempotency); it carries the monitoring fields in clear, so it is sealed under the data key.
            let file = SealedFile::new(
                outbox_dir.join(format!("{}-{revision}.sealed", meta.id)),
                "outbox-envelope",
            );
            let legacy = outbox_dir.join(format!("{}-{revision}.json", meta.id));
            if let Ok(bytes) = std::fs::read(&legacy) {
                // Written in clear by an earlier version: seal it, then remove the clear copy.
                self.store.write_sealed_file(&file, &bytes)?;
                std::fs::remove_file(&legacy).map_err(|e| AppError::Local(e.to_string()))?;
            }
            let cached: Option<CachedEnvelope> = self
                .store
                .read_sealed_file(&file)
                .ok()
                .flatten()
                .and_then(|b| serde_json::from_slice(&b).ok());
            let cached = match cached {
                Some(c) => c,
                None => {
                    let key_b64 = self
                        .device
                        .survey_keys
                        .get(&meta.questionnaire_id)
                        .ok_or_else(|| {
                            AppError::Local(format!(
                                "no survey key for {} yet: sync once to receive it",
                                meta.questionnaire_id
                            ))
                        })?;
                    let survey_key = SurveyPublicKey::from_base64(key_b64)
                        .map_err(|e| AppError::Local(e.to_string()))?;
                    let sealing = survey_store::SealingPublicKey::from_bytes(&survey_key.0)?;
                    // The store's export registers what is sent in its sync journal (its hash is
                    // checked when the receipt comes back); what travels is the interview record the
                    // data side reads, sealed to the survey key by the envelope.
                    let export = self.store.export_for_sync(meta.id, &sealing)?;
                    let (monitoring, payload) =
                        interview_upload(self.store, &mut compiled, meta.id)?;
                    let envelope = UploadEnvelope::seal_and_sign(
                        meta.id,
                        revision,
                        &meta.questionnaire_id,
                        &meta.questionnaire_version,
                        meta.assignment_id.as_deref().and_then(|a| a.parse().ok()),
                        monitoring,
                        &payload,
                        &survey_key,
                        device_key,
                    )
                    .map_err(|e| AppError::Local(e.to_string()))?;
                    let cached = CachedEnvelope {
                        export_hash: sync_proto::hex(&export.content_hash),
                        envelope,
                    };
                    let bytes =
                        serde_json::to_vec(&cached).map_err(|e| AppError::Local(e.to_string()))?;
                    self.store.write_sealed_file(&file, &bytes)?;
                    cached
                }
            };
            let hash: [u8; 32] = sync_proto::unhex(&cached.export_hash)
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| AppError::Local("bad cached export hash".into()))?;
            self.export_hashes.insert((meta.id, revision), hash);
            self.pending.push(OutboxItem {
                envelope: cached.envelope,
            });
        }
        Ok(())
    }
}

/// Questionnaires compiled during one sync, by `id@version`: each is compiled once however many of its
/// interviews are sealed or reported.
type Compiled = HashMap<String, std::sync::Arc<survey_spec::Questionnaire>>;

/// A saved interview rebuilt as an engine session, with its paradata events.
fn restored(
    store: &Store,
    compiled: &mut Compiled,
    id: Uuid,
) -> Result<(
    survey_store::Interview,
    survey_engine::Session,
    Vec<survey_store::ParadataEvent>,
)> {
    let interview = store.load_interview(id)?;
    let meta = &interview.meta;
    let label = format!("{}@{}", meta.questionnaire_id, meta.questionnaire_version);
    let q = match compiled.get(&label) {
        Some(q) => q.clone(),
        None => {
            let source = store
                .load_questionnaire_version(&meta.questionnaire_id, &meta.questionnaire_version)?;
            let q = crate::questionnaires::compile(&label, &source.source)?;
            compiled.insert(label, q.clone());
            q
        }
    };
    let events = store.load_events(id)?;
    // Calculations that read the clock see the time the interview was last worked on.
    let last = events.last().map(|e| e.at_millis).unwrap_or(0);
    let environment = survey_engine::FixedEnvironment::new(survey_expr::DateTimeValue {
        millis: last,
        offset_minutes: 0,
    });
    let content = &interview.content;
    let rows = crate::rows_to_restore(content);
    let (session, _) = survey_engine::Session::restore(
        q,
        Box::new(environment),
        &rows,
        &content.answers,
        &content.confirmed_warnings,
    );
    Ok((interview, session, events))
}

/// The declared monitoring fields of a session, in clear, by path (row paths inside rosters).
fn monitoring_of(session: &survey_engine::Session) -> BTreeMap<String, MonitoringValue> {
    session
        .monitoring()
        .into_iter()
        .map(|(path, answer)| (path, monitoring_value(&answer)))
        .collect()
}

/// What an interview uploads: its monitoring fields in clear (with their row paths, for quotas) and the
/// `daftar-interview/1` record (answers, rows, confirmed warnings, paradata) to be sealed.
fn interview_upload(
    store: &Store,
    compiled: &mut Compiled,
    id: Uuid,
) -> Result<(BTreeMap<String, MonitoringValue>, Vec<u8>)> {
    let (interview, session, events) = restored(store, compiled, id)?;
    let monitoring = monitoring_of(&session);
    let mut record =
        survey_data::record::InterviewRecord::from_session(&id.to_string(), &session, &[]);
    record.language = interview.content.language.clone();
    record.events = events
        .iter()
        .map(|e| survey_data::record::ParadataEntry {
            at: survey_spec::value_text::format_datetime(e.at_millis, 0),
            event: e.kind.clone(),
            path: e.path.clone(),
            detail: e.detail.clone(),
        })
        .collect();
    Ok((monitoring, record.to_payload()))
}

/// The interviews started and not completed on this tablet, as the server's quota view needs them:
/// only the declared monitoring fields answered so far travel, in clear as in an upload. Training
/// interviews (the built-in questionnaire) are not the server's.
fn drafts(store: &Store) -> Result<Vec<DraftReport>> {
    let mut out = Vec::new();
    let mut compiled = Compiled::new();
    let filter = survey_store::InterviewFilter {
        status: Some(survey_store::InterviewStatus::InProgress),
        ..survey_store::InterviewFilter::default()
    };
    for meta in store.list_interviews(&filter)? {
        if meta.questionnaire_version == crate::questionnaires::PILOT_VERSION {
            continue;
        }
        let (_, session, _) = restored(store, &mut compiled, meta.id)?;
        out.push(DraftReport {
            interview_id: meta.id,
            questionnaire_id: meta.questionnaire_id.clone(),
            questionnaire_version: meta.questionnaire_version.clone(),
            assignment_id: meta.assignment_id.as_deref().and_then(|a| a.parse().ok()),
            monitoring: monitoring_of(&session),
        });
    }
    Ok(out)
}

/// An answer as a monitoring value in clear.
fn monitoring_value(answer: &Answer) -> MonitoringValue {
    match answer {
        Answer::Integer(i) => MonitoringValue::Integer(*i),
        Answer::Decimal(f) => MonitoringValue::Decimal(*f),
        Answer::Text(t) | Answer::Choice(t) => MonitoringValue::Text(t.clone()),
        Answer::Choices(codes) => MonitoringValue::Codes(codes.clone()),
        other => MonitoringValue::Text(survey_spec::value_text::to_text(other)),
    }
}

impl Outbox for Bridge<'_> {
    fn pending(&self) -> std::result::Result<Vec<OutboxItem>, ClientError> {
        Ok(self.pending.clone())
    }

    fn mark_sent(
        &mut self,
        item: &OutboxItem,
        receipt: &Receipt,
    ) -> std::result::Result<(), ClientError> {
        let e = &item.envelope;
        let hash = self
            .export_hashes
            .get(&(e.interview_id, e.revision))
            .copied()
            .ok_or_else(|| local("receipt for an interview that was not sent"))?;
        self.store
            .mark_sent(&SyncReceipt {
                interview_id: e.interview_id,
                revision: u64::from(e.revision),
                content_hash: hash,
                receipt: serde_json::to_vec(receipt).map_err(local)?,
            })
            .map_err(local)?;
        let id = e.interview_id.to_string();
        self.device.reviews.remove(&id);
        self.device.receipts.insert(
            id.clone(),
            (
                receipt.revision,
                receipt.server_sequence,
                receipt.received_at.clone(),
            ),
        );
        self.receipts.push(ReceiptDto {
            interview_id: id,
            revision: receipt.revision,
            sequence: receipt.server_sequence,
            received_at: receipt.received_at.clone(),
        });
        Ok(())
    }

    fn mark_conflict(
        &mut self,
        item: &OutboxItem,
        receipt: &Receipt,
    ) -> std::result::Result<(), ClientError> {
        self.device.receipts.insert(
            item.envelope.interview_id.to_string(),
            (receipt.revision, receipt.server_sequence, "conflict".into()),
        );
        Ok(())
    }
}

impl ChangeSink for Bridge<'_> {
    fn cursor(&self) -> std::result::Result<u64, ClientError> {
        Ok(self.device.cursor)
    }

    fn apply(&mut self, changes: &ChangesResponse) -> std::result::Result<(), ClientError> {
        let mut latest: BTreeMap<String, (u32, String)> = BTreeMap::new();
        for q in &changes.questionnaires {
            self.store
                .put_questionnaire_version(&survey_store::QuestionnaireVersion::new(
                    &q.info.survey_id,
                    &q.info.content_hash,
                    q.content.0.clone(),
                ))
                .map_err(local)?;
            if let Some(key) = &q.survey_public_key {
                self.device
                    .survey_keys
                    .insert(q.info.survey_id.clone(), key.clone());
            }
            let entry = latest
                .entry(q.info.survey_id.clone())
                .or_insert((0, String::new()));
            if q.info.number >= entry.0 {
                *entry = (q.info.number, q.info.content_hash.clone());
            }
        }
        for (survey, (_, hash)) in latest {
            self.device.latest_versions.insert(survey, hash);
        }
        for a in &changes.assignments {
            self.device.assignment_limits.insert(
                a.id.to_string(),
                AssignmentLimit {
                    quantity: a.quantity,
                    used: a.used,
                },
            );
            if !a.active {
                continue;
            }
            let Some(version) = self.device.latest_versions.get(&a.survey_id).cloned() else {
                continue;
            };
            let stored = self
                .store
                .put_assignment(&survey_store::Assignment {
                    assignment_id: a.id.to_string(),
                    questionnaire_id: a.survey_id.clone(),
                    questionnaire_version: version,
                    preload: a
                        .preload
                        .iter()
                        .map(|(k, v)| (k.clone(), Answer::Text(v.clone())))
                        .collect(),
                })
                .map_err(local)?;
            // The server sends an assignment again when its count of interviews changes.
            if stored.revision == 1 {
                self.assignments += 1;
            }
        }
        for r in &changes.reviews {
            let decision = match r.decision {
                ReviewDecision::Approve => survey_store::Review::Approved,
                ReviewDecision::Reject => survey_store::Review::Rejected,
            };
            // A review of an older revision than the one on the device is history: skip it.
            match self.store.interview_meta(r.interview_id) {
                Ok(meta) if meta.revision == u64::from(r.revision) => {
                    if meta.status == survey_store::InterviewStatus::Submitted {
                        self.store
                            .record_review(r.interview_id, decision)
                            .map_err(local)?;
                    }
                }
                _ => continue,
            }
            if decision == survey_store::Review::Rejected {
                self.rejected += 1;
            }
            self.device.reviews.insert(
                r.interview_id.to_string(),
                ReviewNote {
                    decision: match r.decision {
                        ReviewDecision::Approve => "approve".into(),
                        ReviewDecision::Reject => "reject".into(),
                    },
                    comments: r.comments.clone(),
                    note: r.note.clone(),
                    revision: r.revision,
                },
            );
        }
        if !changes.quota_fill.is_empty() {
            self.device.quotas = changes
                .quota_fill
                .iter()
                .map(|c| QuotaFill {
                    quota: c.quota.clone(),
                    cell: c.cell.clone(),
                    target: c.target,
                    fill: c.fill,
                })
                .collect();
        }
        self.device.cursor = changes.next_cursor;
        self.device.save(self.dir, self.keys).map_err(local)?;
        Ok(())
    }
}

impl AppCore {
    /// Enrols the device with a one-time code and learns the survey keys (before the PIN is chosen,
    /// since the profile is created with the survey's recovery key).
    pub async fn enrol(&mut self, server: &str, code: &str, label: &str) -> Result<StatusDto> {
        let server = server.trim().trim_end_matches('/').to_string();
        if !(server.starts_with("https://") || server.starts_with("http://")) {
            return Err(AppError::Network(format!(
                "`{server}` is not an http(s) address"
            )));
        }
        let key = SigningKeyPair::generate();
        let response = SyncClient::enrol(&server, code.trim(), &key, label).await?;
        let mut device = self.device.clone();
        device.server = Some(server.clone());
        device.device_id = Some(response.device_id.to_string());
        device.device_token = Some(response.device_token.clone());
        device.server_public_key = Some(B64.encode(&response.server_public_key.0));
        device.device_key = Some(B64.encode(key.to_pkcs8()));
        device.enumerator_id = Some(response.enumerator.username.clone());
        device.display_name = Some(response.enumerator.username.clone());
        device.cursor = 0;
        let client = SyncClient::new(
            &server,
            &response.device_token,
            VerifyingKey::from_bytes(&response.server_public_key.0)
                .map_err(|e| AppError::Local(e.to_string()))?,
            retry_policy(),
        )?;
        // Learn the survey keys now; the changes themselves are applied at the first sync.
        if let Ok(page) = client.changes(0).await {
            for q in page.questionnaires {
                if let Some(k) = q.survey_public_key {
                    device.survey_keys.insert(q.info.survey_id, k);
                }
            }
        }
        device.save(&self.dir, &self.keys)?;
        self.device = device;
        self.status()
    }

    fn client(&self) -> Result<(SyncClient, SigningKeyPair)> {
        let (Some(server), Some(token), Some(server_key), Some(device_key)) = (
            &self.device.server,
            &self.device.device_token,
            &self.device.server_public_key,
            &self.device.device_key,
        ) else {
            return Err(AppError::NotEnrolled);
        };
        let bad = |e: &dyn std::fmt::Display| AppError::Local(e.to_string());
        let server_key = B64.decode(server_key).map_err(|e| bad(&e))?;
        let device_key = B64.decode(device_key).map_err(|e| bad(&e))?;
        let client = SyncClient::new(
            server,
            token,
            VerifyingKey::from_bytes(&server_key).map_err(|e| bad(&e))?,
            retry_policy(),
        )?;
        let key = SigningKeyPair::from_pkcs8(&device_key).map_err(|e| bad(&e))?;
        Ok((client, key))
    }

    /// One sync cycle: send completed interviews, receive questionnaires, assignments, reviews and quota
    /// fill. Errors are reported in the result (with a code the interface translates), not thrown, so the
    /// progress and receipts of what did go through are shown.
    pub async fn sync(&mut self, progress: SyncProgressFn<'_>) -> Result<SyncReportDto> {
        let (client, device_key) = self.client()?;
        self.open = None;
        let now = self.clock.now_millis();
        let dir = self.dir.clone();
        let keys = self.keys.clone();
        let store = self.store.as_mut().ok_or(AppError::Locked)?;
        let mut device = self.device.clone();
        let mut bridge = Bridge {
            store,
            device: &mut device,
            dir: &dir,
            keys: &keys,
            pending: Vec::new(),
            export_hashes: HashMap::new(),
            receipts: Vec::new(),
            assignments: 0,
            rejected: 0,
        };
        bridge.prepare(&device_key)?;
        let drafts = drafts(bridge.store)?;
        let outcome = client
            .sync(&mut bridge, drafts, |p| {
                progress(SyncProgressDto {
                    phase: match p.phase {
                        sync_client::Phase::Upload => "upload",
                        sync_client::Phase::Download => "download",
                        sync_client::Phase::Done => "done",
                    }
                    .into(),
                    done: p.done as u32,
                    total: p.total as u32,
                })
            })
            .await;
        let (receipts, assignments, rejected) =
            (bridge.receipts, bridge.assignments, bridge.rejected);
        let mut report = SyncReportDto {
            sent: 0,
            conflicts: 0,
            failed: 0,
            assignments,
            rejected,
            error_code: None,
            error: None,
            receipts,
            finished_ms: now,
        };
        match outcome {
            Ok(r) => {
                report.sent = r.sent as u32;
                report.conflicts = r.conflicts as u32;
                report.failed = r.failed as u32;
                if let Some(e) = r.first_error {
                    report.error_code = Some("upload".into());
                    report.error = Some(e);
                } else {
                    device.last_sync_ms = Some(now);
                }
            }
            Err(e) => {
                let e = AppError::from(e);
                report.error_code = Some(e.code().into());
                report.error = Some(e.to_string());
            }
        }
        device.save(&self.dir, &self.keys)?;
        self.device = device;
        self.compiled.clear();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SURVEY: &str = r#"
daftar: 1
id: households
version: "3"
title: {fr: Ménages}
languages: [fr]
default_language: fr
choices:
  region:
    - {code: "05", label: {fr: Béni Mellal-Khénifra}}
    - {code: "06", label: {fr: Casablanca-Settat}}
monitoring: [region]
items:
  - {name: region, type: single, choices: region, label: {fr: Région}}
  - {name: name, type: text, label: {fr: Nom}}
"#;

    #[test]
    fn drafts_carry_only_the_monitoring_fields_of_interviews_in_progress() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = crate::tests::app_with(dir.path(), "households", "3", SURVEY);
        let draft = app
            .start_interview(None, Some("households@3"))
            .unwrap()
            .interview_id;
        app.answer("region", serde_json::json!("05")).unwrap();
        app.answer("name", serde_json::json!("Canari-Youssef"))
            .unwrap();
        app.close_interview().unwrap();
        // Completed interviews and training interviews are not drafts.
        app.start_interview(None, Some("households@3")).unwrap();
        app.answer("region", serde_json::json!("06")).unwrap();
        app.complete().unwrap();
        app.start_interview(
            None,
            Some(&format!(
                "{}@{}",
                crate::questionnaires::PILOT_ID,
                crate::questionnaires::PILOT_VERSION
            )),
        )
        .unwrap();
        app.close_interview().unwrap();

        let drafts = drafts(app.store.as_ref().unwrap()).unwrap();
        assert_eq!(drafts.len(), 1, "{drafts:?}");
        assert_eq!(drafts[0].interview_id.to_string(), draft);
        assert_eq!(drafts[0].questionnaire_id, "households");
        assert_eq!(drafts[0].questionnaire_version, "3");
        assert_eq!(
            drafts[0].monitoring,
            BTreeMap::from([("region".to_string(), MonitoringValue::Text("05".into()))])
        );
        assert!(!format!("{drafts:?}").contains("Canari"));
    }
}
