//! The questionnaire as written: a faithful, located image of a native file or an imported XLSForm.
//!
//! Both front ends (the YAML/JSON reader in [`crate::native`] and the XLSForm importer) produce a [`Document`];
//! [`crate::compile`] turns a document into a checked [`crate::Questionnaire`]. Nothing here is validated
//! beyond its shape: names, references, expressions and types are checked by the compiler, which reports
//! each problem at the location kept here. The XLSForm exporter writes a document back out.

use crate::diagnostic::Loc;

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

impl<T> Located<T> {
    /// Pairs a value with its location.
    pub fn new(value: T, loc: Loc) -> Located<T> {
        Located { value, loc }
    }
}

/// Text in several languages: `(language code, text)` pairs in the order written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Texts {
    /// Translations. A plain string in a single-language questionnaire has the language `""`.
    pub entries: Vec<(Located<String>, Located<String>)>,
    /// Where the text starts.
    pub loc: Loc,
}

impl Texts {
    /// The text in `lang`, if written.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(l, _)| l.value == lang)
            .map(|(_, t)| t.value.as_str())
    }
}

/// A whole questionnaire as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The `daftar:` format version (must be 1).
    pub format: Option<Located<String>>,
    /// Questionnaire id.
    pub id: Option<Located<String>>,
    /// The designer's version label.
    pub version: Option<Located<String>>,
    /// Title.
    pub title: Option<Texts>,
    /// Declared languages, in order.
    pub languages: Vec<Located<String>>,
    /// The default language.
    pub default_language: Option<Located<String>>,
    /// Free metadata, kept as written.
    pub metadata: Vec<(String, String)>,
    /// Whether the paradata event log is recorded (XLSForm `audit`).
    pub paradata: Option<Located<bool>>,
    /// Expression naming an interview.
    pub instance_name: Option<Located<String>>,
    /// Choice lists.
    pub choice_lists: Vec<ChoiceListDoc>,
    /// Lookup tables for `pulldata()`.
    pub tables: Vec<TableDoc>,
    /// Items whose values may travel in clear.
    pub monitoring: Vec<Located<String>>,
    /// Quota cells.
    pub quotas: Vec<QuotaDoc>,
    /// The questionnaire tree.
    pub items: Vec<ItemDoc>,
}

/// A named choice list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceListDoc {
    /// The list name.
    pub name: Located<String>,
    /// Where its choices come from.
    pub source: ChoiceSource,
}

/// The choices of a list.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceSource {
    /// Written in the questionnaire.
    Inline(Vec<ChoiceDoc>),
    /// A CSV file next to the questionnaire (path relative to it).
    File(Located<String>),
}

/// One choice.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceDoc {
    /// The code stored as the answer.
    pub code: Located<String>,
    /// The label shown.
    pub label: Option<Texts>,
    /// Data columns for choice filters and lookups, in the order written.
    pub data: Vec<(String, Located<String>)>,
    /// Where the choice starts.
    pub loc: Loc,
}

/// A lookup table declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDoc {
    /// The table name used in `pulldata()`.
    pub name: Located<String>,
    /// The CSV file, relative to the questionnaire.
    pub file: Located<String>,
}

/// A quota cell declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaDoc {
    /// The quota's name.
    pub name: Located<String>,
    /// What supervisors see.
    pub label: Option<Texts>,
    /// The monitoring fields that define a cell.
    pub by: Vec<Located<String>>,
    /// Which rows count.
    pub when: Option<Located<String>>,
    /// Where the declaration starts.
    pub loc: Loc,
}

/// `true`, `false` or an expression (for `required` and `read_only`).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A constant.
    Always(bool),
    /// An expression evaluated in the item's context.
    When(String),
}

/// A further check on an item.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDoc {
    /// The condition that must hold.
    pub expr: Located<String>,
    /// Whether a failure is a soft warning rather than a hard error.
    pub soft: bool,
    /// The message shown when it fails.
    pub message: Option<Texts>,
}

/// A node of the questionnaire tree: a container (section, group, roster) or a leaf item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemDoc {
    /// The stable name.
    pub name: Option<Located<String>>,
    /// The type as written (`integer`, `single`, `roster`…).
    pub kind: Option<Located<String>>,
    /// Label.
    pub label: Option<Texts>,
    /// Hint.
    pub hint: Option<Texts>,
    /// Relevance expression.
    pub relevant: Option<Located<String>>,
    /// Whether an answer is required.
    pub required: Option<Located<Condition>>,
    /// Message when a required answer is missing.
    pub required_message: Option<Texts>,
    /// Hard constraint.
    pub constraint: Option<Located<String>>,
    /// Message when the constraint fails.
    pub constraint_message: Option<Texts>,
    /// Soft warning condition.
    pub warning: Option<Located<String>>,
    /// Message when the warning condition fails.
    pub warning_message: Option<Texts>,
    /// Further checks.
    pub checks: Vec<CheckDoc>,
    /// Calculation.
    pub calculation: Option<Located<String>>,
    /// Literal default value, in the `daftar play` encoding written as text.
    pub default: Option<Located<String>>,
    /// Choice list name.
    pub choices: Option<Located<String>>,
    /// Choice filter expression.
    pub choice_filter: Option<Located<String>>,
    /// Whether the item is read-only.
    pub read_only: Option<Located<Condition>>,
    /// Assignment preload key.
    pub preload: Option<Located<String>>,
    /// Rendering hint.
    pub appearance: Option<Located<String>>,
    /// Type parameters (`start`, `end`, `step`, `accuracy`…).
    pub parameters: Vec<(String, Located<String>)>,
    /// Allowed currencies of a money item (a choice list name).
    pub currencies: Option<Located<String>>,
    /// Roster: row count expression.
    pub repeat_count: Option<Located<String>>,
    /// Roster: most rows the enumerator may add.
    pub max_rows: Option<Located<String>>,
    /// Roster: label of a row in the overview table.
    pub row_label: Option<Texts>,
    /// Calculation trigger: recalculate only when this item changes (XLSForm `trigger`).
    pub trigger: Option<Located<String>>,
    /// Children of a container.
    pub items: Vec<ItemDoc>,
    /// Where the item starts.
    pub loc: Loc,
}
