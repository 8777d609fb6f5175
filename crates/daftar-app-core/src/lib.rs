//! The enumerator app's domain logic, without Tauri: the PIN-unlocked store, the home lists, interviews over
//! the engine saved answer by answer, enrolment and sync. The Tauri shell (`src-tauri`) holds one [`AppCore`]
//! behind a mutex and turns each command into one call here; everything here is testable without GTK.
//!
//! ```
//! use daftar_app_core::{AppCore, Nav};
//! let dir = tempfile::tempdir().unwrap();
//! let mut app = AppCore::open(dir.path()).unwrap();
//! // Training mode: a profile without enrolment, with the built-in pilot questionnaire.
//! app.create_local_profile("enum-1", "Amina", "4829", 1_000).unwrap();
//! let screen = app.start_interview(None, Some("morocco-pilot@builtin")).unwrap();
//! let first = screen.items[0].path.clone();
//! app.lock();
//! app.unlock("4829").unwrap();
//! let home = app.home().unwrap();
//! assert_eq!(home.entries[0].status, "in_progress");
//! # let _ = (first, Nav::Next);
//! ```
#![deny(missing_docs)]

pub mod device;
pub mod dto;
mod error;
pub mod questionnaires;
pub mod screen;
mod sync;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use survey_engine::{Environment, Session, Step};
use survey_expr::DateTimeValue;
use survey_spec::{Answer, Questionnaire, value_text};
use survey_store::{
    Clock, FileKeyProvider, InterviewContent, InterviewFilter, InterviewStatus, NewInterview,
    NewProfile, ParadataEvent, QuestionnaireVersion, Store, SystemClock,
};
use uuid::Uuid;

pub use crate::device::DeviceFile;
use crate::dto::*;
pub use crate::error::{AppError, Result};
use crate::screen::Page;
pub use crate::sync::SyncProgressFn;

/// PBKDF2 iterations for a new profile's PIN (the store's default, tuned to about 0.5 s on a tablet).
pub fn kdf_iterations() -> u32 {
    survey_store::DEFAULT_PBKDF2_ITERATIONS
}

/// Minutes of inactivity before the app locks itself.
pub const LOCK_AFTER_MINUTES: u32 = 5;

/// Where to move in an interview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", tag = "to", content = "path")]
pub enum Nav {
    /// The next relevant page.
    Next,
    /// The previous relevant page.
    Previous,
    /// The page showing a path (an item, a row, a section).
    Path(String),
}

/// The clock and ids the engine sees in the app: the system clock, UUID v7.
struct AppEnvironment {
    clock: Arc<dyn Clock>,
    device_id: String,
    username: String,
}

impl Environment for AppEnvironment {
    fn now(&self) -> DateTimeValue {
        DateTimeValue {
            millis: self.clock.now_millis(),
            offset_minutes: 0,
        }
    }
    fn uuid(&self) -> String {
        Uuid::now_v7().to_string()
    }
    fn device_id(&self) -> String {
        self.device_id.clone()
    }
    fn username(&self) -> String {
        self.username.clone()
    }
}

/// The interview being worked on.
struct OpenInterview {
    id: Uuid,
    revision: u64,
    status: InterviewStatus,
    session: Session,
    cursor: String,
}

/// The app's state: one per process.
pub struct AppCore {
    dir: PathBuf,
    keys: FileKeyProvider,
    clock: Arc<dyn Clock>,
    device: DeviceFile,
    store: Option<Store>,
    open: Option<OpenInterview>,
    compiled: HashMap<String, Arc<Questionnaire>>,
    ui_language: String,
    sensors: bool,
}

impl std::fmt::Debug for AppCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCore")
            .field("dir", &self.dir)
            .field("unlocked", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

fn status_name(status: InterviewStatus) -> &'static str {
    match status {
        InterviewStatus::InProgress => "in_progress",
        InterviewStatus::Completed => "completed",
        InterviewStatus::Submitted => "sent",
        InterviewStatus::Approved => "approved",
        InterviewStatus::Rejected => "rejected",
    }
}

fn valid_pin(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

impl AppCore {
    /// Opens the app's data directory (creating it). Never fails on a missing or fresh directory.
    pub fn open(dir: &Path) -> Result<AppCore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Local(format!("{}: {e}", dir.display())))?;
        let keys = FileKeyProvider::in_dir(dir);
        let device = DeviceFile::load(dir, &keys)?;
        Ok(AppCore {
            dir: dir.to_path_buf(),
            keys,
            clock: Arc::new(SystemClock),
            device,
            store: None,
            open: None,
            compiled: HashMap::new(),
            ui_language: "fr".into(),
            sensors: false,
        })
    }

    /// Says whether the shell has the camera scanner and location plugins (reported in the status).
    pub fn with_sensors(mut self, sensors: bool) -> Self {
        self.sensors = sensors;
        self
    }

    fn db_path(&self) -> PathBuf {
        self.dir.join("daftar.db")
    }

    fn profile(&self) -> Result<Option<survey_store::ProfileSummary>> {
        if !self.db_path().exists() {
            return Ok(None);
        }
        Ok(Store::list_profiles(&self.db_path())?.into_iter().next())
    }

    /// Where the app stands: enrolled, profile, unlocked.
    pub fn status(&self) -> Result<StatusDto> {
        let profile = self.profile()?;
        Ok(StatusDto {
            enrolled: self.device.device_token.is_some(),
            has_profile: profile.is_some(),
            unlocked: self.store.is_some(),
            display_name: profile
                .map(|p| p.display_name)
                .or_else(|| self.device.display_name.clone()),
            server: self.device.server.clone(),
            last_sync_ms: self.device.last_sync_ms,
            lock_after_minutes: LOCK_AFTER_MINUTES,
            sensors: self.sensors,
        })
    }

    /// Creates the enumerator's profile after enrolment, with the chosen PIN, and unlocks.
    pub fn create_profile(&mut self, pin: &str) -> Result<StatusDto> {
        let enumerator = self
            .device
            .enumerator_id
            .clone()
            .ok_or(AppError::NotEnrolled)?;
        let name = self
            .device
            .display_name
            .clone()
            .unwrap_or_else(|| enumerator.clone());
        self.create_local_profile(
            &enumerator,
            &name,
            pin,
            survey_store::DEFAULT_PBKDF2_ITERATIONS,
        )?;
        self.status()
    }

    /// Creates a profile without enrolment (training mode, tests) and unlocks it. The built-in pilot
    /// questionnaire is installed.
    pub fn create_local_profile(
        &mut self,
        enumerator_id: &str,
        display_name: &str,
        pin: &str,
        kdf_iterations: u32,
    ) -> Result<()> {
        if !valid_pin(pin) {
            return Err(AppError::BadPin);
        }
        if self.profile()?.is_some() {
            return Err(AppError::Store(
                "a profile already exists on this device".into(),
            ));
        }
        let recovery = self.recovery_key()?;
        let profile = NewProfile {
            kdf_iterations,
            ..NewProfile::new(enumerator_id, display_name, pin, recovery)
        };
        let mut store =
            Store::create_profile(&self.db_path(), &profile, &self.keys, self.clock.clone())?;
        let pilot = serde_json::to_vec(&questionnaires::morocco_pilot())
            .map_err(|e| AppError::Local(e.to_string()))?;
        store.put_questionnaire_version(&QuestionnaireVersion::new(
            questionnaires::PILOT_ID,
            questionnaires::PILOT_VERSION,
            pilot,
        ))?;
        self.store = Some(store);
        Ok(())
    }

    /// The survey's recovery key for the profile: the first survey key learnt at enrolment, else a key
    /// whose private half is dropped (training mode: nothing to recover).
    fn recovery_key(&self) -> Result<survey_store::SealingPublicKey> {
        if let Some(b64) = self.device.survey_keys.values().next() {
            let key = sync_proto::keys::SurveyPublicKey::from_base64(b64)
                .map_err(|e| AppError::Local(e.to_string()))?;
            return Ok(survey_store::SealingPublicKey::from_bytes(&key.0)?);
        }
        Ok(survey_store::SealingKeyPair::generate()?.public)
    }

    /// Unlocks the store with the PIN.
    pub fn unlock(&mut self, pin: &str) -> Result<StatusDto> {
        let profile = self
            .profile()?
            .ok_or(AppError::NotFound("profile".into()))?;
        let store = Store::open(
            &self.db_path(),
            &profile.enumerator_id,
            pin,
            &self.keys,
            self.clock.clone(),
        )?;
        self.store = Some(store);
        self.status()
    }

    /// Locks: closes the interview and the store, dropping the data key.
    pub fn lock(&mut self) {
        self.open = None;
        if let Some(store) = self.store.take() {
            let _ = store.close();
        }
    }

    fn store(&self) -> Result<&Store> {
        self.store.as_ref().ok_or(AppError::Locked)
    }

    fn store_mut(&mut self) -> Result<&mut Store> {
        self.store.as_mut().ok_or(AppError::Locked)
    }

    /// Sets the interface language (used for questionnaire titles on the home screen).
    pub fn set_ui_language(&mut self, language: &str) {
        self.ui_language = language.to_string();
    }

    fn questionnaire(&mut self, id: &str, version: &str) -> Result<Arc<Questionnaire>> {
        let key = format!("{id}@{version}");
        if let Some(q) = self.compiled.get(&key) {
            return Ok(q.clone());
        }
        let source = self.store()?.load_questionnaire_version(id, version)?;
        let q = questionnaires::compile(&key, &source.source)?;
        self.compiled.insert(key, q.clone());
        Ok(q)
    }

    fn title_of(&mut self, id: &str, version: &str) -> String {
        match self.questionnaire(id, version) {
            Ok(q) => {
                let lang = q
                    .language_index(&self.ui_language)
                    .unwrap_or(q.default_language);
                q.title.get(lang).to_string()
            }
            Err(_) => id.to_string(),
        }
    }

    /// The home screen: assignments not started, interviews by status, quotas, last sync.
    pub fn home(&mut self) -> Result<HomeDto> {
        let store = self.store()?;
        let assignments = store.list_assignments()?;
        let interviews = store.list_interviews(&InterviewFilter::default())?;
        let versions = store.list_questionnaire_versions()?;
        let mut entries = Vec::new();
        for a in &assignments {
            let usage = self.assignment_use(&a.assignment_id, &interviews);
            match usage {
                // As many interviews as asked for: nothing more to start.
                Some((used, Some(quantity))) if used >= quantity => continue,
                Some(_) => {}
                // Not counted by the server yet (before the first sync that tells): one interview.
                None => {
                    let started = interviews
                        .iter()
                        .any(|i| i.assignment_id.as_deref() == Some(&a.assignment_id));
                    if started {
                        continue;
                    }
                }
            }
            let preload = self.store()?.load_assignment(&a.assignment_id)?.preload;
            let label = preload
                .iter()
                .map(|(_, v)| value_text::to_text(v))
                .collect::<Vec<_>>()
                .join(" · ");
            entries.push(HomeEntryDto {
                kind: "assignment".into(),
                id: a.assignment_id.clone(),
                status: "to_start".into(),
                title: self.title_of(&a.questionnaire_id, &a.questionnaire_version),
                label: if label.is_empty() {
                    format!("#{}", a.assignment_id)
                } else {
                    label
                },
                assignment_id: Some(a.assignment_id.clone()),
                updated_ms: Some(a.received_at),
                review_note: None,
                receipt: None,
                quantity: usage.and_then(|(_, quantity)| quantity),
                used: usage.map(|(used, _)| used),
            });
        }
        for i in &interviews {
            let id = i.id.to_string();
            let review = self.device.reviews.get(&id).cloned();
            let receipt = self
                .device
                .receipts
                .get(&id)
                .map(|(rev, seq, at)| format!("{rev}/{seq}/{at}"));
            entries.push(HomeEntryDto {
                kind: "interview".into(),
                id: id.clone(),
                status: status_name(i.status).into(),
                title: self.title_of(&i.questionnaire_id, &i.questionnaire_version),
                label: i
                    .assignment_id
                    .as_ref()
                    .map(|a| format!("#{a} · {}", &id[id.len() - 6..]))
                    .unwrap_or_else(|| id[id.len() - 6..].to_string()),
                assignment_id: i.assignment_id.clone(),
                updated_ms: Some(i.updated_at),
                review_note: review
                    .filter(|r| r.decision == "reject")
                    .map(|r| r.note.unwrap_or_default()),
                receipt,
                quantity: None,
                used: None,
            });
        }
        let quotas = self
            .device
            .quotas
            .iter()
            .map(|c| QuotaDto {
                quota: c.quota.clone(),
                cell: c.cell.values().cloned().collect::<Vec<_>>().join(" · "),
                target: c.target,
                fill: c.fill,
                state: if c.fill >= c.target {
                    "full"
                } else if c.fill * 10 >= c.target * 8 {
                    "nearly_full"
                } else {
                    "open"
                }
                .into(),
            })
            .collect();
        Ok(HomeDto {
            entries,
            quotas,
            last_sync_ms: self.device.last_sync_ms,
            questionnaires: versions.iter().map(|(q, v)| format!("{q}@{v}")).collect(),
        })
    }

    /// Interviews counted against an assignment and its quantity: the server's count at the last sync plus
    /// this tablet's interviews of it that the server had not acknowledged then. `None` before a sync has
    /// brought the server's count.
    fn assignment_use(
        &self,
        assignment: &str,
        interviews: &[survey_store::InterviewMeta],
    ) -> Option<(u32, Option<u32>)> {
        let limit = self.device.assignment_limits.get(assignment)?;
        let unsent = interviews
            .iter()
            .filter(|i| i.assignment_id.as_deref() == Some(assignment))
            .filter(|i| !self.device.receipts.contains_key(&i.id.to_string()))
            .count() as u32;
        Some((limit.used + unsent, limit.quantity))
    }

    fn environment(&self) -> Box<dyn Environment> {
        Box::new(AppEnvironment {
            clock: self.clock.clone(),
            device_id: self.device.device_id.clone().unwrap_or_default(),
            username: self
                .store
                .as_ref()
                .map(|s| s.enumerator_id().to_string())
                .unwrap_or_default(),
        })
    }

    /// Starts an interview from an assignment, or from an installed questionnaire (`id@version`).
    pub fn start_interview(
        &mut self,
        assignment_id: Option<&str>,
        questionnaire: Option<&str>,
    ) -> Result<ScreenDto> {
        let (qid, version, preload) = match (assignment_id, questionnaire) {
            (Some(a), _) => {
                let interviews = self.store()?.list_interviews(&InterviewFilter {
                    assignment_id: Some(a.to_string()),
                    ..InterviewFilter::default()
                })?;
                if let Some((used, Some(quantity))) = self.assignment_use(a, &interviews)
                    && used >= quantity
                {
                    return Err(AppError::QuantityReached {
                        assignment: a.to_string(),
                        quantity,
                    });
                }
                let a = self.store()?.load_assignment(a)?;
                let preload: Vec<(String, String)> = a
                    .preload
                    .iter()
                    .map(|(k, v)| (k.clone(), value_text::to_text(v)))
                    .collect();
                (a.questionnaire_id, a.questionnaire_version, preload)
            }
            (None, Some(q)) => {
                let (id, version) = q
                    .split_once('@')
                    .ok_or_else(|| AppError::NotFound(q.to_string()))?;
                (id.to_string(), version.to_string(), Vec::new())
            }
            (None, None) => return Err(AppError::NotFound("questionnaire".into())),
        };
        let q = self.questionnaire(&qid, &version)?;
        let mut session = Session::with_preload(q, self.environment(), &preload);
        if let Some(lang) = session
            .questionnaire()
            .language_index(&self.ui_language)
            .map(|_| self.ui_language.clone())
        {
            session.set_language(&lang)?;
        }
        let id = Uuid::now_v7();
        let mut new = NewInterview::new(id, &qid, &version);
        if let Some(a) = assignment_id {
            new = new.with_assignment(a);
        }
        let first = screen::pages(&session)
            .first()
            .map(|p| session.path(p.anchor()))
            .unwrap_or_default();
        let content = content_of(&session, &first);
        let meta = self.store_mut()?.create_interview(&new, &content)?;
        self.open = Some(OpenInterview {
            id,
            revision: meta.revision,
            status: meta.status,
            session,
            cursor: first,
        });
        self.persist(&[])?;
        self.screen()
    }

    /// Opens a saved interview where the enumerator left it.
    pub fn open_interview(&mut self, id: &str) -> Result<ScreenDto> {
        let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound(id.to_string()))?;
        let interview = self.store()?.load_interview(id)?;
        let q = self.questionnaire(
            &interview.meta.questionnaire_id,
            &interview.meta.questionnaire_version,
        )?;
        let c = &interview.content;
        let rows = rows_to_restore(c);
        let (mut session, _problems) = Session::restore(
            q,
            self.environment(),
            &rows,
            &c.answers,
            &c.confirmed_warnings,
        );
        if let Some(lang) = &c.language {
            session.set_language(lang)?;
        }
        let _ = session.take_events();
        let cursor = c.cursor.clone().unwrap_or_default();
        self.open = Some(OpenInterview {
            id,
            revision: interview.meta.revision,
            status: interview.meta.status,
            session,
            cursor,
        });
        self.screen()
    }

    /// Closes the open interview (it is already saved).
    pub fn close_interview(&mut self) -> Result<()> {
        self.open = None;
        if let Some(store) = &self.store {
            store.checkpoint()?;
        }
        Ok(())
    }

    fn open_mut(&mut self) -> Result<&mut OpenInterview> {
        self.open.as_mut().ok_or(AppError::NoInterview)
    }

    /// Saves the open interview (one durable store save) with the engine's new events.
    fn persist(&mut self, extra: &[ParadataEvent]) -> Result<()> {
        let open = self.open.as_mut().ok_or(AppError::NoInterview)?;
        let mut events: Vec<ParadataEvent> = open
            .session
            .take_events()
            .into_iter()
            .map(|e| ParadataEvent {
                at_millis: e.at.millis,
                kind: e.kind.name().to_string(),
                path: e.kind.path().map(str::to_string),
                answer: None,
                detail: match &e.kind {
                    survey_engine::EventKind::LanguageChanged { language } => {
                        Some(language.clone())
                    }
                    _ => None,
                },
            })
            .collect();
        events.extend_from_slice(extra);
        let content = content_of(&open.session, &open.cursor);
        // A rejected or completed interview that is changed goes back to work.
        let status = InterviewStatus::InProgress;
        let (id, revision) = (open.id, open.revision);
        let store = self.store.as_mut().ok_or(AppError::Locked)?;
        let meta = store.save_interview(id, revision, status, &content, &events)?;
        let open = self.open.as_mut().ok_or(AppError::NoInterview)?;
        open.revision = meta.revision;
        open.status = meta.status;
        Ok(())
    }

    /// Applies a step and saves.
    fn step(&mut self, step: Step) -> Result<ScreenDto> {
        let open = self.open_mut()?;
        if matches!(
            open.status,
            InterviewStatus::Submitted | InterviewStatus::Approved
        ) {
            return Err(AppError::Rejected {
                code: "read_only".into(),
                message: "a sent interview cannot be changed".into(),
            });
        }
        open.session.apply(&step)?;
        self.persist(&[])?;
        self.screen()
    }

    /// Gives (or changes) an answer, in the `daftar play` JSON encoding; `null` clears it.
    pub fn answer(&mut self, path: &str, value: serde_json::Value) -> Result<ScreenDto> {
        if value.is_null() {
            return self.step(Step::Clear { path: path.into() });
        }
        let open = self.open_mut()?;
        let inst = open.session.resolve(path)?;
        let kind = open.session.questionnaire().node(inst.node).kind;
        let answer: Answer =
            value_text::from_json(kind, &value).map_err(|message| AppError::Rejected {
                code: "value".into(),
                message,
            })?;
        self.step(Step::Set {
            path: path.into(),
            value: answer,
        })
    }

    /// Confirms the warnings on an item.
    pub fn confirm(&mut self, path: &str) -> Result<ScreenDto> {
        self.step(Step::Confirm { path: path.into() })
    }

    /// Adds a row to a roster and shows its first page.
    pub fn add_row(&mut self, roster: &str) -> Result<ScreenDto> {
        let open = self.open_mut()?;
        open.session.apply(&Step::Add {
            roster: roster.into(),
        })?;
        let inst = open.session.resolve(roster)?;
        let rows = open.session.rows(inst).to_vec();
        if let Some(&last) = rows.last() {
            let row = open.session.row_path(last);
            let pages = screen::pages(&open.session);
            if let Some(p) = pages.iter().find(|p| {
                open.session
                    .path(p.anchor())
                    .starts_with(&format!("{row}."))
            }) {
                open.cursor = open.session.path(p.anchor());
            }
        }
        self.persist(&[])?;
        self.screen()
    }

    /// Removes a roster row.
    pub fn remove_row(&mut self, row: &str) -> Result<ScreenDto> {
        self.step(Step::Remove { row: row.into() })
    }

    /// Moves to another page.
    pub fn go(&mut self, nav: Nav) -> Result<ScreenDto> {
        let open = self.open_mut()?;
        let pages = screen::pages(&open.session);
        let here = screen::page_index(&open.session, &pages, &open.cursor);
        let target = match nav {
            Nav::Next => match here {
                Some(i) if i + 1 < pages.len() => Some(i + 1),
                Some(_) => None,
                None => Some(0),
            },
            Nav::Previous => here.map(|i| i.saturating_sub(1)),
            Nav::Path(path) => screen::page_index(&open.session, &pages, &path),
        };
        if let Some(i) = target {
            let path = open.session.path(pages[i].anchor());
            open.session.record_navigation(&path);
            open.cursor = path;
        }
        self.persist(&[])?;
        self.screen()
    }

    /// Switches the interview language.
    pub fn set_language(&mut self, language: &str) -> Result<ScreenDto> {
        self.ui_language = language.to_string();
        let open = self.open_mut()?;
        open.session.set_language(language)?;
        self.persist(&[])?;
        self.screen()
    }

    fn review_of(&self, id: &Uuid) -> Option<&device::ReviewNote> {
        self.device
            .reviews
            .get(&id.to_string())
            .filter(|r| r.decision == "reject")
    }

    /// The current page of the open interview.
    pub fn screen(&self) -> Result<ScreenDto> {
        let open = self.open.as_ref().ok_or(AppError::NoInterview)?;
        let s = &open.session;
        let q = s.questionnaire();
        let pages = screen::pages(s);
        let index = screen::page_index(s, &pages, &open.cursor).or(if pages.is_empty() {
            None
        } else {
            Some(0)
        });
        let review = self.review_of(&open.id);
        let comment = |path: &str| review.and_then(|r| r.comments.get(path).cloned());
        let (anchor, group_label, items, roster) = match index.map(|i| &pages[i]) {
            Some(Page::Screen { anchor, items }) => {
                let node = q.node(anchor.node);
                let group_label = (node.kind == survey_spec::Kind::Group)
                    .then(|| {
                        node.label
                            .as_ref()
                            .map(|t| screen::render_isolated(s, t, *anchor))
                    })
                    .flatten();
                (
                    s.path(*anchor),
                    group_label,
                    items
                        .iter()
                        .map(|&i| screen::item_dto(s, i, comment(&s.path(i))))
                        .collect(),
                    screen::enclosing_roster(s, *anchor).map(|r| screen::roster_dto(s, r)),
                )
            }
            Some(Page::Roster(inst)) => (
                s.path(*inst),
                None,
                Vec::new(),
                Some(screen::roster_dto(s, *inst)),
            ),
            None => (String::new(), None, Vec::new(), None),
        };
        let lang = s.language();
        Ok(ScreenDto {
            interview_id: open.id.to_string(),
            title: q.title.get(lang).to_string(),
            language: q.languages.get(lang).cloned().unwrap_or_default(),
            languages: q.languages.clone(),
            anchor,
            group_label,
            items,
            roster,
            position: index.map(|i| i as u32 + 1).unwrap_or(0),
            screen_count: pages.len() as u32,
            has_previous: index.is_some_and(|i| i > 0),
            has_next: index.is_some_and(|i| i + 1 < pages.len()),
            sections: screen::section_dtos(s),
            status: status_name(open.status).into(),
            review_note: review.and_then(|r| r.note.clone()),
        })
    }

    /// The review before completing.
    pub fn review(&self) -> Result<ReviewDto> {
        let open = self.open.as_ref().ok_or(AppError::NoInterview)?;
        let s = &open.session;
        let empty = BTreeMap::new();
        let comments = self
            .review_of(&open.id)
            .map(|r| &r.comments)
            .unwrap_or(&empty);
        let lines = screen::review_lines(s, comments);
        let (mut questions, mut answered) = (0, 0);
        for inst in s.walk() {
            if s.is_relevant(inst) && screen::is_question(s, inst) {
                questions += 1;
                answered += u32::from(s.value(inst).is_some());
            }
        }
        Ok(ReviewDto {
            interview_id: open.id.to_string(),
            can_complete: s.is_complete(),
            lines,
            answered,
            questions,
        })
    }

    /// Completes the interview (it goes to the outbox) and closes it.
    pub fn complete(&mut self) -> Result<()> {
        let open = self.open_mut()?;
        if !open.session.is_complete() {
            let n = screen::review_lines(&open.session, &BTreeMap::new())
                .iter()
                .filter(|l| l.kind != "comment")
                .count();
            return Err(AppError::Incomplete(n));
        }
        open.session.finish();
        self.persist(&[])?;
        let open = self.open.as_mut().ok_or(AppError::NoInterview)?;
        let content = content_of(&open.session, &open.cursor);
        let (id, revision) = (open.id, open.revision);
        let store = self.store.as_mut().ok_or(AppError::Locked)?;
        store.save_interview(id, revision, InterviewStatus::Completed, &content, &[])?;
        self.open = None;
        Ok(())
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }
}

/// The content to save: answers, confirmations, cursor and language.
fn content_of(session: &Session, cursor: &str) -> InterviewContent {
    let q = session.questionnaire();
    InterviewContent {
        answers: session.answers(),
        confirmed_warnings: session.confirmed_warnings(),
        cursor: Some(cursor.to_string()),
        language: q.languages.get(session.language()).cloned(),
        rows: session.roster_rows(),
    }
}

/// The roster rows to rebuild a saved interview with: the saved counts, which keep rows added but not
/// answered yet; content saved before the store kept them has only its answers to go by.
pub(crate) fn rows_to_restore(content: &survey_store::InterviewContent) -> Vec<(String, u32)> {
    if content.rows.is_empty() {
        rows_of(&content.answers)
    } else {
        content.rows.clone()
    }
}

/// Row counts implied by saved answer paths (`hh_roster[3].x` → `hh_roster` has at least 3 rows), for
/// restoring content saved before the store kept row counts.
fn rows_of(answers: &[(String, Answer)]) -> Vec<(String, u32)> {
    let mut rows: Vec<(String, u32)> = Vec::new();
    for (path, _) in answers {
        let mut prefix = String::new();
        for segment in path.split('.') {
            if let Some((name, rest)) = segment.split_once('[') {
                let index: u32 = rest.trim_end_matches(']').parse().unwrap_or(0);
                let roster = format!("{prefix}{name}");
                match rows.iter_mut().find(|(p, _)| *p == roster) {
                    Some((_, n)) => *n = (*n).max(index),
                    None => rows.push((roster, index)),
                }
            }
            if !prefix.is_empty() || !segment.is_empty() {
                prefix.push_str(segment);
                prefix.push('.');
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIPS: &str = r#"
daftar: 1
id: trips
version: "1"
title: {fr: Voyages}
languages: [fr]
default_language: fr
items:
  - {name: name, type: text, label: {fr: Nom}}
  - name: trips
    type: roster
    label: {fr: Voyages}
    items:
      - {name: country, type: text, label: {fr: Pays}}
"#;

    /// A profile (PIN 482913) with one questionnaire installed besides the built-in pilot.
    pub(crate) fn app_with(dir: &Path, id: &str, version: &str, source: &str) -> AppCore {
        let mut app = AppCore::open(dir).unwrap();
        app.create_local_profile("enum-1", "Amina", "482913", 1_000)
            .unwrap();
        app.store
            .as_mut()
            .unwrap()
            .put_questionnaire_version(&QuestionnaireVersion::new(
                id,
                version,
                source.as_bytes().to_vec(),
            ))
            .unwrap();
        app
    }

    fn with_trips(dir: &Path) -> AppCore {
        app_with(dir, "trips", "1", TRIPS)
    }

    #[test]
    fn a_roster_row_added_and_not_answered_is_there_when_the_interview_is_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = with_trips(dir.path());
        let id = app
            .start_interview(None, Some("trips@1"))
            .unwrap()
            .interview_id;
        app.answer("name", serde_json::json!("Amina")).unwrap();
        app.add_row("trips").unwrap();
        app.add_row("trips").unwrap();
        app.answer("trips[1].country", serde_json::json!("ESP"))
            .unwrap();
        // The second row has no answer yet.
        app.close_interview().unwrap();
        app.lock();
        app.unlock("482913").unwrap();
        app.open_interview(&id).unwrap();
        let session = &app.open.as_ref().unwrap().session;
        assert_eq!(session.roster_rows(), vec![("trips".to_string(), 2)]);
        assert_eq!(
            session.answers(),
            vec![
                ("name".to_string(), Answer::Text("Amina".into())),
                ("trips[1].country".to_string(), Answer::Text("ESP".into())),
            ]
        );
        // Removing rows is kept too.
        app.remove_row("trips[2]").unwrap();
        app.remove_row("trips[1]").unwrap();
        app.close_interview().unwrap();
        app.open_interview(&id).unwrap();
        let session = &app.open.as_ref().unwrap().session;
        assert_eq!(session.roster_rows(), Vec::<(String, u32)>::new());
    }

    fn assign(app: &mut AppCore, id: &str, quantity: Option<u32>, used: u32) {
        app.store
            .as_mut()
            .unwrap()
            .put_assignment(&survey_store::Assignment {
                assignment_id: id.into(),
                questionnaire_id: "trips".into(),
                questionnaire_version: "1".into(),
                preload: Vec::new(),
            })
            .unwrap();
        app.device
            .assignment_limits
            .insert(id.into(), device::AssignmentLimit { quantity, used });
    }

    fn startable(app: &mut AppCore) -> Vec<(String, Option<u32>, Option<u32>)> {
        app.home()
            .unwrap()
            .entries
            .into_iter()
            .filter(|e| e.kind == "assignment")
            .map(|e| (e.id, e.used, e.quantity))
            .collect()
    }

    #[test]
    fn an_assignment_is_offered_until_its_quantity_is_used_here_or_on_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = with_trips(dir.path());
        // Three wanted, one already received by the server (from this or another tablet).
        assign(&mut app, "7", Some(3), 1);
        assign(&mut app, "8", None, 40);
        assert_eq!(
            startable(&mut app),
            vec![("7".into(), Some(1), Some(3)), ("8".into(), Some(40), None)]
        );
        app.start_interview(Some("7"), None).unwrap();
        app.close_interview().unwrap();
        assert_eq!(startable(&mut app)[0], ("7".into(), Some(2), Some(3)));
        let last = app.start_interview(Some("7"), None).unwrap().interview_id;
        app.close_interview().unwrap();
        // Full: no longer offered, and starting it anyway is refused with a translated code.
        assert_eq!(startable(&mut app), vec![("8".into(), Some(40), None)]);
        let refused = app.start_interview(Some("7"), None).unwrap_err();
        assert_eq!(refused.code(), "quantity_reached");
        // Once the server has acknowledged an interview, the server's count holds it: not counted twice.
        app.device
            .receipts
            .insert(last, (1, 9, "2026-11-23T10:00:00Z".into()));
        app.device.assignment_limits.insert(
            "7".into(),
            device::AssignmentLimit {
                quantity: Some(3),
                used: 2,
            },
        );
        // Server: the earlier one and `last`; here, the first one not sent yet: three.
        assert!(startable(&mut app).iter().all(|e| e.0 != "7"));
        app.device.assignment_limits.insert(
            "7".into(),
            device::AssignmentLimit {
                quantity: Some(4),
                used: 2,
            },
        );
        assert_eq!(startable(&mut app)[0], ("7".into(), Some(3), Some(4)));
        // The unlimited one is always offered.
        for _ in 0..3 {
            app.start_interview(Some("8"), None).unwrap();
            app.close_interview().unwrap();
        }
        assert!(startable(&mut app).iter().any(|e| e.0 == "8"));
    }
}
