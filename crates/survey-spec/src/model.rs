//! The compiled questionnaire: checked, resolved, immutable, shared by every interview on a device or server.
//!
//! Items are stored flat in document (pre-order) order and addressed by [`NodeId`]; expressions have every
//! `${name}` resolved to a `NodeId` (as a `survey_expr::Slot`), so evaluation never looks a name up. The
//! dependency graph is built here once per questionnaire.

use std::collections::HashMap;

use survey_expr::Expr;

use crate::answer::Answer;
use crate::diagnostic::Loc;

/// The index of a node (container or item) in [`Questionnaire::nodes`].
pub type NodeId = u32;

/// Text in each declared language, indexed like [`Questionnaire::languages`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Text {
    /// One entry per declared language; empty when the language is missing (a diagnostic says so).
    pub by_language: Vec<String>,
    /// Pieces of the text for piping, per language: literal text and `${name}` references.
    pub pieces: Vec<Vec<TextPiece>>,
}

impl Text {
    /// The text in language `lang` (an index into [`Questionnaire::languages`]), falling back to the first
    /// non-empty translation.
    pub fn get(&self, lang: usize) -> &str {
        match self.by_language.get(lang) {
            Some(t) if !t.is_empty() => t,
            _ => self
                .by_language
                .iter()
                .find(|t| !t.is_empty())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }
}

/// A piece of a text with piped values.
#[derive(Debug, Clone, PartialEq)]
pub enum TextPiece {
    /// Literal text.
    Literal(String),
    /// The current value of an item.
    Value(NodeId),
}

/// What kind of node this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A top-level navigation unit.
    Section,
    /// A group of items.
    Group,
    /// A repeat: one row per person, stay, item…
    Roster,
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
    /// A date and time.
    DateTime,
    /// One choice from a list.
    Single,
    /// Several choices from a list.
    Multiple,
    /// Yes or no (built-in list).
    YesNo,
    /// A text shown, no answer.
    Note,
    /// A confirmation ("OK").
    Acknowledge,
    /// A hidden derived value.
    Calculate,
    /// A GPS position.
    Geopoint,
    /// Amount + ISO 4217 currency.
    Money,
    /// Filled by the app: start time.
    MetaStart,
    /// Filled by the app: end time.
    MetaEnd,
    /// Filled by the app: the date of the interview.
    MetaToday,
    /// Filled by the app: the device id.
    MetaDeviceId,
    /// Filled by the app: the enumerator's user name.
    MetaUsername,
}

impl Kind {
    /// Parses a native type name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "section" => Kind::Section,
            "group" => Kind::Group,
            "roster" => Kind::Roster,
            "text" => Kind::Text,
            "integer" => Kind::Integer,
            "decimal" => Kind::Decimal,
            "date" => Kind::Date,
            "time" => Kind::Time,
            "datetime" => Kind::DateTime,
            "single" => Kind::Single,
            "multiple" => Kind::Multiple,
            "yes_no" => Kind::YesNo,
            "note" => Kind::Note,
            "acknowledge" => Kind::Acknowledge,
            "calculate" => Kind::Calculate,
            "geopoint" => Kind::Geopoint,
            "money" => Kind::Money,
            "start" => Kind::MetaStart,
            "end" => Kind::MetaEnd,
            "today" => Kind::MetaToday,
            "deviceid" => Kind::MetaDeviceId,
            "username" => Kind::MetaUsername,
            _ => return None,
        })
    }

    /// The native type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Section => "section",
            Kind::Group => "group",
            Kind::Roster => "roster",
            Kind::Text => "text",
            Kind::Integer => "integer",
            Kind::Decimal => "decimal",
            Kind::Date => "date",
            Kind::Time => "time",
            Kind::DateTime => "datetime",
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::YesNo => "yes_no",
            Kind::Note => "note",
            Kind::Acknowledge => "acknowledge",
            Kind::Calculate => "calculate",
            Kind::Geopoint => "geopoint",
            Kind::Money => "money",
            Kind::MetaStart => "start",
            Kind::MetaEnd => "end",
            Kind::MetaToday => "today",
            Kind::MetaDeviceId => "deviceid",
            Kind::MetaUsername => "username",
        }
    }

    /// Whether the node holds other nodes.
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Section | Kind::Group | Kind::Roster)
    }

    /// Whether the node holds a value (answered, calculated or filled by the app).
    pub fn has_value(self) -> bool {
        !self.is_container() && self != Kind::Note
    }

    /// Whether the enumerator answers it.
    pub fn is_question(self) -> bool {
        self.has_value() && !self.is_meta() && self != Kind::Calculate
    }

    /// Whether the app fills it.
    pub fn is_meta(self) -> bool {
        matches!(
            self,
            Kind::MetaStart
                | Kind::MetaEnd
                | Kind::MetaToday
                | Kind::MetaDeviceId
                | Kind::MetaUsername
        )
    }

    /// Whether its answers are choice codes.
    pub fn has_choices(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple | Kind::YesNo)
    }
}

/// A constant or an expression (for `required` and `read_only`).
#[derive(Debug, Clone)]
pub enum Condition {
    /// Always this.
    Always(bool),
    /// Evaluated in the item's row.
    When(Expr),
}

/// A hard or soft check on an item's value.
#[derive(Debug, Clone)]
pub struct Check {
    /// Must be true when the item has a value (`.` is the value).
    pub expr: Expr,
    /// A soft warning (can be confirmed) rather than a hard error.
    pub soft: bool,
    /// Shown when the check fails.
    pub message: Option<Text>,
    /// Stable code of the check in the item: `constraint`, `warning`, `check1`…
    pub code: String,
}

/// One node of the questionnaire tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its index.
    pub id: NodeId,
    /// Its stable name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// The container it is in.
    pub parent: Option<NodeId>,
    /// Its children (containers only), in order.
    pub children: Vec<NodeId>,
    /// The innermost roster it is in (not itself), if any.
    pub roster: Option<NodeId>,
    /// Its index among the nodes of its roster (or of the top level): the slot of its cell in a row.
    pub local: u32,
    /// How many rosters enclose it.
    pub roster_depth: u32,
    /// Label.
    pub label: Option<Text>,
    /// Hint.
    pub hint: Option<Text>,
    /// Relevance.
    pub relevant: Option<Expr>,
    /// Whether an answer is required.
    pub required: Condition,
    /// Message when missing.
    pub required_message: Option<Text>,
    /// Constraints and warnings.
    pub checks: Vec<Check>,
    /// Calculation.
    pub calculation: Option<Expr>,
    /// Default value.
    pub default: Option<Answer>,
    /// The choice list (index into [`Questionnaire::choice_lists`]).
    pub choices: Option<u32>,
    /// Choice filter.
    pub choice_filter: Option<Expr>,
    /// Read-only.
    pub read_only: Condition,
    /// Assignment preload key.
    pub preload: Option<String>,
    /// Rendering hint.
    pub appearance: Option<String>,
    /// Type parameters.
    pub parameters: Vec<(String, String)>,
    /// Allowed currencies (money).
    pub currencies: Option<u32>,
    /// Roster row count.
    pub repeat_count: Option<Expr>,
    /// Most rows the enumerator may add.
    pub max_rows: u32,
    /// Label of a row.
    pub row_label: Option<Text>,
    /// Recalculate only when this item changes.
    pub trigger: Option<NodeId>,
    /// Where it was written.
    pub loc: Loc,
}

/// One choice of a list.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Code stored as the answer.
    pub code: String,
    /// Label.
    pub label: Text,
    /// Data column values, indexed like [`ChoiceList::columns`].
    pub data: Vec<String>,
}

/// A named list of choices.
#[derive(Debug, Clone)]
pub struct ChoiceList {
    /// The list's name.
    pub name: String,
    /// Its choices in order.
    pub choices: Vec<Choice>,
    /// Names of its data columns.
    pub columns: Vec<String>,
    /// Code → index in `choices`.
    pub index: HashMap<String, u32>,
}

impl ChoiceList {
    /// The choice with `code`.
    pub fn get(&self, code: &str) -> Option<&Choice> {
        self.index.get(code).map(|&i| &self.choices[i as usize])
    }

    /// The value of data column `column` for `choice`.
    pub fn data<'c>(&self, choice: &'c Choice, column: &str) -> Option<&'c str> {
        let i = self.columns.iter().position(|c| c == column)?;
        choice.data.get(i).map(String::as_str)
    }
}

/// A lookup table for `pulldata()`.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// Per column, value → first row index (built lazily per column at load for every column).
    pub indexes: Vec<HashMap<String, u32>>,
}

impl Table {
    /// `pulldata` semantics: the value of `column` in the first row whose `key_column` equals `key`.
    pub fn lookup(&self, column: &str, key_column: &str, key: &str) -> Option<&str> {
        let c = self.columns.iter().position(|x| x == column)?;
        let k = self.columns.iter().position(|x| x == key_column)?;
        let row = *self.indexes.get(k)?.get(key)?;
        self.rows.get(row as usize)?.get(c).map(String::as_str)
    }
}

/// A quota cell declaration.
#[derive(Debug, Clone)]
pub struct Quota {
    /// Name.
    pub name: String,
    /// Label.
    pub label: Option<Text>,
    /// The monitoring items that define a cell.
    pub by: Vec<NodeId>,
    /// Which rows count.
    pub when: Option<Expr>,
    /// The roster whose rows are the unit counted (the deepest among `by`), or `None` for the interview.
    pub unit: Option<NodeId>,
}

/// Which aspect of a dependent node an edge feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Aspect {
    /// Relevance, calculation or row count: may change the node's value as others see it.
    Value,
    /// Checks, required, read-only, choice filter: change only the node's own state.
    State,
    /// A container's relevance flowing into a child: followed only when the relevance changed.
    Parent,
}

/// A compiled questionnaire.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    /// Questionnaire id.
    pub id: String,
    /// The designer's version label.
    pub version: String,
    /// SHA-256 of the canonical content, computed on first use (see [`Questionnaire::content_hash`]).
    pub(crate) hash: std::sync::OnceLock<String>,
    /// Title.
    pub title: Text,
    /// Declared languages.
    pub languages: Vec<String>,
    /// Index of the default language.
    pub default_language: usize,
    /// Free metadata.
    pub metadata: Vec<(String, String)>,
    /// Whether paradata is recorded.
    pub paradata: bool,
    /// Names an interview.
    pub instance_name: Option<Expr>,
    /// Every node, in document order.
    pub nodes: Vec<Node>,
    /// Top-level nodes.
    pub top: Vec<NodeId>,
    /// Number of cells in a top-level scope.
    pub top_width: u32,
    /// Per roster node: number of cells in one of its rows (indexed by NodeId; 0 for non-rosters).
    pub row_width: Vec<u32>,
    /// Choice lists.
    pub choice_lists: Vec<ChoiceList>,
    /// Lookup tables by name.
    pub tables: HashMap<String, Table>,
    /// Items that travel in clear.
    pub monitoring: Vec<NodeId>,
    /// Quota cells.
    pub quotas: Vec<Quota>,
    /// Name → node.
    pub by_name: HashMap<String, NodeId>,
    /// Per node: the nodes whose expressions read it, with the aspect fed.
    pub dependents: Vec<Vec<(NodeId, Aspect)>>,
    /// Per node: its rank in a topological order of value dependencies.
    pub rank: Vec<u32>,
    /// Nodes in rank order.
    pub order: Vec<NodeId>,
}

impl Questionnaire {
    /// SHA-256 (hex) of the questionnaire's canonical content: equal for two sources that mean the same
    /// questionnaire, whatever their format or layout. Computed on first use, since only sync and export
    /// need it and it costs a fifth of a load.
    pub fn content_hash(&self) -> &str {
        self.hash.get_or_init(|| {
            use sha2::{Digest, Sha256};
            Sha256::digest(crate::canonical::dump(self).as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
    }

    /// The node called `name`.
    pub fn node_by_name(&self, name: &str) -> Option<&Node> {
        self.by_name.get(name).map(|&id| &self.nodes[id as usize])
    }

    /// The node with `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The choice list of a choice item (yes/no uses the built-in list).
    pub fn choice_list_of(&self, id: NodeId) -> Option<&ChoiceList> {
        self.node(id)
            .choices
            .map(|i| &self.choice_lists[i as usize])
    }

    /// The index of language `code`.
    pub fn language_index(&self, code: &str) -> Option<usize> {
        self.languages.iter().position(|l| l == code)
    }

    /// The chain of rosters enclosing `id`, outermost first (not including `id` itself).
    pub fn roster_chain(&self, id: NodeId) -> Vec<NodeId> {
        let mut chain = Vec::new();
        let mut current = self.node(id).roster;
        while let Some(r) = current {
            chain.push(r);
            current = self.node(r).roster;
        }
        chain.reverse();
        chain
    }
}
