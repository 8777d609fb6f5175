//! The validation seam: what the server checks about questionnaires and uploads.
//!
//! The HTTP layer knows only the two traits. [`SpecValidator`] (the default) compiles every uploaded
//! questionnaire with `survey-spec` (native YAML) or imports it with `survey-xlsform` (.xlsx) and
//! checks each monitoring field of an upload against the compiled questionnaire: the field is a
//! declared monitoring item, its value has the item's type, and a choice item's codes are in its
//! list. [`DeclaredNamesValidator`] is a lighter fallback that reads only the top-level keys of a
//! native YAML file and checks monitoring field *names*.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use sync_proto::keys::SurveyKeyPair;
use sync_proto::wire::{
    MonitoringValue, QuestionnaireFormat, QuestionnaireVersionInfo, UploadEnvelope,
    ValidationIssue, ValidationReport, ValidationStatus,
};

use crate::state::AppState;
use crate::storage::QuestionnaireVersionRow;

/// What the server needs to know about an uploaded questionnaire file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuestionnaireFacts {
    /// The questionnaire's `id`.
    pub questionnaire_id: Option<String>,
    /// The designer's `version` label.
    pub label: Option<String>,
    /// The declared monitoring fields.
    pub monitoring: Vec<String>,
}

/// Reads uploaded questionnaire files.
pub trait QuestionnaireCatalog: Send + Sync + 'static {
    /// Checks a file and extracts its facts, or returns every problem found (`file:line: message`).
    fn inspect(
        &self,
        format: QuestionnaireFormat,
        content: &[u8],
    ) -> Result<QuestionnaireFacts, Vec<String>>;
}

/// Re-validates what travels in clear in an upload.
pub trait InterviewValidator: Send + Sync + 'static {
    /// Checks the monitoring fields of an upload against its questionnaire version; returns every
    /// problem found.
    fn validate_monitoring(
        &self,
        questionnaire: &QuestionnaireVersionInfo,
        content: &[u8],
        monitoring: &BTreeMap<String, MonitoringValue>,
    ) -> Result<(), Vec<String>>;
}

/// Checks monitoring field *names* against the questionnaire's declared `monitoring:` list, read
/// from the top level of the native YAML. Value types and choice codes are not checked.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeclaredNamesValidator;

impl QuestionnaireCatalog for DeclaredNamesValidator {
    fn inspect(
        &self,
        format: QuestionnaireFormat,
        content: &[u8],
    ) -> Result<QuestionnaireFacts, Vec<String>> {
        match format {
            QuestionnaireFormat::Xlsx | QuestionnaireFormat::Bundle => Err(vec![
                "XLSForm (.xlsx) and bundle uploads need the questionnaire compiler, which this validator does not include; \
                 upload the native YAML"
                    .to_string(),
            ]),
            QuestionnaireFormat::Yaml => inspect_native_yaml(content),
        }
    }
}

impl InterviewValidator for DeclaredNamesValidator {
    fn validate_monitoring(
        &self,
        questionnaire: &QuestionnaireVersionInfo,
        _content: &[u8],
        monitoring: &BTreeMap<String, MonitoringValue>,
    ) -> Result<(), Vec<String>> {
        let problems: Vec<String> = monitoring
            .keys()
            .filter(|name| !questionnaire.monitoring.iter().any(|declared| declared == *name))
            .map(|name| {
                format!(
                    "monitoring field `{name}` is not declared in the `monitoring:` list of questionnaire {} version {}",
                    questionnaire.survey_id, questionnaire.number
                )
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Validates with the questionnaire compiler (`survey-spec`) and the XLSForm importer
/// (`survey-xlsform`). Compiled questionnaires are cached by content hash.
#[derive(Default)]
pub struct SpecValidator {
    compiled: Mutex<HashMap<String, Arc<survey_spec::Questionnaire>>>,
}

impl std::fmt::Debug for SpecValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpecValidator").finish_non_exhaustive()
    }
}

fn errors_of(diagnostics: &[survey_spec::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == survey_spec::Severity::Error)
        .map(|d| d.to_string())
        .collect()
}

/// [`compile`] with a process-wide cache keyed by the stored version's content hash: quota fill is read on
/// every sync and every dashboard refresh, and compiling the pilot costs tens of milliseconds.
pub(crate) fn compile_cached(
    format: QuestionnaireFormat,
    content_hash: &str,
    content: &[u8],
) -> Result<Arc<survey_spec::Questionnaire>, Vec<String>> {
    static CACHE: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, Arc<survey_spec::Questionnaire>>>,
    > = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(content_hash)
    {
        return Ok(found.clone());
    }
    let questionnaire = compile(format, content)?;
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(content_hash.to_string(), questionnaire.clone());
    Ok(questionnaire)
}

/// Compiles an uploaded questionnaire of any format. The console uses the same function, so a version
/// the server accepted always opens there.
pub(crate) fn compile(
    format: QuestionnaireFormat,
    content: &[u8],
) -> Result<Arc<survey_spec::Questionnaire>, Vec<String>> {
    let (questionnaire, diagnostics) = match format {
        QuestionnaireFormat::Yaml => {
            survey_xlsform::load("questionnaire.yaml", content, &survey_spec::NoFiles)
        }
        QuestionnaireFormat::Xlsx => {
            survey_xlsform::load("form.xlsx", content, &survey_spec::NoFiles)
        }
        QuestionnaireFormat::Bundle => survey_xlsform::load_bundle(content),
    };
    let errors = errors_of(&diagnostics);
    match questionnaire {
        Some(questionnaire) if errors.is_empty() => Ok(questionnaire),
        _ if errors.is_empty() => Err(vec!["the questionnaire could not be compiled".to_string()]),
        _ => Err(errors),
    }
}

impl SpecValidator {
    fn compiled(
        &self,
        format: QuestionnaireFormat,
        content: &[u8],
    ) -> Result<Arc<survey_spec::Questionnaire>, Vec<String>> {
        let hash = sync_proto::hex(&sync_proto::sha256(content));
        if let Some(found) = self
            .compiled
            .lock()
            .expect("compiled cache lock")
            .get(&hash)
        {
            return Ok(found.clone());
        }
        let questionnaire = compile(format, content)?;
        self.compiled
            .lock()
            .expect("compiled cache lock")
            .insert(hash, questionnaire.clone());
        Ok(questionnaire)
    }
}

impl QuestionnaireCatalog for SpecValidator {
    fn inspect(
        &self,
        format: QuestionnaireFormat,
        content: &[u8],
    ) -> Result<QuestionnaireFacts, Vec<String>> {
        let questionnaire = self.compiled(format, content)?;
        Ok(QuestionnaireFacts {
            questionnaire_id: Some(questionnaire.id.clone()),
            label: Some(questionnaire.version.clone()).filter(|v| !v.is_empty()),
            monitoring: questionnaire
                .monitoring
                .iter()
                .map(|id| questionnaire.node(*id).name.clone())
                .collect(),
        })
    }
}

impl InterviewValidator for SpecValidator {
    fn validate_monitoring(
        &self,
        version: &QuestionnaireVersionInfo,
        content: &[u8],
        monitoring: &BTreeMap<String, MonitoringValue>,
    ) -> Result<(), Vec<String>> {
        use survey_spec::Kind;
        let questionnaire = self.compiled(version.format, content)?;
        let mut problems = Vec::new();
        for (name, value) in monitoring {
            // A field inside a roster travels with its row path, e.g. `hh_roster[2].m_sex`: the path must
            // lead through the item's own rosters, each with a row number.
            let Some((item_name, rosters)) =
                survey_engine::Path::parse(name).ok().and_then(|path| {
                    let (last, rows) = path.segments.split_last()?;
                    (last.row.is_none() && rows.iter().all(|s| s.row.is_some())).then(|| {
                        (
                            last.name.clone(),
                            rows.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                        )
                    })
                })
            else {
                problems.push(format!("monitoring field `{name}` is not an item path"));
                continue;
            };
            let declared = questionnaire
                .monitoring
                .iter()
                .map(|id| questionnaire.node(*id))
                .find(|node| node.name == item_name)
                .filter(|node| {
                    let chain: Vec<String> = questionnaire
                        .roster_chain(node.id)
                        .iter()
                        .map(|&r| questionnaire.node(r).name.clone())
                        .collect();
                    chain == rosters
                });
            let Some(node) = declared else {
                problems.push(format!(
                    "monitoring field `{name}` is not declared in the `monitoring:` list of questionnaire {} version {}",
                    version.survey_id, version.number
                ));
                continue;
            };
            let codes_ok = |codes: &[&str]| -> Result<(), String> {
                let valid = |code: &str| match node.kind {
                    Kind::YesNo => code == "yes" || code == "no",
                    _ => questionnaire
                        .choice_list_of(node.id)
                        .is_some_and(|list| list.get(code).is_some()),
                };
                match codes.iter().find(|code| !valid(code)) {
                    Some(code) => Err(format!(
                        "monitoring field `{name}`: `{code}` is not a choice code of this item"
                    )),
                    None => Ok(()),
                }
            };
            let outcome = match (node.kind, value) {
                (_, MonitoringValue::Null) => Ok(()),
                (Kind::Integer, MonitoringValue::Integer(_)) => Ok(()),
                (Kind::Decimal, MonitoringValue::Integer(_) | MonitoringValue::Decimal(_)) => {
                    Ok(())
                }
                (
                    Kind::Calculate,
                    MonitoringValue::Integer(_)
                    | MonitoringValue::Decimal(_)
                    | MonitoringValue::Text(_),
                ) => Ok(()),
                (
                    Kind::Text
                    | Kind::Date
                    | Kind::Time
                    | Kind::DateTime
                    | Kind::MetaStart
                    | Kind::MetaEnd
                    | Kind::MetaToday
                    | Kind::MetaDeviceId
                    | Kind::MetaUsername,
                    MonitoringValue::Text(_),
                ) => Ok(()),
                (Kind::Single | Kind::YesNo, MonitoringValue::Text(code)) => {
                    codes_ok(&[code.as_str()])
                }
                (Kind::Multiple, MonitoringValue::Codes(codes)) => {
                    codes_ok(&codes.iter().map(String::as_str).collect::<Vec<_>>())
                }
                (kind, _) => Err(format!(
                    "monitoring field `{name}` is a {} item; the value sent has another type",
                    kind.name()
                )),
            };
            if let Err(problem) = outcome {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Survey keys unlocked for upload validation: in memory only, forgotten when locked again or when
/// the server stops. While a survey's key is here, every upload of it is opened and replayed.
#[derive(Default)]
pub struct ValidationKeys {
    keys: Mutex<HashMap<String, Arc<SurveyKeyPair>>>,
}

impl std::fmt::Debug for ValidationKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Which surveys are unlocked, never the keys.
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("ValidationKeys")
            .field("surveys", &keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ValidationKeys {
    /// The unlocked key of a survey.
    pub fn get(&self, survey_id: &str) -> Option<Arc<SurveyKeyPair>> {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(survey_id)
            .cloned()
    }

    /// Keeps a survey's key for validation.
    pub fn insert(&self, survey_id: &str, key: SurveyKeyPair) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(survey_id.to_string(), Arc::new(key));
    }

    /// Forgets a survey's key; true if it was unlocked.
    pub fn remove(&self, survey_id: &str) -> bool {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(survey_id)
            .is_some()
    }
}

/// Re-validates one stored or arriving envelope with the survey's unlocked key: opens it, replays the
/// interview on the questionnaire version it names ([`crate::opening::validate_record`]). A payload that
/// does not open, or is not an interview record, is invalid too. Blocking (compiles, decrypts).
pub fn check_envelope(
    envelope: &UploadEnvelope,
    key: &SurveyKeyPair,
    version: &QuestionnaireVersionRow,
    checked_at: String,
) -> ValidationReport {
    let whole = |code: &str, path: String, message: String| {
        vec![ValidationIssue {
            path,
            code: code.to_string(),
            message,
        }]
    };
    let errors = match compile_cached(
        version.info.format,
        &version.info.content_hash,
        &version.content,
    ) {
        Err(problems) => whole(
            "questionnaire",
            String::new(),
            format!(
                "questionnaire {} version {} does not compile: {}",
                version.info.survey_id,
                version.info.number,
                problems.join("; ")
            ),
        ),
        Ok(questionnaire) => {
            match crate::opening::open_record(envelope, key, &questionnaire) {
                Ok(record) => {
                    crate::opening::validate_record(&questionnaire, &record, &envelope.monitoring)
                }
                Err(error @ crate::opening::OpenError::CannotOpen { .. }) => {
                    whole(error.code(), String::new(), error.to_string())
                }
                // The reader's message may quote a value: keep only the path it names.
                Err(error) => {
                    let text = error.to_string();
                    let path = text.split('`').nth(1).unwrap_or("").to_string();
                    whole(
                        error.code(),
                        path,
                        format!(
                            "the sealed payload opened but is not a `{}` record of questionnaire {} version {}",
                            survey_data::record::PAYLOAD_FORMAT,
                            version.info.survey_id,
                            version.info.number
                        ),
                    )
                }
            }
        }
    };
    ValidationReport {
        status: if errors.is_empty() {
            ValidationStatus::Valid
        } else {
            ValidationStatus::Invalid
        },
        revision: envelope.revision,
        checked_at: Some(checked_at),
        errors,
    }
}

/// How many stored uploads one pass of the backlog reads at a time.
const BACKLOG_PAGE: u32 = 100;

/// Validates, in the background, the stored uploads of a survey that arrived while its key was locked.
/// Stops when none is left or the key is locked again.
pub fn spawn_backlog(state: AppState, survey_id: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut versions: HashMap<String, Option<Arc<QuestionnaireVersionRow>>> = HashMap::new();
        loop {
            let Some(key) = state.validation_keys.get(&survey_id) else {
                return;
            };
            let storage = state.storage.clone();
            let survey = survey_id.clone();
            let page = match state
                .blocking(move || storage.unchecked_uploads(&survey, BACKLOG_PAGE))
                .await
            {
                Ok(page) if !page.is_empty() => page,
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(survey = %survey_id, "validation backlog stopped: {}", error.message);
                    return;
                }
            };
            let mut progressed = false;
            for envelope in page {
                if state.validation_keys.get(&survey_id).is_none() {
                    return;
                }
                let hash = envelope.questionnaire_version.clone();
                if !versions.contains_key(&hash) {
                    let storage = state.storage.clone();
                    let (survey, wanted) = (survey_id.clone(), hash.clone());
                    let row = state
                        .blocking(move || storage.questionnaire_version(&survey, &wanted))
                        .await
                        .ok()
                        .flatten()
                        .map(Arc::new);
                    versions.insert(hash.clone(), row);
                }
                let checked_at = state.now_text();
                let version = versions.get(&hash).cloned().flatten();
                let key = key.clone();
                let report = tokio::task::spawn_blocking(move || {
                    let report = match version {
                        Some(version) => check_envelope(&envelope, &key, &version, checked_at),
                        None => ValidationReport {
                            status: ValidationStatus::Invalid,
                            revision: envelope.revision,
                            checked_at: Some(checked_at),
                            errors: vec![ValidationIssue {
                                path: String::new(),
                                code: "unknown_questionnaire".into(),
                                message: "the questionnaire version it names is not on the server"
                                    .into(),
                            }],
                        },
                    };
                    (report, envelope)
                })
                .await;
                let Ok((report, envelope)) = report else {
                    return;
                };
                let storage = state.storage.clone();
                let content_hash = envelope.content_hash();
                let interview_id = envelope.interview_id;
                if state
                    .blocking(move || {
                        storage.record_validation(interview_id, &content_hash, report)
                    })
                    .await
                    .is_ok()
                {
                    progressed = true;
                }
            }
            if !progressed {
                return;
            }
        }
    })
}

fn unquote(value: &str) -> String {
    let value = value.split(" #").next().unwrap_or("").trim();
    value.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Reads the top-level scalar keys and the `monitoring` list of a native questionnaire, line by line.
fn inspect_native_yaml(content: &[u8]) -> Result<QuestionnaireFacts, Vec<String>> {
    let text = std::str::from_utf8(content)
        .map_err(|_| vec!["questionnaire: the file is not UTF-8 text".to_string()])?;
    let mut facts = QuestionnaireFacts::default();
    let mut problems = Vec::new();
    let mut format_version = None;
    let mut in_monitoring_block = false;
    let mut monitoring_seen = false;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let trimmed_end = line.trim_end();
        if trimmed_end.trim_start().starts_with('#') || trimmed_end.is_empty() {
            continue;
        }
        let top_level = !line.starts_with(' ') && !line.starts_with('\t') && !line.starts_with('-');
        if in_monitoring_block {
            let item = trimmed_end.trim_start();
            if !top_level && let Some(name) = item.strip_prefix("- ") {
                facts.monitoring.push(unquote(name));
                continue;
            }
            in_monitoring_block = false;
        }
        if !top_level {
            continue;
        }
        let Some((key, value)) = trimmed_end.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "daftar" => format_version = Some((unquote(value), line_number)),
            "id" => facts.questionnaire_id = Some(unquote(value)),
            "version" => facts.label = Some(unquote(value)),
            "monitoring" => {
                monitoring_seen = true;
                if value.is_empty() {
                    in_monitoring_block = true;
                } else if let Some(inner) =
                    value.strip_prefix('[').and_then(|v| v.split(']').next())
                {
                    facts.monitoring.extend(
                        inner
                            .split(',')
                            .map(unquote)
                            .filter(|name| !name.is_empty()),
                    );
                } else {
                    problems.push(format!(
                        "questionnaire:{line_number}: `monitoring` must be a list of item names"
                    ));
                }
            }
            _ => {}
        }
    }
    match format_version {
        None => problems.push("questionnaire:1: missing `daftar: 1` (the format version)".into()),
        Some((version, line)) if version != "1" => {
            problems.push(format!("questionnaire:{line}: unsupported format version `daftar: {version}` (this server reads 1)"))
        }
        Some(_) => {}
    }
    if facts.questionnaire_id.is_none() {
        problems.push("questionnaire: missing the top-level `id`".into());
    }
    if !monitoring_seen {
        // No monitoring fields is allowed: everything is sealed.
        facts.monitoring.clear();
    }
    if problems.is_empty() {
        Ok(facts)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(yaml: &str, expect: Result<QuestionnaireFacts, Vec<&str>>) {
        let actual = DeclaredNamesValidator.inspect(QuestionnaireFormat::Yaml, yaml.as_bytes());
        assert_eq!(
            actual,
            expect.map_err(|problems| problems.into_iter().map(String::from).collect())
        );
    }

    #[test]
    fn reads_flow_and_block_monitoring_lists() {
        check(
            "daftar: 1\nid: pilot\nversion: \"2026.11.1\"\nmonitoring: [a_region, m_sex]\nitems: []\n",
            Ok(QuestionnaireFacts {
                questionnaire_id: Some("pilot".into()),
                label: Some("2026.11.1".into()),
                monitoring: vec!["a_region".into(), "m_sex".into()],
            }),
        );
        check(
            "daftar: 1\nid: pilot\nmonitoring:\n  - a_region\n  - 'm_sex'\nitems:\n  - name: x\n",
            Ok(QuestionnaireFacts {
                questionnaire_id: Some("pilot".into()),
                label: None,
                monitoring: vec!["a_region".into(), "m_sex".into()],
            }),
        );
    }

    #[test]
    fn reports_missing_format_and_id() {
        check(
            "title: x\n",
            Err(vec![
                "questionnaire:1: missing `daftar: 1` (the format version)",
                "questionnaire: missing the top-level `id`",
            ]),
        );
        check(
            "daftar: 2\nid: x\n",
            Err(vec![
                "questionnaire:1: unsupported format version `daftar: 2` (this server reads 1)",
            ]),
        );
    }
}
