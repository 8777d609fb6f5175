//! The rectangular form of interviews: one table per roster level, joined by keys.
//!
//! Level `main` has one row per interview; each roster (`hh_roster`, `mig_episode`, `cost_item`…) has one
//! row per roster row. Every table starts with the key columns `interview_id` and one `<roster>_row`
//! column (1-based) per enclosing roster, outermost first, so `mig_episode` rows join `hh_roster` rows on
//! `(interview_id, hh_roster_row)`. Then come the level's variables in questionnaire order: questions,
//! calculations and metadata whose innermost roster is the level. A cell is the answer's text
//! (`survey_spec::value_text::to_text`: numbers without `.0`, multiple choices space-separated, dates
//! `YYYY-MM-DD`); a non-relevant item is empty.

use std::collections::BTreeMap;
use std::sync::Arc;

use survey_engine::{Instance, ScopeId, Session};
use survey_spec::model::{Kind, NodeId, Questionnaire};
use survey_spec::value_text;

use crate::record::InterviewRecord;

/// The key of a row: the interview and the 1-based row positions of the enclosing rosters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey {
    /// The interview id.
    pub interview: String,
    /// Row positions, outermost roster first (empty for `main`).
    pub index: Vec<u32>,
}

impl RowKey {
    /// The path prefix of the row (`hh_roster[2].mig_episode[1]`), given the level's roster chain.
    pub fn row_path(&self, chain: &[String]) -> String {
        chain
            .iter()
            .zip(&self.index)
            .map(|(name, i)| format!("{name}[{i}]"))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// One level of the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// `main` or the roster's name.
    pub name: String,
    /// The roster node (`None` for `main`).
    pub roster: Option<NodeId>,
    /// Enclosing roster names, outermost first, ending with this roster.
    pub chain: Vec<String>,
    /// The variables of the level, in questionnaire order.
    pub variables: Vec<NodeId>,
}

impl Level {
    /// The key column names.
    pub fn key_columns(&self) -> Vec<String> {
        let mut out = vec!["interview_id".to_string()];
        out.extend(self.chain.iter().map(|r| format!("{r}_row")));
        out
    }

    /// The file name in an export (`hh_roster.csv`).
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }
}

/// The levels of a questionnaire: `main`, then every roster in questionnaire order.
pub fn levels(q: &Questionnaire) -> Vec<Level> {
    let mut out = vec![Level {
        name: "main".into(),
        roster: None,
        chain: Vec::new(),
        variables: Vec::new(),
    }];
    for node in &q.nodes {
        if node.kind == Kind::Roster {
            let mut chain = vec![node.name.clone()];
            let mut up = node.roster;
            while let Some(r) = up {
                chain.insert(0, q.node(r).name.clone());
                up = q.node(r).roster;
            }
            out.push(Level {
                name: node.name.clone(),
                roster: Some(node.id),
                chain,
                variables: Vec::new(),
            });
        }
    }
    for node in &q.nodes {
        if !node.kind.has_value() {
            continue;
        }
        if let Some(level) = out.iter_mut().find(|l| l.roster == node.roster) {
            level.variables.push(node.id);
        }
    }
    out
}

/// One table: a level's rows by key, each row with one cell per variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The level.
    pub level: Level,
    /// Variable names (the columns after the keys).
    pub columns: Vec<String>,
    /// Rows by key.
    pub rows: BTreeMap<RowKey, Vec<String>>,
}

impl Table {
    /// An empty table for a level.
    pub fn new(q: &Questionnaire, level: Level) -> Table {
        let columns = level
            .variables
            .iter()
            .map(|&id| q.node(id).name.clone())
            .collect();
        Table {
            level,
            columns,
            rows: BTreeMap::new(),
        }
    }

    /// The index of a variable column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The CSV text: header, then rows in key order. UTF-8 without BOM, `\n` line ends.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let mut header = self.level.key_columns();
        header.extend(self.columns.iter().cloned());
        let _ = writer.write_record(&header);
        for (key, cells) in &self.rows {
            let mut record = vec![key.interview.clone()];
            record.extend(key.index.iter().map(u32::to_string));
            record.extend(cells.iter().cloned());
            let _ = writer.write_record(&record);
        }
        writer.into_inner().unwrap_or_default()
    }
}

/// All tables of a set of interviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// One table per level, `main` first.
    pub tables: Vec<Table>,
}

impl Dataset {
    /// Empty tables for every level of the questionnaire.
    pub fn empty(q: &Questionnaire) -> Dataset {
        Dataset {
            tables: levels(q).into_iter().map(|l| Table::new(q, l)).collect(),
        }
    }

    /// Restores each interview with the engine and lays it out.
    pub fn from_records(q: &Arc<Questionnaire>, records: &[InterviewRecord]) -> Dataset {
        let mut dataset = Dataset::empty(q);
        for record in records {
            let (session, _) = record.restore(q);
            dataset.add_session(&record.id, &session);
        }
        dataset
    }

    /// The table of a level.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.level.name == name)
    }

    /// Interview ids present in `main`.
    pub fn interviews(&self) -> Vec<String> {
        self.tables
            .first()
            .map(|t| t.rows.keys().map(|k| k.interview.clone()).collect())
            .unwrap_or_default()
    }

    /// Adds the rows of one interview.
    pub fn add_session(&mut self, id: &str, session: &Session) {
        let q = session.questionnaire().clone();
        // Which table each roster (or the top level) fills.
        let rosters: Vec<Option<NodeId>> = self.tables.iter().map(|t| t.level.roster).collect();
        let table_of =
            |roster: Option<NodeId>| rosters.iter().position(|r| *r == roster).unwrap_or(0);
        for inst in session.walk() {
            let node = q.node(inst.node);
            if !node.kind.has_value() {
                continue;
            }
            let Some(key) = row_key(session, id, inst.scope) else {
                continue;
            };
            let t = table_of(node.roster);
            let table = &mut self.tables[t];
            let Some(column) = table.column(&node.name) else {
                continue;
            };
            let width = table.columns.len();
            let row = table
                .rows
                .entry(key)
                .or_insert_with(|| vec![String::new(); width]);
            if session.is_relevant(inst)
                && let Some(value) = session.value(inst)
            {
                row[column] = value_text::to_text(value);
            }
        }
    }
}

/// The key of a scope's row, or `None` when the row belongs to a roster that is not relevant (its rows
/// are kept by the engine but are not data).
fn row_key(session: &Session, id: &str, scope: ScopeId) -> Option<RowKey> {
    let mut index = Vec::new();
    let mut s = scope;
    while let Some(roster) = session.scope_roster(s) {
        let parent = session.scope_parent(s).unwrap_or(0);
        if !session.is_relevant(Instance {
            node: roster,
            scope: parent,
        }) {
            return None;
        }
        index.push(session.row_position(s));
        s = parent;
    }
    index.reverse();
    Some(RowKey {
        interview: id.to_string(),
        index,
    })
}

/// The paradata of interviews as CSV: `interview_id,seq,at,event,path,detail`.
pub fn paradata_csv(records: &[InterviewRecord]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = writer.write_record(["interview_id", "seq", "at", "event", "path", "detail"]);
    for record in records {
        for (i, e) in record.events.iter().enumerate() {
            let _ = writer.write_record([
                record.id.as_str(),
                &(i + 1).to_string(),
                &e.at,
                &e.event,
                e.path.as_deref().unwrap_or(""),
                e.detail.as_deref().unwrap_or(""),
            ]);
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// Whether a node's column is entered by people (as opposed to computed or filled by the app).
pub fn is_entered(kind: Kind) -> bool {
    kind.is_question()
}
