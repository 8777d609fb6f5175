//! The view models the app's front end receives and sends. They are the IPC contract: serialised with
//! serde in camelCase, versioned with the app, and converted from engine and store types here, never
//! exposing those types directly.

use serde::{Deserialize, Serialize};

/// What the start screen needs to decide which flow to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDto {
    /// The device has enrolled with a sync server.
    pub enrolled: bool,
    /// An enumerator profile (with a PIN) exists on the device.
    pub has_profile: bool,
    /// The store is open (the PIN was given).
    pub unlocked: bool,
    /// The enumerator's name, once known.
    pub display_name: Option<String>,
    /// The server the device is enrolled with.
    pub server: Option<String>,
    /// Last successful sync, milliseconds since the epoch.
    pub last_sync_ms: Option<i64>,
    /// Minutes of inactivity after which the app locks itself.
    pub lock_after_minutes: u32,
    /// The tablet's camera scanner and location plugins are there (the Android build); the desktop build
    /// types the enrolment code and takes the position from the WebView, where it has one.
    pub sensors: bool,
}

/// A line of the home screen: an assignment or an interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeEntryDto {
    /// `assignment` or `interview`.
    pub kind: String,
    /// Assignment id or interview UUID.
    pub id: String,
    /// `to_start`, `in_progress`, `completed`, `sent`, `approved`, `rejected`.
    pub status: String,
    /// The questionnaire title in the current language.
    pub title: String,
    /// A short identifying text (preloaded address, instance name) for search.
    pub label: String,
    /// The assignment it belongs to.
    pub assignment_id: Option<String>,
    /// Last change, milliseconds since the epoch.
    pub updated_ms: Option<i64>,
    /// The supervisor's note when rejected.
    pub review_note: Option<String>,
    /// Receipt of the last upload (server sequence and time), when sent.
    pub receipt: Option<String>,
    /// For an assignment: the interviews it asks for (`None`: no limit, or not known yet).
    pub quantity: Option<u32>,
    /// For an assignment with a known count: interviews made for it so far (on the server and not yet
    /// sent from this tablet).
    pub used: Option<u32>,
}

/// A quota cell as the enumerator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaDto {
    /// The quota's label.
    pub quota: String,
    /// The cell coordinates as text.
    pub cell: String,
    /// Target.
    pub target: u32,
    /// Fill.
    pub fill: u32,
    /// `open`, `nearly_full` or `full`.
    pub state: String,
}

/// The home screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeDto {
    /// Assignments and interviews.
    pub entries: Vec<HomeEntryDto>,
    /// Quota cells.
    pub quotas: Vec<QuotaDto>,
    /// Last successful sync, milliseconds since the epoch.
    pub last_sync_ms: Option<i64>,
    /// Questionnaires installed on the device (`id@version`), to start an interview without assignment.
    pub questionnaires: Vec<String>,
}

/// One choice of a list, in the two interview languages shown side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceDto {
    /// The code.
    pub code: String,
    /// Label in the current language.
    pub label: String,
    /// Label in the second language (French when Arabic is shown, Arabic otherwise), if different.
    pub alt_label: Option<String>,
}

/// A problem on a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueDto {
    /// `required`, `constraint`, `warning`, `check1`…, `choice`.
    pub code: String,
    /// Message in the interview language.
    pub message: String,
    /// A warning that can be confirmed, rather than an error.
    pub soft: bool,
    /// The warning was confirmed.
    pub confirmed: bool,
}

/// One question (or note) on a screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDto {
    /// The answer's path.
    pub path: String,
    /// The item's name.
    pub name: String,
    /// The widget: the item type of the spec (`text`, `integer`, `single`, `money`, …).
    pub kind: String,
    /// The appearance hint.
    pub appearance: Option<String>,
    /// Label with piped values bidi-isolated (U+2068…U+2069).
    pub label: String,
    /// Hint.
    pub hint: Option<String>,
    /// Whether an answer is required now.
    pub required: bool,
    /// Read only.
    pub read_only: bool,
    /// The current value in the `daftar play` JSON encoding.
    pub value: serde_json::Value,
    /// Choices for `single`, `multiple`, `yes_no`.
    pub choices: Vec<ChoiceDto>,
    /// Currencies for `money`.
    pub currencies: Vec<ChoiceDto>,
    /// Desired GPS accuracy in metres for `geopoint`.
    pub accuracy: Option<f64>,
    /// Errors and warnings.
    pub issues: Vec<IssueDto>,
    /// The supervisor's comment on this question, when the interview was rejected.
    pub comment: Option<String>,
}

/// A roster shown on a screen: its rows with labels, to add, remove and open them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterDto {
    /// The roster's path.
    pub path: String,
    /// Its label.
    pub label: String,
    /// Rows: path and label.
    pub rows: Vec<RosterRowDto>,
    /// Rows follow a count question: the enumerator cannot add or remove.
    pub counted: bool,
}

/// One roster row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterRowDto {
    /// Path of the row (`hh_roster[2]`).
    pub path: String,
    /// Its label.
    pub label: String,
    /// Questions answered of relevant questions in the row.
    pub answered: u32,
    /// Relevant questions in the row.
    pub questions: u32,
}

/// A section in the navigation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionDto {
    /// The path to jump to.
    pub path: String,
    /// Label.
    pub label: String,
    /// Relevant questions.
    pub questions: u32,
    /// Answered.
    pub answered: u32,
    /// Missing required.
    pub missing: u32,
    /// Hard errors.
    pub errors: u32,
    /// Unconfirmed warnings.
    pub warnings: u32,
}

/// The interview screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreenDto {
    /// The interview.
    pub interview_id: String,
    /// The questionnaire title.
    pub title: String,
    /// The interview language.
    pub language: String,
    /// The languages of the questionnaire.
    pub languages: Vec<String>,
    /// The anchor path of this screen (an item or a field-list group).
    pub anchor: String,
    /// The group label for a field-list page.
    pub group_label: Option<String>,
    /// The items shown.
    pub items: Vec<ItemDto>,
    /// Rosters the screen's items are in (their overview).
    pub roster: Option<RosterDto>,
    /// Position of this screen among relevant screens (1-based) and their count.
    pub position: u32,
    /// Relevant screens.
    pub screen_count: u32,
    /// There is a previous screen.
    pub has_previous: bool,
    /// There is a next screen (otherwise "next" goes to the review).
    pub has_next: bool,
    /// Sections with completion state.
    pub sections: Vec<SectionDto>,
    /// The interview's status.
    pub status: String,
    /// The supervisor's note on the whole interview, when rejected.
    pub review_note: Option<String>,
}

/// One line of the review before completing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewLineDto {
    /// Path of the question.
    pub path: String,
    /// Its label.
    pub label: String,
    /// `unanswered`, `error`, `warning`, `comment`.
    pub kind: String,
    /// The message.
    pub message: String,
}

/// The review screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDto {
    /// The interview.
    pub interview_id: String,
    /// Problems to look at.
    pub lines: Vec<ReviewLineDto>,
    /// Whether it can be completed now.
    pub can_complete: bool,
    /// Answered questions.
    pub answered: u32,
    /// Relevant questions.
    pub questions: u32,
}

/// The outcome of a sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReportDto {
    /// Interviews the server acknowledged.
    pub sent: u32,
    /// Interviews kept as conflicts.
    pub conflicts: u32,
    /// Interviews still waiting (errors).
    pub failed: u32,
    /// Assignments received.
    pub assignments: u32,
    /// Interviews returned with comments.
    pub rejected: u32,
    /// A stable error code (`network`, `server`, `receipt`, `local`), when something failed.
    pub error_code: Option<String>,
    /// The detail of the first failure.
    pub error: Option<String>,
    /// Receipts: interview id and server sequence.
    pub receipts: Vec<ReceiptDto>,
    /// When it finished, milliseconds since the epoch.
    pub finished_ms: i64,
}

/// A receipt for one interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptDto {
    /// The interview.
    pub interview_id: String,
    /// The revision received.
    pub revision: u32,
    /// The server's sequence number.
    pub sequence: u64,
    /// When the server received it.
    pub received_at: String,
}

/// Progress of a sync for the progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgressDto {
    /// `upload`, `download`, `done`.
    pub phase: String,
    /// Steps done.
    pub done: u32,
    /// Steps known.
    pub total: u32,
}
